import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { OutboxMessage } from '../../src/core/ports.js';
import type { Db } from '../client.js';
import { outbox } from '../schema.js';

export interface PendingMessage extends OutboxMessage {
  id: number;
  attempts: number;
}

/** Messages due for delivery on one platform, oldest first. */
export function dueMessages(db: Db, platform: OutboxMessage['platform'], now: Date, limit = 50): PendingMessage[] {
  return db
    .select()
    .from(outbox)
    .where(and(eq(outbox.platform, platform), eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .all()
    .map((r) => ({ id: r.id, platform: r.platform as OutboxMessage['platform'], target: r.target as OutboxMessage['target'], body: r.body, dedupeKey: r.dedupeKey, attempts: r.attempts }));
}

export function markDelivered(db: Db, id: number, at: Date): void {
  db.update(outbox).set({ status: 'delivered', deliveredAt: at }).where(eq(outbox.id, id)).run();
}

/** A failed attempt: retried at `retryAt`, or parked after too many attempts. */
export function markFailed(db: Db, id: number, error: string, retryAt: Date | null): void {
  const row = db.select({ attempts: outbox.attempts }).from(outbox).where(eq(outbox.id, id)).get();
  db.update(outbox)
    .set({ attempts: (row?.attempts ?? 0) + 1, lastError: error.slice(0, 500), ...(retryAt ? { nextAttemptAt: retryAt } : { status: 'parked' }) })
    .where(eq(outbox.id, id))
    .run();
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
    .where(inArray(outbox.status, ['pending', 'parked']))
    .orderBy(asc(outbox.id))
    .all()
    .map((r) => ({ id: r.id, platform: r.platform, target: r.target, status: r.status, attempts: r.attempts, lastError: r.lastError, createdAt: r.createdAt, nextAttemptAt: r.nextAttemptAt, summary: String((r.body as { summary?: unknown } | null)?.summary ?? '') }));
}

/** Puts parked messages (one, or all when id is null) back in the queue; returns how many. */
export function retryParked(db: Db, id: number | null, at: Date): number {
  const where = id === null ? eq(outbox.status, 'parked') : and(eq(outbox.status, 'parked'), eq(outbox.id, id));
  return db.update(outbox).set({ status: 'pending', attempts: 0, nextAttemptAt: at }).where(where).run().changes;
}

/** A rate limit holds a platform's whole queue: nothing pending is tried before `until`. */
export function postponePlatform(db: Db, platform: string, until: Date): void {
  db.update(outbox)
    .set({ nextAttemptAt: until })
    .where(and(eq(outbox.platform, platform), eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, until)))
    .run();
}
