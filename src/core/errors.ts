/**
 * Every failure the domain knows about carries a stable code. Platform adapters turn a
 * DomainError into a message only the user sees; anything else is an internal error.
 */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'unknown_user'
  | 'already_ruled'
  | 'dispute_closed'
  | 'duplicate_claim'
  | 'no_recommendation'
  | 'invalid_policy'
  | 'conflict'
  /** The database could not take the write now (another process holds it): nothing was done; the same request may be sent again. */
  | 'busy';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** Field-level problems, keyed by form field id, for inline errors. */
    readonly fields: Readonly<Record<string, string>> = {},
    /** What it was refused for underneath, kept for the logs. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}

/** Wraps anything thrown into an Error, keeping the cause, so no catch ever loses it. */
export function asError(e: unknown): Error {
  if (e instanceof Error) return e;
  return new Error(typeof e === 'string' ? e : JSON.stringify(e));
}

/** How a delivery failed, as a deliverer tells the outbox. */
export interface DeliveryFailureOptions {
  /** How long to wait before the next try (a Retry-After). */
  retryAfterMs?: number | undefined;
  /** Retrying is pointless: the message is parked. */
  permanent?: boolean;
  /** The platform is throttling the bot (HTTP 429, with or without a Retry-After): the queue waits. */
  throttled?: boolean;
  /**
   * The platform refused the bot's own credentials: the queue waits, like throttled, until they
   * are put right, and nothing is parked for it however long that takes (a message parked would
   * let later ones out first once they work).
   */
  untilFixed?: boolean;
  /**
   * A write made with the record of the failed attempt, when the message is still there as it
   * was taken: what the attempt set up before it failed (a Teams 1:1 chat it opened), for the
   * retry to use rather than set up again.
   */
  followUp?: () => void;
}

/** Thrown by a deliverer (Slack's, Teams'): a message not delivered, and what the outbox should do about it. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  readonly throttled: boolean;
  readonly untilFixed: boolean;
  readonly followUp: (() => void) | undefined;
  constructor(message: string, o: DeliveryFailureOptions = {}) {
    super(message);
    this.retryAfterMs = o.retryAfterMs;
    this.permanent = o.permanent ?? false;
    this.throttled = o.throttled ?? false;
    this.untilFixed = o.untilFixed ?? false;
    this.followUp = o.followUp;
  }

  /** This failure with `followUp` to make with its record (anything else thrown becomes a failure to retry). */
  static withFollowUp(e: unknown, followUp: () => void): DeliveryError {
    const d = e instanceof DeliveryError ? e : new DeliveryError(asError(e).message);
    return new DeliveryError(d.message, { retryAfterMs: d.retryAfterMs, permanent: d.permanent, throttled: d.throttled, untilFixed: d.untilFixed, followUp });
  }
}
