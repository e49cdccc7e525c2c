import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS, reply, text } from '../../../handlers/replies/model.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { submitAsk } from '../../../handlers/rule.js';
import { type Harness, SHARED_CHANNEL, startSlack, USERS, visible } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

/** A direct message between two people (the raiser and a colleague): not the raiser's DM with the bot (the fake's is `D` + their id), and one the bot can never join. */
const PEOPLE_DM = 'D0CARLANDKIM';
const carlsDm = `D${USERS.contoso.id}`;
const toCarl = () => h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === carlsDm).map((c) => visible(c.args));
const outbox = () => h.rt.db.sqlite.prepare('select status from outbox').all() as { status: string }[];

/** Northwind claims Soylent in the shared channel; Carl (Contoso) claims it from a DM with a colleague, which opens a case there. */
async function caseFromPeopleDm() {
  h.fake.unseen.add(PEOPLE_DM);
  const nw = await h.openForm(USERS.northwind, '/claim', '', SHARED_CHANNEL);
  await h.submit(USERS.northwind, nw, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'proposal' });
  await h.drain();
  const view = await h.openForm(USERS.contoso, '/claim', '', PEOPLE_DM);
  await h.submit(USERS.contoso, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent', stage: 'qualified' });
  return h.rt.store.disputes.all().at(-1)!;
}

describe('Slack: a case raised from a direct message between people', () => {
  it('a claim filed there that opens a case: the raiser gets its updates in their DM with the bot, told plainly why, with no broken link and no advice to invite the bot', async () => {
    const d = await caseFromPeopleDm();
    expect(d.origin).toMatchObject({ channel: PEOPLE_DM });
    await h.drain();
    const moved = toCarl().filter((t) => t.includes(`this update on dispute #${d.id}`));
    expect(moved.length, 'updates in Carl’s DM with the bot').toBeGreaterThan(0);
    for (const t of moved) {
      expect(t).toContain(`I could not post this update on dispute #${d.id} in the direct message where it was raised: I cannot post in a direct message between people, so the updates come here instead. Here it is:`);
      expect(t).not.toContain('<#');
      expect(t).not.toMatch(/invite/i);
    }
    // The announcement is among them, made for Carl (his own party named).
    expect(moved.some((t) => t.includes('Contoso Consulting') && t.includes('Parties'))).toBe(true);
    expect(outbox().every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a dispute raised by hand there (settled at once by the criteria): its announcement reaches the raiser’s DM with the bot, saying why in words', async () => {
    h.fake.unseen.add(PEOPLE_DM);
    // Nora (Northwind) disputes Contoso's claim on Initech from a DM with a colleague.
    const view = await h.openForm(USERS.northwind, '/dispute', 'initech', PEOPLE_DM);
    const res = await h.submit(USERS.northwind, view, { account: 'initech', product: 'Core Platform', reason: 'We met them first, at the summit' });
    expect(visible(res.json())).toContain('was settled at once by the criteria');
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.origin).toMatchObject({ channel: PEOPLE_DM });
    await h.drain();
    const noras = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.northwind.id}`).map((c) => visible(c.args));
    const said = noras.filter((t) => t.includes(`this update on dispute #${d.id}`));
    expect(said.length).toBeGreaterThan(0);
    for (const t of said) {
      expect(t).toContain('in the direct message where it was raised: I cannot post in a direct message between people, so the updates come here instead. Here it is:');
      expect(t).not.toContain('<#');
      expect(t).not.toMatch(/invite/i);
    }
    expect(outbox().every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a question on it: the raiser answers with the button of its DM (a modal), and the answer reaches the arbitrator alone, not the other party', async () => {
    const d = await caseFromPeopleDm();
    await h.drain();
    const before = toCarl().length;
    const pat = h.rt.resolve({ platform: 'slack', userId: USERS.pat.id, displayName: 'pat', orgId: USERS.pat.team, home: true });
    submitAsk(h.rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet the customer?' });
    await h.drain();
    const asked = toCarl().slice(before).filter((t) => t.includes('When did you first meet'));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('Answer with the button below: your answer goes only to Pat Okafor, who rules on it; no other party sees it.');
    expect(asked[0]).not.toContain('with the bot');
    expect(asked[0]).not.toContain('<#');
    // The button opens the answer form; what Carl sends reaches Pat's DM with the bot, shown as typed.
    const message = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === carlsDm && visible(c.args).includes('When did you first meet')).at(-1)!;
    const button = (message.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).flatMap((b) => b.elements ?? []).find((e) => e.action_id === SLACK_IDS.actions[ACTIONS.answer])!;
    expect(button.value).toBe(`${d.id}:When did you first meet the customer?`);
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.contoso, button.action_id, button.value, { channel: carlsDm, messageTs: String(message.result.ts) });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the answer modal');
    const view = h.openedView(opened);
    expect(visible(h.fake.callsTo('views.open')[opened]!.args.view as Record<string, unknown>)).toContain(`Your answer on dispute #${d.id} over Soylent Corp (Analytics) goes only to Pat Okafor`);
    const res = await h.submit(USERS.contoso, view, { answer: 'At the *summit* in May <!channel>' });
    expect(visible((res.json() as { view: Record<string, unknown> }).view)).toContain(`Your answer on dispute #${d.id} went to Pat Okafor, and to no other party.`);
    await h.drain();
    const toPat = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.pat.id}` && visible(c.args).includes('summit'));
    expect(toPat).toHaveLength(1);
    expect(visible(toPat[0]!.args)).toContain(`Contoso Consulting answered on dispute #${d.id} over Soylent Corp (Analytics), yours to rule.`);
    // Shown as typed: no mention of the channel, no bold.
    expect(JSON.stringify(toPat[0]!.args)).not.toContain('<!channel>');
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel !== `D${USERS.pat.id}` && visible(c.args).includes('summit'))).toEqual([]);
  });

  it('a channel post whose channel is a direct message (an escalation channel set to one): its fallback person is told in words, with no link and no advice to invite the bot', async () => {
    h.fake.unseen.add(PEOPLE_DM);
    h.rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'channel', channel: PEOPLE_DM, fallbackUser: USERS.pat.id }, body: reply('Dispute #9 is past its whole escalation chain', [text('Nobody ruled it in time.')], { visibility: 'public' }), dedupeKey: 'esc:dm' }, h.rt.clock.now());
    await h.drain();
    const dm = h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    expect(visible(dm.args)).toContain('I could not post this in the direct message it is for: I cannot post in a direct message between people, so it comes here instead. Here it is:');
    expect(visible(dm.args)).not.toContain('<#');
    expect(visible(dm.args)).not.toMatch(/invite/i);
    expect(outbox().every((r) => r.status === 'delivered')).toBe(true);
  });
});
