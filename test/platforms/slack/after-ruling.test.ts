import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import type { ApiCall } from '../../support/fake-slack.js';
import { stringify } from 'csv-stringify/sync';
import { submitClaim } from '../../../handlers/claim.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { as } from '../../support/runtime.js';
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

describe('a case too long for one Slack message, after its ruling', () => {
  /** Northwind, Contoso and Direct sales (filed by Sam) claim in Slack, then 27 more partners, each with notes: 30 claims on Soylent (Analytics). */
  async function bigCase() {
    await fileClaim(USERS.northwind, claim({ stage: 'proposal' }));
    await fileClaim(USERS.contoso, claim());
    await fileClaim(USERS.sam, claim({ claimant: 'direct' }));
    const ids = Array.from({ length: 27 }, (_, i) => `bulk-${i}`);
    importCsv(h.rt.ctx, 'partners', 'p.csv', stringify([['id', 'name'], ...ids.map((id, i) => [id, `Bulk Partner ${i}`])]));
    for (const [i, id] of ids.entries()) {
      submitClaim(h.rt.deps, as.partner(h.rt, id), { ...claim({ opportunity: `Deal ${i}` }), evidence: `Met the CIO on day ${i}.` }, { origin: { platform: 'slack', channel: SHARED_CHANNEL, thread: null }, requestKey: null });
    }
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect(dispute).toMatchObject({ status: 'open', arbitrator: 'pat' });
    expect(dispute.claimIds).toHaveLength(30);
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.pat.id}`).at(-1)!;
    return { dispute, dm, dmTs: String(dm.result.ts), dmChannel: `D${USERS.pat.id}` };
  }
  type Seen = { type: string; text?: { text: string }; elements?: { text?: string; elements?: { text: string }[] }[] };
  const blocksOf = (call: ApiCall) => call.args.blocks as Seen[];
  /** The list items (claims, criteria) and the quotes a message shows, and what its last line says was left out. */
  function shownOf(blocks: Seen[]) {
    const items = blocks.filter((b) => b.type === 'section').flatMap((b) => b.text?.text.split('\n') ?? []).filter((l) => l.startsWith('• ')).length;
    const notes = blocks.filter((b) => b.type === 'rich_text' && JSON.stringify(b).includes('Met the CIO')).length;
    const more = /…and (\d+) more not shown\./.exec(JSON.stringify(blocks))?.[1];
    return { items, notes, more: Number(more) };
  }

  it('Award: the arbitrator’s card, updated in place, ends with the ruling and its rationale, and counts what it leaves out', async () => {
    const { dispute, dm, dmTs, dmChannel } = await bigCase();
    const award = buttonsOf(dm).find((b) => b.action_id === SLACK_IDS.actions.rule_award)!;
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'award modal');
    const res = await h.submit(USERS.pat, h.openedView(opened), { party: 'party:contoso', rationale: 'Contoso brought the customer to us first.' });
    expect((res.json() as { response_action: string }).response_action).toBe('update');
    const [update] = await h.fake.waitFor(() => (h.fake.callsTo('chat.update').length > 0 ? h.fake.callsTo('chat.update') : undefined), 'chat.update');
    expect(update!.args).toMatchObject({ channel: dmChannel, ts: dmTs });
    const blocks = blocksOf(update!);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(buttonsOf(update!)).toEqual([]);
    // What a person reads last: who ruled and for whom, then the rationale in their words.
    const tail = visible(blocks.slice(-3));
    expect(tail).toMatch(/^✅ Ruled by Pat Okafor on .*: Contoso Consulting owns it\.\nRationale\nContoso brought the customer to us first\.$/);
    // Left out: claims and criteria (list items) and notes (quotes), each counted once.
    const { items, notes, more } = shownOf(blocks);
    const criteria = h.rt.store.disputes.get(dispute.id)!.trace.length;
    expect(items).toBeLessThan(30 + criteria);
    expect(more).toBe(30 + criteria - items + (27 - notes));
  });

  it('Approve: the ruling DM of the party filed by one of the company’s people (who reads the whole case) ends with the ruling', async () => {
    const { dm, dmTs, dmChannel } = await bigCase();
    const approve = buttonsOf(dm).find((b) => b.action_id === SLACK_IDS.actions.rule_approve)!;
    expect(approve.text.text).toBe('Approve: Northwind Partners');
    await h.click(USERS.pat, approve.action_id, approve.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update');
    expect(visible(blocksOf(h.fake.callsTo('chat.update')[0]!).at(-1))).toMatch(/^✅ Ruled by Pat Okafor on .*: Northwind Partners owns it\.$/);
    await h.drain();
    const ruling = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.sam.id}` && /is ruled/.test(visible(c.args.blocks)))!;
    const blocks = blocksOf(ruling);
    expect(blocks.length).toBe(50);
    expect(visible(blocks[1])).toMatch(/^Dispute #\d+ over Soylent Corp \(Analytics\) is ruled: Northwind Partners owns it\./);
    expect(visible(blocks.at(-1))).toMatch(/^✅ Ruled by Pat Okafor on .*: Northwind Partners owns it\.$/);
    expect(visible(blocks.at(-2))).toMatch(/^…and \d+ more not shown\.$/);
  });
});
