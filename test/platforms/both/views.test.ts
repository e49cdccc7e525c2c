import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { queueFor } from '../../../src/core/disputes/disputes.service.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { openArbitratedCase } from '../../support/cases.js';
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

it('/roe mine 2 and /roe queue 2: the next page in Slack and in Teams (typed with or without roe) alike, which of how many it is, the next named as each types it; a page past the end and a word are answered', async () => {
  h = await startBoth();
  // 40 claims Northwind won in June on accounts of its own; later, 30 cases waiting for Pat.
  importCsv(h.rt.ctx, 'accounts', 'pages.csv', `id,name\n${Array.from({ length: 40 }, (_, i) => `page-${i},Pagecorp ${i}`).join('\n')}\n${Array.from({ length: 30 }, (_, i) => `queue-${i},Queue Corp ${i}`).join('\n')}\n`);
  const rows = Array.from({ length: 40 }, (_, i) => `P-${i},page-${i},northwind,resell,Analytics,Pagecorp ${i} rollout,negotiation,1000,won,2026-06-01T15:${String(i).padStart(2, '0')}:00Z`);
  importCsv(h.rt.ctx, 'claims', 'claims.csv', `id,account_id,claimant,route,product_line,opportunity,stage,amount,status,registered_at\n${rows.join('\n')}\n`);
  h.rt.reindex();
  const claims = h.rt.store.claims.forClaimant('northwind').length;
  expect(claims > 25 && claims <= 50).toBe(true);

  // Claims: the oldest of the 40 are on page 2, and page 1 says how to get there.
  const slack = { first: visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'mine')), second: visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'mine 2')) };
  expect(slack.first).toContain(`/roe mine 2 shows the next ${claims - 25}.`);
  expect(slack.first).not.toContain('Pagecorp 0 (Analytics)');
  expect(slack.second).toContain('Pagecorp 0 (Analytics): won');
  expect(slack.second).not.toContain('Pagecorp 39 (Analytics)');
  expect(slack.second).toContain(`Claims 26–${claims} of ${claims}: the last page.`);
  expect(readCard(await h.say(TEAMS_USERS.northwind, 'roe mine'))).toContain(`roe mine 2 shows the next ${claims - 25}.`);
  for (const typed of ['roe mine 2', 'mine 2']) {
    const teams = readCard(await h.say(TEAMS_USERS.northwind, typed));
    expect(teams).toContain('Pagecorp 0 (Analytics): won');
    expect(teams).not.toContain('Pagecorp 39 (Analytics)');
    expect(teams).toContain(`Claims 26–${claims} of ${claims}: the last page.`);
  }
  expect(visible(await h.slackCommand(SLACK_USERS.northwind, '/roe', 'mine 3'))).toContain(`Northwind Partners has ${claims} claims: page 3 is empty; /roe mine 2 shows the last ones.`);
  expect(readCard(await h.say(TEAMS_USERS.northwind, 'mine 3'))).toContain(`Northwind Partners has ${claims} claims: page 3 is empty; roe mine 2 shows the last ones.`);

  // Pat's queue: the cases due last are on page 2, with their Open buttons.
  for (let i = 0; i < 30; i++) {
    openArbitratedCase(h.rt, `queue-${i}`);
    h.rt.clock.advance(60_000);
  }
  const cases = queueFor(h.rt.ctx, 'pat').length;
  expect(cases > 25 && cases <= 50).toBe(true);
  const queue1 = visible(await h.slackCommand(SLACK_USERS.pat, '/roe', 'queue'));
  expect(queue1).toContain(`…and ${cases - 25} more disputes not listed. /roe queue 2 shows the next ${cases - 25}.`);
  expect(queue1).not.toContain('Queue Corp 29 (Analytics)');
  const queue2 = await h.slackCommand(SLACK_USERS.pat, '/roe', 'queue 2');
  expect(visible(queue2)).toContain('Queue Corp 29 (Analytics): due');
  expect(visible(queue2)).toContain(`Disputes 26–${cases} of ${cases}: the last page.`);
  const last = h.rt.store.disputes.all().at(-1)!;
  expect(visible(queue2)).toContain(`Open #${last.id}`);
  for (const typed of ['roe queue 2', 'queue 2']) {
    const teams = readCard(await h.say(TEAMS_USERS.pat, typed));
    expect(teams).toContain('Queue Corp 29 (Analytics): due');
    expect(teams).toContain(`Disputes 26–${cases} of ${cases}: the last page.`);
    expect(teams).toContain(`[Open #${last.id}]`);
  }
  expect(readCard(await h.say(TEAMS_USERS.pat, 'queue 5'))).toContain(`You have ${cases} disputes waiting: page 5 is empty; roe queue 2 shows the last ones.`);

  // A word where the page goes: the help, under a line saying what to type.
  expect(visible(await h.slackCommand(SLACK_USERS.pat, '/roe', 'queue next'))).toContain('"next" is not a page number: /roe queue shows the first 25, /roe queue 2 the next 25.');
  expect(readCard(await h.say(TEAMS_USERS.pat, 'queue next'))).toContain('"next" is not a page number: roe queue shows the first 25, roe queue 2 the next 25.');
});
