import type { Claim, ClaimStatus } from '../types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RegistrationTerms {
  protection_days: number;
  dormant_after_days: number;
  dormancy_warning_days: number;
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

/** When protection ends for a claim under its own policy version's terms. */
export function protectionEnd(claim: Pick<Claim, 'registeredAt' | 'protectedUntil'>, terms: RegistrationTerms): Date {
  return claim.protectedUntil ?? new Date(claim.registeredAt.getTime() + terms.protection_days * DAY_MS);
}

/** When a protected claim with no further activity becomes dormant. */
export function dormancyAt(claim: Pick<Claim, 'lastActivityAt'>, terms: RegistrationTerms): Date {
  return new Date(claim.lastActivityAt.getTime() + terms.dormant_after_days * DAY_MS);
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
