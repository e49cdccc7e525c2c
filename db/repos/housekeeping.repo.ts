import type Database from 'better-sqlite3';
import { withBusyTimeout } from '../client.js';

/**
 * How long what is done is kept: notifications delivered or withdrawn, timers fired or cancelled, the keys
 * that make a repeated request do nothing. Each holds nothing the ledger does not record (and
 * delivered messages hold people's names): kept for a month, for looking into a problem, then
 * deleted. Parked messages and timers that failed are kept until someone acts on them, and the
 * fired timers of a case until it is closed.
 */
export const HISTORY_DAYS = 30;

export interface PruneReport {
  outbox: number;
  timers: number;
  requestKeys: number;
  /** Some kind had more to delete than one call deletes: a backlog. */
  more: boolean;
}

const PRUNE = {
  // Leased for delivery, a message's next attempt is set two minutes ahead: the time it went out, near enough.
  // A withdrawn message (what it said stopped holding before it went out) is done too.
  outbox: "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('delivered', 'withdrawn') AND next_attempt_at < ? LIMIT ?)",
  // A fired timer was due before it fired; a cancelled one is kept until its due time is as old.
  // The fired timers of a case still open are kept however old: its snooze looks for the
  // reminder that rang (see snooze), and a case may run longer than the history kept.
  timers:
    "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE status IN ('fired', 'cancelled') AND due_at < ? AND NOT (status = 'fired' AND subject IN (SELECT 'dispute:' || id FROM disputes WHERE status = 'open')) LIMIT ?)",
  requestKeys: 'DELETE FROM request_keys WHERE key IN (SELECT key FROM request_keys WHERE at < ? LIMIT ?)',
} as const;

/**
 * Deletes what is done and older than `before` (see HISTORY_DAYS), `batch` rows per statement
 * (each its own short transaction, so the write lock is never held long) and at most
 * `maxBatches` statements per table: a backlog of millions is worked off over several calls.
 */
export function pruneHistory(sqlite: Database.Database, before: Date, { batch = 500, maxBatches = 4 } = {}): PruneReport {
  const report: PruneReport = { outbox: 0, timers: 0, requestKeys: 0, more: false };
  // Never waits for the write lock (an import holding it for seconds would stall the server,
  // whose requests share this thread): busy now, it is done next time.
  withBusyTimeout(sqlite, 0, () => {
    for (const table of Object.keys(PRUNE) as (keyof typeof PRUNE)[]) {
      const st = sqlite.prepare(PRUNE[table]);
      for (let i = 0; i < maxBatches; i++) {
        const n = st.run(before.getTime(), batch).changes;
        report[table] += n;
        if (n < batch) break;
        if (i === maxBatches - 1) report.more = true;
      }
    }
  });
  return report;
}
