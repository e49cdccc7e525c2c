/**
 * How a case ended, as the dispute's thread says it (and shows in the channel): a shared channel
 * or chat is read by every party at once, the winner too, so it names no party, and never says
 * "another party owns it", which the party it went to would read as a ruling against them (nor
 * "another party" as the one recommended, to the party recommended).
 */
import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { approve } from '../../../handlers/rule.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { SHARED_CHANNEL, visible } from '../../support/slack-harness.js';
import { CHANNEL } from '../../support/teams-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', amount: '', evidence: '' };
const pat = () => h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'pat', orgId: 'T0HOME', home: true });

it('Slack: the ruling posted in the shared channel’s thread says one of the parties owns the account, naming none, not “another party”', async () => {
  h = await startBoth();
  const co = await h.openForm(SLACK_USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.contoso, co, { ...values, stage: 'qualified' });
  const nw = await h.openForm(SLACK_USERS.northwind, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.northwind, nw, { ...values, stage: 'proposal' });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  // The case as the thread shows it when it opens: the party recommended is not "another party" to itself either.
  const opened = visible(h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === SHARED_CHANNEL)!.args);
  expect(opened).toContain('*Recommendation*\none of the parties (Furthest stage)');
  expect(opened).not.toContain('another party (Furthest stage)');
  const before = h.fake.callsTo('chat.postMessage').length;
  approve(h.rt.deps, pat(), `${d.id}:northwind`);
  await h.drain();
  const inThread = h.fake.callsTo('chat.postMessage').slice(before).filter((c) => c.args.channel === SHARED_CHANNEL).map((c) => visible(c.args));
  expect(inThread).toHaveLength(1);
  expect(inThread[0]).toMatch(/Ruled by Pat Okafor on .*: one of the parties owns it\./);
  expect(inThread[0]).not.toContain('another party owns it');
  expect(inThread[0]).not.toMatch(/Northwind|Contoso/);
  // Each party's DM still says it as that party reads it.
  const dm = (u: string) => visible(h.fake.callsTo('chat.postMessage').slice(before).find((c) => c.args.channel === `D${u}`)!.args);
  expect(dm(SLACK_USERS.northwind.id)).toContain('is ruled: Northwind Partners owns it.');
  expect(dm(SLACK_USERS.contoso.id)).toContain('is ruled: another party owns it.');
});

it('Teams: the same in a channel thread', async () => {
  h = await startBoth();
  // The bot learns where Teams is (its service URL) from what it is sent.
  await h.say(TEAMS_USERS.pat, 'roe help');
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  const carl = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TEAMS_USERS.contoso.tenant, home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: CHANNEL, thread: null }, requestKey: null });
  submitClaim(h.rt.deps, nora, { ...values, stage: 'proposal' }, { origin: { platform: 'teams', channel: CHANNEL, thread: null }, requestKey: null });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  const before = h.connector.calls.length;
  approve(h.rt.deps, pat(), `${d.id}:northwind`);
  await h.drain();
  const inChannel = h.connector.calls.slice(before).filter((c) => (c.kind === 'send' || c.kind === 'reply') && (c.conversationId ?? '').startsWith(CHANNEL)).map((c) => readCard(cardOf(c)));
  const ruled = inChannel.find((t) => t.includes('Ruled by Pat Okafor'))!;
  expect(ruled).toMatch(/one of the parties owns it\./);
  expect(ruled).not.toContain('another party owns it');
  expect(ruled).not.toMatch(/Northwind|Contoso/);
});
