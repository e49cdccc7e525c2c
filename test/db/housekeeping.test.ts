import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { snoozeReminder } from '../../handlers/snooze.js';
import { HISTORY_DAYS, pruneHistory } from '../../db/repos/housekeeping.repo.js';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { tick } from '../../src/app/scheduler.js';
import { serve } from '../../src/app/serve.js';
import { policyTextWith } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-house-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime;
afterEach(() => rt?.close());

const DAY = 86_400_000;
const count = (sql: string) => (rt.db.sqlite.prepare(sql).get() as { n: number }).n;
const statuses = (table: 'outbox' | 'timers') => rt.db.sqlite.prepare(`select status, count(*) as n from ${table} group by status order by status`).all() as { status: string; n: number }[];

/** A case opened on Dec 7, its notifications delivered and its first reminder fired that day; a second case's messages parked. */
async function history() {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, `h-${Math.random()}.db`) });
  const d = openArbitratedCase(rt);
  await drainOutbox(rt.db.db, { console: async () => undefined }, () => rt.clock.now(), rt.logger);
  rt.clock.set(d.dueAt!.toISOString());
  tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  openArbitratedCase(rt, 'initech');
  rt.db.sqlite.prepare("update outbox set status = 'parked' where status = 'pending'").run();
  rt.store.requests.first('ask:view-1', rt.clock.now());
  return d;
}

describe('deleting what is done', () => {
  it(`keeps everything for ${HISTORY_DAYS} days, then deletes delivered notifications, fired and cancelled timers and request keys, never parked messages or pending timers`, async () => {
    const d = await history();
    const before = { outbox: statuses('outbox'), timers: statuses('timers') };
    expect(before.outbox).toEqual([
      { status: 'delivered', n: expect.any(Number) },
      { status: 'parked', n: expect.any(Number) },
    ]);
    expect(before.timers.map((t) => t.status)).toEqual(expect.arrayContaining(['fired', 'pending']));
    const now = rt.clock.now().getTime();
    expect(pruneHistory(rt.db.sqlite, new Date(now - HISTORY_DAYS * DAY))).toEqual({ outbox: 0, timers: 0, requestKeys: 0, more: false });
    expect({ outbox: statuses('outbox'), timers: statuses('timers') }).toEqual(before);

    // The case is closed: its fired timers are done (an open case's are kept, see below).
    rt.store.disputes.update(d.id, { status: 'ruled' });
    const report = pruneHistory(rt.db.sqlite, new Date(now + DAY));
    expect(report.outbox).toBe(before.outbox[0]!.n);
    expect(report.timers).toBeGreaterThan(0);
    expect(report.requestKeys).toBe(1);
    expect(statuses('outbox')).toEqual([before.outbox[1]]);
    expect(count("select count(*) as n from timers where status in ('fired', 'cancelled')")).toBe(0);
    // Pending timers (the claims' lifecycle, the open cases' SLA) are all still there.
    expect(statuses('timers')).toEqual([before.timers.find((t) => t.status === 'pending')]);
    // The ledger is never touched.
    expect(count('select count(*) as n from ledger')).toBeGreaterThan(0);
  });

  it('a withdrawn notification (what it said stopped holding before it went out) is done too: deleted after as long, and nothing else with it', async () => {
    await history();
    rt.store.outbox.enqueue({ platform: 'console', target: { kind: 'user', user: 'northwind-user' }, body: { summary: 'goes dormant', blocks: [] }, dedupeKey: 'claim.dormancy_warning:9:1' }, rt.clock.now());
    expect(rt.store.outbox.withdraw('claim.dormancy_warning:9:')).toBe(1);
    const before = statuses('outbox');
    expect(before.map((s) => s.status)).toEqual(['delivered', 'parked', 'withdrawn']);
    expect(pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() - HISTORY_DAYS * DAY)).outbox).toBe(0);
    pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() + DAY));
    expect(statuses('outbox')).toEqual([before[1]]);
  });

  it('works off a backlog a batch at a time, at most so many batches per call', async () => {
    await history();
    const delivered = count("select count(*) as n from outbox where status = 'delivered'");
    expect(delivered).toBeGreaterThan(2);
    const later = new Date(rt.clock.now().getTime() + DAY);
    expect(pruneHistory(rt.db.sqlite, later, { batch: 1, maxBatches: 2 })).toMatchObject({ outbox: 2, more: true });
    expect(count("select count(*) as n from outbox where status = 'delivered'")).toBe(delivered - 2);
    expect(pruneHistory(rt.db.sqlite, later, { batch: 1, maxBatches: 100 })).toMatchObject({ outbox: delivered - 2, more: false });
  });

  it('never waits for a database another process holds: it stops at once, and the connection waits as before for everything else', async () => {
    await history();
    const other = new Database(rt.config.databasePath);
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      expect(() => pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() + DAY))).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(rt.db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() + DAY)).outbox).toBeGreaterThan(0);
  });

  it('the server works off a backlog larger than one run deletes, run after run', async () => {
    await history();
    const old = rt.clock.now().getTime();
    const add = rt.db.sqlite.prepare("insert into outbox (platform, target, body, dedupe_key, status, next_attempt_at, created_at) values ('console', '{}', '{}', ?, 'delivered', ?, ?)");
    rt.db.sqlite.transaction(() => {
      for (let i = 0; i < 5_000; i++) add.run(`old-${i}`, old, old);
    })();
    rt.clock.set(new Date(old + (HISTORY_DAYS + 1) * DAY).toISOString());
    const serving = await serve(rt, [], 0, { housekeepingMs: 20 });
    try {
      for (let i = 0; i < 200 && count("select count(*) as n from outbox where status = 'delivered'") > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(count("select count(*) as n from outbox where status = 'delivered'")).toBe(0);
      expect(rt.logs.lines.some((l) => l.includes('done work deleted') && l.includes('"more":true'))).toBe(true);
    } finally {
      await serving.stop();
    }
  });

  it('the server does it on its own, and says what it deleted', async () => {
    await history();
    const delivered = count("select count(*) as n from outbox where status = 'delivered'");
    rt.clock.set(new Date(rt.clock.now().getTime() + (HISTORY_DAYS + 1) * DAY).toISOString());
    const serving = await serve(rt, [], 0, { housekeepingMs: 20 });
    try {
      for (let i = 0; i < 100 && count("select count(*) as n from outbox where status = 'delivered'") > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(count("select count(*) as n from outbox where status = 'delivered'")).toBe(0);
      expect(rt.logs.lines.some((l) => l.includes('done work deleted') && l.includes(`"outbox":${delivered}`))).toBe(true);
    } finally {
      await serving.stop();
    }
  });

  it(`a case open longer than ${HISTORY_DAYS} days keeps its fired timers: its arbitrator snoozes the reminder that rang as before the deletion`, () => {
    // An SLA of 60 business days: its first reminder rings after 6, its second after 48.
    const policy = join(dir, 'long-sla.yaml');
    writeFileSync(policy, policyTextWith([['arbitration: 16h', 'arbitration: 480h'], ['reminders: [0.5, 0.8]', 'reminders: [0.1, 0.8]']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, `h-${Math.random()}.db`), policyPath: policy });
    const d = openArbitratedCase(rt);
    rt.clock.set('2026-12-16T14:00:00Z');
    expect(tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.map((f) => f.kind)).toEqual(['sla.reminder']);
    // Forty days on, the case still open, the server deletes what is done and older than the history kept.
    rt.clock.set('2027-01-25T15:00:00Z');
    const firedOfCase = () => count(`select count(*) as n from timers where subject = 'dispute:${d.id}' and status = 'fired'`);
    expect(firedOfCase()).toBe(1);
    pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() - HISTORY_DAYS * DAY));
    const r = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:4h`);
    expect(r.summary).toMatch(/^Reminder snoozed until/);
    expect(firedOfCase()).toBe(1);
    // Once the case is closed, its fired timers are done: deleted as any others.
    rt.store.disputes.update(d.id, { status: 'ruled' });
    rt.clock.set('2027-03-01T15:00:00Z');
    pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() - HISTORY_DAYS * DAY));
    expect(firedOfCase()).toBe(0);
  });
});
