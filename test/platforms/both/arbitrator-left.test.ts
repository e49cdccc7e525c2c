import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { submitAnswer } from '../../../handlers/answer.js';
import { submitAsk } from '../../../handlers/rule.js';
import { tick } from '../../../src/app/scheduler.js';
import { undelivered } from '../../../db/repos/outbox.repo.js';
import { readCard, cardOf } from '../../support/fake-connector.js';
import { SLACK_USERS, startBoth, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

/** Northwind and Contoso claim Soylent in a Slack Connect channel: a case for Pat (Slack and Teams in the policy), raised in Slack. */
async function slackCase() {
  const rt = h.rt;
  const carl = rt.resolve({ platform: 'slack', userId: SLACK_USERS.contoso.id, displayName: 'Carl', orgId: SLACK_USERS.contoso.team, home: false });
  const nora = rt.resolve({ platform: 'slack', userId: SLACK_USERS.northwind.id, displayName: 'Nora', orgId: SLACK_USERS.northwind.team, home: false });
  submitClaim(rt.deps, nora, values, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  submitClaim(rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  const d = rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ arbitrator: 'pat', origin: { platform: 'slack' } });
  return d;
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    await h.drain();
    tick(h.rt.db, h.rt.deps, h.rt.clock.now(), h.rt.logger);
  }
  await h.drain();
}

/** The cards Teams took, as text (Pat's 1:1 chat is the only conversation these cases post to in Teams). */
const teamsCards = () => h.connector.calls.filter((c) => c.kind === 'send' && c.status === 200 && Array.isArray(c.body.attachments)).map((c) => readCard(cardOf(c)));

it('deactivated in Slack but on Teams too: the case stays with them, and its card goes to Teams', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.pat, 'help');
  h.fake.deactivated.add(SLACK_USERS.pat.id);
  const d = await slackCase();
  await settle();
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
  expect(teamsCards().some((t) => t.includes(`I could not reach you in Slack, so dispute #${d.id}`))).toBe(true);
  const entries = [...h.rt.store.ledger.about([`dispute:${d.id}`])];
  expect(entries.find((e) => e.kind === 'dispute.unreachable')?.payload).toEqual({ person: 'pat', level: 0, platform: 'slack', tryOn: 'teams' });
  expect(entries.some((e) => e.kind === 'dispute.reassigned')).toBe(false);
  // The Slack card stays parked, listed by `roe outbox`.
  expect(undelivered(h.rt.db.db).filter((r) => r.status === 'parked').map((r) => r.target)).toEqual([{ kind: 'user', user: SLACK_USERS.pat.id }]);
  // Their reminder goes to Teams too, not to the Slack user that refused them.
  const slackPosts = h.fake.callsTo('chat.postMessage').length;
  for (let i = 0; i < 48 && !teamsCards().some((t) => t.includes(`Reminder: dispute #${d.id}`)); i++) {
    h.rt.clock.advance(3_600_000);
    await settle();
  }
  expect(teamsCards().some((t) => t.includes(`Reminder: dispute #${d.id}`))).toBe(true);
  expect(h.fake.callsTo('chat.postMessage').slice(slackPosts).filter((c) => JSON.stringify(c.args).includes('Reminder'))).toEqual([]);
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
});

it('deactivated in Slack and refused by Teams as well: the case moves on to the next of its chain', async () => {
  h = await startBoth();
  // The bot has met someone in Teams (its service URL known), not Pat: their 1:1 chat is opened, and refused.
  await h.say(TEAMS_USERS.sam, 'help');
  h.fake.deactivated.add(SLACK_USERS.pat.id);
  h.connector.onCall = (c) => {
    if (c.kind === 'create' && JSON.stringify(c.body).includes(TEAMS_USERS.pat.id)) h.connector.failNext(404);
  };
  const d = await slackCase();
  await settle();
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
  const entries = [...h.rt.store.ledger.about([`dispute:${d.id}`])];
  expect(entries.filter((e) => e.kind === 'dispute.unreachable').map((e) => e.payload)).toEqual([
    { person: 'pat', level: 0, platform: 'slack', tryOn: 'teams' },
    { person: 'pat', level: 0, platform: 'teams', moved: true },
  ]);
  expect(entries.find((e) => e.kind === 'dispute.reassigned')?.payload).toMatchObject({ from: 'pat', to: 'dana', unreachable: ['slack', 'teams'] });
  // Dana gets the case in Slack, where it was raised.
  const toDana = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${SLACK_USERS.dana.id}` && c.result.ok === true);
  expect(toDana.some((c) => String(JSON.stringify(c.args.blocks)).includes('Pat Okafor cannot be reached in Slack or Teams'))).toBe(true);
});

it('deactivated in Slack, the case kept on Teams: a party’s answer to their question reaches them in Teams too, not the Slack user that refused them', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.pat, 'help');
  h.fake.deactivated.add(SLACK_USERS.pat.id);
  const d = await slackCase();
  await settle();
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
  const rt = h.rt;
  const patOnTeams = rt.resolve({ platform: 'teams', userId: TEAMS_USERS.pat.id, displayName: 'Pat', orgId: TEAMS_USERS.pat.tenant, home: true });
  submitAsk(rt.deps, patOnTeams, { dispute: String(d.id), question: 'Who met the customer first?' });
  await settle();
  const nora = rt.resolve({ platform: 'slack', userId: SLACK_USERS.northwind.id, displayName: 'Nora', orgId: SLACK_USERS.northwind.team, home: false });
  submitAnswer(rt.deps, nora, { dispute: String(d.id), answer: 'Our rep met the CIO in May' });
  await settle();
  expect(teamsCards().some((t) => t.includes('Our rep met the CIO in May'))).toBe(true);
  // Nothing more parked for Pat's Slack user than the card that bounced.
  expect(undelivered(h.rt.db.db).filter((r) => r.status === 'parked').map((r) => r.target)).toEqual([{ kind: 'user', user: SLACK_USERS.pat.id }]);
});
