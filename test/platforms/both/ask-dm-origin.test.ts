import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { approve, submitAsk } from '../../../handlers/rule.js';
import { visible } from '../../support/slack-harness.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { personalChat } from '../../support/teams-harness.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

it('a party of a case raised in ANOTHER party’s DM with the bot is not told to "answer in the dispute’s thread" (a private DM they cannot see)', async () => {
  h = await startBoth();
  const carl = h.rt.resolve({ platform: 'slack', userId: 'U0CO1', displayName: 'Carl', orgId: 'T0CONTOSO', home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  // Northwind files from its own DM with the bot: the case's "thread" is that DM.
  const view = await h.openForm(SLACK_USERS.northwind, '/claim', 'soylent', 'DU0NW1');
  await h.submit(SLACK_USERS.northwind, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW deal', stage: 'proposal' });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.origin?.channel).toBe('DU0NW1');
  await h.drain();
  const pat = h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true });
  submitAsk(h.rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet the customer?' });
  await h.drain();
  // Carl's DM with the bot (the fake's conversations.open gives D + user id).
  const toCarl = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DU0CO1').map((c) => visible({ blocks: c.args.blocks })).filter((t) => t.includes('When did you first meet'));
  expect(toCarl).toHaveLength(1);
  expect(toCarl[0]).not.toMatch(/Answer in the dispute's thread/);
});

it('the same for a case raised in a Teams 1:1 chat with the bot: the other party, in Teams too, answers with the card’s button, and the answer reaches the arbitrator alone', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.contoso, 'roe help');
  await h.say(TEAMS_USERS.northwind, 'roe help');
  const carl = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TEAMS_USERS.contoso.tenant, home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: '19:shared@thread.tacv2', thread: null }, requestKey: null });
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  submitClaim(h.rt.deps, nora, values, { origin: { platform: 'teams', channel: personalChat(TEAMS_USERS.northwind), thread: null }, requestKey: null });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.origin?.channel).toBe(personalChat(TEAMS_USERS.northwind));
  await h.drain();
  const pat = h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true });
  submitAsk(h.rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet the customer?' });
  await h.drain();
  const toCarl = h.connector.calls
    .filter((c) => (c.kind === 'send' || c.kind === 'create') && c.conversationId === personalChat(TEAMS_USERS.contoso))
    .map((c) => readCard(cardOf(c)))
    .filter((t) => t.includes('When did you first meet'));
  expect(toCarl).toHaveLength(1);
  expect(toCarl[0]).toContain('Answer with the button below: your answer goes only to Pat Okafor, who rules on it; no other party sees it.');
  // Carl answers from Teams: the form, then the answer sent.
  const form = readCard(await h.click(TEAMS_USERS.contoso, TEAMS_IDS.actions[ACTIONS.answer], { value: String(d.id) }));
  expect(form).toContain(`Your answer on dispute #${d.id} over Soylent Corp (Analytics) goes only to Pat Okafor, who rules on it; no other party sees it.`);
  const sent = readCard(await h.click(TEAMS_USERS.contoso, TEAMS_IDS.submits[FORMS.answer], { state: { dispute: String(d.id) }, answer: 'We met their CIO in <b>March</b> @here' }));
  expect(sent).toContain(`Your answer on dispute #${d.id} went to Pat Okafor, and to no other party.`);
  await h.drain();
  // Pat reads it where the case's cards reach him (in Teams, as the case is: a chat the bot opens
  // with him), as typed; nobody else gets it, Nora (the other party) least of all.
  const cards = h.connector.calls.filter((c) => c.kind === 'send').map((c) => ({ to: c.conversationId, card: readCard(cardOf(c)) }));
  const toPat = cards.filter((c) => c.card.includes('March'));
  expect(toPat).toEqual([{ to: expect.stringMatching(/^a:created-/), card: expect.stringContaining(`Contoso Consulting answered on dispute #${d.id} over Soylent Corp (Analytics), yours to rule.`) }]);
  expect(h.connector.calls.some((c) => c.kind === 'create' && JSON.stringify(c.body).includes(TEAMS_USERS.pat.id))).toBe(true);
  expect(toPat[0]!.card).toContain('We met their CIO in <b>March</b> @here');
  // Ruled while Carl wrote a second answer: refused on the card, what he wrote kept above the case as it stands.
  approve(h.rt.deps, pat, `${d.id}:${d.recommendation}`);
  const late = readCard(await h.click(TEAMS_USERS.contoso, TEAMS_IDS.submits[FORMS.answer], { state: { dispute: String(d.id) }, answer: 'Also the June workshop.' }));
  expect(late).toMatch(new RegExp(`Dispute #${d.id} was already ruled by Pat Okafor on .*\\. Your answer was not sent\\.`));
  expect(late).toContain('What you wrote');
  expect(late).toContain('Also the June workshop.');
});

it('a Teams answer form shown again (an answer of spaces alone) still shows the question, and the answer sent then quotes it', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.contoso, 'roe help');
  const carl = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TEAMS_USERS.contoso.tenant, home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: '19:shared@thread.tacv2', thread: null }, requestKey: null });
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  submitClaim(h.rt.deps, nora, values, { origin: { platform: 'teams', channel: '19:shared@thread.tacv2', thread: null }, requestKey: null });
  const d = h.rt.store.disputes.all().at(-1)!;
  const pat = h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true });
  const question = 'When did you first meet the customer?';
  submitAsk(h.rt.deps, pat, { dispute: String(d.id), question });
  await h.drain();
  const form = readCard(await h.click(TEAMS_USERS.contoso, TEAMS_IDS.actions[ACTIONS.answer], { value: `${d.id}:${question}` }));
  expect(form).toContain(`Question: ${question}`);
  const again = await h.click(TEAMS_USERS.contoso, TEAMS_IDS.submits[FORMS.answer], { state: { dispute: String(d.id), question }, answer: '   ' });
  expect(readCard(again)).toContain('Write your answer');
  expect(readCard(again)).toContain(`Question: ${question}`);
  const sent = readCard(await h.click(TEAMS_USERS.contoso, TEAMS_IDS.submits[FORMS.answer], { state: { dispute: String(d.id), question }, answer: 'In March.' }));
  expect(sent).toContain(question);
});
