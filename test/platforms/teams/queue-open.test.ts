import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { executeOf, findIn, readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

describe('roe queue in Teams: a case opened from the queue', () => {
  it('someone above the arbitrator in the chain opens the case in place and rules on it', async () => {
    const d = openArbitratedCase(h.rt);
    const queue = await h.say(USERS.dana, 'roe queue');
    expect(readCard(queue)).toContain('assigned to Pat Okafor');
    const open = findIn(queue, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.actions[ACTIONS.openCase])[0] as { title: string; verb: string; data: Record<string, unknown> };
    expect(open.title).toBe(`Open #${d.id}`);
    const card = await h.click(USERS.dana, open.verb, open.data);
    expect(readCard(card)).toContain('Soylent Corp (Analytics)');
    const approve = findIn(card, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.actions[ACTIONS.approve])[0] as { verb: string; data: Record<string, unknown> };
    expect(readCard(await h.click(USERS.dana, approve.verb, approve.data))).toMatch(/Ruled by Dana Reyes/);
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'dana' });
  });
});

describe('roe queue in Teams: what a screen reader says of an Open button', () => {
  it('its tooltip names the case and its account, on the Universal Action and its fallback; its title stays "Open #N"', async () => {
    const d = openArbitratedCase(h.rt);
    const queue = await h.say(USERS.dana, 'roe queue');
    const open = findIn(queue, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.actions[ACTIONS.openCase])[0] as { title: string; tooltip?: string; fallback: { title: string; tooltip?: string } };
    expect(open).toMatchObject({ title: `Open #${d.id}`, tooltip: `Open dispute #${d.id}: Soylent Corp (Analytics)` });
    expect(open.fallback).toMatchObject({ title: `Open #${d.id}`, tooltip: `Open dispute #${d.id}: Soylent Corp (Analytics)` });
  });
});

describe('roe queue in Teams: the way back from a case opened from it', () => {
  type Execute = { verb: string; data: Record<string, unknown> };
  const openFromQueue = async (u: TeamsUser, id: number) => {
    const queue = await h.say(u, 'roe queue');
    const open = findIn(queue, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.actions[ACTIONS.openCase] && o.title === `Open #${id}`)[0] as unknown as Execute;
    return h.click(u, open.verb, open.data);
  };

  it('the case card opened in the queue’s place has Back to the queue, kept once ruled, and it shows the queue as it now stands', async () => {
    const d = openArbitratedCase(h.rt);
    const card = await openFromQueue(USERS.dana, d.id);
    expect(readCard(card)).toContain('[Back to the queue]');
    // Teams redraws the card when Dana comes back to the chat: the way back stays.
    const refresh = (card.refresh as { action: Execute }).action;
    expect(readCard(await h.click(USERS.dana, refresh.verb, refresh.data))).toContain('[Back to the queue]');
    const approve = executeOf(card, TEAMS_IDS.actions[ACTIONS.approve]);
    const ruled = await h.click(USERS.dana, approve.verb, approve.data);
    expect(readCard(ruled)).toMatch(/Ruled by Dana Reyes/);
    expect(readCard(ruled)).toContain('[Back to the queue]');
    expect(readCard(ruled)).not.toContain('[Approve');
    const back = executeOf(ruled, TEAMS_IDS.back.queue);
    const queue = readCard(await h.click(USERS.dana, back.verb, back.data));
    // The queue as it now stands: the case ruled is no longer in it.
    expect(queue).toContain('No cases are waiting for your ruling');
    expect(queue).not.toContain(`[Open #${d.id}]`);
  });

  it('a ruling form opened from that card goes back to it, and the case ruled there keeps Back to the queue', async () => {
    const d = openArbitratedCase(h.rt);
    const card = await openFromQueue(USERS.dana, d.id);
    const award = executeOf(card, TEAMS_IDS.actions[ACTIONS.award]);
    const form = await h.click(USERS.dana, award.verb, award.data);
    const toCase = findIn(form, (o) => o.type === 'Action.Execute' && o.title === 'Back to the case')[0] as unknown as Execute;
    expect(readCard(await h.click(USERS.dana, toCase.verb, toCase.data))).toContain('[Back to the queue]');
    const submit = executeOf(form, TEAMS_IDS.submits[FORMS.award]);
    const ruled = await h.click(USERS.dana, submit.verb, { ...submit.data, party: 'contoso', rationale: 'Contoso brought the deal.' });
    expect(readCard(ruled)).toMatch(/Ruled by Dana Reyes/);
    expect(readCard(ruled)).toContain('[Back to the queue]');
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
  });

  it('a case opened otherwise (roe case N) has no Back to the queue', async () => {
    const d = openArbitratedCase(h.rt);
    const shown = await h.say(USERS.dana, `roe case ${d.id}`);
    const open = executeOf(shown, TEAMS_IDS.actions[ACTIONS.openCase]);
    const card = await h.click(USERS.dana, open.verb, open.data);
    expect(readCard(card)).toContain('[Approve');
    expect(readCard(card)).not.toContain('Back to the queue');
  });
});
