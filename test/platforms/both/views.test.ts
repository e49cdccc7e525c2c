import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { readCard } from '../../support/fake-connector.js';
import { visible } from '../../support/slack-harness.js';
import { startBoth, SLACK_USERS, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

it('/roe mine: a person of the policy (Sam: slack U0SAM, teams 29:sam) sees in Teams the claim they filed from Slack', async () => {
  h = await startBoth();
  // Sam registers a direct deal from Slack (the /claim modal's submit).
  const view = await h.openForm(SLACK_USERS.sam, '/claim', 'soylent', 'C0SALES');
  const res = await h.submit(SLACK_USERS.sam, view, { account: 'soylent', route: 'direct', product: 'Analytics', opportunity: 'Soylent direct', stage: 'proposal', claimant: 'direct' });
  expect(JSON.stringify(res)).toContain('is protected');
  const inSlack = visible(await h.slackCommand(SLACK_USERS.sam, '/roe', 'mine'));
  expect(inSlack).toContain('Soylent Corp (Analytics): protected');
  // The same person, in Teams.
  const inTeams = readCard(await h.say(TEAMS_USERS.sam, 'roe mine'));
  expect(inTeams).toContain('Soylent Corp (Analytics): protected');
});

it('/roe mine: a person of the policy sees in Slack the claim they filed from Teams', async () => {
  h = await startBoth();
  const sam = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.sam.id, displayName: 'Sam', orgId: TEAMS_USERS.sam.tenant, home: true });
  expect(sam.kind === 'internal' && sam.personKey).toBe('sam');
  submitClaim(h.rt.deps, sam, { account: 'soylent', route: 'direct', product: 'Analytics', opportunity: 'Soylent direct', stage: 'proposal', amount: '', evidence: '', claimant: 'direct' }, { origin: { platform: 'teams', channel: 'a:1on1-sam', thread: null }, requestKey: null });
  expect(readCard(await h.say(TEAMS_USERS.sam, 'roe mine'))).toContain('Soylent Corp (Analytics): protected');
  expect(visible(await h.slackCommand(SLACK_USERS.sam, '/roe', 'mine'))).toContain('Soylent Corp (Analytics): protected');
});
