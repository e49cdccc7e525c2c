import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, NOBODY, submitAward } from '../../handlers/rule.js';
import { showAccount } from '../../handlers/who-owns.js';
import { tick } from '../../src/app/scheduler.js';
import { queueFor } from '../../src/core/disputes/disputes.service.js';
import { chainOf } from '../../src/core/sla/sla.service.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, ledgerKinds, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-rulings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});
const meta = { origin: consoleOrigin, requestKey: null };
const claim = (account: string, stage = 'proposal') => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
const statuses = (r: TestRuntime, account: string) => r.store.claims.forAccount(account).filter((c) => c.productLine === 'Analytics').map((c) => [c.claimant, c.status]);

/**
 * Contoso (flagged) claims Globex, whose incumbent is Fabrikam: the case goes to the
 * arbitrator, who awards it to Contoso against the recommendation (Fabrikam, incumbent).
 */
function awardAgainstIncumbent(r: TestRuntime): number {
  r.store.partners.setFlagged('contoso', r.clock.now());
  submitClaim(r.deps, as.partner(r, 'contoso'), claim('globex'), meta);
  const d = r.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', recommendation: 'fabrikam', recommendationRule: 'incumbent' });
  submitAward(r.deps, as.person(r, d.arbitrator), { dispute: String(d.id), party: 'contoso', rationale: 'Fabrikam has not engaged this customer in two years; Contoso sourced the deal.' });
  expect(statuses(r, 'globex')).toEqual([['contoso', 'protected']]);
  return d.id;
}

describe("an arbitrator's ruling is not overturned by the criteria alone", () => {
  it('a dispute raised by hand over a ruled claim: its reason, typed without a full stop, and why the arbitrator has it read as two sentences', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const first = awardAgainstIncumbent(rt);
    rt.clock.advance(3_600_000);
    submitDispute(rt.deps, as.partner(rt, 'fabrikam'), { account: 'globex', product: 'Analytics', reason: 'We are the incumbent and still run their platform' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', raisedAs: 'fabrikam' });
    expect(d.reason).toBe(`We are the incumbent and still run their platform. The account is held by a ruling on dispute #${first}: only an arbitrator can change it.`);
  });


  it('a later claim over the ruled claim goes to the arbitrator, with the recommendation, instead of being settled', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const first = awardAgainstIncumbent(rt);
    rt.clock.advance(3_600_000);
    const r = submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('globex', 'prospecting'), meta);
    expect(r.summary).toMatch(/pending/);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.id).not.toBe(first);
    expect(d).toMatchObject({ status: 'open', winner: null, recommendation: 'fabrikam', recommendationRule: 'incumbent' });
    expect(d.reason).toContain(`held by a ruling on dispute #${first}`);
    expect(statuses(rt, 'globex')).toEqual([
      ['contoso', 'protected'],
      ['fabrikam', 'pending'],
    ]);
    // A person can still follow the criteria: approving the recommendation decides it.
    approve(rt.deps, as.person(rt, d.arbitrator), `${d.id}:fabrikam`);
    expect(statuses(rt, 'globex')).toEqual([
      ['contoso', 'rejected'],
      ['fabrikam', 'protected'],
    ]);
  });

  it('a claim joining that case keeps it with the arbitrator', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    awardAgainstIncumbent(rt);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('globex', 'prospecting'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('globex', 'commit'), meta);
    expect(rt.store.disputes.all().at(-1)!.id).toBe(d.id);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', winner: null });
    expect(statuses(rt, 'globex')).toEqual([
      ['contoso', 'protected'],
      ['fabrikam', 'pending'],
      ['northwind', 'pending'],
    ]);
  });

  it('a dispute raised by hand against the ruled claim goes to the arbitrator too', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    awardAgainstIncumbent(rt);
    const r = submitDispute(rt.deps, as.partner(rt, 'fabrikam'), { account: 'globex', product: 'Analytics', reason: 'We are the incumbent partner here.' }, meta);
    expect(r.summary).toMatch(/raised/);
    expect(rt.store.disputes.all().at(-1)).toMatchObject({ status: 'open', winner: null, recommendation: 'fabrikam' });
    expect(statuses(rt, 'globex')).toEqual([['contoso', 'protected']]);
  });
});

describe('a ruling for a party is not undone by the criteria when that party files', () => {
  const payloadsOf = (r: TestRuntime, claimId: number, kind: string) => [...r.store.ledger.entries()].filter((e) => e.subject === `claim:${claimId}` && e.kind === kind).map((e) => e.payload);

  it('a partner that held no claim wins a dispute against the incumbent: its claim is protected at once, and /who-owns credits the ruling', () => {
    // The incumbent rule only recommends, so Contoso's dispute (it holds no claim) goes to the arbitrator.
    const policy = join(dir, 'incumbent-recommends.yaml');
    writeFileSync(policy, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', claimIds: [], parties: ['contoso', 'fabrikam'], recommendation: 'fabrikam', recommendationRule: 'incumbent', arbitrator: 'dana' });
    submitAward(rt.deps, as.person(rt, 'dana'), { dispute: String(d.id), party: 'contoso', rationale: 'Fabrikam has not engaged this customer in two years; Contoso sourced the deal.' });
    rt.clock.advance(3_600_000);
    // Before Contoso files, /who-owns already gives the line by the ruling, and says until when;
    // another partner reads the winner as another party.
    const before = showAccount(rt.deps, as.person(rt, 'sam'), 'globex');
    expect(before.summary).toContain('Analytics: Contoso Consulting (ruled by Dana Reyes in dispute #1)');
    expect(JSON.stringify(before.blocks)).toContain('No claim holds it now; the ruling stands for a new claim by Contoso Consulting until Mar 1, 2027.');
    const seenByNorthwind = JSON.stringify(showAccount(rt.deps, as.partner(rt, 'northwind'), 'globex'));
    expect(seenByNorthwind).toContain('the ruling stands for a new claim by another party');
    expect(seenByNorthwind).not.toContain('Contoso');

    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('globex'), meta);
    expect(r.summary).toMatch(/protected until/);
    // The reply says why nothing was weighed again.
    expect(JSON.stringify(r.blocks)).toContain(`The ruling on dispute #${d.id} gave you this account and product line: it still stands`);
    expect(rt.store.disputes.all().at(-1)!.id).toBe(d.id); // no new case: the arbitrator is not asked again
    const won = rt.store.claims.all().at(-1)!;
    expect(won).toMatchObject({ claimant: 'contoso', status: 'protected' });
    expect(payloadsOf(rt, won.id, 'claim.filed')).toEqual([expect.objectContaining({ conflicts: ['incumbent'], ruling: d.id })]);
    expect(payloadsOf(rt, won.id, 'claim.protected')).toEqual([expect.objectContaining({ dispute: d.id })]);
    const view = showAccount(rt.deps, as.person(rt, 'sam'), 'globex');
    expect(view.summary).toContain('Analytics: Contoso Consulting (ruled by Dana Reyes in dispute #1)');
    expect(JSON.stringify(view.blocks)).toContain(`#${won.id} Contoso Consulting: Analytics, protected until`);

    // The incumbent it was ruled against files: only an arbitrator can take the line back.
    rt.clock.advance(3_600_000);
    expect(submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('globex'), meta).summary).toMatch(/pending/);
    const again = rt.store.disputes.all().at(-1)!;
    expect(again).toMatchObject({ status: 'open', recommendation: 'fabrikam' });
    expect(again.reason).toContain(`held by a ruling on dispute #${d.id}:`);
    expect(statuses(rt, 'globex')).toEqual([
      ['contoso', 'protected'],
      ['fabrikam', 'pending'],
    ]);
  });

  it('a ruled line the policy in force no longer has is not shown: no claim can be filed on it', () => {
    const recommend = policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]);
    const first = join(dir, 'ruled-then-dropped-1.yaml');
    writeFileSync(first, recommend);
    const db = join(dir, 'ruled-then-dropped.db');
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: first, databasePath: db });
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'dana'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso sourced the deal.' });
    expect(showAccount(rt.deps, as.person(rt, 'sam'), 'globex').summary).toContain('Analytics: Contoso Consulting (ruled by Dana Reyes in dispute #1)');
    rt.close();
    const second = join(dir, 'ruled-then-dropped-2.yaml');
    writeFileSync(second, recommend.replace('version: "2026.1"', 'version: "2026.2"').replace(/^effective: .*$/m, 'effective: 2026-12-03').replace('product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Services]'));
    rt = testRuntime({ at: '2026-12-04T15:00:00Z', policyPath: second, databasePath: db, demo: false });
    const view = showAccount(rt.deps, as.person(rt, 'sam'), 'globex');
    expect(view.summary).not.toContain('Analytics');
    expect(JSON.stringify(view.blocks)).not.toContain('the ruling stands');
  });

  it('the claim a ruling gave a party went dormant: filed again within protection_days, the incumbent rule does not settle it against the ruling', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const first = awardAgainstIncumbent(rt); // Contoso (then flagged) awarded Globex against Fabrikam, the incumbent
    rt.store.transaction(() => rt!.store.partners.setFlagged('contoso', null));
    rt.clock.advance(31 * 86_400_000); // no activity: Contoso's claim is dormant
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger); // the dormancy warning
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger); // dormant
    expect(statuses(rt, 'globex')).toEqual([['contoso', 'dormant']]);
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('globex'), meta).summary).toMatch(/protected until/);
    expect(rt.store.disputes.all().at(-1)!.id).toBe(first);
    expect(statuses(rt, 'globex')).toEqual([
      ['contoso', 'dormant'],
      ['contoso', 'protected'],
    ]);
    expect(showAccount(rt.deps, as.person(rt, 'sam'), 'globex').summary).toContain(`Analytics: Contoso Consulting (ruled by Dana Reyes in dispute #${first})`);
  });
});

describe('a ruling that rejected a claim is not undone by filing again', () => {
  it('after "nobody gets the account", a re-filed claim within protection_days needs approval, and says why', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const d = openArbitratedCase(rt);
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'Neither partner has a real opportunity here; the account stays open.' });
    rt.clock.advance(60_000);
    const r = submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    expect(r.summary).toMatch(/pending/);
    const again = rt.store.disputes.all().at(-1)!;
    expect(again).toMatchObject({ status: 'open', arbitrator: 'pat', recommendation: 'northwind' });
    expect(again.reason).toBe(`A ruling on dispute #${d.id} went against this party on Soylent Corp (Analytics) within the last 90 days.`);
    expect(rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'northwind', status: 'pending' });
  });

  it('after protection_days the party files as anyone else', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const d = openArbitratedCase(rt);
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'Neither partner has a real opportunity here; the account stays open.' });
    rt.clock.advance(91 * 86_400_000);
    expect(submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta).summary).toMatch(/protected until/);
  });

  it('also when the award went to a party that holds no claim', () => {
    // first-registration only recommends, so the direct team's dispute goes to the arbitrator.
    const policy = join(dir, 'recommend.yaml');
    writeFileSync(policy, policyTextWith([['- { rule: first-registration, auto: true }', '- { rule: first-registration, auto: false }']]));
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    submitDispute(rt.deps, as.person(rt, 'dana'), { account: 'soylent', product: 'Analytics', reason: 'The direct team runs Soylent this year.' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: ['direct', 'northwind'] });
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'direct', rationale: 'The direct team runs Soylent this year.' });
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'rejected']]);
    rt.clock.advance(60_000);
    expect(submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta).summary).toMatch(/pending/);
    expect(rt.store.disputes.all().at(-1)!.reason).toContain(`A ruling on dispute #${d.id} went against this party`);
  });
});

describe('who arbitrates a case over a grandfathered claim', () => {
  // 2026.2 replaces pat with sam as the Default arbitrator, escalating to vp only, and removes pat from the people.
  function twoVersions(name: string): { db: string; v2Path: string } {
    const db = join(dir, `${name}.db`);
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), claim('soylent', 'qualified'), meta);
    v1.close();
    const v2Path = join(dir, `${name}-2026.2.yaml`);
    writeFileSync(
      v2Path,
      policyTextWith([
        ['version: "2026.1"', 'version: "2026.2"'],
        ['effective: 2026-01-01', 'effective: 2026-12-02'],
        ['  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n', ''],
        ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [vp]'],
      ]),
    );
    return { db, v2Path };
  }

  it('follows the version in force when the case opens, while the criteria stay the claim\'s version', () => {
    const { db, v2Path } = twoVersions('ops');
    rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', policyVersion: '2026.1', coverageName: 'Default', arbitrator: 'sam', recommendation: 'contoso', recommendationRule: 'furthest-stage' });
    expect(chainOf(rt.ctx, d)).toEqual(['sam', 'vp']);
    expect(queueFor(rt.ctx, 'sam').map((x) => x.id)).toEqual([d.id]);
    expect(() => approve(rt!.deps, as.person(rt!, 'pat'), `${d.id}:contoso`)).toThrow(/Only Sam Patel/);
    approve(rt.deps, as.person(rt, 'sam'), `${d.id}:contoso`);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'sam', winner: 'contoso' });
  });

  it('escalates along the chain of the version in force when the case opened', () => {
    const { db, v2Path } = twoVersions('esc');
    rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    rt.clock.set(new Date(d.dueAt!.getTime() + 60_000).toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 1 });
  });

  it('a case stored with the old version\'s arbitrator can be ruled by the arbitrator in force', () => {
    const { db, v2Path } = twoVersions('stored');
    rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    const northwind = rt.store.claims.all().at(-1)!;
    // As opened before this rule: arbitrator and coverage from the claim's version (2026.1).
    const d = rt.store.disputes.insert({
      accountId: 'soylent', productLine: 'Analytics', status: 'open', claimIds: [northwind.id], parties: ['contoso', 'northwind'], raisedBy: 'console:contoso-user', raisedAs: 'contoso',
      reason: 'x', filedFlagged: false, joinedFlagged: [], evidence: '', origin: null, coverageName: 'Default', arbitrator: 'pat', escalationLevel: 0, recommendation: 'northwind', recommendationRule: 'first-registration',
      trace: [], policyVersion: '2026.1', createdAt: rt.clock.now(), dueAt: new Date('2026-12-07T15:00:00Z'), ruledBy: null, ruledAt: null, winner: null, rationale: null, requestKey: null,
    });
    expect(queueFor(rt.ctx, 'sam').map((x) => x.id)).toEqual([d.id]);
    approve(rt.deps, as.person(rt, 'sam'), `${d.id}:northwind`);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'sam' });
  });
});

describe('what is not a ruling over an overlap', () => {
  it('an approval (a case of one party) does not hold the account: the next overlap is settled by the criteria', () => {
    const policyPath = join(dir, 'approval.yaml');
    writeFileSync(policyPath, policyTextWith([['{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }', '{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
    rt = testRuntime({ policyPath });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const approval = rt.store.disputes.all().at(-1)!;
    expect(approval.parties).toEqual(['northwind']);
    approve(rt.deps, as.person(rt, 'pat'), `${approval.id}:${approval.recommendation}`);
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'protected']]);
    rt.clock.advance(3_600_000);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    const overlap = rt.store.disputes.all().at(-1)!;
    expect(overlap.id).not.toBe(approval.id);
    expect(overlap.reason).not.toContain('held by a ruling');
    // the coverage still wants approval, so the case goes to pat, recommending the first registration
    expect(overlap).toMatchObject({ status: 'open', arbitrator: 'pat', recommendation: 'northwind', recommendationRule: 'first-registration' });
  });
});

describe('cases opened before who arbitrates followed the version in force', () => {
  it('a case already escalated along its own version’s chain goes on along that chain', () => {
    const v2 = join(dir, 'chain-v2.yaml');
    writeFileSync(v2, policyTextWith([
      ['version: "2026.1"', 'version: "2026.2"'],
      ['effective: 2026-01-01', 'effective: 2026-11-01'],
      ['{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }', '{ name: Default, when: {}, model: partner-led, arbitrator: sam, escalation: [vp] }'],
    ]));
    const db = join(dir, 'legacy-chain.db');
    const first = testRuntime({ at: '2026-10-30T15:00:00Z', databasePath: db });
    submitClaim(first.deps, as.partner(first, 'northwind'), claim('soylent'), meta);
    first.close();
    rt = testRuntime({ at: '2026-11-02T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'qualified'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(chainOf(rt.ctx, d)).toEqual(['sam', 'vp']);
    // As a case opened by the previous release: on its own version's chain [pat, dana, vp], escalated once to dana.
    rt.store.transaction(() => rt!.store.disputes.update(d.id, { arbitrator: 'dana', escalationLevel: 1 }));
    expect(chainOf(rt.ctx, rt.store.disputes.get(d.id)!)).toEqual(['pat', 'dana', 'vp']);
  });
});

describe('a ruling after a long wait', () => {
  it('the winner’s dormancy clock starts at the ruling: a claim awarded 32 days after filing is protected, not dormant at once', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt); // Northwind protected at proposal, Contoso overlapping: Pat rules
    rt.clock.set('2027-01-08T15:00:00Z');
    approve(rt.deps, as.person(rt, 'vp'), `${d.id}:northwind`);
    const won = rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'northwind')!;
    expect(won).toMatchObject({ status: 'protected', lastActivityAt: new Date('2027-01-08T15:00:00Z') });
    // nothing about dormancy for the next 30 days
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, `claim:${won.id}`).filter((k) => k.startsWith('claim.dorman'))).toEqual([]);
    expect(rt.store.claims.get(won.id)!.status).toBe('protected');
  });

  it('a claim that went dormant while its case waited is revived by a ruling for its party (the account was left to nobody)', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'qualified'), meta); // dormant Dec 31 without activity
    rt.clock.set('2026-12-30T15:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    rt.clock.set('2026-12-31T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'dormant'], ['contoso', 'pending']]);
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'northwind', rationale: 'Northwind sourced this deal first.' });
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'protected'], ['contoso', 'rejected']]);
    expect(rt.store.claims.forAccount('soylent')[0]!.lastActivityAt).toEqual(new Date('2026-12-31T15:00:00Z'));
  });

  it.each([
    ['its dormancy timer fired', true, 'dormant'],
    // The bot was down over Dec 31: the first claim is dormant by the clock, stored protected still.
    ['its dormancy timer not fired yet (the bot was down)', false, 'protected'],
  ] as const)('a party that filed again after its first claim went dormant ends the ruling with one live claim, not two: %s', (_n, fired, storedFirst) => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'qualified'), meta); // dormant Dec 31
    rt.clock.set('2026-12-30T15:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    rt.clock.set('2026-12-31T15:00:00Z');
    if (fired) {
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    rt.clock.set('2027-01-02T15:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'negotiation'), meta); // joins the case
    submitAward(rt.deps, as.person(rt, rt.store.disputes.get(d.id)!.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'Northwind sourced this deal first.' });
    expect(statuses(rt, 'soylent')).toEqual([['northwind', storedFirst], ['contoso', 'rejected'], ['northwind', 'protected']]);
    const [first] = rt.store.claims.forAccount('soylent');
    // Not protected again by the ruling (once, when it was filed)…
    expect(ledgerKinds(rt, `claim:${first!.id}`).filter((k) => k === 'claim.protected')).toHaveLength(1);
    // …and its timers then store what the clock says: dormant.
    for (let i = 0; i < 3; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'dormant'], ['contoso', 'rejected'], ['northwind', 'protected']]);
  });

  it('a winner whose protection ran out while its case waited is not left pending: it expires, and the account is open again', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt); // Northwind protected, Contoso pending
    rt.clock.set('2027-03-10T15:00:00Z'); // 93 days on: Contoso's 90 days of protection are over
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso sourced this deal in the end.' });
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(statuses(rt, 'soylent')).toEqual([['northwind', 'rejected'], ['contoso', 'expired']]);
    rt.clock.set('2027-03-11T15:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('soylent', 'prospecting'), meta);
    expect(statuses(rt, 'soylent').at(-1)).toEqual(['fabrikam', 'protected']);
  });

  it('the criteria settling a case at once are no activity of the winner’s: an imported claim keeps its own last activity', () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nCRM-9,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-11-12T15:00:00Z,2026-11-12T15:00:00Z\n`);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'qualified'), meta); // first registration: settled at once for Northwind
    expect(rt.store.disputes.all().at(-1)!.status).toBe('settled');
    expect(rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'northwind')).toMatchObject({ status: 'protected', lastActivityAt: new Date('2026-11-12T15:00:00Z') });
  });

  it('a ruling for a party whose protection ended while the case waited (its timer not fired yet) is refused: it holds nothing to award, and nothing is rejected', () => {
    rt = testRuntime({ at: '2026-09-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'qualified'), meta); // protected until Nov 30
    const nw = rt.store.claims.forAccount('soylent')[0]!;
    for (const day of ['2026-09-25', '2026-10-20', '2026-11-15']) {
      rt.clock.set(`${day}T15:00:00Z`);
      rt.store.transaction(() => rt!.store.claims.update(nw.id, { lastActivityAt: rt!.clock.now() })); // kept active
    }
    rt.clock.set('2026-11-25T15:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'proposal'), meta); // against Northwind's protection
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    rt.clock.set('2026-12-03T15:00:00Z'); // Northwind's protection ended Nov 30
    // It used to go through, reject Contoso's claim and leave the line to nobody (Northwind's claim expired).
    expect(() => submitAward(rt!.deps, as.person(rt!, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'Northwind sourced it first.' })).toThrow(/Northwind Partners no longer holds a claim in dispute #\d+/);
    expect(rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'contoso')).toMatchObject({ status: 'pending', violation: false });
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
  });
});
