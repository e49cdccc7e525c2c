/**
 * Teams as a partner's user reads it (Contoso, in its own tenant): help that speaks to them, not
 * to an arbitrator, and the Answer button of a question clicked once the case has moved on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS, TONE_MARK } from '../../../handlers/replies/model.js';
import { openArbitratedCase } from '../../support/cases.js';
import { cardOf, readCard, executeOf as buttonOf } from '../../support/fake-connector.js';
import { installActivity, invokeActivity, personalChat, startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

async function submitTyped(u: TeamsUser, typed: string, verb: string, values: Record<string, string>) {
  const s = buttonOf(await h.say(u, typed), verb);
  return h.click(u, s.verb, { ...s.data, ...values });
}

describe('help, for a partner’s user', () => {
  it('lists what they can do: no queue and no ruling buttons (only the company’s people rule), roe case as their organisation’s cases', async () => {
    const forPartner = readCard(await h.say(USERS.contoso, 'roe help'));
    expect(forPartner).not.toContain('roe queue');
    expect(forPartner).not.toContain('Arbitrators');
    expect(forPartner).not.toContain('Approve the recommendation');
    expect(forPartner).toContain('roe case <number>\nA case your organisation is a party to, as it stands.');
    expect(forPartner).toContain('roe-bot applies the partner rules of engagement');
    // The company's own people still read the arbitrator's part.
    const forColleague = readCard(await h.say(USERS.rep, 'roe help'));
    expect(forColleague).toContain('roe queue [page]');
    expect(forColleague).toContain('Approve the recommendation');
  });
});

describe('roe queue, for a partner’s user', () => {
  it('says what the queue is and where their own cases are, in the card and in the message’s summary (what a notification shows)', async () => {
    const before = h.connector.calls.length;
    expect(readCard(await h.say(USERS.contoso, 'roe queue'))).toMatch(/^Only arbitrators have a queue of cases to rule on\. roe mine lists the claims of Contoso Consulting/);
    const sent = h.connector.calls.slice(before).filter((c) => c.kind === 'reply' || c.kind === 'send');
    expect(sent.map((c) => c.body.summary)).toEqual(['The queue holds the cases arbitrators rule on; roe mine lists your organisation’s claims and cases']);
  });
});

describe('a question’s Answer button clicked after the case moved on', () => {
  it('shows the case as it now stands (its ruling), the question kept, and says no answer can be sent on it any more, not that an answer (never written) was not sent', async () => {
    await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
    await h.post(installActivity(USERS.contoso, { kind: 'personal' }, h.connector.url));
    const claim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };
    await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...claim, stage: 'proposal' });
    await submitTyped(USERS.contoso, 'claim soylent', V.submits[FORMS.claim], { ...claim, stage: 'qualified' });
    const d = h.rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    // Pat asks; Carl's chat gets the question with its Answer button.
    const ask = buttonOf(await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) }), V.submits[FORMS.ask]);
    await h.click(USERS.pat, ask.verb, { ...ask.data, question: 'When did you first meet their CIO?' });
    const before = h.connector.calls.length;
    await h.drain();
    const question = h.connector.calls
      .slice(before)
      .filter((c) => c.kind === 'send' && c.conversationId === personalChat(USERS.contoso))
      .map((c) => cardOf(c))
      .find((c) => readCard(c).includes('When did you first meet their CIO?'))!;
    const answer = buttonOf(question, V.actions[ACTIONS.answer]);
    // Pat rules before Carl gets to it.
    await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${d.id}:${d.recommendation}` });
    expect(h.rt.store.disputes.get(d.id)!.status).toBe('ruled');

    const shown = readCard(await h.click(USERS.contoso, answer.verb, answer.data));
    expect(shown).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\\n\u26A0\uFE0F Dispute #${d.id} was already ruled by Pat Okafor on [^\\n]*\\. No answer can be sent on it any more\\.\\nNothing was changed\\.\\nThe question\\nWhen did you first meet their CIO\\?\\n`));
    expect(shown).not.toContain('Your answer was not sent');
    expect(shown).toMatch(/Ruled by Pat Okafor on .*: another party owns it\./);
    // Nothing of the other partner on it.
    expect(shown).not.toContain('Northwind');
  });
});

describe('a partner’s user and the queue’s and kept cards’ buttons, forged', () => {
  /** A button's data made up by hand: the partner's user has no queue, and no card of theirs carries one. */
  it('a case card, a refresh or a refused ruling click claiming to come from the queue shows no Back to the queue; its verb shows no queue', async () => {
    const d = openArbitratedCase(h.rt, 'soylent');
    for (const [verb, value] of [
      [V.actions[ACTIONS.openCase], String(d.id)],
      [V.refresh.disputeCase, String(d.id)],
      [V.actions[ACTIONS.approve], `${d.id}:northwind`],
    ] as const) {
      const card = await h.click(USERS.contoso, verb, { [V.data.queue]: 1, [V.data.value]: value });
      expect(readCard(card)).toContain(`Dispute #${d.id}: Soylent Corp`);
      expect(readCard(card)).not.toContain('Back to the queue');
      expect(readCard(card)).not.toMatch(/\[(Approve|Award|Ask)/);
      expect(JSON.stringify(card)).not.toContain(V.back.queue);
    }
    const back = readCard(await h.click(USERS.contoso, V.back.queue, { [V.data.queue]: 3 }));
    expect(back).toMatch(/^Only arbitrators have a queue of cases to rule on\. roe mine lists the claims of Contoso Consulting/);
  });

  it('a Show the case (keep) refused answers with the refusal marked, as every refusal is (the line Teams shows beside the card has no colour at all)', async () => {
    const d = openArbitratedCase(h.rt, 'soylent');
    const FABRIKAM: TeamsUser = { id: '29:fay', name: 'Fay Fabrikam', aadObjectId: 'f0000000-0000-4000-8000-000000000001', tenant: '5b1f3c1e-0000-4000-8000-00000000a003' };
    const res = await h.post(invokeActivity(FABRIKAM, V.actions[ACTIONS.openCase], { [V.data.keep]: true, [V.data.value]: String(d.id) }, { kind: 'personal' }, h.connector.url));
    expect(res.body).toMatchObject({ statusCode: 200, type: V.contentTypes.message, value: `${TONE_MARK.warning}Dispute #${d.id} is not one your organisation is a party to. Nothing was changed.` });
  });

  it('keep on a button that is no Show the case (the queue’s way back) answers in place: no line saying a case is below', async () => {
    const d = openArbitratedCase(h.rt, 'soylent');
    const FABRIKAM: TeamsUser = { id: '29:fay', name: 'Fay Fabrikam', aadObjectId: 'f0000000-0000-4000-8000-000000000001', tenant: '5b1f3c1e-0000-4000-8000-00000000a003' };
    for (const u of [USERS.contoso, FABRIKAM]) {
      const before = h.connector.calls.length;
      const res = await h.post(invokeActivity(u, V.back.queue, { [V.data.keep]: true, [V.data.queue]: 1, [V.data.value]: String(d.id) }, { kind: 'personal' }, h.connector.url));
      const shown = (res.body as { value: unknown }).value;
      expect(typeof shown === 'string' ? shown : readCard(shown)).toMatch(/^Only arbitrators have a queue/);
      expect(JSON.stringify(shown)).not.toContain(`Dispute #${d.id}`);
      expect(h.connector.calls.slice(before).filter((c) => c.kind === 'send'), 'nothing posted below').toEqual([]);
    }
  });
});
