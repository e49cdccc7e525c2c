import type { DomainContext } from '../context.js';
import { addDays, dormancyAt, isLive, protectionEnd, termsOf, type RegistrationTerms } from '../claims/lifecycle.js';
import type { DomainEvent } from '../events.js';
import { arbitrationChain, coverageFor } from '../ownership/coverage.js';
import { decide, type Contender } from '../ownership/engine.js';
import type { PolicyVersion } from '../policy/versions.js';
import type { NewDispute } from '../ports.js';
import { recuseAssignee, slaDueAt, startSla } from '../sla/sla.service.js';
import { filersOf, involvedPayload, involvementOf, recusedPayload, type Involvement } from './recusal.js';
import { DIRECT, DIRECT_NAME, sameProductLine, type Account, type Claim, type Decision, type Dispute, type PartyId, type ThreadRef } from '../types.js';
import { cancelLifecycle, planLifecycle } from '../claims/lifecycle.service.js';
import { reviewPartner } from '../claims/consequences.js';
import { isOverlapCase } from './case-kind.js';

// Also exported here: the rest of the core and the handlers import them from this module.
export { approvalClaims, caseKindWords, isOverlapCase } from './case-kind.js';

/** Live claims on an account and product line at `now`, each judged by its own version's terms. */
export function liveClaims(ctx: DomainContext, accountId: string, productLine: string | null, now: Date): Claim[] {
  const book = ctx.policies();
  return ctx.store.claims
    .forAccount(accountId)
    .filter((c) => (productLine === null || sameProductLine(c.productLine, productLine)) && isLive(book.statusOf(c, now)));
}

/**
 * Of `live` (the live claims on a claim's account and product line, see liveClaims), another
 * claim of the claim's own party, a protected one first: one that holds the line for that party
 * when this claim has lapsed.
 */
export function otherClaimOfParty(live: readonly Claim[], claim: Pick<Claim, 'id' | 'claimant'>): Claim | undefined {
  const ours = live.filter((x) => x.id !== claim.id && x.claimant === claim.claimant);
  return ours.find((x) => x.status === 'protected') ?? ours[0];
}

/** A party as the company's messages name it: its partner's name, or "Direct sales". */
export function partyName(ctx: DomainContext, party: PartyId): string {
  return party === DIRECT ? DIRECT_NAME : (ctx.store.partners.get(party)?.name ?? party);
}

/**
 * The version a dispute is judged under: that of its earliest live claim, so a deal
 * registered under older rules keeps them (grandfathering); the version in force now otherwise.
 */
export function versionForCase(ctx: DomainContext, claims: readonly Claim[], now: Date): PolicyVersion {
  const book = ctx.policies();
  const earliest = [...claims].sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime())[0];
  return earliest ? book.forClaim(earliest) : book.inForceAt(now);
}

/**
 * The ruling over an overlap on a claim's product line that stands for its party when the claim
 * was filed: the latest an arbitrator ruled (status `ruled`) up to then, if it is at most
 * `protection_days` old and went to that party. A ruling for a party sticks as long as one
 * against a party does ({@link recentRulingAgainst}): the party's next claim there is the
 * ruling's, not the criteria's to decide again. A case the criteria settled is no ruling (the
 * same facts give the same answer; new facts are theirs to judge), nor is an approval.
 */
export function rulingStandingFor(disputes: readonly Dispute[], claim: Claim, terms: RegistrationTerms): Dispute | undefined {
  const latest = latestRuling(disputes, claim.productLine, claim.registeredAt, terms);
  return latest?.winner === claim.claimant ? latest : undefined;
}

/** Until when a ruling stands: `protection_days` after it, on the policy's calendar. */
export function rulingStandsUntil(d: Dispute, terms: RegistrationTerms): Date {
  return addDays(d.ruledAt!, terms.protection_days, terms);
}

/**
 * The latest ruling an arbitrator made on a product line up to `at` that still stands then
 * (at most `protection_days` old): among the cases over an overlap (a later ruling ends an
 * earlier one), and those `also` lets in.
 */
export function latestRuling(disputes: readonly Dispute[], productLine: string, at: Date, terms: RegistrationTerms, also: (d: Dispute) => boolean = () => false): Dispute | undefined {
  const t0 = at.getTime();
  let latest: Dispute | undefined;
  for (const d of disputes) {
    if (d.status !== 'ruled' || d.ruledAt === null || !sameProductLine(d.productLine, productLine) || !(isOverlapCase(d) || also(d))) continue;
    const t = d.ruledAt.getTime();
    if (t > t0 || rulingStandsUntil(d, terms).getTime() <= t0) continue;
    if (!latest || t > latest.ruledAt!.getTime() || (t === latest.ruledAt!.getTime() && d.id > latest.id)) latest = d;
  }
  return latest;
}

/**
 * The ruling that holds one of these claims: a dispute an arbitrator ruled (status `ruled`)
 * whose winner is the claim's claimant and whose claims include it, or that stood for the
 * claimant on its product line when the claim was filed ({@link rulingStandingFor}). Such a
 * claim was given the account by a person, against or with the criteria, so only a person may
 * take it away: a case over it always goes to the arbitrator, never settled by the criteria
 * alone. An approval is no such ruling ({@link isOverlapCase}).
 */
export function rulingHolding(ctx: DomainContext, accountId: string, claims: readonly Claim[]): Dispute | undefined {
  const disputes = ctx.store.disputes.forAccount(accountId);
  const ruled = disputes.filter((d) => d.status === 'ruled' && d.winner !== null && isOverlapCase(d));
  if (ruled.length === 0) return undefined;
  const book = ctx.policies();
  for (const c of claims) {
    // The latest ruling is read among them all: one for nobody, later, ends a ruling for the claimant.
    const d = ruled.find((r) => r.winner === c.claimant && r.claimIds.includes(c.id)) ?? rulingStandingFor(disputes, c, book.termsFor(c));
    if (d) return d;
  }
  return undefined;
}

/**
 * The ruling (status `ruled`) that went against this claimant on the account and product line
 * and still stands (at most `protection_days` old): the latest ruling there over an overlap, or
 * on an approval of the claimant's own, when it rejected a claim of theirs, or gave the line to
 * another party over an overlap they were a party to (the incumbent or named owner a dispute
 * was raised against, holding no claim). A later ruling there ends an earlier one, as for
 * {@link rulingStandingFor}; another party's approval does not. A party that lost a ruling
 * does not get the account back by filing (again): its next claim there needs an arbitrator's
 * approval.
 */
export function recentRulingAgainst(ctx: DomainContext, accountId: string, productLine: string, claimant: PartyId, terms: RegistrationTerms, now: Date): Dispute | undefined {
  const latest = latestRuling(ctx.store.disputes.forAccount(accountId), productLine, now, terms, (d) => d.parties.includes(claimant));
  // Recent rulings first: most accounts have none, and then the claims need not be read.
  if (!latest || latest.winner === claimant) return undefined;
  if (latest.winner !== null && isOverlapCase(latest) && latest.parties.includes(claimant)) return latest;
  const rejected = ctx.store.claims.forAccount(accountId).some((c) => c.claimant === claimant && c.status === 'rejected' && latest.claimIds.includes(c.id));
  return rejected ? latest : undefined;
}

export function decideFor(account: Account, version: PolicyVersion, claims: readonly Claim[], outOfProgramme: ReadonlySet<PartyId>): Decision {
  const contenders: Contender[] = claims.map((c) => ({ claimId: c.id, party: c.claimant, registeredAt: c.registeredAt, stage: c.opportunity.stage }));
  const policy = version.policy;
  return decide({ account, coverage: coverageFor(account, policy), criteria: policy.criteria, stages: policy.stages, contenders, outOfProgramme });
}

/**
 * The partners taken out of the programme (`roe partner close`), which the criteria give nothing
 * an account still names them for (see decide) and a new claim does not collide with (see
 * findConflicts). From the cached partners table, read once per request already: no statement
 * more inside a transaction.
 */
export function outOfProgramme(ctx: Pick<DomainContext, 'store'>): ReadonlySet<PartyId> {
  return new Set(ctx.store.partners.closed().map((c) => c.id));
}

/**
 * Applies an outcome to a dispute's claims: the winner's live claims become protected,
 * every other live claim is rejected (a violation when it was filed against a protected
 * claim and an arbitrator ruled: not with `noViolation`, as for a settlement by the criteria
 * or a ruling for nobody). With no winner every live claim is rejected. Appends a ledger entry
 * per claim.
 */
export function applyOutcome(
  ctx: DomainContext,
  claimIds: readonly number[],
  disputeId: number | null,
  winner: PartyId | null,
  actor: string,
  now: Date,
  options: { noViolation?: boolean; fresh?: readonly Claim[] } = {},
): DomainEvent[] {
  const { store } = ctx;
  const book = ctx.policies();
  const events: DomainEvent[] = [];
  const claims = claimIds.map((id) => options.fresh?.find((c) => c.id === id) ?? store.claims.get(id));
  // Lapsed as the clock has it: a protected claim whose dormancy (or end) came while the bot was
  // down, its timer not fired yet, holds the line no more than one whose timer has.
  const lapsed = (c: Claim) => c.status === 'dormant' || (c.status === 'protected' && book.statusOf(c, now) !== 'protected');
  // A winner's claim that went dormant while its case waited is revived by a ruling for it,
  // unless the winner has a live claim in the case (a later one, which is the one protected).
  const winnerHasLive = claims.some((c) => c !== undefined && c.claimant === winner && isLive(c.status) && !lapsed(c));
  // A loser's claim counts a violation only against a protection that still holds at the
  // ruling: another party's protected claim, or the winner's (one that went dormant while the
  // case waited is revived by the ruling). A winner whose protection ended while the case
  // waited gains nothing, and a ruling for a party with no claim (the incumbent, the named
  // owner) does not excuse a claim filed over a third party's protection that still holds.
  // It must also have been a protection when the loser was filed: a claim filed after it (one
  // that joined the case later), or one already dormant then, was nothing it was filed against.
  const endOf = (c: Claim) => protectionEnd(c, book.termsFor(c));
  // At the same moment, the one made first (in chat, a claim filed when the other was already
  // protected: it is contested). An import's claim of the same moment is not contested at all
  // (see putInCase), so it counts no violation whatever the order.
  const filedBefore = (c: Claim, loser: Claim) => c.registeredAt.getTime() < loser.registeredAt.getTime() || (c.registeredAt.getTime() === loser.registeredAt.getTime() && c.id < loser.id);
  const protectedWhen = (c: Claim, loser: Claim) => {
    const at = loser.registeredAt.getTime();
    return (c.status === 'protected' || c.status === 'dormant') && filedBefore(c, loser) && at < dormancyAt(c, book.termsFor(c)).getTime() && at < endOf(c).getTime();
  };
  const stillHolds = (c: Claim) => (c.claimant === winner ? endOf(c).getTime() > now.getTime() : book.statusOf(c, now) === 'protected');
  const heldAgainst = (loser: Claim) => claims.some((c) => c !== undefined && c.claimant !== loser.claimant && protectedWhen(c, loser) && stillHolds(c));
  for (const claim of claims) {
    if (!claim) continue;
    const id = claim.id;
    // A claim made in this transaction is as it was made, and has no lifecycle planned yet.
    const fresh = options.fresh?.some((c) => c.id === id) ? claim : undefined;
    const wins = claim.claimant === winner;
    if (!isLive(claim.status) && !(wins && claim.status === 'dormant' && !winnerHasLive)) continue;
    if (wins && winnerHasLive && lapsed(claim)) continue;
    const version = book.forClaim(claim);
    if (wins) {
      // A protection that ran out while the case waited is kept as it is: the claim's lifecycle
      // expires it at once.
      const protectedUntil = endOf(claim);
      // After a ruling (or an approval) the winner's dormancy clock starts again: time spent
      // waiting for the arbitrator is not its inactivity. The criteria deciding is no activity
      // of the claim's own.
      const lastActivityAt = fresh || actor === 'criteria' ? claim.lastActivityAt : now;
      store.claims.update(id, { status: 'protected', protectedUntil, lastActivityAt });
      const updated = { ...claim, status: 'protected' as const, protectedUntil, lastActivityAt };
      // A protected claim upheld as it stands (the criteria kept it against a newcomer) keeps its
      // planned lifecycle: planned again from the start, it would repeat a dormancy warning
      // already given for the same lapse.
      const upheldAsIs = !fresh && claim.status === 'protected' && claim.protectedUntil?.getTime() === protectedUntil.getTime() && claim.lastActivityAt.getTime() === lastActivityAt.getTime();
      if (!upheldAsIs) planLifecycle(ctx, updated, termsOf(version.policy), now, { fresh: fresh !== undefined });
      store.ledger.append({ at: now, kind: 'claim.protected', subject: `claim:${id}`, actor, policyVersion: version.version, payload: { dispute: disputeId, until: protectedUntil.toISOString() } });
      events.push({ type: 'claim.protected', claim: updated });
    } else {
      const violation = claim.contested && !options.noViolation && heldAgainst(claim);
      store.claims.update(id, { status: 'rejected', violation });
      // Its timers, and a dormancy warning still queued (Slack or Teams down or slow): the owner
      // would be told to log activity on a claim that takes none.
      if (!fresh) cancelLifecycle(ctx, id);
      store.ledger.append({ at: now, kind: 'claim.rejected', subject: `claim:${id}`, actor, policyVersion: version.version, payload: { dispute: disputeId, winner, violation } });
      events.push({ type: 'claim.rejected', claim: { ...claim, status: 'rejected', violation }, disputeId: disputeId ?? 0 });
      if (violation && claim.claimant !== DIRECT) events.push(...reviewPartner(ctx, claim.claimant, now));
    }
  }
  return events;
}

/**
 * A reason (the raiser's words, as typed) and then a sentence of the system's: a reason typed
 * without a full stop is given one, so that the two never read as one sentence.
 */
function followedBy(reason: string, sentence: string): string {
  const given = reason.trim();
  if (given === '') return sentence;
  return `${/[.!?…]["'”’)]*$/.test(given) ? given : `${given}.`} ${sentence}`;
}

/**
 * Opens a case over the live claims of an account and product line, runs the criteria and
 * either settles it at once (an `auto` pick) or assigns it to the coverage rule's arbitrator
 * with an SLA due time. Everything is written through the store inside the caller's transaction.
 *
 * The criteria and the registration terms are those of the case's version (its earliest live
 * claim's: grandfathering); who arbitrates (coverage name, arbitrator, escalation chain) is
 * operations and follows the version in force now, so the case goes to someone who can act.
 * A case over a claim held by a ruling is never settled by the criteria alone.
 */
export function openCase(
  ctx: DomainContext,
  input: {
    account: Account;
    productLine: string;
    claims: Claim[];
    parties: PartyId[];
    raisedBy: string;
    /**
     * The party it is raised as: the raiser's own (direct for the company's people, even when
     * they filed a claim for a partner), or the partner a colleague raised a dispute for.
     */
    raisedAs: PartyId;
    /**
     * The raiser's own party, when it is not `raisedAs`: one of the company's people (direct) who
     * raised it for a partner. Kept in the ledger's entry, so that what is sent to them is read as
     * the company's people read it.
     */
    raisedFrom?: PartyId;
    reason: string;
    /** The claim it is opened for was filed while its partner was flagged (a reason of `reason`'s). */
    filedFlagged?: boolean;
    evidence: string;
    origin: ThreadRef | null;
    requestKey: string | null;
    approvalOnly?: boolean;
    forceArbitration?: boolean;
    /** Claims among `claims` made in this transaction. */
    fresh?: readonly Claim[];
  },
  now: Date,
): { dispute: Dispute; events: DomainEvent[] } {
  const { store } = ctx;
  const version = versionForCase(ctx, input.claims, now);
  // Who arbitrates and by when (the SLA, its business hours and holidays) follow the version in
  // force now (see chainOf); the criteria, the case's version.
  const inForce = ctx.policies().inForceAt(now);
  const coverage = coverageFor(input.account, inForce.policy);
  const decision: Decision = input.approvalOnly
    ? { winner: input.parties[0] ?? null, rule: null, auto: false, trace: [] }
    : decideFor(input.account, version, input.claims, outOfProgramme(ctx));
  // A claim an arbitrator awarded is taken away by an arbitrator only, never by the criteria.
  const heldBy = rulingHolding(ctx, input.account.id, input.claims);
  // Nor do the criteria give the line to a party a ruling there went against (its claim lapsed,
  // a newcomer came): the ruling said otherwise, and only an arbitrator may undo it.
  const overruled = decision.auto && !input.forceArbitration && !heldBy && decision.winner !== null ? recentRulingAgainst(ctx, input.account.id, input.productLine, decision.winner, termsOf(version.policy), now) : undefined;
  const settles = decision.auto && decision.winner !== null && !input.forceArbitration && !heldBy && !overruled;
  const chain = arbitrationChain(coverage);
  // Recusal: the case goes to the first of the chain with no part in it (who filed none of its
  // claims and is not raising it); should everybody of the chain have one, to its arbitrator as
  // ever (nobody else could rule on it). Whom the bot knows its filers and raiser as is read in
  // one query, for a case left to an arbitrator only.
  const known = settles ? null : filersOf(ctx, input.claims.map((c) => c.id), [input.raisedBy]).persons;
  const parts = known ? chain.map((k) => involvementOf(inForce.policy.people, k, input.claims, input.raisedBy, (u) => known.get(u) ?? null)) : [];
  const free = parts.findIndex((p) => p === null);
  const level = settles || free < 0 ? 0 : free;
  const recused: Involvement[] = parts.slice(0, level).filter((p): p is Involvement => p !== null);
  // The arbitrator's own part, when everybody of the chain has one (they rule on it all the same).
  const involved = parts[level] ?? null;
  const dueAt = settles ? null : slaDueAt(inForce, now);
  const draft: NewDispute = {
    accountId: input.account.id,
    productLine: input.productLine,
    status: settles ? 'settled' : 'open',
    claimIds: input.claims.map((c) => c.id),
    parties: input.parties,
    raisedBy: input.raisedBy,
    raisedAs: input.raisedAs,
    reason: heldBy
      ? followedBy(input.reason, `The account is held by a ruling on dispute #${heldBy.id}: only an arbitrator can change it.`)
      : overruled
        ? followedBy(input.reason, `The criteria pick a party that a ruling on dispute #${overruled.id} went against here: only an arbitrator can give it the line.`)
        : input.reason,
    filedFlagged: input.filedFlagged ?? false,
    joinedFlagged: [],
    evidence: input.evidence,
    origin: input.origin,
    coverageName: coverage.name,
    arbitrator: chain[level]!,
    escalationLevel: level,
    recommendation: decision.winner,
    recommendationRule: decision.rule,
    trace: decision.trace,
    policyVersion: version.version,
    createdAt: now,
    dueAt,
    ruledBy: settles ? 'criteria' : null,
    ruledAt: settles ? now : null,
    winner: settles ? decision.winner : null,
    rationale: null,
    requestKey: input.requestKey,
  };
  const dispute = store.disputes.insert(draft);
  const subject = `dispute:${dispute.id}`;
  store.ledger.append({
    at: now,
    kind: 'dispute.opened',
    subject,
    actor: input.raisedBy,
    policyVersion: version.version,
    // filedFlagged: as the case keeps it (an entry written before it was recorded has none: the case's row says).
    payload: { account: input.account.id, productLine: input.productLine, claims: dispute.claimIds, parties: input.parties, raisedAs: input.raisedAs, ...(input.raisedFrom ? { raisedFrom: input.raisedFrom } : {}), coverage: coverage.name, approval: input.approvalOnly ?? false, filedFlagged: dispute.filedFlagged, ...(heldBy ? { heldByRuling: true } : {}) },
  });
  const events: DomainEvent[] = [{ type: 'dispute.opened', dispute }];
  if (!settles) startSla(ctx, dispute.id, inForce, level, now);
  if (settles) {
    store.ledger.append({ at: now, kind: 'dispute.settled', subject, actor: 'criteria', policyVersion: version.version, payload: { winner: decision.winner, rule: decision.rule, trace: decision.trace } });
    // A violation is a claim lost in an arbitrator's ruling: one the criteria settle at once is none.
    events.push(...applyOutcome(ctx, dispute.claimIds, dispute.id, decision.winner!, 'criteria', now, { fresh: input.fresh ?? [], noViolation: true }));
    events.push({ type: 'dispute.settled', dispute, decision });
  } else {
    store.ledger.append({
      at: now,
      kind: 'dispute.assigned',
      subject,
      actor: 'criteria',
      policyVersion: version.version,
      payload: { arbitrator: dispute.arbitrator, dueAt: dueAt!.toISOString(), recommendation: decision.winner, rule: decision.rule, trace: decision.trace, ...recusedPayload(recused), ...involvedPayload(involved) },
    });
    for (const c of input.claims) if (c.status === 'pending') events.push({ type: 'claim.pending', claim: c, disputeId: dispute.id });
    events.push({ type: 'dispute.assigned', dispute, ...(recused.length > 0 ? { recused } : {}) });
  }
  return { dispute, events };
}

/**
 * The criteria over a running case's live claims, under the version of the earliest of them
 * (grandfathering): its recommendation as those claims stand. Once the only claim of an older
 * version has closed, the claims left are judged by their own version, not the older one.
 */
export function recommendationOf(ctx: DomainContext, account: Account, claims: readonly Claim[], now: Date): { version: PolicyVersion; decision: Decision } {
  const version = versionForCase(ctx, claims, now);
  return { version, decision: decideFor(account, version, claims, outOfProgramme(ctx)) };
}

/**
 * A new claim on an account and product line that already has an open case joins that
 * case: one dispute per overlap, with the recommendation worked out again over all its
 * claims. The arbitrator and the SLA stay as they are, unless the arbitrator filed the claim:
 * then the case moves on (see recuseAssignee; `filer`, the person of the policy who filed it).
 */
export function joinCase(ctx: DomainContext, dispute: Dispute, account: Account, claim: Claim, parties: PartyId[], now: Date, origin: ThreadRef | null = null, filer: string | null = null, filedFlagged = false): { dispute: Dispute; events: DomainEvent[] } {
  const claimIds = [...dispute.claimIds, claim.id];
  // Live as the clock has it, as liveClaims reads them: a claim gone dormant or expired whose
  // timer has not fired yet holds the line no more than one whose timer has.
  const book = ctx.policies();
  const claims = claimIds.map((id) => ctx.store.claims.get(id)).filter((c): c is Claim => c !== undefined && isLive(book.statusOf(c, now)));
  const { version, decision } = recommendationOf(ctx, account, claims, now);
  // A case with no thread yet (an import opened it) gets one where the claim joining it was
  // filed: its updates are posted there from now on.
  const adopted = dispute.origin === null && origin !== null ? origin : null;
  // Judged under the version of its earliest live claim, which the case names from now on (an
  // older claim that closed or lapsed no longer holds its version: see recommendationOf).
  // A claim filed while its partner was flagged (`filedFlagged`, as the claim's own transaction found it) is kept so in the same write: its cards say how that flag stands.
  const flagged = filedFlagged ? { joinedFlagged: [...dispute.joinedFlagged, claim.id] } : {};
  const joined: Dispute = { ...dispute, claimIds, parties: [...new Set([...dispute.parties, ...parties])], recommendation: decision.winner, recommendationRule: decision.rule, trace: decision.trace, policyVersion: version.version, ...flagged, ...(adopted ? { origin: adopted } : {}) };
  ctx.store.disputes.update(dispute.id, { claimIds: joined.claimIds, parties: joined.parties, recommendation: joined.recommendation, recommendationRule: joined.recommendationRule, trace: joined.trace, policyVersion: joined.policyVersion, ...flagged, ...(adopted ? { origin: adopted } : {}) });
  ctx.store.ledger.append({ at: now, kind: 'dispute.joined', subject: `dispute:${dispute.id}`, actor: claim.createdBy, policyVersion: version.version, payload: { claim: claim.id, parties: joined.parties, recommendation: decision.winner, rule: decision.rule, trace: decision.trace, filedFlagged } });
  // Its assignee filed the claim (recusal): the case moves on to the next person of its chain
  // with no part in it, who is sent it as it now stands (the move says the claim joined).
  const moved = recuseAssignee(ctx, joined, claim, now, filer);
  if (moved) return { dispute: ctx.store.disputes.get(dispute.id) ?? joined, events: [{ type: 'claim.pending', claim, disputeId: dispute.id }, ...moved] };
  return { dispute: joined, events: [{ type: 'claim.pending', claim, disputeId: dispute.id }, { type: 'dispute.assigned', dispute: joined }] };
}
