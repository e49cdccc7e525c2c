import type { DomainContext } from '../context.js';
import { approvalReasons } from '../claims/claims.service.js';
import { requiresApproval } from '../claims/consequences.js';
import { protectedAt } from '../claims/lifecycle.js';
import { collisionReason, findConflicts, partyOf } from '../claims/overlap.js';
import { joinCase, liveClaims, openCase, outOfProgramme } from '../disputes/settle.js';
import type { DomainEvent } from '../events.js';
import { coverageFor } from '../ownership/coverage.js';
import { DIRECT, IMPORTED_BY, sameProductLine, type Claim, type PartyId } from '../types.js';

/**
 * Puts an imported claim that is pending (and in no open case) in a case on its account and
 * product line, as filing it would (see fileClaim): every pending claim waits in an open case,
 * where an arbitrator is told of it and an SLA runs. It joins the case open there; otherwise
 * a case is opened: over the overlap when it collides with another party (a live claim, a named
 * owner, the incumbent, direct-led coverage), or for approval when nobody else is there. The
 * party's own other claims are never among what it collides with (the import refuses a second
 * live claim of a party: see importCsv). Whatever the criteria say, an arbitrator decides: its
 * registration date is the CRM's, which may be long before the claims it would beat were filed
 * (a backdated claim must not silently take a line from its holder), so the criteria only
 * recommend. Must run inside the import's transaction; returns the events to announce.
 */
export function putInCase(ctx: DomainContext, imported: Claim, now: Date): { disputeId: number; events: DomainEvent[] } {
  const { store } = ctx;
  const account = store.accounts.get(imported.accountId)!;
  const policy = ctx.policies().inForceAt(now).policy;
  const others = liveClaims(ctx, account.id, imported.productLine, now)
    // The party's own other claims are no overlap: in a case, a ruling for nobody would reject them too.
    .filter((c) => c.id !== imported.id && c.claimant !== imported.claimant);
  // Filed against another party's protection, as a claim filed in chat over a protected one is
  // (it counts as a violation should it lose a ruling): registered in the CRM while that
  // party's claim, registered before it, was protected. One registered first was there first;
  // one registered the same day (a CRM's dates are midnight) was filed against nothing. Judged
  // at the claim's registration, not now: a protection that held then and has lapsed or expired
  // since was still filed against (see protectedAt), and one that came later was not.
  const book = ctx.policies();
  const at = imported.registeredAt;
  const against = store.claims
    .forAccount(account.id)
    .some((c) => c.id !== imported.id && c.claimant !== imported.claimant && sameProductLine(c.productLine, imported.productLine) && c.registeredAt.getTime() < at.getTime() && protectedAt(c, book.termsFor(c), at));
  const claim = against && !imported.contested ? { ...imported, contested: true } : imported;
  if (claim !== imported) store.claims.update(claim.id, { contested: true });
  const coverage = coverageFor(account, policy);
  const conflicts = findConflicts({ account, coverage, claimant: claim.claimant, liveClaims: others, outOfProgramme: outOfProgramme(ctx) });
  const parties = [...new Set<PartyId>([claim.claimant, ...conflicts.map(partyOf)])];
  const open = store.disputes.forAccount(account.id).find((d) => d.status === 'open' && sameProductLine(d.productLine, claim.productLine));
  if (open) {
    // Imported while its partner is flagged: kept so, as a claim filed in chat is (its cards say so).
    const joined = joinCase(ctx, open, account, claim, parties, now, null, null, claim.claimant !== DIRECT && requiresApproval(ctx, claim.claimant, now));
    return { disputeId: open.id, events: joined.events };
  }
  const approval = approvalReasons(ctx, account, claim.productLine, claim.claimant, now);
  const { dispute, events } = openCase(
    ctx,
    {
      account,
      productLine: claim.productLine,
      claims: [...others, claim],
      parties,
      raisedBy: IMPORTED_BY,
      // The company's import, not a partner's: the reason is the company's to read.
      raisedAs: DIRECT,
      reason: [
        'Imported from the CRM as pending: an arbitrator decides an imported claim, the criteria only recommend.',
        collisionReason(conflicts, 'imported') ?? 'Nobody else holds the account: the claim needs an approval.',
        ...approval.reasons,
      ].join(' '),
      filedFlagged: approval.flagged,
      evidence: '',
      origin: null,
      requestKey: null,
      approvalOnly: conflicts.length === 0,
      // Never settled by the criteria alone, even when they pick a winner: see above.
      forceArbitration: true,
      // Stored in this transaction, its lifecycle timers cancelled: as a claim just made.
      fresh: [claim],
    },
    now,
  );
  return { disputeId: dispute.id, events };
}
