import type { App, MessageShortcut } from '@slack/bolt';
import { disputeForm } from '../../../dispute.js';
import { interactiveUser, type SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { plainFromSlack, renderForm, truncate } from '../render.js';

/** Message shortcuts: "Dispute ownership" opens the dispute form with the message linked as evidence; the dispute is announced in the message's thread. */
export function register(app: App, { deps, identities }: SlackContext): void {
  app.shortcut<MessageShortcut>(SLACK_IDS.shortcuts.disputeMessage, async ({ ack, shortcut, client }) => {
    await ack();
    const viewer = await identities.principal(interactiveUser(shortcut.user));
    // Without a link (Slack refused it, e.g. a conversation the bot cannot read) the message is named by channel and ts.
    const permalink = await client.chat.getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts }).then(
      (r) => r.permalink,
      () => undefined,
    );
    const excerpt = truncate(plainFromSlack(shortcut.message.text ?? '', { linkAddresses: true }).trim(), 1000);
    const evidence = [`Raised from this message: ${permalink ?? `${shortcut.channel.id}/${shortcut.message.ts}`}`, ...(excerpt ? [`"${excerpt}"`] : [])].join('\n');
    const form = disputeForm(deps, viewer, '', evidence);
    // The dispute is announced under the message it was raised from (in its thread, if it is in one).
    const thread = (shortcut.message as { thread_ts?: string }).thread_ts ?? shortcut.message.ts;
    await client.views.open({ trigger_id: shortcut.trigger_id, view: renderForm(form, { channel: shortcut.channel.id, message: null, thread }) });
  });
}
