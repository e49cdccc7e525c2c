import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { timers } from '../schema.js';

export interface DueTimer {
  id: number;
  kind: string;
  subject: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Pending timers due at `now`, soonest first (the index on status, due_at serves this). */
export function dueTimers(db: Db, now: Date, limit: number): DueTimer[] {
  return db
    .select({ id: timers.id, kind: timers.kind, subject: timers.subject, dueAt: timers.dueAt, payload: timers.payload, attempts: timers.attempts })
    .from(timers)
    .where(and(eq(timers.status, 'pending'), lte(timers.dueAt, now)))
    .orderBy(asc(timers.dueAt), asc(timers.id))
    .limit(limit)
    .all();
}

/**
 * Claims a timer for firing: true only for the one caller that moves it from pending to
 * fired. Run inside the transaction that does the timer's work, so the work and the claim
 * commit together or not at all.
 */
export function claimTimer(db: Db, id: number, at: Date): boolean {
  return db.update(timers).set({ status: 'fired', firedAt: at }).where(and(eq(timers.id, id), eq(timers.status, 'pending'))).run().changes === 1;
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
