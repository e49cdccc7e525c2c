import type { App } from '@slack/bolt';
import type { SlackContext } from '../context.js';
import { SLACK_IDS } from '../ids.js';
import { accountOptions, plainFromSlack } from '../render.js';

const MAX_SUGGESTIONS = 20;

/** The account typeahead of the forms (external_select), backed by the account matcher. */
export function register(app: App, { deps }: SlackContext): void {
  app.options(SLACK_IDS.options.account, async ({ ack, options }) => {
    const matches = deps.matcher.search(plainFromSlack(options.value).trim(), MAX_SUGGESTIONS);
    await ack({ options: accountOptions(matches.map((m) => ({ id: m.accountId, name: deps.ctx.store.accounts.get(m.accountId)?.name ?? m.matchedText }))) });
  });
}
