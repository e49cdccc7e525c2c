import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { approve } from '../../../handlers/rule.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { visible } from '../../support/slack-harness.js';
import { startBoth, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());

const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

it('someone of the policy on Slack and Teams (Sam) who filed claims of one case from both is told of its ruling once, and not of what they did themselves', async () => {
  h = await startBoth();
  const samSlack = h.rt.resolve({ platform: 'slack', userId: 'U0SAM', displayName: 'Sam', orgId: 'T0HOME', home: true });
  await h.say(TEAMS_USERS.sam, 'roe help');
  const samTeams = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.sam.id, displayName: 'Sam', orgId: TEAMS_USERS.sam.tenant, home: true });
  expect(samSlack.kind === 'internal' && samTeams.kind === 'internal' && samSlack.personKey === 'sam' && samTeams.personKey === 'sam').toBe(true);
  // Sam registers Northwind's deal from Slack, then Contoso's, further along, from Teams: a case over the two.
  submitClaim(h.rt.deps, samSlack, { ...values, stage: 'qualified', claimant: 'northwind' }, { origin: { platform: 'slack', channel: 'C0SALES', thread: null }, requestKey: null });
  submitClaim(h.rt.deps, samTeams, { ...values, claimant: 'contoso' }, { origin: { platform: 'teams', channel: '19:sales@thread.tacv2', thread: null }, requestKey: null });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.status).toBe('open');
  const toSam = () => [
    ...h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DU0SAM').map((c) => visible({ blocks: c.args.blocks })),
    ...h.connector.calls.filter((c) => (c.kind === 'send' || c.kind === 'create') && JSON.stringify(c.body).includes('Dispute #')).map((c) => {
      try {
        return readCard(cardOf(c));
      } catch {
        return '';
      }
    }),
  ];
  await h.drain();
  // The case was raised by Sam's own claim: Sam is not told it was raised, on either platform.
  expect(toSam().filter((t) => t.includes('A dispute was raised'))).toEqual([]);
  approve(h.rt.deps, h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true }), `${d.id}:${d.recommendation}`);
  await h.drain();
  expect(toSam().filter((t) => /Dispute #\d+ over Soylent Corp \(Analytics\) is ruled/.test(t))).toHaveLength(1);
});
