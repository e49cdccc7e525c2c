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
const claim = (over: Record<string, string> = {}) => ({ account: 'soylent', claimant: 'direct', route: 'direct', product: 'Services', opportunity: 'Soylent services', stage: 'qualified', amount: '25000', evidence: 'Met their COO', ...over });
type Answer = { response_action: string; errors?: Record<string, string>; view?: unknown };
const ROUTE_DIRECT_REFUSED = "Route direct is for the direct team's own deals: a partner's claim goes to market by resell, referral, co-sell or marketplace.";
const DECIMAL_COMMA = 'A comma may only separate thousands, in groups of three (1,000,000.50): write decimals with a point, e.g. 12.50 or 50000.00';

describe('claim modal', () => {
  it('files the claim and turns the modal into the outcome', async () => {
    const view = await h.openForm(USERS.sam, C.claim, 'soylent');
    const res = await h.submit(USERS.sam, view, claim());
    expect(res.status).toBe(200);
    const body = res.json() as Answer;
    expect(body.response_action).toBe('update');
    expect(visible(body.view)).toMatch(/Claim #\d+ on Soylent Corp \(Services\) is protected until/);
    const filed = h.rt.store.claims.all().at(-1)!;
    expect(filed).toMatchObject({ accountId: 'soylent', claimant: 'direct', productLine: 'Services', createdBy: `slack:${USERS.sam.id}` });
  });

  it.each([
    ['a missing opportunity and a negative amount', { opportunity: '', amount: '-3' }, { opportunity: 'Required', amount: 'A positive number, e.g. 50000' }],
    ['an account nobody knows', { account: 'zzqx' }, { account: 'No account matches "zzqx"' }],
    ['an e-mail address at a personal mail provider', { account: 'jane@gmail.com' }, { account: "A personal mail address: give the company's name or web domain" }],
    ['an unknown stage', { stage: 'dreaming' }, { stage: '"dreaming" is not a stage: choose one of prospecting, qualified, proposal, negotiation, commit' }],
    ['no route chosen', { route: '' }, { route: 'Choose one of: resell, referral, co-sell, marketplace, direct' }],
    ['an amount with a decimal comma', { amount: '12,50' }, { amount: DECIMAL_COMMA }],
    ['an amount with a decimal comma after thousands grouped by points', { amount: '50.000,00' }, { amount: DECIMAL_COMMA }],
    ['an unknown stage and a negative amount, both at once', { stage: 'closing', amount: '-4' }, { amount: 'A positive number, e.g. 50000', stage: '"closing" is not a stage: choose one of prospecting, qualified, proposal, negotiation, commit' }],
    [
      'an unknown party, product line and stage and no route, all at once',
      { claimant: 'nobody', product: 'Nothing', stage: 'zzz', route: '' },
      { claimant: 'No partner named "nobody"', product: 'Choose one of: Core Platform, Analytics, Services', route: 'Choose one of: resell, referral, co-sell, marketplace, direct', stage: '"zzz" is not a stage: choose one of prospecting, qualified, proposal, negotiation, commit' },
    ],
  ])('refuses %s inline, on the right field, and files nothing', async (_case, over, errors) => {
    const view = await h.openForm(USERS.sam, C.claim);
    const before = h.ledgerCount();
    const res = await h.submit(USERS.sam, view, claim(over));
    expect(res.json()).toEqual({ response_action: 'errors', errors });
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
  });

  it.each([
    [C.claim, 'zzqx', 'No account matches "zzqx": search for it in the Account field (a name, alias or web domain).'],
    [C.dispute, 'acm', '"acm" matches several accounts'],
  ])('%s %s (no single account): the modal says so, and its Account field holds the text as typed; sent as it is, it is refused on that field', async (command, typed, intro) => {
    const view = await h.openForm(USERS.sam, command, typed);
    expect(visible(view)).toContain(intro);
    const account = view.blocks.find((b) => b.block_id === 'account')!.element as { type: string; initial_option?: unknown };
    expect(account).toMatchObject({ type: 'external_select', initial_option: { text: { type: 'plain_text', text: typed }, value: typed } });
    const res = await h.submit(USERS.sam, view, command === C.claim ? claim({ account: typed }) : { account: typed, product: 'Analytics', reason: 'We have worked it for a year' });
    expect((res.json() as Answer).errors?.account).toMatch(typed === 'zzqx' ? /^No account matches "zzqx"/ : /^Several accounts match: /);
  });

  it('a claim its party already holds is refused on the product line (the field to change to file another), with its whole message', async () => {
    const view = await h.openForm(USERS.northwind, C.claim);
    const res = await h.submit(USERS.northwind, view, claim({ account: 'acme', product: 'Analytics', route: 'resell' }));
    const body = res.json() as Answer;
    expect(body.response_action).toBe('errors');
    expect(body.errors).toEqual({ product: expect.stringMatching(/^There is already a live claim #\d+ for this party on Acme Corporation \(Analytics\)\. Log activity on it instead of filing again\.$/) });
  });

  it("a partner's user is offered no route direct; a colleague, who may file for the direct team, every route", async () => {
    const routes = (view: Awaited<ReturnType<typeof h.openForm>>) => view.blocks.find((b) => b.block_id === 'route')!.element!.options!.map((o) => [o.value, o.text.text]);
    expect(routes(await h.openForm(USERS.northwind, C.claim))).toEqual([['resell', 'resell'], ['referral', 'referral'], ['co-sell', 'co-sell'], ['marketplace', 'marketplace']]);
    expect(routes(await h.openForm(USERS.sam, C.claim))).toEqual([['resell', 'resell'], ['referral', 'referral'], ['co-sell', 'co-sell'], ['marketplace', 'marketplace'], ['direct', 'direct']]);
  });

  it.each([
    ["a partner's user sending route direct all the same", 'northwind', {}, { route: ROUTE_DIRECT_REFUSED }],
    ['a colleague claiming for a partner by route direct', 'sam', { claimant: 'northwind' }, { route: ROUTE_DIRECT_REFUSED }],
    ['a colleague claiming for a partner by route direct, with an unknown stage, both at once', 'sam', { claimant: 'contoso', stage: 'closing' }, { route: ROUTE_DIRECT_REFUSED, stage: '"closing" is not a stage: choose one of prospecting, qualified, proposal, negotiation, commit' }],
  ] as const)("refuses %s on the route, and files nothing", async (_case, user, over, errors) => {
    const view = await h.openForm(USERS[user], C.claim);
    const before = h.ledgerCount();
    const res = await h.submit(USERS[user], view, claim({ route: 'direct', ...over }));
    expect(res.json()).toEqual({ response_action: 'errors', errors });
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
  });

  it('an amount with commas grouping thousands by three is read as written', async () => {
    const view = await h.openForm(USERS.sam, C.claim, 'soylent');
    const res = await h.submit(USERS.sam, view, claim({ amount: '1,000,000.50' }));
    expect((res.json() as Answer).response_action).toBe('update');
    expect(h.rt.store.claims.all().at(-1)!.opportunity.amount).toBe(1000000.5);
  });

  it('a retried submission of the same view (Slack retry or a double click) files one claim', async () => {
    const view = await h.openForm(USERS.sam, C.claim);
    const first = await h.submit(USERS.sam, view, claim());
    const afterFirst = h.ledgerCount();
    const retry = await h.submit(USERS.sam, view, claim(), { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    const again = await h.submit(USERS.sam, view, claim());
    for (const r of [first, retry, again]) expect((r.json() as Answer).response_action).toBe('update');
    expect(visible((retry.json() as Answer).view)).toBe(visible((first.json() as Answer).view));
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(1);
    expect(h.ledgerCount()).toBe(afterFirst);
  });

  it('the account typeahead answers from the matcher', async () => {
    const res = await h.send(blockSuggestion({ user: USERS.sam, actionId: SLACK_IDS.options.account, blockId: 'account', value: 'acm' }));
    expect(res.status).toBe(200);
    const { options } = res.json() as { options: { text: { type: string; text: string }; value: string }[] };
    expect(options.map((o) => [o.value, o.text.text])).toEqual(expect.arrayContaining([
      ['acme', 'Acme Corporation'],
      ['acme-analytics', 'Acme Analytics GmbH'],
    ]));
    expect(options.every((o) => o.text.type === 'plain_text')).toBe(true);
  });

  it('the typeahead reads what is pasted as /who-owns does: a company page link is the company, a personal address none', async () => {
    const ask = async (value: string) => {
      const res = await h.send(blockSuggestion({ user: USERS.sam, actionId: SLACK_IDS.options.account, blockId: 'account', value }));
      expect(res.status).toBe(200);
      return (res.json() as { options: { value: string }[] }).options.map((o) => o.value);
    };
    expect((await ask('https://www.linkedin.com/company/acme-corporation/'))[0]).toBe('acme');
    expect(await ask('jane@gmail.com')).toEqual([]);
  });

  it('the typeahead looks accounts up for a partner’s user, and for nobody of an organisation that is no partner', async () => {
    const ask = async (user: (typeof USERS)[keyof typeof USERS]) => {
      const res = await h.send(blockSuggestion({ user, actionId: SLACK_IDS.options.account, blockId: 'account', value: 'acm' }));
      expect(res.status).toBe(200);
      return (res.json() as { options: { value: string }[] }).options.map((o) => o.value);
    };
    expect(await ask(USERS.northwind)).toContain('acme');
    // an unknown external may only ask for help: no account names, not even through a form's picker
    expect(await ask(USERS.stranger)).toEqual([]);
  });
});

describe('dispute modal', () => {
  it("a colleague's modal asks whom the dispute is for (Direct sales first and by default, then the partners) and raises it for the partner chosen; a partner's user's has no such field, and one forged into their submission is ignored", async () => {
    const view = await h.openForm(USERS.sam, C.dispute, 'acme');
    const choice = view.blocks.find((b) => b.block_id === 'claimant') as unknown as { label: { text: string }; element: { type: string; options: { value: string; text: { text: string } }[]; initial_option: { value: string } } };
    expect(choice.label.text).toBe('Dispute for');
    expect(choice.element.type).toBe('static_select');
    expect(choice.element.options.map((o) => [o.value, o.text.text])).toEqual([['direct', 'Direct sales'], ['contoso', 'Contoso Consulting'], ['fabrikam', 'Fabrikam Systems'], ['northwind', 'Northwind Partners']]);
    expect(choice.element.initial_option.value).toBe('direct');
    const res = await h.submit(USERS.sam, view, { account: 'acme', claimant: 'contoso', product: 'Analytics', reason: 'Contoso ran the workshops with their CIO' });
    const body = res.json() as Answer;
    expect(body.response_action).toBe('update');
    const raised = h.rt.store.disputes.all().at(-1)!;
    expect(raised).toMatchObject({ raisedBy: `slack:${USERS.sam.id}`, raisedAs: 'contoso', parties: ['contoso', 'northwind'] });
    expect(visible(body.view)).toContain(`Dispute #${raised.id} on Acme Corporation (Analytics) for Contoso Consulting was settled at once by the criteria: Northwind Partners owns it.`);

    // A day later: Contoso's case there was settled just now, over the same claims, and raised again at once it would be refused.
    h.rt.clock.advance(24 * 3_600_000);
    const theirs = await h.openForm(USERS.contoso, C.dispute, 'acme', SHARED_CHANNEL);
    expect(theirs.blocks.map((b) => b.block_id)).not.toContain('claimant');
    // The field of a colleague's modal, forged into the partner's user's submission.
    const forged = await h.submit(USERS.contoso, { ...theirs, blocks: [...theirs.blocks, view.blocks.find((b) => b.block_id === 'claimant')!] }, { account: 'acme', claimant: 'northwind', product: 'Analytics', reason: 'We have worked Acme for a year' });
    expect((forged.json() as Answer).response_action).toBe('update');
    const own = h.rt.store.disputes.all().at(-1)!;
    expect(own.id).not.toBe(raised.id);
    expect(own).toMatchObject({ raisedBy: `slack:${USERS.contoso.id}`, raisedAs: 'contoso' });
    expect([...h.rt.store.ledger.entries()].find((e) => e.kind === 'dispute.opened' && e.subject === `dispute:${own.id}`)?.payload).toMatchObject({ raisedAs: 'contoso' });
  });

  it.each([
    ['a reason that says nothing', { reason: 'no' }, { reason: 'Say why, in a sentence (at least 5 characters)' }],
    ['a claim number that is not a number', { against: 'abc' }, { against: 'A claim number, e.g. 12' }],
    ['a claim that is not on this account', { against: '999' }, { against: 'Claim #999 is not a live claim on this account for Analytics' }],
    ['an account nobody else holds', { account: 'soylent' }, { account: 'No other party holds this account for Analytics: nothing to dispute' }],
    ['an unknown product line with a reason that says nothing, both at once', { product: 'Nothing', reason: 'no' }, { product: 'Choose one of: Core Platform, Analytics, Services', reason: 'Say why, in a sentence (at least 5 characters)' }],
  ])('refuses %s inline and opens nothing', async (_case, over, errors) => {
    const view = await h.openForm(USERS.contoso, C.dispute, 'acme', SHARED_CHANNEL);
    const before = h.ledgerCount();
    const res = await h.submit(USERS.contoso, view, { account: 'acme', product: 'Analytics', reason: 'We have worked Acme for a year', ...over });
    expect(res.json()).toEqual({ response_action: 'errors', errors });
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.all()).toHaveLength(0);
  });

  it('an account another party holds on one product line only, disputed on another: the refusal names the line, not "nobody holds this account"', async () => {
    // Acme is Northwind's on Analytics (the demo claim), and nobody's on Core Platform.
    const held = h.rt.store.claims.forAccount('acme').find((c) => c.claimant === 'northwind')!;
    expect(held.productLine).toBe('Analytics');
    const view = await h.openForm(USERS.contoso, C.dispute, 'acme', SHARED_CHANNEL);
    const nothing = await h.submit(USERS.contoso, view, { account: 'acme', product: 'Core Platform', reason: 'We have worked Acme for a year' });
    expect(nothing.json()).toEqual({ response_action: 'errors', errors: { account: 'No other party holds this account for Core Platform: nothing to dispute' } });
    // Northwind's live claim on the account, named for the wrong line.
    const against = await h.submit(USERS.contoso, view, { account: 'acme', product: 'Core Platform', against: String(held.id), reason: 'We have worked Acme for a year' });
    expect(against.json()).toEqual({ response_action: 'errors', errors: { against: `Claim #${held.id} is not a live claim on this account for Core Platform` } });
    expect(h.rt.store.disputes.all()).toHaveLength(0);
  });

  it('a line the raiser’s own party already holds: the refusal says it is theirs, naming their claim, and does not send them to file one', async () => {
    // Initech (Core Platform) is Contoso's (the demo claim), and nobody else's.
    const own = h.rt.store.claims.forAccount('initech').find((c) => c.claimant === 'contoso')!;
    const view = await h.openForm(USERS.contoso, C.dispute, 'initech', SHARED_CHANNEL);
    const res = await h.submit(USERS.contoso, view, { account: 'initech', product: 'Core Platform', reason: 'We have worked Initech for a year' });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { account: `Already yours for Core Platform (claim #${own.id}): nothing to dispute` } });
    expect(h.rt.store.disputes.all()).toHaveLength(0);
  });

  it('the number of a claim of the raiser’s own is refused on that field, and nothing is opened', async () => {
    const own = h.rt.store.claims.forAccount('initech').find((c) => c.claimant === 'contoso')!;
    const view = await h.openForm(USERS.contoso, C.dispute, 'initech', SHARED_CHANNEL);
    const before = h.ledgerCount();
    const res = await h.submit(USERS.contoso, view, { account: 'initech', product: 'Core Platform', against: String(own.id), reason: 'We have worked Initech for a year' });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { against: `Claim #${own.id} is your own: give another party’s claim number, or leave it empty` } });
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.all()).toHaveLength(0);
  });

  it('a refusal that names no field (a dispute already open) shows on the account field', async () => {
    const claimed = async (user: (typeof USERS)[keyof typeof USERS], stage: string) => {
      const view = await h.openForm(user, C.claim, 'soylent');
      return h.submit(user, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage, amount: '', evidence: '' });
    };
    await claimed(USERS.northwind, 'proposal');
    await claimed(USERS.contoso, 'qualified');
    const open = h.rt.store.disputes.all().at(-1)!;
    expect(open.status).toBe('open');
    const view = await h.openForm(USERS.contoso, C.dispute, 'soylent', SHARED_CHANNEL);
    const res = await h.submit(USERS.contoso, view, { account: 'soylent', product: 'Analytics', reason: 'We have worked Soylent for a year' });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { account: expect.stringMatching(new RegExp(`^Dispute #${open.id} is already open on Soylent Corp \\(Analytics\\)`)) } });
  });

  it('a dispute by hand is answered in the modal and announced in the channel where it was raised', async () => {
    const view = await h.openForm(USERS.contoso, C.dispute, 'acme', SHARED_CHANNEL);
    const res = await h.submit(USERS.contoso, view, { account: 'acme', product: 'Analytics', reason: 'We have worked Acme for a year' });
    const body = res.json() as Answer;
    expect(body.response_action).toBe('update');
    expect(visible(body.view)).toContain('settled at once by the criteria: another party owns it');
    await h.drain();
    const announced = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(announced.length).toBeGreaterThan(0);
    expect(announced[0]!.args.thread_ts).toBeUndefined();
    expect(announced.slice(1).every((c) => c.args.thread_ts === announced[0]!.result.ts)).toBe(true);
    expect(visible(announced.map((c) => c.args))).not.toContain('Northwind');
  });
});
