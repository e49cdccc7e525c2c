import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { findIn, readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

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
