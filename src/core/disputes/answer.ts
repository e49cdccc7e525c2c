import { ownParty, type Principal } from '../authz.js';
import type { DomainContext } from '../context.js';
import { DomainError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import { rulersOf, versionOfDispute } from '../sla/sla.service.js';
import type { Dispute, PartyId } from '../types.js';
import { assertOpen, personName } from './disputes.service.js';
import { caseKindWords } from './case-kind.js';
import { partyName } from './settle.js';

export interface AnswerInput {
  answer: string;
  /** Same key, same answer: a double click or a redelivered form sends nothing twice. */
  requestKey: string | null;
}

/**
 * The party of the case a principal answers for. A partner's user: their partner, when it is one
 * of the case's. One of the company's people: the party of a claim of the case they filed (for a
 * partner, or the direct team), else the party they raised it as, else the direct team when it is
 * one of the case's parties and they may not rule on it. Null when they are none of its people. (A colleague who filed a
 * partner's claim in a case against the direct team answers for that partner, not as the direct team.)
 */
export function answeringParty(ctx: DomainContext, principal: Principal, d: Dispute): PartyId | null {
  const own = ownParty(principal);
  if (own === null) return null;
  if (principal.kind !== 'internal') return d.parties.includes(own) ? own : null;
  for (const id of d.claimIds) {
    const c = ctx.store.claims.get(id);
    if (c && c.createdBy === principal.userKey && d.parties.includes(c.claimant)) return c.claimant;
  }
  if (d.raisedBy === principal.userKey && d.raisedAs !== null && d.parties.includes(d.raisedAs)) return d.raisedAs;
  // Whoever may rule on the case asks its questions; they do not answer them for the direct team.
  if (principal.personKey !== null && rulersOf(ctx, d).includes(principal.personKey)) return null;
  return d.parties.includes(own) ? own : null;
}

/**
 * A party's answer to a question asked on a case, for whoever rules on it and no other party:
 * its words go only to them (the handlers' message), while the ledger records that the party
 * answered, not what (as it records that a question was asked, not what). Only the case's own
 * people answer, and only while it is open. Must run inside a transaction.
 */
export function answerQuestion(ctx: DomainContext, principal: Principal, disputeId: number, input: AnswerInput): { dispute: Dispute; party: PartyId; events: DomainEvent[] } {
  const { store } = ctx;
  const now = ctx.clock.now();
  const { dispute, party } = answerableBy(ctx, principal, disputeId);
  const answer = input.answer.trim();
  if (!answer) throw new DomainError('invalid_input', 'Write your answer.', { answer: 'Required' });
  if (input.requestKey && !store.requests.first(`answer:${principal.userKey}:${input.requestKey}`, now)) return { dispute, party, events: [] };
  refuseFlood(ctx, principal, dispute, party);
  store.ledger.append({ at: now, kind: 'dispute.info_answered', subject: `dispute:${dispute.id}`, actor: principal.userKey, policyVersion: versionOfDispute(ctx, dispute).version, payload: { party } });
  return { dispute, party, events: [{ type: 'dispute.info_answered', dispute, party, answer, by: principal.userKey, name: principal.displayName }] };
}

/** How many answers a party sends to one question (or, before any, to the case): each is a DM to whoever rules on it. */
export const ANSWERS_PER_QUESTION = 5;

/**
 * Refuses an answer past the {@link ANSWERS_PER_QUESTION}th a party sent since the case's last
 * question, so that a party's users cannot flood the arbitrator's DMs: the next question may be
 * answered again. Told as its people read it: their organisation (or the party one of the
 * company's people answers for), whoever rules on it named. Reads the case's history, by its own
 * index.
 */
function refuseFlood(ctx: DomainContext, principal: Principal, dispute: Dispute, party: PartyId): void {
  const history = ctx.store.ledger.caseHistory(`dispute:${dispute.id}`);
  let since = -1;
  history.forEach((e, i) => {
    if (e.kind === 'dispute.info_requested') since = i;
  });
  const sent = history.slice(since + 1).filter((e) => e.kind === 'dispute.info_answered' && (e.payload as { party?: unknown } | null)?.party === party).length;
  if (sent < ANSWERS_PER_QUESTION) return;
  const who = personName(versionOfDispute(ctx, dispute), dispute.arbitrator, ctx.policies());
  const what = since < 0 ? `on ${caseKindWords(dispute)}` : `to the last question on ${caseKindWords(dispute)}`;
  // A partner's user reads their own organisation; one of the company's people, the party they answer for.
  const whose = principal.kind === 'external' ? 'Your organisation' : partyName(ctx, party);
  throw new DomainError('conflict', `${whose} has sent ${ANSWERS_PER_QUESTION} answers ${what}, which ${who} has. Your answer was not sent: should ${who} ask again, answer then.`);
}

/**
 * The case a principal may answer a question on, and the party they answer for: one of its
 * people's, while it is open. Anyone else learns nothing of the case, not even that it exists.
 * A closed case's refusal says an answer sent was not (`sending`), or, to someone asking for the
 * form (the Answer button, before anything is written), that no answer can be sent on it any more.
 */
export function answerableBy(ctx: DomainContext, principal: Principal, disputeId: number, o: { sending: boolean } = { sending: true }): { dispute: Dispute; party: PartyId } {
  const dispute = ctx.store.disputes.get(disputeId);
  const party = dispute ? answeringParty(ctx, principal, dispute) : null;
  if (!dispute || party === null) throw new DomainError('forbidden', `Only the parties of dispute #${disputeId} can answer its questions.`);
  try {
    assertOpen(ctx, dispute);
  } catch (e) {
    if (e instanceof DomainError) throw new DomainError(e.code, `${e.message} ${o.sending ? 'Your answer was not sent.' : 'No answer can be sent on it any more.'}`);
    throw e;
  }
  return { dispute, party };
}
