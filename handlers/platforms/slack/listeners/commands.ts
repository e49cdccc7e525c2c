import type { App, RespondArguments } from '@slack/bolt';
import type { Principal } from '../../../../src/core/authz.js';
import { claimForm } from '../../../claim.js';
import { disputeForm } from '../../../dispute.js';
import type { Reply } from '../../../replies/model.js';
import { roe } from '../../../roe.js';
import { whoOwns } from '../../../who-owns.js';
import { commandUser, openModal, within, type SlackContext } from '../context.js';
import { describePayload, userFacing } from '../errors.js';
import { SLACK_IDS } from '../ids.js';
import { plainFromSlack, renderForm, renderReply } from '../render.js';

/** A reply as the answer to a command: only the asker sees it unless the handler made it public. */
export function commandAnswer(reply: Reply): RespondArguments {
  return { response_type: reply.visibility === 'public' ? 'in_channel' : 'ephemeral', ...renderReply(reply) };
}

/**
 * A person, channel or user group mentioned in a command's text (`<@U0123>`, `<#C0123|deals>`,
 * `<!subteam^S0123|@sales>`): an account is looked up without them, since none is an account's
 * name and each would be searched with it.
 */
const MENTION = /<(?:[@#][A-Z0-9]+|!subteam\^[A-Z0-9]+)(?:\|[^<>]*)?>/g;

/**
 * How long a command may wait to learn who the user is (users.info) and still answer in its
 * acknowledgement: Slack wants the acknowledgement within 3 seconds.
 */
export const ACK_BUDGET_MS = 2_000;


/**
 * Slash commands. `/who-owns` answers in the acknowledgement itself (Slack shows a command's
 * acknowledgement body as the answer); the others ack at once, then answer through the
 * response_url or open a modal.
 */
export function register(app: App, { deps, identities, log }: SlackContext): void {
  app.command(SLACK_IDS.commands.whoOwns, async ({ ack, command, body, respond }) => {
    const user = commandUser(command);
    // A refusal (a stranger, an empty query) is the answer too, shown only to the asker.
    const refusal = (e: unknown) => commandAnswer(userFacing(e, log, describePayload(body)));
    const answer = (viewer: Principal): RespondArguments => {
      try {
        return commandAnswer(whoOwns(deps, viewer, plainFromSlack(command.text.replace(MENTION, ' '))));
      } catch (e) {
        return refusal(e);
      }
    };
    const known = identities.principalNow(user);
    if (known) return ack(answer(known));
    // Who the user is needs users.info: answer in the acknowledgement if Slack says in time,
    // else acknowledge and answer through the response_url when it does.
    const viewer = identities.principal(user);
    let inTime: { value: Principal } | undefined;
    try {
      inTime = await within(viewer, ACK_BUDGET_MS);
    } catch (e) {
      return ack(refusal(e));
    }
    if (inTime) return ack(answer(inTime.value));
    await ack();
    await respond(answer(await viewer));
  });

  app.command(SLACK_IDS.commands.roe, async ({ ack, command, respond }) => {
    await ack();
    const viewer = await identities.principal(commandUser(command));
    await respond(commandAnswer(roe(deps, viewer, plainFromSlack(command.text))));
  });

  // The form opens within the trigger's 3 seconds even while Slack is slow to say who the user
  // is: as "Loading…", then filled in (openModal).
  app.command(SLACK_IDS.commands.claim, async ({ ack, command, client }) => {
    await ack();
    const form = identities.principal(commandUser(command)).then((viewer) => renderForm(claimForm(deps, viewer, plainFromSlack(command.text)), { channel: command.channel_id, message: null }));
    await openModal(client, command.trigger_id, 'Claim', form, log);
  });

  app.command(SLACK_IDS.commands.dispute, async ({ ack, command, client }) => {
    await ack();
    const form = identities.principal(commandUser(command)).then((viewer) => renderForm(disputeForm(deps, viewer, plainFromSlack(command.text)), { channel: command.channel_id, message: null }));
    await openModal(client, command.trigger_id, 'Dispute', form, log);
  });
}
