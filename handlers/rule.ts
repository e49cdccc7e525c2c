import { z } from 'zod';
import { authorizeRuling, caseNamedBy, formerPerson, unknownReason, type Principal } from '../src/core/authz.js';
import { assertOpen, partiesHoldingNothing, personName, queueFor, rule, type RulingInput } from '../src/core/disputes/disputes.service.js';
import { partiesOutOfProgramme, reviewCase } from '../src/core/disputes/review.js';
import { approvalClaims, isOverlapCase } from '../src/core/disputes/settle.js';
import { passedOver, recusalOf, rulersOf, versionOfDispute } from '../src/core/sla/sla.service.js';
import type { Dispute, PartyId } from '../src/core/types.js';
import { DomainError, isDomainError } from '../src/core/errors.js';
import type { HandlerDeps } from './deps.js';
import { cmd, viewpoint } from './deps.js';
import { approvalShown, caseAbout, caseReachable, caseStamp, disputeCard, OVERDUE_STAMP } from './dispute-card.js';
import { announce, answeredInThread, pastChainLead, payloadText, threadWord, unreachableArbitrator } from './notify.js';
import { FORMS, quote, text, withLead, type Block, type Form, type Reply } from './replies/model.js';
import { buttonDisputeId, parseForm, typedName } from './validate.js';

/** The award form's choice that gives the account to nobody (a claim waiting for approval can be refused). */
export const NOBODY = 'none';

/** A ruling button's value: the dispute id, and for "approve" the party it recommends (`12:northwind`). */
function parseValue(value: unknown): { id: number; party: string | undefined } {
  const [id = '', party] = String(value).split(':');
  return { id: buttonDisputeId(id), party: party || undefined };
}

/** The case as this viewer may name it: a partner's user, one of theirs only, as {@link caseNamedBy} says. */
function getOpen(deps: HandlerDeps, viewer: Principal, id: number) {
  return caseNamedBy(viewer, deps.ctx.store.disputes.get(id), id);
}

/**
 * A refusal to rule, as a user of a partner that is a party of the case reads it: who rules, and
 * then what they can do themselves, follow the case (a ruling button reached them, shared or
 * forwarded). Anyone else reads the refusal as it is.
 */
function refusedToRule(deps: HandlerDeps, viewer: Principal, id: number, e: unknown): unknown {
  if (viewer.kind !== 'external' || !isDomainError(e) || e.code !== 'forbidden') return e;
  const d = deps.ctx.store.disputes.get(id);
  if (!d || !d.parties.includes(viewer.partnerId)) return e;
  return new DomainError(e.code, `${e.message} ${cmd(viewer, `roe case ${d.id}`)} shows the case as it stands, and its ruling once it is made.`, e.fields, e);
}

/** The person of the policy this user was until a version in force now left them out ({@link formerPerson}). */
function formerOf(deps: HandlerDeps, viewer: Principal): string | null {
  const book = deps.ctx.policies();
  return formerPerson(viewer, book.all, book.inForceAt(deps.ctx.clock.now()).policy.people);
}

/** Refuses the ruling forms to anyone who may not rule, before they fill them in. */
function mayRule(deps: HandlerDeps, viewer: Principal, d: Dispute): void {
  caseNamedBy(viewer, d, d.id);
  const version = versionOfDispute(deps.ctx, d);
  const book = deps.ctx.policies();
  try {
    authorizeRuling(viewer, d, rulersOf(deps.ctx, d), (k) => personName(version, k, book), () => formerOf(deps, viewer), (k) => recusalOf(deps.ctx, d, k), (k) => passedOver(deps.ctx, d, k));
  } catch (e) {
    throw refusedToRule(deps, viewer, d.id, e);
  }
}

/**
 * Applies a ruling in one transaction and returns the case card as it now stands (the
 * arbitrator's DM is replaced by it). A refusal throws and changes nothing.
 */
export function applyRuling(deps: HandlerDeps, viewer: Principal, id: number, input: RulingInput): Reply {
  try {
    return deps.ctx.store.transaction(() => {
      const { dispute, events } = rule(deps.ctx, viewer, id, input);
      announce(deps, events, dispute.origin, viewer.userKey);
      return disputeCard(deps, viewer, deps.ctx.store.disputes.get(id) ?? dispute, { withActions: true });
    });
  } catch (e) {
    throw refusedToRule(deps, viewer, id, e);
  }
}

/**
 * A dispute's case card as this viewer may see it now (a card refreshing itself): the ruling
 * buttons for whoever may rule on it, the outcome once it is closed. A partner sees only the
 * disputes their organisation is a party to.
 */
export function caseCard(deps: HandlerDeps, viewer: Principal, value: unknown, lead?: { blocks: Block[]; stamp: string }): Reply {
  const id = buttonDisputeId(value);
  if (viewer.kind === 'unknown') throw new DomainError('unknown_user', `${unknownReason(viewer)}, so you cannot see disputes.`);
  const d = getOpen(deps, viewer, id);
  const canRule = viewer.kind === 'internal' && viewer.personKey !== null && d.status === 'open' && queueFor(deps.ctx, viewer.personKey).some((x) => x.id === d.id);
  const card = disputeCard(deps, viewer, d, { withActions: canRule });
  // Lines it was sent under (why it came) while they still hold; once the case moved on, it shows how it stands.
  if (!lead || lead.blocks.length === 0) return card;
  const stamp = caseStamp(d, deps.ctx.clock.now());
  if (lead.stamp === stamp) return withLead(card, lead.blocks, stamp);
  // Sent before it was due, and its SLA ran out since with nobody to hand it to: to its
  // assignee, why it came no longer holds, but that it is overdue and still theirs to rule, as
  // their Slack cards were updated to say.
  const overdue = `${lead.stamp}:${OVERDUE_STAMP}` === stamp && viewer.kind === 'internal' && viewer.personKey === d.arbitrator ? pastChainLead(deps, d) : null;
  return overdue ? withLead(card, overdue, stamp) : card;
}

/**
 * Who rules on a case now, for one of the company's people shown it without its buttons while
 * it is still open, once it went past them on its chain (it escalated, or they have a part in
 * it) or moved on from them because they left the policy: null when they may rule on it, when it
 * is closed, and for anyone it never passed (a colleague never on its chain). The line goes
 * first on the case Open posts (Slack, Teams) and on the case cards Teams redraws, as on Slack's
 * remembered cards once it moves.
 */
function movedPastLine(deps: HandlerDeps, viewer: Principal, disputeId: number, shown: Reply): { to: string; line: string } | null {
  const d = deps.ctx.store.disputes.get(disputeId);
  if (!d || d.status !== 'open' || viewer.kind !== 'internal' || shown.blocks.some((b) => b.type === 'actions')) return null;
  if (!passedBy(deps, viewer, d)) return null;
  const to = viewpoint(deps, viewer).person(d.arbitrator);
  return { to, line: `This case moved to ${to}, who rules on it now.` };
}

/** `shown` with its {@link movedPastLine} first when there is one (`to`: who rules on it now, null when none is shown). */
export function withMovedPast(deps: HandlerDeps, viewer: Principal, disputeId: number, shown: Reply): { card: Reply; to: string | null } {
  const moved = movedPastLine(deps, viewer, disputeId, shown);
  return moved ? { card: { ...shown, blocks: [text(moved.line, 'muted'), ...shown.blocks] }, to: moved.to } : { card: shown, to: null };
}

/** Whether an open case went past this person: one below its assignee on its chain, or one who left the policy it was handed on from. */
function passedBy(deps: HandlerDeps, viewer: Principal & { kind: 'internal' }, d: Dispute): boolean {
  if (viewer.personKey) return passedOver(deps.ctx, d, viewer.personKey);
  const former = formerOf(deps, viewer);
  return former !== null && deps.ctx.store.ledger.caseHistory(`dispute:${d.id}`).some((e) => e.kind === 'dispute.reassigned' && payloadText(e.payload, 'from') === former);
}

/**
 * A case whose recommended party holds nothing any more (the CRM closed its claims, or their
 * protection ended) is looked at again by a timer at the server's next tick (see reviewCase). An
 * approval sent before that tick is met with the case as that look leaves it, made first in a
 * transaction of its own: recommended again (the approval, of the party recommended before, is
 * then refused as of a changed recommendation, and the arbitrator is sent the new one), or closed
 * with nothing left to rule. Approving never gives the line to a party that holds nothing.
 */
function lookAgainBeforeApproval(deps: HandlerDeps, viewer: Principal, id: number): PartyId | undefined {
  const d = deps.ctx.store.disputes.get(id);
  if (!d || d.status !== 'open' || d.recommendation === null || !partiesHoldingNothing(deps.ctx, d).has(d.recommendation)) return undefined;
  // Only for someone who may rule on it: anyone else is refused by the ruling, as ever.
  mayRule(deps, viewer, d);
  deps.ctx.store.transaction(() => announce(deps, reviewCase(deps.ctx, id, deps.ctx.clock.now()), null));
  return d.recommendation;
}

/** The "approve the recommendation" button (its value names the party recommended on the card; a typed approval, none). */
export function approve(deps: HandlerDeps, viewer: Principal, value: unknown): Reply {
  const { id, party } = parseValue(value);
  // Typed without the party (the console), it approves what the arbitrator last saw, too.
  const seen = lookAgainBeforeApproval(deps, viewer, id);
  return applyRuling(deps, viewer, id, { kind: 'approve', expected: party ?? seen });
}

/** The "award to another party" form: the parties, and a required rationale. */
export function awardForm(deps: HandlerDeps, viewer: Principal, value: unknown): Form {
  const d = getOpen(deps, viewer, buttonDisputeId(value));
  mayRule(deps, viewer, d);
  assertOpen(deps.ctx, d);
  const vp = viewpoint(deps, viewer);
  // A party whose claims in the case all closed (lost or won in the CRM) holds nothing to award;
  // one taken out of the programme (roe partner close) may not be given the line.
  const gone = new Set([...partiesHoldingNothing(deps.ctx, d), ...partiesOutOfProgramme(deps.ctx, d)]);
  // A claim waiting for approval (one party, reached by "Reject"): approved for its party,
  // refused for nobody. Who rules is one of the company's people, told it is an approval.
  const approval = !isOverlapCase(d);
  const party = vp.party(d.parties[0]!);
  const them = d.claimIds.length === 1 ? 'it' : 'them';
  return {
    id: FORMS.award,
    // Short: a Slack modal title holds 24 characters ("Approval in case #123456" is 24).
    title: approval ? `Approval in case #${d.id}` : `Rule on dispute #${d.id}`,
    submitLabel: approval ? 'Rule' : 'Award',
    intro: approval
      ? `Approve or reject ${approvalClaims(d)} of ${party} (case #${d.id}) on ${caseAbout(deps, d)}: award ${them} to ${party} to approve, or to Nobody to reject. The rationale is shown to ${party} as written: name no other partner, deal size or evidence in it.`
      : 'Award the account to a party. The rationale is shown to every party of the case as written: name no partner, deal size or evidence in it that another party should not read.',
    fields: [
      { id: 'party', label: 'Award to', kind: 'select', required: true, options: [...d.parties.filter((p) => !gone.has(p)).map((p) => ({ value: picked(p), label: vp.party(p) })), { value: NOBODY, label: nobodyLabel(d) }] },
      {
        id: 'rationale',
        label: 'Rationale',
        kind: 'multiline',
        required: true,
        maxLength: 2000,
        placeholder: approval ? `Why ${them === 'it' ? 'the claim is' : 'the claims are'} approved or rejected` : 'Why this party owns the account',
        hint: approval ? `${party} reads it as written.` : 'Every party of the case reads it as written.',
      },
    ],
    // The claims it was opened on: a ruling sent once another joined is refused (see RulingInput).
    state: { dispute: String(d.id), claims: String(d.claimIds.length) },
  };
}

const awardSchema = z.object({
  dispute: z.string(),
  // Absent from a form opened before it was carried.
  claims: z.string().regex(/^\d{1,6}$/).transform(Number).optional().catch(undefined),
  party: z.string({ error: 'Pick a party' }).trim().min(1, 'Pick a party'),
  rationale: z.string({ error: 'Required' }).trim().min(10, 'Explain the ruling (at least 10 characters)').max(2000, 'At most 2,000 characters'),
});

/**
 * The award form's choice of nobody: "reject the claim" for one claim waiting for approval
 * (whoever rules is told it is one), "reject the claims" for any other case.
 */
const nobodyWords = (oneClaim: boolean) => `Nobody: reject the ${oneClaim ? 'claim' : 'claims'}`;
const nobodyLabel = (d: Dispute) => nobodyWords(!isOverlapCase(d) && d.claimIds.length === 1);
/** "Nobody", or the choice in either wording, as typed where the form could not list the parties (Teams). */
const NOBODY_TYPED = new Set(['nobody', nobodyWords(true), nobodyWords(false)].map(typedName));
/** Before a party's id in the award form's list: what was picked is told from what was typed. */
const PICKED = 'party:';
/** A party's value in the list; bare when the prefix would not fit a choice's value (150 characters in Slack). */
const picked = (id: string) => (PICKED.length + id.length <= 150 ? `${PICKED}${id}` : id);

/**
 * The party of a case as chosen, or as typed where the form could not list them all (Teams,
 * with many parties or long names): a party's name as the arbitrator sees it, or "Nobody".
 */
function awardedParty(deps: HandlerDeps, viewer: Principal, id: number, given: string): string {
  // Picked from the list: the party's id, exactly.
  if (given.startsWith(PICKED)) return given.slice(PICKED.length);
  const d = deps.ctx.store.disputes.get(id);
  if (!d || given === NOBODY) return given;
  // Authority first, as the ruling itself: only someone who may rule on the case has a name
  // they typed looked up among its parties (a refusal below names them by id).
  mayRule(deps, viewer, d);
  // A party's name as shown comes first: an id that happens to read as another party's name
  // (party "acme" named "Acme Holdings", party "acme-2" named "Acme") is no name typed.
  const vp = viewpoint(deps, viewer);
  const named = d.parties.filter((p) => typedName(vp.party(p)) === typedName(given));
  if (named.length === 1) return named[0]!;
  // Several of one name: the id of one of them, typed as the refusal below asks, is that one.
  if (named.length > 1 && named.includes(given.trim())) return given.trim();
  if (named.length > 1) throw new DomainError('invalid_input', `Several parties of dispute #${d.id} are named "${given.trim()}": type the id of the one you mean (${named.join(', ')}).`, { party: `Type the id: ${named.join(', ')}` });
  if (d.parties.includes(given)) return given;
  if (NOBODY_TYPED.has(typedName(given))) return NOBODY;
  return given;
}

export function submitAward(deps: HandlerDeps, viewer: Principal, values: Record<string, unknown>): Reply {
  const input = parseForm(awardSchema, values);
  const id = buttonDisputeId(input.dispute);
  const party = awardedParty(deps, viewer, id, input.party);
  const claimsSeen = input.claims;
  const ruling = party === NOBODY ? ({ kind: 'reject', rationale: input.rationale, claimsSeen } as const) : ({ kind: 'award', party, rationale: input.rationale, claimsSeen } as const);
  return applyRuling(deps, viewer, id, ruling);
}

/** Refuses a question nobody of the case would receive (a case an import opened over imported claims). */
function someoneToAsk(deps: HandlerDeps, viewer: Principal, d: Dispute): void {
  if (caseReachable(deps, d, viewer.userKey)) return;
  const vp = viewpoint(deps, viewer);
  throw new DomainError('conflict', `Nobody of dispute #${d.id} can be asked here: an import opened it, so it has no thread, and none of its parties (${[...new Set(d.parties)].map((p) => vp.party(p)).join(', ')}) filed a claim of it in chat. Ask them directly; you can still rule. Nothing was sent.`);
}

/** The "ask for information" form: the question goes to the dispute's thread. */
export function askForm(deps: HandlerDeps, viewer: Principal, value: unknown): Form {
  const d = getOpen(deps, viewer, buttonDisputeId(value));
  mayRule(deps, viewer, d);
  assertOpen(deps.ctx, d);
  someoneToAsk(deps, viewer, d);
  const thread = threadWord(d.origin);
  if (!isOverlapCase(d)) {
    // A claim waiting for approval: its party is asked. Its thread, which other partners may
    // read, calls it any dispute: that the claim needs approval may tell them its party is flagged.
    const party = viewpoint(deps, viewer).party(d.parties[0]!);
    return {
      id: FORMS.ask,
      // Short: a Slack modal title holds 24 characters.
      title: `Ask on case #${d.id}`,
      submitLabel: 'Ask',
      intro: `Ask ${party} about the approval of ${approvalClaims(d)} (case #${d.id}) on ${caseAbout(deps, d)}. The question goes as written to ${party}, and to the case's ${thread}, which people of several partners may read as any dispute's: say nothing in it of the approval, and name no other partner, deal size or evidence.`,
      fields: [{ id: 'question', label: 'Question for the party', kind: 'multiline', required: true, maxLength: 2000, hint: `${party} and the case's ${thread} read it as written.` }],
      state: { dispute: String(d.id) },
    };
  }
  return {
    id: FORMS.ask,
    // Short: a Slack modal title holds 24 characters.
    title: `Ask on dispute #${d.id}`,
    submitLabel: 'Ask',
    intro: `Ask the parties of dispute #${d.id} on ${caseAbout(deps, d)}. The question goes as written to the dispute's ${thread}, which people of several partners may read, and to every party: name no partner, deal size or evidence in it that another party should not read.`,
    fields: [{ id: 'question', label: 'Question for the parties', kind: 'multiline', required: true, maxLength: 2000, hint: `The dispute's ${thread} and every party read it as written.` }],
    state: { dispute: String(d.id) },
  };
}

const askSchema = z.object({
  dispute: z.string(),
  question: z.string({ error: 'Required' }).trim().min(5, 'Write the question (at least 5 characters)').max(2000, 'At most 2,000 characters'),
});

/**
 * Where a question sent on `d` went and where its answers come, as the parties were told: the
 * dispute's thread too (a Teams group chat's case: the chat), when it has one they can read (not
 * one raised in a private chat: someone's own chat with the bot, or a DM between people; nor one
 * an import opened); the answers, sent with the button of the parties' DMs, to whoever rules on
 * the case, by direct message (someone above the arbitrator who asked from the queue is told they
 * go to the arbitrator). A claim waiting for approval has one party, named to the one who asked
 * (who may rule on it, so is told it is an approval).
 */
export function askedWords(deps: HandlerDeps, viewer: Principal, d: Dispute | undefined): string {
  const vp = viewpoint(deps, viewer);
  const approval = d !== undefined && approvalShown(viewer, d);
  const who = approval ? vp.party(d.parties[0]!) : 'the parties';
  const where = d && answeredInThread(d) ? `Your question is in the ${approval ? 'case’s' : 'dispute’s'} ${threadWord(d.origin)} and went to ${who} by direct message.` : `Your question went to ${who} by direct message.`;
  // Whoever rules on it out of the bot's reach: the parties were told to answer them directly, with no button.
  const out = d ? unreachableArbitrator(deps, d) : null;
  if (out) return `${where} ${out.name}, who rules on it, cannot be reached here: they were told to answer them directly${out.email}.`;
  const mine = !d || (viewer.kind === 'internal' && viewer.personKey === d.arbitrator);
  return `${where} ${mine ? 'Their answers will come to you here, by direct message.' : `Their answers will go to ${vp.person(d.arbitrator)}, who rules on it, by direct message.`}`;
}

/**
 * A question sent, as Teams and the console show it: the case as it stands (its ruling buttons
 * kept), under where the question went and where its answers come, and the question itself, as
 * lines that hold while the case stands as it did (Slack's modal updates its case message alike).
 */
export function askedCard(deps: HandlerDeps, viewer: Principal, values: Record<string, string>, meta?: { requestKey: string | null }): { card: Reply; shown: Reply; dispute: Dispute | undefined } {
  const card = submitAsk(deps, viewer, values, meta);
  const d = deps.ctx.store.disputes.get(Number(values.dispute));
  if (!d) return { card, shown: card, dispute: undefined };
  const question = values.question?.trim() ?? '';
  return { card, shown: withLead(card, [text(askedWords(deps, viewer, d), 'good'), ...(question ? [quote('Your question', question)] : [])], caseStamp(d, deps.ctx.clock.now())), dispute: d };
}

/** The question for the parties; a repeat of the same `requestKey` (a double click, a redelivery) asks nothing more. */
export function submitAsk(deps: HandlerDeps, viewer: Principal, values: Record<string, unknown>, meta: { requestKey: string | null } = { requestKey: null }): Reply {
  const input = parseForm(askSchema, values);
  const d = getOpen(deps, viewer, buttonDisputeId(input.dispute));
  mayRule(deps, viewer, d);
  if (d.status === 'open') someoneToAsk(deps, viewer, d);
  return applyRuling(deps, viewer, buttonDisputeId(input.dispute), { kind: 'ask', question: input.question, requestKey: meta.requestKey });
}
