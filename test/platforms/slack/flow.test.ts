import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import type { ApiCall } from '../../support/fake-slack.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import type { SlackUser } from '../../support/slack-requests.js';
import { approve, submitAward } from '../../../handlers/rule.js';
import { submitClaim } from '../../../handlers/claim.js';
import { slackCaseCards } from '../../../src/app/slack.js';
import { as } from '../../support/runtime.js';
import { announce } from '../../../handlers/notify.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { retryParked } from '../../../db/repos/outbox.repo.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const A = SLACK_IDS.actions;
const claim = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent analytics', stage: 'qualified', amount: '25000', ...over });

async function fileClaim(user: SlackUser, values: Record<string, string>): Promise<string> {
  const view = await h.openForm(user, SLACK_IDS.commands.claim, '', SHARED_CHANNEL);
  const res = await h.submit(user, view, values);
  expect(res.status).toBe(200);
  const body = res.json() as { response_action: string; view: unknown };
  expect(body.response_action).toBe('update');
  return visible(body.view);
}

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}
const buttonsOf = (call: ApiCall): Button[] => (call.args.blocks as { type: string; elements?: Button[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);
const posts = () => h.fake.callsTo('chat.postMessage');

/** Two partners claim the same account and product at the same moment: the criteria only recommend, Pat rules. */
/** Pat, Dana, then Morgan (the last of the chain) let their SLAs run out: Morgan keeps the case, overdue. */
async function runPastChain() {
  const { dispute } = await openCase();
  for (let day = 0; day < 9; day++) {
    h.rt.clock.advance(24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
  }
  expect(h.rt.store.disputes.get(dispute.id)).toMatchObject({ status: 'open', arbitrator: 'vp' });
  return dispute;
}

async function openCase() {
  expect(await fileClaim(USERS.northwind, claim({ stage: 'proposal', evidence: 'Workshop with the CFO' }))).toMatch(/is protected until/);
  const seen = await fileClaim(USERS.contoso, claim());
  expect(seen).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) overlaps another claim\. Dispute #\d+ is with the arbitrator; you will be told the ruling\./);
  const dispute = h.rt.store.disputes.all().at(-1)!;
  expect(dispute.status).toBe('open');
  // The thread's announcement and assignment, the arbitrator's DM, Northwind's DM.
  expect(await h.drain()).toBe(4);
  const dm = posts().find((c) => c.args.channel === `D${USERS.pat.id}`)!;
  return { dispute, dm, dmTs: String(dm.result.ts), dmChannel: `D${USERS.pat.id}` };
}

describe('claim → overlap → dispute in the channel → arbitrator DM → ruling', () => {
  it('announces the dispute in the channel, threads the updates, DMs the arbitrator, and approving updates the DM in place', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();

    // Announced in the channel where the claim was filed; the announcement became the thread.
    const [announce, assigned] = posts().filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(announce!.args.thread_ts).toBeUndefined();
    expect(visible(announce!.args)).toContain(`Dispute #${dispute.id}: Soylent Corp`);
    const thread = h.rt.store.disputes.get(dispute.id)!.origin!.thread!;
    expect(thread).toMatch(/^\d+\.\d+$/);
    expect(assigned!.args.thread_ts).toBe(thread);
    expect(visible(assigned!.args)).toContain('Pat Okafor will rule by');

    // The arbitrator's DM: the case, parties, recommendation and trace, due time, buttons.
    expect(h.fake.callsTo('conversations.open').map((c) => c.args.users)).toContain(USERS.pat.id);
    const seen = visible(dm.args);
    // Its notification says what it wants of the arbitrator, and by when.
    expect(dm.args.text).toMatch(new RegExp(`^Dispute #${dispute.id} on Soylent Corp \\(Analytics\\): yours to rule by Dec \\d+, 2026`));
    expect(seen).toContain('A case for you to rule on by');
    for (const text of ['Soylent Corp (Analytics)', 'Contoso Consulting vs Northwind Partners', 'Due', 'Recommendation', 'Northwind Partners (Furthest stage)', 'Furthest stage', 'Workshop with the CFO']) expect(seen).toContain(text);
    const buttons = buttonsOf(dm);
    expect(buttons.map((b) => b.text.text)).toEqual(['Approve: Northwind Partners', 'Award to another party', 'Ask for information']);
    expect(buttons.map((b) => b.action_id)).toEqual([A.rule_approve, A.rule_award, A.rule_ask]);

    // Northwind, whose claim was there first, is told by DM, seeing only its own deal.
    const toNorthwindOpened = posts().find((c) => c.args.channel === `D${USERS.northwind.id}`)!;
    expect(toNorthwindOpened.args.text).toBe(`Dispute #${dispute.id} raised on Soylent Corp (Analytics)`);
    expect(visible(toNorthwindOpened.args)).toContain('Workshop with the CFO');
    expect(visible(toNorthwindOpened.args)).not.toContain('Contoso');
    expect(posts().some((c) => c.args.channel === `D${USERS.contoso.id}`)).toBe(false);

    // Pat approves from the DM: the DM is updated in place to show the outcome, without buttons.
    const before = h.ledgerCount();
    const { res } = await h.click(USERS.pat, buttons[0]!.action_id, buttons[0]!.value, { channel: dmChannel, messageTs: dmTs });
    expect(res.status).toBe(200);
    const update = await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update of the DM');
    expect(update.args).toMatchObject({ channel: dmChannel, ts: dmTs });
    expect(visible(update.args)).toMatch(/Ruled by Pat Okafor on .*: Northwind Partners owns it\./);
    expect(buttonsOf(update)).toEqual([]);
    expect(h.ledgerCount()).toBeGreaterThan(before);
    expect(h.rt.store.disputes.get(dispute.id)!).toMatchObject({ status: 'ruled', winner: 'northwind', ruledBy: 'pat' });

    // The ruling goes to the thread and to both parties by DM, each seeing what they may; the
    // arbitrator's case card is brought up to date (here it already was, by the click).
    const postsBefore = posts().length;
    expect(await h.drain()).toBe(4);
    expect(h.fake.callsTo('chat.update').map((c) => c.args.ts)).toEqual([dmTs, dmTs]);
    const after = posts().slice(postsBefore);
    const inThread = after.find((c) => c.args.channel === SHARED_CHANNEL)!;
    expect(inThread.args.thread_ts).toBe(thread);
    expect(visible(inThread.args)).toMatch(/Ruled by Pat Okafor/);
    // How the case ended is shown in the channel too; the thread's other updates stay in it.
    expect(String(inThread.args.reply_broadcast)).toBe('true');
    expect(assigned!.args.reply_broadcast).toBeUndefined();
    const toContoso = after.find((c) => c.args.channel === `D${USERS.contoso.id}`)!;
    expect(visible(toContoso.args)).toContain('another party owns it');
    expect(visible(toContoso.args)).not.toContain('Northwind');
    const toNorthwind = after.find((c) => c.args.channel === `D${USERS.northwind.id}`)!;
    expect(visible(toNorthwind.args)).toContain('Northwind Partners owns it');
  });
});

describe('refused rulings: only the clicker sees the refusal, and nothing changes', () => {
  it.each([
    ['a rep not named in the chain', USERS.sam, /Only Pat Okafor \(the assigned arbitrator\) or someone above them/],
    ['a partner in the shared channel', USERS.northwind, /Only Pat Okafor/],
  ])('%s clicking approve is refused', async (_who, user, message) => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const [approve] = buttonsOf(dm);
    const before = h.ledgerCount();
    const { res, responseUrl } = await h.click(user, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    expect(res.status).toBe(200);
    const answer = await h.answer(responseUrl);
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visible(answer)).toMatch(message);
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
    expect(h.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('approve on a card gone stale (a new claim changed the recommendation) rules nothing, and the card shows the case as it stands', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const [approve] = buttonsOf(dm);
    expect(approve!.value).toBe(`${dispute.id}:northwind`);
    expect(await fileClaim(USERS.sam, claim({ stage: 'commit' }))).toMatch(new RegExp(`Dispute #${dispute.id} is with the arbitrator`));
    const before = h.ledgerCount();
    const { responseUrl } = await h.click(USERS.pat, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(/changed since this card was sent .*Nothing was ruled: the case as it stands now was sent to you/);
    const update = h.fake.callsTo('chat.update')[0]!;
    expect(update.args).toMatchObject({ channel: dmChannel, ts: dmTs });
    expect(visible(update.args)).toContain('Approve: Direct sales');
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
  });

  it('recusal: a claim Pat files against a partner’s goes to Dana, saying why, and Pat clicking its Approve is told who rules instead', async () => {
    await fileClaim(USERS.northwind, claim());
    await fileClaim(USERS.pat, claim({ stage: 'proposal' }));
    const dispute = h.rt.store.disputes.all().at(-1)!;
    const pats = dispute.claimIds.at(-1)!;
    expect(dispute).toMatchObject({ status: 'open', arbitrator: 'dana', recommendation: 'direct' });
    await h.drain();
    expect(posts().filter((c) => c.args.channel === `D${USERS.pat.id}`).map((c) => visible(c.args))).not.toContainEqual(expect.stringContaining('yours to rule'));
    const dm = posts().find((c) => c.args.channel === `D${USERS.dana.id}`)!;
    expect(visible(dm.args)).toContain(`Pat Okafor filed claim #${pats} in this case, so Dana Reyes rules on it.`);
    const before = h.ledgerCount();
    const approveButton = buttonsOf(dm)[0]!;
    const { responseUrl } = await h.click(USERS.pat, approveButton.action_id, approveButton.value, { channel: `D${USERS.dana.id}`, messageTs: String(dm.result.ts) });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toContain(`You filed claim #${pats} in dispute #${dispute.id}, so you cannot rule on it: Dana Reyes does.`);
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
  });

  it('a claim joining the case is told as a join: the thread does not announce the assignment again, and the new card says why it came', async () => {
    const { dispute } = await openCase();
    h.rt.clock.advance(60_000);
    await fileClaim(USERS.sam, claim({ stage: 'commit' }));
    const n = posts().length;
    expect(await h.drain()).toBe(2);
    const [inThread, toPat] = [posts().slice(n).find((c) => c.args.channel === SHARED_CHANNEL)!, posts().slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!];
    expect(inThread.args.thread_ts).toBe(h.rt.store.disputes.get(dispute.id)!.origin!.thread);
    expect(visible(inThread.args)).toContain('Another claim joined this dispute. Pat Okafor will rule by Dec 2, 2026, 10:00 AM EST.');
    expect(visible(inThread.args)).not.toContain('The criteria did not settle this on their own.');
    expect(visible(toPat.args)).toContain(`Another claim joined dispute #${dispute.id}, yours to rule on by Dec 2, 2026, 10:00 AM EST: this card shows the case as it now stands`);
    expect(visible(toPat.args)).not.toContain('A case for you to rule on');
    expect(buttonsOf(toPat)[0]!.text.text).toBe('Approve: Direct sales');
  });

  it('a ruling by someone else after it (or at the same time) gets "already ruled by …" and changes nothing', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const [approve] = buttonsOf(dm);
    await h.click(USERS.pat, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'the first ruling');
    const before = h.ledgerCount();
    const { responseUrl } = await h.click(USERS.vp, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(new RegExp(`Dispute #${dispute.id} was already ruled by Pat Okafor on Nov 30, 2026, 10:00 AM EST`));
    expect(h.ledgerCount()).toBe(before);
    expect(h.fake.callsTo('chat.update')).toHaveLength(1);
    expect(h.rt.store.disputes.get(dispute.id)!.ruledBy).toBe('pat');
  });

  it('the arbitrator’s own second click (a double click) rules nothing more: the card shows the ruling it made', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const [approve] = buttonsOf(dm);
    await h.click(USERS.pat, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'the first ruling');
    expect(await h.drain()).toBe(4); // the ruling's news: the thread, both parties, the card
    const before = h.ledgerCount();
    const updates = h.fake.callsTo('chat.update').length;
    await h.click(USERS.pat, approve!.action_id, approve!.value, { channel: dmChannel, messageTs: dmTs });
    const again = await h.fake.waitFor(() => h.fake.callsTo('chat.update')[updates], 'the card brought up to date again');
    expect(again.args).toMatchObject({ channel: dmChannel, ts: dmTs });
    expect(visible(again.args)).toMatch(/Ruled by Pat Okafor on Nov 30, 2026, 10:00 AM EST: Northwind Partners owns it\./);
    expect(visible(again.args)).not.toContain('already ruled');
    expect(buttonsOf(again)).toEqual([]);
    expect(await h.drain()).toBe(0);
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)).toMatchObject({ status: 'ruled', ruledBy: 'pat', winner: 'northwind' });
  });
});

describe('award with a rationale, and asking for information', () => {
  it('award opens a modal with the parties and a required rationale; a short one is refused inline; the ruling updates the DM and the thread', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const award = buttonsOf(dm)[1]!;
    await h.click(USERS.pat, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length === 3, 'the award modal');
    const modal = h.openedView(2);
    expect(modal.callback_id).toBe(SLACK_IDS.views.award);
    const party = modal.blocks.find((b) => b.block_id === 'party')!;
    expect(party.element!.options!.map((o) => [o.value, o.text.text])).toEqual([
      ['party:contoso', 'Contoso Consulting'],
      ['party:northwind', 'Northwind Partners'],
      ['none', 'Nobody: reject the claims'],
    ]);
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ state: { dispute: String(dispute.id) }, message: { channel: dmChannel, ts: dmTs } });

    const before = h.ledgerCount();
    const short = await h.submit(USERS.pat, modal, { party: 'party:contoso', rationale: 'because' });
    expect(short.json()).toEqual({ response_action: 'errors', errors: { rationale: 'Explain the ruling (at least 10 characters)' } });
    const none = await h.submit(USERS.pat, modal, { rationale: 'Contoso sourced the lead at the trade show.' });
    expect(none.json()).toEqual({ response_action: 'errors', errors: { party: 'Pick a party' } });
    expect(h.ledgerCount()).toBe(before);

    const ok = await h.submit(USERS.pat, modal, { party: 'party:contoso', rationale: 'Contoso sourced the lead at the trade show.' });
    const result = ok.json() as { response_action: string; view: unknown };
    expect(result.response_action).toBe('update');
    expect(visible(result.view)).toContain('Contoso Consulting owns it.\nRationale\nContoso sourced the lead at the trade show.');
    const update = await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'the DM updated after the award');
    expect(update.args).toMatchObject({ channel: dmChannel, ts: dmTs });
    expect(visible(update.args)).toContain('Contoso Consulting owns it');
    expect(h.rt.store.disputes.get(dispute.id)!).toMatchObject({ status: 'ruled', winner: 'contoso' });

    const n = posts().length;
    await h.drain();
    const thread = posts().slice(n).find((c) => c.args.channel === SHARED_CHANNEL)!;
    expect(thread.args.thread_ts).toBe(h.rt.store.disputes.get(dispute.id)!.origin!.thread);
    // The rationale (which names a party) is for the parties, not a channel that may hold others.
    expect(visible(thread.args)).toContain('Ruled by Pat Okafor');
    expect(visible(thread.args)).not.toContain('Contoso sourced the lead');
    const toContoso = posts().slice(n).find((c) => c.args.channel === `D${USERS.contoso.id}`)!;
    expect(visible(toContoso.args)).toContain('Rationale\nContoso sourced the lead at the trade show.');
  });

  it('a claim waiting for approval has no other party to award to: its card offers Approve and Reject, and Reject’s form refuses it (to nobody)', async () => {
    const { dispute } = await openCase();
    submitAward(h.rt.deps, as.person(h.rt, 'pat'), { dispute: String(dispute.id), party: 'none', rationale: 'Neither party showed real engagement.' });
    await h.drain();
    // The ruling went against Contoso: its next claim on the line, colliding with nothing, waits for the arbitrator's approval.
    h.rt.clock.advance(3_600_000);
    expect(await fileClaim(USERS.contoso, claim({ stage: 'commit' }))).toMatch(/collides with no other claim, but needs an arbitrator's approval/);
    const approval = h.rt.store.disputes.all().at(-1)!;
    expect(approval.parties).toEqual(['contoso']);
    const n = posts().length;
    await h.drain();
    const card = posts().slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    expect(visible(card.args)).toContain('A claim for you to approve or reject by');
    const buttons = buttonsOf(card);
    expect(buttons.map((b) => b.text.text)).toEqual(['Approve: Contoso Consulting', 'Reject (with a rationale)', 'Ask for information']);
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, buttons[1]!.action_id, buttons[1]!.value, { channel: `D${USERS.pat.id}`, messageTs: String(card.result.ts) });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the award modal');
    const modal = h.openedView(opened);
    expect(modal.blocks.find((b) => b.block_id === 'party')!.element!.options!.map((o) => o.text.text)).toEqual(['Contoso Consulting', 'Nobody: reject the claim']);
    const ok = (await h.submit(USERS.pat, modal, { party: 'none', rationale: 'Same facts as the ruling a week ago.' })).json() as { view: unknown };
    expect(visible(ok.view)).toContain('no party gets the account; the claim was rejected');
    expect(h.rt.store.disputes.get(approval.id)).toMatchObject({ status: 'ruled', winner: null });
  });

  it('the award form submitted twice (a double click on Award) rules once; the second is answered with the ruling, not an error', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const award = buttonsOf(dm)[1]!;
    await h.click(USERS.pat, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length === 3, 'the award modal');
    const modal = h.openedView(2);
    const values = { party: 'contoso', rationale: 'Contoso sourced the lead at the trade show.' };
    expect((await h.submit(USERS.pat, modal, values)).json()).toMatchObject({ response_action: 'update' });
    const before = h.ledgerCount();
    const second = (await h.submit(USERS.pat, modal, values)).json() as { response_action: string; view: unknown };
    expect(second.response_action).toBe('update');
    expect(visible(second.view)).toContain('Contoso Consulting owns it.\nRationale\nContoso sourced the lead at the trade show.');
    expect(h.ledgerCount()).toBe(before);
    // Another rationale is another ruling: refused, naming the one made.
    const other = (await h.submit(USERS.pat, modal, { party: 'northwind', rationale: 'Northwind ran the workshop.' })).json() as { response_action: string; errors: Record<string, string> };
    expect(other.response_action).toBe('errors');
    expect(Object.values(other.errors).join(' ')).toMatch(/already ruled by Pat Okafor/);
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)).toMatchObject({ status: 'ruled', winner: 'contoso', rationale: values.rationale });
  });

  it('someone who may not rule is refused the award form: no modal opens, only they see why, nothing changes', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const award = buttonsOf(dm)[1]!;
    const before = h.ledgerCount();
    const opened = h.fake.callsTo('views.open').length;
    const { responseUrl } = await h.click(USERS.sam, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toMatch(/Only Pat Okafor/);
    expect(h.fake.callsTo('views.open')).toHaveLength(opened);
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
  });

  /** Opens Pat's award modal from the case card of `dm`. */
  async function awardModal(dm: ApiCall, dmTs: string, dmChannel: string) {
    const award = buttonsOf(dm)[1]!;
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, award.action_id, award.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the award modal');
    return h.openedView(opened);
  }
  const partyChoices = (modal: ReturnType<Harness['openedView']>) => modal.blocks.find((b) => b.block_id === 'party')!.element!.options!.map((o) => o.text.text);

  it('a party whose claim the CRM closed while the case waited is not awarded the line: an award form opened before is refused on its party field, and a new one does not list it', async () => {
    // Northwind's CRM registration on Acme (Analytics, qualified) against Contoso's claim at proposal: Pat rules.
    expect(await fileClaim(USERS.contoso, claim({ account: 'acme', stage: 'proposal' }))).toMatch(/overlaps another claim/);
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect(dispute).toMatchObject({ status: 'open', parties: ['contoso', 'northwind'] });
    await h.drain();
    const dm = posts().find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const modal = await awardModal(dm, String(dm.result.ts), `D${USERS.pat.id}`);
    expect(partyChoices(modal)).toEqual(['Contoso Consulting', 'Northwind Partners', 'Nobody: reject the claims']);
    // Northwind lost the deal: the CRM closes its registration.
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(h.rt.ctx, 'claims', 'claims.csv', `${header}\nCRM-1001,acme,northwind,resell,Analytics,Acme analytics rollout,qualified,48000,,lost,2026-11-12T15:00:00Z,2026-11-20T15:00:00Z\n`);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
    const before = h.ledgerCount();
    const res = await h.submit(USERS.pat, modal, { party: 'party:northwind', rationale: 'Northwind has worked Acme for a year.' });
    expect(res.json()).toEqual({ response_action: 'errors', errors: { party: 'Northwind Partners no longer holds a claim in this case' } });
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
    expect(h.rt.store.claims.forAccount('acme').find((c) => c.claimant === 'contoso')!.status).toBe('pending');
    expect(partyChoices(await awardModal(dm, String(dm.result.ts), `D${USERS.pat.id}`))).toEqual(['Contoso Consulting', 'Nobody: reject the claims']);
  });

  it('an award form opened before another claim joined the case rules nothing: the claim the arbitrator never saw is not rejected unseen', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const modal = await awardModal(dm, dmTs, dmChannel);
    // Fabrikam files on the same line meanwhile: its claim joins the case.
    submitClaim(h.rt.deps, as.partner(h.rt, 'fabrikam'), claim({ stage: 'commit' }), { origin: null, requestKey: null });
    const joined = h.rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'fabrikam')!;
    expect(h.rt.store.disputes.get(dispute.id)!.claimIds).toContain(joined.id);
    const before = h.ledgerCount();
    const res = (await h.submit(USERS.pat, modal, { party: 'party:northwind', rationale: 'Northwind ran the workshop with the CFO.' })).json() as { response_action: string; errors: Record<string, string> };
    expect(res.response_action).toBe('errors');
    expect(res.errors.party).toMatch(new RegExp(`^Claim #${joined.id} \\(Fabrikam Systems\\) joined dispute #${dispute.id} since this form was opened\\. Nothing was ruled`));
    expect(h.ledgerCount()).toBe(before);
    expect(h.rt.store.claims.get(joined.id)!.status).toBe('pending');
    // Opened again, the form lists the newcomer, and rules.
    const again = await awardModal(dm, dmTs, dmChannel);
    expect(partyChoices(again)).toEqual(['Contoso Consulting', 'Northwind Partners', 'Fabrikam Systems', 'Nobody: reject the claims']);
    expect((await h.submit(USERS.pat, again, { party: 'party:northwind', rationale: 'Northwind ran the workshop with the CFO.' })).json()).toMatchObject({ response_action: 'update' });
    expect(h.rt.store.claims.get(joined.id)!.status).toBe('rejected');
  });

  it('ask for information: the question goes to the dispute thread and the case stays open', async () => {
    const { dispute, dm, dmTs, dmChannel } = await openCase();
    const ask = buttonsOf(dm)[2]!;
    await h.click(USERS.pat, ask.action_id, ask.value, { channel: dmChannel, messageTs: dmTs });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length === 3, 'the ask modal');
    const modal = h.openedView(2);
    expect(modal.callback_id).toBe(SLACK_IDS.views.ask);
    expect((await h.submit(USERS.pat, modal, { question: 'Who?' })).json()).toEqual({ response_action: 'errors', errors: { question: 'Write the question (at least 5 characters)' } });
    const ok = await h.submit(USERS.pat, modal, { question: 'Who met the customer first?' });
    const result = ok.json() as { response_action: string; view: { title: { text: string }; blocks: { type: string }[] } };
    expect(result.response_action).toBe('update');
    // the modal confirms, and holds no ruling buttons (those stay on the DM card)
    expect(result.view.title.text).toBe('Question sent');
    expect(visible(result.view)).toContain('Your question is in the dispute’s thread');
    expect(result.view.blocks.some((b) => b.type === 'actions')).toBe(false);
    const n = posts().length;
    await h.drain();
    const inThread = posts().slice(n).filter((c) => c.args.channel === SHARED_CHANNEL);
    expect(inThread).toHaveLength(1);
    expect(inThread[0]!.args.thread_ts).toBe(h.rt.store.disputes.get(dispute.id)!.origin!.thread);
    expect(visible(inThread[0]!.args)).toContain('Question from Pat Okafor\nWho met the customer first?');
    expect(h.rt.store.disputes.get(dispute.id)!.status).toBe('open');
    // the same modal submitted again (a double click, a retry) asks nothing more
    h.rt.clock.advance(1_000);
    const asked = [...h.rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_requested').length;
    expect((await h.submit(USERS.pat, modal, { question: 'Who met the customer first?' })).json()).toMatchObject({ response_action: 'update' });
    const m = posts().length;
    await h.drain();
    expect(posts().slice(m).filter((c) => c.args.channel === SHARED_CHANNEL)).toEqual([]);
    expect([...h.rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_requested')).toHaveLength(asked);
  });

  it('ask on a case raised in a party’s own DM with the bot: the modal says the answers come to the arbitrator directly, as the parties were told, not to a thread', async () => {
    expect(await fileClaim(USERS.northwind, claim({ stage: 'proposal' }))).toMatch(/is protected until/);
    // Contoso files from its own DM with the bot: the case's "thread" is that DM, which nobody else reads.
    const view = await h.openForm(USERS.contoso, SLACK_IDS.commands.claim, '', `D${USERS.contoso.id}`);
    await h.submit(USERS.contoso, view, claim());
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect(dispute.origin?.channel).toBe(`D${USERS.contoso.id}`);
    await h.drain();
    const dm = posts().find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const ask = buttonsOf(dm)[2]!;
    await h.click(USERS.pat, ask.action_id, ask.value, { channel: `D${USERS.pat.id}`, messageTs: String(dm.result.ts) });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length === 3, 'the ask modal');
    const result = (await h.submit(USERS.pat, h.openedView(2), { question: 'Who met the customer first?' })).json() as { view: unknown };
    const n = posts().length;
    await h.drain();
    // Each party was told to answer Pat with its DM's button ...
    const told = posts().slice(n).filter((c) => [`D${USERS.northwind.id}`, `D${USERS.contoso.id}`].includes(String(c.args.channel)));
    expect(told).toHaveLength(2);
    for (const c of told) expect(visible(c.args)).toContain('Answer with the button below: your answer goes only to Pat Okafor');
    // ... and so Pat's modal says, not that the question is in a thread.
    expect(visible(result.view)).not.toContain('thread and went to the parties');
    expect(visible(result.view)).toContain('Your question went to the parties by direct message. Their answers will come to you here, by direct message.');
  });

  it('ask on a claim waiting for approval: the modal names its one party and the case’s thread, or, with no thread, the DM alone; the answers come to Pat', async () => {
    // A flagged partner's claims wait for an arbitrator's approval.
    h.rt.store.partners.setFlagged('contoso', h.rt.clock.now());
    const said = await fileClaim(USERS.contoso, claim());
    expect(said).toMatch(/needs an arbitrator's approval\. It is awaiting approval/);
    // The Slack Connect user is told why, in its organisation's words, and that the claim keeps waiting after the flag lifts.
    expect(said).toContain('Why: Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(said).toContain('This claim still waits for its approval once the flag lifts.');
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.parties).toEqual(['contoso']);
    const n = posts().length;
    await h.drain();
    const dm = posts().slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const ask = buttonsOf(dm).find((b) => b.text.text === 'Ask for information')!;
    const askOnce = async (question: string) => {
      const opened = h.fake.callsTo('views.open').length;
      await h.click(USERS.pat, ask.action_id, ask.value, { channel: `D${USERS.pat.id}`, messageTs: String(dm.result.ts) });
      await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the ask modal');
      return visible(((await h.submit(USERS.pat, h.openedView(opened), { question })).json() as { view: unknown }).view);
    };
    const inThread = await askOnce('Who is your contact there?');
    expect(inThread).toContain('Your question is in the case’s thread and went to Contoso Consulting by direct message. Their answers will come to you here, by direct message.');
    expect(inThread).not.toMatch(/the parties|dispute’s/);
    // With no thread (as a case an import opened), the question went by DM alone.
    h.rt.db.sqlite.prepare('UPDATE disputes SET origin = NULL WHERE id = ?').run(d.id);
    const noThread = await askOnce('And the stage of the deal?');
    expect(noThread).toContain('Your question went to Contoso Consulting by direct message. Their answers will come to you here, by direct message.');
    expect(noThread).not.toMatch(/the parties|The dispute/);
  });

  it('a case an import opened, taken into a party’s own DM by its claim: the question and the ruling reach that DM once, as the party reads them, not again as a thread post for a channel', async () => {
    const rows = ['id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at', 'C1,soylent,contoso,resell,Analytics,Deal,proposal,,,pending,2026-11-20,'];
    importCsv(h.rt.ctx, 'claims', 'claims.csv', rows.join('\n'), { announce: (events) => announce(h.rt.deps, events, null) });
    const nwDm = `D${USERS.northwind.id}`;
    const view = await h.openForm(USERS.northwind, SLACK_IDS.commands.claim, '', nwDm);
    await h.submit(USERS.northwind, view, claim());
    const dispute = h.rt.store.disputes.all().at(-1)!;
    expect(dispute.origin?.channel).toBe(nwDm);
    await h.drain();
    const n = posts().length;
    const asked = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, A.rule_ask, String(dispute.id), { channel: `D${USERS.pat.id}` });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > asked, 'the ask modal');
    await h.submit(USERS.pat, h.openedView(asked), { question: 'Who met the customer first?' });
    await h.drain();
    const awarding = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, A.rule_award, String(dispute.id), { channel: `D${USERS.pat.id}` });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > awarding, 'the award modal');
    await h.submit(USERS.pat, h.openedView(awarding), { party: 'party:northwind', rationale: 'Northwind ran the workshop with the buyer.' });
    await h.drain();
    const toNorthwind = posts().slice(n).filter((c) => c.args.channel === nwDm).map((c) => visible(c.args));
    expect(toNorthwind.filter((t) => t.includes('Who met the customer first?'))).toHaveLength(1);
    expect(toNorthwind.join('\n')).toContain('Answer with the button below: your answer goes only to Pat Okafor');
    expect(toNorthwind.join('\n')).not.toContain('Each party was sent this question');
    const rulings = toNorthwind.filter((t) => /Ruled by Pat Okafor/.test(t));
    expect(rulings).toHaveLength(1);
    expect(rulings[0]).toContain('Northwind Partners owns it');
    expect(rulings[0]).toContain('Northwind ran the workshop with the buyer.');
  });
});

describe('SLA reminders in the arbitrator’s DM', () => {
  it('a reminder DM carries the ruling and snooze buttons; snoozing turns it into the snoozed case, ruling buttons kept', async () => {
    const { dispute } = await openCase();
    h.rt.clock.advance(24 * 3_600_000); // past the first reminder (half of 16 business hours)
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    const n = posts().length;
    await h.drain();
    const reminder = posts().slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    expect(visible(reminder.args)).toContain(`Reminder: dispute #${dispute.id} is due`);
    const buttons = buttonsOf(reminder);
    expect(buttons.map((b) => b.action_id)).toEqual(expect.arrayContaining([A.rule_approve, A.snooze_reminder, `${A.snooze_reminder}:1`]));
    const snooze = buttons.find((b) => b.action_id.startsWith(A.snooze_reminder) && b.value.endsWith(':1h'))!;
    await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: `D${USERS.pat.id}`, messageTs: String(reminder.result.ts) });
    const update = await h.fake.waitFor(() => h.fake.callsTo('chat.update')[0], 'chat.update of the reminder');
    expect(update.args).toMatchObject({ channel: `D${USERS.pat.id}`, ts: String(reminder.result.ts) });
    expect(visible(update.args)).toMatch(new RegExp(`Reminder for dispute #${dispute.id} snoozed until`));
    const after = buttonsOf(update).map((b) => b.action_id);
    expect(after).toContain(A.rule_approve);
    expect(after.some((id) => id.startsWith(A.snooze_reminder))).toBe(false);
  });

  it('a Snooze on a reminder whose case moved on to the next of the chain tells the arbitrator it left where the case went', async () => {
    const { dispute } = await openCase();
    h.rt.clock.advance(24 * 3_600_000); // past the first reminder
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    const n = posts().length;
    await h.drain();
    const reminder = posts().slice(n).find((c) => c.args.channel === `D${USERS.pat.id}`)!;
    const snooze = buttonsOf(reminder).find((b) => b.action_id.startsWith(A.snooze_reminder))!;
    h.rt.clock.advance(25 * 3_600_000); // past the SLA: the case escalates to Dana
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(dispute.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
    const before = h.ledgerCount();
    // Pat's reminder, as it was before the escalation updated it (a click from a client not yet up to date).
    const { responseUrl } = await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: `D${USERS.pat.id}`, messageTs: String(reminder.result.ts) });
    const answer = await h.answer(responseUrl);
    expect(answer.response_type).toBe('ephemeral');
    expect(visible(answer)).toContain(`Only the assigned arbitrator can snooze reminders of dispute #${dispute.id}: it moved to Dana Reyes, who rules on it now.`);
    expect(h.ledgerCount()).toBe(before);
    // Once Dana has ruled, the same click says the case is closed.
    approve(h.rt.deps, as.person(h.rt, 'dana'), `${dispute.id}:${dispute.recommendation}`);
    const again = await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: `D${USERS.pat.id}`, messageTs: String(reminder.result.ts) });
    expect(visible(await h.answer(again.responseUrl))).toContain(`Dispute #${dispute.id} is already closed; nothing to snooze.`);
  });

  it('a Snooze too close to the breach for any snooze to end before it says none is left, not to pick a shorter one', async () => {
    const { dispute } = await openCase();
    expect(dispute.dueAt!.toISOString()).toBe('2026-12-02T15:00:00.000Z'); // Wednesday 10:00 New York
    h.rt.clock.set('2026-12-01T20:00:00.000Z'); // Tuesday 15:00: past the second reminder (0.8 of the SLA)
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    const reminder = posts().filter((c) => c.args.channel === `D${USERS.pat.id}` && buttonsOf(c).some((b) => b.action_id.startsWith(A.snooze_reminder))).at(-1)!;
    // Pat reads it on Wednesday at 8:30, before the office opens: an hour of business time ends at 10:00, the breach.
    h.rt.clock.set('2026-12-02T13:30:00.000Z');
    const before = h.ledgerCount();
    for (const snooze of buttonsOf(reminder).filter((b) => b.action_id.startsWith(A.snooze_reminder))) {
      const { responseUrl } = await h.click(USERS.pat, snooze.action_id, snooze.value, { channel: `D${USERS.pat.id}`, messageTs: String(reminder.result.ts) });
      const answer = visible(await h.answer(responseUrl));
      expect(answer).toContain(`No snooze is left to pick: even the shortest would snooze past the SLA breach (Dec 2, 2026, 10:00 AM EST), when dispute #${dispute.id} escalates.`);
      expect(answer).not.toMatch(/shorter snooze/);
    }
    expect(h.ledgerCount()).toBe(before);
  });

  it('past the whole chain, a Snooze on the last arbitrator’s reminder says the SLA has run out, not to pick a shorter snooze', async () => {
    const dispute = await runPastChain();
    expect(h.rt.store.disputes.get(dispute.id)!.dueAt!.getTime()).toBeLessThan(h.rt.clock.now().getTime());
    const reminder = posts().filter((c) => c.args.channel === `D${USERS.vp.id}` && buttonsOf(c).some((b) => b.action_id.startsWith(A.snooze_reminder))).at(-1)!;
    const before = h.ledgerCount();
    for (const snooze of buttonsOf(reminder).filter((b) => b.action_id.startsWith(A.snooze_reminder))) {
      const { responseUrl } = await h.click(USERS.vp, snooze.action_id, snooze.value, { channel: `D${USERS.vp.id}`, messageTs: String(reminder.result.ts) });
      const answer = await h.answer(responseUrl);
      expect(answer.response_type).toBe('ephemeral');
      expect(visible(answer)).toContain(`Dispute #${dispute.id} is overdue: its SLA has run out, so no reminder is left to snooze.`);
      expect(visible(answer)).not.toMatch(/shorter snooze|escalates when it breaches/);
    }
    expect(h.ledgerCount()).toBe(before);
  });
});

describe('past the whole escalation chain', () => {
  const rulingCards = () => posts().filter((c) => c.args.channel === `D${USERS.vp.id}` && buttonsOf(c).some((b) => b.action_id === A.rule_approve));

  it('the last arbitrator’s live cards (the escalation’s, the reminder) are updated in place: overdue, ruling buttons kept, no Snooze', async () => {
    const dispute = await runPastChain();
    const cards = rulingCards();
    expect(cards).toHaveLength(2); // "Escalated to you", then the reminder with its Snooze buttons
    expect(buttonsOf(cards[1]!).some((b) => b.action_id.startsWith(A.snooze_reminder))).toBe(true);
    for (const c of cards) expect(visible(c.args)).toContain('*Due*\nDec 8, 2026, 10:00 AM EST\n'); // sent before the deadline
    const updates = h.fake.callsTo('chat.update').filter((u) => u.args.channel === `D${USERS.vp.id}`);
    expect(updates.map((u) => u.args.ts).sort()).toEqual(cards.map((c) => String(c.result.ts)).sort());
    for (const u of updates) {
      expect(visible(u.args)).toContain(`Nobody in its escalation chain ruled dispute #${dispute.id} in time: it is overdue, and still yours to rule, the last in the chain.`);
      expect(visible(u.args)).toContain('*Due*\nDec 8, 2026, 10:00 AM EST (overdue)');
      const ids = buttonsOf(u).map((b) => b.action_id);
      expect(ids).toContain(A.rule_approve);
      expect(ids.some((id) => id.startsWith(A.snooze_reminder))).toBe(false);
    }
    // Still live: a ruling updates them again, buttons gone.
    approve(h.rt.deps, h.rt.resolve({ platform: 'slack', userId: USERS.vp.id, displayName: 'morgan', orgId: USERS.vp.team, home: true }), `${dispute.id}:northwind`);
    await h.drain();
    const ruled = h.fake.callsTo('chat.update').filter((u) => u.args.channel === `D${USERS.vp.id}`).slice(updates.length);
    expect(ruled.map((u) => u.args.ts).sort()).toEqual(cards.map((c) => String(c.result.ts)).sort());
    for (const u of ruled) expect(buttonsOf(u)).toEqual([]);
  });

  it('an update that kept the ruling buttons, parked and put back in the queue after the ruling (roe outbox retry --all), never brings the buttons back', async () => {
    const { dispute } = await openCase();
    // Pat and Dana let their SLAs run out: Morgan (the last of the chain) has the case.
    while (h.rt.store.disputes.get(dispute.id)!.arbitrator !== 'vp') {
      h.rt.clock.advance(24 * 3_600_000);
      tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
      await h.drain();
    }
    // Morgan's SLA runs out too: Slack refuses the updates of her cards (overdue, ruling buttons kept), which are parked.
    h.fake.failNext(2, { error: 'invalid_blocks' }, 'chat.update');
    const updatesBefore = h.fake.callsTo('chat.update').length;
    const exhausted = () => [...h.rt.store.ledger.entries()].some((e) => e.kind === 'dispute.escalated_to_channel' && e.subject === `dispute:${dispute.id}`);
    while (!exhausted()) {
      h.rt.clock.advance(24 * 3_600_000);
      tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
      await h.drain();
    }
    const refused = h.fake.callsTo('chat.update').slice(updatesBefore).filter((u) => u.args.channel === `D${USERS.vp.id}`);
    expect(refused).toHaveLength(2);
    expect(refused.every((u) => u.result.ok === false && buttonsOf(u).some((b) => b.action_id === A.rule_approve))).toBe(true);
    const cardTs = refused.map((u) => String(u.args.ts)).sort();
    // Morgan rules: her cards lose their buttons.
    approve(h.rt.deps, h.rt.resolve({ platform: 'slack', userId: USERS.vp.id, displayName: 'morgan', orgId: USERS.vp.team, home: true }), `${dispute.id}:northwind`);
    await h.drain();
    // Then partner ops puts every parked notification back in the queue, once Slack takes them again.
    expect(retryParked(h.rt.db.db, null, h.rt.clock.now())).toBeGreaterThanOrEqual(2);
    await h.drain();
    for (const ts of cardTs) {
      const last = h.fake.callsTo('chat.update').filter((u) => u.args.ts === ts && u.result.ok !== false).at(-1)!;
      expect(visible(last.args)).toMatch(/Ruled by Morgan Lee/);
      expect(buttonsOf(last)).toEqual([]);
    }
    expect(h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status NOT IN ('delivered', 'withdrawn')").get()).toEqual({ n: 0 });
  });

  it('the escalation channel closed to the bot: the thread does not say the channel got it, and the last arbitrator is told it is hers to rule, where (no second card)', async () => {
    h.fake.notIn.add('C0ESCAL'); // the bot was never invited to the escalation channel
    const dispute = await runPastChain();
    const thread = posts().filter((c) => c.args.channel === SHARED_CHANNEL).at(-1)!;
    expect(visible(thread.args)).toContain('Nobody in the escalation chain ruled in time: the case is posted to the escalation channel or, where I cannot post there, sent to Morgan Lee; it stays with Morgan Lee, the last in the chain.');
    expect(visible(thread.args)).not.toContain('went to the escalation channel');
    const dm = posts().filter((c) => c.args.channel === `D${USERS.vp.id}` && visible(c.args).includes('I could not post this in <#C0ESCAL>')).at(-1)!;
    const said = visible(dm.args);
    expect(said).toContain('I could not post this in <#C0ESCAL>: invite me to that channel');
    expect(said).toContain(`Dispute #${dispute.id} was not ruled by anyone in its escalation chain, and you are the last in it: it is still yours to rule, overdue. Rule on it with the buttons of its case card, which I sent you in this chat when it came to you.`);
    expect(said).not.toContain('last: Morgan Lee');
    // Her case card with its ruling buttons is in this chat already: not sent again.
    expect(buttonsOf(dm)).toEqual([]);
    expect(rulingCards()).toHaveLength(2);
  });
});

describe('case cards stay current: a card that can no longer rule loses its buttons', () => {
  it('an escalation updates the earlier arbitrator’s cards in place (moved to Dana, no buttons); Dana’s ruling updates hers', async () => {
    const { dispute, dmTs, dmChannel } = await openCase();
    h.rt.clock.advance(3 * 24 * 3_600_000); // past the SLA: reminders, then the escalation to Dana
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(dispute.id)!.arbitrator).toBe('dana');
    // Every card Pat holds (the assignment, and any reminder) is updated: the case is Dana's now.
    const patCards = posts().filter((c) => c.args.channel === dmChannel && buttonsOf(c).some((b) => b.action_id === A.rule_approve));
    expect(patCards.length).toBeGreaterThanOrEqual(1);
    const updates = h.fake.callsTo('chat.update');
    expect(updates.map((u) => u.args.ts).sort()).toEqual(patCards.map((c) => String(c.result.ts)).sort());
    const first = updates.find((u) => u.args.ts === dmTs)!;
    expect(first.args.channel).toBe(dmChannel);
    expect(visible(first.args)).toMatch(/this case moved to Dana .*, who rules on it now/);
    expect(visible(first.args)).toContain('Soylent Corp (Analytics)');
    expect(buttonsOf(first)).toEqual([]);

    // Dana's own card has the buttons; once she rules (from her card), Pat's cards are not touched
    // again (forgotten), and hers shows the ruling.
    const dana = posts().find((c) => c.args.channel === `D${USERS.dana.id}` && buttonsOf(c).length > 0)!;
    const approve = buttonsOf(dana).find((b) => b.action_id === A.rule_approve)!;
    const { res } = await h.click(USERS.dana, approve.action_id, approve.value, { channel: `D${USERS.dana.id}`, messageTs: String(dana.result.ts) });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.rt.store.disputes.get(dispute.id)!.status === 'ruled', 'the ruling');
    const before = h.fake.callsTo('chat.update').length;
    await h.drain();
    const later = h.fake.callsTo('chat.update').slice(before);
    expect(later.every((u) => u.args.channel === `D${USERS.dana.id}`)).toBe(true);
    const danaCard = later.filter((u) => u.args.ts === String(dana.result.ts)).at(-1)!;
    expect(visible(danaCard.args)).toMatch(/Ruled by Dana .*: Northwind Partners owns it\./);
    expect(buttonsOf(danaCard)).toEqual([]);
    expect(h.rt.store.caseCards.of(dispute.id)).toEqual([]);
  });

  it('a card whose case moved on while it waited (Slack down, a ruling from elsewhere) is not sent at all', async () => {
    expect(await fileClaim(USERS.northwind, claim({ stage: 'proposal' }))).toMatch(/is protected until/);
    await fileClaim(USERS.contoso, claim());
    const dispute = h.rt.store.disputes.all().at(-1)!;
    // Pat rules before anything was delivered (from App Home, say): the card waiting for Pat is moot.
    approve(h.rt.deps, as.person(h.rt, 'pat'), dispute.id);
    await h.drain();
    const toPat = posts().filter((c) => c.args.channel === `D${USERS.pat.id}`);
    expect(toPat.filter((c) => buttonsOf(c).length > 0)).toEqual([]);
    expect(h.fake.callsTo('chat.update')).toEqual([]);
    expect(h.rt.store.caseCards.of(dispute.id)).toEqual([]);
    // The parties heard how it ended.
    expect(posts().some((c) => c.args.channel === `D${USERS.contoso.id}` && /another party owns it/.test(visible(c.args)))).toBe(true);
  });

  it('a card that lands just as its case moves on (between the check and the post) is updated at once', async () => {
    const { dispute } = await openCase();
    approve(h.rt.deps, as.person(h.rt, 'pat'), dispute.id);
    await h.drain();
    // As the deliverer records a card posted a moment too late:
    slackCaseCards(h.rt).remember({ disputeId: dispute.id, channel: `D${USERS.pat.id}`, ts: '1999999999.000100', user: USERS.pat.id, person: 'pat' });
    expect(h.rt.store.caseCards.of(dispute.id)).toEqual([]);
    await h.drain();
    const late = h.fake.callsTo('chat.update').find((u) => u.args.ts === '1999999999.000100')!;
    expect(visible(late.args)).toMatch(/Ruled by Pat Okafor .*: Northwind Partners owns it\./);
    expect(buttonsOf(late)).toEqual([]);
  });

  it('a card deleted meanwhile needs no update (message_not_found): done at once, not parked, and the other updates go on', async () => {
    const { dispute, dmTs } = await openCase();
    h.fake.failNext(1, { error: 'message_not_found' }, 'chat.update');
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(dispute.id)!.arbitrator).toBe('dana');
    const failed = h.fake.callsTo('chat.update').find((u) => u.args.ts === dmTs)!;
    expect(failed.result.ok).toBe(false);
    // Not retried, nor left for `roe outbox` to list: nothing is left to deliver, and the rest of the escalation went out.
    expect(await h.drain()).toBe(0);
    expect(h.rt.db.sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE status != 'delivered'").get()).toEqual({ n: 0 });
    expect(h.fake.callsTo('chat.update').filter((u) => u.args.ts === dmTs)).toHaveLength(1);
    expect(posts().some((c) => c.args.channel === `D${USERS.dana.id}`)).toBe(true);
  });
});
