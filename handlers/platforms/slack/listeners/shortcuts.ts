import type { App, MessageShortcut } from '@slack/bolt';
import { disputeForm } from '../../../dispute.js';
import { interactiveUser, openModal, within, type SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { plainFromSlack, renderForm, truncate } from '../render.js';

/** Message shortcuts: "Dispute ownership" opens the dispute form with the message linked as evidence; the dispute is announced in the message's thread. */
export function register(app: App, { deps, identities, log }: SlackContext): void {
  app.shortcut<MessageShortcut>(SLACK_IDS.shortcuts.disputeMessage, async ({ ack, shortcut, client }) => {
    await ack();
    const viewer = identities.principal(interactiveUser(shortcut.user));
    // Without a link (Slack refused it, e.g. a conversation the bot cannot read, or is slow to
    // give it: the modal must open within 3 seconds) the message is named by channel and ts.
    const permalink = within(client.chat.getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts }), PERMALINK_BUDGET_MS).then(
      (r) => r?.value.permalink,
      () => undefined,
    );
    const excerpt = truncate(plainFromSlack(shortcut.message.text ?? '', { linkAddresses: true }).trim(), 1000);
    // The dispute is announced under the message it was raised from (in its thread, if it is in one).
    const thread = (shortcut.message as { thread_ts?: string }).thread_ts ?? shortcut.message.ts;
    const view = Promise.all([viewer, permalink]).then(([who, link]) => {
      const evidence = [`Raised from this message: ${link ?? `${shortcut.channel.id}/${shortcut.message.ts}`}`, ...(excerpt ? [`"${excerpt}"`] : [])].join('\n');
      return renderForm(disputeForm(deps, who, '', evidence), { channel: shortcut.channel.id, message: null, thread });
    });
    await openModal(client, shortcut.trigger_id, 'Dispute', view, log);
  });
}

/** How long the message's link may take to come: it is asked beside who the user is, within the modal's budget. */
const PERMALINK_BUDGET_MS = 1_500;
