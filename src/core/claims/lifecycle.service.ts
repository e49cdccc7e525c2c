import type { DomainContext } from '../context.js';
import type { DomainEvent } from '../events.js';
import type { Claim } from '../types.js';
import { dormancyAt, protectionEnd, type RegistrationTerms } from './lifecycle.js';

export const CLAIM_TIMER = { warn: 'claim.dormancy_warning', dormant: 'claim.dormant', expire: 'claim.expire' } as const;
const DAY = 86_400_000;

/**
 * (Re)plans a protected claim's lifecycle: the dormancy warning `dormancy_warning_days`
 * before dormancy, dormancy, and expiry at the end of protection. Earlier plans are cancelled.
 */
export function planLifecycle(ctx: DomainContext, claim: Pick<Claim, 'id' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, now: Date): void {
  const subject = `claim:${claim.id}`;
  ctx.store.timers.cancel(subject, 'claim.');
  const dormant = dormancyAt(claim, terms);
  const end = protectionEnd(claim, terms);
  const activity = claim.lastActivityAt.toISOString();
  if (dormant < end) {
    const warn = new Date(dormant.getTime() - terms.dormancy_warning_days * DAY);
    if (terms.dormancy_warning_days > 0) ctx.store.timers.schedule({ kind: CLAIM_TIMER.warn, subject, dueAt: warn, payload: { activity } }, now);
    ctx.store.timers.schedule({ kind: CLAIM_TIMER.dormant, subject, dueAt: dormant, payload: { activity } }, now);
  }
  ctx.store.timers.schedule({ kind: CLAIM_TIMER.expire, subject, dueAt: end, payload: {} }, now);
}

/** The claim a lifecycle timer is about, if it is still in the state the timer was planned for. */
function stillDue(ctx: DomainContext, claimId: number, payload: Record<string, unknown>, statuses: Claim['status'][]): Claim | null {
  const c = ctx.store.claims.get(claimId);
  if (!c || !statuses.includes(c.status)) return null;
  if (payload.activity !== undefined && payload.activity !== c.lastActivityAt.toISOString()) return null;
  return c;
}

export function warnDormancy(ctx: DomainContext, claimId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, payload, ['protected']);
  if (!c) return [];
  const terms = ctx.policies().forClaim(c).policy.registration;
  const dormantAt = dormancyAt(c, terms);
  ctx.store.ledger.append({ at: now, kind: 'claim.dormancy_warning', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: { dormantAt: dormantAt.toISOString() } });
  return [{ type: 'claim.dormancy_warning', claim: c, dormantAt }];
}

export function markDormant(ctx: DomainContext, claimId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, payload, ['protected']);
  if (!c) return [];
  ctx.store.claims.update(c.id, { status: 'dormant' });
  ctx.store.ledger.append({ at: now, kind: 'claim.dormant', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: { lastActivity: c.lastActivityAt.toISOString() } });
  return [{ type: 'claim.dormant', claim: { ...c, status: 'dormant' } }];
}

export function markExpired(ctx: DomainContext, claimId: number, _payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, {}, ['protected', 'dormant']);
  if (!c) return [];
  ctx.store.claims.update(c.id, { status: 'expired' });
  ctx.store.timers.cancel(`claim:${c.id}`, 'claim.');
  ctx.store.ledger.append({ at: now, kind: 'claim.expired', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: {} });
  return [{ type: 'claim.expired', claim: { ...c, status: 'expired' } }];
}
