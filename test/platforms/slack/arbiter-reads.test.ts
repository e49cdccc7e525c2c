import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import type { ApiCall } from '../../support/fake-slack.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';

/**
 * What the company's arbitrator (Pat Okafor, Default coverage: Pat, then Dana, then Morgan)
 * reads of the cases that come to them: each DM says what to decide and by when, what happens if
 * they do not, and the card they rule from shows what they did and how the case now stands.
 */
let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const PAT = `D${USERS.pat.id}`;
const claim = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent analytics', stage: 'qualified', ...over });
async function fileClaim(user: SlackUser, values: Record<string, string>): Promise<void> {
  const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
  expect((await h.submit(user, view, values)).status).toBe(200);
  await h.drain();
}
const posts = () => h.fake.callsTo('chat.postMessage');
const dmsTo = (channel: string, from = 0) => posts().slice(from).filter((c) => c.args.channel === channel);
interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}
const buttonsOf = (call: ApiCall): Button[] => (call.args.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
async function hours(n: number) {
  for (let i = 0; i < n; i++) {
    h.rt.clock.advance(3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
  }
}
/** Northwind (qualified), then Contoso (proposal) claim Soylent: furthest stage recommends Contoso, Pat rules. Returns Pat's card. */
async function patsCase() {
  await fileClaim(USERS.northwind, claim());
  await fileClaim(USERS.contoso, claim({ stage: 'proposal' }));
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', recommendation: 'contoso' });
  return { d, card: dmsTo(PAT).at(-1)! };
}

describe('Slack: what the arbitrator reads of the cases that come to them', () => {
  it('Approve asks first what it does (one click rules for good); the other buttons open forms and ask nothing', async () => {
    const { d, card } = await patsCase();
    const buttons = buttonsOf(card) as (Button & { confirm?: unknown })[];
    const approve = buttons.find((b) => b.text.text === 'Approve: Contoso Consulting')!;
    expect(approve.confirm).toEqual({
      title: { type: 'plain_text', text: 'Approve Contoso Consulting?', emoji: false },
      text: { type: 'plain_text', text: `Contoso Consulting gets Soylent Corp (Analytics), and the other parties' claims in dispute #${d.id} are rejected. Every party is told, and a ruling is not undone.`, emoji: false },
      confirm: { type: 'plain_text', text: 'Approve', emoji: false },
      deny: { type: 'plain_text', text: 'Cancel', emoji: false },
      style: 'primary',
    });
    expect(buttons.filter((b) => b !== approve).map((b) => b.confirm)).toEqual([undefined, undefined]);
  });

  it('a reminder says to whom the case escalates once its SLA runs out', async () => {
    const { d } = await patsCase();
    const before = posts().length;
    await hours(24); // Tuesday 10:00 New York: half of the 16 business hours
    const [reminder] = dmsTo(PAT, before);
    expect(visible(reminder!.args)).toContain(`Reminder: dispute #${d.id} is due Dec 2, 2026, 10:00 AM EST. After that it escalates to Dana Reyes.`);
  });

  it('the escalation names the account to the arbitrator it left, and tells the one it came to, in the notification, that it is theirs and by when', async () => {
    const { d } = await patsCase();
    const before = posts().length;
    await hours(48); // past Wednesday 10:00 New York, the SLA's end
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana' });
    const moved = dmsTo(PAT, before).find((c) => String(c.args.text).includes('moved to'))!;
    expect(String(moved.args.text)).toBe(`Dispute #${d.id} on Soylent Corp (Analytics) moved to Dana Reyes`);
    expect(visible(moved.args)).toContain(`The SLA on dispute #${d.id} over Soylent Corp (Analytics) was breached, so it moved to Dana Reyes, who rules on it now.`);
    const toDana = dmsTo(`D${USERS.dana.id}`, before).find((c) => buttonsOf(c).length > 0)!;
    expect(String(toDana.args.text)).toBe(`Dispute #${d.id} on Soylent Corp (Analytics): escalated to you, yours to rule by Dec 4, 2026, 10:00 AM EST`);
  });

  it('a recommendation that changes while the case waits updates the card sent before: it no longer offers to approve a party that holds nothing', async () => {
    // Fabrikam's CRM registration (negotiation), then Northwind's claim (qualified): furthest stage recommends Fabrikam.
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    const fabrikam = (status: string) => importCsv(h.rt.ctx, 'claims', 'claims.csv', `${header}\nCRM-2001,soylent,fabrikam,resell,Analytics,Soylent BI,negotiation,90000,,${status},2026-11-30T14:00:00Z,2026-11-30T14:00:00Z\n`);
    fabrikam('protected');
    await fileClaim(USERS.northwind, claim());
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', recommendation: 'fabrikam' });
    const card = dmsTo(PAT).at(-1)!;
    expect(buttonsOf(card)[0]!.text.text).toBe('Approve: Fabrikam Systems');
    // The CRM closes Fabrikam's registration: Northwind is recommended now.
    h.rt.clock.advance(3_600_000);
    fabrikam('lost');
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'northwind' });
    const update = h.fake.callsTo('chat.update').filter((u) => u.args.channel === PAT && u.args.ts === String(card.result.ts)).at(-1);
    expect(update).toBeDefined();
    expect(visible(update!.args)).toContain(`A claim in dispute #${d.id} closed while it waited: the criteria now recommend Northwind Partners (it was Fabrikam Systems).`);
    expect(buttonsOf(update!).map((b) => b.text.text)).toEqual(['Approve: Northwind Partners', 'Award to another party', 'Ask for information']);
  });

  it('after Ask, the card Pat asked from shows the question and where the answers come', async () => {
    const { d, card } = await patsCase();
    const ask = buttonsOf(card).find((b) => b.text.text === 'Ask for information')!;
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, ask.action_id, ask.value, { channel: PAT, messageTs: String(card.result.ts) });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the ask modal');
    expect((await h.submit(USERS.pat, h.openedView(opened), { question: 'Who met the customer first, and when?' })).json()).toMatchObject({ response_action: 'update' });
    const update = await h.fake.waitFor(() => h.fake.callsTo('chat.update').find((u) => u.args.ts === String(card.result.ts)), 'the card updated');
    const said = visible(update.args);
    expect(said).toContain('Your question is in the dispute’s thread and went to the parties by direct message. Their answers will come to you here, by direct message.');
    expect(said).toContain('Who met the customer first, and when?');
    // Still Pat's to rule.
    expect(buttonsOf(update).map((b) => b.text.text)).toContain('Approve: Contoso Consulting');
    expect(h.rt.store.disputes.get(d.id)!.status).toBe('open');
  });

  it('after Ask from a reminder, the reminder keeps its Snooze buttons: Pat can still snooze it while waiting for the answers', async () => {
    const { d, card } = await patsCase();
    const before = posts().length;
    await hours(24); // Tuesday 10:00 New York: the first reminder rings
    const reminder = dmsTo(PAT, before).find((c) => buttonsOf(c).some((b) => b.action_id.startsWith(SLACK_IDS.actions.snooze_reminder)))!;
    const askFrom = async (message: ApiCall, question: string) => {
      const ask = buttonsOf(message).find((b) => b.text.text === 'Ask for information')!;
      const opened = h.fake.callsTo('views.open').length;
      await h.click(USERS.pat, ask.action_id, ask.value, { channel: PAT, messageTs: String(message.result.ts), messageBlocks: message.args.blocks as unknown[] });
      await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the ask modal');
      expect((await h.submit(USERS.pat, h.openedView(opened), { question })).json()).toMatchObject({ response_action: 'update' });
      return h.fake.waitFor(() => h.fake.callsTo('chat.update').filter((u) => u.args.ts === String(message.result.ts)).at(-1), 'the message updated');
    };
    const updated = await askFrom(reminder, 'Who met the customer first, and when?');
    expect(visible(updated.args)).toContain('Who met the customer first, and when?');
    expect(buttonsOf(updated).map((b) => b.text.text)).toEqual(['Approve: Contoso Consulting', 'Award to another party', 'Ask for information', 'Snooze 1h', 'Snooze 4h', 'Snooze to next business day']);
    // Its Snooze still snoozes the reminder.
    const snooze = buttonsOf(updated).find((b) => b.text.text === 'Snooze 4h')!;
    await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: PAT, messageTs: String(reminder.result.ts), messageBlocks: updated.args.blocks as unknown[] });
    const snoozed = await h.fake.waitFor(() => h.fake.callsTo('chat.update').find((u) => u.args.ts === String(reminder.result.ts) && visible(u.args).includes('snoozed until')), 'the reminder snoozed');
    expect(visible(snoozed.args)).toContain(`Reminder for dispute #${d.id} snoozed until`);
    // The case card (no reminder) gets no Snooze from an Ask.
    const fromCard = await askFrom(card, 'And who ran the workshop?');
    expect(buttonsOf(fromCard).map((b) => b.text.text)).toEqual(['Approve: Contoso Consulting', 'Award to another party', 'Ask for information']);
  });
});
