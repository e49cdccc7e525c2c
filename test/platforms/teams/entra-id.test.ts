/**
 * A person of the policy whose `teams` id is their Entra (Azure AD) object id, as the README
 * allows, is one person on Slack and Teams alike: the claims they file from Teams are theirs in
 * Slack's `/roe mine`, and what they do from Teams is not told back to them in Slack.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { roe } from '../../../handlers/roe.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { FORMS } from '../../../handlers/replies/model.js';
import type { Principal } from '../../../src/core/authz.js';
import { policyTextWith } from '../../support/builders.js';
import { findIn, readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-entra-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: TeamsHarness;
beforeEach(async () => {
  const policy = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(policy, policyTextWith([['teams: "29:sam"', `teams: "${USERS.sam.aadObjectId}"`]]));
  h = await startTeams({ policyPath: policy });
});
afterEach(async () => {
  await h.stop();
});

const samOnSlack = (): Principal => h.rt.resolve({ platform: 'slack', userId: 'U0SAM', displayName: 'Sam Patel', orgId: 'T0HOME', home: true });

/** Sam files a claim from his Teams chat, for `claimant`, through the claim form. */
async function claimFromTeams(account: string, claimant: string): Promise<string> {
  const form = await h.say(USERS.sam, `claim ${account}`);
  const submit = findIn(form, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.submits[FORMS.claim])[0] as { verb: string; data: Record<string, unknown> };
  return readCard(await h.click(USERS.sam, submit.verb, { ...submit.data, account, claimant, route: 'resell', product: 'Analytics', opportunity: 'Rollout', stage: 'qualified', amount: '', evidence: '' }));
}

it("the claims Sam files from Teams are in his /roe mine on Slack, as on Teams", async () => {
  expect(await claimFromTeams('soylent', 'Northwind Partners')).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) for Northwind Partners is protected/);
  const onTeams = readCard(await h.say(USERS.sam, 'roe mine'));
  expect(onTeams).toContain('Soylent Corp');
  const onSlack = JSON.stringify(roe(h.rt.deps, samOnSlack(), 'mine'));
  expect(onSlack).toContain('Soylent Corp');
  expect(onSlack).not.toContain('No claims');
});

it('a case Sam opens from Teams against a claim he filed from Slack is not told back to him on Slack', async () => {
  const meta = { origin: { platform: 'slack' as const, channel: 'C0DEALS', thread: null }, requestKey: null };
  submitClaim(h.rt.deps, samOnSlack(), { account: 'soylent', claimant: 'contoso', route: 'resell', product: 'Analytics', opportunity: 'Rollout', stage: 'qualified', amount: '', evidence: '' }, meta);
  const before = h.rt.db.sqlite.prepare("select count(*) as n from outbox where target like '%U0SAM%'").get() as { n: number };
  expect(await claimFromTeams('soylent', 'Northwind Partners')).toMatch(/Soylent Corp/);
  // A case was opened and settled (first registration), and its parties told; Sam is both of them.
  expect(h.rt.store.disputes.all()).toHaveLength(1);
  const after = h.rt.db.sqlite.prepare("select count(*) as n from outbox where target like '%U0SAM%'").get() as { n: number };
  expect(after.n).toBe(before.n);
});
