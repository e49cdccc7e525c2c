import type { DomainContext } from '../context.js';
import { isClosed, isLive } from '../claims/lifecycle.js';
import type { DomainEvent } from '../events.js';
import { DIRECT, type Claim, type Dispute, type PartyId } from '../types.js';
import { isOverlapCase, recommendationOf, versionForCase } from './settle.js';

/** The timer that has a running case looked at again (a CRM import closed one of its claims). */
export const CASE_REVIEW_TIMER = 'dispute.review';

/**
 * A running case whose claims have all closed since it opened (lost or won in the CRM, or
 * expired while it waited) has nothing left to rule: it is withdrawn, its SLA timers cancelled,
 * with a ledger entry. A case with a party that holds no claim in it (raised by hand against an
 * owner by incumbency or by name) is about more than claims and is left to the arbitrator, as
 * is any case with a claim still pending, protected or dormant (a ruling may revive a dormant one);
 * either is recommended on again when the recommended party's claims have all closed.
 */
export function reviewCase(ctx: DomainContext, disputeId: number, now: Date, { recommend = true, changed = false } = {}): DomainEvent[] {
  const { store } = ctx;
  const d = store.disputes.get(disputeId);
  if (!d || d.status !== 'open') return [];
  const claims = d.claimIds.map((id) => store.claims.get(id)).filter((c) => c !== undefined);
  // A case of no claim (raised by hand against an owner) has none to close: it is only recommended on again (see recommendAgain).
  if (claims.length === 0) return recommend ? recommendAgain(ctx, d, [], now, changed) : [];
  const claimants = new Set(claims.map((c) => c.claimant));
  const book = ctx.policies();
  const statuses = claims.map((c) => ({ claim: c.id, status: book.statusOf(c, now) }));
  // A case that stays with the arbitrator is recommended on as its claims now stand, one with a
  // party that holds no claim too: approving never gives the line to a party that holds nothing.
  if (d.parties.some((p) => !claimants.has(p)) || !statuses.every((s) => isClosed(s.status))) return recommend ? recommendAgain(ctx, d, claims.filter((_c, i) => isLive(statuses[i]!.status)), now, changed) : [];
  return withdrawCase(ctx, d, now, 'review', { reason: 'no claim in the case is live any more', claims: statuses });
}

/**
 * Closes a running case without a ruling (`dispute.withdrawn`): its SLA timers cancelled, with a
 * ledger entry by `actor` saying why. Its parties, its thread and its arbitrator are told by the
 * event returned.
 */
export function withdrawCase(ctx: DomainContext, d: Dispute, now: Date, actor: string, payload: Record<string, unknown>): DomainEvent[] {
  const { store } = ctx;
  store.disputes.update(d.id, { status: 'withdrawn' });
  store.timers.cancel(`dispute:${d.id}`, 'sla.');
  store.ledger.append({ at: now, kind: 'dispute.withdrawn', subject: `dispute:${d.id}`, actor, policyVersion: d.policyVersion, payload });
  return [{ type: 'dispute.withdrawn', dispute: { ...d, status: 'withdrawn' } }];
}

/** Whether a party of the case holds no claim in it (a named owner, an incumbent, or a partner that raised it by hand holding none). */
export function holdsNoClaim(ctx: DomainContext, d: Pick<Dispute, 'parties' | 'claimIds'>): boolean {
  const claimants = new Set(d.claimIds.map((id) => ctx.store.claims.get(id)?.claimant));
  return d.parties.some((p) => !claimants.has(p));
}

/**
 * The partner that pursues a case: the one that raised it (`raised`), or, for a case one of the
 * company's people or an import opened (raised as direct) over a partner's claim, that partner,
 * the case's first party (see openCase). Null for a case the direct team raised or filed for
 * itself, and for one from before `raisedAs` was kept.
 */
export function pursuerOf(d: Pick<Dispute, 'raisedAs' | 'parties'>): { party: PartyId; raised: boolean } | null {
  if (d.raisedAs === null) return null;
  if (d.raisedAs !== DIRECT) return { party: d.raisedAs, raised: true };
  const first = d.parties[0];
  return first !== undefined && first !== DIRECT ? { party: first, raised: false } : null;
}

/**
 * The partner whose leaving the programme withdrew a withdrawn case (see closePartner): its
 * pursuer (see pursuerOf), with a party holding no claim in it, which the review never
 * withdraws. Null for a case withdrawn otherwise.
 */
export function withdrawnAsPartyLeft(ctx: DomainContext, d: Pick<Dispute, 'raisedAs' | 'parties' | 'claimIds'>): { party: PartyId; raised: boolean } | null {
  const pursuer = pursuerOf(d);
  return pursuer && holdsNoClaim(ctx, d) ? pursuer : null;
}

/** That partner, in words: "the partner that raised it", or "the partner whose claim opened it". */
export function leaverWords(left: { raised: boolean }): string {
  return left.raised ? 'the partner that raised it' : 'the partner whose claim opened it';
}

/**
 * The recommended party's claims in the case all closed while it waited (expired, or closed
 * by a CRM import): approving the recommendation would give the line to a party that holds
 * nothing. Or the case's earliest live claim closed, and the claims left are of another
 * version (grandfathering): they are judged by their own. The recommendation is worked out
 * again over the live claims, as when a claim joins the case, under their version, which the
 * case then names (its ruling's ledger entry too), and the arbitrator is sent the case as it
 * now stands when the recommended party changed. A recommendation of a party that holds no
 * claim in the case (a named owner, an incumbent, the direct team) stands, unless that party left
 * the partner programme (roe partner close): the line cannot go to it, and the criteria no longer
 * count it as named owner or incumbent (see outOfProgramme), so they recommend on over the claims
 * left; should they pick nobody, the line passes to the one party of the case left (as when the
 * other party's claim closes in a two-party case), or, with several left, to nobody: the
 * arbitrator awards it.
 */
function recommendAgain(ctx: DomainContext, d: Dispute, live: Claim[], now: Date, changed: boolean): DomainEvent[] {
  const hadClaim = d.claimIds.some((id) => ctx.store.claims.get(id)?.claimant === d.recommendation);
  const holdsNothing = d.recommendation !== null && hadClaim && !live.some((c) => c.claimant === d.recommendation);
  // An approval (one party) is no overlap for the criteria to judge: its claim is its version.
  const otherVersion = isOverlapCase(d) && live.length > 0 && versionForCase(ctx, live, now).version !== d.policyVersion;
  // A claim's stage or registration, what the criteria weigh, changed in the CRM: judged again as it now stands.
  const reweighed = changed && isOverlapCase(d) && live.length > 0;
  const out = partiesOutOfProgramme(ctx, d);
  const left = d.recommendation !== null && out.has(d.recommendation);
  if (!holdsNothing && !otherVersion && !reweighed && !left) return [];
  const account = ctx.store.accounts.get(d.accountId);
  if (!account) return [];
  const worked = recommendationOf(ctx, account, live, now);
  const { version } = worked;
  let { decision } = worked;
  // The criteria give a party out of the programme nothing as named owner or incumbent (see
  // decide): picking nobody now, where they picked it, the line passes as below too.
  if ((decision.winner !== null && out.has(decision.winner)) || (left && decision.winner === null)) {
    // The parties left: in the programme, and holding a live claim in the case unless they never held one (an owner).
    const held = new Set(d.claimIds.map((id) => ctx.store.claims.get(id)?.claimant));
    const holding = new Set(live.map((c) => c.claimant));
    const staying = [...new Set(d.parties)].filter((p) => !out.has(p) && (!held.has(p) || holding.has(p)));
    decision = { ...decision, winner: staying.length === 1 ? staying[0]! : null, rule: null, auto: false };
  }
  // Reweighed, the same party recommended for other reasons (the stages it cites) is kept too: the case card, as shown from now on, cites the new ones.
  if (decision.winner === d.recommendation && version.version === d.policyVersion && (!reweighed || JSON.stringify(decision.trace) === JSON.stringify(d.trace))) return [];
  const updated: Dispute = { ...d, recommendation: decision.winner, recommendationRule: decision.rule, trace: decision.trace, policyVersion: version.version };
  ctx.store.disputes.update(d.id, { recommendation: decision.winner, recommendationRule: decision.rule, trace: decision.trace, policyVersion: version.version });
  // Why, in the ledger too: a claim closed, the case's version changed, or the CRM changed what the criteria weigh (then maybe the same party, for other reasons).
  const why = holdsNothing ? 'closed' : left ? 'left' : otherVersion ? 'version' : 'changed';
  ctx.store.ledger.append({ at: now, kind: 'dispute.recommendation_changed', subject: `dispute:${d.id}`, actor: 'review', policyVersion: version.version, payload: { from: d.recommendation, to: decision.winner, rule: decision.rule, trace: decision.trace, live: live.map((c) => c.id), why } });
  return decision.winner === d.recommendation ? [] : [{ type: 'dispute.recommendation_changed', dispute: updated, from: d.recommendation, why: why === 'changed' || why === 'left' ? why : 'closed' }];
}

/**
 * The party the criteria pick on a case that recommends nobody because that pick left the programme
 * (see recommendAgain: more than one party, or none, left to recommend instead), given the parties
 * out of it (`out`, see partiesOutOfProgramme); null on any other case.
 */
export function pickOutOfProgramme(d: Pick<Dispute, 'recommendation' | 'trace'>, out: ReadonlySet<PartyId>): PartyId | null {
  if (d.recommendation !== null) return null;
  const pick = d.trace.find((v) => v.outcome === 'picked')?.winner ?? null;
  return pick !== null && out.has(pick) ? pick : null;
}

/** Whether a party was taken out of the programme (roe partner close): no ruling may give it the line. A lookup in the cached partners table. */
export function leftProgramme(ctx: DomainContext, party: PartyId): boolean {
  return party !== DIRECT && ctx.store.partners.closure(party) !== null;
}

/** The parties of a case taken out of the programme (see leftProgramme). One read of the cached partners table, its freshness checked once. */
export function partiesOutOfProgramme(ctx: DomainContext, d: Pick<Dispute, 'parties'>): Set<PartyId> {
  const closed = new Set(ctx.store.partners.closed().map((c) => c.id));
  return new Set(d.parties.filter((p) => p !== DIRECT && closed.has(p)));
}

/** The running cases that hold this claim. */
export function openCasesHolding(ctx: DomainContext, claim: Pick<Claim, 'id' | 'accountId'>): Dispute[] {
  return ctx.store.disputes.forAccount(claim.accountId).filter((d) => d.status === 'open' && d.claimIds.includes(claim.id));
}

/** Whether a running case holds this claim (it waits for that case's decision). */
export function inOpenCase(ctx: DomainContext, claim: Pick<Claim, 'id' | 'accountId'>): boolean {
  return openCasesHolding(ctx, claim).length > 0;
}

/** Has every running case that holds this claim looked at again, in the scheduler's next tick. */
export function reviewCasesOf(ctx: DomainContext, claim: Pick<Claim, 'id' | 'accountId'>, now: Date, { changed = false } = {}): void {
  for (const d of openCasesHolding(ctx, claim)) ctx.store.timers.schedule({ kind: CASE_REVIEW_TIMER, subject: `dispute:${d.id}`, dueAt: now, payload: changed ? { changed: true } : {} }, now);
}
