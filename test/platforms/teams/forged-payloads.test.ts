/**
 * Card payloads crafted by hand. Anyone can post an Adaptive Card of their own into a chat with
 * the bot and click it, so every id a button or a form carries (a dispute, a claim, the party an
 * approval expects, a form's hidden state) is only a claim of the client's: the server checks
 * who may act on what it names, answers with a refusal the person can read, and changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { breach } from '../../../src/core/sla/sla.service.js';
import type { Dispute } from '../../../src/core/types.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
/** A user of Fabrikam (examples/partners.csv): a partner, but no party to the cases below. */
const FABRIKAM: TeamsUser = { id: '29:fay', name: 'Fay Fabrikam', aadObjectId: 'f0000000-0000-4000-8000-000000000001', tenant: '5b1f3c1e-0000-4000-8000-00000000a003' };

let h: TeamsHarness;
/** Pat's case on Soylent: Northwind (recommended, furthest stage) against Contoso. */
let mine: Dispute;
/** A case on Wayne escalated from Pat to Dana: Pat may no longer rule on it. */
let escalated: Dispute;

beforeEach(async () => {
  h = await startTeams({ env: { LOG_LEVEL: 'warn' } });
  mine = openArbitratedCase(h.rt, 'soylent');
  escalated = openArbitratedCase(h.rt, 'wayne');
  h.rt.store.transaction(() => breach(h.rt.ctx, escalated.id, { level: 0 }, h.rt.clock.now()));
  escalated = h.rt.store.disputes.get(escalated.id)!;
  expect(escalated.arbitrator).toBe('dana');
});
afterEach(async () => {
  await h.stop();
});

/** What a refused click may change: nothing. */
function snapshot() {
  return {
    ledger: [...h.rt.store.ledger.entries()].length,
    outbox: (h.rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n,
    disputes: h.rt.store.disputes.all().map((d) => [d.id, d.status, d.arbitrator]),
    claims: h.rt.store.claims.all().map((c) => [c.id, c.status, c.lastActivityAt.getTime()]),
  };
}

const claimOf = (d: Dispute, partner: string) => d.claimIds.map((id) => h.rt.store.claims.get(id)!).find((c) => c.claimant === partner)!;

describe('forged card payloads are refused, clearly, and change nothing', () => {
  /** `onForm`: a mistake on a form's field comes back as the form with the error under the field. */
  const cases: { name: string; who: () => TeamsUser; verb: string; data: () => Record<string, unknown>; refusal: () => RegExp; onForm?: true }[] = [
    { name: 'a party approving its own case', who: () => USERS.contoso, verb: V.actions[ACTIONS.approve], data: () => ({ value: `${mine.id}:northwind` }), refusal: () => new RegExp(`Only Pat Okafor \\(the assigned arbitrator\\) .* can rule on dispute #${mine.id}`) },
    { name: 'a colleague who is not the arbitrator approving', who: () => USERS.sam, verb: V.actions[ACTIONS.approve], data: () => ({ value: `${mine.id}:northwind` }), refusal: () => /Only Pat Okafor/ },
    { name: 'the arbitrator approving a case that escalated past them', who: () => USERS.pat, verb: V.actions[ACTIONS.approve], data: () => ({ value: `${escalated.id}:northwind` }), refusal: () => new RegExp(`Only Dana Reyes .* dispute #${escalated.id}`) },
    { name: 'the arbitrator awarding another dispute through the hidden state of their own form', who: () => USERS.pat, verb: V.submits[FORMS.award], data: () => ({ state: { dispute: String(escalated.id) }, party: 'contoso', rationale: 'Contoso sourced the opportunity.' }), refusal: () => /Only Dana Reyes/ },
    { name: 'the arbitrator asking on another dispute through the hidden state', who: () => USERS.pat, verb: V.submits[FORMS.ask], data: () => ({ state: { dispute: String(escalated.id) }, question: 'Who met them first?' }), refusal: () => /Only Dana Reyes/ },
    { name: 'an award to a party that is not in the case', who: () => USERS.pat, verb: V.submits[FORMS.award], data: () => ({ state: { dispute: String(mine.id) }, party: 'fabrikam', rationale: 'Fabrikam was never asked.' }), refusal: () => /That party is not part of dispute #\d+\.[^]*Pick one of the parties/, onForm: true },
    { name: 'an approval of a recommendation the case does not make', who: () => USERS.pat, verb: V.actions[ACTIONS.approve], data: () => ({ value: `${mine.id}:contoso` }), refusal: () => /Nothing was ruled/ },
    { name: 'a party snoozing the arbitrator’s reminder', who: () => USERS.contoso, verb: V.actions[ACTIONS.snooze], data: () => ({ value: `${mine.id}:4h` }), refusal: () => new RegExp(`Only the assigned arbitrator can snooze reminders of dispute #${mine.id}`) },
    { name: 'the former arbitrator snoozing a case that moved on', who: () => USERS.pat, verb: V.actions[ACTIONS.snooze], data: () => ({ value: `${escalated.id}:1h` }), refusal: () => /Only the assigned arbitrator/ },
    { name: 'a partner logging activity on another partner’s claim', who: () => USERS.northwind, verb: V.actions[ACTIONS.logActivity], data: () => ({ value: String(claimOf(mine, 'contoso').id) }), refusal: () => new RegExp(`Claim #${claimOf(mine, 'contoso').id} is not one of your organisation’s claims\\. roe mine lists yours`) },
    { name: 'a partner opening the award form', who: () => USERS.northwind, verb: V.actions[ACTIONS.award], data: () => ({ value: String(mine.id) }), refusal: () => /Only Pat Okafor/ },
    { name: 'a partner of neither side reading the case card', who: () => FABRIKAM, verb: V.refresh.disputeCase, data: () => ({ value: String(mine.id) }), refusal: () => new RegExp(`Dispute #${mine.id} is not one your organisation is a party to`) },
    { name: 'a stranger reading the case card', who: () => USERS.stranger, verb: V.refresh.disputeCase, data: () => ({ value: String(mine.id) }), refusal: () => /not linked to a partner of ours/ },
    { name: 'a stranger approving', who: () => USERS.stranger, verb: V.actions[ACTIONS.approve], data: () => ({ value: `${mine.id}:northwind` }), refusal: () => /not linked to a partner of ours/ },
    { name: 'a stranger logging activity', who: () => USERS.stranger, verb: V.actions[ACTIONS.logActivity], data: () => ({ value: String(claimOf(mine, 'northwind').id) }), refusal: () => /not linked to a partner of ours/ },
    { name: 'a value that names no dispute', who: () => USERS.pat, verb: V.actions[ACTIONS.approve], data: () => ({ value: 'drop table disputes' }), refusal: () => /That button refers to no dispute/ },
  ];

  it.each(cases)('$name', async ({ who, verb, data, refusal, onForm }) => {
    const before = snapshot();
    const card = readCard(await h.click(who(), verb, data()));
    expect(card).toMatch(refusal());
    if (!onForm) expect(card).toContain('Nothing was changed.');
    expect(snapshot()).toEqual(before);
  });

  it('a refusal about someone else’s case names no partner', async () => {
    for (const u of [FABRIKAM, USERS.stranger]) {
      for (const [verb, value] of [
        [V.actions[ACTIONS.approve], `${mine.id}:northwind`],
        [V.actions[ACTIONS.snooze], `${mine.id}:1h`],
        [V.actions[ACTIONS.award], String(mine.id)],
        [V.refresh.disputeCase, String(mine.id)],
        [V.actions[ACTIONS.logActivity], String(claimOf(mine, 'contoso').id)],
      ] as const) {
        const card = readCard(await h.click(u, verb, { value }));
        expect(card).not.toMatch(/Northwind|Contoso/);
      }
    }
  });

  it('whoever may not rule learns nothing of a closed case either: they are refused as on an open one', async () => {
    await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${mine.id}:northwind` });
    expect(h.rt.store.disputes.get(mine.id)!.status).toBe('ruled');
    for (const u of [USERS.contoso, FABRIKAM, USERS.sam]) {
      const card = readCard(await h.click(u, V.actions[ACTIONS.approve], { value: `${mine.id}:northwind` }));
      // A partner of neither side reads what it reads of a case that does not exist.
      expect(card).toMatch(u === FABRIKAM ? new RegExp(`Dispute #${mine.id} is not one your organisation is a party to`) : /Only Pat Okafor/);
      expect(card).not.toMatch(/already ruled/);
    }
    // the arbitrator's own second click rules nothing more: the card shows the ruling made
    const again = readCard(await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${mine.id}:northwind` }));
    expect(again).toMatch(/Ruled by Pat Okafor on .*: Northwind Partners owns it\./);
    expect(again).not.toMatch(/already ruled|Nothing was changed/);
    // someone else above them in the chain is told who ruled, and when
    expect(readCard(await h.click(USERS.dana, V.actions[ACTIONS.approve], { value: `${mine.id}:northwind` }))).toMatch(new RegExp(`Dispute #${mine.id} was already ruled by Pat Okafor on`));
  });
});
