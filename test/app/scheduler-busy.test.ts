import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT } from '../support/builders.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startScheduler } from '../../src/app/scheduler.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime, type TestRuntime } from '../support/runtime.js';

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
