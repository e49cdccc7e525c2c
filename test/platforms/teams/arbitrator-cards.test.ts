/**
 * The arbitrator's Teams cards after a ruling form: the card a question was sent from says where
 * it went and where its answers come (as Slack's does), and keeps saying so when Teams redraws it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { policyTextWith } from '../../support/builders.js';
import { openArbitratedCase } from '../../support/cases.js';
import { cardOf, findIn, readCard, executeOf as submitOf } from '../../support/fake-connector.js';
import { testRuntime } from '../../support/runtime.js';
import { GROUP_CHAT, installActivity, invokeActivity, personalChat, submitActivity, startTeams, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

type Refresh = { action: { verb: string; data: Record<string, unknown> } };
const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };

/** Northwind and Contoso both claim Soylent (Analytics) where `scope` says: the case goes to Pat. */
async function openCase(scope: Scope = { kind: 'personal' }) {
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  const file = async (u: TeamsUser, stage: string) => {
    let form = await h.say(u, 'claim soylent', scope);
    if (scope.kind !== 'personal') {
      const r = (form.refresh as Refresh).action;
      form = await h.click(u, r.verb, r.data, scope);
    }
    const s = submitOf(form, V.submits[FORMS.claim]);
    await h.click(u, s.verb, { ...s.data, ...claim, stage }, scope);
  };
  await file(USERS.northwind, 'proposal');
  await file(USERS.contoso, 'qualified');
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  return d;
}

async function ask(disputeId: number, question: string) {
  const s = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(disputeId) }), V.submits[FORMS.ask]);
  return h.click(USERS.pat, s.verb, { ...s.data, question });
}

describe('a question sent from the Teams ask form', () => {
  it('the card it becomes says where the question went and quotes it, above the case with its ruling buttons; so does the card Teams redraws', async () => {
    const d = await openCase();
    const question = 'Who met the CIO first?';
    const card = await ask(d.id, question);
    const said = 'Your question went to the parties by direct message. Their answers will come to you here, by direct message.';
    expect(readCard(card)).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\n\u2705 ${said.replace(/[.]/g, '\\.')}\nYour question\n${question.replace('?', '\\?')}\n`));
    expect(readCard(card)).toContain('[Approve: Northwind Partners]');
    // Teams redraws the card from the case whenever the chat is opened again.
    const refresh = (card.refresh as Refresh).action;
    expect(refresh.verb).toBe(V.refresh.disputeCase);
    const redrawn = readCard(await h.click(USERS.pat, refresh.verb, refresh.data));
    expect(redrawn).toContain(said);
    expect(redrawn).toContain(`Your question\n${question}`);
    expect(redrawn).toContain('[Approve: Northwind Partners]');
  });

  it('of a case raised in a group chat, names the chat, not a thread', async () => {
    const d = await openCase({ kind: 'groupChat' });
    expect(d.origin).toMatchObject({ channel: GROUP_CHAT, thread: null });
    const text = readCard(await ask(d.id, 'Who met the CIO first?'));
    expect(text).toContain('Your question is in the dispute’s chat and went to the parties by direct message. Their answers will come to you here, by direct message.');
    expect(text).not.toMatch(/thread/);
  });
});

describe('a party’s answer, as the arbitrator reads it in Teams', () => {
  it('“Show the case” leaves the answer where it is (nothing else keeps it) and brings the case below it, with its ruling buttons, as Slack does', async () => {
    const d = await openCase();
    await h.post(installActivity(USERS.northwind, { kind: 'personal' }, h.connector.url));
    await ask(d.id, 'Who met the CIO first?');
    h.connector.calls.length = 0;
    await h.drain();
    const question = h.connector.messages(personalChat(USERS.northwind)).map((c) => cardOf(c)).at(-1)!;
    const form = await h.click(USERS.northwind, submitOf(question, V.actions[ACTIONS.answer]).verb, submitOf(question, V.actions[ACTIONS.answer]).data);
    const send = submitOf(form, V.submits[FORMS.answer]);
    await h.click(USERS.northwind, send.verb, { ...send.data, answer: 'We met the CIO on Nov 3 at the Boston office.' });
    h.connector.calls.length = 0;
    await h.drain();
    const answer = h.connector.messages(personalChat(USERS.pat)).map((c) => cardOf(c)).at(-1)!;
    expect(readCard(answer)).toContain('Answer from Nora Northwind (Northwind Partners)\nWe met the CIO on Nov 3 at the Boston office.');
    const show = submitOf(answer, V.actions[ACTIONS.openCase]);
    h.connector.calls.length = 0;
    const res = await h.post(invokeActivity(USERS.pat, show.verb, show.data, { kind: 'personal' }, h.connector.url));
    // The answer card is not replaced: the response is a short message, not a card.
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: `Dispute #${d.id} is below, with its ruling buttons.` });
    expect(h.connector.calls.filter((c) => c.kind === 'update')).toEqual([]);
    const posted = h.connector.messages(personalChat(USERS.pat)).map((c) => cardOf(c));
    expect(posted).toHaveLength(1);
    expect(readCard(posted[0])).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\n`));
    expect(readCard(posted[0])).toContain('[Approve: Northwind Partners]');
    expect(posted[0]!.refresh).toMatchObject({ action: { verb: V.refresh.disputeCase }, userIds: [USERS.pat.id] });
  });
});

describe('a case card clicked in a Teams client without Universal Actions (Action.Submit)', () => {
  it('a ruling refused (someone above ruled first) replaces the card with the case as it stands under the refusal, as Action.Execute does, rather than posting the refusal beside a card still offering its buttons', async () => {
    const d = await openCase();
    await h.click(USERS.dana, V.actions[ACTIONS.approve], { value: `${d.id}:northwind` });
    h.connector.calls.length = 0;
    const res = await h.post(submitActivity(USERS.pat, { verb: V.actions[ACTIONS.approve], value: `${d.id}:contoso` }, { kind: 'personal' }, h.connector.url, 'activity-77'));
    expect(res.status).toBe(200);
    expect(h.connector.messages()).toEqual([]);
    const update = h.connector.calls.find((c) => c.kind === 'update');
    expect(update).toMatchObject({ conversationId: personalChat(USERS.pat), activityId: 'activity-77' });
    const shown = readCard(cardOf(update));
    expect(shown).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\n⚠️ Dispute #${d.id} was already ruled by Dana Reyes on .*\nNothing was changed\.\n`));
    expect(shown).toMatch(/Ruled by Dana Reyes on .*: Northwind Partners owns it\./);
    expect(findIn(cardOf(update), (o) => o.type === 'Action.Execute')).toEqual([]);
  });
});

describe('a ruling form the arbitrator opened from the case card and leaves unsent', () => {
  it.each([
    ['Award to another party', ACTIONS.award],
    ['Ask for information', ACTIONS.ask],
  ] as const)('“%s”: the form takes the case card’s place, and its “Back to the case” brings the case back with its ruling buttons, without filling the form in', async (_label, action) => {
    const d = await openCase();
    const form = await h.click(USERS.pat, V.actions[action], { value: String(d.id) });
    expect(readCard(form)).not.toContain('[Approve: Northwind Partners]');
    const back = findIn(form, (o) => o.type === 'Action.Execute' && o.title === 'Back to the case')[0] as { verb: string; data: Record<string, unknown>; associatedInputs?: string } | undefined;
    expect(back, readCard(form)).toBeDefined();
    // Teams sends it without checking the form's required fields.
    expect(back!.associatedInputs).toBe('none');
    const card = await h.click(USERS.pat, back!.verb, back!.data);
    expect(readCard(card)).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\n`));
    expect(readCard(card)).toContain('[Approve: Northwind Partners]');
    // The case card again: it redraws itself from the case.
    expect(card.refresh).toMatchObject({ action: { verb: V.refresh.disputeCase }, userIds: [USERS.pat.id] });
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open' });
  });

  it('a form sent back with a problem keeps its way back to the case', async () => {
    const d = await openCase();
    const s = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) }), V.submits[FORMS.award]);
    const refused = await h.click(USERS.pat, s.verb, { ...s.data, party: 'party:contoso', rationale: 'Too short' });
    expect(readCard(refused)).toContain('Explain the ruling (at least 10 characters)');
    expect(readCard(refused)).toContain('[Back to the case]');
  });
});

describe('a reminder, as Teams shows it (a card redraws itself when shown)', () => {
  /** The reminder Pat was sent a day into the case. */
  async function reminder(disputeId: number) {
    h.rt.clock.advance(24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    h.connector.calls.length = 0;
    await h.drain();
    const card = h.connector.messages().map((c) => cardOf(c)).find((c) => readCard(c).startsWith(`\u26A0\uFE0F Reminder: dispute #${disputeId} is due`));
    expect(card, 'the reminder Pat is sent').toBeDefined();
    return card!;
  }
  const redraw = (card: Record<string, unknown>) => {
    const refresh = card.refresh as Refresh | undefined;
    expect(refresh?.action.verb, readCard(card).split('\n')[0]).toBe(V.refresh.disputeCase);
    return h.click(USERS.pat, refresh!.action.verb, refresh!.action.data);
  };

  it('while the case stands, it is the reminder, its snooze buttons kept', async () => {
    const d = await openCase();
    const shown = readCard(await redraw(await reminder(d.id)));
    expect(shown).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\n\u26A0\uFE0F Reminder: dispute #${d.id} is due .*After that it escalates to Dana Reyes\\.\n`));
    expect(shown).toContain('[Approve: Northwind Partners]');
    expect(shown).toContain('[Snooze 1h]');
  });

  it('once the case is ruled, it shows the case as it stands: no ruling or snooze buttons, nor the reminder that no longer holds', async () => {
    const d = await openCase();
    const card = await reminder(d.id);
    // Pat rules from the case card he was sent first.
    expect(readCard(await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${d.id}:northwind` }))).toMatch(/Northwind Partners owns it/);
    const shown = await redraw(card);
    expect(readCard(shown)).toMatch(/Ruled by Pat Okafor on .*: Northwind Partners owns it\./);
    expect(readCard(shown)).not.toMatch(/Reminder/);
    expect(findIn(shown, (o) => o.type === 'Action.Execute')).toEqual([]);
  });

  it('a question asked from it keeps its Snooze buttons (as Slack’s reminder does), under the question, and so does the card Teams redraws', async () => {
    const d = await openCase();
    const rem = await reminder(d.id);
    const form = await h.click(USERS.pat, submitOf(rem, V.actions[ACTIONS.ask]).verb, submitOf(rem, V.actions[ACTIONS.ask]).data);
    const s = submitOf(form, V.submits[FORMS.ask]);
    const asked = await h.click(USERS.pat, s.verb, { ...s.data, question: 'Who met the CIO first?' });
    expect(readCard(asked)).toMatch(/^Dispute #\d+: Soylent Corp\n\u2705 Your question went to the parties by direct message\..*\nYour question\nWho met the CIO first\?\n/);
    expect(readCard(asked)).toContain('[Approve: Northwind Partners]');
    expect(readCard(asked)).toContain('[Snooze 1h]');
    const shown = readCard(await redraw(asked));
    expect(shown).toContain('Your question\nWho met the CIO first?');
    expect(shown).toContain('[Snooze 1h]');
    // Once due, the case as it stands: no snooze.
    h.rt.clock.set(new Date(h.rt.store.disputes.get(d.id)!.dueAt!.getTime() + 60_000));
    expect(readCard(await redraw(asked))).not.toContain('[Snooze');
  });

  it.each([
    ['Award to another party', ACTIONS.award],
    ['Ask for information', ACTIONS.ask],
  ] as const)('“%s” opened from it and left unsent: the form’s way back brings the reminder back, its Snooze buttons with it', async (_label, action) => {
    const d = await openCase();
    const rem = await reminder(d.id);
    const open = submitOf(rem, V.actions[action]);
    const form = await h.click(USERS.pat, open.verb, open.data);
    const back = findIn(form, (o) => o.type === 'Action.Execute' && typeof o.title === 'string' && o.title.startsWith('Back to the'))[0] as { title: string; verb: string; data: Record<string, unknown>; associatedInputs?: string } | undefined;
    expect(back, readCard(form)).toBeDefined();
    expect(back!.title).toBe('Back to the reminder');
    expect(back!.associatedInputs).toBe('none');
    const card = await h.click(USERS.pat, back!.verb, back!.data);
    expect(readCard(card)).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\n\u26A0\uFE0F Reminder: dispute #${d.id} is due `));
    expect(readCard(card)).toContain('[Approve: Northwind Partners]');
    expect(readCard(card)).toContain('[Snooze 1h]');
    // A form sent back with a problem keeps the same way back.
    const s = submitOf(form, V.submits[FORMS[action === ACTIONS.award ? 'award' : 'ask']]);
    const refused = await h.click(USERS.pat, s.verb, { ...s.data, party: 'party:contoso', rationale: 'Short', question: 'Why' });
    expect(readCard(refused)).toContain('[Back to the reminder]');
  });

  it('once the case escalated past him, it and the first case card show the case without buttons, saying who rules on it now (as Slack’s updated card says)', async () => {
    const d = await openCase();
    const first = h.connector.messages(personalChat(USERS.pat)).map((c) => cardOf(c)).find((c) => readCard(c).startsWith(`Dispute #${d.id}: Soylent Corp\nA case for you to rule on`));
    expect(first, 'the case card Pat was sent').toBeDefined();
    const card = await reminder(d.id);
    h.rt.clock.set(new Date(h.rt.store.disputes.get(d.id)!.dueAt!.getTime() + 60_000));
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
    // So does the case he opens again (Open, Show the case) to rule on it.
    const opened = await h.click(USERS.pat, V.actions[ACTIONS.openCase], { value: String(d.id) });
    for (const shown of [await redraw(card), await redraw(first!), opened]) {
      expect(readCard(shown)).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\nThis case moved to Dana Reyes, who rules on it now\\.\\n`));
      expect(findIn(shown, (o) => o.type === 'Action.Execute')).toEqual([]);
    }
  });

  it('a colleague the case never passed (Sam of the policy, Riley of none), opening it (roe case N, then Open), reads the case as it stands, not that it moved to whoever rules on it (as in Slack)', async () => {
    const d = await openCase();
    for (const [when, arbitrator] of [['with Pat', 'Pat Okafor'], ['escalated to Dana', 'Dana Reyes']] as const) {
      if (arbitrator === 'Dana Reyes') {
        h.rt.clock.set(new Date(h.rt.store.disputes.get(d.id)!.dueAt!.getTime() + 60_000));
        tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
        expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
      }
      for (const colleague of [USERS.sam, USERS.rep]) {
        expect(readCard(await h.say(colleague, `roe case ${d.id}`)), `${colleague.name}, ${when}`).toContain(`Dispute #${d.id}`);
        const opened = await h.click(colleague, V.actions[ACTIONS.openCase], { value: String(d.id) });
        expect(readCard(opened), `${colleague.name}, ${when}`).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\n`));
        expect(readCard(opened), `${colleague.name}, ${when}`).not.toContain('This case moved to');
        expect(findIn(opened, (o) => o.type === 'Action.Execute' && String(o.title).startsWith('Approve')), `${colleague.name}, ${when}`).toEqual([]);
      }
    }
  });

  it('once the case is due, it shows the case overdue: its ruling buttons kept, no snooze, nor the reminder', async () => {
    const d = await openCase();
    const card = await reminder(d.id);
    // Past the SLA, before the breach has handed the case on.
    h.rt.clock.set(new Date(h.rt.store.disputes.get(d.id)!.dueAt!.getTime() + 60_000));
    const shown = readCard(await redraw(card));
    expect(shown).toContain('[Approve: Northwind Partners]');
    expect(shown).not.toContain('[Snooze');
    expect(shown).not.toMatch(/Reminder/);
  });
});

describe('a case of someone who left the policy, opened in Teams', () => {
  it('says it moved to whoever rules on it once it was handed on from them, and nothing of the kind before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-teams-left-'));
    const db = join(dir, 'left.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(v1);
    v1.close();
    // 2026.2, from Dec 8, no longer names Pat (Sam arbitrates Default now).
    const policyPath = join(dir, 'policy.yaml');
    const PAT = '  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n';
    writeFileSync(policyPath, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], [PAT, ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    const left = await startTeams({ databasePath: db, policyPath });
    try {
      const open = async () => readCard(await left.click(USERS.pat, V.actions[ACTIONS.openCase], { value: String(d.id) }));
      // In force from Dec 8: Pat left, the case not yet handed on (still in Pat's name, its next
      // reminder hands it on): no line says it moved (not to Pat, whom it names).
      left.rt.clock.set('2026-12-08T14:00:00Z');
      expect(left.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'pat' });
      expect(await open()).not.toContain('This case moved to');
      // Handed on to Dana at the server's next tick: now it says so.
      tick(left.rt.db, left.rt.deps, left.rt.clock.now(), left.rt.logger);
      expect(left.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
      const shown = await open();
      expect(shown).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\nThis case moved to Dana Reyes, who rules on it now\\.\\n`));
      expect(shown).not.toMatch(/\[Approve|\[Award/);
    } finally {
      await left.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
