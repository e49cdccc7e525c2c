import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { ROOT } from '../support/builders.js';
import { afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { FAILING_SAID_EVERY_MS, startScheduler } from '../../src/app/scheduler.js';
import { DomainError } from '../../src/core/errors.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
const dirs: string[] = [];
afterEach(() => {
  rt?.close();
  rt = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLITE_BUSY during a tick (another process, e.g. `roe import`, holds the write lock)', () => {
  it('the scheduler does not freeze the server (its HTTP requests share the thread) while it waits for the lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-busy-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: path });
    openArbitratedCase(rt);
    rt.clock.set('2026-12-09T15:00:00Z'); // timers are due
    // Another process (an import) holds the write lock for 6 s.
    const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)}); db.exec('BEGIN IMMEDIATE'); console.log('locked'); setTimeout(() => { db.exec('COMMIT'); db.close(); }, 6000);`], { cwd: ROOT });
    await new Promise<void>((ok) => holder.stdout.once('data', () => ok()));
    const exited = new Promise((ok) => holder.on('exit', ok));
    // A heartbeat: how long the event loop is blocked at most (a Slack request must be acked within 3 s).
    let last = performance.now();
    let worst = 0;
    const beat = setInterval(() => {
      const t = performance.now();
      worst = Math.max(worst, t - last);
      last = t;
    }, 20);
    const scheduler = startScheduler(rt.db, rt.deps, () => rt!.clock.now(), rt.logger, 1_000);
    await new Promise((ok) => setTimeout(ok, 7_000));
    scheduler.stop();
    clearInterval(beat);
    await exited;
    expect(Math.round(worst)).toBeLessThan(1_000);
    // Once the lock was let go, the timers due fired at the next tick: none was lost.
    const due = rt.db.sqlite.prepare("SELECT count(*) AS n FROM timers WHERE status = 'pending' AND due_at <= ?").get(rt.clock.now().getTime()) as { n: number };
    expect(due.n).toBe(0);
    expect([...rt.store.ledger.entries()].map((e) => e.kind)).toContain('dispute.escalated');
  });
});

describe('what the logs say while another process holds the write lock', () => {
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((ok) => setTimeout(ok, 10));
  };

  it('the scheduler says once that it waits and once that it writes again, never that a user was told anything; a user refused is still logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-busy-log-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: path });
    openArbitratedCase(rt);
    rt.clock.set('2026-12-09T15:00:00Z'); // timers are due
    const lines = (text: string) => rt!.logs.lines.filter((l) => l.includes(text));
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    let ticks = 0;
    const scheduler = startScheduler(rt.db, rt.deps, () => (ticks++, rt!.clock.now()), rt.logger, 10);
    try {
      // Several ticks find the lock held.
      await until(() => ticks >= 5);
      expect(lines('a write was refused')).toEqual([]);
      expect(lines('scheduler: another process holds the database write lock')).toHaveLength(1);
      // A user's request refused meanwhile is logged as before.
      const values = { account: 'initech', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
      expect(() => submitClaim(rt!.deps, as.partner(rt!, 'northwind'), values, { origin: consoleOrigin, requestKey: null })).toThrow(DomainError);
      expect(lines('a write was refused: another process holds the database write lock (an import?); the user was told to try again')).toHaveLength(1);
      other.exec('COMMIT');
      await until(() => lines('scheduler: the database write lock is free again').length > 0);
      const seen = ticks;
      await until(() => ticks >= seen + 3);
    } finally {
      scheduler.stop();
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
    expect(lines('scheduler: another process holds the database write lock')).toHaveLength(1);
    expect(lines('scheduler: the database write lock is free again')).toHaveLength(1);
    expect(lines('a write was refused')).toHaveLength(1);
    const due = rt.db.sqlite.prepare("SELECT count(*) AS n FROM timers WHERE status = 'pending' AND due_at <= ?").get(rt.clock.now().getTime()) as { n: number };
    expect(due.n).toBe(0);
  });
});

describe('what the logs say while ticks fail (a full disk, not a busy lock)', () => {
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((ok) => setTimeout(ok, 10));
  };

  it('the scheduler says it once as it starts, then every few minutes with how many ticks failed, and once as ticks succeed again', async () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    openArbitratedCase(rt);
    rt.clock.set('2026-12-09T15:00:00Z'); // timers are due
    const lines = (text: string) => rt!.logs.lines.filter((l) => l.includes(text));
    // The store fails every write as a full disk does, until told otherwise.
    const store = rt.deps.ctx.store;
    const write = store.transaction.bind(store);
    let full = true;
    let failures = 0;
    store.transaction = ((fn, options) => {
      if (!full) return write(fn, options);
      failures++;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }) as typeof store.transaction;
    // Each tick is 10 s later than the one before: 30 ticks are 5 minutes.
    const tickMs = 10_000;
    const perReport = FAILING_SAID_EVERY_MS / tickMs;
    let ticks = 0;
    const scheduler = startScheduler(rt.db, rt.deps, () => (ticks++ > 0 && rt!.clock.advance(tickMs), rt!.clock.now()), rt.logger, 5);
    try {
      await until(() => failures >= 2 * perReport + 10);
      full = false;
      const failed = failures;
      const seen = ticks;
      await until(() => ticks >= seen + 5);
      scheduler.stop();
      const started = lines('scheduler: ticks fail;');
      expect(started).toHaveLength(1);
      expect(started[0]).toContain('database or disk is full');
      // Again every 5 minutes of failing ticks (the 31st, the 61st), each saying how many failed so far.
      const still = lines('scheduler: ticks still fail');
      expect(still.map((l) => (JSON.parse(l) as { failedTicks: number }).failedTicks)).toEqual([perReport + 1, 2 * perReport + 1]);
      expect(still.every((l) => l.includes('database or disk is full'))).toBe(true);
      const over = lines('scheduler: ticks succeed again');
      expect(over).toHaveLength(1);
      expect((JSON.parse(over[0]!) as { failedTicks: number }).failedTicks).toBe(failed);
      expect(lines('"level":50').length).toBe(1 + still.length);
    } finally {
      scheduler.stop();
    }
    // Nothing was lost meanwhile: the timers due fired once the writes went through.
    const due = rt.db.sqlite.prepare("SELECT count(*) AS n FROM timers WHERE status = 'pending' AND due_at <= ?").get(rt.clock.now().getTime()) as { n: number };
    expect(due.n).toBe(0);
  });
});

describe('the WAL between ticks', () => {
  it("is copied back into the database file after each tick, so SQLite's own checkpoint seldom falls inside a request", () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-wal-tick-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ databasePath: path });
    rt.db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const fileSize = () => statSync(path).size;
    const before = fileSize();
    // Some work written since: it is in the WAL only.
    openArbitratedCase(rt);
    expect(fileSize()).toBe(before);
    const scheduler = startScheduler(rt.db, rt.deps, () => rt!.clock.now(), rt.logger, 60_000);
    scheduler.stop();
    // The first tick ran at once, and its checkpoint copied the new pages into the file.
    expect(fileSize()).toBeGreaterThan(before);
  });
});

describe('what the logs say while checkpoints fail (a full disk, a read-only file)', () => {
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((ok) => setTimeout(ok, 10));
  };

  it('the scheduler warns once as they start failing, then every few minutes with how many failed, and once as one succeeds; a busy one is no failure', async () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    const lines = (text: string) => rt!.logs.lines.filter((l) => l.includes(text));
    // The connection's checkpoint fails as on a full disk, or finds another connection checkpointing (busy), until told otherwise.
    const sqlite = rt.db.sqlite;
    const pragma = sqlite.pragma.bind(sqlite);
    let mode: 'busy' | 'full' | 'fine' = 'busy';
    let checkpoints = 0;
    let failures = 0;
    sqlite.pragma = ((source: string, options?: Parameters<typeof pragma>[1]) => {
      if (!source.startsWith('wal_checkpoint')) return pragma(source, options);
      checkpoints++;
      if (mode === 'busy') return [{ busy: 1, log: 10, checkpointed: 0 }];
      if (mode === 'full') {
        failures++;
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      }
      return pragma(source, options);
    }) as typeof sqlite.pragma;
    // Each tick is 10 s later than the one before: 30 ticks are 5 minutes.
    const tickMs = 10_000;
    const perReport = FAILING_SAID_EVERY_MS / tickMs;
    let ticks = 0;
    const scheduler = startScheduler(rt.db, rt.deps, () => (ticks++ > 0 && rt!.clock.advance(tickMs), rt!.clock.now()), rt.logger, 5);
    try {
      // Busy checkpoints say nothing.
      await until(() => checkpoints >= 5);
      expect(lines('checkpointed')).toEqual([]);
      mode = 'full';
      await until(() => failures >= 2 * perReport + 10);
      // Busy again: neither a failure nor its end.
      mode = 'busy';
      let seen = checkpoints;
      await until(() => checkpoints >= seen + 5);
      const failed = failures;
      expect(lines('scheduler: the WAL is checkpointed again')).toEqual([]);
      mode = 'fine';
      seen = checkpoints;
      await until(() => checkpoints >= seen + 5);
      scheduler.stop();
      const started = lines('scheduler: the WAL could not be checkpointed');
      expect(started).toHaveLength(1);
      expect(started[0]).toContain('database or disk is full');
      // Again every 5 minutes of failing checkpoints (the 31st, the 61st), each saying how many failed so far.
      const still = lines('scheduler: the WAL still cannot be checkpointed');
      expect(still.map((l) => (JSON.parse(l) as { failedCheckpoints: number }).failedCheckpoints)).toEqual([perReport + 1, 2 * perReport + 1]);
      expect(still.every((l) => l.includes('database or disk is full'))).toBe(true);
      const over = lines('scheduler: the WAL is checkpointed again');
      expect(over).toHaveLength(1);
      expect((JSON.parse(over[0]!) as { failedCheckpoints: number }).failedCheckpoints).toBe(failed);
      // Warnings only (the ticks themselves went through): one as it started, and the reminders.
      expect(lines('"level":40').length).toBe(1 + still.length);
      expect(lines('"level":50')).toEqual([]);
    } finally {
      scheduler.stop();
    }
  });
});
