import { CLAIM_TIMER, markDormant, markExpired, warnDormancy, warnExpiry } from '../src/core/claims/lifecycle.service.js';
import { FLAG_REVIEW_TIMER, reviewPartner } from '../src/core/claims/consequences.js';
import { CASE_REVIEW_TIMER, reviewCase } from '../src/core/disputes/review.js';
import type { DomainEvent } from '../src/core/events.js';
import { ASSIGNEE_CHECK_TIMER, breach, checkAssignee, remind, SLA_TIMER, UNREACHABLE_TIMER, unreachable, VERSION_EFFECT_TIMER, versionTakesEffect } from '../src/core/sla/sla.service.js';
import { servedPlatforms, type HandlerDeps } from './deps.js';
import { announce } from './notify.js';

export interface TimerToFire {
  kind: string;
  subject: string;
  payload: Record<string, unknown>;
}

function idOf(subject: string, prefix: string): string | null {
  return subject.startsWith(`${prefix}:`) ? subject.slice(prefix.length + 1) : null;
}

/**
 * Does a due timer's work: SLA reminders and escalation, the claim lifecycle, partner flag
 * reviews, a case looked at again after an import, the running cases looked at when a policy
 * version takes effect, a case whose assignee's card bounced (they cannot be reached); and announces what changed through the outbox. Runs inside the scheduler's
 * transaction; a timer about something that moved on does nothing. Returns the events.
 */
export function fireTimer(deps: HandlerDeps, t: TimerToFire): DomainEvent[] {
  const { ctx } = deps;
  const now = ctx.clock.now();
  const dispute = Number(idOf(t.subject, 'dispute'));
  const claim = Number(idOf(t.subject, 'claim'));
  let events: DomainEvent[];
  if (t.kind === SLA_TIMER.reminder) events = remind(ctx, dispute, t.payload, now);
  else if (t.kind === SLA_TIMER.breach) events = breach(ctx, dispute, t.payload, now);
  else if (t.kind === CLAIM_TIMER.warn) events = warnDormancy(ctx, claim, t.payload, now);
  else if (t.kind === CLAIM_TIMER.dormant) events = markDormant(ctx, claim, t.payload, now);
  else if (t.kind === CLAIM_TIMER.expiryWarn) events = warnExpiry(ctx, claim, t.payload, now);
  else if (t.kind === CLAIM_TIMER.expire) events = markExpired(ctx, claim, t.payload, now);
  else if (t.kind === FLAG_REVIEW_TIMER) events = reviewPartner(ctx, idOf(t.subject, 'partner') ?? '', now);
  else if (t.kind === CASE_REVIEW_TIMER) events = reviewCase(ctx, dispute, now, { changed: t.payload.changed === true });
  else if (t.kind === ASSIGNEE_CHECK_TIMER) events = checkAssignee(ctx, dispute, t.payload, now);
  else if (t.kind === UNREACHABLE_TIMER) events = unreachable(ctx, dispute, t.payload, now, servedPlatforms(deps));
  else if (t.kind === VERSION_EFFECT_TIMER) events = versionTakesEffect(ctx, idOf(t.subject, 'policy') ?? '', t.payload, now);
  else throw new Error(`unknown timer kind "${t.kind}"`);
  announce(deps, events, null);
  return events;
}
