import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { leadOf } from '../../../handlers/platforms/teams/render.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { cardOf, readCard, executeOf as submitOf } from '../../support/fake-connector.js';
import { installActivity, personalChat, startTeams, TENANTS, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => { h = await startTeams(); });
afterEach(async () => { await h.stop(); });

async function submitTyped(u: TeamsUser, typed: string, verb: string, values: Record<string, string>) {
  const form = await h.say(u, typed);
  const s = submitOf(form, verb);
  return h.click(u, s.verb, { ...s.data, ...values });
}
async function openCase() {
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  await h.post(installActivity(USERS.dana, { kind: 'personal' }, h.connector.url));
  const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
  await submitTyped(USERS.northwind, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'proposal' });
  await submitTyped(USERS.contoso, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'qualified' });
  await h.drain();
  return h.rt.store.disputes.all().at(-1)!;
}

describe('a case card with a lead line, as Teams shows it (it refreshes itself when viewed)', () => {
  it('the arbitrator a case escalated to still reads why it came to them after the card refreshes', async () => {
    const d = await openCase();
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(d.id)!.arbitrator).toBe('dana');
    const sent = h.connector.messages().map((c) => cardOf(c)).find((c) => readCard(c).includes('Escalated to you'));
    expect(sent, 'the escalation card Dana is sent').toBeDefined();
    const refresh = sent!.refresh as { action: { verb: string; data: Record<string, unknown> } };
    expect(refresh?.action.verb).toBe(TEAMS_IDS.refresh.disputeCase);
    // Teams refreshes the card as soon as Dana's client shows it: this is what she reads.
    const redrawn = await h.click(USERS.dana, refresh.action.verb, refresh.action.data);
    const shown = readCard(redrawn);
    expect(shown).toContain('[Approve: Northwind Partners]');
    expect(shown).toMatch(/Escalated to you: Pat Okafor did not rule within the SLA/);
    // And at every later refresh, while the case stays with her.
    const next = redrawn.refresh as { action: { verb: string; data: Record<string, unknown> } };
    const again = await h.click(USERS.dana, next.action.verb, next.action.data);
    expect(readCard(again)).toMatch(/Escalated to you/);
    // Once she ruled, the card shows the case as it stands, without the line that no longer holds.
    await h.click(USERS.dana, TEAMS_IDS.actions[ACTIONS.approve], { value: `${d.id}:${h.rt.store.disputes.get(d.id)!.recommendation}` });
    const after = readCard(await h.click(USERS.dana, refresh.action.verb, refresh.action.data));
    expect(after).not.toMatch(/Escalated to you/);
    expect(after).not.toContain('[Approve');
  });
});

describe('past the whole escalation chain, as Teams shows the last arbitrator’s cards', () => {
  const morgan: TeamsUser = { id: '29:vp', name: 'Morgan Lee', aadObjectId: 'a0000000-0000-4000-8000-000000000005', tenant: TENANTS.home };
  type Refresh = { action: { verb: string; data: Record<string, unknown> } };
  const refreshOf = (card: Record<string, unknown>) => (card.refresh as Refresh).action;
  const day = async () => {
    h.rt.clock.advance(24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
  };

  it('the escalation’s card and the reminder, redrawn once her SLA ran out too, say it is overdue and still hers to rule, as Slack’s are updated to', async () => {
    h.connector.memberTenants.set(morgan.id, morgan.tenant);
    await h.post(installActivity(morgan, { kind: 'personal' }, h.connector.url));
    const d = await openCase();
    while (h.rt.store.disputes.get(d.id)!.arbitrator !== 'vp') await day();
    const toMorgan = () => h.connector.messages(personalChat(morgan)).map((c) => cardOf(c));
    while (!toMorgan().some((c) => readCard(c).includes('[Snooze'))) await day();
    const escalated = toMorgan().find((c) => readCard(c).includes('Escalated to you'));
    const reminder = toMorgan().find((c) => readCard(c).includes('[Snooze'));
    expect(escalated, 'the escalation card Morgan is sent').toBeDefined();
    const exhausted = () => [...h.rt.store.ledger.entries()].some((e) => e.kind === 'dispute.escalated_to_channel' && e.subject === `dispute:${d.id}`);
    while (!exhausted()) await day();
    const overdue = `Nobody in its escalation chain ruled dispute #${d.id} in time: it is overdue, and still yours to rule, the last in the chain.`;
    for (const sent of [escalated!, reminder!]) {
      // Teams refreshes the card when Morgan's client shows it again: this is what she reads.
      const redrawn = await h.click(morgan, refreshOf(sent).verb, refreshOf(sent).data);
      const shown = readCard(redrawn);
      expect(shown).toContain(overdue);
      expect(shown).not.toMatch(/Escalated to you|Reminder:/);
      expect(shown).toMatch(/Due\n.*\(overdue\)/);
      expect(shown).toContain('[Approve: Northwind Partners]');
      expect(shown).not.toContain('[Snooze');
      // And at its later refreshes, while the case stays so.
      expect(readCard(await h.click(morgan, refreshOf(redrawn).verb, refreshOf(redrawn).data))).toContain(overdue);
    }
    // Once she ruled, the case as it stands, without the line.
    await h.click(morgan, TEAMS_IDS.actions[ACTIONS.approve], { value: `${d.id}:northwind` });
    const after = readCard(await h.click(morgan, refreshOf(escalated!).verb, refreshOf(escalated!).data));
    expect(after).not.toContain('overdue, and still yours');
    expect(after).not.toContain('[Approve');
  });
});

describe('a snooze, as Teams shows it', () => {
  it('the snooze confirmation stays on the card the arbitrator sees (it does not vanish at the card’s next refresh)', async () => {
    const d = await openCase();
    h.rt.clock.advance(24 * 3_600_000); // past the first reminder
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    const snoozed = await h.click(USERS.pat, TEAMS_IDS.actions[ACTIONS.snooze], { value: `${d.id}:1h` });
    expect(readCard(snoozed)).toMatch(/snoozed until/);
    const refresh = snoozed.refresh as { action: { verb: string; data: Record<string, unknown> } } | undefined;
    // Teams refreshes the card whenever the chat is opened again (after a minute).
    expect(refresh?.action.verb).toBe(TEAMS_IDS.refresh.disputeCase);
    h.rt.clock.advance(2 * 60_000);
    const shown = readCard(await h.click(USERS.pat, refresh!.action.verb, refresh!.action.data));
    expect(shown).toMatch(/snoozed until/);
    expect(shown).toContain('[Approve: Northwind Partners]');
  });
});

describe('lead lines as a refresh carries them back', () => {
  it('are taken as text only, a few short lines, whatever a client sends', () => {
    const sent = [{ type: 'actions', actions: [{ action: 'approve', label: 'Approve', value: '1:x' }] }, { type: 'text', text: 'x'.repeat(5_000), tone: 'shouting' }, ...Array.from({ length: 6 }, (_, i) => ({ type: 'text', text: `line ${i}`, tone: 'warning' }))];
    const lead = leadOf({ [TEAMS_IDS.data.lead]: sent, [TEAMS_IDS.data.stamp]: 'open:pat:0:northwind' });
    expect(lead?.stamp).toBe('open:pat:0:northwind');
    expect(lead?.blocks.every((b) => b.type === 'text')).toBe(true);
    expect(lead?.blocks).toHaveLength(3);
    expect(lead?.blocks[0]).toEqual({ type: 'text', text: expect.stringMatching(/^x{1,2000}…?$/) });
    expect((lead?.blocks[0] as { text: string }).text.length).toBeLessThanOrEqual(2_000);
    expect(lead?.blocks[1]).toEqual({ type: 'text', text: 'line 0', tone: 'warning' });
    expect(leadOf({ [TEAMS_IDS.data.lead]: 'not a list', [TEAMS_IDS.data.stamp]: 's' })).toBeUndefined();
    expect(leadOf({ [TEAMS_IDS.data.lead]: sent })).toBeUndefined();
  });
});
