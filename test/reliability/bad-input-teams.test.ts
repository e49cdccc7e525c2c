import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_VERBS, TEAMS_IDS } from '../../handlers/platforms/teams/ids.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { NASTY, seeded } from '../support/nasty.js';
import { invokeActivity, messageActivity, startTeams, submitActivity, USERS, type ActivityJson, type Scope, type TeamsHarness } from '../support/teams-harness.js';

const CASES = Number(process.env.ROE_TEAMS_BAD_INPUT_CASES ?? 1000);
let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeams();
});
afterAll(() => h.stop());

function generate(n: number): { label: string; activity: ActivityJson | string }[] {
  const g = seeded(7);
  const users = Object.values(USERS);
  const scopes: Scope[] = [{ kind: 'personal' }, { kind: 'groupChat' }, { kind: 'channel' }];
  const text = () => (g.chance(0.6) ? g.pick(NASTY) : `${g.pick(['who-owns', 'claim', 'dispute', 'roe stats', 'roe mine', 'roe policy', ''])} ${g.pick(NASTY)}`);
  const junk = () => g.pick<unknown>([null, 42, 'x', [], {}, true, g.pick(NASTY)]);
  const out: { label: string; activity: ActivityJson | string }[] = [];
  for (let i = 0; i < n; i++) {
    const u = g.pick(users);
    const scope = g.pick(scopes);
    const k = g.int(10);
    if (k < 3) out.push({ label: 'message with hostile text', activity: messageActivity(u, text(), scope, h.connector.url) });
    else if (k < 5) {
      const data: Record<string, unknown> = {};
      for (const key of ['account', 'route', 'product', 'opportunity', 'stage', 'amount', 'evidence', 'reason', 'dispute', 'party', 'rationale', 'question', 'value']) if (g.chance(0.5)) data[key] = g.chance(0.7) ? g.pick(NASTY) : junk();
      out.push({ label: 'card action with hostile data', activity: invokeActivity(u, g.chance(0.9) ? g.pick(ALL_VERBS) : String(g.pick(NASTY)), data, scope, h.connector.url) });
    } else if (k < 6) {
      out.push({ label: 'Action.Submit with hostile value', activity: submitActivity(u, { verb: g.pick(ALL_VERBS), [g.pick(['account', 'dispute', 'rationale'])]: junk() }, scope, h.connector.url) });
    } else if (k < 8) {
      const a = messageActivity(u, 'who-owns acme', scope, h.connector.url);
      const key = g.pick(Object.keys(a));
      a[key] = junk();
      out.push({ label: `activity with ${key} of the wrong type`, activity: a });
    } else if (k < 9) {
      const a = invokeActivity(u, g.pick(ALL_VERBS), {}, scope, h.connector.url);
      a.value = junk();
      out.push({ label: 'invoke with a broken value', activity: a });
    } else {
      out.push({ label: 'malformed JSON', activity: g.pick(['{', '[]', 'null', '"x"', '{"type":42}', '{"type":"message"}', 'x'.repeat(10_000)]) });
    }
  }
  return out;
}

async function post(activity: ActivityJson | string): Promise<number> {
  const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
  const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await res.text();
  return res.status;
}

describe('bad input over Teams /api/messages', () => {
  it(`${CASES} hostile or malformed activities: no crash, no 5xx without a logged reason, the ledger verifies`, async () => {
    const cases = generate(CASES);
    const errorsLogged = () => h.rt.logs.lines.filter((l) => l.includes('"level":50')).length;
    let fiveHundreds = 0;
    for (let i = 0; i < cases.length; i += 20) {
      const batch = cases.slice(i, i + 20);
      const before = errorsLogged();
      const statuses = await Promise.all(batch.map((c) => post(c.activity)));
      const five = statuses.filter((s) => s >= 500).length;
      fiveHundreds += five;
      if (five > 0) expect(errorsLogged() - before, `a 5xx without a logged reason in: ${batch.map((c) => c.label).join(', ')}`).toBeGreaterThanOrEqual(five);
    }
    const health = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url)) });
    expect(health.status).toBeLessThan(300);
    expect(verifyChain(h.rt.store.ledger.entries())).toMatchObject({ ok: true });
    expect(fiveHundreds).toBeLessThan(CASES / 10);
  }, 600_000);
});

describe('malformed activities get a 400 naming the problem', () => {
  it.each([
    ['serviceUrl', 42, 'activity serviceUrl'],
    ['serviceUrl', 'file:///etc/passwd', 'activity serviceUrl'],
    ['from', null, 'activity from'],
    ['conversation', 'x', 'activity conversation'],
    ['type', undefined, 'activity type'],
    ['id', 5, 'activity id'],
    ['id', [], 'activity id'],
    ['locale', { lang: 'en' }, 'activity locale'],
    ['membersAdded', 'x', 'activity membersAdded'],
    ['membersAdded', [{ name: 'no id' }], 'activity membersAdded.0.id'],
    ['membersRemoved', 7, 'activity membersRemoved'],
  ])('%s = %j', async (key, value, problem) => {
    const a = messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url);
    if (value === undefined) delete a[key];
    else a[key] = value;
    const before = h.connector.calls.length;
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain(problem);
    expect(h.connector.calls.length).toBe(before);
  });
});

describe('a card action whose value is not a card action gets a 400 naming it, not an apology', () => {
  it.each([
    ['a value that is text', 'submit', 'activity value: Invalid input: expected object, received string'],
    ['an action that is null', { action: null }, 'activity value.action: Invalid input: expected object, received null'],
  ])('%s', async (_, value, problem) => {
    const a = invokeActivity(USERS.sam, TEAMS_IDS.actions.pick_account, { value: 'acme' }, { kind: 'personal' }, h.connector.url);
    a.value = value;
    const before = h.connector.calls.length;
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(problem);
    expect(h.connector.calls.length).toBe(before);
  });
});

describe('invalid UTF-8 on the wire', () => {
  it('an activity with invalid UTF-8 bytes gets a clear 4xx and no crash', async () => {
    const good = Buffer.from(JSON.stringify(messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url)));
    const raw = Buffer.concat([good.subarray(0, 20), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), good.subarray(20)]);
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('request body is not valid UTF-8');
  });
});

describe('an oversized activity', () => {
  it('gets 413, and the server still stops cleanly afterwards', async () => {
    const own = await startTeams();
    const res = await fetch(`${own.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'x'.repeat(2_000_000) }) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('request body too large');
    const started = Date.now();
    await own.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
