import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { approve } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { insertPolicy } from '../../db/repos/policies.repo.js';
import { policyTextWith } from '../support/builders.js';
import { outbox } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-blank-channel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

/**
 * A database holding, beside the example (2026.1), a version an earlier release stored with
 * escalation channels of only spaces (a file with them is refused now): 2026.9, in force from
 * June 1, 2026. The runtime is opened on it at `at`.
 */
function withBlankChannels(name: string, at: string): TestRuntime {
  const databasePath = join(dir, `${name}.db`);
  const first = testRuntime({ databasePath, demo: false });
  const text = policyTextWith([
    ['version: "2026.1"', 'version: "2026.9"'],
    ['effective: 2026-01-01', 'effective: 2026-06-01'],
    ['escalation_channel: { slack: C0ESCAL }', 'escalation_channel: { slack: "   ", teams: "  " }'],
  ]);
  expect(text).toContain('slack: "   "');
  insertPolicy(first.db.db, { version: '2026.9', effective: '2026-06-01', sourceHash: 'saved-by-an-earlier-release', body: text, loadedAt: new Date('2026-06-01T00:00:00Z') });
  first.close();
  const opened = testRuntime({ databasePath, at });
  expect(opened.policies.inForceAt(opened.clock.now()).version).toBe('2026.9');
  expect(opened.policies.inForceAt(opened.clock.now()).policy.sla.escalation_channel).toEqual({ slack: '   ', teams: '  ' });
  return opened;
}

const slack = (channel: string) => ({ origin: { platform: 'slack' as const, channel, thread: null }, requestKey: null });
const values = (account: string, stage = 'qualified', product = 'Analytics') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
const channelPosts = (r: TestRuntime) => outbox(r).filter((m) => m.target.includes('"kind":"channel"'));

describe('a stored policy version whose escalation channel is only spaces', () => {
  it('a Slack case past its whole chain is posted to no channel: the last person of the chain hears it at once, as with none named', () => {
    rt = withBlankChannels('chain', '2026-12-07T14:00:00Z'); // Monday 09:00 New York
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', 'proposal'), slack('C0DEALS'));
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), slack('C0DEALS'));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', policyVersion: '2026.9' });
    // Every timer of the case in order (reminders, breaches), the clock moved to each.
    for (let i = 0; i < 20; i++) {
      const next = rt.db.sqlite.prepare("select due_at from timers where status = 'pending' and subject = ? order by due_at limit 1").get(`dispute:${d.id}`) as { due_at: number } | undefined;
      if (!next) break;
      rt.clock.set(new Date(next.due_at).toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2, status: 'open' });
    expect(channelPosts(rt)).toEqual([]);
    const toVp = outbox(rt).filter((m) => m.target.includes('"user":"U0VP"'));
    expect(toVp.some((m) => m.summary === `Dispute #${d.id} is past its whole escalation chain`)).toBe(true);
    // Its reminders said so beforehand: it stays with the VP.
    const reminders = (rt.db.sqlite.prepare('select target, body from outbox').all() as { target: string; body: string }[])
      .filter((m) => m.target.includes('"user":"U0VP"'))
      .map((m) => JSON.parse(m.body) as { summary: string; blocks: { text?: string }[] })
      .filter((b) => b.summary.startsWith('Reminder:'));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((b) => b.blocks[0]!.text!.endsWith('You are the last in its escalation chain: it stays with you, overdue.'))).toBe(true);
  });

  it('a partner flagged from Slack is posted to no channel', () => {
    rt = withBlankChannels('flag', '2026-12-01T15:00:00Z');
    for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'proposal', 'Services'), slack('C0DEALS'));
    rt.clock.advance(3_600_000);
    for (const a of ['soylent', 'initech', 'muller']) {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a, 'qualified', 'Services'), slack('C0DEALS'));
      const d = rt.store.disputes.all().at(-1)!;
      approve(rt.deps, as.person(rt, d.arbitrator), d.id);
    }
    expect([...rt.store.ledger.entries()].filter((e) => e.subject === 'partner:contoso').map((e) => e.kind)).toEqual(['partner.flagged']);
    expect(channelPosts(rt)).toEqual([]);
  });
});
