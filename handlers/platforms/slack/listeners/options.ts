import type { App } from '@slack/bolt';
import { matchLabels } from '../../../account-labels.js';
import { interactiveUser, type SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { accountOptions, plainFromSlack } from '../render.js';

const MAX_SUGGESTIONS = 20;

/**
 * The account typeahead of the forms (external_select), backed by the account matcher. A user
 * of no known organisation may only ask for help: they get no suggestions (account names are a
 * lookup too), whatever view the request names.
 */
export function register(app: App, { deps, identities }: SlackContext): void {
  app.options(SLACK_IDS.options.account, async ({ ack, options, body }) => {
    const user = interactiveUser(body.user);
    // Typed into a form opened moments ago: its user was just looked up, and an older answer stands while Slack is slow (the options must come within 3 seconds).
    const viewer = await identities.principalSoon(user, 1_500);
    if (viewer.kind === 'unknown') {
      await ack({ options: [] });
      return;
    }
    const matches = deps.matcher.search(plainFromSlack(options.value).trim(), MAX_SUGGESTIONS);
    const labels = matchLabels(deps, matches);
    await ack({ options: accountOptions(matches.map((m, i) => ({ id: m.accountId, name: labels[i]! }))) });
  });
}
