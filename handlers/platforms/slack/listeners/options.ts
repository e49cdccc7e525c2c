import type { App } from '@slack/bolt';
import { personalMailDomain } from '../../../../src/core/matching/normalize.js';
import { matchLabels } from '../../../account-labels.js';
import { linkedAccount, lookupText } from '../../../resolve-account.js';
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
    // As /who-owns reads it: an address at a personal mail provider names no account, a link to a
    // company's LinkedIn or Crunchbase page the company.
    const typed = plainFromSlack(options.value).trim();
    const personal = personalMailDomain(typed);
    const found = personal ? [] : deps.matcher.search(lookupText(typed), MAX_SUGGESTIONS);
    // An account's id (the CRM's), or a link to its record, as the form's field reads it: that account first.
    const byId = personal ? undefined : (linkedAccount(deps, typed) ?? (found[0]?.exact ? undefined : deps.ctx.store.accounts.get(typed)));
    const matches = byId ? [{ accountId: byId.id, score: 1, matchedOn: 'name' as const, matchedText: byId.name, exact: true }, ...found.filter((m) => m.accountId !== byId.id)].slice(0, MAX_SUGGESTIONS) : found;
    const labels = matchLabels(deps, matches);
    await ack({ options: accountOptions(matches.map((m, i) => ({ id: m.accountId, name: labels[i]! }))) });
  });
}
