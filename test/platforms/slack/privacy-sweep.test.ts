/**
 * Everything one Slack Connect partner can read, swept after a busy day: two cases with another
 * partner (one arbitrated, one raised by hand), a question, a reminder, an escalation, a ruling.
 * Contoso's user must never read Northwind's name, deal size, opportunity, evidence or reason,
 * wherever the text reaches them: command answers, forms, the typeahead, App Home, their DMs and
 * the shared channel's threads, refusals and fallback texts. A second sweep (with the bot in the
 * shared channel, and kept out of it) drives the newer messages: both parties answering a question
 * with their DM's Answer button, the case escalating after it and ruled over the arbitrator's head,
 * disputes by hand settled at once against Contoso (with why), a duplicate claim, a colleague filing
 * for Northwind, a case past its whole chain; there the payloads as sent (button values, form
 * metadata) must not carry Northwind's or Fabrikam's name or id, nor Northwind's answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../../handlers/replies/model.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { tick } from '../../../src/app/scheduler.js';
import { SHARED_CHANNEL, startSlack, USERS, visible, type Harness } from '../../support/slack-harness.js';
import { appHomeOpened, blockSuggestion, type OpenedView, type SlackUser } from '../../support/slack-requests.js';

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
    for (const sub of ['mine', 'queue', 'stats', 'policy', 'help', ...h.rt.store.disputes.all().map((d) => `case ${d.id}`)]) await ask(C.roe, sub);
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

  // With the bot kept out of the shared channel, what its threads say goes to the raiser's DM instead.
  it.each([
    ['in the shared channel', true],
    ['in its DMs when the bot is not let into the shared channel', false],
  ])('nor in what the newer messages say (%s): answers to a question, an escalation after it, a ruling over the arbitrator, a dispute settled at once, a duplicate claim, a colleague filing for a partner', async (_, inChannel) => {
    if (!inChannel) h.fake.unseen.add(SHARED_CHANNEL);
    const seen: unknown[] = [];
    // Northwind's deal on Soylent; Contoso overlaps: the case goes to Pat (Contoso reads who rules and by when).
    await fileClaim(USERS.northwind, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW-OPPORTUNITY', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE' });
    const coClaim = await h.openForm(USERS.contoso, C.claim, '', SHARED_CHANNEL);
    seen.push(coClaim);
    seen.push((await h.submit(USERS.contoso, coClaim, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Contoso pilot', stage: 'qualified' })).json());
    await h.drain();
    const soylent = h.rt.store.disputes.all().find((d) => d.accountId === 'soylent')!;
    expect(soylent).toMatchObject({ status: 'open', arbitrator: 'pat' });

    // Pat asks; both parties answer with the button of their DM, Northwind with its secrets.
    const opened = h.fake.callsTo('views.open').length;
    await h.click(USERS.pat, SLACK_IDS.actions.rule_ask, String(soylent.id), { channel: `D${USERS.pat.id}` });
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > opened, 'the ask form');
    expect((await h.submit(USERS.pat, h.openedView(opened), { question: 'Who met the buyer first?' })).status).toBe(200);
    await h.drain();
    const answerButton = (user: SlackUser) => {
      const dm = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${user.id}` && visible(c.args).includes('Who met the buyer first?')).at(-1)!;
      const button = (dm.args.blocks as { elements?: { action_id: string; value: string }[] }[]).flatMap((b) => b.elements ?? []).find((e) => e.action_id === SLACK_IDS.actions[ACTIONS.answer])!;
      return { dm, button };
    };
    const answer = async (user: SlackUser, words: string) => {
      const { dm, button } = answerButton(user);
      const before = h.fake.callsTo('views.open').length;
      await h.click(user, button.action_id, button.value, { channel: `D${user.id}`, messageTs: String(dm.result.ts) });
      await h.fake.waitFor(() => h.fake.callsTo('views.open').length > before, 'the answer form');
      const form: OpenedView = h.openedView(before);
      const res = await h.submit(user, form, { answer: words });
      return { form: h.fake.callsTo('views.open')[before]!.args, res: res.json() };
    };
    await answer(USERS.northwind, 'NW-ANSWER: Nora met them at the NW-EVIDENCE summit');
    const mine = await answer(USERS.contoso, 'Carl met them in May');
    seen.push(mine.form, mine.res);
    await h.drain();
    expect(visible(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.pat.id}`).map((c) => c.args))).toContain('NW-ANSWER');

    // No ruling in time: the case goes up to Dana (told what was asked before), and Morgan, the VP, rules over her head.
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(soylent.id)!.arbitrator).toBe('dana');
    const { res } = await h.click(USERS.vp, SLACK_IDS.actions.rule_approve, `${soylent.id}:northwind`, { channel: `D${USERS.vp.id}` });
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.rt.store.disputes.get(soylent.id)!.status === 'ruled', 'the ruling');
    await h.drain();
    const toDana = visible(h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.dana.id}`).map((c) => c.args));
    expect(toDana).toContain('Before it came to you, Pat Okafor asked the parties a question');
    expect(toDana).toContain('Morgan Lee ruled on dispute');

    // Sam raises a case by hand on Northwind's Acme line, in the shared channel: Contoso is no party to it.
    const samsCase = await h.openForm(USERS.sam, C.dispute, 'acme', SHARED_CHANNEL);
    await h.submit(USERS.sam, samsCase, { account: 'acme', product: 'Analytics', reason: 'Direct has been working Acme' });
    const notContosos = h.rt.store.disputes.all().at(-1)!;
    expect(notContosos.parties).not.toContain('contoso');
    // Contoso's Answer button once the case is ruled, and one whose value names that case.
    for (const value of [answerButton(USERS.contoso).button.value, `${notContosos.id}:Who met the buyer first?`]) {
      const { responseUrl } = await h.click(USERS.contoso, SLACK_IDS.actions[ACTIONS.answer], value, { channel: `D${USERS.contoso.id}` });
      seen.push(await h.answer(responseUrl));
    }

    // Contoso disputes Acme by hand, which another partner holds: settled at once against it, with why.
    const acme = await h.openForm(USERS.contoso, C.dispute, 'acme', SHARED_CHANNEL);
    seen.push(acme);
    seen.push((await h.submit(USERS.contoso, acme, { account: 'acme', product: 'Analytics', reason: 'We have worked Acme for a year' })).json());
    // And Stark (Northwind the named owner) and Globex (Fabrikam the incumbent): settled by those facts.
    for (const account of ['stark', 'globex']) {
      const view = await h.openForm(USERS.contoso, C.dispute, account, SHARED_CHANNEL);
      seen.push(view);
      seen.push((await h.submit(USERS.contoso, view, { account, product: 'Analytics', reason: 'We have worked it for a year' })).json());
    }
    // Contoso files its Initech line again: refused as a duplicate.
    const dup = await h.openForm(USERS.contoso, C.claim, 'initech', SHARED_CHANNEL);
    seen.push(dup);
    const refused = (await h.submit(USERS.contoso, dup, { account: 'initech', route: 'resell', product: 'Core Platform', opportunity: 'Again', stage: 'qualified' })).json() as { errors: Record<string, string> };
    seen.push(...Object.values(refused.errors).map((e) => ({ text: e })));
    // Sam, of the company, files for Northwind on Contoso's Initech line, in the shared channel.
    const forNw = await h.openForm(USERS.sam, C.claim, '', SHARED_CHANNEL);
    await h.submit(USERS.sam, forNw, { account: 'initech', claimant: 'northwind', route: 'resell', product: 'Core Platform', opportunity: 'NW-OPPORTUNITY 2', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE 2' });
    await h.drain();
    // Another overlap on Wayne that nobody in the chain rules: it goes up twice, then past the chain (the escalation channel).
    await fileClaim(USERS.northwind, { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'NW-OPPORTUNITY 3', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE 3' });
    await fileClaim(USERS.contoso, { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Contoso wayne', stage: 'qualified' });
    const wayne = h.rt.store.disputes.all().at(-1)!;
    expect(wayne).toMatchObject({ accountId: 'wayne', status: 'open', arbitrator: 'pat' });
    for (let i = 0; i < 6; i++) {
      h.rt.clock.advance(3 * 24 * 3_600_000);
      tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    }
    await h.drain();
    expect(h.fake.callsTo('chat.postMessage').some((c) => c.args.channel === 'C0ESCAL')).toBe(true);

    const delivered = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${USERS.contoso.id}` || c.args.channel === SHARED_CHANNEL);
    seen.push(...delivered.map((c) => c.args));
    seen.push(...h.fake.callsTo('chat.update').filter((c) => c.args.channel === `D${USERS.contoso.id}` || c.args.channel === SHARED_CHANNEL).map((c) => c.args));
    seen.push(...h.fake.callsTo('chat.postEphemeral').filter((c) => c.args.user === USERS.contoso.id).map((c) => c.args));

    const text = visible(seen);
    // the sweep saw the new messages
    for (const sign of ['rules on it by', 'Carl met them in May', 'Pat Okafor', 'Dana Reyes', 'settled at once by the criteria', 'Why:', 'There is already a live claim #2 for this party', 'past its escalation chain', 'was already ruled by Morgan Lee', `Only the parties of dispute #${notContosos.id}`]) expect(text).toContain(sign);
    // read, and as sent (button values and the forms' metadata included)
    const raw = JSON.stringify(seen);
    for (const secret of [...NORTHWIND_SECRETS, 'NW-ANSWER', 'Nora', 'Fabrikam']) {
      expect(text, `Contoso read "${secret}"`).not.toContain(secret);
      expect(raw, `Contoso was sent "${secret}"`).not.toContain(secret);
    }
    expect(raw.toLowerCase(), 'another partner\'s id').not.toMatch(/northwind|fabrikam|u0nw1/);
  });
});
