import { and, asc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import type { OutboxMessage } from '../../src/core/ports.js';
import { sqliteOf, withBusyTimeout, type Db } from '../client.js';
import { outbox } from '../schema.js';

/**
 * The longest a message is ever held back (a backoff, a delivery lease, a Retry-After: each is
 * capped below this). One held for longer was held from a clock since set back (a host's clock
 * corrected, a VM restored): it is due now rather than hours from now.
 */
export const MAX_HOLD_MS = 3_600_000;

/**
 * Due at `now`: its time has come, or, waiting to be tried again, it lies further ahead than
 * any hold (see MAX_HOLD_MS). A message being sent is never taken early: another process may be
 * sending it right now, and it would go out twice (one whose sender died, under a clock set back
 * meanwhile, waits longer instead).
 */
const dueAt = (now: Date) => or(lte(outbox.nextAttemptAt, now), and(eq(outbox.status, 'pending'), heldByClockSetBack(now)));

/** Held for longer than any hold: a clock set back since (see MAX_HOLD_MS). */
const heldByClockSetBack = (now: Date) => gt(outbox.nextAttemptAt, new Date(now.getTime() + MAX_HOLD_MS));

export interface PendingMessage extends OutboxMessage {
  id: number;
  attempts: number;
}

/**
 * Messages due for delivery on one platform, oldest first: pending ones, and ones whose
 * delivery lease ran out (a process died while sending). A message waits while an older one
 * to the same target is undelivered, so a thread's announcement always comes first.
 */
export function dueMessages(db: Db, platform: OutboxMessage['platform'], now: Date, limit = 50): PendingMessage[] {
  return dueQuery(db, platform, now, limit)
    .all()
    .map((r) => ({ id: r.id, platform: r.platform as OutboxMessage['platform'], target: r.target as OutboxMessage['target'], body: r.body, dedupeKey: r.dedupeKey, attempts: r.attempts }));
}

/**
 * The query of {@link dueMessages}, not yet run. The message first in line for each target is
 * found once for all of them (the least id of those undelivered, grouped by target), not by
 * searching the others for every waiting message: after a platform was down, a backlog of
 * thousands would be read thousands of times at every drain, holding up every request meanwhile.
 */
export function dueQuery(db: Db, platform: OutboxMessage['platform'], now: Date, limit: number) {
  const firstOfTarget = db
    .select({ id: sql`min(${outbox.id})` })
    .from(outbox)
    .where(and(eq(outbox.platform, platform), inArray(outbox.status, ['pending', 'sending'])))
    .groupBy(outbox.target);
  return db
    .select()
    .from(outbox)
    .where(and(inArray(outbox.id, firstOfTarget), dueAt(now)))
    .orderBy(asc(outbox.id))
    .limit(limit);
}

/**
 * Takes a message for delivery until `leaseUntil`: true for exactly one caller, so two
 * processes on one database never send it twice. A lease that runs out (the process died
 * mid-send) makes the message due again.
 */
export function leaseForDelivery(db: Db, id: number, now: Date, leaseUntil: Date): boolean {
  // Taken beside requests, as a renewal is: another process's write lock (an import) is waited
  // for briefly, then the drain stops (busy) and the message waits for the next one, rather than
  // the server answering nobody for the connection's 5 seconds at every drain.
  return withBusyTimeout(sqliteOf(db), RENEW_BUSY_MS, () =>
    db
      .update(outbox)
      .set({ status: 'sending', nextAttemptAt: leaseUntil })
      .where(and(eq(outbox.id, id), inArray(outbox.status, ['pending', 'sending']), dueAt(now)))
      .run().changes === 1,
  );
}

/** How long taking a lease, or renewing it, waits for a write lock another process holds (see renewLease). */
export const RENEW_BUSY_MS = 50;

/**
 * Extends the lease of a message its sender is still working on, from `lease` (the one it holds)
 * to `leaseUntil`: false when the lease is no longer this sender's (the message was withdrawn,
 * deleted or delivered meanwhile, or another process took it over), and nothing is written.
 */
export function renewLease(db: Db, id: number, lease: Date, leaseUntil: Date): boolean {
  // A renewal runs beside requests: it waits for another process's write lock only briefly (a
  // lease renewed every quarter of it can miss a few), never the connection's 5 seconds.
  const sqlite = sqliteOf(db);
  return withBusyTimeout(sqlite, RENEW_BUSY_MS, () =>
    db
      .update(outbox)
      .set({ nextAttemptAt: leaseUntil })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.nextAttemptAt, lease)))
      .run().changes === 1,
  );
}

/** Whether the message is still there to mark (`roe forget` deletes one to a person it forgets, even while it is being sent). */
export function markDelivered(db: Db, id: number, at: Date): boolean {
  return db.update(outbox).set({ status: 'delivered', deliveredAt: at }).where(eq(outbox.id, id)).run().changes === 1;
}

/**
 * Whether the message is still addressed to `target`: `roe forget` rewrites the target of a
 * message it keeps that names the person it forgets (the one a channel post goes to by DM).
 */
export function addressedAs(db: Db, id: number, target: OutboxMessage['target']): boolean {
  const row = db.select({ target: outbox.target }).from(outbox).where(eq(outbox.id, id)).get();
  return row !== undefined && JSON.stringify(row.target) === JSON.stringify(target);
}

/** The message's status now (`withdrawn`, `sending`, …), or null when it is gone (deleted by `roe forget`). */
export function statusOf(db: Db, id: number): string | null {
  return db.select({ status: outbox.status }).from(outbox).where(eq(outbox.id, id)).get()?.status ?? null;
}

/**
 * A failed attempt under the lease `lease` (the `leaseUntil` it was taken with): retried at
 * `retryAt`, or parked after too many attempts. Nothing is written when the lease is no longer
 * this sender's (it ran out, and another process took the message and may have sent it):
 * the message is theirs, and marking it pending again would send it once more.
 */
export function markFailed(db: Db, id: number, error: string, retryAt: Date | null, lease: Date): boolean {
  const mine = and(eq(outbox.id, id), eq(outbox.status, 'sending'), eq(outbox.nextAttemptAt, lease));
  return (
    db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 500), ...(retryAt ? { status: 'pending', nextAttemptAt: retryAt } : { status: 'parked' }) })
      .where(mine)
      .run().changes === 1
  );
}

export interface OutboxRow {
  id: number;
  platform: string;
  target: unknown;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  summary: string;
}

/** Messages not yet delivered (pending and parked), oldest first. */
export function undelivered(db: Db): OutboxRow[] {
  return db
    .select()
    .from(outbox)
    .where(inArray(outbox.status, ['pending', 'sending', 'parked']))
    .orderBy(asc(outbox.id))
    .all()
    .map((r) => ({ id: r.id, platform: r.platform, target: r.target, status: r.status, attempts: r.attempts, lastError: r.lastError, createdAt: r.createdAt, nextAttemptAt: r.nextAttemptAt, summary: String((r.body as { summary?: unknown } | null)?.summary ?? '') }));
}

/** Puts parked messages (one, or all when id is null) back in the queue; returns how many. */
export function retryParked(db: Db, id: number | null, at: Date): number {
  const where = id === null ? eq(outbox.status, 'parked') : and(eq(outbox.status, 'parked'), eq(outbox.id, id));
  return db.update(outbox).set({ status: 'pending', attempts: 0, nextAttemptAt: at }).where(where).run().changes;
}

/** A rate limit holds a platform's whole queue: nothing pending is tried before `until` (also what a clock set back made due: see MAX_HOLD_MS). */
export function postponePlatform(db: Db, platform: string, now: Date, until: Date): void {
  db.update(outbox)
    .set({ nextAttemptAt: until })
    .where(and(eq(outbox.platform, platform), eq(outbox.status, 'pending'), or(lte(outbox.nextAttemptAt, until), heldByClockSetBack(now))))
    .run();
}

/**
 * What a server starting finds in the outbox: messages taken for delivery and not recorded (their
 * sender stopped mid-send, or another process sends them now), when the last of their leases runs
 * out, and parked messages. Read once at the start (the due index serves it).
 */
export function outboxAtStart(db: Db): { sending: number; leaseUntil: Date | null; parked: number } {
  const r = sqliteOf(db)
    .prepare("SELECT coalesce(sum(status = 'sending'), 0) AS sending, max(CASE WHEN status = 'sending' THEN next_attempt_at END) AS until, coalesce(sum(status = 'parked'), 0) AS parked FROM outbox WHERE status IN ('sending', 'parked')")
    .get() as { sending: number; until: number | null; parked: number };
  return { sending: r.sending, leaseUntil: r.until === null ? null : new Date(r.until), parked: r.parked };
}
