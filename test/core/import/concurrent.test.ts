import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import type { DomainContext } from '../../../src/core/context.js';
import { importCsv } from '../../../src/core/import/import.service.js';
import { consoleOrigin } from '../../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-import-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
const file = (id: string, claimant: string, status = 'protected') => `${HEADER}\n${id},soylent,${claimant},resell,Analytics,Deal,qualified,,,${status},2026-11-20,`;

/**
 * The import's context, with another process (`other`, a second runtime on the same file)
 * committing `write` at the worst moment: after the file was checked, before its write lock.
 */
function racedBy(rt: TestRuntime, write: () => void): DomainContext {
  return { ...rt.ctx, store: { ...rt.store, transaction: (fn) => (write(), rt.store.transaction(fn)) } };
}

/** Two runtimes (two processes) on one database file. */
function twoProcesses(name: string): [TestRuntime, TestRuntime] {
  const databasePath = join(dir, `${name}.db`);
  const first = testRuntime({ databasePath });
  return [first, testRuntime({ databasePath, demo: false })];
}

const protectedOnLine = (rt: TestRuntime) => rt.store.claims.forAccount('soylent').filter((c) => c.productLine === 'Analytics' && c.status === 'protected').map((c) => c.claimant);

describe('CSV import beside another process writing', () => {
  it('accounts another import changed after the file was compared with the database, before the write lock: every row is compared again, and the file is what stays', () => {
    const [importer, other] = twoProcesses('two-account-imports');
    try {
      const accounts = (name: string) => `id,name,aliases,domains\nz1,${name},,zeta.example\nz2,Zulu Corp,,`;
      importCsv(importer.ctx, 'accounts', 'a.csv', accounts('Zeta Works'));
      // At the same moment: the accounts' update times alone do not tell the change.
      const ctx = racedBy(importer, () => importCsv(other.ctx, 'accounts', 'b.csv', accounts('Zeta Renamed')));
      expect(importCsv(ctx, 'accounts', 'a.csv', accounts('Zeta Works'))).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
      expect(importer.store.accounts.get('z1')!.name).toBe('Zeta Works');
    } finally {
      importer.close();
      other.close();
    }
  });


  it('a second import that made another party protected on the line after the file was checked: the file is refused, never two parties protected', () => {
    const [importer, other] = twoProcesses('two-imports');
    try {
      const ctx = racedBy(importer, () => importCsv(other.ctx, 'claims', 'contoso.csv', file('C1', 'contoso')));
      expect(() => importCsv(ctx, 'claims', 'northwind.csv', file('N1', 'northwind'))).toThrow(/line 2: status: contoso already holds a protected claim on soylent \(Analytics\)/);
      expect(protectedOnLine(importer)).toEqual(['contoso']);
    } finally {
      importer.close();
      other.close();
    }
  });

  it('a claim filed in chat meanwhile: the same', () => {
    const [importer, bot] = twoProcesses('chat');
    try {
      const ctx = racedBy(importer, () => submitClaim(bot.deps, as.partner(bot, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null }));
      expect(() => importCsv(ctx, 'claims', 'northwind.csv', file('N1', 'northwind'))).toThrow(/contoso already holds a protected claim on soylent \(Analytics\)/);
      expect(protectedOnLine(importer)).toEqual(['contoso']);
    } finally {
      importer.close();
      bot.close();
    }
  });

  it('when nobody else wrote, the file is imported as checked', () => {
    const [importer, other] = twoProcesses('quiet');
    try {
      expect(importCsv(racedBy(importer, () => undefined), 'claims', 'northwind.csv', file('N1', 'northwind'))).toMatchObject({ inserted: 1 });
      expect(protectedOnLine(other)).toEqual(['northwind']);
    } finally {
      importer.close();
      other.close();
    }
  });
});
