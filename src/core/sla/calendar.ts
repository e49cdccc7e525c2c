import { DateTime, IANAZone } from 'luxon';

/** Weekday names as written in the policy's `business_hours.days`, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type Weekday = (typeof WEEKDAYS)[number];

/** Each weekday's name in full, for {@link weekdayNamed}. */
const FULL_NAMES: Record<Weekday, string> = { mon: 'monday', tue: 'tuesday', wed: 'wednesday', thu: 'thursday', fri: 'friday', sat: 'saturday', sun: 'sunday' };

/**
 * The weekday a word written for one in `business_hours.days` names, for the policy check's
 * "did you mean": its name in full (`Thursday`) or its start (`thurs`, `tues`; `weds` too), in any
 * letter case. Undefined for anything else, and for a start two weekdays share (`t`, `s`).
 */
export function weekdayNamed(word: string): Weekday | undefined {
  const w = word.trim().toLowerCase();
  if (w === 'weds') return 'wed';
  if (w.length < 2) return undefined;
  const named = WEEKDAYS.filter((d) => FULL_NAMES[d].startsWith(w));
  return named.length === 1 ? named[0] : undefined;
}

/** The policy's `timezone` plus its `business_hours`. */
export interface BusinessHoursSpec {
  /** IANA time zone, e.g. "America/New_York". */
  timezone: string;
  /** Open weekdays; must not be empty. */
  days: readonly Weekday[];
  /** Opening local time "HH:MM". */
  start: string;
  /** Closing local time "HH:MM", exclusive; "24:00" means midnight at the end of the day. */
  end: string;
  /** Closed local dates "YYYY-MM-DD". */
  holidays: readonly string[];
}

/** One day's business hours as instants (epoch ms), half-open: [open, close). */
interface Interval {
  readonly open: number;
  readonly close: number;
}

/** A local calendar date as the epoch ms of its UTC midnight, so that stepping days is plain arithmetic. */
type Day = number;

const DAY_MS = 86_400_000;
/** Local dates are remembered per slice of this many ms: no zone changes its offset twice in one. */
const SLICE_MS = 900_000;

interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

const TIME_TEXT = /^(\d{2}):(\d{2})$/;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

function parseTime(field: 'start' | 'end', text: string): LocalTime {
  const match = TIME_TEXT.exec(text);
  const hour = Number(match?.[1]);
  const minute = Number(match?.[2]);
  const valid = match !== null && ((hour < 24 && minute < 60) || (hour === 24 && minute === 0));
  if (!valid) {
    throw new Error(`business_hours ${field} "${text}" is not a time: use HH:MM from 00:00 to 24:00`);
  }
  return { hour, minute };
}

function minutesOf(time: LocalTime): number {
  return time.hour * 60 + time.minute;
}

/** The first value of an endless generator. */
function first<T>(values: Generator<T>): T {
  const result = values.next();
  if (result.done === true) throw new Error('unreachable: business intervals never run out');
  return result.value;
}

/** Luxon's weekday number of a local date: 1 = Monday … 7 = Sunday. */
function weekday(day: Day): number {
  const d = new Date(day).getUTCDay();
  return d === 0 ? 7 : d;
}

/** "YYYY-MM-DD" of a local date. */
function isoDate(day: Day): string {
  return new Date(day).toISOString().slice(0, 10);
}

function checkInstant(name: string, at: Date): number {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new Error(`${name} is an invalid Date`);
  return ms;
}

/**
 * Business hours in one IANA time zone: the half-open local wall-clock window [start, end) on
 * each listed weekday that is not a holiday.
 *
 * Every local computation goes through the zone, so daylight-saving changes are exact: a
 * 09:00–17:00 day is 8 real hours even on a transition day, and a 00:00–24:00 day on one is 23
 * or 25 real hours. A window opens (and closes) the first time the clock shows its time or a
 * later one: a time skipped by spring-forward at the jump, a time the clock shows twice (the
 * hour repeated by fall-back) at its first occurrence.
 * Open every day 00:00–24:00 with no holidays, the calendar is plain elapsed time.
 *
 * Pure: no clock, no I/O. Loops step one local day at a time, so cost grows with the number of
 * calendar days spanned, never with the length of a day.
 */
export class BusinessCalendar {
  readonly timezone: string;
  readonly #days: ReadonlySet<number>; // luxon weekday numbers, 1 = Monday
  readonly #start: LocalTime;
  readonly #end: LocalTime;
  readonly #holidays: ReadonlySet<string>;
  /** More consecutive days than this without business hours means the calendar is broken. */
  readonly #maxClosedRun: number;
  /** Each local date's interval (null: closed) once worked out: the calendar never changes. */
  readonly #byDay = new Map<Day, Interval | null>();
  readonly #zone: IANAZone;
  /** The local date of every instant of a slice (by slice number), when the slice holds no offset change. */
  readonly #daysBySlice = new Map<number, Day>();

  /** @throws Error naming the problem: unknown time zone, no or unknown days, bad time text, start not before end, bad holiday date. */
  constructor(spec: BusinessHoursSpec) {
    if (!IANAZone.isValidZone(spec.timezone)) {
      throw new Error(`unknown time zone "${spec.timezone}": use an IANA name such as America/New_York`);
    }
    if (spec.days.length === 0) throw new Error('business_hours days is empty: name at least one weekday');
    const days = new Set<number>();
    for (const day of spec.days) {
      const index = WEEKDAYS.indexOf(day);
      if (index < 0) throw new Error(`business_hours day "${day}" is not one of ${WEEKDAYS.join(', ')}`);
      days.add(index + 1);
    }
    const start = parseTime('start', spec.start);
    const end = parseTime('end', spec.end);
    if (minutesOf(start) >= minutesOf(end)) {
      throw new Error(`business_hours start "${spec.start}" must be before end "${spec.end}"`);
    }
    const holidays = new Set<string>();
    for (const holiday of spec.holidays) {
      if (!DATE_TEXT.test(holiday) || !DateTime.fromISO(holiday, { zone: 'utc' }).isValid) {
        throw new Error(`business_hours holiday "${holiday}" is not a date: use YYYY-MM-DD`);
      }
      holidays.add(holiday);
    }

    this.timezone = spec.timezone;
    this.#zone = IANAZone.create(spec.timezone);
    this.#days = days;
    this.#start = start;
    this.#end = end;
    this.#holidays = holidays;
    // Every 7 days hold an open weekday; each holiday (or a day whose window falls wholly in a
    // DST gap) can close one more.
    this.#maxClosedRun = 7 * (holidays.size + 2);
  }

  isBusinessTime(at: Date): boolean {
    const t = checkInstant('at', at);
    return first(this.#intervalsEndingAfter(t)).open <= t;
  }

  /**
   * The earliest instant by which `ms` of business time has elapsed since `from`.
   *
   * Counting starts at `from` or, outside hours, at the next opening; a result that lands
   * exactly on a closing time stays there (it does not move to the next opening), and `ms` 0
   * returns `from` itself. `ms` is rounded to whole milliseconds and must not be negative.
   * Invariant: `businessTimeBetween(from, addBusinessTime(from, ms)) === ms`.
   */
  addBusinessTime(from: Date, ms: number): Date {
    const t = checkInstant('from', from);
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`business time to add must be a non-negative number of ms, got ${ms}`);
    let remaining = Math.round(ms);
    if (remaining === 0) return new Date(t);
    for (const interval of this.#intervalsEndingAfter(t)) {
      const counted = Math.max(interval.open, t);
      const available = interval.close - counted;
      if (remaining <= available) return new Date(counted + remaining);
      remaining -= available;
    }
    throw new Error('unreachable: business intervals never run out');
  }

  /** Business milliseconds in [from, to); 0 when `to <= from`. */
  businessTimeBetween(from: Date, to: Date): number {
    const t0 = checkInstant('from', from);
    const t1 = checkInstant('to', to);
    if (t1 <= t0) return 0;
    let total = 0;
    for (const interval of this.#intervalsEndingAfter(t0)) {
      if (interval.open >= t1) break;
      total += Math.min(interval.close, t1) - Math.max(interval.open, t0);
    }
    return total;
  }

  /** `from` if it is business time, else the next opening after it. */
  nextBusinessStart(from: Date): Date {
    const t = checkInstant('from', from);
    const interval = first(this.#intervalsEndingAfter(t));
    return new Date(Math.max(interval.open, t));
  }

  /**
   * The opening of the first business day whose local date is after `from`'s local date —
   * "snooze until the next business day". From Friday at any hour that is Monday's opening (or
   * later, past holidays); from a Saturday, too.
   */
  nextBusinessDayStart(from: Date): Date {
    const t = checkInstant('from', from);
    const interval = first(this.#openDaysFrom(this.#localDay(t) + DAY_MS));
    return new Date(interval.open);
  }

  /**
   * `from` plus whole calendar days in the calendar's zone, keeping the local wall time across
   * DST changes (a wall time skipped on the target day moves forward by the gap). Ignores
   * business hours and holidays. `days` must be an integer and may be negative.
   */
  addCalendarDays(from: Date, days: number): Date {
    const t = checkInstant('from', from);
    if (!Number.isInteger(days)) throw new Error(`calendar days to add must be an integer, got ${days}`);
    return DateTime.fromMillis(t, { zone: this.timezone }).plus({ days }).toJSDate();
  }

  /** The local date "YYYY-MM-DD" of `at` in the calendar's zone. */
  localDate(at: Date): string {
    const t = checkInstant('at', at);
    return isoDate(this.#localDay(t));
  }

  /**
   * The local calendar date of an instant. Exact: the zone's offset at the instant, remembered
   * for a slice of time only when the offset is the same at both its ends (no change inside)
   * and so is the date.
   */
  #localDay(t: number): Day {
    const slice = Math.floor(t / SLICE_MS);
    const known = this.#daysBySlice.get(slice);
    if (known !== undefined) return known;
    const start = slice * SLICE_MS;
    const end = start + SLICE_MS - 1;
    const offset = this.#zone.offset(start);
    const day = this.#dayAt(start, offset);
    if (this.#zone.offset(end) !== offset || this.#dayAt(end, offset) !== day) return this.#dayAt(t, this.#zone.offset(t));
    if (this.#daysBySlice.size >= 20_000) this.#daysBySlice.clear();
    this.#daysBySlice.set(slice, day);
    return day;
  }

  #dayAt(t: number, offsetMinutes: number): Day {
    return Math.floor((t + offsetMinutes * 60_000) / DAY_MS) * DAY_MS;
  }

  /** The business interval of a local date, or undefined when closed. */
  #intervalOn(day: Day): Interval | undefined {
    const known = this.#byDay.get(day);
    if (known !== undefined) return known ?? undefined;
    const interval = this.#computeIntervalOn(day);
    if (this.#byDay.size >= 20_000) this.#byDay.clear();
    this.#byDay.set(day, interval ?? null);
    return interval;
  }

  #computeIntervalOn(day: Day): Interval | undefined {
    if (!this.#days.has(weekday(day))) return undefined;
    if (this.#holidays.has(isoDate(day))) return undefined;
    // A local time the clocks pass twice (the hour repeated when DST ends) is taken at its first
    // occurrence: a window opens, and closes, the first time the clock shows its time.
    const open = this.#instant(day, this.#start);
    const close = this.#end.hour === 24 ? this.#instant(day + DAY_MS, { hour: 0, minute: 0 }) : this.#instant(day, this.#end);
    // Both ends inside one DST gap collapse to the same instant: nothing open that day.
    return close > open ? { open, close } : undefined;
  }

  #instant(day: Day, time: LocalTime): number {
    const date = new Date(day);
    const at = DateTime.fromObject(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: time.hour, minute: time.minute },
      { zone: this.#zone },
    );
    const both = at.getPossibleOffsets();
    if (both.length > 1) return Math.min(...both.map((d) => d.toMillis()));
    if (at.day === date.getUTCDate() && at.hour === time.hour && at.minute === time.minute) return at.toMillis();
    // A time the clocks skip (spring-forward, or a whole skipped date): luxon moves it forward
    // by the gap, past the moment the clock jumps over it. The clock first shows the time or a
    // later one at that jump.
    return this.#jumpBefore(at.toMillis());
  }

  /** The instant of the last offset change before `t`, when one happened within a day before it. */
  #jumpBefore(t: number): number {
    const HOUR = 3_600_000;
    const after = this.#zone.offset(t);
    let lo = t - HOUR;
    for (let steps = 1; this.#zone.offset(lo) === after && steps < 25; steps++) lo -= HOUR;
    let hi = lo + HOUR;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#zone.offset(mid) === after) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** Intervals of the open days from local date `startDay` on, in order; throws if a closed run is impossibly long. */
  *#openDaysFrom(startDay: Day): Generator<Interval> {
    let closedRun = 0;
    for (let day = startDay; ; day += DAY_MS) {
      const interval = this.#intervalOn(day);
      if (interval === undefined) {
        closedRun += 1;
        if (closedRun > this.#maxClosedRun) {
          throw new Error(`no business hours in ${closedRun} consecutive days from ${isoDate(startDay)}`);
        }
        continue;
      }
      closedRun = 0;
      yield interval;
    }
  }

  /** Business intervals that end after instant `t`, in order (the first may contain `t`). */
  *#intervalsEndingAfter(t: number): Generator<Interval> {
    // Start a day early: a DST shift can push a window's edge past local midnight.
    for (const interval of this.#openDaysFrom(this.#localDay(t) - DAY_MS)) {
      if (interval.close > t) yield interval;
    }
  }
}
