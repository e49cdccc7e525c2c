/**
 * Everything a Teams user of one partner (Contoso, in its own tenant) can read, swept after a
 * busy day with another partner (Northwind): a case between them, asked on, answered by both,
 * escalated and ruled; a case by hand Northwind raised; Contoso's own case in the shared channel.
 * Whatever reaches Contoso's user (answers, forms, cards, refusals, their 1:1 chat and the
 * shared channel's posts, as sent, button data included) must not carry Northwind's name, ids,
 * deal size, opportunity, evidence, reason or answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { tick } from '../../../src/app/scheduler.js';
import { cardOf, executeOf, readCard } from '../../support/fake-connector.js';
import { CHANNEL, installActivity, invokeActivity, personalChat, startTeams, USERS, type Scope, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
const SHARED: Scope = { kind: 'channel', root: '1700000000321' };
const NORTHWIND = ['Northwind', 'northwind', 'Nora', '29:nora', 'b0000000-0000-4000-8000-000000000001', '77,777', '77777', 'NW-OPPORTUNITY', 'NW-EVIDENCE', 'NW-REASON', 'NW-ANSWER'];

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

let stubs = 0;

/** An Action.Execute click on the card posted as `replyToId` (a form asked for in a channel is one instance per message). */
async function clickOn(u: TeamsUser, verb: string, data: Record<string, unknown>, scope: Scope, replyToId: string): Promise<Record<string, unknown>> {
  const res = await h.post(invokeActivity(u, verb, data, scope, h.connector.url, replyToId));
  const body = res.body as { value?: Record<string, unknown> } | null;
  if (res.status !== 200 || !body?.value) throw new Error(`invoke answered ${res.status}: ${JSON.stringify(res.body)}`);
  return body.value;
}

/** What `u` reads after typing `text`: in a channel, the card everyone sees and, refreshed for them alone, the answer. */
async function ask(u: TeamsUser, text: string, scope: Scope = { kind: 'personal' }): Promise<{ cards: Record<string, unknown>[]; click: (verb: string, data: Record<string, unknown>) => Promise<Record<string, unknown>> }> {
  const card = await h.say(u, text, scope);
  const refresh = card.refresh as { action: { verb: string; data: Record<string, unknown> } } | undefined;
  if (!refresh) return { cards: [card], click: (verb, data) => h.click(u, verb, data, scope) };
  const stub = `stub-${++stubs}`;
  return { cards: [card, await clickOn(u, refresh.action.verb, refresh.action.data, scope, stub)], click: (verb, data) => clickOn(u, verb, data, scope, stub) };
}

async function submitTyped(u: TeamsUser, typed: string, verb: string, values: Record<string, string>, scope: Scope = { kind: 'personal' }) {
  const asked = await ask(u, typed, scope);
  const s = executeOf(asked.cards.at(-1), verb);
  return asked.click(s.verb, { ...s.data, ...values });
}

describe('a Teams partner user reads nothing of another partner', () => {
  it('anywhere, after a busy day', async () => {
    for (const u of [USERS.pat, USERS.dana, USERS.northwind, USERS.contoso]) await h.post(installActivity(u, { kind: 'personal' }, h.connector.url));
    const seen: unknown[] = [];
    const claim = { route: 'resell', product: 'Analytics', evidence: '' };
    // Northwind's deal on Soylent and a case by hand on Initech (Contoso's demo claim), from its 1:1 chat.
    await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...claim, account: 'Soylent Corp', opportunity: 'NW-OPPORTUNITY', stage: 'proposal', amount: '77777', evidence: 'NW-EVIDENCE' });
    await submitTyped(USERS.northwind, 'dispute initech', V.submits[FORMS.dispute], { account: 'Initech LLC', product: 'Core Platform', against: '', reason: 'NW-REASON: we met them first', evidence: 'NW-EVIDENCE too' });
    expect(h.rt.store.claims.all().find((c) => c.opportunity.name === 'NW-OPPORTUNITY')).toMatchObject({ claimant: 'northwind', evidence: 'NW-EVIDENCE' });
    expect(h.rt.store.disputes.all().find((d) => d.accountId === 'initech')).toMatchObject({ raisedAs: 'northwind', reason: 'NW-REASON: we met them first' });
    // Contoso overlaps on Soylent from the shared channel: the case goes to Pat, its thread in the channel.
    seen.push(await submitTyped(USERS.contoso, 'claim soylent', V.submits[FORMS.claim], { ...claim, account: 'Soylent Corp', opportunity: 'Contoso pilot', stage: 'qualified', amount: '' }, SHARED));
    await h.drain();
    const soylent = h.rt.store.disputes.all().find((d) => d.accountId === 'soylent')!;
    expect(soylent).toMatchObject({ status: 'open', arbitrator: 'pat' });

    // Pat asks; both answer from their chats (Northwind with its secrets).
    const asking = executeOf(await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(soylent.id) }), V.submits[FORMS.ask]);
    await h.click(USERS.pat, asking.verb, { ...asking.data, question: 'Who met the buyer first?' });
    await h.drain();
    const answerIn = (u: TeamsUser) => {
      const card = h.connector.calls.filter((c) => c.kind === 'send' && c.conversationId === personalChat(u) && JSON.stringify(c.body).includes('Who met the buyer first?')).map((c) => cardOf(c)).at(-1)!;
      return executeOf(card, V.actions[ACTIONS.answer]);
    };
    for (const [u, words] of [[USERS.northwind, 'NW-ANSWER: Nora met them at the summit'], [USERS.contoso, 'Carl met them in May']] as const) {
      const a = answerIn(u);
      const form = await h.click(u, a.verb, a.data);
      const submit = executeOf(form, V.submits[FORMS.answer]);
      const answered = await h.click(u, submit.verb, { ...submit.data, answer: words });
      if (u === USERS.contoso) seen.push(form, answered);
    }
    // No ruling in time: Dana gets it, and rules.
    h.rt.clock.advance(3 * 24 * 3_600_000);
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
    await h.drain();
    expect(h.rt.store.disputes.get(soylent.id)!.arbitrator).toBe('dana');
    await h.click(USERS.dana, V.actions[ACTIONS.approve], { value: `${soylent.id}:northwind` });
    expect(h.rt.store.disputes.get(soylent.id)!.status).toBe('ruled');
    await h.drain();

    // Everything Contoso's user now asks for, in the channel and in their chat.
    for (const scope of [SHARED, { kind: 'personal' } as const]) {
      for (const q of ['soylent', 'initech', 'acme', 'stark', 'globex', 'wayne', 'acm']) seen.push(...(await ask(USERS.contoso, `who-owns ${q}`, scope)).cards);
      for (const sub of ['mine', 'queue', 'stats', 'policy', 'help', `case ${soylent.id}`, `case ${soylent.id + 1}`]) seen.push(...(await ask(USERS.contoso, `roe ${sub}`, scope)).cards);
      for (const account of ['soylent', 'initech']) for (const command of ['claim', 'dispute']) seen.push(...(await ask(USERS.contoso, `${command} ${account}`, scope)).cards);
    }
    // Buttons pressed on what they were shown, and forged: a refusal must not tell either.
    for (const [verb, value] of [
      [V.actions[ACTIONS.approve], `${soylent.id}:northwind`],
      [V.actions[ACTIONS.openCase], String(soylent.id)],
      [V.actions[ACTIONS.openCase], String(soylent.id + 1)],
      [V.refresh.disputeCase, String(soylent.id)],
      [V.actions[ACTIONS.logActivity], String(h.rt.store.claims.all().find((c) => c.claimant === 'northwind')!.id)],
      [V.actions[ACTIONS.pickAccount], 'soylent'],
    ] as const) {
      const res = await h.post(invokeActivity(USERS.contoso, verb, { value }, { kind: 'personal' }, h.connector.url));
      seen.push(res.body);
    }
    // Contoso disputes Acme (Northwind's), Stark (Northwind the named owner) by hand: settled at once against it, with why.
    for (const [typed, account] of [['dispute acme', 'Acme Corporation'], ['dispute stark', 'Stark Industries']] as const) {
      seen.push(await submitTyped(USERS.contoso, typed, V.submits[FORMS.dispute], { account, product: 'Analytics', against: '', reason: 'We have worked it for a year', evidence: '' }, SHARED));
    }
    await h.drain();

    const delivered = h.connector.calls.filter((c) => c.conversationId === personalChat(USERS.contoso) || (c.conversationId ?? '').startsWith(CHANNEL));
    expect(delivered.length).toBeGreaterThan(3);
    seen.push(...delivered.map((c) => c.body));

    const read = seen.map((s) => (s && typeof s === 'object' && 'type' in s && (s as { type: unknown }).type === 'AdaptiveCard' ? readCard(s) : JSON.stringify(s))).join('\n');
    // the sweep saw the day
    for (const sign of ['another party', 'Who met the buyer first?', 'Dana Reyes', 'Soylent Corp', 'Contoso Consulting']) expect(read).toContain(sign);
    const raw = JSON.stringify(seen);
    for (const secret of NORTHWIND) expect(raw, `Contoso was sent "${secret}"`).not.toContain(secret);
  });
});
