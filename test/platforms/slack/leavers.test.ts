/**
 * An arbitrator who left the company while the policy still names them: their Slack user is
 * deactivated. What reaches them is parked, saying who and why; their case is not lost: its SLA
 * runs, and at the breach it escalates as any other. `roe forget` then drops what was parked for them.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tick } from '../../../src/app/scheduler.js';
import { forgetUser } from '../../../db/repos/privacy.repo.js';
import { type Harness, sharedChannelDispute, startSlack, USERS, visible } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const toUser = (user: string, status: string) =>
  h.rt.db.sqlite.prepare("select id, body, last_error from outbox where status = ? and json_extract(target, '$.user') = ?").all(status, user) as { id: number; body: string; last_error: string | null }[];

it('a deactivated arbitrator’s case card is parked, and the case moves at once (not at the breach) to the next of the chain, who gets it; a forget drops what was parked for them', async () => {
  h.fake.deactivated.add(USERS.pat.id);
  const d = await sharedChannelDispute(h);
  await h.drain();
  expect(toUser(USERS.pat.id, 'parked')[0]!.last_error).toContain(`the Slack user ${USERS.pat.id} is deactivated or no longer in the workspace; they are "pat" of the policy, who has dispute #${d.id}`);

  // The bounce is looked at by the scheduler's next tick, long before any reminder or the breach.
  tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
  await h.drain();
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
  expect(toUser(USERS.pat.id, 'delivered')).toEqual([]);
  expect(toUser(USERS.pat.id, 'parked')).toHaveLength(1);
  const toDana = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.dana.id}`);
  expect(toDana.some((c) => visible(c.args).includes(`#${d.id}`))).toBe(true);

  const parked = toUser(USERS.pat.id, 'parked').length;
  const report = forgetUser(h.rt.db, `slack:${USERS.pat.id}`);
  expect(report.outbox).toBe(parked);
  expect(toUser(USERS.pat.id, 'parked')).toEqual([]);
});
