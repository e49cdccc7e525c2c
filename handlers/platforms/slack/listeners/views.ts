import type { App, ViewOutput, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import type { Principal } from '../../../../src/core/authz.js';
import { DomainError } from '../../../../src/core/errors.js';
import { submitClaim } from '../../../claim.js';
import { submitDispute } from '../../../dispute.js';
import { FORMS, quote, text, type FormId, type Reply } from '../../../replies/model.js';
import { askedWords, submitAsk, submitAward } from '../../../rule.js';
import { submitAnswer } from '../../../answer.js';
import { snoozeButtons, snoozeStays } from '../../../notify.js';
import { interactiveUser, type SlackContext } from '../context.js';
import { viewErrors } from '../errors.js';
import { SLACK_IDS } from '../ids.js';
import { renderReply, resultView, type FormMetadata } from '../render.js';

const metadataSchema = z.object({
  state: z.record(z.string(), z.string()),
  channel: z.string().nullable(),
  message: z.object({ channel: z.string(), ts: z.string(), reminder: z.boolean().optional() }).nullable(),
  thread: z.string().nullable().optional(),
});

function readMetadata(view: ViewOutput): FormMetadata {
  let json: unknown = null;
  try {
    json = JSON.parse(view.private_metadata || 'null');
  } catch {
    // Not what this app wrote: the form is out of date like any other it cannot read.
  }
  const parsed = metadataSchema.safeParse(json);
  if (!parsed.success) throw new DomainError('invalid_input', 'This form is out of date. Close it and open it again.');
  return parsed.data;
}

/** The submitted values, keyed by block id (= the form's field id); empty inputs are left out. */
export function readValues(view: ViewOutput): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [blockId, elements] of Object.entries(view.state.values)) {
    for (const v of Object.values(elements)) {
      const value = v.selected_option?.value ?? v.value;
      if (typeof value === 'string' && value !== '') values[blockId] = value;
    }
  }
  return values;
}

function inputBlockIds(view: ViewOutput): string[] {
  return view.blocks.flatMap((b) => (b.type === 'input' && typeof b.block_id === 'string' ? [b.block_id] : []));
}

interface Submitted {
  viewer: Principal;
  values: Record<string, string>;
  meta: FormMetadata;
  view: ViewOutput;
}

/** How long a submission waits for Slack to say again who the user is, when an older answer is at hand. */
const SUBMIT_LOOKUP_BUDGET_MS = 1_500;

const TITLES: Record<FormId, string> = { [FORMS.claim]: 'Claim', [FORMS.dispute]: 'Dispute', [FORMS.award]: 'Ruling', [FORMS.ask]: 'Question sent', [FORMS.answer]: 'Answer sent' };

/**
 * Form submissions. The handler runs before the ack, since only the ack can carry inline
 * errors: a refusal comes back as `response_action: errors` on the field it names, and success
 * turns the modal into the outcome. A retried or double submission of the same view files
 * nothing twice (the view id is the request key).
 */
export function register(app: App, { deps, identities, log }: SlackContext): void {
  const onSubmit = (form: FormId, submit: (s: Submitted) => Reply, after?: (client: App['client'], s: Submitted, reply: Reply) => Promise<void>, shown: (reply: Reply, s: Submitted) => Reply = (r) => r) => {
    app.view<ViewSubmitAction>(SLACK_IDS.views[form], async ({ ack, body, view, client }) => {
      let submitted: Submitted;
      let outcome: Reply;
      try {
        // Answered within Slack's 3 seconds, even for a form left open long enough that who the user is must be asked again.
        submitted = { viewer: await identities.principalSoon(interactiveUser(body.user), SUBMIT_LOOKUP_BUDGET_MS), values: readValues(view), meta: readMetadata(view), view };
        outcome = submit(submitted);
      } catch (e) {
        await ack(viewErrors(e, inputBlockIds(view), log, { type: 'view_submission', callbackId: view.callback_id, user: body.user.id }));
        return;
      }
      await ack({ response_action: 'update', view: resultView(shown(outcome, submitted), TITLES[form]) });
      await after?.(client, submitted, outcome);
    });
  };
  const origin = (s: Submitted) => (s.meta.channel ? { platform: 'slack' as const, channel: s.meta.channel, thread: s.meta.thread ?? null } : null);
  const requestKey = (s: Submitted) => `slack:view:${s.view.id}`;
  /**
   * After a ruling the arbitrator's DM (the message with the buttons) shows the case as it now
   * stands. The ruling is made and the modal says so: should Slack refuse the update, that is
   * logged, not told to the arbitrator as a failure (the outbox brings the case cards it sent up
   * to date).
   */
  const updateCaseMessage = async (client: App['client'], s: Submitted, card: Reply) => {
    if (!s.meta.message) return;
    try {
      await client.chat.update({ channel: s.meta.message.channel, ts: s.meta.message.ts, ...renderReply(card) });
    } catch (err) {
      log.warn({ err, callbackId: s.view.callback_id }, 'slack: the case card could not be updated after the ruling (the ruling is made)');
    }
  };

  onSubmit(FORMS.claim, (s) => submitClaim(deps, s.viewer, s.values, { origin: origin(s), requestKey: requestKey(s) }));
  onSubmit(FORMS.dispute, (s) => submitDispute(deps, s.viewer, s.values, { origin: origin(s), requestKey: requestKey(s) }));
  onSubmit(FORMS.award, (s) => submitAward(deps, s.viewer, { ...s.meta.state, ...s.values }), updateCaseMessage);
  /** Where the question went and where its answers come, as the parties were told (see askedWords). */
  const asked = (s: Submitted): string => askedWords(deps, s.viewer, deps.ctx.store.disputes.get(Number(s.meta.state.dispute)));
  // The modal says the question went out; the DM card (with its ruling buttons) is the case as it
  // stands, under the question asked and where its answers come (nothing else on it says so).
  // Asked from a reminder, it keeps its Snooze buttons while the case is still the asker's and not
  // yet due: waiting for the answers is what a snooze is for.
  const askedFrom = (client: App['client'], s: Submitted, card: Reply) => {
    const question = typeof s.values.question === 'string' ? s.values.question.trim() : '';
    const d = s.meta.message?.reminder === true ? deps.ctx.store.disputes.get(Number(s.meta.state.dispute)) : undefined;
    const snooze = d && snoozeStays(deps, s.viewer, d, card) ? [snoozeButtons(d.id)] : [];
    return updateCaseMessage(client, s, { ...card, blocks: [text(asked(s), 'muted'), ...(question ? [quote('Your question', question)] : []), ...card.blocks, ...snooze] });
  };
  onSubmit(FORMS.answer, (s) => submitAnswer(deps, s.viewer, { ...s.meta.state, ...s.values }, { requestKey: requestKey(s) }));
  onSubmit(FORMS.ask, (s) => submitAsk(deps, s.viewer, { ...s.meta.state, ...s.values }, { requestKey: requestKey(s) }), askedFrom, (card, s) => ({
    ...card,
    title: TITLES[FORMS.ask],
    blocks: [text(asked(s), 'good'), ...card.blocks],
  }));
}
