import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tick } from '../../../src/app/scheduler.js';
import { undelivered } from '../../../db/repos/outbox.repo.js';
import { breachesFromLedger, SLA_BREACH_KINDS } from '../../../src/core/stats.js';
import { scheduleUnreachable } from '../../../src/core/sla/sla.service.js';
import { type Harness, sharedChannelDispute, SHARED_CHANNEL, startSlack, USERS } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

/** What was posted (ok) to a channel, as text. */
const postsTo = (channel: string) => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.result.ok === true);
const said = (c: { args: Record<string, unknown> }) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks)}`;
const history = (id: number) => [...h.rt.store.ledger.about([`dispute:${id}`])];
/** Fires the timers due (the bounce's), then delivers what they queued. */
async function settle() {
  tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
  await h.drain();
}

describe('an arbitrator whose Slack user was deactivated (Slack only: nowhere else to reach them)', () => {
  it('the case moves on at once to the next of its chain, who gets the card; the thread is told; the ledger says why, and it is not a breach; the card stays parked', async () => {
    h.fake.deactivated.add(USERS.pat.id);
    const d = await sharedChannelDispute(h);
    expect(d.arbitrator).toBe('pat');
    await h.drain();
    await settle();

    const now = h.rt.store.disputes.get(d.id)!;
    expect(now).toMatchObject({ arbitrator: 'dana', escalationLevel: 1, status: 'open' });
    // Dana gets the case with its ruling buttons, told why it came to her.
    const toDana = postsTo(`D${USERS.dana.id}`).map(said);
    expect(toDana.some((t) => t.includes('Yours to rule now: Pat Okafor cannot be reached in Slack: their user there is deactivated or gone.'))).toBe(true);
    // The thread (which partners read) says where the case is, not why.
    const thread = postsTo(SHARED_CHANNEL).map(said);
    expect(thread.some((t) => t.includes('The case moved: it is now with Dana Reyes'))).toBe(true);
    expect(thread.some((t) => t.includes('deactivated'))).toBe(false);
    // The ledger: the bounce, then the hand-on naming why; no escalation, so no breach counted.
    const entries = history(d.id);
    expect(entries.find((e) => e.kind === 'dispute.unreachable')?.payload).toEqual({ person: 'pat', level: 0, platform: 'slack', moved: true });
    expect(entries.find((e) => e.kind === 'dispute.reassigned')?.payload).toMatchObject({ from: 'pat', to: 'dana', level: 1, unreachable: ['slack'] });
    expect(breachesFromLedger(h.rt.store.ledger.ofKinds(SLA_BREACH_KINDS)).get(d.id) ?? 0).toBe(0);
    // Pat's card is still parked, and `roe outbox` lists it.
    const parked = undelivered(h.rt.db.db).filter((r) => r.status === 'parked');
    expect(parked.map((r) => r.target)).toEqual([{ kind: 'user', user: USERS.pat.id }]);
  });

  it('a second bounce, or the same bounce again after a restart, moves nothing', async () => {
    h.fake.deactivated.add(USERS.pat.id);
    const d = await sharedChannelDispute(h);
    await h.drain();
    await settle();
    const before = history(d.id).length;
    const posts = h.fake.callsTo('chat.postMessage').length;
    // The bounce recorded again (its timer replayed, a parked card retried): Dana keeps the case.
    scheduleUnreachable(h.rt.store, { disputeId: d.id, person: 'pat', platform: 'slack' }, h.rt.clock.now());
    await settle();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    expect(history(d.id)).toHaveLength(before);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(posts);
  });

  it('a bounce about someone who no longer has the case (it moved on, or closed, meanwhile) does nothing', async () => {
    const d = await sharedChannelDispute(h);
    await h.drain();
    const before = history(d.id).length;
    // Dana's card bounced, but Pat has the case.
    scheduleUnreachable(h.rt.store, { disputeId: d.id, person: 'dana', platform: 'slack' }, h.rt.clock.now());
    await settle();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
    // A closed case: nothing moves either.
    h.rt.store.disputes.update(d.id, { status: 'ruled' });
    scheduleUnreachable(h.rt.store, { disputeId: d.id, person: 'pat', platform: 'slack' }, h.rt.clock.now());
    await settle();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
    expect(history(d.id)).toHaveLength(before);
  });

  it('the last of the chain unreachable too: the case stays with them and goes to the escalation channel (no DM to them), once', async () => {
    for (const u of [USERS.pat, USERS.dana, USERS.vp]) h.fake.deactivated.add(u.id);
    const d = await sharedChannelDispute(h);
    for (let i = 0; i < 4; i++) {
      await h.drain();
      await settle();
    }
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2, status: 'open' });
    const channel = postsTo('C0ESCAL').map(said);
    expect(channel).toHaveLength(1);
    expect(channel[0]).toContain('Morgan Lee has dispute #');
    expect(channel[0]).toContain('cannot be reached in Slack: their user there is deactivated or gone, and nobody else in its escalation chain may take it.');
    expect(postsTo(SHARED_CHANNEL).map(said).some((t) => t.includes('The case stays with Morgan Lee, the last in its escalation chain, and is posted to the escalation channel.'))).toBe(true);
    const kinds = history(d.id).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'dispute.unreachable')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'dispute.reassigned')).toHaveLength(2);
    expect(kinds.some((k) => SLA_BREACH_KINDS.includes(k))).toBe(false);
    expect(history(d.id).filter((e) => e.kind === 'dispute.unreachable').at(-1)?.payload).toEqual({ person: 'vp', level: 2, platform: 'slack', kept: true });
    // Their card bounces again (a reminder, the parked card retried): the channel is not told again.
    scheduleUnreachable(h.rt.store, { disputeId: d.id, person: 'vp', platform: 'slack' }, h.rt.clock.now());
    h.rt.clock.advance(9 * 3_600_000);
    for (let i = 0; i < 3; i++) await settle();
    expect(postsTo('C0ESCAL')).toHaveLength(1);
    expect(history(d.id).filter((e) => e.kind === 'dispute.unreachable')).toHaveLength(3);
    expect(undelivered(h.rt.db.db).filter((r) => r.status === 'parked').length).toBeGreaterThanOrEqual(3);
  });
});
