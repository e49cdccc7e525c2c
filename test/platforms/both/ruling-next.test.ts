/**
 * A partner's manager whose claim a ruling (or the criteria) upheld is told, with the outcome, until
 * when their claim now holds and when it goes dormant without activity, as /roe mine says it and a claim
 * filed with no overlap is told at once: the ruling is the first they hear of its protection.
 */
import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { approve, submitAward } from '../../../handlers/rule.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { SHARED_CHANNEL, visible } from '../../support/slack-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', amount: '', evidence: '' };
const pat = () => h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'pat', orgId: 'T0HOME', home: true });

it('Slack: the winner’s ruling DM says until when their claim is protected and when it goes dormant; the other party’s does not', async () => {
  h = await startBoth();
  const co = await h.openForm(SLACK_USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.contoso, co, { ...values, stage: 'qualified' });
  const nw = await h.openForm(SLACK_USERS.northwind, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.northwind, nw, { ...values, stage: 'proposal' });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', recommendation: 'northwind' });
  const mine = h.rt.store.claims.all().find((c) => c.claimant === 'northwind' && c.accountId === 'soylent')!;
  const before = h.fake.callsTo('chat.postMessage').length;
  approve(h.rt.deps, pat(), `${d.id}:northwind`);
  await h.drain();
  const dms = h.fake.callsTo('chat.postMessage').slice(before);
  const toNora = visible(dms.find((c) => c.args.channel === `D${SLACK_USERS.northwind.id}`)!.args);
  expect(toNora).toContain(`is ruled: Northwind Partners owns it. Claim #${mine.id} is protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).`);
  const toCarl = visible(dms.find((c) => c.args.channel === `D${SLACK_USERS.contoso.id}`)!.args);
  expect(toCarl).not.toContain('is protected until');
});

it('Teams: the same for a partner’s user in Teams whose claim was awarded against the recommendation', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.northwind, 'roe help');
  const co = await h.openForm(SLACK_USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.contoso, co, { ...values, stage: 'proposal' });
  await h.drain();
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  submitClaim(h.rt.deps, nora, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: 'a:1on1-nora', thread: null }, requestKey: null });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  const mine = h.rt.store.claims.all().find((c) => c.claimant === 'northwind' && c.accountId === 'soylent')!;
  const before = h.connector.calls.length;
  submitAward(h.rt.deps, pat(), { dispute: String(d.id), party: 'party:northwind', rationale: 'Northwind met the customer first.' });
  await h.drain();
  const ruling = h.connector.calls.slice(before).filter((c) => c.kind === 'send' || c.kind === 'reply').map((c) => readCard(cardOf(c))).find((t) => t.includes('is ruled'))!;
  expect(ruling).toContain(`Northwind Partners owns it. Claim #${mine.id} is protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).`);
});
