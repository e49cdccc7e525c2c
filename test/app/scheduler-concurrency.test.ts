import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tick, TIMER_MAX_ATTEMPTS } from '../../src/app/scheduler.js';
import { ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-two-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run once right after the next tick reads its due timers: another process writing in between. */
const between: { read: (() => void) | null } = { read: null };
vi.mock('../../db/repos/timers.repo.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../db/repos/timers.repo.js')>();
  return {
    ...real,
    dueTimers: (...args: Parameters<typeof real.dueTimers>) => {
      const due = real.dueTimers(...args);
      const write = between.read;
      between.read = null;
      write?.();
      return due;
    },
  };
});

function worker(db: string, at: string): Promise<number[]> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/tick-worker.ts', db, at], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? ok(JSON.parse(out) as number[]) : fail(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('two scheduler processes on one database file', () => {
  it('fire every due timer exactly once between them', async () => {
    const db = join(dir, 'roe.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const accounts = ['soylent', 'initech', 'muller', 'acme-analytics', 'wayne'];
    for (const a of accounts) openArbitratedCase(rt, a);
    const due = (rt.db.sqlite.prepare("select count(*) as n from timers where status = 'pending' and subject like 'dispute:%'").get() as { n: number }).n;
    rt.close();
    expect(due).toBe(accounts.length * 3);

    const later = '2026-12-09T22:00:00Z'; // after every first SLA: reminders, breaches; the escalated SLAs are not due yet
    const [a, b] = await Promise.all([worker(db, later), worker(db, later)]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);

    const check = testRuntime({ at: later, databasePath: db, demo: false });
    const escalations = [...check.store.ledger.entries()].filter((e) => e.kind === 'dispute.escalated');
    expect(escalations).toHaveLength(accounts.length);
    // every reminder fired (once), and said nothing: its deadline had passed by then
    const reminders = [...check.store.ledger.entries()].filter((e) => e.kind === 'dispute.reminded');
    expect(reminders).toHaveLength(0);
    const firedReminders = (check.db.sqlite.prepare("select count(*) as n from timers where status = 'fired' and kind = 'sla.reminder'").get() as { n: number }).n;
    expect(firedReminders).toBe(accounts.length * 2);
    const fired = (check.db.sqlite.prepare("select count(*) as n from timers where status = 'fired'").get() as { n: number }).n;
    expect(fired).toBe(all.length);
    check.close();
  }, 60_000);
});

describe('a timer another process failed between reading the due timers and firing them', () => {
  function twoRuntimes(name: string, attempts: number) {
    const db = join(dir, name);
    const a = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const b = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db, demo: false });
    a.store.timers.schedule({ kind: 'test.always_fails', subject: 'test:1', dueAt: a.clock.now(), payload: {} }, a.clock.now());
    a.db.sqlite.prepare("update timers set attempts = ? where kind = 'test.always_fails'").run(attempts);
    const row = () => a.db.sqlite.prepare("select status, attempts, due_at as dueAt from timers where kind = 'test.always_fails'").get() as { status: string; attempts: number; dueAt: number };
    return { a, b, row };
  }

  it('is not tried again before its backoff', () => {
    const { a, b, row } = twoRuntimes('backoff.db', 0);
    try {
      between.read = () => expect(tick(b.db, b.deps, b.clock.now(), b.logger).failed).toHaveLength(1);
      const r = tick(a.db, a.deps, a.clock.now(), a.logger);
      expect(r).toMatchObject({ fired: [], failed: [] });
      // One attempt, the other process's, and its retry a minute later.
      expect(row()).toEqual({ status: 'pending', attempts: 1, dueAt: a.clock.now().getTime() + 60_000 });
    } finally {
      a.close();
      b.close();
    }
  });

  it(`is given up after ${TIMER_MAX_ATTEMPTS} attempts in all, counted as it is claimed`, () => {
    const { a, b, row } = twoRuntimes('attempts.db', TIMER_MAX_ATTEMPTS - 2);
    try {
      // The other process fails the next to last attempt; this one's clock is past its retry.
      between.read = () => expect(tick(b.db, b.deps, b.clock.now(), b.logger).failed).toHaveLength(1);
      a.clock.set('2026-12-07T15:00:00Z');
      expect(tick(a.db, a.deps, a.clock.now(), a.logger).failed).toHaveLength(1);
      expect(row()).toMatchObject({ status: 'failed', attempts: TIMER_MAX_ATTEMPTS });
    } finally {
      a.close();
      b.close();
    }
  });
});
