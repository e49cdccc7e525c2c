import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { blockSuggestion } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const C = SLACK_IDS.commands;

interface ButtonSeen {
  action_id: string;
  value: string;
  text: { text: string };
}
const buttonsIn = (answer: Record<string, unknown>): ButtonSeen[] =>
  (answer.blocks as { type: string; elements?: ButtonSeen[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

/**
 * `/who-owns` answers in the body of its acknowledgement (what Slack shows the asker), and
 * posts nothing to the response_url: the user sees exactly one answer.
 */
async function whoOwnsAnswer(user: (typeof USERS)[keyof typeof USERS], text: string, o: { channel?: string; withUserTeam?: boolean } = {}): Promise<Record<string, unknown>> {
  const { res, responseUrl } = await h.command(user, C.whoOwns, text, o);
  expect(res.status).toBe(200);
  const answer = res.json() as Record<string, unknown>;
  // Nothing else reaches the user later.
  await new Promise((r) => setTimeout(r, 50));
  expect(h.fake.responsesTo(responseUrl)).toHaveLength(0);
  return answer;
}

describe('/who-owns', () => {
  it.each([
    ['a pasted link', '<https://acme.com|acme.com>'],
    ['a pasted URL with a path', '<https://www.acme.com/about>'],
    ['a pasted e-mail address', '<mailto:jo@acme.com|jo@acme.com>'],
    ['a broadcast before the name', '<!channel> acme corporation'],
    ['the name among emoji', '🚀 Acme Corporation 🎉'],
  ])('%s (%s) is read as the account it names', async (_, typed) => {
    const answer = await whoOwnsAnswer(USERS.sam, typed);
    expect((answer.blocks as { type: string; text?: { text: string } }[])[0]).toMatchObject({ type: 'header', text: { text: 'Acme Corporation' } });
  });

  it.each(['', '   ', '<!here>'])('with nothing to search for (%j) it says what to type', async (typed) => {
    expect(visible(await whoOwnsAnswer(USERS.sam, typed))).toContain('Type an account name, alias or web domain, e.g. /who-owns acme.');
  });

  it('answers in its acknowledgement, only to the asker, with the model, owner and why, claims and arbitrator', async () => {
    const answer = await whoOwnsAnswer(USERS.sam, 'acme corp');
    expect(answer.response_type).toBe('ephemeral');
    expect(typeof answer.text).toBe('string');
    const seen = visible(answer);
    expect(seen).toContain('Acme Corporation');
    expect(seen).toContain('Partner-led');
    expect(seen).toContain('Northwind Partners (First registration)');
    expect(seen).toContain('Pat Okafor');
    expect(seen).toMatch(/protected until/);
    expect(seen).toContain('48,000');
    expect(buttonsIn(answer).map((b) => b.text.text)).toEqual(['Claim', 'Dispute']);
  });

  it('offers buttons when several accounts match, each with its own action id, and a click answers in place', async () => {
    const answer = await whoOwnsAnswer(USERS.sam, 'acm');
    expect(visible(answer)).toMatch(/accounts match "acm"\. Which one\?/);
    const buttons = buttonsIn(answer);
    expect(buttons.map((b) => b.text.text)).toEqual(expect.arrayContaining(['Acme Corporation', 'Acme Analytics GmbH']));
    // Each button names its account, whether the search matched the name, an alias or a domain.
    const names = new Map(h.rt.store.accounts.all().map((a) => [a.id, a.name]));
    for (const b of buttons) expect(b.text.text).toBe(names.get(b.value));
    expect(new Set(buttons.map((b) => b.action_id)).size).toBe(buttons.length);
    const analytics = buttons.find((b) => b.text.text === 'Acme Analytics GmbH')!;
    expect(analytics.action_id).toMatch(/^roe_pick_account(:\d+)?$/);

    const click = await h.click(USERS.sam, analytics.action_id, analytics.value);
    expect(click.res.status).toBe(200);
    const picked = await h.answer(click.responseUrl);
    expect(picked.replace_original).toBe(true);
    expect(picked.response_type).toBe('ephemeral');
    expect(visible(picked)).toContain('Acme Analytics GmbH');
    expect(visible(picked)).toContain('Nobody: open to registration');
  });

  it('says when nothing matches', async () => {
    expect(visible(await whoOwnsAnswer(USERS.sam, 'zzqx'))).toContain('No account matches "zzqx"');
  });

  it('a choice between accounts found by their aliases shows their names', async () => {
    h.rt.store.accounts.upsert({ id: 'muller-bau', name: 'Müller Bau GmbH', aliases: ['Mueller Bau'], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    h.rt.reindex();
    const answer = await whoOwnsAnswer(USERS.sam, 'mueller');
    expect(buttonsIn(answer).map((b) => b.text.text).sort()).toEqual(['Müller Bau GmbH', 'Müller Logistik AG']);
  });

  it('two accounts of one name are told apart in the choice, by their web domains', async () => {
    const vandelay = (id: string, domains: string[], region: string | null) => ({ id, name: 'Vandelay', aliases: [], domains, segment: null, region, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    h.rt.store.accounts.upsert(vandelay('vandelay-us', ['vandelay.com'], 'NA'));
    h.rt.store.accounts.upsert(vandelay('vandelay-de', ['vandelay.de'], 'EMEA'));
    h.rt.store.accounts.upsert(vandelay('vandelay-x', [], 'APAC'));
    h.rt.reindex();
    const answer = await whoOwnsAnswer(USERS.sam, 'vandelay');
    expect(buttonsIn(answer).map((b) => b.text.text).sort()).toEqual(['Vandelay (APAC)', 'Vandelay (vandelay.com)', 'Vandelay (vandelay.de)']);
    // and so in the forms' account search
    const res = await h.send(blockSuggestion({ user: USERS.sam, actionId: SLACK_IDS.options.account, blockId: 'account', value: 'vandelay' }));
    const labels = (res.json() as { options: { text: { text: string } }[] }).options.map((o) => o.text.text);
    expect(labels.sort()).toEqual(['Vandelay (APAC)', 'Vandelay (vandelay.com)', 'Vandelay (vandelay.de)']);
  });

  it('an empty query gets how to use it, only for the asker', async () => {
    const answer = await whoOwnsAnswer(USERS.sam, '   ');
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toContain('/who-owns acme');
  });

  it('a domain Slack turned into a link is searched as typed', async () => {
    expect(visible(await whoOwnsAnswer(USERS.sam, '<http://acme.io|acme.io>'))).toContain('Northwind Partners (First registration)');
  });

  it('when Slack cannot say who the user is, the answer is an apology, in the acknowledgement, and the failure is logged', async () => {
    h.fake.failNext(1, { error: 'invalid_auth' }, 'users.info');
    const answer = await whoOwnsAnswer(USERS.rep, 'acme corp');
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(/Sorry, something went wrong on our side/);
    expect(visible(answer)).not.toContain('Northwind');
    expect(h.rt.logs.lines.some((l) => l.includes('slack request failed'))).toBe(true);
  });

  it('asks users.info once per user and answers the next commands without it', async () => {
    await whoOwnsAnswer(USERS.rep, 'acme corp');
    await whoOwnsAnswer(USERS.rep, 'soylent');
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).toEqual([USERS.rep.id]);
  });
});

describe('Slack Connect users', () => {
  it('a partner user (team T0CONTOSO) sees "another party", never another partner’s name, deal size or evidence', async () => {
    const seen = visible(await whoOwnsAnswer(USERS.contoso, 'acme corp', { channel: SHARED_CHANNEL }));
    expect(seen).toContain('protected by another party until');
    expect(seen).not.toContain('Northwind');
    expect(seen).not.toContain('48,000');
    expect(seen).not.toContain('CIO');
    // Their team came from users.info: the command's team_id is the host workspace's.
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).toContain(USERS.contoso.id);
  });

  it('the partner whose claim it is sees their own deal (team from the payload’s user_team)', async () => {
    const seen = visible(await whoOwnsAnswer(USERS.northwind, 'acme corp', { channel: SHARED_CHANNEL, withUserTeam: true }));
    expect(seen).toContain('Northwind Partners');
    expect(seen).toContain('48,000');
    expect(h.fake.callsTo('users.info')).toHaveLength(0);
  });

  it('a user of no known partner is told politely and gets no form', async () => {
    const { responseUrl } = await h.command(USERS.stranger, C.claim, 'acme', { channel: SHARED_CHANNEL });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(/not linked to a partner of ours/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('an unknown user may still ask for help', async () => {
    const { responseUrl } = await h.command(USERS.stranger, C.roe, 'help');
    const seen = visible(await h.answer(responseUrl));
    expect(seen).toContain('/who-owns <name, alias or domain>');
    expect(seen).toMatch(/not linked to a partner of ours yet, so this help is all I can offer/);
    // Said first, before what the bot does; and nothing of what only the company's people do.
    expect(seen.indexOf('this help is all I can offer')).toBeLessThan(seen.indexOf('/who-owns <name, alias or domain>'));
    expect(seen).not.toContain('/roe queue');
    expect(seen).not.toMatch(/Arbitrators|our partner rules/);
  });

  it.each(['single', 'multi'] as const)('a %s-channel guest of the workspace (perhaps a partner’s person) is no colleague: no account is answered, no form opens, help says why', async (kind) => {
    const guest = { id: `U0GUEST${kind.toUpperCase()}`, name: 'gina.guest', team: USERS.sam.team };
    h.fake.addUser({ id: guest.id, team_id: guest.team, name: guest.name, guest: kind });
    const answer = await whoOwnsAnswer(guest, 'acme corp', { channel: SHARED_CHANNEL, withUserTeam: true });
    const seen = visible(answer);
    expect(seen).toMatch(/Guest accounts cannot use roe-bot, since it cannot tell whom a guest works for, so you cannot look up accounts/);
    expect(seen).not.toContain('Northwind');
    expect(seen).not.toContain('48,000');
    const { responseUrl } = await h.command(guest, C.claim, 'acme', { channel: SHARED_CHANNEL });
    expect(visible(await h.answer(responseUrl))).toMatch(/Guest accounts cannot use roe-bot/);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
    const help = await h.command(guest, C.roe, 'help');
    expect(visible(await h.answer(help.responseUrl))).toMatch(/Guest accounts cannot use roe-bot, since it cannot tell whom a guest works for, so this help is all I can offer\. Ask for a full account/);
  });

  it('a full member of the workspace is a colleague, as users.info says (asked once, then remembered)', async () => {
    expect(visible(await whoOwnsAnswer(USERS.rep, 'acme corp', { channel: SHARED_CHANNEL, withUserTeam: true }))).toContain('Northwind Partners');
    await whoOwnsAnswer(USERS.rep, 'acme corp', { channel: SHARED_CHANNEL, withUserTeam: true });
    expect(h.fake.callsTo('users.info').filter((c) => c.args.user === USERS.rep.id)).toHaveLength(1);
  });

  it('an unknown user asking who owns an account is told politely that only help is open to them', async () => {
    const answer = await whoOwnsAnswer(USERS.stranger, 'acme');
    expect(answer.response_type).toBe('ephemeral');
    const seen = visible(answer);
    expect(seen).toMatch(/only offer help/);
    expect(seen).not.toContain('Northwind');
  });
});

describe('/roe', () => {
  it('/roe queue as a partner’s user: what the queue is and where their own cases are, in the message and in its notification text, never "No queue"', async () => {
    const { responseUrl } = await h.command(USERS.contoso, C.roe, 'queue');
    const answer = await h.answer(responseUrl);
    expect(answer.text).toBe('The queue holds the cases arbitrators rule on; /roe mine lists your organisation’s claims and cases');
    expect(visible(answer)).toContain('Only arbitrators have a queue of cases to rule on. /roe mine lists the claims of Contoso Consulting and the cases they are in');
  });

  it.each([
    ['help', 'sam', ['/claim [account]', '/roe queue', 'Cases waiting for your ruling']],
    ['', 'sam', ['/who-owns <name, alias or domain>']],
    ['mine', 'sam', ['You have no claims. Register one with /claim.']],
    ['mine', 'northwind', ['Claims of Northwind Partners', 'Acme Corporation (Analytics): protected', 'Log activity on #']],
    ['queue', 'pat', ['No cases are waiting for your ruling: no disputes, no claims waiting for approval.']],
    ['queue', 'rep', ['Only arbitrators named in the policy have a queue.']],
    ['stats', 'sam', ['Settled automatically', 'By party', 'Northwind Partners', 'Contoso Consulting', 'the rows add up to more than the totals']],
    ['policy', 'sam', ['2026.1, effective 2026-01-01', 'Coverage (first match wins)', 'Strategic: direct-led', 'first-registration']],
    ['frobnicate', 'sam', ['Unknown command "frobnicate"']],
  ] as const)('/roe %s as %s', async (sub, who, expected) => {
    const { responseUrl } = await h.command(USERS[who], C.roe, sub);
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    const seen = visible(answer);
    for (const e of expected) expect(seen).toContain(e);
  });

  it('/roe activity N logs activity on any claim of the partner, not only the five /roe mine has buttons for; another partner is refused', async () => {
    // Northwind's claim on Acme (CRM-1001, #1).
    const logged = visible(await h.answer((await h.command(USERS.northwind, C.roe, 'activity 1', { withUserTeam: true })).responseUrl));
    expect(logged).toContain('Activity logged on claim #1 (Nov 30, 2026). It stays protected until Feb 13, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).');
    const refused = visible(await h.answer((await h.command(USERS.contoso, C.roe, 'activity 1', { withUserTeam: true })).responseUrl));
    expect(refused).not.toContain('Activity logged');
    expect(visible(await h.answer((await h.command(USERS.northwind, C.roe, 'activity', { withUserTeam: true })).responseUrl))).toContain('Name the claim by its number (your claims and their numbers are in /roe mine).');
  });

  it('/roe case without a number: a partner, who has no queue, is pointed to /who-owns, not to /roe queue', async () => {
    const { responseUrl } = await h.command(USERS.northwind, C.roe, 'case', { withUserTeam: true });
    const seen = visible(await h.answer(responseUrl));
    expect(seen).toContain("Give the dispute's number: /roe case 12. /who-owns <account> names the disputes of an account.");
    expect(seen).not.toContain('/roe queue');
  });

  it('/roe stats shows a partner only their own row', async () => {
    const { responseUrl } = await h.command(USERS.northwind, C.roe, 'stats', { withUserTeam: true });
    const seen = visible(await h.answer(responseUrl));
    expect(seen).toContain('Northwind Partners');
    expect(seen).not.toContain('Contoso');
    // No rows per party, so nothing said about them.
    expect(seen).not.toContain('add up to');
  });
});

describe('/claim and /dispute open modals', () => {
  interface InputSeen {
    type: string;
    block_id: string;
    optional: boolean;
    element: { type: string; action_id: string; min_query_length?: number; initial_option?: { value: string; text: { text: string } } };
  }
  const inputs = (view: { blocks: unknown[] }) => (view.blocks as InputSeen[]).filter((b) => b.type === 'input');

  it('/claim acme opens the claim modal with the command’s trigger and the account prefilled in a typeahead', async () => {
    const view = await h.openForm(USERS.sam, C.claim, 'acme', 'C0DEALS');
    expect(h.fake.callsTo('views.open')[0]!.args.trigger_id).toMatch(/trigger$/);
    expect(view.callback_id).toBe(SLACK_IDS.views.claim);
    const account = inputs(view).find((b) => b.block_id === 'account')!;
    expect(account.element).toMatchObject({ type: 'external_select', action_id: SLACK_IDS.options.account, min_query_length: 1, initial_option: { value: 'acme', text: { text: 'Acme Corporation' } } });
    expect(inputs(view).map((b) => b.block_id)).toEqual(['account', 'claimant', 'route', 'product', 'opportunity', 'stage', 'amount', 'evidence']);
    expect(JSON.parse(view.private_metadata)).toMatchObject({ channel: 'C0DEALS' });
  });

  it('a partner’s claim modal has no "claim for" choice', async () => {
    const view = await h.openForm(USERS.northwind, C.claim, '');
    const ids = inputs(view).map((b) => b.block_id);
    expect(ids).not.toContain('claimant');
    expect(inputs(view).find((b) => b.block_id === 'account')!.element.initial_option).toBeUndefined();
  });

  it('/dispute initech opens the dispute modal', async () => {
    const view = await h.openForm(USERS.contoso, C.dispute, 'initech');
    expect(view.callback_id).toBe(SLACK_IDS.views.dispute);
    expect(inputs(view).map((b) => b.block_id)).toEqual(['account', 'product', 'against', 'reason', 'evidence']);
    expect(inputs(view).find((b) => b.block_id === 'reason')!.optional).toBe(false);
    expect(inputs(view).find((b) => b.block_id === 'account')!.element.initial_option?.value).toBe('initech');
  });
});
