import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../handlers/platforms/slack/ids.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { NASTY, seeded } from '../support/nasty.js';
import { startSlack, USERS, type Harness } from '../support/slack-harness.js';
import { blockActions, FORM, JSON_TYPE, slashCommand, viewSubmission, type OpenedView, type SlackRequest } from '../support/slack-requests.js';

const CASES = Number(process.env.ROE_SLACK_BAD_INPUT_CASES ?? 2000);
let h: Harness;
let claimView: OpenedView;
beforeAll(async () => {
  h = await startSlack();
  claimView = await h.openForm(USERS.sam, '/claim');
});
afterAll(() => h.close());

type Case = { label: string; req: SlackRequest; raw?: Buffer };

function generate(n: number): Case[] {
  const g = seeded(42);
  const users = Object.values(USERS);
  const commands = Object.values(SLACK_IDS.commands);
  const actions = Object.values(SLACK_IDS.actions);
  const text = () => (g.chance(0.7) ? g.pick(NASTY) : `${g.pick(NASTY)} ${g.pick(NASTY)}`.slice(0, 5000));
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const k = g.int(10);
    const user = g.pick(users);
    if (k < 3) {
      out.push({ label: 'slash command with hostile text', req: slashCommand({ command: g.pick(commands), text: text(), user, responseUrl: h.fake.responseUrl() }) });
    } else if (k < 4) {
      const req = slashCommand({ command: g.pick(commands), text: 'acme', user, responseUrl: h.fake.responseUrl() });
      const params = new URLSearchParams(req.body);
      const field = g.pick([...params.keys()].filter((f) => f !== 'command'));
      if (g.chance(0.5)) params.delete(field);
      else params.set(field, text());
      out.push({ label: `slash command with ${field} broken`, req: { body: params.toString(), contentType: FORM } });
    } else if (k < 6) {
      out.push({ label: 'button with a hostile value', req: blockActions({ user, actionId: g.pick(actions), value: text().slice(0, 2000), responseUrl: h.fake.responseUrl() }) });
    } else if (k < 8) {
      const values: Record<string, string> = {};
      for (const b of claimView.blocks) if (b.block_id && g.chance(0.8)) values[b.block_id] = text().slice(0, 3000);
      out.push({ label: 'claim form with hostile values', req: viewSubmission({ user, view: { ...claimView, id: `VBAD${i}` }, values }) });
    } else if (k < 9) {
      const body = JSON.parse(new URLSearchParams(blockActions({ user, actionId: g.pick(actions), value: '1' }).body).get('payload')!) as Record<string, unknown>;
      const key = g.pick(Object.keys(body).filter((x) => x !== 'type'));
      body[key] = g.pick([null, 42, 'x', [], {}, true, text()]);
      out.push({ label: `interactive payload with ${key} of the wrong type`, req: { body: new URLSearchParams({ payload: JSON.stringify(body) }).toString(), contentType: FORM } });
    } else {
      const broken = g.pick([
        { body: 'payload=%7Bnot%20json', contentType: FORM },
        { body: `payload=${encodeURIComponent(JSON.stringify(g.pick([[], 7, 'str', null])))}`, contentType: FORM },
        { body: '', contentType: FORM },
        { body: 'x'.repeat(100_000), contentType: FORM },
        { body: '{"type":"event_callback","event":', contentType: JSON_TYPE },
        { body: JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened', user: text(), tab: 'home' }, team_id: 'T0HOME', api_app_id: 'A0ROEBOT' }), contentType: JSON_TYPE },
        { body: '%ZZ%%=&&=', contentType: FORM },
      ] as SlackRequest[]);
      out.push({ label: 'malformed body', req: broken });
    }
  }
  return out;
}

describe('bad input over Slack HTTP', () => {
  it(`${CASES} signed but hostile or malformed requests: no crash, no unexplained 5xx, no state change except a valid claim`, async () => {
    const cases = generate(CASES);
    const count = (t: string) => (h.rt.db.sqlite.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n;
    const claimsBefore = count('claims');
    const statuses: Record<number, number> = {};
    for (let i = 0; i < cases.length; i += 25) {
      const batch = cases.slice(i, i + 25);
      const results = await Promise.all(batch.map((c) => h.send(c.req)));
      results.forEach((r, j) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        expect(r.status, `${batch[j]!.label}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
      });
    }
    // the bot still answers, the ledger verifies, and the only claims filed were complete, valid forms
    const health = await fetch(h.url.replace('/slack/events', '/healthz')).catch(() => null);
    expect(health === null || health.status === 404 || health.status === 200).toBe(true);
    expect(verifyChain(h.rt.store.ledger.entries())).toMatchObject({ ok: true });
    const newClaims = h.rt.store.claims.all().slice(claimsBefore);
    for (const c of newClaims) {
      expect(['resell', 'referral', 'co-sell', 'marketplace', 'direct']).toContain(c.route);
      expect(c.opportunity.name.trim().length).toBeGreaterThan(0);
    }
    expect(Object.keys(statuses).map(Number).every((s) => s < 500)).toBe(true);
  }, 600_000);
});

let unique = 0;
describe('malformed Slack bodies get a 400 naming the problem', () => {
  it.each([
    ['payload=null', FORM, 'the payload field is not a JSON object'],
    ['payload=%7Bnot', FORM, 'the payload field is not valid JSON'],
    [`payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: 'U1' }))}`, FORM, 'payload: user'],
    ['command=%2Froe&team_id=T0HOME', FORM, 'command: user_id'],
    ['hello=world', FORM, 'the form has neither a command nor a payload'],
    ['[1,2]', JSON_TYPE, 'the JSON body is not an object'],
  ])('%s', async (body, contentType, problem) => {
    const before = h.ledgerCount();
    // A timestamp of its own: the corpus above may have sent the same body this second, which would be a replay.
    const r = await h.send({ body, contentType: contentType as typeof FORM }, { timestamp: Math.floor(Date.now() / 1000) - 100 - ++unique });
    expect(r.status).toBe(400);
    expect((r.json() as { error: string }).error).toContain(problem);
    expect(h.ledgerCount()).toBe(before);
  });

  // Each of these used to route nowhere (a 404 after Bolt's 3-second timeout), throw in a listener
  // (an apology), or crash Bolt (a 500).
  const click = () => JSON.parse(new URLSearchParams(blockActions({ user: USERS.sam, actionId: SLACK_IDS.actions.pick_account, value: 'acme', responseUrl: h.fake.responseUrl() }).body).get('payload')!) as Record<string, unknown>;
  const submission = () => JSON.parse(new URLSearchParams(viewSubmission({ user: USERS.sam, view: { ...claimView, id: `VMAL${++unique}` }, values: { account: 'soylent', route: 'resell', product: 'Services', opportunity: 'Mine', stage: 'qualified' } }).body).get('payload')!) as Record<string, Record<string, unknown>>;
  const payloadOf = (p: unknown): SlackRequest => ({ body: new URLSearchParams({ payload: JSON.stringify(p) }).toString(), contentType: FORM });
  const without = (req: SlackRequest, field: string): SlackRequest => {
    const params = new URLSearchParams(req.body);
    params.delete(field);
    return { body: params.toString(), contentType: FORM };
  };
  it.each([
    ['a click without actions', () => payloadOf({ ...click(), actions: undefined }), 'payload: actions is missing'],
    ['a click without its container', () => payloadOf({ ...click(), container: undefined }), 'payload: container is missing'],
    ['a click with an empty actions list', () => payloadOf({ ...click(), actions: [] }), 'payload: actions has no action'],
    ['a click of a button no listener knows', () => payloadOf({ ...click(), actions: [{ type: 'button', action_id: 'roe_retired_button', value: '1' }] }), 'unknown action_id "roe_retired_button"'],
    ['a form submission without its view', () => payloadOf({ ...submission(), view: undefined }), 'payload: view is missing'],
    ['a form submission without its state', () => { const p = submission(); return payloadOf({ ...p, view: { ...p.view, state: undefined } }); }, 'payload: view.state is missing'],
    ['a form submission without its blocks', () => { const p = submission(); return payloadOf({ ...p, view: { ...p.view, blocks: undefined } }); }, 'payload: view.blocks is missing'],
    ['a form submission without its view id', () => { const p = submission(); return payloadOf({ ...p, view: { ...p.view, id: undefined } }); }, 'payload: view.id is missing'],
    ['a submission of a form no listener knows', () => { const p = submission(); return payloadOf({ ...p, view: { ...p.view, callback_id: 'roe_retired_form' } }); }, 'unknown callback_id "roe_retired_form"'],
    ['a typeahead query without its text', () => payloadOf({ type: 'block_suggestion', user: { id: USERS.sam.id, team_id: USERS.sam.team }, team: { id: 'T0HOME' }, action_id: SLACK_IDS.options.account }), 'payload: value is missing'],
    ['a command without its trigger_id', () => without(slashCommand({ command: '/claim', text: 'acme', user: USERS.sam, responseUrl: h.fake.responseUrl() }), 'trigger_id'), 'command: trigger_id is missing'],
    ['a command without its response_url', () => without(slashCommand({ command: '/roe', text: 'help', user: USERS.sam, responseUrl: h.fake.responseUrl() }), 'response_url'), 'command: response_url is missing'],
    ['an event callback without its event', () => ({ body: JSON.stringify({ type: 'event_callback', team_id: 'T0HOME', api_app_id: 'A0ROEBOT' }), contentType: JSON_TYPE }), 'event: event is missing'],
  ] as [string, () => SlackRequest, string][])('%s: a 400 at once, naming the problem; nothing changes', async (_, req, problem) => {
    const claims = h.rt.store.claims.all().length;
    const ledger = h.ledgerCount();
    const calls = h.fake.calls.length;
    const started = Date.now();
    const r = await h.send(req(), { timestamp: Math.floor(Date.now() / 1000) - 100 - ++unique });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.status).toBe(400);
    expect((r.json() as { error: string }).error).toBe(problem);
    await new Promise((ok) => setTimeout(ok, 50));
    expect(h.fake.calls.length).toBe(calls);
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    expect(h.ledgerCount()).toBe(ledger);
  });

  it.each([
    ['not JSON', '{"state":'],
    ['JSON of another shape', '[1,2]'],
    ['empty', ''],
  ])('a form whose private_metadata is %s is out of date: said on the form, nothing filed', async (_, metadata) => {
    const claims = h.rt.store.claims.all().length;
    const ledger = h.ledgerCount();
    const p = submission();
    const r = await h.send(payloadOf({ ...p, view: { ...p.view, private_metadata: metadata } }), { timestamp: Math.floor(Date.now() / 1000) - 100 - ++unique });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ response_action: 'errors', errors: { account: 'This form is out of date. Close it and open it again.' } });
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    expect(h.ledgerCount()).toBe(ledger);
  });

  it('a command no listener knows is answered at once, naming it, only to the user', async () => {
    const started = Date.now();
    const r = await h.send(slashCommand({ command: '/roe-old', text: 'acme', user: USERS.sam, responseUrl: h.fake.responseUrl() }), { timestamp: Math.floor(Date.now() / 1000) - 100 - ++unique });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ response_type: 'ephemeral', text: 'roe-bot has no command /roe-old. Try /roe help.' });
  });

  it('an unsigned malformed body is still refused as unsigned (401), and a huge body with 413', async () => {
    expect((await h.send({ body: 'payload=null', contentType: FORM }, { signature: 'v0=forged' })).status).toBe(401);
    expect((await h.send({ body: `payload=${'x'.repeat(1_100_000)}`, contentType: FORM })).status).toBe(413);
  });
});

describe('replayed Slack requests', () => {
  it('the same signed request sent again is refused with 401 and changes nothing', async () => {
    const view = await h.openForm(USERS.northwind, '/claim');
    const req = viewSubmission({ user: USERS.northwind, view, values: { account: 'soylent', route: 'resell', product: 'Services', opportunity: 'Replay me', stage: 'qualified', amount: '', evidence: '' } });
    const ts = Math.floor(Date.now() / 1000);
    const first = await h.send(req, { timestamp: ts });
    expect(first.status).toBe(200);
    const claims = h.rt.store.claims.all().length;
    const ledger = h.ledgerCount();
    const again = await h.send(req, { timestamp: ts });
    expect(again.status).toBe(401);
    expect((again.json() as { error: string }).error).toBe('replayed request');
    expect(h.rt.store.claims.all().length).toBe(claims);
    expect(h.ledgerCount()).toBe(ledger);
  });
});

describe('invalid UTF-8 on the wire', () => {
  it('a body with invalid UTF-8 bytes is refused without a crash and changes nothing', async () => {
    const before = h.ledgerCount();
    const raw = Buffer.concat([Buffer.from('command=%2Fwho-owns&text='), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('&user_id=U0SAM&team_id=T0HOME')]);
    const ts = Math.floor(Date.now() / 1000);
    const { createHmac } = await import('node:crypto');
    const sig = `v0=${createHmac('sha256', 'f00dfacef00dfacef00dfacef00dface').update(Buffer.concat([Buffer.from(`v0:${ts}:`), raw])).digest('hex')}`;
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': FORM, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig }, body: raw });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('the body is not valid UTF-8');
    expect(h.ledgerCount()).toBe(before);
  });
});
