import type { DomainContext } from '../context.js';
import { decideFor, latestRuling, liveClaims, outOfProgramme, rulingStandingFor, rulingStandsUntil, versionForCase } from '../disputes/settle.js';
import { dormancyAt, protectionEnd, termsOf, type RegistrationTerms } from '../claims/lifecycle.js';
import { DomainError } from '../errors.js';
import { sameProductLine, type Account, type Claim, type Decision, type Dispute, type EngagementModel } from '../types.js';
import { coverageFor } from './coverage.js';

export interface ProductLineOwnership {
  productLine: string;
  /** The criteria over the live claims of this product line, under the version a case would use. */
  decision: Decision;
  /** The version `decision` was judged under: that of the earliest live claim (grandfathering). */
  policyVersion: string;
  /**
   * The closed case (ruled or settled) that gave the line to its holder, when there is one:
   * the latest whose winner still holds a protected claim of that case, or a protected claim
   * filed while that case's ruling stood for it (`rulingStandingFor`). It decides the line
   * whatever the criteria over what is left say (a ruling may go against them, and the
   * other claims are rejected).
   */
  decidedBy: Dispute | null;
  /** The open case on this product line, when there is one: the line is being decided. */
  openCase: Dispute | null;
  /** Live claims, with when each one's protection ends and when it goes dormant without more activity logged. */
  claims: { claim: Claim; protectedUntil: Date; dormantAt: Date }[];
  /**
   * A line no live claim holds, given to a party by a ruling that still stands: until when (the
   * party's next claim there is protected at once; the criteria alone give it to nobody else).
   */
  ruledUntil?: Date;
}

export interface OwnershipView {
  account: Account;
  coverageName: string;
  model: EngagementModel;
  arbitrator: string;
  escalation: string[];
  /**
   * The rules that do not depend on claims (named owner, direct-reserved, incumbent) under the
   * version in force now: the owner of every product line not in `lines`, or none.
   */
  accountDecision: Decision;
  /** Per product line with live claims or an open case: who holds it, and why. Sorted by product line. */
  lines: ProductLineOwnership[];
  /** The policy's product lines (version in force now) not in `lines`: `accountDecision` covers them. */
  otherProductLines: string[];
  openDisputes: Dispute[];
  policyVersion: string;
}

/**
 * The latest ruled or settled case on these claims whose winner still holds one of its claims,
 * protected, or a protected claim filed while its ruling stood for the winner.
 */
function decidingCase(disputes: readonly Dispute[], live: readonly Claim[], termsFor: (c: Claim) => RegistrationTerms): Dispute | null {
  const held = live.filter((c) => c.status === 'protected');
  const holder = new Map(held.map((c) => [c.id, c.claimant]));
  let found: Dispute | null = null;
  const credit = (d: Dispute | undefined) => {
    if (d && (!found || d.id > found.id)) found = d;
  };
  for (const d of disputes) {
    if ((d.status === 'ruled' || d.status === 'settled') && d.winner !== null && d.claimIds.some((id) => holder.get(id) === d.winner)) credit(d);
  }
  for (const c of held) credit(rulingStandingFor(disputes, c, termsFor(c)));
  return found;
}

/**
 * Who owns an account now, and why. An overlap is per product line, so ownership is too: each
 * product line with live claims is judged as a dispute would judge it (the version of its
 * earliest live claim, so grandfathered claims keep their rules), or by the closed case that
 * decided it, or is being decided by an open case; the account-wide rules under today's version
 * cover the other product lines. Read only.
 */
export function viewOwnership(ctx: DomainContext, accountId: string): OwnershipView {
  const now = ctx.clock.now();
  const account = ctx.store.accounts.get(accountId);
  if (!account) throw new DomainError('not_found', `No account with id "${accountId}".`);
  const book = ctx.policies();
  const version = book.inForceAt(now);
  const coverage = coverageFor(account, version.policy);
  const live = liveClaims(ctx, accountId, null, now);
  const disputes = ctx.store.disputes.forAccount(accountId);
  // An incumbent or named owner that left the programme holds nothing: the criteria say so.
  const out = outOfProgramme(ctx);
  const openDisputes = disputes.filter((d) => d.status === 'open');
  // A line is one line whatever its letter case (a version may re-case it), shown as the
  // policy in force spells it.
  const spelled = (line: string) => version.policy.product_lines.find((p) => sameProductLine(p, line)) ?? line;
  const productLines = [...new Set([...live.map((c) => spelled(c.productLine)), ...openDisputes.map((d) => spelled(d.productLine))])].sort();
  // Lines no claim holds that a ruling still gives to a party.
  // (Of the policy's product lines: one it no longer has takes no claims, ruled or not.)
  const terms = termsOf(version.policy);
  const ruledLines: ProductLineOwnership[] = [];
  for (const productLine of new Set(disputes.map((d) => spelled(d.productLine)))) {
    if (productLines.includes(productLine) || !version.policy.product_lines.includes(productLine)) continue;
    const ruling = latestRuling(disputes, productLine, now, terms);
    if (!ruling?.winner) continue;
    ruledLines.push({ productLine, decision: decideFor(account, version, [], out), policyVersion: version.version, decidedBy: ruling, openCase: null, claims: [], ruledUntil: rulingStandsUntil(ruling, terms) });
  }
  return {
    account,
    coverageName: coverage.name,
    model: coverage.model,
    arbitrator: coverage.arbitrator,
    escalation: coverage.escalation,
    accountDecision: decideFor(account, version, [], out),
    lines: [...productLines.map((productLine) => {
      const claims = live.filter((c) => sameProductLine(c.productLine, productLine));
      const lineVersion = versionForCase(ctx, claims, now);
      const onLine = disputes.filter((d) => sameProductLine(d.productLine, productLine));
      return {
        productLine,
        decision: decideFor(account, lineVersion, claims, out),
        policyVersion: lineVersion.version,
        decidedBy: decidingCase(onLine, claims, (c) => book.termsFor(c)),
        openCase: openDisputes.filter((d) => sameProductLine(d.productLine, productLine)).reduce<Dispute | null>((a, d) => (!a || d.id > a.id ? d : a), null),
        claims: claims.map((claim) => {
          const terms = book.termsFor(claim);
          return { claim, protectedUntil: protectionEnd(claim, terms), dormantAt: dormancyAt(claim, terms) };
        }),
      };
    }), ...ruledLines].sort((a, b) => (a.productLine < b.productLine ? -1 : a.productLine > b.productLine ? 1 : 0)),
    otherProductLines: version.policy.product_lines.filter((p) => !productLines.includes(p) && !ruledLines.some((l) => l.productLine === p)),
    openDisputes,
    policyVersion: version.version,
  };
}
