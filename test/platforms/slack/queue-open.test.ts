import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { submitClaim } from '../../../handlers/claim.js';
import { approve } from '../../../handlers/rule.js';
import { tick } from '../../../src/app/scheduler.js';
import { openArbitratedCase } from '../../support/cases.js';
import { as } from '../../support/runtime.js';
import { appHomeOpened } from '../../support/slack-requests.js';
import { startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

interface ButtonSeen {
  action_id: string;
  value: string;
  text: { text: string };
  accessibility_label?: string;
}
const buttonsIn = (m: Record<string, unknown>): ButtonSeen[] => (m.blocks as { type: string; elements?: ButtonSeen[] }[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []);

describe('/roe queue: a case opened from the queue', () => {
  it('someone above the arbitrator in the chain opens a case of theirs and rules on it from Slack (no card of theirs was ever sent)', async () => {
    const d = openArbitratedCase(h.rt);
    expect(d.arbitrator).toBe('pat');
    const { responseUrl } = await h.command(USERS.dana, SLACK_IDS.commands.roe, 'queue');
    const answer = await h.answer(responseUrl);
    expect(visible(answer)).toContain(`#${d.id} Soylent Corp (Analytics)`);
    expect(visible(answer)).toContain('assigned to Pat Okafor');
    // None of Dana's cases is assigned to her: no card of hers is in her DMs, and the queue does not say there is.
    expect(visible(answer)).not.toContain('were sent to your direct messages');
    const open = buttonsIn(answer).find((b) => b.text.text === `Open #${d.id}`)!;
    expect(open).toBeDefined();
    // Opened: the case, with its ruling buttons, in Dana's DM with the bot.
    await h.click(USERS.dana, open.action_id, open.value);
    const card = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.dana.id), 'the case in the DM');
    expect(visible(card.args)).toContain('Soylent Corp (Analytics)');
    const approve = buttonsIn(card.args).find((b) => b.text.text.startsWith('Approve'))!;
    expect(approve).toBeDefined();
    await h.click(USERS.dana, approve.action_id, approve.value, { channel: `D${USERS.dana.id}`, messageTs: String(card.result.ts) });
    await h.fake.waitFor(() => h.rt.store.disputes.get(d.id)!.status !== 'open', 'the ruling');
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'dana' });
  });

  it('each Open button tells a screen reader which case and account it opens, its text unchanged, in /roe queue and on the App Home', async () => {
    const d = openArbitratedCase(h.rt);
    const { responseUrl } = await h.command(USERS.dana, SLACK_IDS.commands.roe, 'queue');
    const open = buttonsIn(await h.answer(responseUrl)).find((b) => b.value === String(d.id))!;
    expect(open.text.text).toBe(`Open #${d.id}`);
    expect(open.accessibility_label).toBe(`Open dispute #${d.id}: Soylent Corp (Analytics)`);
    await h.send(appHomeOpened({ user: USERS.dana.id }));
    const home = await h.fake.waitFor(() => h.fake.callsTo('views.publish')[0], 'the home');
    const onHome = buttonsIn(home.args.view as Record<string, unknown>).find((b) => b.value === String(d.id))!;
    expect(onHome).toMatchObject({ text: { text: `Open #${d.id}` }, accessibility_label: `Open dispute #${d.id}: Soylent Corp (Analytics)` });
  });

  it('opened from a command’s answer in a channel, the case goes to the DM and the person is told so where they clicked', async () => {
    const d = openArbitratedCase(h.rt);
    const { responseUrl } = await h.command(USERS.dana, SLACK_IDS.commands.roe, `case ${d.id}`, { channel: 'C0SALES' });
    const open = buttonsIn(await h.answer(responseUrl)).find((b) => b.text.text === `Open #${d.id} to rule`)!;
    const click = await h.click(USERS.dana, open.action_id, open.value, { channel: 'C0SALES' });
    const said = await h.answer(click.responseUrl);
    expect(said).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(visible(said)).toContain(`Dispute #${d.id} is in your direct messages with me, with its ruling buttons.`);
    expect(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === USERS.dana.id)).toHaveLength(1);
    // Someone who may not rule: the case without buttons, and the note says none.
    const sam = await h.click(USERS.sam, SLACK_IDS.actions.open_case, String(d.id), { channel: 'C0SALES' });
    expect(visible(await h.answer(sam.responseUrl))).toContain(`Dispute #${d.id} is in your direct messages with me.`);
  });

  it('a claim waiting for approval, opened from a command’s answer in a channel, is named as the approval it is where they clicked', async () => {
    // A flagged partner's claims wait for an arbitrator's approval.
    h.rt.store.partners.setFlagged('contoso', h.rt.clock.now());
    const r = submitClaim(h.rt.deps, as.partner(h.rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent analytics', stage: 'qualified', amount: '', evidence: '' }, { origin: null, requestKey: null });
    expect(r.summary).toMatch(/is pending/);
    const d = h.rt.store.disputes.all().at(-1)!;
    const c = h.rt.store.claims.forAccount('soylent').at(-1)!;
    const click = await h.click(USERS.pat, SLACK_IDS.actions.open_case, String(d.id), { channel: 'C0SALES' });
    expect(visible(await h.answer(click.responseUrl))).toContain(`Approval of claim #${c.id} (case #${d.id}) is in your direct messages with me, with its ruling buttons.`);
  });

  it('someone who may not rule on a case opens it without ruling buttons, and someone of no partner of ours cannot open it at all', async () => {
    const d = openArbitratedCase(h.rt);
    await h.click(USERS.sam, SLACK_IDS.actions.open_case, String(d.id));
    const card = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.sam.id), 'the case in the DM');
    expect(buttonsIn(card.args)).toEqual([]);
    const before = h.fake.callsTo('chat.postMessage').length;
    const { responseUrl } = await h.click(USERS.stranger, SLACK_IDS.actions.open_case, String(d.id));
    const refusal = await h.answer(responseUrl);
    expect(visible(refusal)).toMatch(/cannot see disputes/);
    expect(h.fake.callsTo('chat.postMessage').length).toBe(before);
  });

  it('a case opened from the queue by someone above the chain keeps its buttons when the case escalates to a level still below them', async () => {
    const d = openArbitratedCase(h.rt);
    expect(d.arbitrator).toBe('pat'); // the chain: Pat, then Dana, then the VP
    await h.click(USERS.vp, SLACK_IDS.actions.open_case, String(d.id));
    const card = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.vp.id), 'the case in the DM');
    expect(buttonsIn(card.args).length).toBeGreaterThan(0);
    await h.fake.waitFor(() => h.rt.store.caseCards.of(d.id).some((c) => c.person === 'vp') || undefined, 'the card remembered');
    h.rt.clock.advance(3 * 24 * 3_600_000); // past the SLA: the case goes to Dana
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(d.id)!.arbitrator).toBe('dana');
    // The VP may still rule: the card is left as it is, its buttons working.
    expect(h.fake.callsTo('chat.update').filter((c) => c.args.ts === card.result.ts)).toEqual([]);
    expect(h.rt.store.caseCards.of(d.id).some((c) => c.person === 'vp')).toBe(true);
    const approveButton = buttonsIn(card.args).find((b) => b.text.text.startsWith('Approve'))!;
    await h.click(USERS.vp, approveButton.action_id, approveButton.value, { channel: `D${USERS.vp.id}`, messageTs: String(card.result.ts) });
    await h.fake.waitFor(() => h.rt.store.disputes.get(d.id)!.status !== 'open' || undefined, 'the ruling');
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'vp' });
  });

  it('a case opened from the queue is brought up to date, its buttons taken away, once someone else rules on it', async () => {
    const d = openArbitratedCase(h.rt);
    await h.click(USERS.dana, SLACK_IDS.actions.open_case, String(d.id));
    const card = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.dana.id), 'the case in the DM');
    expect(buttonsIn(card.args).length).toBeGreaterThan(0);
    // Remembered once posted (the click is acknowledged first, then handled).
    await h.fake.waitFor(() => h.rt.store.caseCards.of(d.id).some((c) => c.person === 'dana') || undefined, 'the card remembered');
    approve(h.rt.deps, as.person(h.rt, 'pat'), `${d.id}:${d.recommendation}`);
    await h.drain();
    const update = h.fake.callsTo('chat.update').find((c) => c.args.ts === card.result.ts);
    expect(update, 'the opened card updated').toBeDefined();
    expect(buttonsIn(update!.args)).toEqual([]);
    expect(visible(update!.args)).toMatch(/Ruled by Pat Okafor/);
  });

  it('a case ruled while its opened card was on its way to Slack is brought up to date once the card is there', async () => {
    const d = openArbitratedCase(h.rt);
    const release = h.fake.hold('chat.postMessage');
    await h.click(USERS.dana, SLACK_IDS.actions.open_case, String(d.id));
    const card = await h.fake.waitFor(() => h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.dana.id), 'the case on its way');
    expect(buttonsIn(card.args).length).toBeGreaterThan(0);
    approve(h.rt.deps, as.person(h.rt, 'pat'), `${d.id}:${d.recommendation}`);
    release();
    // Once the post is answered the card is looked at again: its update goes out with the outbox.
    let update: (typeof card) | undefined;
    for (let i = 0; i < 100 && !update; i++) {
      await new Promise((ok) => setTimeout(ok, 20));
      await h.drain();
      update = h.fake.callsTo('chat.update').find((c) => c.args.ts === card.result.ts);
    }
    expect(update, 'the opened card updated').toBeDefined();
    expect(buttonsIn(update!.args)).toEqual([]);
    expect(visible(update!.args)).toMatch(/Ruled by Pat Okafor/);
  });
});

describe('/roe queue: Open while another process holds the database (an import)', () => {
  it('the case is shown all the same, and nobody is told of a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-open-busy-'));
    const busy = await startSlack({ databasePath: join(dir, 'roe.db') });
    try {
      const d = openArbitratedCase(busy.rt);
      const importer = new Database(join(dir, 'roe.db'));
      importer.exec('BEGIN IMMEDIATE');
      try {
        await busy.click(USERS.dana, SLACK_IDS.actions.open_case, String(d.id));
        const card = await busy.fake.waitFor(() => busy.fake.callsTo('chat.postMessage').find((c) => c.args.channel === USERS.dana.id), 'the case in the DM');
        expect(buttonsIn(card.args).length).toBeGreaterThan(0);
        await new Promise((ok) => setTimeout(ok, 400));
      } finally {
        importer.exec('COMMIT');
        importer.close();
      }
      // No apology or refusal was posted to Dana after the card.
      const toDana = [...busy.fake.callsTo('chat.postMessage'), ...busy.fake.callsTo('chat.postEphemeral')].filter((c) => c.args.channel === USERS.dana.id || c.args.user === USERS.dana.id);
      expect(toDana).toHaveLength(1);
      expect(busy.rt.logs.lines.join('\n')).not.toContain('slack request failed');
    } finally {
      await busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
