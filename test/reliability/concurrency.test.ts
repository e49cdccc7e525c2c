import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLive } from '../../src/core/claims/lifecycle.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-conc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function worker(args: string[]): Promise<Record<string, number>> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker.ts', ...args], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? ok(JSON.parse(out) as Record<string, number>) : fail(new Error(`worker exited ${code}: ${err}`))));
  });
}

const sum = (tallies: Record<string, number>[]) => tallies.reduce<Record<string, number>>((acc, t) => {
  for (const [k, v] of Object.entries(t)) acc[k] = (acc[k] ?? 0) + v;
  return acc;
}, {});

describe('concurrency: several processes on one database file', () => {
  it('100 concurrent rulings on one dispute give exactly one ruling', async () => {
    const db = join(dir, 'rule.db');
    const rt = testRuntime({ databasePath: db });
    const d = openArbitratedCase(rt);
    rt.close();
    const total = sum(await Promise.all([1, 2, 3, 4].map(() => worker([db, 'rule', String(d.id), '25']))));
    expect(total).toEqual({ ruled: 1, already_ruled: 99 });
    const check = testRuntime({ databasePath: db, demo: false });
    expect([...check.store.ledger.entries()].filter((e) => e.kind === 'dispute.ruled')).toHaveLength(1);
    check.close();
  }, 60_000);

  it('1,000 concurrent claims give consistent overlaps and disputes', async () => {
    const db = join(dir, 'claims.db');
    testRuntime({ databasePath: db }).close();
    const total = sum(await Promise.all([1, 2].map((seed) => worker([db, 'claims', String(seed * 7919), '500']))));
    expect(Object.keys(total).filter((k) => k.startsWith('crash'))).toEqual([]);
    expect(Object.values(total).reduce((a, b) => a + b, 0)).toBe(1000);

    const rt = testRuntime({ databasePath: db, demo: false });
    const claims = rt.store.claims.all();
    const disputes = rt.store.disputes.all();
    const ledger = [...rt.store.ledger.entries()];
    expect(verifyChain(ledger)).toMatchObject({ ok: true });
    // every filed claim is in the ledger exactly once
    const filed = ledger.filter((e) => e.kind === 'claim.filed').map((e) => e.subject);
    expect(new Set(filed).size).toBe(filed.length);
    expect(filed.length).toBe(claims.filter((c) => c.createdBy !== 'import').length);
    const key = (a: string, p: string) => `${a}/${p}`;
    // at most one open dispute per account and product line
    const open = disputes.filter((d) => d.status === 'open').map((d) => key(d.accountId, d.productLine));
    expect(new Set(open).size).toBe(open.length);
    // every pending claim belongs to an open dispute; no two parties protected on one account and product line
    for (const c of claims.filter((x) => x.status === 'pending')) {
      expect(disputes.some((d) => d.status === 'open' && d.claimIds.includes(c.id)), `pending claim #${c.id}`).toBe(true);
    }
    const protectedBy = new Map<string, Set<string>>();
    for (const c of claims.filter((x) => x.status === 'protected')) {
      const k = key(c.accountId, c.productLine);
      protectedBy.set(k, (protectedBy.get(k) ?? new Set()).add(c.claimant));
    }
    for (const [k, parties] of protectedBy) expect(parties.size, k).toBe(1);
    // each party has at most one live claim per account and product line
    const live = claims.filter((c) => isLive(c.status)).map((c) => `${key(c.accountId, c.productLine)}/${c.claimant}`);
    expect(new Set(live).size).toBe(live.length);
    rt.close();
  }, 120_000);
});
