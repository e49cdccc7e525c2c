/**
 * What a sales rep types to `/who-owns` in their first month, through the real Bolt app: an
 * account's CRM id, or the link to its CRM record, as they copy it from the CRM.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { appHomeOpened, blockSuggestion } from '../../support/slack-requests.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
  // Accounts as a CRM export gives them: the CRM's record id as the account's id. Salesforce
  // itself is a customer too, on the domain its record links are on.
  importCsv(h.rt.ctx, 'accounts', 'crm.csv', [
    'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
    '0015g00000Ab3xYAAR,Vandelay Industries,,vandelay.com,,,,false,,',
    '0015g00000SfDcQAAV,Salesforce,,salesforce.com|force.com,,,,true,,',
  ].join('\n'));
  h.rt.reindex();
});
afterEach(async () => {
  await h.close();
});

async function whoOwns(text: string): Promise<string> {
  const { res } = await h.command(USERS.rep, SLACK_IDS.commands.whoOwns, text, { channel: SHARED_CHANNEL });
  expect(res.status).toBe(200);
  return visible(res.json());
}

describe('/who-owns of an account as the CRM names it', () => {
  it('its CRM id answers for it, as /claim with the id fills it in', async () => {
    const seen = await whoOwns('0015g00000Ab3xYAAR');
    expect(seen).toContain('Vandelay Industries');
    expect(seen).toContain('Nobody: open to registration');
    expect(seen).not.toContain('No account matches');
  });

  it('a link to its CRM record answers for the record, not for the CRM whose address the link is on', async () => {
    for (const link of ['https://acme.lightning.force.com/lightning/r/Account/0015g00000Ab3xYAAR/view', '<https://acme.my.salesforce.com/0015g00000Ab3xYAAR>']) {
      const seen = await whoOwns(link);
      expect(seen.split('\n')[0]).toBe('Vandelay Industries');
      expect(seen).not.toContain('Salesforce');
    }
  });

  it('/claim with the link fills in the record\'s account, as /claim with its id does', async () => {
    for (const given of ['0015g00000Ab3xYAAR', 'https://acme.lightning.force.com/lightning/r/Account/0015g00000Ab3xYAAR/view']) {
      const view = await h.openForm(USERS.rep, SLACK_IDS.commands.claim, given, SHARED_CHANNEL);
      expect(visible(view)).toContain('Vandelay Industries');
      expect(visible(view)).not.toContain('Salesforce');
    }
  });

  it("the forms' typeahead offers the account of an id or a record's link first", async () => {
    for (const value of ['0015g00000Ab3xYAAR', 'https://acme.lightning.force.com/lightning/r/Account/0015g00000Ab3xYAAR/view']) {
      const res = await h.send(blockSuggestion({ user: USERS.rep, actionId: SLACK_IDS.options.account, blockId: 'account', value }));
      const options = (res.json() as { options: { text: { text: string }; value: string }[] }).options;
      expect(options[0]).toMatchObject({ text: { text: 'Vandelay Industries' }, value: '0015g00000Ab3xYAAR' });
    }
  });

  it('a link whose path names no account is still looked up by its address', async () => {
    expect((await whoOwns('https://www.acme.com/about/2024')).split('\n')[0]).toBe('Acme Corporation');
  });
});

describe('/who-owns with a colleague or a channel mentioned in it', () => {
  it.each(['acme <@U0SAM>', '<@U0SAM|sam> acme', 'acme <#C0SHARED|deals>', '<!subteam^S0SALES|@sales> acme'])('%j looks up the account alone', async (typed) => {
    const seen = await whoOwns(typed);
    expect(seen.split('\n')[0]).toBe('Acme Corporation');
    expect(seen).toContain('Northwind Partners (First registration)');
  });
});

describe('/who-owns: until when a claim holds', () => {
  it('a claim whose deal the reader sees says when it goes dormant, when that comes before its protection ends, as /roe mine does', async () => {
    // The demo's claim of the direct team on Wayne (last activity two days ago) and Northwind's on
    // Acme (a week ago): 30 days without activity end them, long before their 90 days of protection.
    const wayne = await whoOwns('wayne');
    expect(wayne).toMatch(/#3 Direct sales: Services, protected until Feb \d+, 2027 \(goes dormant on Dec 28, 2026 unless activity is logged\)/);
    const acme = await whoOwns('acme');
    expect(acme).toMatch(/#1 Northwind Partners: Analytics, protected until Feb 13, 2027 \(goes dormant on Dec 23, 2026 unless activity is logged\)/);
  });

  it("another partner's claim, whose activity is that partner's own business, reads as before", async () => {
    const { res } = await h.command(USERS.contoso, SLACK_IDS.commands.whoOwns, 'acme', { channel: SHARED_CHANNEL });
    const seen = visible(res.json());
    expect(seen).toContain('Analytics: protected by another party until Feb 13, 2027');
    expect(seen).not.toContain('dormant');
    // Nor does the direct team's, whose name a partner reads.
    const { res: wayne } = await h.command(USERS.northwind, SLACK_IDS.commands.whoOwns, 'wayne', { channel: SHARED_CHANNEL });
    expect(visible(wayne.json())).toMatch(/#3 Direct sales: Services, protected until Feb \d+, 2027\n/);
    expect(visible(wayne.json())).not.toContain('dormant');
  });
});

describe('/roe with an account\'s name instead of a command', () => {
  it('points to /who-owns for it, with a button that shows its answer, above the help', async () => {
    const { responseUrl } = await h.command(USERS.rep, SLACK_IDS.commands.roe, 'acme corp', { channel: SHARED_CHANNEL });
    const answer = await h.answer(responseUrl);
    expect(visible(answer)).toContain('Unknown command "acme". To see who owns Acme Corporation, type /who-owns Acme Corporation, or open it here:');
    expect(visible(answer)).toContain('/roe mine');
    const button = (answer.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find((b) => b.type === 'actions')!.elements![0]!;
    const click = await h.click(USERS.rep, button.action_id, button.value, { channel: SHARED_CHANNEL });
    expect(visible(await h.answer(click.responseUrl))).toContain('Northwind Partners (First registration)');
  });
});

describe('App Home of a rep with nothing yet', () => {
  it('says how to ask who owns an account, and where every command is listed', async () => {
    await h.send(appHomeOpened({ user: USERS.rep.id }));
    const publish = await h.fake.waitFor(() => h.fake.callsTo('views.publish')[0], 'views.publish');
    const seen = visible(publish.args.view);
    expect(seen).toContain('You have no claims. Register one with /claim.');
    expect(seen).toContain('Before you call on an account, /who-owns acme tells who owns it and why. /roe help lists every command.');
  });
});
