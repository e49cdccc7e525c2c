import type { Logger } from 'pino';
import { asError, DeliveryError } from '../core/errors.js';
import type { OutboxMessage } from '../core/ports.js';
import { isBusy, sqliteOf, waitingAtMost, type Db } from '../../db/client.js';
import { staleAtOf } from '../../handlers/replies/model.js';
import { failureReport, FAILING_SAID_EVERY_MS } from './scheduler.js';
import { addressedAs, dueMessages, leaseForDelivery, markDelivered, markFailed, MAX_HOLD_MS, postponePlatform, RENEW_BUSY_MS, renewLease, statusOf, type PendingMessage } from '../../db/repos/outbox.repo.js';

/**
 * Tries a throttled message gets before it is parked: throttling is the platform's load, not
 * the message's fault, so it gets far more than other failures (with the backoff, hours).
 */
export const MAX_THROTTLED_ATTEMPTS = 30;

/**
 * Sends one message. It may return a write to make together with the delivery's record (a new
 * thread's id): the message went out, so that write is waited out like the record itself.
 */
export type Deliverer = (message: PendingMessage) => Promise<void | (() => void)>;

/**
 * Tries a failing message gets before it is parked: with the backoff (2 s doubling, then every
 * 10 minutes), about two hours, so an outage of Slack or Teams shorter than that only delays
 * what waits (eight tries would have parked it after four minutes).
 */
export const MAX_ATTEMPTS = 20;
/**
 * How long a message taken for delivery is held before another worker may try it, unless its
 * sender renews the lease meanwhile. A sender renews it for as long as it works on the message
 * (see holdLease): a delivery has no bound of its own (one Slack delivery may make four Web API
 * calls in a row, a dispute's thread post, its channel post, conversations.open and a DM, each
 * given up only after 30 s without an answer). A renewal is a write too: while another process
 * holds the write lock (an import), renewals are refused (each waits 50 ms at most, so requests
 * are not held up) as the delivery's record is, and the lease runs on. Only a sender that stops
 * (its process died, or no renewal got through for a whole lease) lets the lease run out.
 */
export const LEASE_MS = 120_000;
/**
 * How often a sender renews the lease of the message it works on: a quarter of the lease, so
 * that three renewals can fail (the database busy) before it runs out; a renewal refused as busy
 * is tried again after RECORD_RETRY_MS.
 */
export const LEASE_RENEW_MS = LEASE_MS / 4;

/** The lease and how often it is renewed (tests shorten both). */
export interface LeaseOptions {
  leaseMs?: number;
  renewEveryMs?: number;
}

/**
 * Exponential backoff from 2 s, capped at 10 minutes; a Retry-After wins when it is longer, up
 * to just under an hour (MAX_HOLD_MS: a message held longer counts as held by a clock set back).
 */
export function nextAttemptDelay(attempts: number, retryAfterMs?: number): number {
  const backoff = Math.min(600_000, 2_000 * 2 ** attempts);
  return Math.min(Math.max(backoff, retryAfterMs ?? 0), MAX_HOLD_MS - 60_000);
}

/**
 * Delivers due outbox messages of each platform through its deliverer, in order per target
 * (a thread's announcement before its updates). Each message is leased first, and the lease
 * renewed until it is recorded, so two workers on one database never send it twice. A failure
 * is retried with backoff and holds back the later messages to the same target; after
 * MAX_ATTEMPTS a message is parked; a rate limit holds the platform's whole queue. Returns how
 * many were delivered. Once `stop` is aborted, no further message is taken: the one under way
 * is sent and recorded, the rest wait in the outbox.
 */
export async function drainOutbox(db: Db, deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>>, now: () => Date, logger: Logger, maxPasses = 20, stop?: AbortSignal, lease: LeaseOptions = {}): Promise<number> {
  const leasing = { leaseMs: lease.leaseMs ?? LEASE_MS, renewEveryMs: lease.renewEveryMs ?? LEASE_RENEW_MS };
  let delivered = 0;
  // The platforms side by side: Slack hanging (each call given up only after 30 seconds) never
  // holds back what goes to Teams, nor the other way round. Settled all before the drain ends,
  // failed or not: a platform whose drain fails does not leave the other's running unwatched, for
  // the next drain to start a second one beside it.
  const drained = await Promise.allSettled(
    (Object.entries(deliverers) as [OutboxMessage['platform'], Deliverer][]).map(async ([platform, deliver]) => {
      const failedTargets = new Set<string>();
      // What this process sent before and could not write down yet (a full disk) is written first.
      const earlier = recordSentEarlier(db, platform, now, logger);
      delivered += earlier.recorded;
      // A message behind an older one to the same target becomes due once that one is delivered:
      // passes go on while they make progress.
      for (let pass = 0, progress = true; progress && pass < maxPasses && !stop?.aborted; pass++) {
        progress = false;
        const outcome = await deliverBatch(db, platform, deliver, failedTargets, now, logger, leasing, stop);
        delivered += outcome.delivered;
        progress = outcome.delivered + outcome.parked + outcome.dropped > 0;
        if (outcome.rateLimited) break;
      }
      // Still not written, the database failing (not busy: the next drain tries again): the drain
      // fails, so that the log says so (see startOutboxWorker) while it lasts.
      if (earlier.failure && !isBusy(earlier.failure.err)) throw earlier.failure.err;
    }),
  );
  const failed = drained.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return delivered;
}

/**
 * Each database's platforms on hold (rate limited) and until when: a message queued during a
 * hold waits it out too, rather than going out into the throttle. Held in memory: the rows
 * queued before the hold carry it themselves (postponePlatform).
 */
const holds = new WeakMap<Db, Map<OutboxMessage['platform'], number>>();

/** Whether `platform` is on hold at `at` (a hold further ahead than MAX_HOLD_MS is one a clock set back left: none). */
function onHold(db: Db, platform: OutboxMessage['platform'], at: number): boolean {
  const until = holds.get(db)?.get(platform);
  return until !== undefined && until > at && until - at < MAX_HOLD_MS;
}

async function deliverBatch(db: Db, platform: OutboxMessage['platform'], deliver: Deliverer, failedTargets: Set<string>, now: () => Date, logger: Logger, leasing: Required<LeaseOptions>, stop?: AbortSignal): Promise<{ delivered: number; parked: number; dropped: number; rateLimited: boolean }> {
  let delivered = 0;
  let parked = 0;
  let dropped = 0;
  if (onHold(db, platform, now().getTime())) return { delivered, parked, dropped, rateLimited: true };
  for (const m of dueMessages(db, platform, now())) {
    if (stop?.aborted) break;
    const target = JSON.stringify(m.target);
    // Order per target: nothing after a message that just failed goes out before it.
    if (failedTargets.has(target)) continue;
    // Sent by this process, not yet written down, its lease run out meanwhile (a disk full for minutes): never sent again.
    if (sentUnrecorded.get(db)?.has(m.id)) {
      failedTargets.add(target);
      continue;
    }
    const lease = new Date(now().getTime() + leasing.leaseMs);
    let leased: boolean;
    try {
      leased = leaseForDelivery(db, m.id, now(), lease);
    } catch (err) {
      // Another process holds the database (an import): nothing is taken now; the next drain tries again.
      if (isBusy(err)) break;
      throw err;
    }
    if (!leased) continue;
    // Held, renewed, until the message is sent and recorded (or its failure is): however long that takes.
    const held = holdLease(db, m, lease, now, logger, leasing);
    let keep = false;
    try {
      const outcome = await deliverOne(db, platform, deliver, m, held, now, logger);
      // Sent, not written down: its lease stays held (renewed) until it is (see sentUnrecorded).
      keep = outcome === 'unrecorded';
      if (outcome === 'delivered') delivered += 1;
      else if (outcome === 'dropped') dropped += 1;
      else if (outcome === 'parked') parked += 1;
      else if (outcome === 'retry') failedTargets.add(target);
      else if (outcome === 'rate limited') {
        failedTargets.add(target);
        return { delivered, parked, dropped, rateLimited: true };
      }
    } finally {
      if (!keep) held.release();
    }
  }
  return { delivered, parked, dropped, rateLimited: false };
}

/**
 * Sends one leased message and records how it went: delivered (or dropped, its moment past),
 * parked, to be retried (`retry`, or `rate limited`: the platform's whole queue waits), or
 * `gone`: no longer this sender's by the time its failure was to be recorded.
 */
async function deliverOne(db: Db, platform: OutboxMessage['platform'], deliver: Deliverer, m: PendingMessage, held: HeldLease, now: () => Date, logger: Logger): Promise<'delivered' | 'dropped' | 'parked' | 'retry' | 'rate limited' | 'gone' | 'unrecorded'> {
  // A warning whose moment passed while it waited (the bot or the platform was down): what
  // it warned of has happened, and a message of its own says so. Done, without sending.
  const staleAt = staleAtOf(m.body);
  if (staleAt && staleAt.getTime() <= now().getTime()) {
    logger.info({ outboxId: m.id, platform, staleAt }, 'notification not sent: its moment passed while it waited');
    return (await recordDelivered(db, m, now, logger, undefined, held)) ? 'dropped' : 'unrecorded';
  }
  let follow: void | (() => void) = undefined;
  try {
    follow = await deliver(m);
  } catch (e) {
    const err = e instanceof DeliveryError ? e : new DeliveryError(asError(e).message);
    // Throttling is the platform's load, not the message's fault: it parks only after far more tries.
    // Refused credentials park nothing: the queue waits for them to be put right.
    const park = err.permanent || (!err.untilFixed && m.attempts + 1 >= (err.throttled ? MAX_THROTTLED_ATTEMPTS : MAX_ATTEMPTS));
    // The backoff, or the Retry-After when longer (a Retry-After of 0 would retry at once, for ever).
    const retryAt = park ? null : new Date(now().getTime() + nextAttemptDelay(m.attempts, err.retryAfterMs));
    // Under the lease as last renewed: the one the row holds while it is still this sender's.
    const recorded = await recordFailedWaiting(db, m, err.message, retryAt, held, err.followUp, logger);
    if (recorded === 'busy') return 'retry';
    if (!recorded) {
      // No longer this sender's: withdrawn or deleted while it was being sent (nothing to
      // retry), or its lease ran out and another process has it now.
      const status = statusOf(db, m.id);
      if (status === 'withdrawn') logger.info({ outboxId: m.id, platform, reason: err.message }, 'notification not delivered, and withdrawn meanwhile (what it said no longer holds): not retried');
      else if (status === null) logger.info({ outboxId: m.id, platform, reason: err.message }, 'notification not delivered, and deleted meanwhile (its person forgotten): not retried');
      else logger.warn({ outboxId: m.id, platform, reason: err.message }, 'notification not delivered, and its lease ran out meanwhile: left to the process that took it over');
      return 'gone';
    }
    // A parked message waits for someone: the line says what brings it back.
    logger.warn({ outboxId: m.id, platform, attempts: m.attempts + 1, parked: park, reason: err.message }, park ? `notification not delivered, and parked: it is not tried again until \`roe outbox retry ${m.id}\` (or --all) once its cause is put right` : 'notification not delivered');
    if (!retryAt) return 'parked';
    if (err.throttled || err.retryAfterMs) {
      // Rate limited: the platform's whole queue waits as long, in order.
      postponePlatform(db, platform, now(), retryAt);
      let platformHolds = holds.get(db);
      if (!platformHolds) holds.set(db, (platformHolds = new Map()));
      platformHolds.set(platform, retryAt.getTime());
      return 'rate limited';
    }
    return 'retry';
  }
  return (await recordDelivered(db, m, now, logger, follow, held)) ? 'delivered' : 'unrecorded';
}

/** The lease a sender holds on the message it works on (see holdLease). */
interface HeldLease {
  /** The lease as last written: what the row holds while the message is still this sender's. */
  lease(): Date;
  /** Stops renewing it: the message is recorded (delivered, failed or parked), or given up. */
  release(): void;
}

/**
 * Renews the lease on `m` every `renewEveryMs` until released, each time to `leaseMs` from now,
 * so that it cannot run out while this sender still works on the message: however long the
 * delivery's calls take, and however long its record waits for a busy database, no other worker
 * takes the message meanwhile and sends it again. A renewal refused as busy is tried again
 * after RECORD_RETRY_MS (the lease has three more renewals' time left). A lease found no longer
 * this sender's stops the renewals: the message was withdrawn, deleted or delivered, or another
 * process took it over (this one held up for a whole lease); what the sender then records says
 * which (see markFailed, recordDelivered).
 */
function holdLease(db: Db, m: Pick<PendingMessage, 'id' | 'platform'>, first: Date, now: () => Date, logger: Logger, o: Required<LeaseOptions>): HeldLease {
  let lease = first;
  let timer: NodeJS.Timeout | undefined;
  let released = false;
  const renew = (): void => {
    if (released) return;
    let next = o.renewEveryMs;
    try {
      const until = new Date(now().getTime() + o.leaseMs);
      if (!renewLease(db, m.id, lease, until)) {
        if (statusOf(db, m.id) === 'sending') logger.warn({ outboxId: m.id, platform: m.platform }, 'notification being sent, but its lease ran out meanwhile and another process took it over');
        return;
      }
      lease = until;
    } catch (err) {
      if (isBusy(err)) next = Math.min(next, RECORD_RETRY_MS);
      else logger.warn({ outboxId: m.id, platform: m.platform, err }, 'the lease of a notification being sent could not be renewed; trying again');
    }
    timer = setTimeout(renew, next);
    timer.unref();
  };
  timer = setTimeout(renew, o.renewEveryMs);
  timer.unref();
  return {
    lease: () => lease,
    release: () => {
      released = true;
      clearTimeout(timer);
    },
  };
}

/**
 * Records a failed attempt (see markFailed), with the write the attempt left (`followUp`) when
 * the message is still this sender's and addressed as it was (its person not forgotten meanwhile).
 * That write failing never keeps the failure from being recorded.
 */
function recordFailed(db: Db, m: Pick<PendingMessage, 'id' | 'target'>, error: string, retryAt: Date | null, lease: Date, followUp: (() => void) | undefined, logger: Logger): boolean {
  if (!followUp) return markFailed(db, m.id, error, retryAt, lease);
  return db.transaction(
    () => {
      if (!markFailed(db, m.id, error, retryAt, lease)) return false;
      if (addressedAs(db, m.id, m.target)) {
        try {
          followUp();
        } catch (err) {
          logger.error({ outboxId: m.id, err }, 'notification not delivered, and what its attempt set up could not be recorded');
        }
      }
      return true;
    },
    { behavior: 'immediate' },
  );
}

/** How often, and how far apart, a sent message's delivery (and its follow-up write) is written again when the database is busy. */
export const RECORD_ATTEMPTS = 90;
export const RECORD_RETRY_MS = 1_000;

/**
 * Records a failed attempt (see recordFailed) as a delivery is recorded: another process's write
 * lock (an import) is waited for RENEW_BUSY_MS at a time, RECORD_RETRY_MS apart, so that the
 * server answers requests in between rather than being held for the connection's 5 seconds, and
 * each try under the lease as last renewed. A lock held through RECORD_ATTEMPTS tries leaves the
 * failure unrecorded (`busy`): the message stays taken until its lease runs out, then is tried
 * again, as after a crash; nothing went out, so nothing goes out twice.
 */
async function recordFailedWaiting(db: Db, m: Pick<PendingMessage, 'id' | 'target' | 'platform'>, error: string, retryAt: Date | null, held: HeldLease, followUp: (() => void) | undefined, logger: Logger): Promise<boolean | 'busy'> {
  for (let attempt = 1; ; attempt++) {
    try {
      return waitingAtMost(sqliteOf(db), RENEW_BUSY_MS, () => recordFailed(db, m, error, retryAt, held.lease(), followUp, logger));
    } catch (err) {
      if (!isBusy(err)) throw err;
      if (attempt >= RECORD_ATTEMPTS) {
        logger.warn({ outboxId: m.id, platform: m.platform, reason: error }, 'notification not delivered, and another process kept the database busy: its failure is not recorded, and it is tried again once its lease runs out');
        return 'busy';
      }
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
    }
  }
}

/**
 * Writes down a message that went out, with its follow-up write, in one transaction: a crash
 * between the two would leave the message delivered without its follow-up (a thread's first
 * post without the thread's ts, so every later update would start a thread of its own). Both
 * idempotent: a retry writes the same again. A follow-up that fails by itself (not the database)
 * is left out, and the delivery written alone, or the message would be sent again, and fail the
 * same way, at every lease. Waits RENEW_BUSY_MS at most for another process's write lock.
 */
function writeDelivered(db: Db, m: Pick<PendingMessage, 'id' | 'target'>, now: () => Date, logger: Logger, follow: void | (() => void)): void {
  const id = m.id;
  try {
    waitingAtMost(sqliteOf(db), RENEW_BUSY_MS, () =>
      db.transaction(
        () => {
          // A message deleted while it was sent (its person forgotten meanwhile), or no longer
          // addressed as it was (forget took its person off it, as the one a channel post went
          // to by DM): what follows from it about them (where a case card landed in their DM, a
          // Teams 1:1 chat opened for them) is not remembered either.
          if (markDelivered(db, id, now()) && follow && addressedAs(db, id, m.target)) follow();
        },
        { behavior: 'immediate' },
      ),
    );
  } catch (err) {
    if (isBusy(err) || !follow) throw err;
    try {
      waitingAtMost(sqliteOf(db), RENEW_BUSY_MS, () => markDelivered(db, id, now()));
    } catch (alone) {
      // Not the follow-up: the database itself fails (a full disk), or is busy. Said by the caller.
      throw isBusy(alone) ? alone : err;
    }
    logger.error({ outboxId: id, err }, 'notification sent, but what follows from it (where it landed) could not be recorded');
  }
}

/**
 * Messages this process sent (or dropped, their moment past) whose delivery it could not write
 * down: the database failing rather than busy (a full disk, a read-only file), or busy through
 * every try. Each keeps its lease (renewed while the database lets it), so that no process takes
 * it and sends it again, and is written down at the start of each later drain until that works
 * (see recordSentEarlier); meanwhile later messages to its conversation wait, in order. Held in
 * memory: a process that stops before then leaves it to be sent again once its lease runs out.
 */
const sentUnrecorded = new WeakMap<Db, Map<number, { m: PendingMessage; follow: void | (() => void); held: HeldLease }>>();

/**
 * Writes down what this process sent on `platform` and could not write down then (see
 * sentUnrecorded). Returns how many it wrote, and why one still could not be (the first failure).
 */
function recordSentEarlier(db: Db, platform: OutboxMessage['platform'], now: () => Date, logger: Logger): { recorded: number; failure?: { err: unknown } } {
  const kept = sentUnrecorded.get(db);
  let recorded = 0;
  let failure: { err: unknown } | undefined;
  for (const [id, k] of kept ?? []) {
    if (k.m.platform !== platform) continue;
    try {
      writeDelivered(db, k.m, now, logger, k.follow);
    } catch (err) {
      failure ??= { err };
      continue;
    }
    kept!.delete(id);
    k.held.release();
    recorded += 1;
    logger.info({ outboxId: id, platform }, 'notification sent earlier is recorded delivered now; it was not sent again');
  }
  return { recorded, ...(failure ? { failure } : {}) };
}

/**
 * Records a message that went out, with its follow-up write (see writeDelivered). It was sent:
 * failing to write that down must never count as a failed delivery (that would send it again),
 * so a busy database (an import holding the write lock) is waited out, up to RECORD_ATTEMPTS
 * tries of RECORD_RETRY_MS apart (about 90 s), each waiting RENEW_BUSY_MS for the lock: the
 * server answers requests in between, not blocked for the connection's 5 seconds at a time. The
 * lease is renewed meanwhile when the lock comes free between tries (see holdLease). A database
 * that fails otherwise (a full disk), or stays busy through every try, leaves the message to be
 * written down later by this process (false; see sentUnrecorded), never sent again by it. A
 * closed database (the process stopping) is not waited on: the failure is thrown.
 */
async function recordDelivered(db: Db, m: PendingMessage, now: () => Date, logger: Logger, follow: void | (() => void), held: HeldLease): Promise<boolean> {
  const id = m.id;
  for (let attempt = 1; ; attempt++) {
    try {
      writeDelivered(db, m, now, logger, follow);
      return true;
    } catch (err) {
      if (!sqliteOf(db).open) throw err;
      if (!isBusy(err) || attempt >= RECORD_ATTEMPTS) {
        let kept = sentUnrecorded.get(db);
        if (!kept) sentUnrecorded.set(db, (kept = new Map()));
        kept.set(id, { m, follow, held });
        logger.error({ outboxId: id, platform: m.platform, err }, 'notification sent, but its delivery could not be recorded: it is kept to be recorded at the next drains, and not sent again (unless the bot stops before it is recorded)');
        return false;
      }
      logger.warn({ outboxId: id, attempt, err }, 'notification sent, but its delivery could not be recorded yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
    }
  }
}

/**
 * Runs drainOutbox every `intervalMs` until stopped; never two drains at once. `stop` takes no
 * further message and resolves once the one under way is sent and recorded, so that it does not
 * go out again after a restart; a backlog waits in the outbox for the next start (a supervisor
 * stopping the server is not kept waiting for it).
 */
export function startOutboxWorker(db: Db, deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>>, now: () => Date, logger: Logger, intervalMs = 500, lease: LeaseOptions = {}): { stop(): Promise<void>; kick(): Promise<void> } {
  let running: Promise<void> | null = null;
  const stopping = new AbortController();
  // A drain that fails fails again half a second later (a full disk, a damaged database): said as
  // the scheduler says its ticks failing, not twice a second for as long as it lasts.
  const failing = failureReport(logger, {
    failing: `outbox: drains fail; the notifications due wait in the outbox, none lost (said again every ${FAILING_SAID_EVERY_MS / 60_000} minutes while it lasts, and once when drains succeed again)`,
    still: 'outbox: drains still fail; the notifications due wait in the outbox',
    over: 'outbox: drains succeed again; the notifications that waited go out now',
    counted: 'failedDrains',
    level: 'error',
  });
  const run = (): Promise<void> => {
    if (stopping.signal.aborted) return Promise.resolve();
    running ??= drainOutbox(db, deliverers, now, logger, undefined, stopping.signal, lease)
      .then(() => failing.succeeded())
      .catch((err: unknown) => failing.failed(now(), err))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      stopping.abort();
      await running;
      // What was sent and not yet written down (a full disk) gets a last try: left unwritten, it goes out again after the next start.
      const platforms = Object.keys(deliverers) as OutboxMessage['platform'][];
      for (const platform of platforms) recordSentEarlier(db, platform, now, logger);
      const left = [...(sentUnrecorded.get(db)?.values() ?? [])].filter((k) => platforms.includes(k.m.platform));
      for (const k of left) {
        k.held.release();
        sentUnrecorded.get(db)?.delete(k.m.id);
      }
      if (left.length) logger.error({ outboxIds: left.map((k) => k.m.id) }, 'outbox: notifications sent but not recorded as the bot stops: they are sent again once their lease runs out after the next start');
    },
    kick: run,
  };
}
