/**
 * Durations as written in the policy file ("16h", "90m", "1h30m", "45s").
 *
 * A duration is a plain number of milliseconds. A "d" is always 24 hours; used with a
 * {@link BusinessCalendar} that means 24 hours of *business* time, neither a calendar day nor
 * a working day (on a 09:00-17:00 calendar "2d" is 6 working days). So a policy file may not
 * use it (policyLint says what to write instead), and it is parsed only for the versions an
 * earlier release stored with one, which keep the SLA they had.
 */

const UNIT_MS = {
  d: 24 * 60 * 60 * 1000,
  h: 60 * 60 * 1000,
  m: 60 * 1000,
  s: 1000,
} as const;

type Unit = keyof typeof UNIT_MS;

/** Units from largest to smallest; a duration names each at most once, in this order. */
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's'];

const COMPONENT = /(\d+)\s*([dhms])/y;

function invalid(text: string): Error {
  return new Error(`invalid duration "${text}": use e.g. 16h, 90m, 1h30m`);
}

/**
 * Parses a duration into milliseconds.
 *
 * Accepts one or more `<whole number><unit>` components, units `d` (24 h, for stored versions), `h`, `m`, `s`,
 * largest unit first and each at most once ("1h30m", "1d 2h"); case and surrounding or
 * separating spaces are ignored. Zero ("0m") is allowed. Anything else — an empty string,
 * a bare number, a fraction, a sign, an unknown or repeated unit — throws an `Error` naming
 * the text.
 */
export function parseDuration(text: string): number {
  const source = text.trim().toLowerCase();
  if (source === '') throw invalid(text);

  let total = 0;
  let lastUnitIndex = -1;
  let offset = 0;
  while (offset < source.length) {
    COMPONENT.lastIndex = offset;
    const match = COMPONENT.exec(source);
    if (match === null) throw invalid(text);
    const [whole, digits, unitText] = match;
    const unit = unitText as Unit;
    const unitIndex = UNIT_ORDER.indexOf(unit);
    if (unitIndex <= lastUnitIndex) throw invalid(text);
    lastUnitIndex = unitIndex;
    total += Number(digits) * UNIT_MS[unit];
    offset += whole.length;
    while (source[offset] === ' ') offset += 1;
  }
  if (!Number.isSafeInteger(total)) throw invalid(text);
  return total;
}

/**
 * Formats milliseconds for people: "2h 30m", "45s", "1000h", "-1h 5m" for an overdue amount.
 *
 * Hours are the largest unit, because a "d" in this domain means 24 *business* hours and would
 * read as a calendar day. Zero components are left out, sub-second remainders are dropped
 * (towards zero), and zero is "0s". For whole seconds the output parses back with
 * {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) throw new Error(`cannot format duration ${ms}`);
  const sign = ms < 0 ? '-' : '';
  const totalSeconds = Math.floor(Math.abs(ms) / UNIT_MS.s);
  if (totalSeconds === 0) return '0s';
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds > 0) parts.push(`${seconds}s`);
  return sign + parts.join(' ');
}
