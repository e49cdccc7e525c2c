/**
 * A claim the CRM's import brought has nobody in chat to warn before it goes dormant: whoever
 * logs activity on it takes it on, and its warnings and notices come to them from then on; a
 * re-import of the claim keeps them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { forgetUser } from '../../db/repos/privacy.repo.js';
import { consoleOrigin } from '../support/cases.js';
import { announce } from '../../handlers/notify.js';
import { tick } from '../../src/app/scheduler.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

// The test runtime's clock: 2026-11-30T15:00:00Z.
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const DAY = 86_400_000;
const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
// Protected, registered ten days ago with no activity since: warned on day 23, dormant on day 30.
const FILE = [HEADER, 'CRM-7,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,protected,2026-11-20T15:00:00Z,'].join('\n');
const importClaims = () => importCsv(rt.ctx, 'claims', 'claims.csv', FILE, { announce: (events) => announce(rt.deps, events, null) });
const claim = () => rt.store.claims.byRequestKey('import:CRM-7')!;
/** The users the outbox holds a dormancy warning for. */
const warned = () =>
  (rt.db.sqlite.prepare('select target, body from outbox').all() as { target: string; body: string }[])
    .filter((m) => (JSON.parse(m.body) as { summary: string }).summary.includes('goes dormant'))
    .map((m) => (JSON.parse(m.target) as { user?: string }).user);

it('warns nobody until someone logs activity on it; then that person is warned, says so when taking it on, and keeps it through a re-import', () => {
  importClaims();
  // Nobody took it on: its warning reaches nobody.
  rt.clock.advance(14 * DAY);
  tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  expect(warned()).toEqual([]);

  const carl = as.partner(rt, 'contoso', 'carl');
  const took = logClaimActivity(rt.deps, carl, String(claim().id));
  expect(took.blocks.map((b) => (b.type === 'text' ? b.text : ''))).toContain("It came from the CRM's import, with nobody in chat to warn: its warnings and notices now come to you.");
  expect(claim().createdBy).toBe(carl.userKey);
  const entry = [...rt.store.ledger.entries()].filter((e) => e.kind === 'claim.activity').at(-1)!;
  expect(entry.payload).toEqual({ adopted: true });

  // A re-import of the same claim keeps who took it on.
  importClaims();
  expect(claim().createdBy).toBe(carl.userKey);

  // Activity again: nothing more to take on.
  const again = logClaimActivity(rt.deps, carl, String(claim().id));
  expect(again.blocks).toHaveLength(1);

  // Its next warning (23 days after the last activity) comes to Carl.
  rt.clock.advance(24 * DAY);
  tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  expect(warned()).toEqual(['carl']);
});

it('a colleague who logs activity on a CRM claim of the direct team takes it on, and finds it in /roe mine', () => {
  importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-8,soylent,direct,direct,Analytics,Soylent direct,qualified,,,protected,2026-11-20T15:00:00Z,'].join('\n'));
  const sam = as.person(rt, 'sam');
  const id = rt.store.claims.byRequestKey('import:CRM-8')!.id;
  const took = logClaimActivity(rt.deps, sam, String(id));
  expect(took.blocks.map((b) => (b.type === 'text' ? b.text : ''))).toContain("It came from the CRM's import, with nobody in chat to warn: its warnings and notices now come to you, and /roe mine lists it.");
  expect(rt.store.claims.createdBy([sam.userKey]).map((c) => c.id)).toEqual([id]);
});

/**
 * Someone who filed claims leaves (a partner's rep leaves their company; a direct rep leaves the
 * company): `roe forget` their user, and their claims stay their party's, with nobody in chat
 * to warn, as the CRM's are: whoever of that party logs activity on one next takes it on.
 */
describe('the claims of someone who left and was forgotten', () => {
  const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent BI', stage: 'qualified', amount: '', evidence: '' };
  const texts = (r: ReturnType<typeof logClaimActivity>) => r.blocks.map((b) => (b.type === 'text' ? b.text : ''));

  it('a partner rep who left: the claim stays the partner’s, warns nobody, and a colleague logging activity takes it on and is warned from then on', () => {
    const nora = as.partner(rt, 'contoso', 'nora');
    submitClaim(rt.deps, nora, values, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    forgetUser(rt.db, nora.userKey);
    expect(rt.store.claims.get(id)!.claimant).toBe('contoso');
    rt.clock.advance(24 * DAY);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(warned()).toEqual([]);

    const carl = as.partner(rt, 'contoso', 'carl');
    const took = logClaimActivity(rt.deps, carl, String(id));
    expect(texts(took)).toContain('Whoever filed it is no longer known here (they left, and were forgotten), so nobody in chat was warned of it: its warnings and notices now come to you.');
    expect(rt.store.claims.get(id)!.createdBy).toBe(carl.userKey);
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'claim.activity').at(-1)!.payload).toEqual({ adopted: true });
    rt.clock.advance(24 * DAY);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(warned()).toEqual(['carl']);
  });

  it('a direct rep who left: a colleague logging activity on their claim takes it on, and finds it in /roe mine', () => {
    const riley = as.person(rt, 'riley');
    submitClaim(rt.deps, riley, { ...values, route: 'direct' }, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    forgetUser(rt.db, riley.userKey);
    const sam = as.person(rt, 'sam');
    const took = logClaimActivity(rt.deps, sam, String(id));
    expect(texts(took)).toContain('Whoever filed it is no longer known here (they left, and were forgotten), so nobody in chat was warned of it: its warnings and notices now come to you, and /roe mine lists it.');
    expect(rt.store.claims.createdBy([sam.userKey]).map((c) => c.id)).toEqual([id]);
  });

  it('a colleague logging activity on a claim whose filer is still known takes nothing on', () => {
    const nora = as.partner(rt, 'contoso', 'nora');
    submitClaim(rt.deps, nora, values, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    const took = logClaimActivity(rt.deps, as.partner(rt, 'contoso', 'carl'), String(id));
    expect(took.blocks).toHaveLength(1);
    expect(rt.store.claims.get(id)!.createdBy).toBe(nora.userKey);
  });
});

it('a warning still queued for whoever took the claim on is withdrawn when the CRM closes the claim: it would ask for activity on a closed claim', () => {
  importClaims();
  const carl = as.partner(rt, 'contoso', 'carl');
  logClaimActivity(rt.deps, carl, String(claim().id));
  // Its dormancy warning is queued for Carl (Slack or Teams slow: not sent yet).
  rt.clock.advance(24 * DAY);
  tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  expect(warned()).toEqual(['carl']);
  // The CRM closes it, its deal won, before the warning goes out.
  importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-7,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,won,2026-11-20T15:00:00Z,'].join('\n'), { announce: (events) => announce(rt.deps, events, null) });
  expect(claim().status).toBe('won');
  const statuses = (rt.db.sqlite.prepare('select status, body from outbox').all() as { status: string; body: string }[])
    .filter((m) => (JSON.parse(m.body) as { summary: string }).summary.includes('goes dormant'))
    .map((m) => m.status);
  expect(statuses).toEqual(['withdrawn']);
});
