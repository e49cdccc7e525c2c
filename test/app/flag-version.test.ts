import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitAward } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { breachesFromLedger, computeStats } from '../../src/core/stats.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, ledgerKinds, outbox } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-flag-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

const meta = { origin: consoleOrigin, requestKey: null };
const claimValues = (account: string, stage: string, product = 'Analytics') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '1000', evidence: 'ev' });

/** Northwind holds the line; Contoso files over it further along, and the arbitrator awards it to Northwind: a violation of Contoso. */
function violation(r: TestRuntime, account: string) {
  submitClaim(r.deps, as.partner(r, 'northwind'), claimValues(account, 'qualified'), meta);
  r.clock.advance(60_000);
  submitClaim(r.deps, as.partner(r, 'contoso'), claimValues(account, 'proposal'), meta);
  const d = r.store.disputes.all().at(-1)!;
  submitAward(r.deps, as.person(r, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
  r.clock.advance(60_000);
}

const stats = (r: TestRuntime) => computeStats({ claims: r.store.claims.all(), disputes: r.store.disputes.all(), breachesByDispute: breachesFromLedger(r.store.ledger.entries()), policy: r.policies.inForceAt(r.clock.now()).policy, now: r.clock.now(), partners: r.store.partners.all().map((p) => p.id) });
const row = (s: ReturnType<typeof stats>, party: string) => s.parties.find((p) => p.party === party);

describe('flag changes are ledger entries', () => {
  it('a policy version that lowers violations_to_flag makes a partner flagged (its claims wait for approval, stats say flagged) with a partner.flagged entry', () => {
    const db = join(dir, 'threshold.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    violation(v1, 'soylent');
    violation(v1, 'wayne');
    expect(ledgerKinds(v1, 'partner:contoso')).toEqual([]);
    v1.close();
    const v2 = join(dir, 'v2.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-10'], ['violations_to_flag: 3', 'violations_to_flag: 2']]));
    rt = testRuntime({ at: '2026-12-11T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    // The partner is now treated as flagged: its claim waits for approval, and stats say so.
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues('initech', 'qualified', 'Analytics'), meta);
    expect(r.summary).toMatch(/pending/);
    expect(row(stats(rt), 'contoso')).toMatchObject({ violations: 2, flagged: true });
    // ...and the ledger says so, as of the version's first tick.
    expect(ledgerKinds(rt, 'partner:contoso')).toContain('partner.flagged');
  });

  it('under notify-only, a version that lowers violations_to_flag: partner ops are told once (being told is the whole consequence)', () => {
    const db = join(dir, 'notify.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    violation(v1, 'soylent');
    violation(v1, 'wayne');
    v1.close();
    const v2 = join(dir, 'v2n.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-10'], ['violations_to_flag: 3', 'violations_to_flag: 2'], ['flagged: require-approval', 'flagged: notify-only']]));
    rt = testRuntime({ at: '2026-12-11T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    for (let i = 0; i < 5; i++) { rt.clock.advance(86_400_000); tick(rt.db, rt.deps, rt.clock.now(), rt.logger); }
    expect(row(stats(rt), 'contoso')).toMatchObject({ violations: 2, flagged: true });
    expect(outbox(rt).map((m) => m.summary).filter((m) => /flagged/.test(m))).toEqual(['Contoso Consulting is flagged after 2 violations: nothing else changes (notify-only)']);
  });

  it('a policy version that raises violations_to_flag unflags a partner (claims protected again, stats not flagged) with a partner.unflagged entry', () => {
    const db = join(dir, 'threshold-up.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    for (const a of ['soylent', 'wayne', 'muller']) violation(v1, a);
    expect(ledgerKinds(v1, 'partner:contoso')).toEqual(['partner.flagged']);
    v1.close();
    const v2 = join(dir, 'v2up.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-10'], ['violations_to_flag: 3', 'violations_to_flag: 5']]));
    rt = testRuntime({ at: '2026-12-11T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues('initech', 'qualified', 'Analytics'), meta);
    expect(r.summary).toMatch(/protected/);
    expect(row(stats(rt), 'contoso')).toMatchObject({ violations: 3, flagged: false });
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
  });

  // What partner ops are told says why, as the version in force counts: a flag lifted by a higher
  // threshold still has its violations inside the window.
  it.each([
    ['raises violations_to_flag to 5: lifted with 3 violations still in the window', 3, [['violations_to_flag: 3', 'violations_to_flag: 5']], ['Contoso Consulting is flagged after 3 violations: its new claims wait for an arbitrator’s approval', 'Contoso Consulting is no longer flagged: 3 violations within 180 days, under the 5 that flag a partner']],
    ['shortens window_days to 5: lifted with none left in it', 3, [['window_days: 180', 'window_days: 5']], ['Contoso Consulting is flagged after 3 violations: its new claims wait for an arbitrator’s approval', 'Contoso Consulting is no longer flagged: 0 violations within 5 days, under the 3 that flag a partner']],
    ['lowers violations_to_flag to 1: flagged after one violation', 1, [['violations_to_flag: 3', 'violations_to_flag: 1']], ['Contoso Consulting is flagged after 1 violation: its new claims wait for an arbitrator’s approval']],
  ] as [string, number, [string, string][], string[]][])('a version that %s', (name, count, change, told) => {
    const db = join(dir, `told-${name.slice(0, 12).replace(/\W/g, '-')}.db`);
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    for (const a of ['soylent', 'wayne', 'muller'].slice(0, count)) violation(v1, a);
    v1.close();
    const v2 = join(dir, `told-${name.slice(0, 12).replace(/\W/g, '-')}.yaml`);
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-10'], ...change]));
    rt = testRuntime({ at: '2026-12-11T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(outbox(rt).map((m) => m.summary).filter((m) => /flagged/.test(m))).toEqual(told);
  });
});
