import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { showAccount } from '../../handlers/who-owns.js';
import { raiseDispute } from '../../src/core/disputes/disputes.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-pchange-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = { origin: consoleOrigin, requestKey: null };
const claimOn = (product: string) => ({ account: 'soylent', route: 'resell', product, opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' });

/** A database where Northwind's claim on Soylent (Core Platform) is protected under 2026.1, then 2026.2 spells the line `Core platform`. */
function recased(name: string) {
  const db = join(dir, `${name}.db`);
  const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
  submitClaim(v1.deps, as.partner(v1, 'northwind'), claimOn('Core Platform'), meta);
  const held = v1.store.claims.forAccount('soylent').at(-1)!;
  v1.close();
  expect(held).toMatchObject({ status: 'protected', productLine: 'Core Platform' });
  const v2 = join(dir, `${name}.yaml`);
  writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['product_lines: [Core Platform,', 'product_lines: [Core platform,']]));
  return { rt: testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2, demo: false }), held };
}

describe('a version that re-cases a product line: it is the same line', () => {
  it('a new claim on it meets the older claims there: one party holds it, never two', () => {
    const { rt, held } = recased('overlap');
    try {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('core platform'), meta);
      const protectedBy = rt.store.claims.forAccount('soylent').filter((c) => c.status === 'protected').map((c) => c.claimant);
      expect(protectedBy).toEqual(['northwind']);
      expect(rt.store.disputes.all().at(-1)).toMatchObject({ accountId: 'soylent', parties: expect.arrayContaining(['contoso', 'northwind']), claimIds: expect.arrayContaining([held.id]) });
      // /who-owns shows the one line, spelled as the policy in force spells it (a claim keeps its own spelling).
      const answer = JSON.stringify(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'));
      expect(answer.match(/"Owner \([^)]*\)"/g)).toEqual(['"Owner (Core platform)"']);
    } finally {
      rt.close();
    }
  });

  it('a dispute against an older claim on it can be raised', () => {
    const { rt, held } = recased('dispute');
    try {
      const r = rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'soylent', productLine: 'Core platform', againstClaimId: held.id, reason: 'We were there first.', evidence: '', origin: consoleOrigin, requestKey: null }));
      expect(rt.store.disputes.get(r.dispute.id)).toMatchObject({ productLine: 'Core platform', claimIds: [held.id] });
    } finally {
      rt.close();
    }
  });
});
