import { DateTime, IANAZone } from 'luxon';

/** Weekday names as written in the policy's `business_hours.days`, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export type Weekday = (typeof WEEKDAYS)[number];

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
 * or 25 real hours. A local time that does not exist (skipped by spring-forward) moves forward
 * by the gap; an ambiguous one (repeated by fall-back) takes luxon's choice of offset.
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
  readonly #byDay = new Map<number, Interval | null>();

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
    const interval = first(this.#openDaysFrom(this.#localDay(t).plus({ days: 1 })));
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
    return this.#localDay(t).toISODate() ?? '';
  }

  /** The local calendar date of an instant, as a UTC midnight so that stepping days is plain arithmetic. */
  #localDay(t: number): DateTime {
    const local = DateTime.fromMillis(t, { zone: this.timezone });
    return DateTime.utc(local.year, local.month, local.day);
  }

  /** The business interval of a local date (a UTC-midnight DateTime), or undefined when closed. */
  #intervalOn(day: DateTime): Interval | undefined {
    const key = day.toMillis();
    const known = this.#byDay.get(key);
    if (known !== undefined) return known ?? undefined;
    const interval = this.#computeIntervalOn(day);
    if (this.#byDay.size >= 20_000) this.#byDay.clear();
    this.#byDay.set(key, interval ?? null);
    return interval;
  }

  #computeIntervalOn(day: DateTime): Interval | undefined {
    if (!this.#days.has(day.weekday)) return undefined;
    if (this.#holidays.has(day.toISODate() ?? '')) return undefined;
    const open = this.#instant(day, this.#start);
    const close = this.#end.hour === 24 ? this.#instant(day.plus({ days: 1 }), { hour: 0, minute: 0 }) : this.#instant(day, this.#end);
    // Both ends inside one DST gap collapse to the same instant: nothing open that day.
    return close > open ? { open, close } : undefined;
  }

  #instant(day: DateTime, time: LocalTime): number {
    return DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour: time.hour, minute: time.minute },
      { zone: this.timezone },
    ).toMillis();
  }

  /** Intervals of the open days from local date `startDay` on, in order; throws if a closed run is impossibly long. */
  *#openDaysFrom(startDay: DateTime): Generator<Interval> {
    let closedRun = 0;
    for (let day = startDay; ; day = day.plus({ days: 1 })) {
      const interval = this.#intervalOn(day);
      if (interval === undefined) {
        closedRun += 1;
        if (closedRun > this.#maxClosedRun) {
          throw new Error(`no business hours in ${closedRun} consecutive days from ${startDay.toISODate()}`);
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
    for (const interval of this.#openDaysFrom(this.#localDay(t).minus({ days: 1 }))) {
      if (interval.close > t) yield interval;
    }
  }
}
