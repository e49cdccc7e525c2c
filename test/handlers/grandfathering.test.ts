import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { approve } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { isLive } from '../../src/core/claims/lifecycle.js';
import { PolicyError } from '../../src/core/policy/load.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-gf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const values = (stage: string) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });

describe('grandfathering: a claim is judged under the policy version in force when it was registered', () => {
  it('a new version with other rules applies to new claims, while a case over an older claim keeps the older rules', () => {
    const db = join(dir, 'roe.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), values('qualified'), { origin: consoleOrigin, requestKey: null });
    const first = v1.store.claims.all().at(-1)!;
    v1.close();
    expect(first).toMatchObject({ policyVersion: '2026.1', status: 'protected' });

    // 2026.2: from Dec 2 every overlap goes to the arbitrator, and protection is 30 days.
    const v2Path = join(dir, 'policy-2026.2.yaml');
    writeFileSync(
      v2Path,
      policyTextWith([
        ['version: "2026.1"', 'version: "2026.2"'],
        ['effective: 2026-01-01', 'effective: 2026-12-02'],
        ['- { rule: first-registration, auto: true }', '- { rule: first-registration, auto: false }'],
        ['protection_days: 90', 'protection_days: 30'],
      ]),
    );
    const v2 = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    expect(v2.policies.all.map((v) => v.version)).toEqual(['2026.1', '2026.2']);
    // A new claim on an account nobody holds: 2026.2's 30 days of protection.
    submitClaim(v2.deps, as.partner(v2, 'fabrikam'), { ...values('qualified'), account: 'muller' }, { origin: consoleOrigin, requestKey: null });
    const fresh = v2.store.claims.all().at(-1)!;
    expect(fresh.policyVersion).toBe('2026.2');
    expect((fresh.protectedUntil!.getTime() - fresh.registeredAt.getTime()) / 86_400_000).toBe(30);
    // An overlap with Northwind's 2026.1 claim: judged under 2026.1, where first-registration decides on its own.
    const r = submitClaim(v2.deps, as.partner(v2, 'contoso'), values('qualified'), { origin: consoleOrigin, requestKey: null });
    expect(r.summary).toMatch(/was not accepted/);
    const d = v2.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ policyVersion: '2026.1', status: 'settled', winner: 'northwind', recommendationRule: 'first-registration' });
    // …and the older claim keeps its 90 days.
    expect((v2.store.claims.get(first.id)!.protectedUntil!.getTime() - first.registeredAt.getTime()) / 86_400_000).toBe(90);
    v2.close();
  });

  /**
   * Northwind's claim at `stage`, filed on Nov 30 under 2026.1 with 20 days of protection (dormant
   * after 19) in database `name`.db; then 2026.2 from Dec 10, the same terms but no furthest-stage,
   * and its first registration only recommended. Returns the database, 2026.2's file and the claim.
   */
  function northwindThenNewVersion(name: string, stage: string) {
    const db = join(dir, `${name}.db`);
    const short: [string, string][] = [
      ['protection_days: 90', 'protection_days: 20'],
      ['dormant_after_days: 30', 'dormant_after_days: 19'],
    ];
    const v1Path = join(dir, `${name}-1.yaml`);
    writeFileSync(v1Path, policyTextWith(short));
    const v1 = testRuntime({ at: '2026-11-30T15:00:00Z', databasePath: db, policyPath: v1Path });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), values(stage), { origin: consoleOrigin, requestKey: null });
    const old = v1.store.claims.all().at(-1)!;
    v1.close();
    const v2Path = join(dir, `${name}-2.yaml`);
    writeFileSync(
      v2Path,
      policyTextWith([
        ['version: "2026.1"', 'version: "2026.2"'],
        ['effective: 2026-01-01', 'effective: 2026-12-10'],
        ...short,
        ['  - { rule: furthest-stage, auto: false }\n', ''],
        ['- { rule: first-registration, auto: true }', '- { rule: first-registration, auto: false }'],
      ]),
    );
    return { db, v2Path, old };
  }

  it('once the only claim of the older version has closed, the case is recommended again under the version of the claims left', () => {
    const { db, v2Path, old } = northwindThenNewVersion('live', 'commit');
    const v2 = testRuntime({ at: '2026-12-14T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    try {
      submitClaim(v2.deps, as.partner(v2, 'contoso'), values('qualified'), { origin: consoleOrigin, requestKey: null });
      v2.clock.set('2026-12-14T16:00:00Z');
      submitClaim(v2.deps, as.partner(v2, 'fabrikam'), values('proposal'), { origin: consoleOrigin, requestKey: null });
      const d = v2.store.disputes.all().at(-1)!;
      // Judged under 2026.1 while Northwind's claim lives: its furthest stage is recommended.
      expect(d).toMatchObject({ status: 'open', policyVersion: '2026.1', recommendation: 'northwind', recommendationRule: 'furthest-stage' });
      expect(d.claimIds).toHaveLength(3);
      // Northwind's claim closes while the case waits: Contoso and Fabrikam registered under 2026.2 alone.
      v2.clock.set('2026-12-20T16:00:00Z');
      for (let i = 0; i < 5 && tick(v2.db, v2.deps, v2.clock.now(), v2.logger).fired.length > 0; i++);
      expect(isLive(v2.store.claims.get(old.id)!.status)).toBe(false);
      // Under 2026.2 the first registration (Contoso's) is recommended, not 2026.1's furthest stage (Fabrikam's proposal).
      expect(v2.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'contoso', recommendationRule: 'first-registration' });
      const changed = [...v2.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}` && e.kind === 'dispute.recommendation_changed');
      expect(changed.map((e) => e.policyVersion)).toEqual(['2026.2']);
      // The case is judged under 2026.2 now: so is its ruling, in the ledger.
      expect(v2.store.disputes.get(d.id)!.policyVersion).toBe('2026.2');
      approve(v2.deps, as.person(v2, v2.store.disputes.get(d.id)!.arbitrator), d.id);
      expect(ledgerOf(v2, d.id).filter((e) => e.kind === 'dispute.ruled')).toEqual([{ kind: 'dispute.ruled', policyVersion: '2026.2' }]);
    } finally {
      v2.close();
    }
  });

  /**
   * Northwind's claim (2026.1, `qualified`) is in a case with Contoso's (`proposal`) and Fabrikam's
   * (`commit`), both 2026.2: under 2026.1, furthest-stage recommends Fabrikam; 2026.2 has no
   * furthest-stage, and its first registration (Contoso's) is only recommended.
   */
  function olderClaimInCase(name: string) {
    const { db, v2Path, old } = northwindThenNewVersion(name, 'qualified');
    const rt = testRuntime({ at: '2026-12-14T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('proposal'), { origin: consoleOrigin, requestKey: null });
    rt.clock.set('2026-12-14T16:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('commit'), { origin: consoleOrigin, requestKey: null });
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', policyVersion: '2026.1', recommendation: 'fabrikam', recommendationRule: 'furthest-stage' });
    expect(d.claimIds).toContain(old.id);
    return { rt, d, old };
  }
  const ledgerOf = (rt: TestRuntime, id: number) => [...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${id}`).map((e) => ({ kind: e.kind, policyVersion: e.policyVersion }));

  it('once the older claim has closed, the claims left are recommended on under their own version, though it was not the one recommended', () => {
    const { rt, d, old } = olderClaimInCase('older-not-recommended');
    try {
      // Northwind's claim expires while the case waits: Contoso's and Fabrikam's are 2026.2's alone.
      rt.clock.set('2026-12-20T16:00:00Z');
      for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
      expect(isLive(rt.store.claims.get(old.id)!.status)).toBe(false);
      // 2026.2 has no furthest-stage: its first registration (Contoso's) is recommended.
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', policyVersion: '2026.2', recommendation: 'contoso', recommendationRule: 'first-registration' });
      expect(rt.store.disputes.get(d.id)!.trace.map((t) => t.rule)).not.toContain('furthest-stage');
      expect(ledgerOf(rt, d.id).filter((e) => e.kind === 'dispute.recommendation_changed')).toEqual([{ kind: 'dispute.recommendation_changed', policyVersion: '2026.2' }]);
      approve(rt.deps, as.person(rt, rt.store.disputes.get(d.id)!.arbitrator), d.id);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
      expect(ledgerOf(rt, d.id).filter((e) => e.kind === 'dispute.ruled')).toEqual([{ kind: 'dispute.ruled', policyVersion: '2026.2' }]);
    } finally {
      rt.close();
    }
  });

  it('a claim joining once the older claim has lapsed (its timer yet to fire) is judged, and the case named, under the version of the claims left', () => {
    const { rt, d } = olderClaimInCase('older-lapsed-join');
    try {
      // Northwind's protection has ended; its timer has not fired yet.
      rt.clock.set('2026-12-20T16:00:00Z');
      submitClaim(rt.deps, as.person(rt, 'sam'), values('negotiation'), { origin: consoleOrigin, requestKey: null });
      const joined = rt.store.disputes.get(d.id)!;
      expect(joined).toMatchObject({ status: 'open', policyVersion: '2026.2', recommendation: 'contoso', recommendationRule: 'first-registration' });
      expect(ledgerOf(rt, d.id).filter((e) => e.kind === 'dispute.joined').at(-1)).toEqual({ kind: 'dispute.joined', policyVersion: '2026.2' });
      approve(rt.deps, as.person(rt, joined.arbitrator), d.id);
      expect(ledgerOf(rt, d.id).filter((e) => e.kind === 'dispute.ruled')).toEqual([{ kind: 'dispute.ruled', policyVersion: '2026.2' }]);
    } finally {
      rt.close();
    }
  });

  it('changing the rules without a new version is refused', () => {
    const db = join(dir, 'same.db');
    testRuntime({ databasePath: db }).close();
    const changed = join(dir, 'changed.yaml');
    writeFileSync(changed, policyTextWith([['protection_days: 90', 'protection_days: 60']]));
    expect(() => testRuntime({ databasePath: db, policyPath: changed, demo: false })).toThrow(PolicyError);
    expect(() => testRuntime({ databasePath: db, policyPath: changed, demo: false })).toThrow(/changed\.yaml: line 5: version: "2026.1" was already loaded on \d{4}-\d{2}-\d{2} with different rules, and claims may refer to it; give the changed policy a new version/);
  });
});
