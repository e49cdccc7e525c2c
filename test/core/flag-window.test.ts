import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { flagLiftsAt, windowStart } from '../../src/core/claims/consequences.js';
import type { Policy } from '../../src/core/policy/schema.js';
import { examplePolicy } from '../support/builders.js';

/** The example policy in `timezone`, a partner flagged at `violations_to_flag` violations within `window_days`. */
const policyIn = (timezone: string, window_days = 30, violations_to_flag = 1): Policy => {
  const p = examplePolicy();
  return { ...p, timezone, consequences: { ...p.consequences, window_days, violations_to_flag } };
};
/** An instant as a reader in `zone` reads it (the day and time on their wall clock). */
const wall = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('yyyy-MM-dd HH:mm');

describe('the day a flag lifts: calendar days in the policy’s time zone, not days of 24 hours', () => {
  // Registered on one side of a change to or from summer time, the flag lifting on the other:
  // the violation leaves the window at the same time of day it was registered, on the day
  // `window_days` later, as the policy's people count days.
  it.each([
    ['Europe/Berlin, into summer time (Mar 28, 2027)', 'Europe/Berlin', '2027-03-10T09:00:00Z', '2027-04-09T08:00:00.000Z', '2027-04-09 10:00'],
    ['Europe/Berlin, out of summer time (Oct 31, 2027)', 'Europe/Berlin', '2027-10-15T08:00:00Z', '2027-11-14T09:00:00.000Z', '2027-11-14 10:00'],
    ['Europe/Berlin, registered late in the evening: the day is not the next one', 'Europe/Berlin', '2027-03-10T22:30:00Z', '2027-04-09T21:30:00.000Z', '2027-04-09 23:30'],
    ['America/New_York, into summer time (Mar 14, 2027)', 'America/New_York', '2027-03-01T15:00:00Z', '2027-03-31T14:00:00.000Z', '2027-03-31 10:00'],
    ['America/New_York, out of summer time (Nov 7, 2027)', 'America/New_York', '2027-10-20T14:00:00Z', '2027-11-19T15:00:00.000Z', '2027-11-19 10:00'],
    ['America/New_York, late in the evening, out of summer time', 'America/New_York', '2027-10-21T03:30:00Z', '2027-11-20T04:30:00.000Z', '2027-11-19 23:30'],
    ['UTC: days of 24 hours', 'UTC', '2027-03-10T09:00:00Z', '2027-04-09T09:00:00.000Z', '2027-04-09 09:00'],
  ])('%s', (_name, zone, registered, lifts, reads) => {
    const policy = policyIn(zone);
    const at = flagLiftsAt([new Date(registered)], policy)!;
    expect(at.toISOString()).toBe(lifts);
    expect(wall(at, zone)).toBe(reads);
    expect(wall(at, zone).slice(11)).toBe(wall(new Date(registered), zone).slice(11));
    // The window the flag and the stats count: the violation counts up to that moment, and not from it on.
    expect(windowStart(policy, new Date(at.getTime() - 1)).getTime()).toBeLessThan(new Date(registered).getTime());
    expect(windowStart(policy, at).getTime()).toBeGreaterThanOrEqual(new Date(registered).getTime());
  });

  it('the flag lifts at the threshold’s oldest violation leaving the window (the 180 days of the example policy, over a change of time)', () => {
    const policy = policyIn('America/New_York', 180, 3);
    const registered = ['2026-12-01T16:00:00Z', '2026-12-01T17:00:00Z', '2026-12-01T18:00:00Z', '2026-12-02T16:00:00Z'].map((x) => new Date(x));
    // The newest three count: the second leaves first, on May 30, 2027 at noon (EDT), not 1 PM.
    expect(flagLiftsAt(registered, policy)?.toISOString()).toBe('2027-05-30T16:00:00.000Z');
    expect(flagLiftsAt(registered.slice(0, 2), policy)).toBeNull();
  });

  it.each(['Europe/Berlin', 'America/New_York'])('in %s, a violation registered at any time of a day the clocks change (an hour skipped, or an hour twice) has left the window when the flag lifts (its review timer finds it gone)', (zone) => {
    const days = zone === 'Europe/Berlin' ? ['2027-03-28', '2027-10-31', '2027-02-26', '2027-10-01'] : ['2027-03-14', '2027-11-07', '2027-02-12', '2027-10-08'];
    for (const window of [1, 30, 180]) {
      const policy = policyIn(zone, window);
      for (const day of days) {
        const start = DateTime.fromISO(day, { zone }).startOf('day').toMillis();
        // Every quarter hour of that day, and of the days around it (the lift on a day the clocks change too).
        for (let t = start - 86_400_000; t < start + 2 * 86_400_000; t += 900_000) {
          const registered = new Date(t);
          const at = flagLiftsAt([registered], policy)!;
          expect(windowStart(policy, at).getTime(), `${registered.toISOString()} + ${window} days`).toBeGreaterThanOrEqual(t);
          // Never more than the hour a change of time makes from days of 24 hours.
          expect(Math.abs(at.getTime() - (t + window * 86_400_000))).toBeLessThanOrEqual(3_600_000);
        }
      }
    }
  });
});
