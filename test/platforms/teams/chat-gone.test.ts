import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { FORMS } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { cardOf, readCard, executeOf as submitOf } from '../../support/fake-connector.js';
import { installActivity, personalChat, startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => { h = await startTeams(); });
afterEach(async () => { await h.stop(); });

async function submitTyped(u: TeamsUser, typed: string, verb: string, values: Record<string, string>) {
  const s = submitOf(await h.say(u, typed), verb);
  return h.click(u, s.verb, { ...s.data, ...values });
}

describe('an arbitrator whose stored 1:1 chat Teams no longer knows (chat history removed)', () => {
  it('still gets the SLA reminder: the bot opens the 1:1 again instead of parking every message to the dead chat for good', async () => {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
    await submitTyped(USERS.northwind, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'proposal' });
    await submitTyped(USERS.contoso, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'qualified' });
    const d = h.rt.store.disputes.all().at(-1)!;
    await h.drain();
    // Pat removes the chat history: Teams answers 404 ConversationNotFound for the stored conversation.
    h.rt.clock.advance(24 * 3_600_000); // the first SLA reminder falls due
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    h.connector.failNext(404, { times: 1 });
    const before = h.connector.calls.length;
    for (let i = 0; i < 3; i++) await h.drain();
    const calls = h.connector.calls.slice(before);
    expect(calls[0]).toMatchObject({ status: 404, conversationId: personalChat(USERS.pat) });
    // The reminder reaches Pat anyway, through the 1:1 opened again.
    expect(calls.some((c) => c.kind === 'create'), 'a new 1:1 chat is opened for Pat').toBe(true);
    expect(calls.filter((c) => c.status === 200 && (c.kind === 'send' || c.kind === 'reply') && readCard(cardOf(c)).includes(`Reminder: dispute #${d.id}`)).length).toBe(1);
  });
});
