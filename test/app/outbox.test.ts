import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { leaseForDelivery } from '../../db/repos/outbox.repo.js';
import { DeliveryError } from '../../src/core/errors.js';
import { drainOutbox, LEASE_MS, MAX_ATTEMPTS, nextAttemptDelay, startOutboxWorker, type Deliverer } from '../../src/app/outbox-worker.js';
import { FAILING_SAID_EVERY_MS, tick } from '../../src/app/scheduler.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { ROOT } from '../support/builders.js';
import { reply, text } from '../../handlers/replies/model.js';
import { consoleOrigin, openArbitratedCase, outbox } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
const dirs: string[] = [];
afterEach(() => {
  rt?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A recording deliverer that fails as told. */
function flaky(plan: ('ok' | '429' | '500' | 'auth')[]) {
  const delivered: number[] = [];
  let call = 0;
  const deliver: Deliverer = async (m) => {
    const step = plan[Math.min(call++, plan.length - 1)];
    if (step === '429') throw new DeliveryError('ratelimited', { retryAfterMs: 30_000 });
    if (step === '500') throw new DeliveryError('slack answered 500');
    if (step === 'auth') throw new DeliveryError('invalid_auth', { permanent: true });
    delivered.push(m.id);
  };
  return { deliver, delivered, calls: () => call };
}

describe('notification outbox', () => {
  it('a message whose follow-up write fails (not a busy database) is recorded delivered alone, and never sent again', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const sends: number[] = [];
    const deliver: Deliverer = async (m) => {
      sends.push(m.id);
      return () => {
        throw new Error('where it landed could not be written');
      };
    };
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(pending);
    rt.clock.advance(LEASE_MS + 60_000);
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    expect(sends).toHaveLength(pending);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
    expect(rt.logs.lines.filter((l) => l.includes('what follows from it (where it landed) could not be recorded'))).toHaveLength(pending);
  });

  it('a message sent as the disk fills (its delivery cannot be written down) is recorded once there is room again, and never sent twice, even after its lease ran out', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(pending).toBeGreaterThan(1);
    // Right after the first send, every write to the outbox fails as on a full disk, until told otherwise.
    let full = false;
    const prepare = rt.db.sqlite.prepare.bind(rt.db.sqlite);
    rt.db.sqlite.prepare = ((source: string) => {
      if (full && /^update "outbox"/i.test(source)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      return prepare(source);
    }) as typeof rt.db.sqlite.prepare;
    const sends: number[] = [];
    const followed: number[] = [];
    // Each send leaves a write to make with its record (where a thread's first post landed, say).
    const deliver: Deliverer = async (m) => {
      sends.push(m.id);
      if (sends.length === 1) full = true;
      return () => void followed.push(m.id);
    };
    const drain = () => drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger).catch(() => 0);
    await drain();
    expect(sends).toHaveLength(1);
    // The disk stays full for longer than the message's lease, then has room again.
    rt.clock.advance(LEASE_MS + 60_000);
    await drain();
    full = false;
    rt.clock.advance(LEASE_MS + 60_000);
    await drain();
    await drain();
    expect(sends).toHaveLength(pending);
    expect(new Set(sends).size).toBe(pending);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
    expect(rt.logs.lines.filter((l) => l.includes('recorded delivered now; it was not sent again'))).toHaveLength(1);
    // What followed from the first send was written with it, once there was room.
    expect(followed).toEqual(sends);
    expect(rt.logs.lines.filter((l) => l.includes('what follows from it (where it landed) could not be recorded'))).toEqual([]);
  });

  it('a message sent as the disk fills is written down as the worker stops, once there is room, so the next start does not send it again', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    let full = false;
    const prepare = rt.db.sqlite.prepare.bind(rt.db.sqlite);
    rt.db.sqlite.prepare = ((source: string) => {
      if (full && /^update "outbox"/i.test(source)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      return prepare(source);
    }) as typeof rt.db.sqlite.prepare;
    const sends: number[] = [];
    const worker = startOutboxWorker(rt.db.db, { console: async (m) => void (sends.push(m.id), (full = sends.length === 1)) }, () => rt.clock.now(), rt.logger, 3_600_000);
    await worker.kick();
    expect(sends).toHaveLength(1);
    full = false;
    await worker.stop();
    expect(outbox(rt).find((m) => m.id === sends[0])?.status).toBe('delivered');
    // After a restart, past its lease: the rest goes out, the first not again.
    rt.clock.advance(LEASE_MS + 60_000);
    await drainOutbox(rt.db.db, { console: async (m) => void sends.push(m.id) }, () => rt.clock.now(), rt.logger);
    expect(new Set(sends).size).toBe(sends.length);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
  });

  it('a worker stopped while the disk is still full says which notifications it sent and could not record', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    let full = false;
    const prepare = rt.db.sqlite.prepare.bind(rt.db.sqlite);
    rt.db.sqlite.prepare = ((source: string) => {
      if (full && /^update "outbox"/i.test(source)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      return prepare(source);
    }) as typeof rt.db.sqlite.prepare;
    const sends: number[] = [];
    const worker = startOutboxWorker(rt.db.db, { console: async (m) => void (sends.push(m.id), (full = true)) }, () => rt.clock.now(), rt.logger, 3_600_000);
    await worker.kick();
    await worker.stop();
    const said = rt.logs.lines.map((l) => JSON.parse(l) as { msg: string; outboxIds?: number[] }).filter((l) => l.msg.startsWith('outbox: notifications sent but not recorded as the bot stops'));
    expect(said.map((l) => l.outboxIds)).toEqual([sends]);
  });

  it('a message sent while another process holds the database is recorded once the lock is free, and never sent twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: path });
    openArbitratedCase(rt);
    rt.db.sqlite.pragma('busy_timeout = 50');
    const other = new Database(path);
    const sends: number[] = [];
    let locked = false;
    // Right after the first send, another connection (an import, say) takes the write lock for a while.
    const deliver: Deliverer = async (m) => {
      sends.push(m.id);
      if (!locked) {
        locked = true;
        other.exec('BEGIN IMMEDIATE');
        setTimeout(() => other.exec('COMMIT'), 300);
      }
    };
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(pending);
    rt.clock.advance(LEASE_MS + 1);
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    expect(sends).toHaveLength(pending);
    expect(new Set(sends).size).toBe(pending);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
    expect(rt.db.sqlite.prepare('select count(*) as n from outbox where attempts > 0 or last_error is not null').get()).toEqual({ n: 0 });
    other.close();
  });

  it('a failed send met by another process holding the database is recorded once the lock is let go, as a failure to retry, and the drain goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: path });
    openArbitratedCase(rt);
    // The connection keeps its own (long) wait for the lock, as the server's does.
    expect(rt.db.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    const other = new Database(path);
    const tried: number[] = [];
    // Slack fails the first message just as another connection (an import, say) takes the write lock for a while.
    const deliver: Deliverer = async (m) => {
      tried.push(m.id);
      if (tried.length > 1) return;
      other.exec('BEGIN IMMEDIATE');
      setTimeout(() => other.exec('COMMIT'), 300);
      throw new DeliveryError('Slack answered HTTP 503');
    };
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger);
    other.close();
    expect(rt.db.sqlite.prepare('select status, attempts, last_error as lastError from outbox where id = ?').get(tried[0])).toEqual({ status: 'pending', attempts: 1, lastError: 'Slack answered HTTP 503' });
    // The others went out once the lock was let go (those to the failed one's target wait behind it).
    expect(outbox(rt).filter((m) => m.status === 'delivered').length).toBe(new Set(tried.slice(1)).size);
    expect(new Set(tried).size).toBeGreaterThan(1);
    expect(pending).toBeGreaterThan(1);
    expect(rt.logs.lines.filter((l) => l.includes('outbox drain failed') || l.includes('"level":50'))).toEqual([]);
  });

  it('while another process holds the database (an import), a drain takes nothing and sends nothing, and fails nothing: the server goes on answering, and the messages go at the next drain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: path });
    openArbitratedCase(rt);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(pending).toBeGreaterThan(0);
    // The connection keeps its own (long) wait for the lock, as the server's does.
    expect(rt.db.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const sends: number[] = [];
    const deliver: Deliverer = async (m) => {
      sends.push(m.id);
    };
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    expect(sends).toEqual([]);
    other.exec('COMMIT');
    other.close();
    expect(outbox(rt).filter((m) => m.status === 'pending')).toHaveLength(pending);
    expect(await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger)).toBe(pending);
    expect(new Set(sends).size).toBe(pending);
  });

  it("a drain that fails on one platform returns only once the other platform's drain is done: never two drains of a platform at once", async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const onConsole = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(onConsole).toBeGreaterThan(1);
    rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'user', user: 'U0PAT' }, body: reply('Hello', [text('Hello')]), dedupeKey: 'slack:hello' }, rt.clock.now());
    // Taking Slack's message for delivery fails (not a busy database): that drain fails.
    rt.db.sqlite.exec("CREATE TEMP TRIGGER slack_refused BEFORE UPDATE OF status ON outbox WHEN NEW.platform = 'slack' AND NEW.status = 'sending' BEGIN SELECT RAISE(ABORT, 'slack record refused'); END");
    let sent = 0;
    const slow: Deliverer = () => new Promise((ok) => setTimeout(() => ok(void (sent += 1)), 20));
    await expect(drainOutbox(rt.db.db, { console: slow, slack: async () => {} }, () => rt.clock.now(), rt.logger)).rejects.toThrow('slack record refused');
    // By then the console's drain had finished: every message sent and recorded, none left mid-way.
    expect(sent).toBe(onConsole);
    expect(outbox(rt).filter((m) => m.status !== 'delivered').map((m) => m.status)).toEqual(['pending']);
  });

  it('a message sent as the database closes (shutdown) is not waited on: the drain stops at once', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const sqlite = rt.db.sqlite;
    const deliver: Deliverer = async () => {
      sqlite.close();
    };
    // No timer fires here (the clock of timers stands still): a drain that waited to record the
    // delivery again (as for a busy database, RECORD_RETRY_MS) would still be waiting.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      let outcome: string | undefined;
      void drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger).then(
        () => (outcome = 'drained'),
        (e: Error) => (outcome = `refused: ${e.message}`),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(outcome).toMatch(/^refused: .*not open/);
      expect(rt.logs.lines.filter((l) => l.includes('trying again'))).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stopping the worker waits for the delivery under way, so it is recorded before the database closes; the rest wait for the next start', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(pending).toBeGreaterThan(1);
    const slow: Deliverer = () => new Promise((ok) => setTimeout(ok, 50));
    const worker = startOutboxWorker(rt.db.db, { console: slow }, () => rt.clock.now(), rt.logger, 60_000);
    void worker.kick();
    await new Promise((ok) => setTimeout(ok, 20)); // the first delivery is under way
    await worker.stop();
    expect(outbox(rt).filter((m) => m.status === 'delivered')).toHaveLength(1);
    // The others were never taken: a new worker sends them at once, each once.
    const sent: number[] = [];
    expect(await drainOutbox(rt.db.db, { console: async (m) => void sent.push(m.id) }, () => rt.clock.now(), rt.logger)).toBe(pending - 1);
    expect(new Set(sent).size).toBe(pending - 1);
  });

  it('honours Retry-After on 429 and then delivers each message once', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(pending).toBeGreaterThan(0);
    const f = flaky(['429', 'ok']);
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    rt.clock.advance(29_000);
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    rt.clock.advance(1_000);
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(pending);
    expect(new Set(f.delivered).size).toBe(pending);
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
  });

  it.each([5, 60])('an outage of %i minutes parks nothing: every message goes out once it is over, with the worker draining every second', async (minutes) => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const ids = outbox(rt).map((m) => m.id);
    const over = rt.clock.now().getTime() + minutes * 60_000;
    const sent: number[] = [];
    const deliver: Deliverer = async (m) => {
      if (rt.clock.now().getTime() < over) throw new DeliveryError('Slack answered HTTP 500');
      sent.push(m.id);
    };
    for (let s = 0; s < (minutes + 15) * 60 && outbox(rt).some((m) => m.status === 'pending'); s += 1) {
      await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger);
      rt.clock.advance(1_000);
    }
    expect(outbox(rt).map((m) => m.status)).toEqual(ids.map(() => 'delivered'));
    // Each once (in order per target; targets in any order).
    expect([...sent].sort((a, b) => a - b)).toEqual(ids);
  });

  it('the platforms are drained side by side: a hung Slack never holds back what goes to Teams', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    rt.store.transaction(() => {
      for (let i = 0; i < 5; i++) rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'user', user: `U0${i}` }, body: { summary: `s${i}`, blocks: [] } as never, dedupeKey: `s${i}` }, rt.clock.now());
      rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'user', user: '29:t' }, body: { summary: 't', blocks: [] } as never, dedupeKey: 't' }, rt.clock.now());
    });
    const order: string[] = [];
    let release: () => void = () => undefined;
    const hung = new Promise<void>((ok) => (release = ok));
    // Without side-by-side draining Teams would never run: the hang ends by itself, and the order tells.
    setTimeout(() => release(), 1_000).unref();
    const slack: Deliverer = async (m) => {
      await hung;
      order.push(`slack ${m.id}`);
    };
    const teams: Deliverer = async () => {
      order.push('teams');
      release();
    };
    await drainOutbox(rt.db.db, { slack, teams }, () => rt.clock.now(), rt.logger);
    expect(order[0]).toBe('teams');
    expect(order).toHaveLength(6);
  });

  it('an outage delays notifications but loses none; one that keeps failing is parked, listed and retried', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-'));
    dirs.push(dir);
    const db = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt);
    const ids = outbox(rt).map((m) => m.id);
    const down = flaky(['500']);
    // Order per target: a thread's later message starts its attempts once the earlier one is parked.
    for (let i = 0; i < MAX_ATTEMPTS * ids.length && outbox(rt).some((m) => m.status === 'pending'); i++) {
      await drainOutbox(rt.db.db, { console: down.deliver }, () => rt.clock.now(), rt.logger);
      rt.clock.advance(nextAttemptDelay(MAX_ATTEMPTS) + 1);
    }
    expect(outbox(rt).map((m) => m.status)).toEqual(ids.map(() => 'parked'));
    expect(rt.logs.lines.filter((l) => l.includes('notification not delivered')).length).toBe(ids.length * MAX_ATTEMPTS);
    // The line that parks a message says so, and how to send it again; the tries before it do not.
    const parkedLines = rt.logs.lines.filter((l) => l.includes('"parked":true'));
    expect(parkedLines.map((l) => (JSON.parse(l) as { msg: string }).msg).sort()).toEqual(ids.map((id) => `notification not delivered, and parked: it is not tried again until \`roe outbox retry ${id}\` (or --all) once its cause is put right`).sort());
    expect(rt.logs.lines.filter((l) => l.includes('"parked":false') && l.includes('roe outbox retry'))).toEqual([]);

    const roe = (args: string[]) => spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' } });
    const list = roe(['outbox']);
    expect(list.stdout).toContain(`#${ids[0]} parked`);
    expect(list.stdout).toContain('last error: slack answered 500');
    expect(roe(['outbox', 'retry', '--all']).stdout).toContain(`${ids.length} messages back in the queue`);

    rt.close();
    rt = testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, demo: false });
    const up = flaky(['ok']);
    expect(await drainOutbox(rt.db.db, { console: up.deliver }, () => rt.clock.now(), rt.logger)).toBe(ids.length);
    expect([...up.delivered].sort((a, b) => a - b)).toEqual(ids);
    expect(roe(['outbox']).stdout).toContain('outbox empty');
  });

  it('a permanent failure is parked at once', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    await drainOutbox(rt.db.db, { console: flaky(['auth']).deliver }, () => rt.clock.now(), rt.logger);
    expect(outbox(rt).every((m) => m.status === 'parked')).toBe(true);
  });

  it('backoff grows, is capped, and a longer Retry-After wins, up to just under an hour', () => {
    expect([0, 1, 2, 10].map((a) => nextAttemptDelay(a))).toEqual([2_000, 4_000, 8_000, 600_000]);
    expect(nextAttemptDelay(0, 45_000)).toBe(45_000);
    expect(nextAttemptDelay(0, 86_400_000)).toBe(3_540_000);
  });

  it('after the clock is set back, a message another process is sending is not taken from it (it would go out twice)', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const first = outbox(rt)[0]!;
    // Another worker leased it for two minutes, and is sending it; then the clock is set back 3 hours.
    rt.db.sqlite.prepare("update outbox set status = 'sending', next_attempt_at = ? where id = ?").run(Date.parse('2026-12-07T14:02:00Z'), first.id);
    rt.clock.set('2026-12-07T11:00:00Z');
    const sent: number[] = [];
    await drainOutbox(rt.db.db, { console: async (m) => void sent.push(m.id) }, () => rt.clock.now(), rt.logger);
    expect(sent).not.toContain(first.id);
  });

  it('after the clock is set back, a rate limit still holds the whole queue', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    openArbitratedCase(rt, 'initech');
    rt.clock.set('2026-12-07T11:00:00Z');
    let calls = 0;
    const throttled: Deliverer = async () => {
      calls++;
      throw new DeliveryError('ratelimited', { retryAfterMs: 30_000, throttled: true });
    };
    for (let i = 0; i < 6; i++) await drainOutbox(rt.db.db, { console: throttled }, () => rt.clock.now(), rt.logger);
    expect(calls).toBe(1);
  });

  it('a clock set back (a host clock corrected, a VM restored) does not hold queued notifications for as long', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    // A failure holds the messages a few seconds; a Retry-After of a day holds them less than an hour.
    const f = flaky(['500', 'ok']);
    await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    expect(pending).toBeGreaterThan(0);
    // Set back by 20 minutes, the clock holds them 20 minutes more: their retry time is still ahead.
    rt.clock.set('2026-12-07T13:40:00Z');
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(0);
    // Set back by 3 hours: further ahead than any hold, so they are due now.
    rt.clock.set('2026-12-07T11:00:00Z');
    expect(await drainOutbox(rt.db.db, { console: f.deliver }, () => rt.clock.now(), rt.logger)).toBe(pending);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
  });
});

describe('outbox: a warning overtaken before it went out', () => {
  it('a dormancy warning a sender died with is not sent once activity is logged on its claim: neither the restart nor its lease running out brings it back; the rest goes out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-warning-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: path });
    const file = (account: string) => {
      submitClaim(rt.deps, as.partner(rt, 'northwind'), { account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      return rt.store.claims.all().at(-1)!;
    };
    const renewed = file('soylent');
    const other = file('acme-analytics');
    expect([renewed.status, other.status]).toEqual(['protected', 'protected']);
    await drainOutbox(rt.db.db, { console: async () => undefined }, () => rt.clock.now(), rt.logger);
    // Both warnings fall due (dormancy on Jan 6) and are queued.
    rt.clock.set('2027-01-01T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const warning = outbox(rt).find((m) => m.status === 'pending' && m.summary.startsWith(`Claim #${renewed.id} on Soylent Corp goes dormant`))!;
    expect(warning).toBeDefined();
    // A sender takes it, and its process dies before the platform answers.
    expect(leaseForDelivery(rt.db.db, warning.id, rt.clock.now(), new Date(rt.clock.now().getTime() + LEASE_MS))).toBe(true);
    rt.close();
    rt = testRuntime({ at: '2027-01-01T15:01:00Z', databasePath: path, demo: false });
    // Back up, the partner logs activity: the claim goes dormant on Jan 31 now, not on Jan 6.
    logClaimActivity(rt.deps, as.partner(rt, 'northwind'), renewed.id);
    rt.clock.advance(LEASE_MS + 60_000);
    const told: string[] = [];
    await drainOutbox(rt.db.db, { console: async (m) => void told.push((m.body as { summary: string }).summary) }, () => rt.clock.now(), rt.logger);
    expect(told.filter((t) => t.startsWith(`Claim #${renewed.id} `))).toEqual([]);
    expect(told.filter((t) => t.startsWith(`Claim #${other.id} on Acme Analytics GmbH goes dormant`))).toHaveLength(1);
    expect(outbox(rt).find((m) => m.id === warning.id)!.status).toBe('withdrawn');
    expect(outbox(rt).filter((m) => m.status !== 'delivered' && m.status !== 'withdrawn')).toEqual([]);
  });
});

describe('outbox: a message withdrawn while it is being sent', () => {
  it('whose send then fails is not retried, and the log says it was withdrawn, not that its lease ran out', async () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const claim = rt.store.claims.all().at(-1)!;
    await drainOutbox(rt.db.db, { console: async () => undefined }, () => rt.clock.now(), rt.logger);
    rt.clock.set('2027-01-01T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const warning = outbox(rt).find((m) => m.status === 'pending' && m.summary.startsWith(`Claim #${claim.id} on Soylent Corp goes dormant`))!;
    expect(warning).toBeDefined();
    const before = rt.logs.lines.length;
    // While the platform has it, the partner logs activity (withdrawing it); then the platform fails.
    const deliver: Deliverer = async (m) => {
      if (m.id === warning.id) {
        logClaimActivity(rt.deps, as.partner(rt, 'northwind'), claim.id);
        throw new DeliveryError('slack answered 500');
      }
    };
    await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger);
    const lines = rt.logs.lines.slice(before).join('\n');
    expect(lines).toContain('notification not delivered, and withdrawn meanwhile (what it said no longer holds): not retried');
    expect(lines).not.toContain('its lease ran out meanwhile');
    expect(outbox(rt).find((m) => m.id === warning.id)!.status).toBe('withdrawn');
  });
});

describe('outbox: a warning of a claim that closed before it went out', () => {
  it('a dormancy warning still queued when the criteria settle a case against its claim is not sent; the rest goes out, and its Log activity button says the case went against it', async () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    const file = (partner: string, account: string) => {
      submitClaim(rt.deps, as.partner(rt, partner), { account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      return rt.store.claims.all().at(-1)!;
    };
    const lost = file('contoso', 'acme-analytics');
    const other = file('contoso', 'soylent');
    expect([lost.status, other.status]).toEqual(['protected', 'protected']);
    await drainOutbox(rt.db.db, { console: async () => undefined }, () => rt.clock.now(), rt.logger);
    // Both warnings fall due (dormancy on Jan 6) and are queued; the platform does not take them yet.
    rt.clock.set('2027-01-01T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(outbox(rt).filter((m) => m.status === 'pending' && m.summary.startsWith(`Claim #${lost.id} on Acme Analytics GmbH goes dormant`))).toHaveLength(1);
    // The CRM names Northwind the account's owner, and Northwind files there: the criteria give it the line at once.
    rt.clock.set('2027-01-01T16:00:00Z');
    importCsv(rt.ctx, 'accounts', 'accounts.csv', 'id,name,named_owner\nacme-analytics,Acme Analytics GmbH,northwind\n');
    file('northwind', 'acme-analytics');
    const dispute = rt.store.disputes.all().at(-1)!;
    expect([dispute.status, dispute.winner, dispute.claimIds.includes(lost.id), rt.store.claims.get(lost.id)!.status]).toEqual(['settled', 'northwind', true, 'rejected']);
    const told: string[] = [];
    await drainOutbox(rt.db.db, { console: async (m) => void told.push((m.body as { summary: string }).summary) }, () => rt.clock.now(), rt.logger);
    // Contoso would read "goes dormant on Jan 6 unless you log activity" about a claim that lost.
    expect(told.filter((t) => t.startsWith(`Claim #${lost.id} `))).toEqual([]);
    expect(told.filter((t) => t.startsWith(`Claim #${other.id} on Soylent Corp goes dormant`))).toHaveLength(1);
    expect(outbox(rt).filter((m) => m.status !== 'delivered' && m.status !== 'withdrawn')).toEqual([]);
    // A warning that did reach them: its button says what happened.
    expect(() => logClaimActivity(rt.deps, as.partner(rt, 'contoso'), lost.id)).toThrow(`Claim #${lost.id} lost dispute #${dispute.id}, which the criteria settled; there is nothing to log activity on.`);
  });
});

/** Two runtimes on one database file (two servers), whose outbox holds one message: a case's first. */
function twoServersOnOneMessage(prefix: string): { a: TestRuntime; b: TestRuntime } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  const db = join(dir, 'roe.db');
  const seed = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
  openArbitratedCase(seed);
  seed.db.sqlite.exec('delete from outbox where id <> (select min(id) from outbox)');
  seed.close();
  return { a: testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db, demo: false }), b: testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db, demo: false }) };
}

describe('outbox: several workers, and order', () => {
  it('a sender whose lease ran out, and whose send then fails, leaves the message to the worker that took it over: delivered stays delivered', async () => {
    const { a, b } = twoServersOnOneMessage('roe-outbox-lease-');
    try {
      const sends: string[] = [];
      let release!: () => void;
      const answered = new Promise<void>((ok) => (release = ok));
      let started!: () => void;
      const sending = new Promise<void>((ok) => (started = ok));
      // A's call hangs, then fails (no answer from Slack in time: it may or may not have taken it).
      const slowA: Deliverer = async (m) => {
        sends.push(`A:${m.id}`);
        started();
        await answered;
        throw new DeliveryError('no answer from Slack within 30 s');
      };
      const fastB: Deliverer = async (m) => void sends.push(`B:${m.id}`);
      const status = () => a.db.sqlite.prepare('select status from outbox').pluck().get() as string;
      const drainA = drainOutbox(a.db.db, { console: slowA }, () => a.clock.now(), a.logger);
      await sending;
      // Past A's lease, B takes the message over and delivers it.
      b.clock.advance(LEASE_MS + 60_000);
      await drainOutbox(b.db.db, { console: fastB }, () => b.clock.now(), b.logger);
      expect(status()).toBe('delivered');
      release();
      await drainA;
      expect(status()).toBe('delivered');
      b.clock.advance(10 * 60_000);
      await drainOutbox(b.db.db, { console: fastB }, () => b.clock.now(), b.logger);
      expect(sends.map((x) => x.split(':')[0])).toEqual(['A', 'B']);
      expect(a.logs.lines.filter((l) => l.includes('its lease ran out meanwhile'))).toHaveLength(1);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a delivery that takes longer than the lease keeps its message: its lease is renewed, and a second worker on the database never sends it again', async () => {
    const { a, b } = twoServersOnOneMessage('roe-outbox-renew-');
    // One clock for both (two servers on one host); a lease of a minute, renewed every 10 ms of real time.
    const now = () => a.clock.now();
    const lease = { leaseMs: 60_000, renewEveryMs: 10 };
    try {
      const sends: string[] = [];
      const fastB: Deliverer = async (m) => void sends.push(`B:${m.id}`);
      const taken: number[] = [];
      // A's delivery takes two and a half minutes (several slow calls): B drains every 30 s meanwhile.
      const slowA: Deliverer = async (m) => {
        for (let i = 0; i < 5; i++) {
          a.clock.advance(30_000);
          // Long enough for a renewal to come round first (its timer is due before this one).
          await new Promise((ok) => setTimeout(ok, 30));
          taken.push(await drainOutbox(b.db.db, { console: fastB }, now, b.logger, undefined, undefined, lease));
        }
        sends.push(`A:${m.id}`);
      };
      expect(await drainOutbox(a.db.db, { console: slowA }, now, a.logger, undefined, undefined, lease)).toBe(1);
      expect(taken).toEqual([0, 0, 0, 0, 0]);
      a.clock.advance(10 * 60_000);
      expect(await drainOutbox(b.db.db, { console: fastB }, now, b.logger, undefined, undefined, lease)).toBe(0);
      expect(sends.map((x) => x.split(':')[0])).toEqual(['A']);
      expect(a.db.sqlite.prepare('select status from outbox').pluck().get()).toBe('delivered');
      expect(a.logs.lines.filter((l) => l.includes('lease ran out'))).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('a delivery that fails after its lease was renewed is recorded as a failure and retried, not left to a takeover', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    rt.db.sqlite.exec('delete from outbox where id <> (select min(id) from outbox)');
    const lease = { leaseMs: 60_000, renewEveryMs: 10 };
    const slowFailing: Deliverer = async () => {
      rt.clock.advance(90_000);
      await new Promise((ok) => setTimeout(ok, 30));
      throw new DeliveryError('slack answered 500');
    };
    expect(await drainOutbox(rt.db.db, { console: slowFailing }, () => rt.clock.now(), rt.logger, undefined, undefined, lease)).toBe(0);
    const row = rt.db.sqlite.prepare('select status, attempts, last_error as lastError from outbox').get();
    expect(row).toEqual({ status: 'pending', attempts: 1, lastError: 'slack answered 500' });
    expect(rt.logs.lines.filter((l) => l.includes('its lease ran out meanwhile'))).toEqual([]);
    rt.clock.advance(nextAttemptDelay(0) + 1);
    const sent: number[] = [];
    expect(await drainOutbox(rt.db.db, { console: async (m) => void sent.push(m.id) }, () => rt.clock.now(), rt.logger)).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('two workers on one database file deliver each message once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-outbox2-'));
    dirs.push(dir);
    const db = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt);
    const other = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db, demo: false });
    const seen: number[] = [];
    const slow: Deliverer = async (m) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(m.id);
    };
    await Promise.all([drainOutbox(rt.db.db, { console: slow }, () => rt.clock.now(), rt.logger), drainOutbox(other.db.db, { console: slow }, () => other.clock.now(), other.logger)]);
    other.close();
    expect(seen.length).toBe(outbox(rt).length);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('a message that fails holds back later messages to the same target, not others', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const rows = outbox(rt);
    const thread = rows.filter((m) => m.target.includes('dispute-thread'));
    expect(thread.length).toBeGreaterThanOrEqual(2);
    const order: number[] = [];
    let failedOnce = false;
    const deliver: Deliverer = async (m) => {
      if (m.id === thread[0]!.id && !failedOnce) {
        failedOnce = true;
        throw new DeliveryError('slack answered 500');
      }
      order.push(m.id);
    };
    await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger);
    expect(order).not.toContain(thread[1]!.id);
    expect(order.length).toBe(rows.length - thread.length);
    rt.clock.advance(nextAttemptDelay(0) + 1);
    await drainOutbox(rt.db.db, { console: deliver }, () => rt.clock.now(), rt.logger);
    const threadOrder = order.filter((id) => thread.some((t) => t.id === id));
    expect(threadOrder).toEqual(thread.map((t) => t.id));
  });
});

describe('what the logs say while drains fail (a full disk, not a busy lock)', () => {
  it('the worker says it once as it starts, then every few minutes with how many drains failed, and once as drains succeed again; nothing is lost meanwhile', async () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    openArbitratedCase(rt);
    const pending = outbox(rt).filter((m) => m.status === 'pending').length;
    const lines = (text: string) => rt.logs.lines.filter((l) => l.includes(text));
    // Every write to the outbox fails as on a full disk (taking a message for delivery is one), until told otherwise.
    let full = true;
    const prepare = rt.db.sqlite.prepare.bind(rt.db.sqlite);
    rt.db.sqlite.prepare = ((source: string) => {
      if (full && /^update "outbox"/i.test(source)) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      return prepare(source);
    }) as typeof rt.db.sqlite.prepare;
    const sends: number[] = [];
    const worker = startOutboxWorker(rt.db.db, { console: async (m) => void sends.push(m.id) }, () => rt.clock.now(), rt.logger, 3_600_000);
    try {
      // A drain every half second for five minutes, then as long again.
      for (let i = 0; i < 20; i++) await worker.kick();
      rt.clock.advance(FAILING_SAID_EVERY_MS);
      for (let i = 0; i < 20; i++) await worker.kick();
      expect(sends).toEqual([]);
      const started = lines('outbox: drains fail;');
      expect(started).toHaveLength(1);
      expect(started[0]).toContain('database or disk is full');
      const still = lines('outbox: drains still fail');
      expect(still.map((l) => (JSON.parse(l) as { failedDrains: number }).failedDrains)).toEqual([21]);
      full = false;
      await worker.kick();
      const over = lines('outbox: drains succeed again');
      expect(over).toHaveLength(1);
      expect((JSON.parse(over[0]!) as { failedDrains: number }).failedDrains).toBe(40);
      expect(lines('"level":50')).toHaveLength(2);
    } finally {
      await worker.stop();
    }
    expect(sends).toHaveLength(pending);
    expect(outbox(rt).every((m) => m.status === 'delivered')).toBe(true);
  });
});
