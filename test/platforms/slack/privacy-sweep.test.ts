/**
 * Everything one Slack Connect partner can read, swept after a busy day: two cases with another
 * partner (one arbitrated, one raised by hand), a question, a reminder, an escalation, a ruling.
 * Contoso's user must never read Northwind's name, deal size, opportunity, evidence or reason,
 * wherever the text reaches them: command answers, forms, the typeahead, App Home, their DMs and
 * the shared channel's threads, refusals and fallback texts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { appHomeOpened, blockSuggestion, type SlackUser } from '../../support/slack-requests.js';

let h: Harness;
beforeEach(async () => {
  h = await startSlack();
});
afterEach(async () => {
  await h.close();
});

const C = SLACK_IDS.commands;
/** What only Northwind (and the company) may read. */
const NORTHWIND_SECRETS = ['Northwind', '77,777', '77777', 'NW-OPPORTUNITY', 'NW-EVIDENCE', 'NW-REASON'];

async function fileClaim(user: SlackUser, values: Record<string, string>): Promise<void> {
  const view = await h.openForm(user, C.claim, '', SHARED_CHANNEL);
  const res = await h.submit(user, view, values);
  expect((res.json() as { response_action: string }).response_action).toBe('update');
}

describe('a Slack Connect partner reads nothing of another partner', () => {
  it('anywhere, after a busy day', async () => {
    // Northwind: a deal on Soylent, then a dispute by hand on Initech (Contoso's demo claim).
    await fileClaim(USERS.northwind, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW-OPPORTUNITY', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE' });
    const disputeView = await h.openForm(USERS.northwind, C.dispute, 'initech', SHARED_CHANNEL);
    await h.submit(USERS.northwind, disputeView, { account: 'initech', product: 'Core Platform', reason: 'NW-REASON: we met them first', evidence: 'NW-EVIDENCE too' });
    // Contoso overlaps on Soylent: the case goes to Pat.
    await fileClaim(USERS.contoso, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Contoso pilot', stage: 'qualified' });
    await h.drain();
    const soylent = h.rt.store.disputes.all().find((d) => d.accountId === 'soylent')!;
    expect(soylent.status).toBe('open');

    // Pat asks a question, time passes (reminders, an escalation to Dana), Dana rules.
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, SLACK_IDS.actions.rule_ask, String(soylent.id), { channel: `D${USERS.pat.id}` });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the ask form');
    expect((await h.submit(USERS.pat, h.openedView(opened), { question: 'Who met the buyer first?' })).status).toBe(200);
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(soylent.id)!.arbitrator).toBe('dana');
    const { res } = await h.click(USERS.dana, SLACK_IDS.actions.rule_approve, `${soylent.id}:northwind`, { channel: `D${USERS.dana.id}` });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.rt.store.disputes.get(soylent.id)!.status === 'ruled', 'the ruling');
    await h.drain();

    // Everything Contoso's user now asks for.
    const seen: unknown[] = [];
    const ask = async (command: string, text: string) => {
      const { res: r, responseUrl } = await h.command(USERS.contoso, command, text, { channel: SHARED_CHANNEL });
      seen.push(r.text ? JSON.parse(r.text) : null);
      if (command !== C.whoOwns) seen.push(await h.answer(responseUrl));
    };
    for (const q of ['soylent', 'initech', 'acme', 'stark', 'globex', 'hooli', 'wayne', 'umbrella', 'acm']) await ask(C.whoOwns, q);
    for (const sub of ['mine', 'queue', 'stats', 'policy', 'help']) await ask(C.roe, sub);
    for (const account of ['soylent', 'initech']) {
      await h.openForm(USERS.contoso, C.claim, account, SHARED_CHANNEL);
      await h.openForm(USERS.contoso, C.dispute, account, SHARED_CHANNEL);
    }
    seen.push(...h.fake.callsTo('views.open').filter((c) => (c.args.view as { private_metadata: string }).private_metadata.includes(SHARED_CHANNEL)).slice(-4).map((c) => c.args));
    seen.push((await h.send(blockSuggestion({ user: USERS.contoso, actionId: SLACK_IDS.options.account, blockId: 'account', value: 'soy' }))).json());
    await h.send(appHomeOpened({ user: USERS.contoso.id }));
    const home = await h.fake.waitFor(() => h.fake.callsTo('views.publish').find((c) => c.args.user_id === USERS.contoso.id), 'App Home');
    seen.push(home.args);
    // Buttons pressed on what they were shown: a refusal must not tell either.
    const { responseUrl: refused } = await h.click(USERS.contoso, SLACK_IDS.actions.rule_approve, `${soylent.id}:northwind`, { channel: SHARED_CHANNEL });
    seen.push(await h.answer(refused));
    const { responseUrl: pick } = await h.click(USERS.contoso, SLACK_IDS.actions.pick_account, 'soylent', { channel: SHARED_CHANNEL });
    seen.push(await h.answer(pick));

    // Their DMs and the shared channel (threads included), as delivered.
    const delivered = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.contoso.id}` || c.args.channel === SHARED_CHANNEL);
    expect(delivered.length).toBeGreaterThan(3);
    seen.push(...delivered.map((c) => c.args));
    seen.push(...h.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === USERS.contoso.id).map((c) => c.args));

    const text = visible(seen);
    // the sweep saw the day: the case by hand, the question, the escalation, the ruling, the answers
    for (const sign of ['another party', 'Initech LLC', 'Who met the buyer first?', 'Dana Reyes', 'Ruled by Dana Reyes', 'Claims of Contoso Consulting', 'Soylent Corp']) expect(text).toContain(sign);
    for (const secret of NORTHWIND_SECRETS) expect(text, `Contoso read "${secret}"`).not.toContain(secret);
  });
});
