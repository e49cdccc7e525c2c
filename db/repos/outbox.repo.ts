import { and, asc, eq, lte } from 'drizzle-orm';
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
