import { z } from 'zod';
import type { Principal } from '../src/core/authz.js';
import { answerableBy, answerQuestion } from '../src/core/disputes/answer.js';
import { DomainError } from '../src/core/errors.js';
import type { Dispute } from '../src/core/types.js';
import type { HandlerDeps } from './deps.js';
import { viewpoint } from './deps.js';
import { approvalShown, caseAbout, caseWords } from './dispute-card.js';
import { announce, arbitratorOutOfReach } from './notify.js';
import { clip, FORMS, quote, reply, text, type Form, type Reply } from './replies/model.js';
import { buttonDisputeId, parseForm } from './validate.js';

/**
 * The question an Answer button was sent with (`7:Who met the CIO first?`), shortened to what a
 * form carries; none from a button without one. Shown to the one answering alone: it comes from
 * their click, so it is never passed on as the arbitrator's words.
 */
export function questionOf(value: unknown): string {
  if (typeof value !== 'string') return '';
  const at = value.indexOf(':');
  if (at < 0) return '';
  // Carried in the form's state as JSON, where a quote, a line break or a control character takes
  // more room than itself: shortened until it fits its share of Slack's 3,000 characters.
  let question = clip(value.slice(at + 1).trim(), QUESTION_SHOWN);
  while (JSON.stringify(question).length > QUESTION_CARRIED) question = clip(question, Math.floor(question.length * 0.8));
  return question;
}
/** Characters of the question a form shows and carries. */
const QUESTION_SHOWN = 1000;
/** Characters the question may take written as JSON in a form's state (Slack's holds 3,000 in all). */
const QUESTION_CARRIED = 1500;


/**
 * The case `viewer` may answer on, and whoever rules on it reachable by DM: one the case moved to
 * since the question was asked (escalated) may have no chat id the bot can reach, and is answered
 * directly, as the question's DM says when it is so from the start. The case's people alone learn it.
 * Refused as an answer is `sending`, the refusal says it was not sent; as the form is asked for, nothing was written yet.
 */
function answerable(deps: HandlerDeps, viewer: Principal, id: number, o: { sending: boolean }): Dispute {
  const { dispute } = answerableBy(deps.ctx, viewer, id, o);
  const directly = arbitratorOutOfReach(deps, dispute);
  if (directly !== null) throw new DomainError('conflict', o.sending ? `${directly} Your answer was not sent.` : directly);
  return dispute;
}

/**
 * The Answer button of a question's DM: a form whose answer goes to whoever rules on the case,
 * and to nobody else. Refused before it is filled in to anyone but the case's people, once the
 * case is closed, or when whoever rules on it cannot be reached by DM.
 */
export function answerForm(deps: HandlerDeps, viewer: Principal, value: unknown): Form {
  const d = answerable(deps, viewer, buttonDisputeId(value), { sending: false });
  const arbitrator = viewpoint(deps, viewer).person(d.arbitrator);
  const approval = approvalShown(viewer, d);
  // What is asked stays in sight as it is answered (in Teams this form replaces the question's message).
  const question = questionOf(value);
  return {
    id: FORMS.answer,
    // Short: a Slack modal title holds 24 characters.
    title: approval ? `Answer on case #${d.id}` : `Answer on dispute #${d.id}`,
    submitLabel: 'Send',
    intro: `${question ? `Question: ${question}\n\n` : ''}Your answer on ${caseWords(viewer, d)} over ${caseAbout(deps, d)} goes only to ${arbitrator}, who ${approval ? 'decides on it' : 'rules on it; no other party sees it'}.`,
    fields: [{ id: 'answer', label: 'Your answer', kind: 'multiline', required: true, maxLength: 2000, hint: `${arbitrator} reads it as written.` }],
    state: { dispute: String(d.id), ...(question ? { question } : {}) },
  };
}

const answerSchema = z.object({
  dispute: z.string({ error: 'That form refers to no dispute' }),
  // The question the form showed, said again with the answer sent (never passed on).
  question: z.string().optional().catch(undefined),
  answer: z.string({ error: 'Required' }).trim().min(1, 'Write your answer').max(2000, 'At most 2,000 characters'),
});

/** Sends a party's answer to whoever rules on the case; a repeat of the same `requestKey` (a double click, a redelivery) sends nothing more. */
export function submitAnswer(deps: HandlerDeps, viewer: Principal, values: Record<string, unknown>, meta: { requestKey: string | null } = { requestKey: null }): Reply {
  const input = parseForm(answerSchema, values);
  const id = buttonDisputeId(input.dispute);
  const d = deps.ctx.store.transaction(() => {
    answerable(deps, viewer, id, { sending: true });
    const { dispute, events } = answerQuestion(deps.ctx, viewer, id, { answer: input.answer, requestKey: meta.requestKey });
    announce(deps, events, dispute.origin, viewer.userKey);
    return dispute;
  });
  const arbitrator = viewpoint(deps, viewer).person(d.arbitrator);
  const said = `Your answer on ${caseWords(viewer, d)} went to ${arbitrator}${approvalShown(viewer, d) ? '' : ', and to no other party'}.`;
  const question = input.question ? clip(input.question.trim(), QUESTION_SHOWN) : '';
  return reply(said, [text(said, 'good'), ...(question ? [quote('The question', question)] : []), quote('Your answer', input.answer)], { title: 'Answer sent' });
}
