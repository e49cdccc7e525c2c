import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { tick } from '../../../src/app/scheduler.js';
import { policyTextWith } from '../../support/builders.js';
import { startBoth, TEAMS_USERS, TENANTS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const dir = mkdtempSync(join(tmpdir(), 'xplat-esc-'));

const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

async function runPastChain(h: XHarness) {
  const rt = h.rt;
  // Contoso's rep in Teams, then Northwind's in a Slack Connect channel: the case is raised in Slack.
  await h.say(TEAMS_USERS.contoso, 'roe help');
  const carl = rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TENANTS.contoso, home: false });
  const nora = rt.resolve({ platform: 'slack', userId: 'U0NW1', displayName: 'Nora', orgId: 'T0NORTHWIND', home: false });
  submitClaim(rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: 'a:1on1-carl', thread: null }, requestKey: null });
  submitClaim(rt.deps, nora, values, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  const d = rt.store.disputes.all().at(-1)!;
  expect(d.origin?.platform).toBe('slack');
  h.fake.notIn.add('C0ESCAL'); // the bot was never invited to the escalation channel
  for (let i = 0; i < 80; i++) {
    rt.clock.advance(3 * 3600_000);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    await h.drain();
  }
  return rt.store.disputes.get(d.id)!;
}

it('control: a Slack case past its chain, the escalation channel closed to the bot, reaches the last person (on Slack) by DM', async () => {
  h = await startBoth();
  const d = await runPastChain(h);
  expect(d.arbitrator).toBe('vp');
  const dms = h.fake.callsTo('chat.postMessage').filter((c) => String(c.args.text).includes('past its whole escalation chain') && c.args.channel !== 'C0ESCAL' && c.result.ok === true);
  expect(dms.length).toBe(1);
});

it('a Slack case past its chain, the escalation channel closed to the bot, reaches the last person when they are only on Teams', async () => {
  const p = join(dir, 'vp-teams.yaml');
  writeFileSync(p, policyTextWith([['vp: { name: Morgan Lee, slack: U0VP, teams: "29:vp", email: morgan@example.com }', 'vp: { name: Morgan Lee, teams: "29:vp", email: morgan@example.com }']]));
  h = await startBoth({ policyPath: p });
  const d = await runPastChain(h);
  expect(d.arbitrator).toBe('vp');
  // The Slack post to the escalation channel failed (not_in_channel) ...
  const parked = h.rt.db.sqlite.prepare("select count(*) n from outbox where status = 'parked' and target like '%C0ESCAL%'").get() as { n: number };
  expect(parked.n).toBe(1);
  // ... and the thread was told the case stays with the last person of the chain, so they, reachable
  // on Teams, must hear it instead (README: "the case goes by DM to the last person of the chain instead").
  const toVp = h.connector.calls.filter((c) => (c.kind === 'send' || c.kind === 'create') && JSON.stringify(c.body).includes('past its whole escalation chain'));
  expect(toVp.length).toBe(1);
});
