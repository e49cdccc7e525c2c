import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { tick } from '../../src/app/scheduler.js';
import { scheduleUnreachable } from '../../src/core/sla/sla.service.js';
import type { ChatPlatform } from '../../src/core/events.js';
import type { Dispute } from '../../src/core/types.js';
import { policyTextWith } from '../support/builders.js';
import { runtimesClosedAfterEach } from '../support/replies.js';
import { as, type TestRuntime } from '../support/runtime.js';

/**
 * Cases that nobody of their escalation chain can take, where the policy names no escalation
 * channel for the case's platform: partner ops hear of them in the other served platform's
 * channel, or, with none, from an error in the log that names the case, who has it and what to do.
 */

const dir = mkdtempSync(join(tmpdir(), 'roe-no-escalation-channel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const runtime = runtimesClosedAfterEach();

let files = 0;
/** A runtime on the example policy with `channels` as its escalation channels, serving `served`. */
function withChannels(channels: string, served: readonly ChatPlatform[], approval = false): TestRuntime {
  const policy = join(dir, `policy-${++files}.yaml`);
  writeFileSync(
    policy,
    policyTextWith([
      ['escalation_channel: { slack: C0ESCAL }', channels],
      ...(approval ? ([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']] as [string, string][]) : []),
    ]),
  );
  const rt = runtime({ at: '2026-12-07T14:00:00Z', policyPath: policy }); // Monday 09:00 New York
  rt.deps.platforms = served;
  return rt;
}

const slack = { origin: { platform: 'slack' as const, channel: 'C0DEALS', thread: null }, requestKey: null };
const values = (stage: string) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });

/** Northwind and Contoso claim Soylent in a Slack channel: a case for Pat (Default coverage: Pat, then Dana, then Morgan). */
function slackCase(rt: TestRuntime): Dispute {
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values('proposal'), slack);
  submitClaim(rt.deps, as.partner(rt, 'contoso'), values('qualified'), slack);
  const d = rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ arbitrator: 'pat', status: 'open', origin: { platform: 'slack' } });
  return d;
}

/** Each person of the chain's case card bounces on each of `on`, in turn, as the deliverers record it. */
function everyoneGone(rt: TestRuntime, d: Dispute, on: readonly ChatPlatform[]): void {
  for (const person of ['pat', 'dana', 'vp']) {
    for (const platform of on) {
      scheduleUnreachable(rt.store, { disputeId: d.id, person, platform }, rt.clock.now());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
  }
  expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2, status: 'open' });
}

/** The log's lines at `level` (pino: 50 error, 40 warn), as { msg, the rest }. */
const logged = (rt: TestRuntime, level: number) => rt.logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string } & Record<string, unknown>).filter((l) => l.level === level);

/** What the outbox holds for an escalation channel: [platform, channel, summary]. */
const channelPosts = (rt: TestRuntime) =>
  (rt.db.sqlite.prepare('select platform, target, body from outbox order by id').all() as { platform: string; target: string; body: string }[])
    .map((r) => ({ platform: r.platform, target: JSON.parse(r.target) as { kind: string; channel?: string }, body: JSON.parse(r.body) as { summary: string } }))
    .filter((r) => r.target.kind === 'channel')
    .map((r) => [r.platform, r.target.channel, r.body.summary]);

/** Every breach of the case in turn (the clock moved to each of its timers), until it is past its chain. */
function pastTheChain(rt: TestRuntime, d: Dispute): void {
  for (let i = 0; i < 20; i++) {
    const next = rt.db.sqlite.prepare("select due_at from timers where status = 'pending' and subject = ? order by due_at limit 1").get(`dispute:${d.id}`) as { due_at: number } | undefined;
    if (!next) break;
    rt.clock.set(new Date(next.due_at).toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  }
  expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2, status: 'open' });
  expect([...rt.store.ledger.about([`dispute:${d.id}`])].some((e) => e.kind === 'dispute.escalated_to_channel')).toBe(true);
}

describe('the last of the chain cannot be reached, and the policy names no escalation channel for the case’s platform', () => {
  it('with one named for the other platform the bot serves, the case is posted there', () => {
    const rt = withChannels('escalation_channel: { teams: "19:escal@thread.tacv2" }', ['slack', 'teams']);
    const d = slackCase(rt);
    everyoneGone(rt, d, ['slack', 'teams']);
    expect(channelPosts(rt)).toEqual([['teams', '19:escal@thread.tacv2', `Dispute #${d.id}: Morgan Lee, who has it, cannot be reached`]]);
    expect(logged(rt, 50)).toEqual([]);
  });

  it('with none the bot serves, an error in the log names the case, who cannot be reached and what to do, once', () => {
    // A Teams channel named, but the bot serves Slack alone.
    const rt = withChannels('escalation_channel: { teams: "19:escal@thread.tacv2" }', ['slack']);
    const d = slackCase(rt);
    everyoneGone(rt, d, ['slack']);
    expect(channelPosts(rt)).toEqual([]);
    const errors = logged(rt, 50);
    expect(errors.map((e) => e.msg)).toEqual([
      `Dispute #${d.id} on Soylent Corp (Analytics) reached nobody at the company: Morgan Lee ("vp"), the last of its escalation chain, cannot be reached in Slack (their user there is deactivated or gone), and the policy names no escalation channel for Slack (sla.escalation_channel), so only the case's thread was told. It stays with them, its SLA running: if they left, write a policy version without them in people, with someone else as the arbitrator or in the escalation chain of its coverage rule, and it moves on; name an escalation channel for Slack so that such cases are posted there.`,
    ]);
    expect(errors[0]).toMatchObject({ dispute: d.id, person: 'vp', unreachable: ['slack'] });
    // Their card bouncing again (a reminder, the parked card retried) says nothing more.
    scheduleUnreachable(rt.store, { disputeId: d.id, person: 'vp', platform: 'slack' }, rt.clock.now());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(logged(rt, 50)).toHaveLength(1);
  });

  it('a timer whose work is undone (it failed after the error was said) logs the error only when it is done again, once', () => {
    const rt = withChannels('escalation_channel: {}', ['slack']);
    const d = slackCase(rt);
    for (const person of ['pat', 'dana']) {
      scheduleUnreachable(rt.store, { disputeId: d.id, person, platform: 'slack' }, rt.clock.now());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp' });
    // Morgan's card bounces, and the timer's messages cannot be queued: its savepoint is undone.
    rt.db.sqlite.exec("CREATE TRIGGER no_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END");
    scheduleUnreachable(rt.store, { disputeId: d.id, person: 'vp', platform: 'slack' }, rt.clock.now());
    const failed = tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(failed.failed).toEqual([expect.objectContaining({ kind: 'dispute.unreachable' })]);
    expect(logged(rt, 50).map((e) => e.msg)).toEqual(['timer failed']);
    // Retried once the outbox takes messages again: said then, once.
    rt.db.sqlite.exec('DROP TRIGGER no_outbox');
    rt.clock.set(new Date(rt.clock.now().getTime() + 5 * 60_000).toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(logged(rt, 50).map((e) => e.msg)).toEqual(['timer failed', expect.stringMatching(new RegExp(`^Dispute #${d.id} on Soylent Corp \\(Analytics\\) reached nobody at the company`))]);
  });

  it('an approval case is named as one', () => {
    const rt = withChannels('escalation_channel: {}', ['slack'], true);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('qualified'), slack);
    const d = rt.store.disputes.all().at(-1)!;
    const claim = d.claimIds[0]!;
    everyoneGone(rt, d, ['slack']);
    expect(logged(rt, 50).map((e) => e.msg)).toEqual([expect.stringMatching(new RegExp(`^Approval of claim #${claim} \\(case #${d.id}\\) on Soylent Corp \\(Analytics\\) reached nobody at the company: Morgan Lee \\("vp"\\)`))]);
  });
});

describe('a breach past the end of the chain, with no escalation channel named for the case’s platform', () => {
  it('with one named for the other platform the bot serves, the case is posted there', () => {
    const rt = withChannels('escalation_channel: { teams: "19:escal@thread.tacv2" }', ['slack', 'teams']);
    const d = slackCase(rt);
    pastTheChain(rt, d);
    expect(channelPosts(rt)).toEqual([['teams', '19:escal@thread.tacv2', `Dispute #${d.id} is past its whole escalation chain`]]);
    expect(logged(rt, 50)).toEqual([]);
    expect(logged(rt, 40).filter((w) => w.dispute === d.id)).toEqual([]);
  });

  it('with none the bot serves, the log says who alone was told, and what to do', () => {
    const rt = withChannels('escalation_channel: {}', ['slack']);
    const d = slackCase(rt);
    pastTheChain(rt, d);
    expect(channelPosts(rt)).toEqual([]);
    const warned = logged(rt, 40).filter((w) => w.dispute === d.id);
    expect(warned.map((w) => w.msg)).toEqual([
      `Dispute #${d.id} on Soylent Corp (Analytics) is past its whole escalation chain, overdue, and only Morgan Lee ("vp"), who keeps it, was told: the policy names no escalation channel for Slack (sla.escalation_channel). Have them rule on it, or name an escalation channel for Slack so that such cases are posted there.`,
    ]);
  });

  it('with none the bot serves, and the last of the chain then found unreachable, an error says nobody at the company was told', () => {
    const rt = withChannels('escalation_channel: {}', ['slack']);
    const d = slackCase(rt);
    pastTheChain(rt, d);
    expect(logged(rt, 50)).toEqual([]);
    // The case card sent to Morgan as it went past the chain bounces: their Slack user is gone.
    scheduleUnreachable(rt.store, { disputeId: d.id, person: 'vp', platform: 'slack' }, rt.clock.now());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(logged(rt, 50).map((x) => x.msg)).toEqual([expect.stringMatching(new RegExp(`^Dispute #${d.id} on Soylent Corp \\(Analytics\\) reached nobody at the company: Morgan Lee \\("vp"\\), the last of its escalation chain, cannot be reached in Slack`))]);
  });
});
