import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import type { ApiCall } from '../../support/fake-slack.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => { h = await startSlack(); });
afterEach(async () => { await h.close(); });

const claim = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent analytics', stage: 'qualified', amount: '25000', ...over });
async function fileClaim(user: SlackUser, values: Record<string, string>) {
  const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
  const res = await h.submit(user, view, values);
  return visible(res.json());
}
interface Button { action_id: string; value: string; text: { text: string } }
const buttonsOf = (call: ApiCall): Button[] => (call.args.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
async function openCase() {
  await fileClaim(USERS.northwind, claim({ stage: 'proposal' }));
  await fileClaim(USERS.contoso, claim());
  const dispute = h.rt.store.disputes.all().at(-1)!;
  await h.drain();
  const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
  return { dispute, dm, dmTs: String(dm.result.ts), dmChannel: `D${USERS.pat.id}` };
}

describe('a ruling that was made is never reported as a failure', () => {
  it('Approve: Slack fails the card update (a 500) after the ruling is recorded; the arbitrator is not told "something went wrong, try again"', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const [approve] = buttonsOf(dm);
    // Three 500s: the listeners' client (outside tests) retries twice.
    h.fake.failNext(3, { status: 500 }, 'chat.update');
    const { responseUrl } = await h.click(USERS.pat, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('ruled');
    const told = h.fake.responsesTo(responseUrl).map((r) => visible(r.body)).join('\n');
    expect(told).not.toMatch(/something went wrong on our side/);
  });

  it('Award: the modal says the ruling was made; a failed card update afterwards does not DM the arbitrator an apology', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const award = buttonsOf(dm).find((b) => b.action_id === SLACK_IDS.actions.rule_award)!;
    await h.click(USERS.pat, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length >= 3, 'award modal');
    const view = h.openedView(2);
    h.fake.failNext(3, { status: 500 }, 'chat.update');
    const res = await h.submit(USERS.pat, view, { party: 'party:contoso', rationale: 'Contoso brought the customer to us first.' });
    expect((res.json() as { response_action: string }).response_action).toBe('update');
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('ruled');
    const apologies = h.fake.callsTo('chat.postMessage').filter((c) => /something went wrong on our side/.test(visible(c.args)));
    expect(apologies.map((c) => c.args.channel)).toEqual([]);
  });
});

describe('a snooze that was made is never reported as a failure', () => {
  it('Slack fails the reminder’s update (a 500) after the snooze is recorded; the arbitrator is told it is snoozed, not "something went wrong, try again"', async () => {
    const { dispute } = await openCase();
    h.rt.clock.advance(24 * 3_600_000); // past the first reminder
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    const n = h.fake.callsTo('chat.postMessage').length;
    await h.drain();
    const reminder = h.fake.callsTo('chat.postMessage').slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const snooze = buttonsOf(reminder).find((b) => b.action_id.startsWith(SLACK_IDS.actions.snooze_reminder) && b.value.endsWith(':4h'))!;
    // Three 500s: the listeners' client (outside tests) retries twice.
    h.fake.failNext(3, { status: 500 }, 'chat.update');
    const { responseUrl } = await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: `D${USERS.pat.id}`, messageTs: String(reminder.result.ts) });
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update');
    await new Promise((r) => setTimeout(r, 300));
    expect([...h.rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.reminder_snoozed' && e.subject === `dispute:${dispute.id}`)).toHaveLength(1);
    // Only Pat is told what was done (the reminder still shows its buttons), not to try again.
    const [answer] = h.fake.responsesTo(responseUrl);
    expect(answer!.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visible(answer!.body)).toMatch(new RegExp(`^Reminder for dispute #${dispute.id} snoozed until .*\\. The SLA still breaches `));
    expect(visible(answer!.body)).not.toMatch(/something went wrong on our side/);
  });
});
