import { DateTime, IANAZone } from 'luxon';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How dates read in every message: in the policy's time zone, US English ("Dec 1, 2026, 5:00 PM EST"). */
export interface TimeFormats {
  dateFmt: Intl.DateTimeFormat;
  dateTimeFmt: Intl.DateTimeFormat;
}

const formats = new Map<string, TimeFormats>();

/** The date formats of a time zone, made once: an Intl.DateTimeFormat costs more to make than many uses. */
export function formatsFor(tz: string): TimeFormats {
  let f = formats.get(tz);
  if (!f) {
    f = {
      dateFmt: new Intl.DateTimeFormat('en-US', { timeZone: tz, dateStyle: 'medium' }),
      dateTimeFmt: new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' }),
    };
    formats.set(tz, f);
  }
  return f;
}

/**
 * A zone's UTC offset (minutes) at an instant, remembered per day when it is the same at both
 * ends of the day (no change of the clocks inside): claims' dates crowd around a few days, and
 * asking the zone costs microseconds each time.
 */
const zoneOffsets = new Map<string, (t: number) => number>();
export function offsetsOf(name: string): (t: number) => number {
  let f = zoneOffsets.get(name);
  if (f) return f;
  const zone = IANAZone.create(name);
  const days = new Map<number, number>();
  f = (t: number) => {
    const day = Math.floor(t / DAY_MS);
    const known = days.get(day);
    if (known !== undefined) return known;
    const start = zone.offset(day * DAY_MS);
    if (zone.offset((day + 1) * DAY_MS - 1) !== start) return zone.offset(t);
    if (days.size > 5_000) days.clear();
    days.set(day, start);
    return start;
  };
  zoneOffsets.set(name, f);
  return f;
}

/**
 * Whether `at` is the very start of a day where `tz` is: midnight, or, on a day whose midnight
 * the clocks skip, the first moment that day has.
 */
export function startsLocalDay(at: Date, tz: string): boolean {
  const t = at.getTime();
  const offsets = offsetsOf(tz);
  const offset = offsets(t);
  const intoDay = (((t + offset * 60_000) % DAY_MS) + DAY_MS) % DAY_MS;
  if (intoDay === 0) return true;
  // Early in the day: maybe the start of a day that has no midnight, which luxon knows. With the
  // same offset since three hours before, the day began at its midnight, and that was not `t`.
  if (intoDay >= 3 * 3_600_000 || offsets(t - 3 * 3_600_000) === offset) return false;
  const local = DateTime.fromMillis(t, { zone: tz });
  return local.equals(local.startOf('day'));
}
