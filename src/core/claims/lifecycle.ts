import { DateTime } from 'luxon';
import { offsetsOf } from '../time-format.js';
import type { Claim, ClaimStatus } from '../types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RegistrationTerms {
  protection_days: number;
  dormant_after_days: number;
  dormancy_warning_days: number;
  /** Days before the end of protection its owner is warned of it; absent: `dormancy_warning_days`. */
  expiry_warning_days?: number | undefined;
  /** The policy's time zone: days are counted on its calendar (same wall-clock time, DST or not). Absent: 24-hour days. */
  timezone?: string;
}

/** A policy's registration terms, with its time zone to count their days in. */
export function termsOf(policy: { registration: Omit<RegistrationTerms, 'timezone'>; timezone: string }): RegistrationTerms {
  return { ...policy.registration, timezone: policy.timezone };
}

/**
 * `days` calendar days after (or, negative, before) `t` in the terms' time zone: the same
 * wall-clock time, so 90 days from 00:30 on Oct 5 is 00:30 on Jan 3, across the change of the
 * clocks (24-hour days would give 23:30 on Jan 2). A time the clocks skip moves forward.
 */
export function addDays(t: Date, days: number, terms: Pick<RegistrationTerms, 'timezone'>): Date {
  const to = t.getTime() + days * DAY_MS;
  if (!terms.timezone) return new Date(to);
  const offset = offsetsOf(terms.timezone);
  const before = offset(t.getTime());
  // The same wall-clock time: the difference of the offsets at both ends moves it back in place.
  let at = to + (before - offset(to)) * 60_000;
  // A wall-clock time the clocks skip (or the offset changed between `to` and `at`): as luxon reads it.
  if (offset(at) !== offset(to)) at = DateTime.fromMillis(t.getTime(), { zone: terms.timezone }).plus({ days }).toMillis();
  return new Date(at);
}

export const LIVE_STATUSES: readonly ClaimStatus[] = ['pending', 'protected'];

export function isLive(status: ClaimStatus): boolean {
  return LIVE_STATUSES.includes(status);
}

/** Statuses a claim does not come back from (dormant is not one: a ruling may revive it). */
export const CLOSED_STATUSES: readonly ClaimStatus[] = ['rejected', 'expired', 'won', 'lost'];

export function isClosed(status: ClaimStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

/**
 * How many days before its protection ends a claim's owner is warned (0: not warned): by default
 * `dormancy_warning_days`, unless that is no shorter than the protection itself (no warning then).
 */
export function expiryWarningDays(terms: Pick<RegistrationTerms, 'expiry_warning_days' | 'dormancy_warning_days' | 'protection_days'>): number {
  return terms.expiry_warning_days ?? (terms.dormancy_warning_days < terms.protection_days ? terms.dormancy_warning_days : 0);
}

/** When protection ends for a claim under its own policy version's terms. */
export function protectionEnd(claim: Pick<Claim, 'registeredAt' | 'protectedUntil'>, terms: RegistrationTerms): Date {
  return claim.protectedUntil ?? addDays(claim.registeredAt, terms.protection_days, terms);
}

/** When a protected claim with no further activity becomes dormant. */
export function dormancyAt(claim: Pick<Claim, 'lastActivityAt'>, terms: RegistrationTerms): Date {
  return addDays(claim.lastActivityAt, terms.dormant_after_days, terms);
}

/**
 * The status a claim has at `now`, whether or not the timers have stored it yet: a protected
 * claim lapses to dormant after `dormant_after_days` without activity and expires at the end
 * of protection; dormant and expired claims protect nothing.
 */
export function effectiveStatus(claim: Pick<Claim, 'status' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, now: Date): ClaimStatus {
  if (claim.status !== 'protected' && claim.status !== 'dormant') return claim.status;
  if (now.getTime() >= protectionEnd(claim, terms).getTime()) return 'expired';
  if (claim.status === 'dormant' || now.getTime() >= dormancyAt(claim, terms).getTime()) return 'dormant';
  return 'protected';
}

/**
 * Whether a claim was protected at `at` (a moment before now), as far as its stored row tells:
 * one stored protected, dormant or expired (protection that ran to its end) was protected from
 * its registration until it lapsed to dormant (its last activity plus `dormant_after_days`) or
 * its protection ended, whichever came first. A pending claim was pending then too; a claim
 * rejected, won or lost may have closed before `at` or after it, which the row does not say, so
 * it counts as no protection. What the row cannot tell either: a claim pending at `at` and
 * protected since (protection is counted from its registration), or one dormant at `at` and
 * revived since by a ruling (its last activity is the ruling's): both count as protected then.
 */
export function protectedAt(claim: Pick<Claim, 'status' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, at: Date): boolean {
  if (claim.status !== 'protected' && claim.status !== 'dormant' && claim.status !== 'expired') return false;
  if (at.getTime() < claim.registeredAt.getTime()) return false;
  return effectiveStatus({ ...claim, status: 'protected' }, terms, at) === 'protected';
}
