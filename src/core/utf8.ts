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
