import type { DomainContext } from '../context.js';
import type { DomainEvent } from '../events.js';
import type { Policy } from '../policy/schema.js';
import type { Claim } from '../types.js';
import { addDays } from './lifecycle.js';

export const FLAG_REVIEW_TIMER = 'partner.flag_review';
const HOUR = 3_600_000;

/**
 * When a partner's flag lifts by itself, unless more violations follow: when the violation that
 * many (`violations_to_flag`) from the newest leaves the window, `window_days` calendar days in
 * the policy's time zone after it was registered, at the time of day it was. Null under the
 * threshold. `registered`: the violations' registration dates, oldest first.
 */
export function flagLiftsAt(registered: readonly Date[], policy: Policy): Date | null {
  const n = policy.consequences.violations_to_flag;
  if (registered.length < n) return null;
  const violation = registered[registered.length - n]!.getTime();
  let at = addDays(new Date(violation), policy.consequences.window_days, policy);
  // A violation registered in the hour the clocks go back happens twice on that day's clock: the
  // window taken back from that day may reach the first of the two. Later by that much, so that
  // the window has left the violation when the flag's review comes (and the flag lifts then).
  for (let i = 0; i < 2; i++) {
    const short = violation - windowStart(policy, at).getTime();
    if (short <= 0) break;
    at = new Date(at.getTime() + short);
  }
  return at;
}

/**
 * When the consequences window ending at `now` began: `window_days` calendar days before, in the
 * policy's time zone (a violation counts when registered after it; the flag and the stats count alike).
 */
export function windowStart(policy: Policy, now: Date): Date {
  return addDays(now, -policy.consequences.window_days, policy);
}

/** A partner's violations inside the policy's window ending at `now`, oldest first. */
function violationsInWindow(ctx: DomainContext, partnerId: string, now: Date): Date[] {
  // Only the violations, from the database: a partner's claims grow without bound.
  return ctx.store.claims.violationsSince(partnerId, windowStart(ctx.policies().inForceAt(now).policy, now));
}

/**
 * Re-evaluates a partner against the policy's consequences: flags it when its violations in
 * the window reach the threshold, unflags it when they fall below. A flagged partner gets a
 * review timer for when its oldest counted violation leaves the window. A partner taken out of
 * the programme (`roe partner close`) is not looked at: its flag is neither set nor lifted (nobody
 * is told "flag lifted" of a partner that left), and its timer goes.
 */
export function reviewPartner(ctx: DomainContext, partnerId: string, now: Date): DomainEvent[] {
  if (ctx.store.partners.closure(partnerId) !== null) {
    ctx.store.timers.cancel(`partner:${partnerId}`, FLAG_REVIEW_TIMER);
    return [];
  }
  const policy = ctx.policies().inForceAt(now).policy;
  const violations = violationsInWindow(ctx, partnerId, now);
  const flagged = ctx.store.partners.flaggedAt(partnerId) !== null;
  const over = violations.length >= policy.consequences.violations_to_flag;
  const subject = `partner:${partnerId}`;
  const events: DomainEvent[] = [];
  const liftsAt = flagLiftsAt(violations, policy);
  if (liftsAt && !flagged) {
    ctx.store.partners.setFlagged(partnerId, now);
    ctx.store.ledger.append({ at: now, kind: 'partner.flagged', subject, actor: 'consequences', policyVersion: policy.version, payload: { violations: violations.length, consequence: policy.consequences.flagged, liftsAt: liftsAt.toISOString() } });
    events.push({ type: 'partner.flagged', partnerId, violations: violations.length, liftsAt });
  } else if (!over && flagged) {
    ctx.store.partners.setFlagged(partnerId, null);
    ctx.store.ledger.append({ at: now, kind: 'partner.unflagged', subject, actor: 'consequences', policyVersion: policy.version, payload: { violations: violations.length } });
    events.push({ type: 'partner.unflagged', partnerId, violations: violations.length });
  }
  ctx.store.timers.cancel(subject, FLAG_REVIEW_TIMER);
  // Reviewed again when the flag lifts. Within an hour of the clocks going back, the window may
  // still hold a violation whose lifting has come: looked at again an hour on, not at once again.
  if (liftsAt) ctx.store.timers.schedule({ kind: FLAG_REVIEW_TIMER, subject, dueAt: liftsAt.getTime() > now.getTime() ? liftsAt : new Date(now.getTime() + HOUR), payload: {} }, now);
  return events;
}

/**
 * True when the partner's new claims must wait for an arbitrator: the policy in force says so
 * of a flagged partner, and the partner is flagged. A flag set before that version took effect,
 * or before it was loaded (a version dated today is loaded after today began), was set under
 * other thresholds: the partner is counted again under the version's own (`violations_to_flag`
 * within `window_days`, as the stats count them), so a version that changes them applies from
 * its first day, not from the partner's next violation or review.
 */
export function requiresApproval(ctx: DomainContext, partnerId: string, now: Date): boolean {
  const version = ctx.policies().inForceAt(now);
  const { consequences } = version.policy;
  if (consequences.flagged !== 'require-approval') return false;
  // A flag set once this version was both in force and loaded was set under its thresholds.
  const underIt = Math.max(version.effectiveAt.getTime(), version.loadedAt?.getTime() ?? 0);
  const flaggedAt = ctx.store.partners.flaggedAt(partnerId);
  if (flaggedAt !== null && flaggedAt.getTime() >= underIt) return true;
  // Flagged or not under an earlier version: the violations say (the index holds only them).
  return violationsInWindow(ctx, partnerId, now).length >= consequences.violations_to_flag;
}

/**
 * Why a flagged partner's claim waits, as its case's reason says it: true when it was filed, and
 * still after the flag lifts (the claim waits for its approval all the same). Whether a case was
 * opened so is its `filedFlagged`, not these words.
 */
export const FLAGGED_REASON = 'Filed while the partner was flagged for repeated violations: a flagged partner’s claims need an arbitrator’s approval.';

/**
 * A flagged partner's flag as its own people may read it: the claims of its counted as violations
 * inside the window (oldest first), and when the flag lifts by itself unless more follow (null when
 * the violations now counted are under the threshold: a flag a policy version has yet to count
 * again). Null when the partner is not flagged. Reads the partner's violations: only for a flagged one.
 */
export function flagStanding(ctx: DomainContext, partnerId: string, now: Date): { violations: Claim[]; liftsAt: Date | null } | null {
  const policy = ctx.policies().inForceAt(now).policy;
  // Where a flag holds claims, it is what holds them (a flag a version with a higher threshold has
  // yet to count again holds none, and is not said to); elsewhere, the flag as set.
  const flagged = policy.consequences.flagged === 'require-approval' ? requiresApproval(ctx, partnerId, now) : ctx.store.partners.flaggedAt(partnerId) !== null;
  if (!flagged) return null;
  // The violations alone, by their index: the claim's answer reads them inside its transaction.
  const violations = ctx.store.claims.violationClaimsSince(partnerId, windowStart(policy, now));
  return { violations, liftsAt: flagLiftsAt(violations.map((c) => c.registeredAt), policy) };
}
