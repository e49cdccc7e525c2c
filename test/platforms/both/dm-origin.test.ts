import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { approve } from '../../../handlers/rule.js';
import { visible } from '../../support/slack-harness.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { personalChat } from '../../support/teams-harness.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
const pat = (h: XHarness) => h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true });

it('control (Teams): a case raised in the raiser’s 1:1 chat is followed there as the raiser sees it, the ruling told once', async () => {
  h = await startBoth();
  const carl = h.rt.resolve({ platform: 'slack', userId: 'U0CO1', displayName: 'Carl', orgId: 'T0CONTOSO', home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  await h.say(TEAMS_USERS.northwind, 'roe help');
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  submitClaim(h.rt.deps, nora, values, { origin: { platform: 'teams', channel: personalChat(TEAMS_USERS.northwind), thread: null }, requestKey: null });
  const d = h.rt.store.disputes.all().at(-1)!;
  await h.drain();
  approve(h.rt.deps, pat(h), `${d.id}:${d.recommendation}`);
  await h.drain();
  const inChat = h.connector.calls.filter((c) => c.kind === 'send' && c.conversationId === personalChat(TEAMS_USERS.northwind)).map((c) => readCard(cardOf(c)));
  expect(inChat.filter((t) => t.includes('Ruled by Pat Okafor'))).toHaveLength(1);
  expect(inChat.join('\n')).not.toContain('another party owns it');
});

it("Slack: a case raised from the raiser’s DM with the bot is followed there as the raiser sees it, the ruling told once (as in Teams)", async () => {
  h = await startBoth();
  const carl = h.rt.resolve({ platform: 'slack', userId: 'U0CO1', displayName: 'Carl', orgId: 'T0CONTOSO', home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  // Northwind's Slack Connect rep files from their DM with the bot (conversations.open gives DU0NW1).
  const view = await h.openForm(SLACK_USERS.northwind, '/claim', 'soylent', 'DU0NW1');
  await h.submit(SLACK_USERS.northwind, view, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW deal', stage: 'proposal' });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.origin?.channel).toBe('DU0NW1');
  await h.drain();
  approve(h.rt.deps, pat(h), `${d.id}:${d.recommendation}`);
  await h.drain();
  const inDm = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DU0NW1').map((c) => visible({ blocks: c.args.blocks }));
  expect(inDm.join('\n')).toContain('Northwind Partners owns it');
  expect(inDm.filter((t) => t.includes('Ruled by Pat Okafor'))).toHaveLength(1);
  expect(inDm.join('\n')).not.toContain('another party owns it');
});
