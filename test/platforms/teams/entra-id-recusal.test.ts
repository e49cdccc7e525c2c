/**
 * Recusal for a person of the policy whose `teams` id is their Entra (Azure AD) object id, as the
 * README allows: the claims they file from Teams (under their Teams user id) are theirs, so they
 * do not rule on a case they filed one of. Default coverage: Pat Okafor, then Dana Reyes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { policyTextWith } from '../../support/builders.js';
import { cardOf, executeOf as submitOf, readCard } from '../../support/fake-connector.js';
import { installActivity, personalChat, startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
const dir = mkdtempSync(join(tmpdir(), 'roe-entra-recusal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let h: TeamsHarness;
beforeEach(async () => {
  const policy = join(dir, `policy-${Math.random().toString(36).slice(2)}.yaml`);
  // First registration only recommends: a case raised by hand waits for an arbitrator too.
  writeFileSync(policy, policyTextWith([['teams: "29:pat"', `teams: "${USERS.pat.aadObjectId}"`], ['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
  h = await startTeams({ policyPath: policy });
});
afterEach(async () => {
  await h.stop();
});

/** `u` files a claim on Soylent (Analytics) from their Teams chat, through the claim form. */
async function file(u: TeamsUser, stage: string): Promise<string> {
  const s = submitOf(await h.say(u, 'claim soylent'), V.submits[FORMS.claim]);
  return readCard(await h.click(u, s.verb, { ...s.data, account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage, amount: '', evidence: '' }));
}

it('Pat files a claim from Teams on an account Northwind claimed: the case goes to Dana, told why, and his approve click is refused, naming her', async () => {
  await h.post(installActivity(USERS.dana, { kind: 'personal' }, h.connector.url));
  await file(USERS.northwind, 'qualified');
  await file(USERS.pat, 'proposal');
  const d = h.rt.store.disputes.all().at(-1)!;
  const claim = h.rt.store.claims.forAccount('soylent').at(-1)!;
  expect(claim.createdBy).toBe(`teams:${USERS.pat.id}`);
  expect(d).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 1, claimIds: expect.arrayContaining([claim.id]) });
  const assigned = [...h.rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}` && e.kind === 'dispute.assigned');
  expect(assigned.map((e) => e.payload)).toEqual([expect.objectContaining({ arbitrator: 'dana', recused: [{ person: 'pat', claim: claim.id }] })]);
  await h.drain();
  const dm = h.connector.messages(personalChat(USERS.dana)).map((c) => readCard(cardOf(c))).at(-1)!;
  expect(dm).toContain(`Pat Okafor filed claim #${claim.id} in this case, so Dana Reyes rules on it.`);
  const refused = readCard(await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${d.id}:northwind` }));
  expect(refused).toContain(`You filed claim #${claim.id} in dispute #${d.id}, so you cannot rule on it: Dana Reyes does.`);
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
});

it('Pat, the arbitrator of a case, files a claim from Teams that joins it: it moves on to Dana, and his approve click is refused', async () => {
  await file(USERS.northwind, 'proposal');
  await file(USERS.contoso, 'qualified');
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  await file(USERS.pat, 'negotiation');
  const claim = h.rt.store.claims.forAccount('soylent').at(-1)!;
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 1, claimIds: expect.arrayContaining([claim.id]) });
  const moved = [...h.rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}` && e.kind === 'dispute.reassigned');
  expect(moved.map((e) => e.payload)).toEqual([expect.objectContaining({ from: 'pat', to: 'dana', recused: [{ person: 'pat', claim: claim.id }] })]);
  const refused = readCard(await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${d.id}:northwind` }));
  expect(refused).toContain(`You filed claim #${claim.id} in dispute #${d.id}, so you cannot rule on it: Dana Reyes does.`);
});

it('Pat raises a case from Teams for Contoso against Northwind’s claim on Acme: it goes to Dana, and his approve click is refused', async () => {
  const s = submitOf(await h.say(USERS.pat, 'dispute acme'), V.submits[FORMS.dispute]);
  await h.click(USERS.pat, s.verb, { ...s.data, account: 'Acme Corporation', claimant: 'contoso', product: 'Analytics', against: '', reason: 'Contoso ran the workshops with their CIO', evidence: '' });
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', raisedBy: `teams:${USERS.pat.id}`, raisedAs: 'contoso', arbitrator: 'dana', escalationLevel: 1 });
  const refused = readCard(await h.click(USERS.pat, V.actions[ACTIONS.approve], { value: `${d.id}:contoso` }));
  expect(refused).toContain(`You raised dispute #${d.id}, so you cannot rule on it: Dana Reyes does.`);
});
