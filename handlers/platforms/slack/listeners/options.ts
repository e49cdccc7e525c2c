import type { App } from '@slack/bolt';
import { accountLabels } from '../../../account-labels.js';
import type { SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { accountOptions, plainFromSlack } from '../render.js';

const MAX_SUGGESTIONS = 20;

/** The account typeahead of the forms (external_select), backed by the account matcher. */
export function register(app: App, { deps }: SlackContext): void {
  app.options(SLACK_IDS.options.account, async ({ ack, options }) => {
    const matches = deps.matcher.search(plainFromSlack(options.value).trim(), MAX_SUGGESTIONS);
    const accounts = matches.map((m) => deps.ctx.store.accounts.get(m.accountId) ?? { id: m.accountId, name: m.matchedText, domains: [], region: null });
    const labels = accountLabels(accounts);
    await ack({ options: accountOptions(accounts.map((a, i) => ({ id: a.id, name: labels[i]! }))) });
  });
}
