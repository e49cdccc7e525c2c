/**
 * What Teams would refuse or mangle at its limits: a card over its size is refused for good
 * (413), so every card stays within the renderer's cap whatever the data holds, and what a person
 * typed comes back in a form exactly as typed.
 */
import { stringify } from 'csv-stringify/sync';
import { afterEach, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { LIMITS } from '../../../handlers/platforms/teams/render.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { findIn as find, readCard } from '../../support/fake-connector.js';
import { as } from '../../support/runtime.js';
import { CHANNEL, installActivity, personalChat, startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness;
afterEach(async () => {
  await h?.stop();
});

/** Partners with names of 200 characters (the import's limit). */
function longPartners(n: number): string[] {
  const ids = Array.from({ length: n }, (_, i) => `bulk-${i}`);
  importCsv(h.rt.ctx, 'partners', 'p.csv', stringify([['id', 'name'], ...ids.map((id, i) => [id, `Bulk Partner ${i} `.padEnd(200, 'Reseller Alliance ')])]));
  return ids;
}

/** Meeting notes as people write them: short lines. 3,000 characters, the claim form's limit. */
const NOTES = Array.from({ length: 200 }, (_, i) => `- ${i % 2 ? 'Call' : 'Mail'} with the CIO, next steps agreed\n`).join('').slice(0, 3000);

it('the arbitrator gets the case card of a 70-party case, each party with 3,000 characters of notes: within the cap, its ruling buttons kept', async () => {
  h = await startTeams();
  const ids = longPartners(70);
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  ids.forEach((id, i) =>
    submitClaim(h.rt.deps, as.partner(h.rt, id), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: `Deal ${i}`, stage: i === 0 ? 'qualified' : 'proposal', amount: '', evidence: NOTES }, { origin: { platform: 'teams', channel: CHANNEL, thread: '1700000000555' }, requestKey: null }),
  );
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  for (let i = 0; i < 20 && (await h.drain()) > 0; i++);
  const toPat = h.connector.calls.filter((c) => c.conversationId === personalChat(USERS.pat) && (c.kind === 'send' || c.kind === 'reply'));
  expect(toPat.length).toBeGreaterThan(0);
  expect(toPat.filter((c) => c.status === 413)).toEqual([]);
  const last = toPat.at(-1)!;
  const body = find(last.body, (o) => o.type === 'AdaptiveCard')[0]!.body;
  expect(JSON.stringify(body).length).toBeLessThanOrEqual(LIMITS.cardMax);
  // The last notes give way first: the case's criteria are still shown.
  expect(readCard(last.body)).toMatch(/more notes not shown/);
  expect(find(last.body, (o) => o.type === 'Action.Execute').map((a) => a.title)).toEqual(expect.arrayContaining(['Award to another party', 'Ask for information']));
  // Pat's card is sent again as each of the 70 parties joins, each near the cap: seconds of work,
  // more on a loaded machine.
}, 60_000);

it('a claim form whose partner choices would be too long to send (names of 200 characters) asks for the partner by name', async () => {
  h = await startTeams();
  longPartners(90); // with the demo's, fewer than the 100 a select may list
  const form = await h.say(USERS.sam, 'claim');
  expect(find(form, (o) => o.id === 'claimant')[0]!.type).toBe('Input.Text');
  expect(JSON.stringify(form).length).toBeLessThan(40 * 1024);
});

it('a partner name typed with "<" comes back as typed when another field is wrong, and files the claim for that partner', async () => {
  h = await startTeams();
  const NAME = 'Fabrikam <Cloud> Partners';
  importCsv(h.rt.ctx, 'partners', 'p.csv', stringify([['id', 'name'], ...Array.from({ length: 101 }, (_, i) => [`bulk-${i}`, i === 7 ? NAME : `Bulk Partner ${i}`])]));
  const form = await h.say(USERS.sam, 'claim');
  expect(find(form, (o) => o.id === 'claimant')[0]!.type).toBe('Input.Text');
  const submit = find(form, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.submits[FORMS.claim])[0]!;
  const values = { account: 'soylent', claimant: NAME, route: 'resell', product: 'Analytics', opportunity: '', stage: 'qualified', amount: '', evidence: '' };
  const corrected = await h.click(USERS.sam, submit.verb as string, { ...(submit.data as object), ...values });
  const shown = find(corrected, (o) => o.id === 'claimant')[0]!;
  expect(shown.value).toBe(NAME);
  const again = find(corrected, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.submits[FORMS.claim])[0]!;
  // Teams sends the inputs back as shown, with the field fixed.
  const done = await h.click(USERS.sam, again.verb as string, { ...(again.data as object), ...values, claimant: shown.value as string, opportunity: 'Soylent rollout' });
  expect(readCard(done)).toMatch(/Claim #\d+ on Soylent Corp/);
  expect(h.rt.store.claims.all().at(-1)!.claimant).toBe('bulk-7');
});

it('the award form of a case whose parties are too long to list takes a party typed by name, or "Nobody"', async () => {
  h = await startTeams();
  const ids = longPartners(70);
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  for (const product of ['Analytics', 'Services']) {
    ids.forEach((id, i) =>
      submitClaim(h.rt.deps, as.partner(h.rt, id), { account: 'soylent', route: 'resell', product, opportunity: `Deal ${i}`, stage: i === 0 ? 'qualified' : 'proposal', amount: '', evidence: '' }, { origin: { platform: 'teams', channel: CHANNEL, thread: '1700000000555' }, requestKey: null }),
    );
  }
  const [soylent, wayne] = ['Analytics', 'Services'].map((p) => h.rt.store.disputes.forAccount('soylent').find((d) => d.productLine === p)!);
  const award = async (d: { id: number }, party: string) => {
    const form = await h.click(USERS.pat, TEAMS_IDS.actions[ACTIONS.award], { value: String(d.id) });
    expect(find(form, (o) => o.id === 'party')[0]!.type).toBe('Input.Text');
    const submit = find(form, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.submits[FORMS.award])[0]!;
    return h.click(USERS.pat, submit.verb as string, { ...(submit.data as object), party, rationale: 'Sourced this deal first, with the CIO.' });
  };
  const name5 = h.rt.store.partners.get('bulk-5')!.name;
  await award(soylent!, `  ${name5.toUpperCase()} `);
  expect(h.rt.store.disputes.get(soylent!.id)).toMatchObject({ status: 'ruled', winner: 'bulk-5' });
  await award(wayne!, 'Nobody');
  expect(h.rt.store.disputes.get(wayne!.id)).toMatchObject({ status: 'ruled', winner: null });
});

it('the card of a 70-party case, each party with 3,000 characters of notes, ruled through the award form: it still shows the ruling and its rationale', async () => {
  h = await startTeams();
  const ids = longPartners(70);
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  ids.forEach((id, i) =>
    submitClaim(h.rt.deps, as.partner(h.rt, id), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: `Deal ${i}`, stage: i === 0 ? 'qualified' : 'proposal', amount: '', evidence: NOTES }, { origin: { platform: 'teams', channel: CHANNEL, thread: '1700000000555' }, requestKey: null }),
  );
  const d = h.rt.store.disputes.all().at(-1)!;
  const form = await h.click(USERS.pat, TEAMS_IDS.actions[ACTIONS.award], { value: String(d.id) });
  const submit = find(form, (o) => o.type === 'Action.Execute' && o.verb === TEAMS_IDS.submits[FORMS.award])[0]!;
  const rationale = NOTES.slice(0, 2000).trim();
  const ruled = await h.click(USERS.pat, submit.verb as string, { ...(submit.data as object), party: h.rt.store.partners.get('bulk-5')!.name, rationale });
  expect(h.rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'bulk-5' });
  const body = find(ruled, (o) => o.type === 'AdaptiveCard')[0]!.body;
  expect(JSON.stringify(body).length).toBeLessThanOrEqual(LIMITS.cardMax);
  const lines = readCard(ruled).split('\n');
  const outcome = lines.findIndex((l) => /^✅ Ruled by Pat Okafor on .*: Bulk Partner 5 .* owns it\.$/.test(l));
  expect(outcome).toBeGreaterThan(0);
  // The outcome, then the rationale under its label (on a card this crowded, its start).
  expect(lines.slice(outcome + 1, outcome + 3)).toEqual(['Rationale', rationale.split('\n')[0]]);
  expect(readCard(ruled)).toMatch(/more notes not shown/);
});
