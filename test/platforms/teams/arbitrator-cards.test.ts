/**
 * The arbitrator's Teams cards after a ruling form: the card a question was sent from says where
 * it went and where its answers come (as Slack's does), and keeps saying so when Teams redraws it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { cardOf, findIn, readCard, executeOf as submitOf } from '../../support/fake-connector.js';
import { GROUP_CHAT, installActivity, startTeams, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

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
