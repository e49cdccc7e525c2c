import { formatsFor } from '../../src/core/time-format.js';

/**
 * Moments in a reply's text (a due time, a ruling's time) that Slack and Teams show in each
 * reader's own time zone, as a rep in Tokyo and an arbitrator in San Francisco each expect:
 * `moment()` writes the moment as the bot always has, in the policy's zone with its name
 * ("Dec 2, 2026, 10:00 AM EST"), followed by a mark a person never reads. The mark is made of
 * Unicode noncharacters (U+FDD0, U+FDD1: kept for a program's own use) and says the instant and
 * the zone. A renderer that can show a moment in the reader's time (Slack's `<!date>`, Teams'
 * `{{DATE()}}`/`{{TIME()}}`) uses it; every other place (the console, the plain notification
 * text, a button's label) shows the words before it ({@link momentsAsText}).
 *
 * A mark counts only where the words before it are exactly that moment as the bot writes it in
 * that zone; any other (typed into a name or a reason) is dropped, and its words show as typed.
 * So a reader's local time only ever stands for the very moment the words before it name, and
 * nothing typed can make a card show a time it does not say.
 */
const OPEN = '\uFDD0';
const MARK = /\uFDD0t(\d{1,15})@([A-Za-z0-9_+\-/]{1,64})\uFDD1/g;
const STRAY = /[\uFDD0\uFDD1]/g;

/** `at` as the bot writes a moment in zone `tz` ("Dec 2, 2026, 10:00 AM EST"), marked for a platform to show in the reader's time. */
export function moment(at: Date, tz: string): string {
  return `${formatsFor(tz).dateTimeFmt.format(at)}${OPEN}t${at.getTime()}@${tz}\uFDD1`;
}

/** A piece of text: words, or a moment with the words that name it in the policy's zone. */
export type Piece = { text: string } | { at: Date; shown: string };

/** Whether `s` may hold a moment (a quick test before {@link pieces}). */
export function hasMoment(s: string): boolean {
  return s.includes(OPEN);
}

/** How a zone writes a moment, or null for a name that is no zone. */
function shownIn(ms: number, tz: string): string | null {
  try {
    return formatsFor(tz).dateTimeFmt.format(ms);
  } catch {
    return null;
  }
}

/** `s` as words and the moments it holds, in order; marks that do not count are dropped. */
export function pieces(s: string): Piece[] {
  if (!hasMoment(s)) return [{ text: s }];
  const out: Piece[] = [];
  let from = 0;
  const words = (to: number) => {
    if (to > from) out.push({ text: s.slice(from, to).replace(STRAY, '') });
  };
  for (const m of s.matchAll(MARK)) {
    const ms = Number(m[1]);
    const shown = shownIn(ms, m[2]!);
    const start = shown === null ? -1 : m.index - shown.length;
    if (shown !== null && start >= from && s.slice(start, m.index) === shown) {
      words(start);
      out.push({ at: new Date(ms), shown });
    } else {
      words(m.index);
    }
    from = m.index + m[0].length;
  }
  words(s.length);
  return out;
}

/** `s` as plain words: each moment as the policy's zone writes it, marks left out. */
export function momentsAsText(s: string): string {
  return hasMoment(s) ? s.replace(MARK, '').replace(STRAY, '') : s;
}
