/**
 * A claim the CRM's import brought has nobody in chat to warn before it goes dormant: whoever
 * logs activity on it takes it on, and its warnings and notices come to them from then on; a
 * re-import of the claim keeps them.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
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
