import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { startBoth, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

it('a claim filed in a Teams channel that joins a case an import opened (no thread) parks no thread update', async () => {
  h = await startBoth();
  const rt = h.rt;
  rt.store.transaction(() => importCsv(rt.ctx, 'claims', 'c.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at\nX1,soylent,northwind,resell,Analytics,Imp,qualified,pending,2026-11-20T15:00:00Z\n'));
  const d = rt.store.disputes.all().at(-1)!;
  expect(d.origin).toBeNull();
  await h.say(TEAMS_USERS.contoso, 'roe help');
  const carl = rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TEAMS_USERS.contoso.tenant, home: false });
  submitClaim(rt.deps, carl, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, { origin: { platform: 'teams', channel: '19:chan@thread.tacv2', thread: '1700' }, requestKey: null });
  expect(rt.store.disputes.get(d.id)!.claimIds).toHaveLength(2);
  await h.drain();
  const parked = rt.db.sqlite.prepare("select target, last_error from outbox where status = 'parked'").all();
  expect(parked).toEqual([]);
});
