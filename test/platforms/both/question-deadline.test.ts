/**
 * A partner's manager asked a question on their case reads by when the arbitrator is due to rule,
 * in their own time, so that they know how long they have to answer.
 */
import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { submitAsk } from '../../../handlers/rule.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { SHARED_CHANNEL, visible } from '../../support/slack-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

it('the question’s DM says by when its arbitrator is due to rule, in Slack and in Teams, each in the reader’s own time', async () => {
  h = await startBoth();
  // Contoso in Slack Connect, then Northwind's colleague in Teams, claim the same line: a case for Pat.
  await h.say(TEAMS_USERS.northwind, 'roe help');
  const co = await h.openForm(SLACK_USERS.contoso, '/claim', '', SHARED_CHANNEL);
  await h.submit(SLACK_USERS.contoso, co, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent BI', stage: 'proposal' });
  await h.drain();
  const nora = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.northwind.id, displayName: 'Nora', orgId: TEAMS_USERS.northwind.tenant, home: false });
  submitClaim(h.rt.deps, nora, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'NW deal', stage: 'qualified', amount: '', evidence: '' }, { origin: { platform: 'teams', channel: 'a:1on1-nora', thread: null }, requestKey: null });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  const pat = h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'pat', orgId: 'T0HOME', home: true });
  const slackBefore = h.fake.callsTo('chat.postMessage').length;
  const teamsBefore = h.connector.calls.length;
  submitAsk(h.rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet them?' });
  await h.drain();

  const toCarl = h.fake.callsTo('chat.postMessage').slice(slackBefore).find((c) => c.args.channel === `D${SLACK_USERS.contoso.id}`)!;
  // Slack shows the moment in the reader's own time; a client that cannot tell it shows the policy's, with its zone.
  expect(JSON.stringify(toCarl.args.blocks)).toContain('your time|Dec 2, 2026, 10:00 AM EST>');
  expect(visible(toCarl.args)).toContain('Pat Okafor is due to rule by Dec 2, 2026, 10:00 AM EST: answer before then.');

  const toNora = h.connector.calls.slice(teamsBefore).filter((c) => c.kind === 'send' || c.kind === 'reply').map((c) => readCard(cardOf(c))).find((t) => t.includes('When did you first meet them?'))!;
  expect(toNora).toContain('Pat Okafor is due to rule by {{DATE(2026-12-02T15:00:00Z, SHORT)}} at {{TIME(2026-12-02T15:00:00Z)}} your time: answer before then.');
});
