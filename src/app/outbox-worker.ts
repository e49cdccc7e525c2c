import type { Logger } from 'pino';
import type { OutboxMessage } from '../core/ports.js';
import type { Db } from '../../db/client.js';
import { dueMessages, markDelivered, markFailed, postponePlatform, type PendingMessage } from '../../db/repos/outbox.repo.js';

/** Thrown by a deliverer: how long to wait (Slack's Retry-After), or that retrying is pointless. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly permanent = false,
  ) {
    super(message);
  }
}

export type Deliverer = (message: PendingMessage) => Promise<void>;

export const MAX_ATTEMPTS = 8;

/** Exponential backoff from 2 s, capped at 10 minutes; a Retry-After wins when it is longer. */
export function nextAttemptDelay(attempts: number, retryAfterMs?: number): number {
  const backoff = Math.min(600_000, 2_000 * 2 ** attempts);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/**
 * Delivers due outbox messages of each platform through its deliverer, one at a time in
 * order. A failure is retried with backoff; after MAX_ATTEMPTS the message is parked.
 * Returns how many were delivered.
 */
export async function drainOutbox(db: Db, deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>>, now: () => Date, logger: Logger): Promise<number> {
  let delivered = 0;
  for (const [platform, deliver] of Object.entries(deliverers) as [OutboxMessage['platform'], Deliverer][]) {
    for (const m of dueMessages(db, platform, now())) {
      try {
        await deliver(m);
        markDelivered(db, m.id, now());
        delivered += 1;
      } catch (e) {
        const err = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message ?? String(e));
        const park = err.permanent || m.attempts + 1 >= MAX_ATTEMPTS;
        markFailed(db, m.id, err.message, park ? null : new Date(now().getTime() + nextAttemptDelay(m.attempts, err.retryAfterMs)));
        logger.warn({ outboxId: m.id, platform, attempts: m.attempts + 1, parked: park, reason: err.message }, 'notification not delivered');
        if (err.retryAfterMs && !park) {
          // Rate limited: the platform's whole queue waits for Retry-After, in order.
          postponePlatform(db, platform, new Date(now().getTime() + err.retryAfterMs));
          break;
        }
      }
    }
  }
  return delivered;
}

/** Runs drainOutbox every `intervalMs` until stopped; never two drains at once. */
export function startOutboxWorker(db: Db, deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>>, now: () => Date, logger: Logger, intervalMs = 500): { stop(): void; kick(): Promise<void> } {
  let running: Promise<void> | null = null;
  const run = (): Promise<void> => {
    running ??= drainOutbox(db, deliverers, now, logger)
      .then(() => undefined)
      .catch((err: unknown) => logger.error({ err }, 'outbox drain failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), kick: run };
}
