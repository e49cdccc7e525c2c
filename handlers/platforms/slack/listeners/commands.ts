import type { App, RespondArguments } from '@slack/bolt';
import { claimForm } from '../../../claim.js';
import { disputeForm } from '../../../dispute.js';
import type { Reply } from '../../../replies/model.js';
import { roe } from '../../../roe.js';
import { whoOwns } from '../../../who-owns.js';
import { commandUser, type SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { plainFromSlack, renderForm, renderReply } from '../render.js';

/** A reply as the answer to a command: only the asker sees it unless the handler made it public. */
export function commandAnswer(reply: Reply): RespondArguments {
  return { response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...renderReply(reply) };
}

/** Slash commands: ack at once, then answer through the response_url or open a modal. */
export function register(app: App, { deps, identities }: SlackContext): void {
  app.command(SLACK_IDS.commands.whoOwns, async ({ ack, command, respond }) => {
    await ack();
    const viewer = await identities.principal(commandUser(command));
    await respond(commandAnswer(whoOwns(deps, viewer, plainFromSlack(command.text))));
  });

  app.command(SLACK_IDS.commands.roe, async ({ ack, command, respond }) => {
    await ack();
    const viewer = await identities.principal(commandUser(command));
    await respond(commandAnswer(roe(deps, viewer, plainFromSlack(command.text))));
  });

  app.command(SLACK_IDS.commands.claim, async ({ ack, command, client }) => {
    await ack();
    const viewer = await identities.principal(commandUser(command));
    const form = claimForm(deps, viewer, plainFromSlack(command.text));
    await client.views.open({ trigger_id: command.trigger_id, view: renderForm(form, { channel: command.channel_id, message: null }) });
  });

  app.command(SLACK_IDS.commands.dispute, async ({ ack, command, client }) => {
    await ack();
    const viewer = await identities.principal(commandUser(command));
    const form = disputeForm(deps, viewer, plainFromSlack(command.text));
    await client.views.open({ trigger_id: command.trigger_id, view: renderForm(form, { channel: command.channel_id, message: null }) });
  });
}
