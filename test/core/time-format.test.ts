import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { startsLocalDay } from '../../src/core/time-format.js';

describe('startsLocalDay', () => {
  it.each([
    // instant (UTC), zone, starts a day there
    ['2027-02-10T05:00:00.000Z', 'America/New_York', true],
    ['2027-02-10T05:00:00.001Z', 'America/New_York', false],
    ['2027-02-10T04:59:59.999Z', 'America/New_York', false],
    ['2027-07-10T04:00:00.000Z', 'America/New_York', true], // summer time
    ['2027-02-10T00:00:00.000Z', 'America/New_York', false],
    ['2027-02-10T00:00:00.000Z', 'UTC', true],
    ['2027-02-10T01:00:00.000Z', 'UTC', false],
    ['2027-02-09T18:30:00.000Z', 'Asia/Kolkata', true], // +05:30
    ['2027-02-09T18:15:00.000Z', 'Asia/Kathmandu', true], // +05:45
    ['2027-02-09T19:00:00.000Z', 'Asia/Kolkata', false],
    ['2026-11-01T04:00:00.000Z', 'America/New_York', true], // the day the clocks go back
    ['2026-11-01T06:00:00.000Z', 'America/New_York', false], // 01:00 for the second time
    // Santiago's clocks skip from 00:00 to 01:00 on Sep 6, 2026: that day starts at 01:00.
    ['2026-09-06T04:00:00.000Z', 'America/Santiago', true],
    ['2026-09-06T04:30:00.000Z', 'America/Santiago', false],
    ['2026-09-05T04:00:00.000Z', 'America/Santiago', true],
    ['2026-09-07T03:00:00.000Z', 'America/Santiago', true],
    ['2026-09-06T05:00:00.000Z', 'America/Santiago', false], // 02:00, an hour after that start
    // Early in a day, on days the clocks change and on others.
    ['2027-02-10T06:00:00.000Z', 'America/New_York', false], // 01:00
    ['2026-03-08T06:59:59.999Z', 'America/New_York', false], // 01:59:59.999, just before the clocks skip
    ['2026-03-08T07:00:00.000Z', 'America/New_York', false], // 03:00, just after
    ['2026-11-01T05:00:00.000Z', 'America/New_York', false], // 01:00 for the first time
    ['2026-03-29T00:00:00.000Z', 'Europe/London', true], // the day the clocks go forward (at 01:00)
    ['2026-03-29T01:00:00.000Z', 'Europe/London', false], // 02:00 BST
  ] as const)('%s in %s: %s', (iso, zone, expected) => {
    const at = new Date(iso);
    expect(startsLocalDay(at, zone)).toBe(expected);
    // As luxon reads the zone's calendar.
    const local = DateTime.fromJSDate(at, { zone });
    expect(local.equals(local.startOf('day'))).toBe(expected);
  });
});
