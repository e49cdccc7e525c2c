import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { submitAsk } from '../../../handlers/rule.js';
import { visible } from '../../support/slack-harness.js';
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

it('the same for a case raised in a Teams 1:1 chat with the bot: the other party, in Teams too, is told to answer the one who asked', async () => {
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
  expect(toCarl[0]).toMatch(/raised in a private chat, with no thread the parties can answer in: answer Pat Okafor directly/);
});
