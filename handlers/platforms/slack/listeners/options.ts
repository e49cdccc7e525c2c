import type { App } from '@slack/bolt';
import { matchLabels } from '../../../account-labels.js';
import type { SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { accountOptions, plainFromSlack } from '../render.js';

const MAX_SUGGESTIONS = 20;

/** The account typeahead of the forms (external_select), backed by the account matcher. */
export function register(app: App, { deps }: SlackContext): void {
  app.options(SLACK_IDS.options.account, async ({ ack, options }) => {
    const matches = deps.matcher.search(plainFromSlack(options.value).trim(), MAX_SUGGESTIONS);
    const labels = matchLabels(deps, matches);
    await ack({ options: accountOptions(matches.map((m, i) => ({ id: m.accountId, name: labels[i]! }))) });
  });
}
