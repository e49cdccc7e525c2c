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
  return {
    account,
    coverageName: coverage.name,
    model: coverage.model,
    arbitrator: coverage.arbitrator,
    escalation: coverage.escalation,
    accountDecision: decideFor(account, version, []),
    lines: productLines.map((productLine) => {
      const claims = live.filter((c) => c.productLine === productLine);
      return {
        productLine,
        decision: decideFor(account, versionForCase(ctx, claims, now), claims),
        claims: claims.map((claim) => ({ claim, protectedUntil: protectionEnd(claim, book.forClaim(claim).policy.registration) })),
      };
    }),
    openDisputes: ctx.store.disputes.forAccount(accountId).filter((d) => d.status === 'open'),
    policyVersion: version.version,
  };
}
