import { DateTime } from 'luxon';
import { effectiveStatus, termsOf, type RegistrationTerms } from '../claims/lifecycle.js';
import type { Claim, ClaimStatus } from '../types.js';
import type { Policy } from './schema.js';

export interface PolicyVersion {
  version: string;
  /** Start of the effective date: midnight of `effective` in the policy's `timezone`. */
  effectiveAt: Date;
  /** When it was first recorded in the database (absent for a file a command that only reads did not record). */
  loadedAt?: Date;
  policy: Policy;
}

/**
 * The moment a policy takes effect: the start of its `effective` day in its own `timezone`
 * (a New York policy effective 2026-12-02 applies from 05:00 UTC that day, not from UTC midnight).
 */
export function effectiveInstant(policy: Pick<Policy, 'effective' | 'timezone'>): Date {
  return DateTime.fromISO(policy.effective, { zone: policy.timezone }).startOf('day').toJSDate();
}

/**
 * When a version takes effect, as a message comparing versions of two time zones says it: its
 * date, the start of that day in its zone and the same moment in UTC
 * (`2026-11-01 at 00:00 Asia/Tokyo, which is 2026-10-31 15:00 UTC`).
 */
export function effectiveMoment(policy: Pick<Policy, 'effective' | 'timezone'>): string {
  const at = effectiveInstant(policy);
  const local = DateTime.fromJSDate(at, { zone: policy.timezone }).toFormat('HH:mm');
  return `${policy.effective} at ${local} ${policy.timezone}, which is ${DateTime.fromJSDate(at, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm')} UTC`;
}

/**
 * The earliest effective date a version in `timezone` may have to take effect no earlier than
 * `at`: the date of `at` there, or the day after when that day starts before `at` (the same date
 * in a zone further east starts earlier).
 */
export function firstEffectiveDate(at: Date, timezone: string): string {
  const day = DateTime.fromJSDate(at, { zone: timezone }).toISODate()!;
  if (effectiveInstant({ effective: day, timezone }).getTime() >= at.getTime()) return day;
  return DateTime.fromISO(day, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
}

/**
 * The set of policy versions ever loaded. A claim is judged under the version in force
 * when it was registered: the one with the latest effective date not after that moment
 * (the earliest version for anything older than every version).
 */
export class PolicyBook {
  private readonly sorted: PolicyVersion[];
  private readonly terms = new WeakMap<PolicyVersion, RegistrationTerms>();
  constructor(versions: readonly PolicyVersion[]) {
    if (versions.length === 0) throw new Error('PolicyBook needs at least one policy version');
    this.sorted = [...versions].sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime());
  }
  inForceAt(at: Date): PolicyVersion {
    let found = this.sorted[0]!;
    for (const v of this.sorted) if (v.effectiveAt.getTime() <= at.getTime()) found = v;
    return found;
  }
  /**
   * The version in force on a calendar date (`YYYY-MM-DD`): the latest whose effective date is
   * on or before it (each version takes effect at midnight of its own date, in its own zone).
   */
  onDate(day: string): PolicyVersion {
    let found = this.sorted[0]!;
    for (const v of this.sorted) if (v.policy.effective <= day) found = v;
    return found;
  }
  byVersion(version: string): PolicyVersion | undefined {
    return this.sorted.find((v) => v.version === version);
  }
  /** The version for a stored claim: its recorded version, or the one in force at its time. */
  forClaim(claim: { policyVersion: string; registeredAt: Date }): PolicyVersion {
    return this.byVersion(claim.policyVersion) ?? this.inForceAt(claim.registeredAt);
  }
  /** A stored claim's registration terms: those of its own version (forClaim), made once per version. */
  termsFor(claim: { policyVersion: string; registeredAt: Date }): RegistrationTerms {
    const v = this.forClaim(claim);
    let terms = this.terms.get(v);
    if (!terms) this.terms.set(v, (terms = Object.freeze(termsOf(v.policy))));
    return terms;
  }
  /** A stored claim's status at `now` under its own terms, whether or not the timers have stored it yet (effectiveStatus). */
  statusOf(claim: Pick<Claim, 'status' | 'registeredAt' | 'protectedUntil' | 'lastActivityAt' | 'policyVersion'>, now: Date): ClaimStatus {
    return effectiveStatus(claim, this.termsFor(claim), now);
  }
  /**
   * A person's name: from the newest version that names them (someone since removed from
   * `people` keeps the name they had), else the key itself.
   */
  nameOf(key: string): string {
    for (let i = this.sorted.length - 1; i >= 0; i--) {
      const person = this.sorted[i]!.policy.people[key];
      if (person && Object.hasOwn(this.sorted[i]!.policy.people, key)) return person.name;
    }
    return key;
  }
  get all(): readonly PolicyVersion[] {
    return this.sorted;
  }
}
