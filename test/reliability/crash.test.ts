import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { ROOT } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

/** 50+ kills in `npm run test:reliability`; a few in `npm test`. */
const KILLS = Number(process.env.ROE_CRASH_KILLS ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'roe-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the busy bot and kills it with SIGKILL a random moment after it is ready. */
function runAndKill(db: string, seed: number, aliveMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/stream-worker.ts', db, String(seed)], { cwd: ROOT });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => p.kill('SIGKILL'), aliveMs);
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? ok() : fail(new Error(`worker ended by itself (${code}): ${err}`))));
  });
}

function checkInvariants(db: string): { claims: number; ledger: number } {
  const rt = testRuntime({ databasePath: db, demo: false });
  try {
    const ledger = [...rt.store.ledger.entries()];
    expect(verifyChain(ledger)).toMatchObject({ ok: true });
    const subjects = (kind: string) => ledger.filter((e) => e.kind === kind).map((e) => e.subject);
    // no claim or dispute half-written: each has its ledger entry, exactly once
    const claims = rt.store.claims.all();
    const filed = new Set([...subjects('claim.filed'), ...subjects('claim.imported')]);
    for (const c of claims) expect(filed.has(`claim:${c.id}`), `claim #${c.id} has no ledger entry`).toBe(true);
    expect(subjects('claim.filed').length).toBe(new Set(subjects('claim.filed')).size);
    const disputes = rt.store.disputes.all();
    for (const d of disputes) expect(subjects('dispute.opened')).toContain(`dispute:${d.id}`);
    // a ruling happens once
    const ruled = subjects('dispute.ruled');
    expect(new Set(ruled).size).toBe(ruled.length);
    for (const d of disputes.filter((x) => x.status === 'ruled')) expect(ruled).toContain(`dispute:${d.id}`);
    // no timer lost: every open case has its breach timer pending, unless its chain is exhausted
    const pending = rt.db.sqlite.prepare("SELECT kind, subject FROM timers WHERE status = 'pending'").all() as { kind: string; subject: string }[];
    const exhausted = new Set(subjects('dispute.escalated_to_channel'));
    for (const d of disputes.filter((x) => x.status === 'open' && !exhausted.has(`dispute:${x.id}`))) {
      expect(pending.some((t) => t.kind === 'sla.breach' && t.subject === `dispute:${d.id}`), `dispute #${d.id} lost its SLA timer`).toBe(true);
    }
    // every protected claim has exactly one pending lifecycle step (warning, dormancy or expiry)
    for (const c of claims.filter((x) => x.status === 'protected')) {
      expect(pending.filter((t) => t.kind.startsWith('claim.') && t.subject === `claim:${c.id}`).length, `claim #${c.id} lost its lifecycle timer`).toBe(1);
    }
    // no timer doubled: a level's breach escalates once
    const escalations = ledger.filter((e) => e.kind === 'dispute.escalated').map((e) => `${e.subject}/${String((e.payload as { level: number }).level)}`);
    expect(new Set(escalations).size).toBe(escalations.length);
    // no notification doubled
    const keys = rt.db.sqlite.prepare('SELECT dedupe_key AS k FROM outbox').all() as { k: string }[];
    expect(new Set(keys.map((r) => r.k)).size).toBe(keys.length);
    return { claims: claims.length, ledger: ledger.length };
  } finally {
    rt.close();
  }
}

describe('crash safety', () => {
  it(`kill -9 at random points during a stream of claims, rulings and timers (${KILLS} kills): every restart finds a consistent database`, async () => {
    const db = join(dir, 'crash.db');
    testRuntime({ databasePath: db }).close();
    let seed = 12345;
    let previous = checkInvariants(db);
    for (let i = 0; i < KILLS; i++) {
      seed = (seed * 48271) % 2147483647;
      await runAndKill(db, seed, 50 + (seed % 400));
      const now = checkInvariants(db);
      expect(now.ledger).toBeGreaterThanOrEqual(previous.ledger);
      previous = now;
    }
    expect(previous.claims).toBeGreaterThan(20);
  }, 600_000);
});
