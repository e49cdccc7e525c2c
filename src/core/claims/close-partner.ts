import { DateTime } from 'luxon';
import type { FormerPartner } from '../authz.js';
import { DomainError } from '../errors.js';
import type { DomainContext } from '../context.js';
import type { Store } from '../ports.js';
import type { DomainEvent } from '../events.js';
import { DIRECT, type Claim, type ClaimStatus, type Dispute, type Partner } from '../types.js';
import { holdsNoClaim, openCasesHolding, pursuerOf, reviewCase, withdrawCase } from '../disputes/review.js';
import { cancelLifecycle } from './lifecycle.service.js';
import { isClosed } from './lifecycle.js';
import { FLAG_REVIEW_TIMER } from './consequences.js';

/** Why the claims of a partner taken out of the programme were closed, as their ledger entries say. */
export const PARTNER_LEFT = 'partner left the programme';

/** Why a case such a partner raised holding no claim in it was withdrawn, as its ledger entry says. */
export const RAISER_LEFT = 'the partner that raised it left the programme';

/** Why a case opened for a claim of such a partner (by the company's people or an import) was withdrawn, as its ledger entry says. */
export const CLAIMANT_LEFT = 'the partner whose claim opened it left the programme';

/** The actor of what `roe partner close` records. */
export const CLOSE_ACTOR = 'close';

/**
 * The statuses a partner's claim is closed from when the partner leaves: those that still hold
 * (or may again hold, dormant: a ruling may revive it) the account and product line.
 */
const OPEN_STATUSES: readonly ClaimStatus[] = ['pending', 'protected', 'dormant'];

/**
 * The status its claims are closed with. `expired`: their protection ended without a ruling and
 * without a CRM outcome, as it ends for a claim nobody keeps up. Not `rejected` (a case's ruling
 * or a refused approval, which the ledger ties to a dispute and whose party may be counted a
 * violation), nor `lost` or `won` (what happened to the deal, which only the CRM knows). Like
 * every closed status it never comes back: a re-import of the same CRM row keeps it (see
 * keepsStoredStatus).
 */
export const CLOSED_AS: ClaimStatus = 'expired';

/** What taking a partner out of the programme does, worked out without writing anything. */
export interface PartnerClosing {
  partner: Partner;
  /** Its claims still pending, protected or dormant, by id: each closes. */
  claims: Claim[];
  /** The running cases holding any of those claims, by id: each is looked at again once they close. */
  cases: Dispute[];
  /**
   * Running cases it pursues (see pursuerOf: raised by it, or opened for a claim of its by one of
   * the company's people or an import) with a party holding no claim in them (it, holding none
   * itself, by hand against a named owner or an incumbent; or such an owner, against a claim of
   * its closed here), with no other party's claim left to rule on once its own close: withdrawn
   * (see withdrawnAsPartyLeft), as nobody is left to pursue them, and no ruling may give the line
   * to a partner out of the programme. Not looked at again as {@link cases} are.
   */
  raisedCases: Dispute[];
  /**
   * Running cases it is a party to with no live claim of its in them, raised by another party
   * (against it as named owner or incumbent), or raised by it and joined since by another party's
   * claim: left to their arbitrators, who are no longer offered it as a winner (see
   * recommendAgain, which reviewCase runs for them, and refuseClosedWinner).
   */
  otherCases: Dispute[];
  /** Whether it has a Slack team or Teams tenant linked, which is removed. */
  linked: boolean;
  /** When it was taken out of the programme already (a closing run before), or null. */
  closedAt: Date | null;
  /** The accounts the CRM gives it as incumbent or named owner (the first ids, and how many): the CRM's to change, left as they are. */
  accounts: { count: number; ids: string[] };
}

export type ClosingLookup = { partner: null; reason: 'direct' | 'unknown' } | PartnerClosing;

/** Whether a closing has anything to do: a live claim to close, a workspace to unlink, or the partner to record as closed. */
export function anythingToClose(c: PartnerClosing): boolean {
  return c.claims.length > 0 || c.raisedCases.length > 0 || c.linked || c.closedAt === null;
}

/**
 * What closing `partnerId` would do, as the store stands (the caller reads it in one transaction).
 * Reads the partner's claims and its cases: an operator's command, never on a request's path.
 */
export function partnerClosing(ctx: DomainContext, partnerId: string): ClosingLookup {
  if (partnerId === DIRECT) return { partner: null, reason: 'direct' };
  const partner = ctx.store.partners.get(partnerId);
  if (!partner) return { partner: null, reason: 'unknown' };
  const claims = ctx.store.claims.forClaimant(partnerId).filter((c) => OPEN_STATUSES.includes(c.status));
  const holding = new Map<number, Dispute>();
  for (const c of claims) for (const d of openCasesHolding(ctx, c)) holding.set(d.id, d);
  const involved = new Map(holding);
  for (const d of ctx.store.disputes.forParty(partnerId)) if (d.status === 'open') involved.set(d.id, d);
  // A case it raised that another party's claim has joined since (pending, or dormant: a ruling
  // may revive it) still has that claim to rule on: it stays with the arbitrator, as the review
  // keeps a case with a claim not closed. Its own claims count as closed: they are, here.
  const book = ctx.policies();
  const now = ctx.clock.now();
  const nothingLeft = (d: Dispute) => d.claimIds.every((id) => {
    const c = ctx.store.claims.get(id);
    return c === undefined || c.claimant === partnerId || isClosed(book.statusOf(c, now));
  });
  // A case every party of which holds a claim in it is the review's: withdrawn by it when no claim is live.
  // Raised by it, or opened for its claim by the company's people or an import: nobody else pursues it.
  const withdrawn = (d: Dispute) => pursuerOf(d)?.party === partnerId && holdsNoClaim(ctx, d) && nothingLeft(d);
  const byId = (a: Dispute, b: Dispute) => a.id - b.id;
  const raisedCases = [...involved.values()].filter(withdrawn).sort(byId);
  const gone = new Set(raisedCases.map((d) => d.id));
  return {
    partner,
    claims,
    cases: [...holding.values()].filter((d) => !gone.has(d.id)).sort(byId),
    raisedCases,
    otherCases: [...involved.values()].filter((d) => !holding.has(d.id) && !gone.has(d.id)).sort(byId),
    linked: partner.slackTeamId !== null || partner.teamsTenantId !== null,
    closedAt: ctx.store.partners.closure(partnerId)?.at ?? null,
    accounts: ctx.store.accounts.namingParty(partnerId, 10),
  };
}

export interface PartnerClosed extends PartnerClosing {
  /** What the cases looked at again changed (withdrawn, recommended again), as announced. */
  events: DomainEvent[];
}

/**
 * Takes a partner out of the programme, in one transaction: each of its claims still pending,
 * protected or dormant is closed as {@link CLOSED_AS}, its lifecycle timers cancelled and its
 * warnings still waiting in the outbox withdrawn (`claim.expired`, by {@link CLOSE_ACTOR}, with
 * the reason); the running cases holding them are looked at again as when the CRM's import closes
 * a claim (withdrawn with no live claim left, or recommended on again: see reviewCase), as are
 * those raised against it (recommended on again when it was recommended); those it raised, or
 * that were opened for its claim, against a party holding no claim, with no other party's live
 * claim in them, are withdrawn (nobody is left to pursue them); their events given to `announce` inside the transaction; and its Slack team and Teams tenant are
 * unlinked, so that its users are unknown externals from then on (`partner.closed`); the partner
 * is recorded closed, with those workspaces (see PartnersRepo.closure), and its flag's review
 * timer goes: a closed partner's flag is neither set nor lifted (see reviewPartner). Its row,
 * its stats and the ledger stay. The closing is worked out again under the write lock: what
 * another process (the bot) wrote meanwhile is closed too. Nothing to do writes nothing.
 * Null when there is no such partner (or `direct`).
 */
export function closePartner(ctx: DomainContext, partnerId: string, options: { announce?: (events: readonly DomainEvent[]) => void } = {}): PartnerClosed | null {
  const { store } = ctx;
  return store.transaction(() => {
    const closing = partnerClosing(ctx, partnerId);
    if (closing.partner === null) return null;
    const done: PartnerClosed = { ...closing, events: [] };
    if (!anythingToClose(closing)) return done;
    const now = ctx.clock.now();
    for (const c of closing.claims) {
      store.claims.update(c.id, { status: CLOSED_AS });
      cancelLifecycle(ctx, c.id);
      store.ledger.append({ at: now, kind: `claim.${CLOSED_AS}`, subject: `claim:${c.id}`, actor: CLOSE_ACTOR, policyVersion: c.policyVersion, payload: { reason: PARTNER_LEFT, was: c.status } });
    }
    // Recorded out of the programme before its cases are looked at again: none is recommended to it.
    const { partner } = closing;
    if (closing.linked) store.partners.upsert({ ...partner, slackTeamId: null, teamsTenantId: null });
    // A partner closed before keeps the day it left, and the workspaces it had then unless it has others now.
    const before = store.partners.closure(partner.id);
    store.partners.setClosed(partner.id, { at: before?.at ?? now, slackTeamId: partner.slackTeamId ?? before?.slackTeamId ?? null, teamsTenantId: partner.teamsTenantId ?? before?.teamsTenantId ?? null });
    // Once every claim is closed: a case holding two of them is looked at once, as they now stand.
    // One it is a party to otherwise (raised against it) is recommended on again if it was recommended.
    for (const d of [...closing.cases, ...closing.otherCases]) done.events.push(...reviewCase(ctx, d.id, now));
    // A case it raised (or opened for its claim) against a party holding no claim, none left to rule on: nobody is left to pursue it, and the line cannot go to it.
    for (const d of closing.raisedCases) done.events.push(...withdrawCase(ctx, d, now, CLOSE_ACTOR, { reason: d.raisedAs === partnerId ? RAISER_LEFT : CLAIMANT_LEFT, partner: partnerId }));
    store.timers.cancel(`partner:${partner.id}`, FLAG_REVIEW_TIMER);
    store.ledger.append({
      at: now,
      kind: 'partner.closed',
      subject: `partner:${partner.id}`,
      actor: CLOSE_ACTOR,
      policyVersion: null,
      payload: { reason: PARTNER_LEFT, claims: closing.claims.map((c) => c.id), cases: closing.cases.map((d) => d.id), withdrawn: closing.raisedCases.map((d) => d.id), unlinked: { slack: partner.slackTeamId !== null, teams: partner.teamsTenantId !== null } },
    });
    if (done.events.length > 0) options.announce?.(done.events);
    return done;
  });
}

/**
 * The partners taken out of the programme, with the Slack team and Teams tenant each had then:
 * whose a stranger's workspace was. The last to leave first: a workspace given to another partner
 * after its first one left, and that partner closed in turn, was that partner's last.
 */
export function formerPartners(store: Pick<Store, 'partners'>): FormerPartner[] {
  return [...store.partners.closed()].sort((a, b) => b.at.getTime() - a.at.getTime()).map((c) => ({ id: c.id, name: store.partners.get(c.id)?.name ?? c.id, slackTeamId: c.slackTeamId, teamsTenantId: c.teamsTenantId }));
}

/**
 * Refuses to file `what` for a partner taken out of the programme (one of the company's people
 * acting for it: its own users are unknown since). One read of the cached partners table.
 */
export function refuseClosedParty(ctx: DomainContext, party: string, what: 'claim' | 'dispute'): void {
  const closed = closedPartner(ctx, party);
  if (!closed) return;
  const { name, day } = closed;
  throw new DomainError('invalid_input', `${name} left the partner programme on ${day}, so no ${what === 'claim' ? 'claim can be filed' : 'dispute can be raised'} for it.`, { claimant: `${name} left the partner programme` });
}

/** A party taken out of the programme: its name and the day it left (see closedOn); null for one in it, or `direct`. One read of the cached partners table. */
function closedPartner(ctx: DomainContext, party: string): { name: string; day: string } | null {
  const closure = party === DIRECT ? null : ctx.store.partners.closure(party);
  return closure ? { name: ctx.store.partners.get(party)?.name ?? party, day: closedOn(ctx, closure.at) } : null;
}

/** The day a partner left the programme, where the company is (as the policy in force then counts days). */
export function closedOn(ctx: DomainContext, at: Date): string {
  return DateTime.fromJSDate(at, { zone: ctx.policies().inForceAt(at).policy.timezone }).toISODate()!;
}

/**
 * Refuses a ruling that gives the line to a partner taken out of the programme (a case raised
 * against it as named owner or incumbent, which its closing left to the arbitrator; or one its
 * closing did not find). `approving`: the criteria recommend it, and the arbitrator approves.
 */
export function refuseClosedWinner(ctx: DomainContext, winner: string, approving: boolean): void {
  const closed = closedPartner(ctx, winner);
  if (!closed) return;
  const { name, day } = closed;
  const then = 'the line cannot go to it. Award it to another party, or to nobody.';
  if (approving) throw new DomainError('invalid_input', `The criteria recommend ${name}, which left the partner programme on ${day} (roe partner close): ${then}`);
  throw new DomainError('invalid_input', `${name} left the partner programme on ${day} (roe partner close): ${then}`, { party: `${name} left the partner programme` });
}
