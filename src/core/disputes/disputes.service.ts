import { formatsFor } from '../time-format.js';
import { refuseClosedParty, refuseClosedWinner } from '../claims/close-partner.js';
import { leaverWords, leftProgramme, withdrawnAsPartyLeft } from './review.js';
import { authorizeActingFor, authorizeRuling, caseNamedBy, formerPerson, ownParty, type Principal } from '../authz.js';
import { canonicalProductLine, RequestKeyTaken, UnknownAccount } from '../claims/claims.service.js';
import type { DomainContext } from '../context.js';
import { DomainError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { coverageFor } from '../ownership/coverage.js';
import { incumbentOf } from '../ownership/engine.js';
import { operationsVersionOf, passedOver, recusalOf, ruledBy, rulersOf, versionOfDispute } from '../sla/sla.service.js';
import type { PolicyBook, PolicyVersion } from '../policy/versions.js';
import { DIRECT, sameProductLine, type Claim, type Dispute, type PartyId, type ThreadRef } from '../types.js';
import { applyOutcome, approvalClaims, caseKindWords, isOverlapCase, liveClaims, openCase, outOfProgramme, partyName } from './settle.js';
import { caseKindTitle } from './case-kind.js';
import { isClosed } from '../claims/lifecycle.js';

export interface RaiseDisputeInput {
  accountId: string;
  productLine: string;
  /** The claim being disputed, when the raiser names one. */
  againstClaimId?: number | undefined;
  reason: string;
  evidence: string;
  origin: ThreadRef | null;
  requestKey: string | null;
  /**
   * The party raising it: a partner one of the company's people raises it for (a partner's own
   * user may raise it for their own partner only); the raiser's own party when not given.
   */
  raisedAs?: PartyId | undefined;
}

/**
 * A dispute over an account and product line no other party holds. Without a live claim of the
 * raiser's own party there, what the raiser wants is a claim; with one (`ownClaim`), nothing: the
 * line is theirs already (or their claim waits for a decision), and another claim of theirs would
 * be refused beside it. The message names no command (the core knows no chat platform): handlers
 * add theirs.
 */
export class NothingToDispute extends DomainError {
  constructor(
    accountName: string,
    productLine: string,
    readonly ownClaim: { id: number; protected: boolean } | null = null,
    /** The partner's name when it was raised for a partner by one of the company's people: named where the raiser's own would be "yours". */
    readonly forParty: string | null = null,
  ) {
    const own = ownClaim ? `claim #${ownClaim.id}` : '';
    const theirs = forParty ? `${own} of ${forParty}` : `your ${own}`;
    super(
      'invalid_input',
      !ownClaim
        ? `Nothing to dispute: no other party holds ${accountName} (${productLine}).`
        : ownClaim.protected
          ? `Nothing to dispute: ${accountName} (${productLine}) is already ${forParty ? `held by ${forParty}` : 'yours'} (${own}), and no other party holds it.`
          : `Nothing to dispute: no other party holds ${accountName} (${productLine}), and ${theirs} on it waits for a decision.`,
      // The field's words name the product line too: another party may hold the account on another line.
      {
        account: !ownClaim
          ? `No other party holds this account for ${productLine}: nothing to dispute`
          : ownClaim.protected
            ? `Already ${forParty ? `held by ${forParty}` : 'yours'} for ${productLine} (${own}): nothing to dispute`
            : `${forParty ? `Claim #${ownClaim.id} of ${forParty}` : `Your ${own}`} for ${productLine} waits for a decision: nothing to dispute`,
      },
    );
  }
}

/** The live claim of `party` among `claims` (those on one account and product line), a protected one first; null when it has none. */
function ownClaimOf(ctx: DomainContext, party: PartyId, claims: readonly Claim[], now: Date): { id: number; protected: boolean } | null {
  const book = ctx.policies();
  const ours = claims.filter((c) => c.claimant === party);
  const own = ours.find((c) => book.statusOf(c, now) === 'protected') ?? ours[0];
  return own ? { id: own.id, protected: book.statusOf(own, now) === 'protected' } : null;
}

/**
 * Raises a dispute by hand over an account and product line, for the raiser's own party or, by
 * one of the company's people, for a partner (`raisedAs`): that party is the case's raising party
 * (its criteria, its parties, the ledger's entry). Must run inside a transaction.
 */
export function raiseDispute(ctx: DomainContext, principal: Principal, input: RaiseDisputeInput): { dispute: Dispute; events: DomainEvent[]; repeated: boolean } {
  const { store } = ctx;
  const now = ctx.clock.now();
  if (input.requestKey) {
    const prior = store.disputes.byRequestKey(input.requestKey);
    if (prior && prior.raisedBy !== principal.userKey) throw new RequestKeyTaken('dispute');
    if (prior) return { dispute: prior, events: [], repeated: true };
  }
  const ownOf = ownParty(principal);
  if (!ownOf) throw new DomainError('unknown_user', 'Your workspace is not linked to a partner of ours, so you cannot raise disputes.');
  const party = input.raisedAs ?? ownOf;
  authorizeActingFor(principal, party);
  if (party !== DIRECT && !store.partners.get(party)) throw new DomainError('invalid_input', `Unknown partner "${party}".`, { claimant: 'Pick a partner from the list' });
  refuseClosedParty(ctx, party, 'dispute');
  // Raised for a partner by one of the company's people: the refusals name that partner, not "you".
  const forParty = party === ownOf ? null : partyName(ctx, party);
  const account = store.accounts.get(input.accountId);
  if (!account) throw new UnknownAccount(input.accountId);
  const version = ctx.policies().inForceAt(now);
  const productLine = canonicalProductLine(ctx.policies(), version, input.productLine);
  const cases = store.disputes.forAccount(account.id);
  const already = cases.find((d) => d.status === 'open' && sameProductLine(d.productLine, productLine));
  if (already) {
    // What a party can do about a case already running: its claim is in it, or a claim filed now joins it.
    const own = liveClaims(ctx, account.id, productLine, now).find((c) => c.claimant === party && already.claimIds.includes(c.id));
    const then = own
      ? `${forParty ? `claim #${own.id} of ${forParty}` : `your claim #${own.id}`} is in it, and its arbitrator decides between the parties.`
      : `to take part, file a claim${forParty ? ` for ${forParty}` : ''} on ${account.name} (${productLine}): it joins that dispute, with your evidence.`;
    throw new DomainError('conflict', `Dispute #${already.id} is already open on ${account.name} (${productLine}); ${then}`);
  }
  const claims = liveClaims(ctx, account.id, productLine, now);
  if (input.againstClaimId !== undefined && !claims.some((c) => c.id === input.againstClaimId)) {
    throw new DomainError('invalid_input', `Claim #${input.againstClaimId} is not a live claim on ${account.name} (${productLine}).`, { against: `Claim #${input.againstClaimId} is not a live claim on this account for ${productLine}` });
  }
  const coverage = coverageFor(account, version.policy);
  const others = new Set<PartyId>(claims.map((c) => c.claimant));
  if (account.namedOwner) others.add(account.namedOwner);
  const incumbent = incumbentOf(account);
  if (incumbent) others.add(incumbent);
  if (coverage.model === 'direct-led') others.add(DIRECT);
  others.delete(party);
  // A named owner or incumbent that left the programme holds nothing to dispute.
  for (const gone of outOfProgramme(ctx)) others.delete(gone);
  if (others.size === 0) {
    throw new NothingToDispute(account.name, productLine, ownClaimOf(ctx, party, claims, now), forParty);
  }
  // The company's people are not held to it: partner ops raise it again for a partner once a fact the criteria used is corrected.
  if (principal.kind !== 'internal') refuseRepeat(ctx, cases, party, productLine, claims, account.name, now);
  return { ...openCase(ctx, { account, productLine, claims, parties: [party, ...others], raisedBy: principal.userKey, raisedAs: party, ...(party !== ownOf ? { raisedFrom: ownOf } : {}), reason: input.reason, evidence: input.evidence, origin: input.origin, requestKey: input.requestKey }, now), repeated: false };
}

/** How long a party's case, once settled or ruled, stands against the same dispute raised again over the same claims (see {@link refuseRepeat}). */
export const REPEAT_DISPUTE_MS = 24 * 60 * 60 * 1000;

/**
 * Refuses a dispute `party` raises again over an account and product line where a case it raised
 * was settled or ruled less than {@link REPEAT_DISPUTE_MS} ago, while the claims there are as it
 * left them (the claim it went to still live, every live claim one of that case's): the criteria
 * would settle it the same way, or its arbitrator be asked again what they just ruled, and each
 * new case is posted in the channel and sent to the other parties. A day later, or once the
 * claims there change, it is raised. A claim's approval (a case of one party) weighed no other
 * party's part, and does not count. Partners' users only (see raiseDispute).
 * `cases` are the account's; reads nothing more.
 */
function refuseRepeat(ctx: DomainContext, cases: readonly Dispute[], party: PartyId, productLine: string, live: readonly Claim[], accountName: string, now: Date): void {
  const since = now.getTime() - REPEAT_DISPUTE_MS;
  const last = cases
    // A case of two parties or more: an approval of a claim (of one party) weighed no one else's part, and is no dispute to raise again.
    .filter((d) => d.raisedAs === party && isOverlapCase(d) && (d.status === 'settled' || d.status === 'ruled') && d.ruledAt !== null && d.ruledAt.getTime() > since && sameProductLine(d.productLine, productLine))
    .at(-1);
  // The claim it went to still live, and no other come since; with the winner's claim gone, the criteria would weigh something else.
  if (!last || !live.some((c) => c.claimant === last.winner) || !live.every((c) => last.claimIds.includes(c.id))) return;
  const v = operationsVersionOf(ctx, last);
  const fmt = formatsFor(v.policy.timezone).dateTimeFmt;
  const how = last.status === 'settled' ? 'was settled at once by the criteria' : `was ruled by ${last.ruledBy ? personName(v, last.ruledBy, ctx.policies()) : 'its arbitrator'}`;
  const then = last.status === 'settled' ? 'raised again, it would be settled the same way' : 'its ruling stands';
  const fix = last.status === 'settled' ? ' If a fact the criteria used is wrong, your partner manager can correct it and raise it for you.' : '';
  const from = fmt.format(new Date(last.ruledAt!.getTime() + REPEAT_DISPUTE_MS));
  throw new DomainError('conflict', `${caseKindTitle(last)} on ${accountName} (${last.productLine}) ${how} on ${fmt.format(last.ruledAt!)}, over the claims there now: ${then}. Raise it again from ${from}, or once the claims there change.${fix}`);
}

export type RulingInput =
  /** `expected`: the recommendation the arbitrator saw; a different one now is refused. */
  | { kind: 'approve'; expected?: PartyId | undefined }
  /**
   * `claimsSeen`: how many claims the case held when the award form was opened; a case a claim
   * joined since is refused, as an approval of a recommendation that changed is (the ruling
   * would reject a claim the arbitrator never saw).
   */
  | { kind: 'award'; party: PartyId; rationale: string; claimsSeen?: number | undefined }
  /** Nobody gets the account: every claim in the case is rejected (not counted as a violation). */
  | { kind: 'reject'; rationale: string; claimsSeen?: number | undefined }
  /** `requestKey`: the same key again (a double click, a redelivery) asks nothing more. */
  | { kind: 'ask'; question: string; requestKey?: string | null };

/** A person's display name from the policy (else from the newest version of `book` naming them), or the key itself. */
export function personName(v: PolicyVersion, key: string, book?: PolicyBook): string {
  return Object.hasOwn(v.policy.people, key) ? v.policy.people[key]!.name : (book?.nameOf(key) ?? key);
}

/**
 * Refuses anything but an open dispute, naming who closed it and when. It answers those who may
 * rule on the case (the company's people): a case waiting for approval is named as one.
 */
export function assertOpen(ctx: DomainContext, d: Dispute): void {
  if (d.status === 'open') return;
  const v = operationsVersionOf(ctx, d);
  // In the policy's time zone, as every date people read.
  const when = d.ruledAt ? formatsFor(v.policy.timezone).dateTimeFmt.format(d.ruledAt) : 'earlier';
  const name = caseKindTitle(d);
  if (d.status === 'settled') throw new DomainError('already_ruled', `${name} was already settled automatically by the criteria on ${when}.`);
  if (d.status === 'withdrawn') {
    const left = withdrawnAsPartyLeft(ctx, d);
    throw new DomainError('already_ruled', `${name} was closed without a ruling: ${left ? `${leaverWords(left)} left the partner programme` : 'none of its claims is live any more'}.`);
  }
  throw new DomainError('already_ruled', `${name} was already ruled by ${d.ruledBy ? personName(v, d.ruledBy, ctx.policies()) : 'someone'} on ${when}.`);
}

/** Whether `input` is the ruling this person already made on the case, word for word. */
function sameRuling(d: Dispute, personKey: string, input: RulingInput): boolean {
  if (d.status !== 'ruled' || d.ruledBy !== personKey) return false;
  switch (input.kind) {
    case 'approve':
      return d.rationale === null && d.winner === d.recommendation && (input.expected === undefined || input.expected === d.winner);
    case 'award':
      return d.winner === input.party && d.rationale === input.rationale.trim();
    case 'reject':
      return d.winner === null && d.rationale === input.rationale.trim();
    case 'ask':
      return false;
  }
}

/**
 * An arbitrator's ruling: approve the recommendation, award to another party (rationale
 * required), or ask for more information. Only the assigned arbitrator or someone above
 * them in the escalation chain may rule, none of them with a part in the case (recusal: see
 * rulersOf), and only once; the same ruling sent again by the one who
 * made it changes nothing and returns the case as ruled. Must run inside a transaction.
 */
export function rule(ctx: DomainContext, principal: Principal, disputeId: number, input: RulingInput): { dispute: Dispute; events: DomainEvent[] } {
  const { store } = ctx;
  const now = ctx.clock.now();
  // Someone who may not see the case learns nothing of it, not even that it exists.
  const dispute = caseNamedBy(principal, store.disputes.get(disputeId), disputeId);
  const version = versionOfDispute(ctx, dispute);
  const people = operationsVersionOf(ctx, dispute);
  // Authority first: someone who may not rule learns nothing of the case, not even that it closed.
  const book = ctx.policies();
  const auth = authorizeRuling(principal, dispute, rulersOf(ctx, dispute), (k) => personName(people, k, book), () => formerPerson(principal, book.all, book.inForceAt(now).policy.people), (k) => recusalOf(ctx, dispute, k), (k) => passedOver(ctx, dispute, k));
  // The ruling its maker already made, sent again (a double click, a form submitted twice):
  // nothing changes, and the case is answered as ruled, not refused as if nothing had happened.
  if (sameRuling(dispute, auth.personKey, input)) return { dispute, events: [] };
  assertOpen(ctx, dispute);
  const subject = `dispute:${dispute.id}`;
  // The refusals below answer someone who may rule on it (one of the company's people): a case
  // waiting for approval is named as one.
  const name = caseKindWords(dispute);
  const approval = !isOverlapCase(dispute);
  // Short, within a sentence about the claims in it.
  const ref = approval ? `case #${dispute.id}` : `dispute #${dispute.id}`;
  // A case only gains claims (a claim joins it): those past the count the form saw are new to the
  // arbitrator. One that closed again since (the CRM closed it) is nothing the ruling decides.
  const stillOpen = (id: number) => {
    const c = store.claims.get(id);
    return !c || !isClosed(ctx.policies().statusOf(c, now));
  };
  const unseen = (input.kind === 'award' || input.kind === 'reject') && input.claimsSeen !== undefined ? dispute.claimIds.slice(input.claimsSeen).filter(stillOpen) : [];
  if (unseen.length > 0) {
    const joined = unseen.map((id) => {
      const c = store.claims.get(id);
      return c ? `#${id} (${partyName(ctx, c.claimant)})` : `#${id}`;
    });
    throw new DomainError('conflict', `Claim${joined.length > 1 ? 's' : ''} ${joined.join(', ')} joined ${ref} since this form was opened. Nothing was ruled: open the form again from the case as it stands now, and rule on what it says.`);
  }

  if (input.kind === 'ask') {
    const question = input.question.trim();
    if (!question) throw new DomainError('invalid_input', `Write the question for the ${approval ? 'party' : 'parties'}.`, { question: 'Required' });
    if (input.requestKey && !store.requests.first(`ask:${input.requestKey}`, now)) return { dispute, events: [] };
    store.ledger.append({ at: now, kind: 'dispute.info_requested', subject, actor: auth.personKey, policyVersion: version.version, payload: {} });
    return { dispute, events: [{ type: 'dispute.info_requested', dispute, question, by: auth.personKey }] };
  }

  let winner: PartyId | null;
  let rationale: string | null = null;
  if (input.kind === 'approve') {
    if (!dispute.recommendation) {
      // A card sent when the criteria recommended a party that has since left the programme (roe partner close), no one party left instead.
      if (input.expected && leftProgramme(ctx, input.expected)) {
        throw new DomainError('conflict', `The recommendation on ${name} changed since this card was sent (${partyName(ctx, input.expected)}, recommended then, left the partner programme): nobody is recommended now. Nothing was ruled: award it to another party, or to nobody, with a rationale.`);
      }
      throw new DomainError('no_recommendation', `The criteria made no recommendation on ${name}; ${approval ? 'approve or reject it' : 'award it to a party'} with a rationale.`);
    }
    if (input.expected !== undefined && input.expected !== dispute.recommendation) {
      // The one who rules sees every party: the recommendation is named. A claim that joined the
      // case changes it, and so does the recommended party's claim closing (see recommendAgain).
      // Or the party recommended left the programme (roe partner close): the one party left is recommended, by no rule.
      const now = partyName(ctx, dispute.recommendation);
      const left = leftProgramme(ctx, input.expected);
      const why = left ? `${partyName(ctx, input.expected)}, recommended then, left the partner programme` : "a claim joined the case, or the recommended party's claim closed";
      const stands = left && dispute.recommendationRule === null ? `${now} is recommended now, as the one party left` : `the criteria now recommend ${now}`;
      throw new DomainError('conflict', `The recommendation on ${name} changed since this card was sent (${why}): ${stands}. Nothing was ruled: the case as it stands now was sent to you; rule on what it says.`);
    }
    // A partner out of the programme (the named owner or incumbent a case was raised against) is given nothing.
    refuseClosedWinner(ctx, dispute.recommendation, true);
    winner = dispute.recommendation;
  } else if (input.kind === 'reject') {
    rationale = input.rationale.trim();
    if (rationale.length < 10) throw new DomainError('invalid_input', approval ? `Rejecting ${approvalClaims(dispute)} needs a rationale its party can read (at least 10 characters).` : 'Rejecting every claim needs a rationale the parties can read (at least 10 characters).', { rationale: 'Explain the ruling (at least 10 characters)' });
    winner = null;
  } else {
    rationale = input.rationale.trim();
    if (!dispute.parties.includes(input.party)) throw new DomainError('invalid_input', `That party is not part of ${name}.`, { party: 'Pick one of the parties' });
    refuseClosedWinner(ctx, input.party, false);
    if (partiesHoldingNothing(ctx, dispute, now).has(input.party)) {
      throw new DomainError('invalid_input', `${partyName(ctx, input.party)} no longer holds a claim in ${ref}: its claim closed while the case waited (lost, won, rejected or expired). ${approval ? 'Reject it (award it to nobody).' : 'Award the line to a party that holds one, or to nobody.'}`, { party: `${partyName(ctx, input.party)} no longer holds a claim in this case` });
    }
    if (rationale.length < 10) throw new DomainError('invalid_input', approval ? `Approving ${approvalClaims(dispute)} with the form needs a rationale its party can read (at least 10 characters).` : 'A ruling against the recommendation needs a rationale the parties can read (at least 10 characters).', { rationale: 'Explain the ruling (at least 10 characters)' });
    winner = input.party;
  }
  store.disputes.update(dispute.id, { status: 'ruled', ruledBy: auth.personKey, ruledAt: now, winner, rationale });
  store.timers.cancel(subject);
  store.ledger.append({
    at: now,
    kind: 'dispute.ruled',
    subject,
    actor: auth.personKey,
    policyVersion: version.version,
    // No recommendation is none to follow: awarding to nobody then is no more following it than awarding to a party.
    payload: { winner, followedRecommendation: dispute.recommendation !== null && winner === dispute.recommendation, recommendation: dispute.recommendation, rule: dispute.recommendationRule, trace: dispute.trace, rationale },
  });
  const ruled: Dispute = { ...dispute, status: 'ruled', ruledBy: auth.personKey, ruledAt: now, winner, rationale };
  const events = applyOutcome(ctx, dispute.claimIds, dispute.id, winner, auth.personKey, now, { noViolation: winner === null });
  events.push({ type: 'dispute.ruled', dispute: ruled });
  return { dispute: ruled, events };
}

/**
 * Parties of a case whose claims in it have all closed since it opened (lost or won in the CRM,
 * expired, rejected): they held a claim and hold none now. Awarding the line to one would reject
 * every live claim for a party that holds nothing (a party that never held a claim in the case,
 * the named owner or incumbent it was raised against, is not one of them; nor is one whose claim
 * closed that the account still gives the line to).
 */
export function partiesHoldingNothing(ctx: DomainContext, d: Dispute, now: Date = ctx.clock.now()): Set<PartyId> {
  const book = ctx.policies();
  const holds = new Map<PartyId, boolean>();
  for (const id of d.claimIds) {
    const c = ctx.store.claims.get(id);
    // As the clock has it: a claim whose protection ended while the bot was down, its timer not
    // fired yet, holds no more than one whose timer has (dormant is not closed: a ruling revives it).
    if (c) holds.set(c.claimant, (holds.get(c.claimant) ?? false) || !isClosed(book.statusOf(c, now)));
  }
  // A party the account itself gives the line (its named owner, its incumbent, the direct team
  // under direct-led coverage) holds it without a claim, as the criteria still say once its
  // claim closed: it is a party as one that never held a claim is.
  const account = ctx.store.accounts.get(d.accountId);
  const standing = new Set<PartyId | null>();
  if (account) {
    standing.add(account.namedOwner).add(incumbentOf(account));
    if (coverageFor(account, book.inForceAt(now).policy).model === 'direct-led') standing.add(DIRECT);
  }
  return new Set([...holds].filter(([p, held]) => !held && !standing.has(p)).map(([p]) => p));
}

/** Open disputes a person may rule on now (assigned to them, or below them in the chain). */
export function queueFor(ctx: DomainContext, personKey: string): Dispute[] {
  return ruledBy(ctx, ctx.store.disputes.open(), personKey).sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0));
}
