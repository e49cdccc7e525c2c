import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { submitAsk } from '../../../handlers/rule.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { startBoth, TEAMS_USERS, type XHarness } from '../../support/both-harness.js';

let h: XHarness;
afterEach(async () => h?.close());
const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

it('a Teams party of a case whose thread is in a Slack channel is not sent to "answer in the dispute’s thread" (a Slack thread they cannot reach)', async () => {
  h = await startBoth();
  await h.say(TEAMS_USERS.contoso, 'roe help');
  const carl = h.rt.resolve({ platform: 'teams', userId: TEAMS_USERS.contoso.id, displayName: 'Carl', orgId: TEAMS_USERS.contoso.tenant, home: false });
  submitClaim(h.rt.deps, carl, { ...values, stage: 'qualified' }, { origin: { platform: 'teams', channel: 'a:1on1-carl', thread: null }, requestKey: null });
  const nora = h.rt.resolve({ platform: 'slack', userId: 'U0NW1', displayName: 'Nora', orgId: 'T0NORTHWIND', home: false });
  submitClaim(h.rt.deps, nora, values, { origin: { platform: 'slack', channel: 'C0SHARED', thread: null }, requestKey: null });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.origin?.platform).toBe('slack');
  const pat = h.rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: 'T0HOME', home: true });
  submitAsk(h.rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet the customer?' });
  await h.drain();
  const toCarl = h.connector.calls.filter((c) => c.kind === 'send' || c.kind === 'create').map((c) => { try { return readCard(cardOf(c)); } catch { return ''; } }).filter((t) => t.includes('When did you first meet'));
  expect(toCarl).toHaveLength(1);
  expect(toCarl[0]).not.toMatch(/Answer in the dispute's thread/);
});
