import type { DomainContext } from '../context.js';
import type { DomainEvent } from '../events.js';
import type { Claim } from '../types.js';
import { addDays, dormancyAt, expiryWarningDays, protectionEnd, type RegistrationTerms } from './lifecycle.js';
import { openCasesHolding, reviewCase } from '../disputes/review.js';
import { waitForVersion } from '../sla/sla.service.js';

export const CLAIM_TIMER = { warn: 'claim.dormancy_warning', dormant: 'claim.dormant', expiryWarn: 'claim.expiry_warning', expire: 'claim.expire' } as const;

type Step = keyof typeof CLAIM_TIMER;

/**
 * How the outbox key of what a claim's owner is told of a lifecycle event starts (the moment it
 * was told follows): a warning still queued when its claim's lifecycle is planned again is found by it.
 */
export function claimNoticeKey(event: 'claim.dormancy_warning' | 'claim.dormant' | 'claim.expiry_warning' | 'claim.expired', claimId: number): string {
  return `${event}:${claimId}:`;
}

/**
 * The claim's lifecycle step after `after` (or its first): the dormancy warning
 * `dormancy_warning_days` before dormancy, dormancy, and expiry at the end of protection.
 * Warning and dormancy only when dormancy comes before the end of protection; a claim that
 * runs protected to its end instead has its owner warned `expiry_warning_days` before it (not
 * when that moment has passed by `now`: activity logged in the last days, whose answer names the end).
 */
function nextStep(claim: Pick<Claim, 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, after: Step | null, now: Date): { step: Step; at: Date } {
  const dormant = dormancyAt(claim, terms);
  const end = protectionEnd(claim, terms);
  if (dormant < end) {
    if (after === null && terms.dormancy_warning_days > 0) return { step: 'warn', at: addDays(dormant, -terms.dormancy_warning_days, terms) };
    if (after === null || after === 'warn') return { step: 'dormant', at: dormant };
  } else if (after === null && expiryWarningDays(terms) > 0) {
    const at = addDays(end, -expiryWarningDays(terms), terms);
    if (at.getTime() > now.getTime()) return { step: 'expiryWarn', at };
  }
  return { step: 'expire', at: end };
}

function schedule(ctx: DomainContext, claim: Pick<Claim, 'id' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, after: Step | null, now: Date): void {
  const { step, at } = nextStep(claim, terms, after, now);
  // A step planned before claims had one timer at a time may still be pending: keep one.
  if (after !== null) ctx.store.timers.cancel(`claim:${claim.id}`, CLAIM_TIMER[step]);
  const payload = step === 'expire' ? {} : { activity: claim.lastActivityAt.toISOString() };
  ctx.store.timers.schedule({ kind: CLAIM_TIMER[step], subject: `claim:${claim.id}`, dueAt: at, payload }, now);
}

/**
 * (Re)plans a protected or dormant claim's lifecycle. A claim has one pending lifecycle timer,
 * for its next step; each step, when it fires, plans the one after it. A dormant claim (one
 * imported as dormant) has only its expiry left. Earlier plans are cancelled, unless the claim
 * is `fresh` (made in this transaction, so it has none), and so is a dormancy warning of theirs
 * still waiting in the outbox, and a warning of the end of its protection: the date it names no
 * longer holds (activity logged, a ruling, a CRM re-import moved it), and the new plan warns again
 * when its own warning falls due. Logged `activity` moves no end of protection: a warning of it
 * still waiting is kept (the new plan does not warn again once its moment has passed).
 */
export function planLifecycle(ctx: DomainContext, claim: Pick<Claim, 'id' | 'status' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt'>, terms: RegistrationTerms, now: Date, options: { fresh?: boolean; activity?: boolean } = {}): void {
  if (!options.fresh) cancelLifecycle(ctx, claim.id, { keepExpiryWarning: options.activity === true });
  schedule(ctx, claim, terms, claim.status === 'dormant' ? 'dormant' : null, now);
}

/**
 * The protected claims whose only step planned is their expiry while an earlier one is due first:
 * as a release before warnings of the end of protection planned a claim kept active (its expiry
 * alone), or before claims were planned as they are now. Read without writing: a start looks for
 * them first, and takes the write lock only when there are some (see catchUpLifecycles). One whose
 * warning of this end was already given (the ledger says so) is not among them.
 */
export function lifecyclesBehind(ctx: DomainContext, now: Date): Claim[] {
  const behind: Claim[] = [];
  // Only an expiry further off than the shortest warning of any version can have a warning ahead
  // (an hour's margin for a clock change): in a database planned by this release, next to none.
  const book = ctx.policies();
  const warnings = book.all.map((v) => expiryWarningDays(book.termsFor({ policyVersion: v.version, registeredAt: v.effectiveAt })));
  if (warnings.every((days) => days === 0)) return behind;
  const shortest = Math.min(...warnings);
  const dueAfter = new Date(now.getTime() + shortest * 86_400_000 - 3_600_000);
  for (const subject of ctx.store.timers.pendingAlone(CLAIM_TIMER.expire, 'claim.', dueAfter)) {
    const c = ctx.store.claims.get(Number(subject.slice('claim:'.length)));
    // A claim of a version this process has yet to take in (another process recorded it) is left to its next start.
    if (!c || c.status !== 'protected' || !book.byVersion(c.policyVersion)) continue;
    const terms = book.termsFor(c);
    const next = nextStep(c, terms, null, now);
    if (next.step === 'expire' || next.at.getTime() <= now.getTime()) continue;
    const end = protectionEnd(c, terms).toISOString();
    if (next.step === 'expiryWarn' && [...ctx.store.ledger.about([subject], ['claim.expiry_warning'])].some((x) => (x.payload as { endsAt?: unknown }).endsAt === end)) continue;
    behind.push(c);
  }
  return behind;
}

/**
 * Plans the next step of each claim {@link lifecyclesBehind} finds, in the caller's transaction:
 * its owner is warned of its end (or of its dormancy) as a claim planned now is. Returns how many.
 */
export function catchUpLifecycles(ctx: DomainContext, now: Date): number {
  const behind = lifecyclesBehind(ctx, now);
  for (const c of behind) {
    ctx.store.timers.cancel(`claim:${c.id}`, 'claim.');
    schedule(ctx, c, ctx.policies().termsFor(c), null, now);
  }
  return behind.length;
}

/**
 * Cancels what a claim's lifecycle has planned, in the caller's transaction: its pending timers,
 * and its dormancy warning and warning of the end of its protection if one is still waiting in
 * the outbox (then never sent, after a restart neither; `keepExpiryWarning` keeps the latter).
 * Before the lifecycle is planned again (see planLifecycle), and when a case rejects the claim
 * (an arbitrator's ruling, the criteria settling it, an approval refused): a warning reaching its
 * owner then would tell them to log activity on a claim that takes none, or of an end it no longer
 * has. The lifecycle's own steps need no withdrawal: a claim goes dormant, or its protection ends,
 * at the moment its warning names, from which the warning is stale (see `staleAt` in announce),
 * and expires after it. A claim the CRM's file closes (or makes pending) has them cancelled too: one
 * imported may have been taken on by someone in chat, who is warned.
 */
export function cancelLifecycle(ctx: DomainContext, claimId: number, options: { keepExpiryWarning?: boolean } = {}): void {
  ctx.store.timers.cancel(`claim:${claimId}`, 'claim.');
  ctx.store.outbox.withdraw(claimNoticeKey('claim.dormancy_warning', claimId));
  if (!options.keepExpiryWarning) ctx.store.outbox.withdraw(claimNoticeKey('claim.expiry_warning', claimId));
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
  // A claim of a version another process recorded (an import with a new ROE_POLICY) is judged by
  // its own terms once this process has taken that version in: not by an older version's meanwhile.
  if (waitForVersion(ctx, CLAIM_TIMER.warn, `claim:${c.id}`, c.policyVersion, payload, now)) return [];
  const terms = ctx.policies().termsFor(c);
  const dormantAt = dormancyAt(c, terms);
  schedule(ctx, c, terms, 'warn', now);
  // A warning fired late (the bot was down) once the claim is due to go dormant warns of nothing.
  if (dormantAt.getTime() <= now.getTime()) return [];
  ctx.store.ledger.append({ at: now, kind: 'claim.dormancy_warning', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: { dormantAt: dormantAt.toISOString() } });
  return [{ type: 'claim.dormancy_warning', claim: c, dormantAt }];
}

/**
 * Warns a protected claim's owner that its protection ends, `expiry_warning_days` before: logged
 * activity keeps a claim from going dormant but does not move its end. Plans its expiry.
 */
export function warnExpiry(ctx: DomainContext, claimId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, payload, ['protected']);
  if (!c) return [];
  if (waitForVersion(ctx, CLAIM_TIMER.expiryWarn, `claim:${c.id}`, c.policyVersion, payload, now)) return [];
  const terms = ctx.policies().termsFor(c);
  const endsAt = protectionEnd(c, terms);
  // Fired late (the bot was down) once protection ended: the claim expired, as it says.
  if (endsAt.getTime() <= now.getTime()) return markExpired(ctx, c.id, {}, now);
  schedule(ctx, c, terms, 'expiryWarn', now);
  ctx.store.ledger.append({ at: now, kind: 'claim.expiry_warning', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: { endsAt: endsAt.toISOString() } });
  return [{ type: 'claim.expiry_warning', claim: c, endsAt }];
}

export function markDormant(ctx: DomainContext, claimId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, payload, ['protected']);
  if (!c) return [];
  const terms = ctx.policies().termsFor(c);
  // Fired late (the bot was down) past the end of protection: the claim expired, as it says.
  if (protectionEnd(c, terms).getTime() <= now.getTime()) return markExpired(ctx, c.id, {}, now);
  ctx.store.claims.update(c.id, { status: 'dormant' });
  schedule(ctx, c, terms, 'dormant', now);
  ctx.store.ledger.append({ at: now, kind: 'claim.dormant', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: { lastActivity: c.lastActivityAt.toISOString() } });
  return [{ type: 'claim.dormant', claim: { ...c, status: 'dormant' } }];
}

export function markExpired(ctx: DomainContext, claimId: number, _payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const c = stillDue(ctx, claimId, {}, ['protected', 'dormant']);
  if (!c) return [];
  // A protection that has not ended expires nothing: an expiry planned for an end since moved
  // later (a CRM re-import re-dated the registration), fired late (`roe timers retry` of one that
  // had failed), is a step of a plan that no longer holds; the claim's new plan has its own. One
  // fired early (its retry, under a clock set back since) leaves the claim its expiry, at its end.
  const terms = ctx.policies().termsFor(c);
  if (protectionEnd(c, terms).getTime() > now.getTime()) {
    if (!Object.values(CLAIM_TIMER).some((kind) => ctx.store.timers.pending(`claim:${c.id}`, kind))) schedule(ctx, c, terms, 'dormant', now);
    return [];
  }
  // Dormant by its own lifecycle since its last activity (not by a CRM's file, which says nothing to its owner).
  const toldDormant = c.status === 'dormant' && [...ctx.store.ledger.about([`claim:${c.id}`], ['claim.dormant'])].some((x) => (x.payload as { lastActivity?: unknown }).lastActivity === c.lastActivityAt.toISOString());
  ctx.store.claims.update(c.id, { status: 'expired' });
  ctx.store.timers.cancel(`claim:${c.id}`, 'claim.');
  ctx.store.ledger.append({ at: now, kind: 'claim.expired', subject: `claim:${c.id}`, actor: 'lifecycle', policyVersion: c.policyVersion, payload: {} });
  // A case waiting on this claim may have nothing left to rule.
  const withdrawn = openCasesHolding(ctx, c).flatMap((d) => reviewCase(ctx, d.id, now));
  return [{ type: 'claim.expired', claim: { ...c, status: 'expired' }, toldDormant }, ...withdrawn];
}
