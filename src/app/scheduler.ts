import type { Logger } from 'pino';
import type { HandlerDeps } from '../../handlers/deps.js';
import { fireTimer } from '../../handlers/timers.js';
import type { OpenDb } from '../../db/client.js';
import { claimTimer, dueTimers, timerFailed } from '../../db/repos/timers.repo.js';

export interface TickResult {
  fired: { id: number; kind: string; subject: string }[];
  failed: { id: number; kind: string; error: string }[];
}

export const TIMER_MAX_ATTEMPTS = 5;
/** Timers fired per tick at most; a full tick is followed at once by another. */
export const TICK_BATCH = 500;

/**
 * One scheduler tick: fires every timer due at `now`, each in its own IMMEDIATE transaction
 * that claims the timer and does its work, so a timer fires once even with two processes
 * on one database file, and a crash mid-way leaves it pending for the next start. One
 * failing timer is recorded (retried later, then given up) and never stops the others.
 */
export function tick(db: OpenDb, deps: HandlerDeps, now: Date, logger: Logger, batch = TICK_BATCH): TickResult {
  const result: TickResult = { fired: [], failed: [] };
  for (const t of dueTimers(db.db, now, batch)) {
    try {
      const fired = deps.ctx.store.transaction(() => {
        if (!claimTimer(db.db, t.id, now)) return false;
        fireTimer(deps, t);
        return true;
      });
      if (fired) result.fired.push({ id: t.id, kind: t.kind, subject: t.subject });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const giveUp = t.attempts + 1 >= TIMER_MAX_ATTEMPTS;
      timerFailed(db.db, t.id, error, giveUp ? null : new Date(now.getTime() + 60_000 * 2 ** t.attempts));
      result.failed.push({ id: t.id, kind: t.kind, error });
      logger.error({ err: e, timer: t.id, kind: t.kind, subject: t.subject, gaveUp: giveUp }, 'timer failed');
    }
  }
  return result;
}

/** Ticks now (timers that fell due while the process was down fire at once), then every `intervalMs`. */
export function startScheduler(db: OpenDb, deps: HandlerDeps, now: () => Date, logger: Logger, intervalMs = 1000): { stop(): void } {
  let stopped = false;
  let first = true;
  const run = () => {
    if (stopped) return;
    let full = false;
    try {
      const r = tick(db, deps, now(), logger, TICK_BATCH);
      if (r.fired.length) logger.debug({ fired: r.fired.length }, 'timers fired');
      if (first) logger.info({ fired: r.fired.length, failed: r.failed.length }, 'scheduler: first tick done');
      // A full batch means more are due (a backlog after downtime): go on at once, letting I/O in between.
      full = r.fired.length + r.failed.length >= TICK_BATCH;
    } catch (err) {
      logger.error({ err }, 'scheduler tick failed');
    }
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
