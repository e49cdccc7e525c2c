import type { DomainContext } from '../context.js';
import { decideFor, liveClaims, versionForCase } from '../disputes/settle.js';
import { protectionEnd } from '../claims/lifecycle.js';
import { DomainError } from '../errors.js';
import type { Account, Claim, Decision, Dispute, EngagementModel } from '../types.js';
import { coverageFor } from './coverage.js';

export interface ProductLineOwnership {
  productLine: string;
  /** The criteria over the live claims of this product line, under the version a case would use. */
  decision: Decision;
  /**
   * The closed case that gave the line to its holder, when there is one: after a ruling the
   * other claims are rejected, so the criteria alone would credit the wrong rule.
   */
  decidedBy: Dispute | null;
  claims: { claim: Claim; protectedUntil: Date }[];
}

export interface OwnershipView {
  account: Account;
  coverageName: string;
  model: EngagementModel;
  arbitrator: string;
  escalation: string[];
  /** The rules that do not depend on claims (named owner, direct-reserved, incumbent): an owner of the whole account, or none. */
  accountDecision: Decision;
  /** Per product line with live claims: who holds it, and why. */
  lines: ProductLineOwnership[];
  openDisputes: Dispute[];
  policyVersion: string;
}

/**
 * The latest settled or ruled case whose winner is the line's holder and that holds one of
 * the holder's live claims: that case, not the criteria over what is left, decided it.
 */
function decidingCase(disputes: readonly Dispute[], live: readonly Claim[], decision: Decision): Dispute | null {
  if (!decision.winner) return null;
  const held = new Set(live.filter((c) => c.claimant === decision.winner).map((c) => c.id));
  let found: Dispute | null = null;
  for (const d of disputes) {
    if ((d.status === 'ruled' || d.status === 'settled') && d.winner === decision.winner && d.claimIds.some((id) => held.has(id))) {
      if (!found || d.id > found.id) found = d;
    }
  }
  return found;
}

/**
 * Who owns an account now, and why. An overlap is per product line, so ownership is too:
 * the account-wide rules first, then the criteria over each product line's live claims,
 * judged as a dispute would judge them (the version of the earliest claim). Read only.
 */
export function viewOwnership(ctx: DomainContext, accountId: string): OwnershipView {
  const now = ctx.clock.now();
  const account = ctx.store.accounts.get(accountId);
  if (!account) throw new DomainError('not_found', `No account with id "${accountId}".`);
  const book = ctx.policies();
  const version = book.inForceAt(now);
  const coverage = coverageFor(account, version.policy);
  const live = liveClaims(ctx, accountId, null, now);
  const productLines = [...new Set(live.map((c) => c.productLine))].sort();
  const disputes = ctx.store.disputes.forAccount(accountId);
  return {
    account,
    coverageName: coverage.name,
    model: coverage.model,
    arbitrator: coverage.arbitrator,
    escalation: coverage.escalation,
    accountDecision: decideFor(account, version, []),
    lines: productLines.map((productLine) => {
      const claims = live.filter((c) => c.productLine === productLine);
      const decision = decideFor(account, versionForCase(ctx, claims, now), claims);
      return {
        productLine,
        decision,
        decidedBy: decidingCase(disputes, claims, decision),
        claims: claims.map((claim) => ({ claim, protectedUntil: protectionEnd(claim, book.forClaim(claim).policy.registration) })),
      };
    }),
    openDisputes: disputes.filter((d) => d.status === 'open'),
    policyVersion: version.version,
  };
}
