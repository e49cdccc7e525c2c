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
