import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyTextWith } from '../../support/builders.js';
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

describe('an arbitrator who left the tenant (their 1:1 chat gone, and Teams refuses to open another)', () => {
  it('a card of a claim waiting for approval names the case as the approval of its claim', async () => {
    await h.stop();
    const policy = join(mkdtempSync(join(tmpdir(), 'roe-approval-gone-')), 'policy.yaml');
    writeFileSync(policy, policyTextWith([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
    h = await startTeams({ policyPath: policy });
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    h.connector.refused.set(personalChat(USERS.pat), 404);
    h.connector.onCall = (c) => {
      if (c.kind === 'create' && JSON.stringify(c.body).includes(USERS.pat.id)) h.connector.failNext(404);
    };
    const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
    await submitTyped(USERS.northwind, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'proposal' });
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ arbitrator: 'pat', claimIds: [expect.any(Number)] });
    for (let i = 0; i < 3; i++) await h.drain();
    const parked = h.rt.db.sqlite.prepare("select last_error from outbox where status = 'parked' and json_extract(target, '$.user') = ?").all(USERS.pat.id) as { last_error: string }[];
    expect(parked).toHaveLength(1);
    expect(parked[0]!.last_error).toContain(`they are "pat" of the policy, who has approval of claim #${d.claimIds[0]} (case #${d.id}): it moves on`);
  });

  it.each([403, 404])('the case card is parked (HTTP %i), its error naming them as the policy does and how their cases move on', async (status) => {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
    await submitTyped(USERS.northwind, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'proposal' });
    h.connector.refused.set(personalChat(USERS.pat), 404);
    h.connector.onCall = (c) => {
      if (c.kind === 'create' && JSON.stringify(c.body).includes(USERS.pat.id)) h.connector.failNext(status);
    };
    await submitTyped(USERS.contoso, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'qualified' });
    const d = h.rt.store.disputes.all().at(-1)!;
    for (let i = 0; i < 3; i++) await h.drain();
    const parked = h.rt.db.sqlite.prepare("select last_error from outbox where status = 'parked' and json_extract(target, '$.user') = ?").all(USERS.pat.id) as { last_error: string }[];
    expect(parked).toHaveLength(1);
    const why = status === 403 ? 'the app is not installed for them (pre-install it with a setup policy) or is blocked, or they left the tenant' : 'they left the tenant, or Teams does not know them';
    expect(parked[0]!.last_error).toBe(`Teams answered HTTP ${status} opening a 1:1 chat with ${USERS.pat.id}: ${why}; they are "pat" of the policy, who has dispute #${d.id}: it moves on to the next of its escalation chain (or, past its end, to the escalation channel) unless they can be reached on another platform, where their card goes instead; if they left, remove them from the policy's people in a new version and all their open cases move on`);
    // Teams alone is served: nowhere else to reach Pat, so the case moves on at once to Dana, who gets it; Pat's card stays parked.
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    for (let i = 0; i < 3; i++) await h.drain();
    expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    const toDana = h.connector.calls.filter((c) => c.status === 200 && (c.kind === 'send' || c.kind === 'reply') && readCard(cardOf(c)).includes('Yours to rule now: Pat Okafor cannot be reached in Teams'));
    expect(toDana).toHaveLength(1);
    expect(h.rt.db.sqlite.prepare("select count(*) n from outbox where status = 'parked' and json_extract(target, '$.user') = ?").get(USERS.pat.id)).toEqual({ n: 1 });
  });
});

describe('an arbitrator whose stored 1:1 chat Teams refuses (403: they left the tenant, or removed the app)', () => {
  it('the case card is parked, its error naming them as the policy does and how their cases move on, as when the chat cannot be opened', async () => {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
    await submitTyped(USERS.northwind, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'proposal' });
    h.connector.refused.set(personalChat(USERS.pat), 403);
    await submitTyped(USERS.contoso, 'claim soylent', TEAMS_IDS.submits[FORMS.claim], { ...claim, stage: 'qualified' });
    const d = h.rt.store.disputes.all().at(-1)!;
    for (let i = 0; i < 3; i++) await h.drain();
    const parked = h.rt.db.sqlite.prepare("select last_error from outbox where status = 'parked' and json_extract(target, '$.user') = ?").all(USERS.pat.id) as { last_error: string }[];
    expect(parked).toHaveLength(1);
    expect(parked[0]!.last_error).toBe(
      `Teams answered HTTP 403 posting in the 1:1 chat with ${USERS.pat.id}: the app is not installed for them (pre-install it with a setup policy) or is blocked, or they left the tenant; they are "pat" of the policy, who has dispute #${d.id}: it moves on to the next of its escalation chain (or, past its end, to the escalation channel) unless they can be reached on another platform, where their card goes instead; if they left, remove them from the policy's people in a new version and all their open cases move on`,
    );
  });
});
