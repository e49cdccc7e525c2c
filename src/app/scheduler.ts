import type { Logger } from 'pino';
import type { HandlerDeps, OperatorAlert } from '../../handlers/deps.js';
import { fireTimer } from '../../handlers/timers.js';
import { checkpointPassive, isBusy, withBusyTimeout, type OpenDb } from '../../db/client.js';
import { claimTimer, dueTimers, MAX_RETRY_HOLD_MS, timerFailed } from '../../db/repos/timers.repo.js';

export interface TickResult {
  fired: { id: number; kind: string; subject: string }[];
  failed: { id: number; kind: string; error: string }[];
  /** Timers due left pending because another process held the write lock (0: it was not held). */
  busy: number;
  /** Whether a group of timers was written: the write lock was free. */
  wrote: boolean;
  /**
   * Why a group of timers could not be written, the database not busy but failing (a full disk,
   * a damaged row), and how many timers due it left pending. Not logged here: the caller says
   * it (startScheduler once as it starts, then every few minutes while it lasts).
   */
  error?: { err: unknown; timers: number };
}

export const TIMER_MAX_ATTEMPTS = 5;

/**
 * How long a timer that failed `attempts` times before waits to be tried again: a minute, doubled
 * each time, up to just under an hour (MAX_RETRY_HOLD_MS: a retry held longer counts as held by
 * a clock set back).
 */
export function timerRetryDelay(attempts: number): number {
  return Math.min(60_000 * 2 ** attempts, MAX_RETRY_HOLD_MS - 60_000);
}

/** Timers fired per tick at most; a full tick is followed at once by another. */
export const TICK_BATCH = 500;

/** Timers fired under one transaction at most, and for how long it may hold the write lock. */
export const GROUP_SIZE = 100;
const GROUP_MS = 25;
/**
 * How long a tick waits for a write lock another process holds (an import may hold it for
 * seconds): its timers then stay pending for the next tick, and the HTTP requests this thread
 * also answers are never stalled for long.
 */
const TICK_BUSY_MS = 50;

/**
 * One scheduler tick: fires every timer due at `now`. Timers fire in groups, one IMMEDIATE
 * transaction per group (at most {@link GROUP_SIZE} timers or ~25 ms, so the write lock is
 * never held long), and each timer under its own savepoint inside it: claiming the timer and
 * doing its work (state, ledger, notifications) commit together or not at all. So a timer
 * fires once even with two processes on one database file; a crash mid-way leaves the whole
 * group pending for the next start, with nothing of it written. One failing timer is rolled
 * back alone, recorded (retried later, then given up) and never stops the others.
 */
export function tick(db: OpenDb, deps: HandlerDeps, now: Date, logger: Logger, batch = TICK_BATCH): TickResult {
  const result: TickResult = { fired: [], failed: [], busy: 0, wrote: false };
  const due = dueTimers(db.db, now, batch);
  for (let next = 0; next < due.length; ) {
    const from = next;
    const fired: TickResult['fired'] = [];
    const failed: (TickResult['failed'][number] & { err: unknown; subject: string; gaveUp: boolean })[] = [];
    // What the timers' work has the operator told (see HandlerDeps.alert): logged once the group commits.
    const alerts: OperatorAlert[] = [];
    try {
      // No user asked for this write: refused as busy, it is reported here (see startScheduler), never as a user's.
      withBusyTimeout(db.sqlite, TICK_BUSY_MS, () => deps.ctx.store.transaction(() => {
        const started = performance.now();
        for (next = from; next < due.length && next - from < GROUP_SIZE && performance.now() - started < GROUP_MS; next++) {
          const t = due[next]!;
          // As claimed under the write lock: the list was read before it (another process may have failed the timer since).
          let attempts = t.attempts;
          const said: OperatorAlert[] = [];
          try {
            // Nested: a savepoint, undone alone when this timer fails.
            const mine = deps.ctx.store.transaction(() => {
              const claimed = claimTimer(db.db, t.id, now);
              if (claimed === null) return false;
              attempts = claimed;
              fireTimer({ ...deps, alert: (a) => said.push(a) }, t);
              return true;
            });
            if (mine) {
              fired.push({ id: t.id, kind: t.kind, subject: t.subject });
              alerts.push(...said);
            }
          } catch (e) {
            const error = e instanceof Error ? e.message : String(e);
            const gaveUp = attempts + 1 >= TIMER_MAX_ATTEMPTS;
            timerFailed(db.db, t.id, error, gaveUp ? null : new Date(now.getTime() + timerRetryDelay(attempts)));
            failed.push({ id: t.id, kind: t.kind, error, err: e, subject: t.subject, gaveUp });
          }
        }
      }, { background: true }));
    } catch (err) {
      // The group did not commit (the database is busy or failing): its timers stay pending for the next tick.
      // Either way the scheduler says so as it starts and as it ends (see startScheduler), not at every tick.
      if (isBusy(err)) result.busy = due.length - from;
      else result.error = { err, timers: due.length - from };
      break;
    }
    result.wrote = true;
    result.fired.push(...fired);
    for (const f of failed) {
      result.failed.push({ id: f.id, kind: f.kind, error: f.error });
      logger.error({ err: f.err, timer: f.id, kind: f.kind, subject: f.subject, gaveUp: f.gaveUp }, 'timer failed');
    }
    for (const a of alerts) logger[a.level](a.fields, a.message);
  }
  return result;
}

/** While ticks (or checkpoints) keep failing, how often the scheduler says so again (once as it starts, once as it ends). */
export const FAILING_SAID_EVERY_MS = 5 * 60_000;

/**
 * What the scheduler (and the outbox worker) says of a failure that repeats at every tick (a full disk, a damaged row):
 * once as it starts (with the error), then at most every FAILING_SAID_EVERY_MS while it lasts
 * (how many times it failed since it started, as `counted`, and the latest error), and once as
 * it succeeds again; never once a second for as long as it lasts.
 */
export function failureReport(logger: Logger, what: { failing: string; still: string; over: string; counted: string; level: 'error' | 'warn' }) {
  let since: Date | null = null;
  let saidAt = 0;
  let failed = 0;
  return {
    failed(at: Date, err: unknown, fields: Record<string, unknown> = {}): void {
      failed += 1;
      if (since === null) {
        since = at;
        saidAt = at.getTime();
        logger[what.level]({ err, ...fields }, what.failing);
        return;
      }
      // A clock set back (before the last time it was said) says it again rather than waiting for the clock to catch up.
      if (at.getTime() - saidAt >= FAILING_SAID_EVERY_MS || at.getTime() < saidAt) {
        saidAt = at.getTime();
        logger[what.level]({ err, [what.counted]: failed, since, ...fields }, what.still);
      }
    },
    succeeded(): void {
      if (since === null) return;
      logger.info({ [what.counted]: failed, since }, what.over);
      since = null;
      failed = 0;
    },
  };
}

/**
 * What the scheduler says of checkpoints that fail (a full disk, a read-only file): a warning
 * once as they start failing, again every few minutes while they do, and once as one succeeds.
 */
function checkpointReport(logger: Logger) {
  return failureReport(logger, {
    failing: `scheduler: the WAL could not be checkpointed; SQLite will do it later by itself (said again every ${FAILING_SAID_EVERY_MS / 60_000} minutes while it lasts, and once when checkpoints succeed again)`,
    still: 'scheduler: the WAL still cannot be checkpointed; SQLite will do it later by itself',
    over: 'scheduler: the WAL is checkpointed again',
    counted: 'failedCheckpoints',
    level: 'warn',
  });
}

/**
 * A passive checkpoint ({@link checkpointPassive}) after each tick keeps the WAL short: the
 * checkpoint SQLite runs by itself (every 8,192 pages) then rarely falls inside a user's
 * transaction, where it would hold that request up for tens of milliseconds. One that fails is
 * said as {@link checkpointReport} says; one that finds another connection checkpointing (busy)
 * is no failure, and says nothing of whether a failure is over.
 */
function checkpointQuietly(db: OpenDb, at: Date, report: ReturnType<typeof checkpointReport>): void {
  let busy: boolean;
  try {
    busy = checkpointPassive(db.sqlite);
  } catch (err) {
    report.failed(at, err);
    return;
  }
  if (!busy) report.succeeded();
}

/**
 * Ticks now (timers that fell due while the process was down fire at once), then every `intervalMs`; after each tick, a quiet checkpoint.
 * While another process holds the write lock (an import), it says so once as the timers due start
 * waiting for it, and once as they are written again. A tick that fails otherwise (a full disk, a
 * damaged row) is said once as it starts, every few minutes while it lasts, and once as it ends;
 * so is a checkpoint that fails.
 */
export function startScheduler(db: OpenDb, deps: HandlerDeps, now: () => Date, logger: Logger, intervalMs = 1000): { stop(): void } {
  let stopped = false;
  let first = true;
  let waiting = false;
  const failing = failureReport(logger, {
    failing: `scheduler: ticks fail; the timers due stay pending (said again every ${FAILING_SAID_EVERY_MS / 60_000} minutes while it lasts, and once when ticks succeed again)`,
    still: 'scheduler: ticks still fail; the timers due stay pending',
    over: 'scheduler: ticks succeed again; the timers due that waited fire now',
    counted: 'failedTicks',
    level: 'error',
  });
  const checkpointing = checkpointReport(logger);
  const run = () => {
    if (stopped) return;
    let full = false;
    const at = now();
    try {
      const r = tick(db, deps, at, logger, TICK_BATCH);
      if (r.error) failing.failed(at, r.error.err, { timers: r.error.timers });
      // A busy tick neither fails nor succeeds: the lock held says nothing of whether the failure is over.
      else if (r.busy === 0) failing.succeeded();
      if (r.busy > 0 && !waiting) {
        waiting = true;
        logger.info({ timers: r.busy }, 'scheduler: another process holds the database write lock (an import?); the timers due wait until it is let go');
      } else if (r.wrote && waiting) {
        waiting = false;
        logger.info({ fired: r.fired.length, failed: r.failed.length }, 'scheduler: the database write lock is free again; the timers due that waited fire now');
      }
      if (r.fired.length) logger.debug({ fired: r.fired.length }, 'timers fired');
      if (first) logger.info({ fired: r.fired.length, failed: r.failed.length }, 'scheduler: first tick done');
      // A full batch means more are due (a backlog after downtime): go on at once, letting I/O in between.
      full = r.fired.length + r.failed.length >= TICK_BATCH;
    } catch (err) {
      // Its timers due could not even be read (a damaged row, a disk error).
      failing.failed(at, err);
    }
    if (!full) checkpointQuietly(db, at, checkpointing);
    first = false;
    if (full) setImmediate(run);
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
