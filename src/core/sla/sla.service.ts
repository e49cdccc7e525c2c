import { caseNamedBy, formerPerson, leftWords, refuseRecused, type Principal } from '../authz.js';
import { calendarOf, type DomainContext } from '../context.js';
import { caseKindTitle, caseKindWords } from '../disputes/case-kind.js';
import { DomainError } from '../errors.js';
import type { ChatPlatform, DomainEvent } from '../events.js';
import { arbitrationChain, coverageFor } from '../ownership/coverage.js';
import type { PolicyBook, PolicyVersion } from '../policy/versions.js';
import type { Claim, Dispute } from '../types.js';
import { parseDuration } from './duration.js';
import { formatsFor } from '../time-format.js';
import { reviewCase } from '../disputes/review.js';
import { reviewPartner } from '../claims/consequences.js';
import { filersOf, involvedPayload, involvementOf, recusedPayload, stakesIn, type Involvement } from '../disputes/recusal.js';

export const SLA_TIMER = { reminder: 'sla.reminder', breach: 'sla.breach' } as const;
/**
 * The timer that, when a recorded policy version takes effect, looks for running cases whose
 * assignee it no longer names (subject `policy:<version>`); and the one that hands such a case
 * on. Not `sla.` timers: handing a case on (which cancels those) must not cancel them.
 */
export const VERSION_EFFECT_TIMER = 'policy.effective';
export const ASSIGNEE_CHECK_TIMER = 'dispute.assignee';
/**
 * The timer a case card (or reminder) that bounced sets: its person's user on that platform is
 * deactivated or gone (see unreachable). Set with the bounce's record, so a crash loses neither.
 */
export const UNREACHABLE_TIMER = 'dispute.unreachable';
/** The ledger entry of such a bounce, naming the person, the level of the case and the platform (see unreachable). */
export const UNREACHABLE_ENTRY = 'dispute.unreachable';
/** Times (15 s apart) a version's timer waits for a version another process recorded to be taken in. */
const VERSION_WAIT_TRIES = 40;
export const SNOOZE_OPTIONS = ['1h', '4h', 'next-business-day'] as const;
export type SnoozeOption = (typeof SNOOZE_OPTIONS)[number];

/** Whether a case's SLA has run out at `now`: due this very moment counts (the queue, the case card, stats and the reminders agree). */
export function pastDue(d: Pick<Dispute, 'dueAt'>, now: Date): boolean {
  return d.dueAt !== null && d.dueAt.getTime() <= now.getTime();
}

export function versionOfDispute(ctx: DomainContext, d: Dispute): PolicyVersion {
  const book = ctx.policies();
  return book.byVersion(d.policyVersion) ?? book.inForceAt(d.createdAt);
}

/**
 * The version a case is operated under: the one in force when it opened. Who arbitrates and
 * escalates is operations, not criteria: it follows this version, while the case is judged
 * under its own (grandfathered) `policyVersion`.
 */
export function operationsVersionOf(ctx: DomainContext, d: Dispute): PolicyVersion {
  return ctx.policies().inForceAt(d.createdAt);
}

/**
 * The people who may rule a case, [arbitrator, ...escalation]: those of the coverage rule the
 * case was opened under (`coverageName`, not the account's coverage today, which an import may
 * have changed while the case was open), in the version in force when the case opened. A case
 * stored before that rule named its coverage from its own version: the name is looked up there
 * when the version in force then no longer has it.
 */
export function chainOf(ctx: DomainContext, d: Dispute): string[] {
  const chains: string[][] = [];
  for (const policy of [operationsVersionOf(ctx, d).policy, versionOfDispute(ctx, d).policy]) {
    const rule = policy.coverage.find((c) => c.name === d.coverageName);
    if (rule) chains.push(arbitrationChain(rule));
  }
  // The chain the case is on: the one whose step at its level is its assignee (a case opened
  // before arbitration followed the version in force went along its own version's chain; one
  // handed on because everybody of its chain left the policy is on the chain of the account's
  // coverage in force now: see fallbackOf), unless the policy in force no longer names that
  // assignee: then the chain in force.
  const onLevel = (c: string[]) => c[d.escalationLevel] === d.arbitrator;
  let onIt: string[] | undefined;
  if (isNamed(ctx, d.arbitrator)) {
    onIt = chains.find(onLevel);
    const current = onIt ? null : coverageChainNow(ctx, d);
    if (current && onLevel(current)) onIt = current;
  }
  onIt ??= chains[0];
  if (onIt) return onIt;
  const account = ctx.store.accounts.get(d.accountId);
  return account ? arbitrationChain(coverageFor(account, operationsVersionOf(ctx, d).policy)) : [d.arbitrator];
}

/** Whether the policy in force names this person: one removed from `people` can neither be reached nor rule. */
function isNamed(ctx: DomainContext, key: string): boolean {
  return Object.hasOwn(ctx.policies().inForceAt(ctx.clock.now()).policy.people, key);
}

/** [arbitrator, ...escalation] of the coverage rule the account falls under in the version in force now. */
function coverageChainNow(ctx: DomainContext, d: Dispute): string[] | null {
  const account = ctx.store.accounts.get(d.accountId);
  return account ? arbitrationChain(coverageFor(account, ctx.policies().inForceAt(ctx.clock.now()).policy)) : null;
}

/** Whether `person` had the case on its chain before it moved up past them (a breach, a reassignment). */
export function passedOver(ctx: DomainContext, d: Dispute, person: string): boolean {
  return chainOf(ctx, d).slice(0, d.escalationLevel).includes(person);
}

/**
 * Who may rule a case now: its assignee and those above them on its chain, of the people the
 * policy in force names. Should it name none of them (they all left `people`), those of the
 * account's coverage rule in force: a case is never left with nobody who may rule it.
 */
export function rulersOf(ctx: DomainContext, d: Dispute): string[] {
  return withoutInvolved(namedRulersOf(ctx, d), stakesIn(ctx, d));
}

/**
 * The cases of `cases` that `person` may rule now (see rulersOf), in their order: who filed
 * the claims of those they might rule but for recusal is read in one query, not case by case.
 */
export function ruledBy(ctx: DomainContext, cases: readonly Dispute[], person: string): Dispute[] {
  const theirs = cases.map((d) => ({ d, named: namedRulersOf(ctx, d) })).filter(({ named }) => named.includes(person));
  const asked = theirs.filter(({ named }) => named.length > 1);
  const filers = filersOf(ctx, asked.flatMap(({ d }) => d.claimIds), asked.map(({ d }) => d.raisedBy));
  return theirs.filter(({ d, named }) => withoutInvolved(named, stakesIn(ctx, d, filers)).includes(person)).map(({ d }) => d);
}

/** {@link rulersOf} before recusal: the named people of the case's chain from its assignee on, else of the account's coverage in force. */
function namedRulersOf(ctx: DomainContext, d: Dispute): string[] {
  const chain = chainOf(ctx, d);
  const onChain = [...new Set([d.arbitrator, ...chain.slice(d.escalationLevel)])].filter((k) => isNamed(ctx, k));
  if (onChain.length > 0) return onChain;
  const fallback = fallbackOf(ctx, d);
  return fallback ? fallback.chain.slice(fallback.level).filter((k) => isNamed(ctx, k)) : [];
}

/**
 * Recusal: nobody rules on a case they have a part in (filed one of its claims, raised it),
 * unless all of them do: then nobody else could, and they still may. One alone rules it
 * whatever their part, and nobody's part is read.
 */
function withoutInvolved(named: string[], stake: (person: string) => Involvement | null): string[] {
  if (named.length < 2) return named;
  const uninvolved = named.filter((k) => !stake(k));
  return uninvolved.length > 0 ? uninvolved : named;
}

/**
 * `person`'s part in case `d` as the reason they may not rule on it: they are of its chain (or its
 * assignee), who might rule on it but for that part. Null for anyone else, who may not rule on it
 * whatever their part (a claim they filed is not why).
 */
export function recusalOf(ctx: DomainContext, d: Dispute, person: string): Involvement | null {
  return person === d.arbitrator || chainOf(ctx, d).includes(person) ? stakesIn(ctx, d)(person) : null;
}

/**
 * The recusals behind who has a case now: those of its chain below its assignee (who would have
 * had it before them) with a part in it, and the assignee themself when they have one (nobody
 * above them is free of one). For the company's people, on its case card.
 */
export function recusalsOf(ctx: DomainContext, d: Dispute): { passed: Involvement[]; assignee: Involvement | null } {
  if (d.status !== 'open') return { passed: [], assignee: null };
  const below = [...new Set(chainOf(ctx, d).slice(0, d.escalationLevel))].filter((k) => k !== d.arbitrator && isNamed(ctx, k));
  const stake = stakesIn(ctx, d);
  return { passed: below.flatMap((k) => stake(k) ?? []), assignee: stake(d.arbitrator) };
}

/**
 * Where a case goes when the policy in force names nobody of its chain from its assignee on:
 * the chain of the account's coverage rule in force, at the case's own level or above (a case
 * escalated to a VP who left goes to the VP in force), else the first named person below it.
 */
function fallbackOf(ctx: DomainContext, d: Dispute, may: (person: string) => boolean = () => true): { chain: string[]; level: number } | null {
  const chain = coverageChainNow(ctx, d) ?? [];
  const from = Math.min(d.escalationLevel, Math.max(0, chain.length - 1));
  const order = [...chain.keys()].filter((i) => i >= from).concat([...chain.keys()].filter((i) => i < from).reverse());
  const level = order.find((i) => isNamed(ctx, chain[i]!) && may(chain[i]!));
  return level === undefined ? null : { chain, level };
}

/** When an SLA started at `from` under this version breaches (business time). */
export function slaDueAt(version: PolicyVersion, from: Date): Date {
  return calendarOf(version).addBusinessTime(from, parseDuration(version.policy.sla.arbitration));
}

/**
 * Starts an SLA for the dispute's current assignee: reminders at the policy's fractions of
 * the SLA and a breach timer, all counted in business time, in the caller's transaction.
 * Returns the due time.
 */
export function startSla(ctx: DomainContext, disputeId: number, version: PolicyVersion, level: number, from: Date): Date {
  const cal = calendarOf(version);
  const total = parseDuration(version.policy.sla.arbitration);
  const subject = `dispute:${disputeId}`;
  const dueAt = slaDueAt(version, from);
  version.policy.sla.reminders.forEach((fraction) => {
    ctx.store.timers.schedule({ kind: SLA_TIMER.reminder, subject, dueAt: cal.addBusinessTime(from, Math.round(total * fraction)), payload: { level, fraction } }, from);
  });
  // The version the SLA is counted in, for telling the business time left (see runningSla).
  ctx.store.timers.schedule({ kind: SLA_TIMER.breach, subject, dueAt, payload: { level, version: version.version } }, from);
  return dueAt;
}

/**
 * The running SLA of an open case: when it started (its breach timer was set) and the version
 * whose calendar counts it (recorded on the timer; one set by an earlier release: the version
 * in force when it was set). Null when none runs (a case past its whole escalation chain).
 */
export function runningSla(ctx: DomainContext, d: Dispute): { since: Date; version: PolicyVersion } | null {
  const breachTimer = ctx.store.timers.latestPending(`dispute:${d.id}`, SLA_TIMER.breach);
  if (!breachTimer) return null;
  const named = typeof breachTimer.payload.version === 'string' ? ctx.policies().byVersion(breachTimer.payload.version) : undefined;
  return { since: breachTimer.createdAt, version: named ?? ctx.policies().inForceAt(breachTimer.createdAt) };
}

/** A timer for a level the case has left, or a closed case, does nothing. */
function current(ctx: DomainContext, disputeId: number, level: unknown): Dispute | null {
  const d = ctx.store.disputes.get(disputeId);
  if (!d || d.status !== 'open' || d.escalationLevel !== level) return null;
  return d;
}

/** A reminder to the assigned arbitrator, while the deadline is ahead. */
export function remind(ctx: DomainContext, disputeId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  // A case with nothing left to rule (its claims all closed) is closed instead of chased. (A
  // recommended claim that closed is recommended again when its closing fires, for whoever
  // has the case then: see markExpired and reviewCasesOf.)
  const withdrawn = reviewCase(ctx, disputeId, now, { recommend: false });
  if (withdrawn.length > 0) return withdrawn;
  const d = current(ctx, disputeId, payload.level);
  // A reminder fired late (the bot was down) past the deadline says nothing: the breach does.
  if (!d || pastDue(d, now)) return [];
  // Nor does one a later reminder, also due (both fell due while the bot was down), overtook: that one says it.
  if (ctx.store.timers.dueNow(`dispute:${d.id}`, SLA_TIMER.reminder, d.escalationLevel, now)) return [];
  // An assignee the policy in force no longer names would hear nothing: the case goes on to
  // whoever can rule it now, with a fresh SLA, instead of waiting for its breach.
  if (!isNamed(ctx, d.arbitrator)) return handOn(ctx, d, now, 'left') ?? [];
  ctx.store.ledger.append({ at: now, kind: 'dispute.reminded', subject: `dispute:${d.id}`, actor: 'sla', policyVersion: d.policyVersion, payload: { arbitrator: d.arbitrator, level: d.escalationLevel, dueAt: d.dueAt?.toISOString() ?? null } });
  return [{ type: 'dispute.reminder', dispute: d }];
}

/**
 * Has a newly recorded policy version looked at the running cases when it takes effect (now,
 * when it already has): see versionTakesEffect. In the transaction that records the version, so
 * a crash loses neither.
 */
export function scheduleVersionEffect(store: DomainContext['store'], version: Pick<PolicyVersion, 'version' | 'effectiveAt'>, now: Date): void {
  const dueAt = new Date(Math.max(version.effectiveAt.getTime(), now.getTime()));
  store.timers.schedule({ kind: VERSION_EFFECT_TIMER, subject: versionSubject(version.version), dueAt, payload: {} }, now);
}

/**
 * The recorded versions yet to take effect with no timer for it (an earlier release recorded
 * them without one); the first version of all changes nothing and needs none.
 */
export function versionsAwaitingEffect(store: DomainContext['store'], book: PolicyBook, now: Date): PolicyVersion[] {
  return book.all.filter((v, i) => i > 0 && v.effectiveAt.getTime() > now.getTime() && !store.timers.pending(versionSubject(v.version), VERSION_EFFECT_TIMER));
}

const versionSubject = (version: string) => `policy:${version}`;

/**
 * A recorded policy version takes effect: every running case whose assignee the policy in force
 * no longer names is handed on (see checkAssignee), at once rather than at its next reminder,
 * which may never come (past the last one, the case would wait for its breach and count as
 * one). Cases opened under the version before, and those opened since it was recorded, alike.
 * And every partner's flag is looked at again under the version's consequences.
 */
export function versionTakesEffect(ctx: DomainContext, version: string, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  if (waitForVersion(ctx, VERSION_EFFECT_TIMER, versionSubject(version), version, payload, now)) return [];
  // One timer per case, so a policy change over thousands of cases is worked off in the
  // scheduler's short groups, not in one long transaction.
  for (const d of ctx.store.disputes.open()) if (!isNamed(ctx, d.arbitrator)) ctx.store.timers.schedule({ kind: ASSIGNEE_CHECK_TIMER, subject: `dispute:${d.id}`, dueAt: now, payload: { version } }, now);
  // Partners flagged, or not, as this version counts them (its threshold and window): the flag
  // set or lifted now, with its ledger entry and partner ops told, not at the partner's next
  // violation (under notify-only, being told is the whole consequence).
  return ctx.store.partners.all().flatMap((p) => reviewPartner(ctx, p.id, now));
}

/**
 * A timer about a version this process has not taken in yet (another process recorded it: an
 * import run with a new ROE_POLICY, a second server) is scheduled again 15 s later, as this
 * process takes new versions in within seconds. True when it was. After ten minutes of that
 * it fails, naming the version, so that the scheduler logs it and tries it a few more times.
 */
export function waitForVersion(ctx: DomainContext, kind: string, subject: string, version: unknown, payload: Record<string, unknown>, now: Date): boolean {
  if (typeof version !== 'string' || ctx.policies().byVersion(version)) return false;
  const tries = typeof payload.tries === 'number' ? payload.tries : 0;
  if (tries >= VERSION_WAIT_TRIES) throw new Error(`policy version "${version}" is recorded in the database but this process has not loaded it; is another release of the bot running on the same file?`);
  ctx.store.timers.schedule({ kind, subject, dueAt: new Date(now.getTime() + 15_000), payload: { ...payload, tries: tries + 1 } }, now);
  return true;
}

/** A running case whose assignee the policy in force no longer names is handed on (see handOn); one with nothing left to rule is closed instead. */
export function checkAssignee(ctx: DomainContext, disputeId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  if (waitForVersion(ctx, ASSIGNEE_CHECK_TIMER, `dispute:${disputeId}`, payload.version, payload, now)) return [];
  const withdrawn = reviewCase(ctx, disputeId, now, { recommend: false });
  if (withdrawn.length > 0) return withdrawn;
  const d = ctx.store.disputes.get(disputeId);
  if (!d || d.status !== 'open' || isNamed(ctx, d.arbitrator)) return [];
  return handOn(ctx, d, now, 'left') ?? [];
}

/** The platforms a person of the policy may be reached on, in a fixed order. */
const CHAT_PLATFORMS: readonly ChatPlatform[] = ['slack', 'teams'];

/**
 * Has {@link unreachable} look at case `disputeId` now: a case card (or reminder) for `person`
 * bounced on `platform`, their user there deactivated or gone. In the transaction that records
 * the bounce (the message parked), so that a crash loses neither. No user id is kept: the person
 * of the policy and the platform say who.
 */
export function scheduleUnreachable(store: DomainContext['store'], bounce: { disputeId: number; person: string; platform: ChatPlatform }, now: Date): void {
  store.timers.schedule({ kind: UNREACHABLE_TIMER, subject: `dispute:${bounce.disputeId}`, dueAt: now, payload: { person: bounce.person, platform: bounce.platform } }, now);
}

/**
 * The platforms on which a case card (or reminder) of the assignee of `d` bounced while they have
 * it at its level (see unreachable): read from the case's own ledger entries.
 */
export function bouncedOn(ctx: DomainContext, d: Pick<Dispute, 'id' | 'arbitrator' | 'escalationLevel'>): Set<ChatPlatform> {
  const bounced = new Set<ChatPlatform>();
  for (const e of ctx.store.ledger.about([`dispute:${d.id}`], [UNREACHABLE_ENTRY])) {
    const p = e.payload !== null && typeof e.payload === 'object' ? (e.payload as Record<string, unknown>) : {};
    if (p.person === d.arbitrator && p.level === d.escalationLevel && CHAT_PLATFORMS.includes(p.platform as ChatPlatform)) bounced.add(p.platform as ChatPlatform);
  }
  return bounced;
}

/**
 * A case card (or reminder) for `payload.person` bounced on `payload.platform`: their user there
 * is deactivated or gone (see scheduleUnreachable). Nothing happens unless they still have the
 * case, open (it moved on or closed meanwhile: their card is stale anyway), and this platform's
 * bounce is the first for them at its level (a second bounce, a reminder's or a parked card
 * retried, or a restart, changes nothing). Otherwise the bounce is a `dispute.unreachable` ledger
 * entry, and:
 * - when the policy in force gives them an id on another of `served` (the platforms the bot
 *   serves) that has not bounced, the case stays: their card goes there (`tryOn`);
 * - else the case moves on at once as at a breach (the next of its chain with no part in it, a
 *   fresh SLA), as a `dispute.reassigned` entry naming the platforms in `unreachable`, not
 *   counted as a breach;
 * - with nobody to hand it to (the last of its chain, or everybody after them in it has a part
 *   in the case, who may not rule on it), it stays with them, SLA running, and goes
 *   to the escalation channel (`tryOn` null; with none named for a platform the bot serves, the
 *   operator's log says so: see announce).
 */
export function unreachable(ctx: DomainContext, disputeId: number, payload: Record<string, unknown>, now: Date, served: readonly ChatPlatform[]): DomainEvent[] {
  const { person, platform } = payload;
  if (typeof person !== 'string' || !CHAT_PLATFORMS.includes(platform as ChatPlatform)) return [];
  const on = platform as ChatPlatform;
  const withdrawn = reviewCase(ctx, disputeId, now, { recommend: false });
  if (withdrawn.length > 0) return withdrawn;
  const d = ctx.store.disputes.get(disputeId);
  if (!d || d.status !== 'open' || d.arbitrator !== person) return [];
  // Someone the policy in force no longer names is handed on as one who left (see checkAssignee).
  const people = ctx.policies().inForceAt(now).policy.people;
  if (!Object.hasOwn(people, person)) return [];
  const subject = `dispute:${d.id}`;
  const level = d.escalationLevel;
  const bounced = bouncedOn(ctx, d);
  if (bounced.has(on)) return [];
  bounced.add(on);
  const ids = people[person]!;
  const tryOn = CHAT_PLATFORMS.find((pl) => served.includes(pl) && !bounced.has(pl) && (pl === 'slack' ? ids.slack : ids.teams)) ?? null;
  const all = CHAT_PLATFORMS.filter((pl) => bounced.has(pl));
  const to = tryOn ? null : handOnTarget(ctx, d, 'unreachable');
  const outcome = tryOn ? { tryOn } : to ? { moved: true } : { kept: true };
  ctx.store.ledger.append({ at: now, kind: UNREACHABLE_ENTRY, subject, actor: 'sla', policyVersion: versionOfDispute(ctx, d).version, payload: { person, level, platform: on, ...outcome } });
  if (tryOn) return [{ type: 'dispute.unreachable', dispute: d, person, bounced: all, tryOn }];
  return handOn(ctx, d, now, 'unreachable', all) ?? [{ type: 'dispute.unreachable', dispute: d, person, bounced: all, tryOn: null }];
}

/**
 * The SLA was breached: the case moves to the next person of the escalation chain with a
 * fresh SLA; past the end of the chain it is posted to the escalation channel.
 */
export function breach(ctx: DomainContext, disputeId: number, payload: Record<string, unknown>, now: Date): DomainEvent[] {
  const withdrawn = reviewCase(ctx, disputeId, now, { recommend: false });
  if (withdrawn.length > 0) return withdrawn;
  const d = current(ctx, disputeId, payload.level);
  if (!d) return [];
  const handed = handOn(ctx, d, now, 'breach');
  if (handed) return handed;
  ctx.store.timers.cancel(`dispute:${d.id}`, 'sla.');
  // Those above the assignee the breach could not hand it to for their part in it (recusal): the
  // entry names them, so that `last` is not read as the end of the chain when they were why.
  const stake = stakesIn(ctx, d);
  const recused = chainOf(ctx, d)
    .slice(d.escalationLevel + 1)
    .filter((k) => k !== d.arbitrator && isNamed(ctx, k))
    .flatMap((k) => stake(k) ?? []);
  ctx.store.ledger.append({ at: now, kind: 'dispute.escalated_to_channel', subject: `dispute:${d.id}`, actor: 'sla', policyVersion: versionOfDispute(ctx, d).version, payload: { last: d.arbitrator, ...recusedPayload(recused) } });
  return [{ type: 'dispute.chain_exhausted', dispute: d }];
}

/** Why a case is handed on: see handOn. */
type HandOnWhy = 'breach' | 'left' | 'recused' | 'unreachable';

/**
 * The level of its chain a hand-on starts looking from: a breach (or a recusal, or an assignee
 * who cannot be reached) moves the case up; an assignee who left leaves it at its level when the
 * chain has someone else there (a version dated back before the case opened puts the new
 * arbitrator at the level of the one who left), else it moves up too.
 */
const handOnStart = (d: Dispute, why: HandOnWhy) => (why === 'left' ? d.escalationLevel : d.escalationLevel + 1);

/** Where {@link handOn} hands `d` (the chain and the level on it), or null: nobody to hand it to. */
function handOnTarget(ctx: DomainContext, d: Dispute, why: HandOnWhy, chain = chainOf(ctx, d), stake = stakesIn(ctx, d)): { chain: string[]; level: number } | null {
  const start = handOnStart(d, why);
  const pick = (may: (k: string) => boolean): { chain: string[]; level: number } | null => {
    let level = start;
    while (level < chain.length && (!isNamed(ctx, chain[level]!) || chain[level] === d.arbitrator || !may(chain[level]!))) level++;
    if (level < chain.length) return { chain, level };
    return !isNamed(ctx, d.arbitrator) ? fallbackOf(ctx, d, may) : null;
  };
  // Nobody ahead free of a part in it: an assignee who left hands it to someone involved rather
  // than to nobody (they can rule on it no more); so does a breach, or a bounce, of an assignee
  // with a part in it themself (everybody of its chain has one, and each still may rule on it: see
  // rulersOf), as it would without recusal. An assignee free of one who cannot be reached keeps
  // it, as at a breach: it goes to the escalation channel (see unreachable), never to someone who
  // filed a claim in it or raised it, who may not rule on it while they do not.
  return pick((k) => !stake(k)) ?? (why === 'left' || ((why === 'breach' || why === 'unreachable') && stake(d.arbitrator)) ? pick(() => true) : null);
}

/** Whom a breach hands a case to, or why nobody: see breachOutcome. */
export type BreachOutcome = { to: string } | { to: null; why: 'last' | 'recused' };

/**
 * What the breach of an open case's SLA will do, as it stands now: hand it on to `to` (it
 * escalates), or, with nobody to hand it to (see handOn), leave it with its assignee, overdue
 * (posted to the escalation channel, when the policy names one): because they are the last of
 * its chain (`last`), or because everybody above them on it has a part in the case (`recused`).
 * What the reminder, a refused snooze and the post past the chain say of it.
 */
export function breachOutcome(ctx: DomainContext, d: Dispute): BreachOutcome {
  const chain = chainOf(ctx, d);
  const stake = stakesIn(ctx, d);
  const to = handOnTarget(ctx, d, 'breach', chain, stake);
  if (to) return { to: to.chain[to.level]! };
  const above = chain.slice(d.escalationLevel + 1).filter((k) => k !== d.arbitrator && isNamed(ctx, k));
  return { to: null, why: above.some((k) => stake(k)) ? 'recused' : 'last' };
}

/**
 * Why a breach hands a case to nobody, said to its assignee: "you are the last in its escalation
 * chain", "everybody above you in its escalation chain has a part in it".
 */
export function pastChainWords(why: 'last' | 'recused'): string {
  return why === 'recused' ? 'everybody above you in its escalation chain has a part in it' : 'you are the last in its escalation chain';
}

/**
 * Hands an open case on, with a fresh SLA under the version in force now (its length, business
 * hours and holidays): at a breach (`breach`), because the policy in force no longer names its
 * assignee (`left`), because its assignee now has a part in it (`recused`: they filed a claim
 * that joined it), or because nothing reaches its assignee any more (`unreachable`: their case
 * card bounced on every platform the bot serves them on, named in the entry's `unreachable`;
 * see unreachable). It goes to the next person of its chain whom the policy still names (one
 * removed from `people` could neither be reached nor rule) and who has no part in the case
 * (recusal: one who filed one of its claims or raised it is passed over, and named in the ledger
 * entry's `recused`); when the assignee has left and nobody after them is named, to the account's
 * coverage rule in force (see fallbackOf). Null when there is nobody to hand it to: past the end
 * of the chain of an assignee still named (or with everybody left on it involved), the case goes
 * to the escalation channel at a breach (see breach), and stays with an assignee who filed a
 * claim in it (and with one free of a part in it who cannot be reached: see unreachable). An
 * assignee who left, or who breached or cannot be reached with a part in it themself (nobody of the
 * chain is free of one), hands it to someone involved rather than to nobody: the entry names their
 * part in `involved`.
 */
function handOn(ctx: DomainContext, d: Dispute, now: Date, why: HandOnWhy, unreachableOn: readonly ChatPlatform[] = []): DomainEvent[] | null {
  const chain = chainOf(ctx, d);
  const stake = stakesIn(ctx, d);
  const start = handOnStart(d, why);
  const to = handOnTarget(ctx, d, why, chain, stake);
  if (!to) return null;
  const { level } = to;
  const next = to.chain[level]!;
  // Those with a part in the case it passed over on its way (and the assignee who filed a claim in it).
  const passed = [...(why === 'recused' ? [d.arbitrator] : []), ...(to.chain === chain ? chain.slice(start, level) : [])];
  const recused = [...new Set(passed)].filter((k) => k !== next && isNamed(ctx, k)).flatMap((k) => stake(k) ?? []);
  const subject = `dispute:${d.id}`;
  ctx.store.timers.cancel(subject, 'sla.');
  const dueAt = startSla(ctx, d.id, ctx.policies().inForceAt(now), level, now);
  ctx.store.disputes.update(d.id, { arbitrator: next, escalationLevel: level, dueAt });
  // A breach is counted in the stats; a hand-on because someone left the policy, cannot be reached, or has a part in the case, is not.
  const kind = why === 'breach' ? 'dispute.escalated' : 'dispute.reassigned';
  const unreachable = why === 'unreachable' ? { unreachable: [...unreachableOn] } : {};
  ctx.store.ledger.append({ at: now, kind, subject, actor: 'sla', policyVersion: versionOfDispute(ctx, d).version, payload: { from: d.arbitrator, to: next, level, dueAt: dueAt.toISOString(), ...unreachable, ...recusedPayload(recused), ...involvedPayload(stake(next)) } });
  return [{ type: 'dispute.escalated', dispute: { ...d, arbitrator: next, escalationLevel: level, dueAt }, from: d.arbitrator, ...(why === 'left' ? { left: true } : {}), ...unreachable, ...(recused.length > 0 ? { recused } : {}) }];
}

/**
 * Claim `joined` joined case `d` (read after the join): when its assignee filed it, the case moves
 * on to the next person of its chain with no part in it, with a fresh SLA (a `dispute.reassigned`
 * entry naming why in `recused`, not counted as a breach). Null when it stays: someone else filed
 * it (the assignee's part is what it was), or nobody after them is free of one (then it stays
 * with them, who alone may still rule on it: a `dispute.kept` entry names their part in `involved`).
 * Only the joining claim is looked at, so that a claim of anyone else's reads none of the case's
 * claims again (the claim's transaction stays as it was). `filer`: the person of the policy its
 * filer acts as (a Teams user whose policy `teams` id is their Entra object id is not named by the
 * claim's user key), null for none.
 */
export function recuseAssignee(ctx: DomainContext, d: Dispute, joined: Pick<Claim, 'id' | 'createdBy'>, now: Date, filer: string | null = null): DomainEvent[] | null {
  const part = d.status === 'open' ? involvementOf(ctx.policies().inForceAt(now).policy.people, d.arbitrator, [joined], '', (k) => (k === joined.createdBy ? filer : null)) : null;
  if (!part) return null;
  const moved = handOn(ctx, d, now, 'recused');
  if (moved) return moved;
  // Nobody after them is free of a part: it stays with them, and the ledger says that who rules on it filed a claim in it.
  ctx.store.ledger.append({ at: now, kind: 'dispute.kept', subject: `dispute:${d.id}`, actor: 'sla', policyVersion: versionOfDispute(ctx, d).version, payload: { arbitrator: d.arbitrator, ...involvedPayload(part) } });
  return null;
}

/**
 * Snoozes the reminder of an open case for its assignee: 1 hour, 4 hours (business time) or
 * to the next business day's opening. Never past the SLA breach.
 */
export function snooze(ctx: DomainContext, principal: Principal, disputeId: number, option: SnoozeOption): { until: Date; dispute: Dispute; moved: boolean } {
  const now = ctx.clock.now();
  // Someone who may not see the case learns nothing of it, not even that it exists.
  const d = caseNamedBy(principal, ctx.store.disputes.get(disputeId), disputeId);
  // The company's people are told which kind of case it is (a claim waiting for approval is
  // named as one, as its reminder names it); anyone else is told no more than of any case.
  const name = principal.kind === 'internal' ? caseKindWords(d) : `dispute #${d.id}`;
  // Someone with a part in the case (recusal) is told so, and who rules on it instead.
  if (d.status === 'open') refuseRecused(principal, d, (k) => recusalOf(ctx, d, k), () => rulersOf(ctx, d), (k) => ctx.policies().nameOf(k));
  if (principal.kind !== 'internal' || principal.personKey !== d.arbitrator) {
    // Someone a new version removed from the policy's people (the case's arbitrator until then) is told why.
    const book = ctx.policies();
    const former = formerPerson(principal, book.all, book.inForceAt(now).policy.people);
    if (former) throw new DomainError('forbidden', `${leftWords(book.nameOf(former))}, so there is no reminder of ${name} for you to snooze.`);
    // Its assignee before the case moved up the chain (a reminder of theirs not yet brought up to
    // date) is told where it went, or that it closed: they were the assigned arbitrator.
    const key = principal.kind === 'internal' ? principal.personKey : null;
    const level = key !== null ? chainOf(ctx, d).indexOf(key) : -1;
    if (level >= 0 && level < d.escalationLevel) {
      if (d.status !== 'open') throw new DomainError('already_ruled', `${caseKindTitle(d)} is already closed; nothing to snooze.`);
      throw new DomainError('forbidden', `Only the assigned arbitrator can snooze reminders of ${name}: it moved to ${book.nameOf(d.arbitrator)}, who rules on it now.`);
    }
    throw new DomainError('forbidden', `Only the assigned arbitrator can snooze reminders of ${name}.`);
  }
  // From here on, the one told is its arbitrator (one of the company's people).
  const title = caseKindTitle(d);
  if (d.status !== 'open') throw new DomainError('already_ruled', `${title} is already closed; nothing to snooze.`);
  if (!SNOOZE_OPTIONS.includes(option)) throw new DomainError('invalid_input', `Snooze for ${SNOOZE_OPTIONS.join(', ')}.`);
  // Past its breach (the last of the chain keeps the case, overdue) no reminder rings any more:
  // no snooze, however short, is left to pick.
  if (pastDue(d, now)) throw new DomainError('invalid_input', `${title} is overdue: its SLA has run out, so no reminder is left to snooze.`);
  const version = versionOfDispute(ctx, d);
  // Counted in the calendar the case's SLA runs in (the version in force when it started), as
  // its deadline is: a version since, with other hours or another time zone, changes neither.
  const running = runningSla(ctx, d);
  const cal = calendarOf(running?.version ?? ctx.policies().inForceAt(d.createdAt));
  const untilOf = (o: SnoozeOption) => (o === 'next-business-day' ? cal.nextBusinessDayStart(now) : cal.addBusinessTime(now, parseDuration(o)));
  const until = untilOf(option);
  const dueAt = d.dueAt;
  if (dueAt && until.getTime() >= dueAt.getTime()) {
    // The last of its chain (or one with everybody above them involved in the case) keeps it once
    // it breaches: it does not escalate, it is overdue.
    const outcome = breachOutcome(ctx, d);
    // Too close to the breach for even the shortest snooze (a reminder read the next morning,
    // before the office opens): no shorter one is there to pick.
    if (SNOOZE_OPTIONS.every((o) => untilOf(o).getTime() >= dueAt.getTime())) {
      // In the policy's time zone, as every date people read (see assertOpen).
      const when = formatsFor(operationsVersionOf(ctx, d).policy.timezone).dateTimeFmt.format(dueAt);
      throw new DomainError('invalid_input', `No snooze is left to pick: even the shortest would snooze past the SLA breach (${when}), when ${name} ${outcome.to === null ? `becomes overdue (${pastChainWords(outcome.why)})` : 'escalates'}.`);
    }
    throw new DomainError('invalid_input', `That would snooze past the SLA breach, when the case ${outcome.to === null ? `becomes overdue: ${pastChainWords(outcome.why)}` : 'escalates'}. Pick a shorter snooze.`);
  }
  const subject = `dispute:${d.id}`;
  // Reminders that would ring during the snooze are dropped; later ones stay as planned. The
  // reminder that rang (or one that would have rung) rings again when the snooze ends; with none
  // of either (no reminder yet, the next one after the snooze) there is nothing to move.
  const dropped = ctx.store.timers.cancelDueBefore(subject, SLA_TIMER.reminder, until);
  const moved = dropped > 0 || ctx.store.timers.firedSince(subject, SLA_TIMER.reminder, running?.since ?? d.createdAt);
  if (!moved) return { until, dispute: d, moved };
  ctx.store.timers.schedule({ kind: SLA_TIMER.reminder, subject, dueAt: until, payload: { level: d.escalationLevel, snoozed: true } }, now);
  // Only a snooze that moved a reminder is one: "nothing to snooze" leaves no entry.
  ctx.store.ledger.append({ at: now, kind: 'dispute.reminder_snoozed', subject, actor: principal.personKey, policyVersion: version.version, payload: { until: until.toISOString(), option } });
  return { until, dispute: d, moved };
}
