import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { submitAsk } from '../../../handlers/rule.js';
import { visible } from '../../support/slack-harness.js';
import { startBoth, SLACK_USERS, type XHarness } from '../../support/both-harness.js';

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
