import type Database from 'better-sqlite3';
import { and, asc, eq, sql } from 'drizzle-orm';
import { sqliteOf, type Db } from '../client.js';
import { timers } from '../schema.js';

export interface DueTimer {
  id: number;
  kind: string;
  subject: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  attempts: number;
}

/**
 * The longest a failed timer is ever held back before it is tried again (the scheduler's backoff
 * is capped below this). A retry held for longer was set from a clock since set back (a host's
 * clock corrected, a VM restored): it is due now rather than hours from now. A timer never tried
 * waits for its own moment, however far ahead it lies.
 */
export const MAX_RETRY_HOLD_MS = 3_600_000;

/** The scheduler's queries, prepared once per connection: they run every tick and per timer. */
const prepared = new WeakMap<Db, { due: Database.Statement<[number, number], RawDue>; heldBack: Database.Statement<[number, number], RawDue>; claim: Database.Statement<[number, number, number, number], number> }>();

interface RawDue {
  id: number;
  kind: string;
  subject: string;
  dueAt: number;
  payload: string;
  attempts: number;
}

/** A retry held for longer than any retry is: held from a clock since set back (see MAX_RETRY_HOLD_MS). Its parameter: now + MAX_RETRY_HOLD_MS. */
const HELD_BY_CLOCK_SET_BACK = "status = 'pending' AND attempts > 0 AND due_at > ?";

function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    const sqlite = sqliteOf(db);
    s = {
      due: sqlite.prepare("SELECT id, kind, subject, due_at AS dueAt, payload, attempts FROM timers WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?"),
      // Retries further ahead than any retry is held: a clock set back since (timers_retry_idx serves this).
      heldBack: sqlite.prepare(`SELECT id, kind, subject, due_at AS dueAt, payload, attempts FROM timers WHERE ${HELD_BY_CLOCK_SET_BACK} ORDER BY id LIMIT ?`),
      claim: sqlite.prepare<[number, number, number, number], number>(`UPDATE timers SET status = 'fired', fired_at = ? WHERE id = ? AND ((status = 'pending' AND due_at <= ?) OR (${HELD_BY_CLOCK_SET_BACK})) RETURNING attempts`).pluck(),
    };
    prepared.set(db, s);
  }
  return s;
}

/**
 * Pending timers due at `now`: first any retry a clock set back holds (see MAX_RETRY_HOLD_MS),
 * then the rest soonest first (the index on status, due_at serves this).
 */
export function dueTimers(db: Db, now: Date, limit: number): DueTimer[] {
  const s = statements(db);
  const heldBack = s.heldBack.all(now.getTime() + MAX_RETRY_HOLD_MS, limit);
  const due = heldBack.length < limit ? s.due.all(now.getTime(), limit - heldBack.length) : [];
  return [...heldBack, ...due].map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, dueAt: new Date(r.dueAt), payload: JSON.parse(r.payload) as Record<string, unknown>, attempts: r.attempts }));
}

/**
 * Claims a timer for firing, if it is still pending and due at `at` (or a retry a clock set back
 * holds, see MAX_RETRY_HOLD_MS): only the one caller that moves it from pending to fired gets it.
 * Run inside the transaction that does the timer's work (which holds the write lock), so the
 * work and the claim commit together or not at all. The due timers were read before: meanwhile
 * another process may have fired the timer, or failed it and set its retry later. Returns the
 * attempts it had failed as claimed (counted for giving up), or null when it is not this
 * caller's to fire.
 */
export function claimTimer(db: Db, id: number, at: Date): number | null {
  return statements(db).claim.get(at.getTime(), id, at.getTime(), at.getTime() + MAX_RETRY_HOLD_MS) ?? null;
}

/** A failed attempt: tried again at `retryAt`, or given up (status failed). */
export function timerFailed(db: Db, id: number, error: string, retryAt: Date | null): void {
  db.update(timers)
    .set({ attempts: sql`${timers.attempts} + 1`, lastError: error.slice(0, 500), ...(retryAt ? { dueAt: retryAt } : { status: 'failed' }) })
    .where(eq(timers.id, id))
    .run();
}

export function pendingTimerCount(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(timers).where(eq(timers.status, 'pending')).get()!.n;
}

/** A timer the scheduler gave up on after its attempts, as `roe timers` lists it. */
export interface FailedTimer {
  id: number;
  kind: string;
  subject: string;
  dueAt: Date;
  attempts: number;
  lastError: string | null;
}

/** The timers that failed every attempt, oldest first: their work was never done. */
export function failedTimers(db: Db): FailedTimer[] {
  return db
    .select({ id: timers.id, kind: timers.kind, subject: timers.subject, dueAt: timers.dueAt, attempts: timers.attempts, lastError: timers.lastError })
    .from(timers)
    .where(eq(timers.status, 'failed'))
    .orderBy(asc(timers.id))
    .all();
}

/**
 * Puts failed timers (one, or all when id is null) back to fire at the next tick, with their
 * attempts counted again from none; returns how many. A timer whose moment passed does only
 * what still applies (a case ruled meanwhile is not escalated).
 */
export function retryFailedTimers(db: Db, id: number | null, at: Date): number {
  const where = id === null ? eq(timers.status, 'failed') : and(eq(timers.status, 'failed'), eq(timers.id, id));
  return db.update(timers).set({ status: 'pending', attempts: 0, dueAt: at }).where(where).run().changes;
}

/** How many timers failed every attempt (status failed), as a server starting says. */
export function failedTimerCount(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(timers).where(eq(timers.status, 'failed')).get()!.n;
}
