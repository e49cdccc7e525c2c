/**
 * Text from a file's bytes, strictly UTF-8 (a byte order mark is fine): a Latin-1 or
 * Windows-1252 file is told by the first line that is not UTF-8, and a UTF-16 one (Excel's
 * "Unicode Text", Notepad's "Unicode") as such, never turned into replacement characters.
 */
export function decodeUtf8(bytes: Uint8Array): { ok: true; text: string } | { ok: false; utf16: true } | { ok: false; utf16: false; line: number } {
  // UTF-16 is told apart by its byte order mark or, without one, by the zero byte of its first
  // (ASCII) character, which UTF-8 would decode into NULs.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0))) return { ok: false, utf16: true };
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    // A newline byte never occurs inside a UTF-8 sequence, so the file splits into lines
    // before decoding, and the first line that fails to decode is the one to fix.
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        utf8.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line += 1;
      start = i + 1;
    }
    return { ok: false, utf16: false, line };
  }
}

/**
 * Text direction controls (embeddings, overrides and isolates: U+202A-U+202E, U+2066-U+2069).
 * In a name or a reason they make what follows read backwards, the bot's own words on the same
 * line included ("…, stage proposal" shown as "lasoporp egats ,…"); nobody needs them to write
 * in a right-to-left script. Forms take them out, imports refuse them, a terminal shows `�`.
 */
export const DIRECTION_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
const DIRECTION_CONTROLS_ALL = new RegExp(DIRECTION_CONTROLS.source, 'g');

/**
 * Control characters (C0 and C1, but for tab and line feed: a NUL, a bell, a terminal escape,
 * a carriage return) and the text direction controls: what no chat or terminal should show as
 * written.
 */
export const UNPRINTABLE = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]|${DIRECTION_CONTROLS.source}`, 'g');

/**
 * `s` as a chat shows it: a Windows or old Mac line end (and a vertical tab, a form feed or a
 * next line, U+0085) is a line break, and any other {@link UNPRINTABLE} character shows as �, as
 * the console shows it.
 */
export function printable(s: string): string {
  // Most text has none of them: one test, no copies (every string of every answer comes here).
  if (!ANY_UNPRINTABLE.test(s)) return s;
  return s.replace(/\r\n?|[\v\f\u0085]/g, '\n').replace(UNPRINTABLE, '\uFFFD');
}
/** {@link UNPRINTABLE} (U+0085 among its C1 controls), tested once: the same pattern, not global. */
const ANY_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** `s` without its text direction controls. */
export function withoutDirectionControls(s: string): string {
  return DIRECTION_CONTROLS.test(s) ? s.replace(DIRECTION_CONTROLS_ALL, '') : s;
}
