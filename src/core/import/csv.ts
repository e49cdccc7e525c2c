import { parse } from 'csv-parse/sync';
import { count as thousands } from '../words.js';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { CLAIM_STATUSES, DIRECT, DIRECT_NAME, ROUTES, type Account, type Partner } from '../types.js';
import { decodeUtf8, DIRECTION_CONTROLS } from '../utf8.js';

export interface RowError {
  line: number;
  message: string;
  /** Said of the file as a whole (it is a file of another kind): told in one line after the file's name, with no line number. */
  wholeFile?: true;
}

/**
 * The rows of a file that passed their checks, and the problems of the others. On a problem
 * with the file as a whole (its header, its encoding, a broken quote) `rows` is empty; on
 * problems with some rows it holds the rest, so that their references can be checked too and
 * every problem is reported at once.
 */
export type CsvResult<T> = ({ ok: true; rows: { line: number; value: T }[] } | { ok: false; errors: RowError[]; rows: { line: number; value: T }[] }) & {
  /** The file's columns (in lower case, spaces read as underscores), once its header was read. */
  columns?: readonly string[];
  /**
   * The rows left out of `rows` for a problem of their own (a bad value, a repeated id), each
   * with the values of its columns that passed their checks: their references (an account, a
   * partner, a product line) are checked too, so that one run lists every problem of a row.
   */
  partial?: { line: number; value: Partial<T> }[];
};

/** The longest name, alias, segment, region, tier or other short value. */
const VALUE_MAX = 200;
const list = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split('|').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(VALUE_MAX, `holds a value longer than ${VALUE_MAX} characters`)));
const opt = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : null))
  .pipe(z.string().max(VALUE_MAX, `is longer than ${VALUE_MAX} characters`).nullable());
const bool = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = (s ?? '').trim().toLowerCase();
    if (['', 'false', 'no', '0', 'n'].includes(v)) return false;
    if (['true', 'yes', '1', 'y'].includes(v)) return true;
    ctx.addIssue({ code: 'custom', message: `expected true or false (or yes/no, y/n, 1/0), got "${s}"` });
    return z.NEVER;
  });
/** The longest evidence a claim may hold, as the claim form in chat allows. */
const EVIDENCE_MAX = 3000;
/** A value that must be given, of at most `max` characters. */
const requiredText = (max: number) => z.string({ error: 'is required' }).trim().min(1, 'is required').max(max, `is longer than ${max} characters`);
/** A name, an opportunity, a stage, a product line. */
const requiredValue = requiredText(VALUE_MAX);
/** An id: Slack carries ids in its menus' options, whose values hold 150 characters. */
const idKey = requiredText(150);
const DATE_OR_STAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;
const DATE_EXAMPLE = 'expected a date like 2026-11-12 or 2026-11-12T15:00:00Z';
/** A plain decimal amount (1200, 1200.50, 1.2E+06 as Excel writes large numbers). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
/** Digits grouped or marked as a spreadsheet shows an amount: separators (, . space ' _) and a currency sign. */
const FORMATTED_NUMBER = /^[$€£¥]?\s*\d{1,3}(?:[,.\s'_\u00a0\u202f]\d{3})*(?:[.,]\d+)?\s*[$€£¥]?$|^[$€£¥]\s*[\d.]+$/;
/** A currency code before or after an amount (`USD 48,000.00`, `48000 EUR`), as a multi-currency CRM's report writes it. */
const CURRENCY_CODE = /^[A-Z]{3}\s*(?=\S)|(?<=\S)\s*[A-Z]{3}$/i;
/** A Microsoft Entra tenant id, as Teams names a user's tenant. */
const TENANT_ID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
/** A Slack workspace's id (T…) or an Enterprise Grid org's (E…): capitals and digits. */
const SLACK_TEAM_ID = /^[TE][A-Z0-9]{2,}$/;

/** A spreadsheet's date format in the file: said how to save it as a date the import reads. */
const SAVE_AS_DATE = 'in the spreadsheet, format the column as yyyy-mm-dd before saving';

/**
 * Why `s` is no date: a date in a spreadsheet's local order (`12/31/2026`, `31.12.2026`: which
 * is the day and which the month is never guessed) or a spreadsheet's date serial number
 * (`46387`) is named as written, with how to save it; anything else is given the dates read.
 */
function notADate(s: string): string {
  if (/^\d{1,2}([/.-])\d{1,2}\1\d{2,4}(?:[ T]\S.*)?$/.test(s)) return `"${s}" is not written year-month-day: write it as 2026-11-12, or 2026-11-12T15:00:00Z with a time (${SAVE_AS_DATE})`;
  if (/^\d{5}(?:\.\d+)?$/.test(s)) return `"${s}" is a spreadsheet's date serial number, not a date: write it as 2026-11-12 (${SAVE_AS_DATE})`;
  return DATE_EXAMPLE;
}

/**
 * A date (`2026-11-12`, midnight in the time zone `zoneOn` gives for that date) or a timestamp with its zone (`2026-11-12T15:00:00Z`,
 * `2026-11-12T15:00+01:00`). Strict: a day or time that does not exist (`2026-02-30`,
 * `T24:00`) is an error, never rolled over into the next day or month, and a timestamp
 * without a zone is an error, never read in the server's time zone. With `notAfter`, an
 * instant later than it is an error too.
 */
const instantIn = (zoneOn: (day: string) => string, notAfter?: Date) =>
  z
    .string({ error: 'is required' })
    .trim()
    .transform((s, ctx) => {
      const m = DATE_OR_STAMP.exec(s);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: notADate(s) });
        return z.NEVER;
      }
      const [, day, hour, written, offsetHours, offsetMinutes] = m;
      if (hour !== undefined && written === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${s}" has no time zone: add Z for UTC or an offset like +01:00 (2026-11-12T15:00:00Z)` });
        return z.NEVER;
      }
      // Luxon alone accepts T24:00 (the next midnight) and offsets like +99:99; comparing the
      // parsed day and hour with the written ones rejects every rollover.
      const parsed = hour === undefined ? DateTime.fromISO(day!, { zone: zoneOn(day!) }) : DateTime.fromISO(s.replace(' ', 'T'), { zone: 'utc', setZone: true });
      const real = parsed.isValid && parsed.toISODate() === day && (hour === undefined || parsed.hour === Number(hour)) && Number(offsetHours ?? 0) <= 23 && Number(offsetMinutes ?? 0) <= 59;
      if (!real) {
        ctx.addIssue({ code: 'custom', message: `"${s}" is not a real ${hour === undefined ? 'date' : 'date and time'}` });
        return z.NEVER;
      }
      // A CRM date later than the import is a typo or a plan, not something that happened.
      if (notAfter && parsed.toMillis() > notAfter.getTime()) {
        ctx.addIssue({ code: 'custom', message: `"${s}" is in the future (it is now ${notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z')})` });
        return z.NEVER;
      }
      return parsed.toJSDate();
    });

/**
 * One of a fixed list of values (a route, a status), read in any letter case and stored in the
 * list's; a value outside the list is named as written.
 */
function oneOf<T extends string>(values: readonly T[]) {
  const choices = values.join(', ');
  return z.string({ error: `is required: one of ${choices}` }).transform((s, ctx) => {
    const v = s.trim().toLowerCase();
    if ((values as readonly string[]).includes(v)) return v as T;
    ctx.addIssue({ code: 'custom', message: v === '' ? `is required: one of ${choices}` : `"${s.trim()}" is not one of ${choices}` });
    return z.NEVER;
  });
}

/**
 * Party ids no partner may take, in any letter case, and what each means already: `direct`
 * names the direct sales team wherever a party is written (a CSV's claimant, named_owner), and
 * `none` is "nobody" on the arbitrator's award form.
 */
export const RESERVED_PARTNER_IDS: Readonly<Record<string, string>> = {
  [DIRECT]: 'the direct sales team wherever a party is named',
  none: 'nobody when an arbitrator awards a case',
};

/** A party as a CSV names it: "Direct", "DIRECT" are direct sales, as written anywhere else. */
function directAnyCase<T extends string | null>(s: T): T {
  return (s?.toLowerCase() === DIRECT ? DIRECT : s) as T;
}

export const accountRow = z.object({
  id: idKey,
  name: requiredValue,
  // Some CRMs join a list with semicolons: told, never imported as one alias. (A comma may be
  // part of an alias, "Smith, Jones & Co"; a semicolon in a company's name is not.)
  aliases: z
    .string()
    .optional()
    .superRefine((s, ctx) => {
      if (s?.includes(';')) ctx.addIssue({ code: 'custom', message: `separate aliases with | (Acme|ACME Corp), got "${s.trim()}"` });
    })
    .pipe(list),
  domains: z
    .string()
    .optional()
    .superRefine((s, ctx) => {
      if (s && /[;,]/.test(s)) ctx.addIssue({ code: 'custom', message: `separate domains with | (acme.com|acme.io), got "${s}"` });
    })
    .pipe(list)
    // An internationalised domain in its own letters (münchen.de, 例え.jp) or in its ASCII form (xn--mnchen-3ya.de, xn--e1afmkfd.xn--p1ai).
    .pipe(z.array(z.string().regex(/^[\p{L}\p{M}\p{N}.-]+\.(?:\p{L}[\p{L}\p{M}]+|xn--[a-z0-9-]+)$/iu, 'domains look like acme.com'))),
  segment: opt,
  region: opt,
  tier: opt,
  is_customer: bool,
  incumbent_partner: opt.transform(directAnyCase),
  named_owner: opt.transform(directAnyCase),
});

export const partnerRow = z.object({
  id: idKey.regex(/^([a-z0-9][a-z0-9_-]*)?$/i, 'use letters, digits, - and _ only').superRefine((id, ctx) => {
    const meaning = RESERVED_PARTNER_IDS[id.toLowerCase()];
    if (meaning) ctx.addIssue({ code: 'custom', message: `"${id}" is reserved: it means ${meaning}; give the partner another id` });
  }),
  // The direct team's own name wherever a party is named (a form's "Claim for" and "Dispute for",
  // replies, stats): a partner of that name could not be told from it, and typed, would be taken for it.
  name: requiredValue.superRefine((name, ctx) => {
    if (name.trim().replace(/\s+/g, ' ').toLowerCase() === DIRECT_NAME.toLowerCase()) ctx.addIssue({ code: 'custom', message: `"${name.trim()}" is how the direct sales team is named; give the partner another name` });
  }),
  tier: opt,
  // A workspace's id (T…) or an Enterprise Grid org's (E…), as Slack writes them: a domain name
  // or a workspace's name would match none of the partner's people.
  slack_team_id: opt.superRefine((s, ctx) => {
    if (s !== null && !SLACK_TEAM_ID.test(s)) ctx.addIssue({ code: 'custom', message: `a Slack team id is the partner's workspace id (T…, such as T0123ABCD) or its Enterprise Grid org's (E…), in capitals, not a name or domain, got "${s}"` });
  }),
  // A GUID, stored in lower case (as Teams sends it), however the CSV writes it. A domain name
  // (northwind.com) would match none of the partner's people: each would be told they are no partner's.
  teams_tenant_id: opt
    .superRefine((s, ctx) => {
      if (s !== null && !TENANT_ID.test(s)) ctx.addIssue({ code: 'custom', message: `a Teams tenant id is a GUID like 00000000-0000-0000-0000-000000000000 (the partner's Entra tenant id, not a domain name), got "${s}"` });
    })
    .transform((s) => s?.toLowerCase() ?? null),
});

/**
 * A claims row, its dates alone (no time) read as midnight in the time zone `zoneOn` gives for
 * that date (the policy's in force then); with `now`, a date later than it is refused.
 */
export const claimRowIn = (zoneOn: (day: string) => string, now?: Date) =>
  z.object({
    id: idKey,
    account_id: idKey,
    claimant: idKey.transform(directAnyCase),
    route: oneOf(ROUTES),
    product_line: requiredValue,
    opportunity: requiredValue,
    stage: requiredValue,
    amount: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (!s?.trim()) return null;
        // Decimal only: Number() alone reads 0x10 as 16 and 0b11 as 3.
        const v = s.trim();
        const n = DECIMAL.test(v) ? Number(v) : NaN;
        // A number as a spreadsheet formats it ("50,000", "$48,000.00", "48.000,00", "1 200") or a
        // CRM's report writes it ("USD 48,000.00") is one to a reader: what is wrong with it is
        // said, rather than that it is no number.
        const bare = v.replace(CURRENCY_CODE, '');
        if (Number.isNaN(n) && (FORMATTED_NUMBER.test(v) || (bare !== v && (DECIMAL.test(bare) || FORMATTED_NUMBER.test(bare))))) {
          ctx.addIssue({ code: 'custom', message: `"${v}" is not a plain number: write it with digits and a decimal point only, without thousands separators or a currency sign or code (50000, 1234.50)` });
          return z.NEVER;
        }
        if (!Number.isFinite(n) || n < 0) {
          ctx.addIssue({ code: 'custom', message: `expected a positive number, got "${s}"` });
          return z.NEVER;
        }
        return n;
      }),
    // At most what a claim filed in chat may hold: the evidence is copied into every message about the claim.
    evidence: z
      .string()
      .optional()
      .default('')
      .transform((s) => s.trim())
      .superRefine((s, ctx) => {
        if (s.length > EVIDENCE_MAX) ctx.addIssue({ code: 'custom', message: `is longer than ${thousands(EVIDENCE_MAX)} characters (it has ${thousands(s.length)}); shorten it, or link to the full notes` });
      }),
    status: oneOf(CLAIM_STATUSES),
    registered_at: instantIn(zoneOn, now),
    last_activity_at: z.string().optional().transform((s) => (s?.trim() ? s : undefined)).pipe(instantIn(zoneOn, now).optional()),
  });

/** A claims row as the headers know it (dates alone at midnight UTC); imports use {@link claimRowIn}. */
export const claimRow = claimRowIn(() => 'utc');

export type AccountRow = z.output<typeof accountRow>;
export type PartnerRow = z.output<typeof partnerRow>;
export type ClaimRow = z.output<typeof claimRow>;

export const HEADERS = {
  accounts: Object.keys(accountRow.shape),
  partners: Object.keys(partnerRow.shape),
  claims: Object.keys(claimRow.shape),
} as const;

const REQUIRED = {
  accounts: ['id', 'name'],
  partners: ['id', 'name'],
  claims: ['id', 'account_id', 'claimant', 'route', 'product_line', 'opportunity', 'stage', 'status', 'registered_at'],
} as const;

/**
 * Decodes a CSV file's bytes as UTF-8; a leading byte order mark is dropped. Bytes that are
 * not UTF-8 (a Latin-1 or Windows-1252 export) are an error naming the first line holding
 * them, never replacement characters in the imported data.
 */
export function decodeCsv(bytes: Uint8Array): { ok: true; text: string } | { ok: false; errors: RowError[] } {
  const tooLarge = sizeProblem(bytes.length);
  if (tooLarge) return { ok: false, errors: [tooLarge] };
  // A workbook saved under a .csv name, or picked instead of its CSV export: its bytes are no
  // text at all, so it is named for what it is rather than as text in another encoding.
  const workbook = workbookKind(bytes);
  if (workbook) return { ok: false, errors: [{ line: 1, wholeFile: true, message: `the file is ${workbook}, not CSV; open it in the spreadsheet and save it as "CSV UTF-8 (Comma delimited)", then import that file` }] };
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded;
  if (decoded.utf16) return { ok: false, errors: [{ line: 1, message: 'the file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8; save it as UTF-8 (in Excel: "CSV UTF-8") and import it again' }] };
  return { ok: false, errors: [{ line: decoded.line, message: 'the file is not valid UTF-8 (is it Latin-1 or Windows-1252?); save it as UTF-8 (in Excel: "CSV UTF-8") and import it again' }] };
}

/**
 * The largest CSV file an import reads at all: it is read whole, as one text, which can be no
 * longer than 512 MB. (It takes less, as the memory it has allows: see {@link sizeProblem}.)
 */
export const CSV_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A file of `size` bytes, refused in one line when it is larger than `max` (at most
 * {@link CSV_MAX_BYTES}); null when it is not.
 */
export function sizeProblem(size: number, max = CSV_MAX_BYTES): RowError | null {
  const limit = Math.min(max, CSV_MAX_BYTES);
  if (size <= limit) return null;
  const mb = (n: number, round: (x: number) => number) => `${round(n / (1024 * 1024)).toLocaleString('en-US')} MB`;
  return {
    line: 1,
    wholeFile: true,
    message: `the file is ${mb(size, Math.ceil)}, more than one import takes (${mb(limit, Math.floor)}); split it into smaller files, each with the header line, and import them one after another (an import adds and updates rows, and never deletes any)`,
  };
}

/**
 * What kind of workbook `bytes` are, by their first bytes: a zip archive (Excel's .xlsx, or
 * another spreadsheet's own format, such as .ods or .numbers) or a compound file (Excel
 * 97-2003's .xls). Null for anything else.
 */
function workbookKind(bytes: Uint8Array): string | null {
  const starts = (...magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'a spreadsheet workbook (.xlsx, or another zip archive)';
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return 'an Excel 97-2003 workbook (.xls)';
  return null;
}

/**
 * A CSV file of one kind read whole ({@link readCsv}): its header is that kind's and every line
 * parsed; its rows' values are not checked yet ({@link parseCsv} does).
 */
export interface CsvFile {
  kind: keyof typeof HEADERS;
  /** The header's columns, in lower case, spaces read as underscores ('' for a column with no name). */
  header: string[];
  records: Read[];
  /** Rows with fewer or more values than the header, told with the rows' own problems. */
  uneven: RowError[];
}

/**
 * Reads one CSV file with a real CSV parser and checks what needs nothing but the file: its
 * separator, its header (another kind's, unknown, missing or repeated columns, a column with no
 * name holding values), quotes, and that it has rows. A problem there is one of the file as a
 * whole, reported with its line number; the rows' values are left to {@link parseCsv}.
 */
export function readCsv(kind: keyof typeof HEADERS, text: string): { ok: true; file: CsvFile } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  // The header as the CSV parser read it (quotes, commas and newlines inside a quoted name
  // included); an empty file has none.
  let header: string[] = [];
  // Its names as written, for the messages that name them.
  let written: string[] = [];
  let headerLines = 1;
  let records: Read[];
  // The line the last row read ends on (a blank one included): a broken row starts after it.
  let lastLine = 0;
  const uneven: RowError[] = [];
  const known = HEADERS[kind] as readonly string[];
  // Excel in many locales saves "CSV" with semicolons: told before the rows are read (a comma in
  // a name or a decimal comma would make them look like broken rows).
  // One kind of line break (CRLF from Excel, a lone CR from old Macs): the parser counts a CRLF
  // inside a quoted field as two lines, which would put every later line number off.
  // A Ctrl-Z at the end (line breaks after it aside) is an old DOS end-of-file mark, not a row.
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\x1a(\n*)$/, '$1');
  // Empty lines before the header are skipped, as between rows: the header is on the line after them.
  let headerLine = 1 + (/^\n*/.exec(body)?.[0].length ?? 0);
  let firstLine = body.slice(headerLine - 1).split('\n', 1)[0] ?? '';
  // A first line `sep=,` (as some spreadsheet tools write) only declares the separator: a comma's
  // is read as an empty line (the lines after it keep their numbers); another is told below.
  const declared = /^sep=(.)$/i.exec(firstLine)?.[1];
  if (declared === ',') {
    body = `${body.slice(0, headerLine - 1)}${body.slice(headerLine - 1 + firstLine.length)}`;
    headerLine = 1 + (/^\n*/.exec(body)?.[0].length ?? 0);
    firstLine = body.slice(headerLine - 1).split('\n', 1)[0] ?? '';
  }
  // Excel's "Text (Tab delimited)" is told too: its header names the columns, yet not between commas.
  const separatedBy = (c: string) => (c === ';' ? 'semicolons' : c === '\t' ? 'tabs' : `"${c}"`);
  const separator = declared && declared !== ',' ? separatedBy(declared) : firstLine.includes(',') ? null : firstLine.includes(';') ? 'semicolons' : firstLine.includes('\t') ? 'tabs' : null;
  if (separator) {
    return { ok: false, errors: [{ line: headerLine, message: `the columns are separated by ${separator}; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: ${known.join(', ')}` }] };
  }
  if (body.trim() === '') return { ok: false, errors: [{ line: 1, message: `the file is empty; it needs a header line: ${known.join(', ')}` }] };
  if (/^\s*[[{]/.test(body)) return { ok: false, errors: [{ line: headerLine, message: `the file is JSON, not CSV; export it as CSV with the header: ${known.join(', ')}` }] };
  const named = firstLine.split(',').map((c) => columnName(c.trim().replace(/^"|"$/g, '')));
  // The header of another kind's file (accounts.csv imported as claims: both have an id) is
  // that file, not a claims file with unknown and missing columns: said in one line.
  const other = kindOfHeader(kind, named);
  if (other) {
    return { ok: false, errors: [{ line: headerLine, wholeFile: true, message: `this is ${other === 'accounts' ? 'an' : 'a'} ${other} file (its header is the ${other} header, not the ${kind} one); import it with npx roe import ${other}` }] };
  }
  // A first line naming none of the columns is no header of this kind (another file, or one
  // with no header): said once, rather than every row's count of columns against it.
  if (!named.some((c) => known.includes(c))) {
    return { ok: false, errors: [{ line: headerLine, message: `the first line names none of the ${kind} columns, so it is no ${kind} header: is this the ${kind} file? Its first line must be the header: ${known.join(', ')}` }] };
  }
  try {
    records = parse<Read>(body, {
      // A column with no name is kept under a key of its own (its place), so that a value under it is told, not dropped.
      columns: (h: string[]) => ((headerLines = 1 + lineBreaks(h)), (written = h.map((x) => x.trim())), (header = h.map(columnName))).map((x, i) => x || `${UNNAMED}${i + 1}`),
      skip_empty_lines: true,
      info: true,
      // A row with too few values or too many is read, to be told here unless it is blank: every
      // such row is named in one run (a name holding a comma, not in quotes, is rarely alone).
      relax_column_count_less: true,
      relax_column_count_more: true,
      trim: false,
      // A row whose every cell is empty or blank is left out, as an empty line is: Excel saves a
      // row cleared but not deleted as ",,,," (or with fewer commas, when columns were added
      // later). Done here rather than with the parser's skip_records_with_empty_values, which
      // leaves no trace of the rows it skips, so that the line of a broken row after them is
      // still known.
      on_record: (r: Read, { lines, error }) => {
        lastLine = lines;
        // The row's every value: the record holds the header's columns alone; the parser's error
        // on a row of another length, those past them too.
        const values = (error as CsvParseError | undefined)?.record;
        const all = Array.isArray(values) ? (values as string[]) : Object.values(r.record);
        if (all.every((v) => v.trim() === '')) return null;
        if (all.length > header.length) {
          uneven.push({ line: lines - lineBreaks(all), message: tooMany(all, header.length) });
          return null;
        }
        // Short only of columns with no name (a header's stray trailing comma): nothing is missing.
        if (all.length < header.length && header.slice(all.length).some(Boolean)) {
          uneven.push({ line: lines - lineBreaks(all), message: `has ${columnCount(all.length)}, the header has ${header.length} (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)` });
          return null;
        }
        return r;
      },
    });
  } catch (e) {
    return { ok: false, errors: [...uneven, malformed(e as CsvParseError, body, headerLines, header.length, lastLine)] };
  }
  // Named as first written (a CRM's CreatedDate), each once.
  const unknownAs = new Map<string, string>();
  header.forEach((h, i) => h && !known.includes(h) && !unknownAs.has(h) && unknownAs.set(h, written[i]!));
  const unknown = [...unknownAs.values()];
  if (unknown.length) errors.push({ line: headerLine, message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (expected: ${known.join(', ')})` });
  const seen = new Set<string>();
  const repeated = [...new Set(header.filter((h) => h && (seen.has(h) || (seen.add(h), false))))];
  if (repeated.length) errors.push({ line: headerLine, message: `column${repeated.length > 1 ? 's' : ''} ${repeated.map((r) => `"${r}"`).join(', ')} appear${repeated.length > 1 ? '' : 's'} more than once` });
  const missing = REQUIRED[kind].filter((r) => !header.includes(r));
  if (missing.length) errors.push({ line: headerLine, message: `missing column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}` });
  // A column without a name is let be (a spreadsheet's stray empty column) unless a row holds a value there.
  for (let i = 0; i < header.length; i++) {
    if (header[i]) continue;
    const held = records.find((r) => (r.record[`${UNNAMED}${i + 1}`] ?? '').trim() !== '');
    if (held) {
      const value = held.record[`${UNNAMED}${i + 1}`]!.trim();
      errors.push({ line: headerLine, message: `column ${i + 1} has no name, yet line ${held.info.lines - lineBreaks(Object.values(held.record))} holds a value there ("${value.length > 40 ? `${value.slice(0, 40)}…` : value}"); name it (expected: ${known.join(', ')}) or delete the column` });
    }
  }
  if (errors.length) return { ok: false, errors };
  if (records.length === 0 && uneven.length === 0) return { ok: false, errors: [{ line: headerLine + headerLines, message: 'the file has a header but no rows' }] };
  return { ok: true, file: { kind, header, records, uneven } };
}

/**
 * Parses one CSV file with a real CSV parser and validates every row. Any problem (an
 * unknown, missing or repeated column, a malformed row, a bad value, a repeated id) is
 * reported with its line number, and the file is rejected whole. `input` is the file's text,
 * or the file as {@link readCsv} read it already.
 */
export function parseCsv<K extends keyof typeof HEADERS, S extends z.ZodObject>(kind: K, input: string | CsvFile, schema: S): CsvResult<z.output<S>> {
  let file: CsvFile;
  if (typeof input === 'string') {
    const read = readCsv(kind, input);
    if (!read.ok) return { ok: false, rows: [], errors: read.errors };
    file = read.file;
  } else {
    if (input.kind !== kind) throw new Error(`parseCsv: a ${input.kind} file given as ${kind}`);
    file = input;
  }
  const { header, records } = file;
  const errors: RowError[] = [...file.uneven];

  const rows: { line: number; value: unknown }[] = [];
  const partial: { line: number; value: Record<string, unknown> }[] = [];
  const ids = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines - lineBreaks(Object.values(record));
    // The header again, as a row: two exports joined into one file. Told once, as such, rather
    // than as a row of bad values (or, in a partners file, imported as partner "id" named "name").
    if (Object.entries(record).every(([column, value]) => (column.startsWith(UNNAMED) ? value.trim() === '' : columnName(value) === column))) {
      errors.push({ line, message: 'repeats the header (were two files joined?); delete the line and import again' });
      continue;
    }
    for (const [column, value] of Object.entries(record)) {
      if (column.startsWith(UNNAMED)) continue;
      // Spaces, tabs and line breaks around a value are trimmed off; inside it they would stay.
      const inner = value.trim();
      if (column === 'evidence') {
        if (MULTILINE_CONTROL.test(inner)) errors.push({ line, message: 'evidence: holds a control character (line breaks and tabs are fine)' });
      } else if (CONTROL.test(inner)) errors.push({ line, message: `${column}: holds ${MULTILINE_CONTROL.test(inner) ? 'a control character' : 'a line break or tab'}; keep the value on one line of plain text` });
      if (DIRECTION_CONTROLS.test(inner)) errors.push({ line, message: `${column}: holds a text direction control (U+${inner.codePointAt(inner.search(DIRECTION_CONTROLS))!.toString(16).toUpperCase()}), which makes what follows it read backwards; remove it` });
    }
    const result = schema.safeParse(record);
    if (!result.success) for (const i of result.error.issues) errors.push({ line, message: `${String(i.path[0] ?? 'row')}: ${i.message}` });
    // A repeated id is told whether or not the rows' other values are right.
    const id = String(record.id ?? '').trim();
    const prev = id ? ids.get(id) : undefined;
    if (prev !== undefined) errors.push({ line, message: `id "${id}" repeats line ${prev}` });
    else if (id) ids.set(id, line);
    if (result.success && prev === undefined) rows.push({ line, value: result.data });
    else partial.push({ line, value: result.success ? (result.data as Record<string, unknown>) : columnsThatPass(schema, record) });
  }
  // Rows too short or too long were told as they were read: every problem in the order of the file.
  errors.sort((a, b) => a.line - b.line);
  return errors.length ? { ok: false, errors, rows: rows as never, columns: header, partial: partial as never } : { ok: true, rows: rows as never, columns: header };
}

/**
 * The kind of file whose header `named` (a first line's columns, as {@link columnName} reads them) clearly is, when
 * it is not `kind`: every column that kind requires is there, the header has more of its
 * columns than of `kind`'s, and every column of `kind`'s it has is one of that kind's too
 * (the `id` they share). Null when no other kind fits better, or two fit as well.
 */
function kindOfHeader(kind: keyof typeof HEADERS, named: readonly string[]): keyof typeof HEADERS | null {
  const columns = new Set(named);
  const count = (k: keyof typeof HEADERS) => HEADERS[k].filter((c) => columns.has(c)).length;
  const asked = count(kind);
  const fits = (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).filter(
    (k) => k !== kind && count(k) > asked && REQUIRED[k].every((c) => columns.has(c)) && HEADERS[kind].every((c) => !columns.has(c) || HEADERS[k].includes(c)),
  );
  const best = Math.max(0, ...fits.map(count));
  const top = fits.filter((k) => count(k) === best);
  return top.length === 1 ? top[0]! : null;
}

/** The values of a row's columns that pass their own checks, the others left out. */
function columnsThatPass(schema: z.ZodObject, record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, field] of Object.entries(schema.shape)) {
    const r = (field as z.ZodType).safeParse(record[column]);
    if (r.success) out[column] = r.data;
  }
  return out;
}

/**
 * The column a header name stands for: in any letter case, with spaces for underscores (as a
 * spreadsheet's or CRM's header writes it: `Product Line` is `product_line`).
 */
function columnName(written: string): string {
  return written.trim().toLowerCase().replace(/[ \u00a0]+/g, '_');
}

/** The key a column without a name is read under, followed by its place (1 for the first column). */
const UNNAMED = '\u0000unnamed:';

/** Control characters (a line break or tab included, C1's too) have no place in an id, a name or a code. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Free text (evidence) may span lines and hold tabs, nothing else below the space. */
const MULTILINE_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A row's count of columns: "1 column", "3 columns". */
const columnCount = (n: number) => `${n} column${n === 1 ? '' : 's'}`;

/** A row as the parser gives it, with the line it ends on. */
type Read = { record: Record<string, string>; info: { lines: number } };

type CsvParseError = Error & { code?: string; lines?: number; bytes?: number; index?: number; column?: string | number | null; field?: unknown; record?: unknown };

/** The line breaks in a record's values: the parser gives the line a record ends on, and these lie before it. */
function lineBreaks(values: readonly unknown[]): number {
  let n = 0;
  for (const v of values) if (typeof v === 'string') for (let i = v.indexOf('\n'); i !== -1; i = v.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * A CSV parser error as the line and problem to fix (`body` has \n line breaks only, the header
 * takes `headerLines`, and the last row read ends on `lastLine`). A quote left open swallows the
 * line breaks after it, so the parser notices lines later: the row named is the one the open
 * quote starts in.
 */
function malformed(e: CsvParseError, body: string, headerLines: number, columns: number, lastLine: number): RowError {
  const at = e.lines ?? 1;
  // The row under way starts after the last one read (the header, before the first), past any
  // empty lines; before the header is read, it is the header. (The parser's own bytes_records
  // is not used: csv-parse 7 adds up offsets, not lengths, so it is past the end after two rows.)
  const lines = body.split('\n');
  let start = columns === 0 ? 1 : Math.max(lastLine, headerLines) + 1;
  while (start < at && lines[start - 1] === '') start++;
  if (e.code === 'CSV_QUOTE_NOT_CLOSED') return { line: start, message: 'a quoted value that starts in this row is never closed (a " is missing), so the rest of the file would be read into it' };
  if (e.code === 'CSV_INVALID_CLOSING_QUOTE') {
    if (start < at) return { line: start, message: `a quoted value that starts in this row runs on to line ${at} (a " is missing?)` };
    const next = /got "(.*?)" at line/.exec(e.message)?.[1];
    return { line: at, message: `a closing quote is followed by ${next ? `"${next}"` : 'more text'} instead of a comma (inside a quoted value, write a quote as "")` };
  }
  // csv-parse 7 names this one without the CSV_ prefix of the others.
  if (e.code === 'INVALID_OPENING_QUOTE' || e.code === 'CSV_INVALID_OPENING_QUOTE') return { line: start, message: strayQuote(e, body, lines, at, columns, start < at) };
  // The line is given apart: the parser's own "at line N" is left out.
  return { line: at, message: e.message.replace(/ at line \d+/, '') };
}

/** A row with more values than the header's `columns`: what it has, and the likely cause. */
function tooMany(values: readonly string[], columns: number): string {
  // Only empty cells past the header's columns: maybe commas at the end of the row (a spreadsheet's export), or a value split in two.
  const trailing = values.slice(columns).every((v) => v.trim() === '');
  return `has ${columnCount(values.length)}, the header has ${columns} (a value holding a comma must be in double quotes${trailing ? '; or, should the row end with commas the header does not have, remove them' : ''})`;
}

/**
 * A quote inside a value that is not in quotes (`Zeta "The Best" Corp`) on line `at`: the column
 * (and the line, when its row started on an earlier one), and the value as it must be written
 * when it can be told (the parser stops at the quote; the value is read on to the next comma,
 * and only shown when its quotes pair up and it is short).
 */
function strayQuote(e: CsvParseError, body: string, lines: readonly string[], at: number, columns: number, rowStartedBefore: boolean): string {
  const name = typeof e.column === 'string' ? e.column : typeof e.column === 'number' ? `column ${e.column + 1}` : `a value past the header's ${columns} columns`;
  const column = rowStartedBefore ? `${name} (on line ${at})` : name;
  const before = typeof e.field === 'string' ? e.field : '';
  if (before.trim() === '') return `${column}: a space comes before the opening quote; remove it, so that the value starts with its quote`;
  // An unquoted value lies on one line (line `at`): the first of its row starts the line; another
  // follows the comma the parser read last, at `bytes` (an offset in the UTF-8 of the body).
  const line = lines[at - 1] ?? '';
  let from = 0;
  if (e.index !== undefined && e.index > 0 && e.bytes !== undefined) {
    const lineStart = lines.slice(0, at - 1).reduce((n, l) => n + l.length + 1, 0);
    from = new TextDecoder().decode(new TextEncoder().encode(body).subarray(0, e.bytes)).length + 1 - lineStart;
  }
  const written = from >= 0 ? (line.slice(from).split(',', 1)[0] ?? '') : '';
  const quotes = written.split('"').length - 1;
  if (written.startsWith(`${before}"`) && quotes % 2 === 0 && written.length <= 80) return `${column}: ${written} has a quote inside but is not in double quotes; write it as "${written.replaceAll('"', '""')}" (the value in double quotes, each quote inside it doubled)`;
  const shown = before.length > 40 ? `…${before.slice(-40)}` : before;
  return `${column}: a quote follows "${shown}" in a value that is not in double quotes; put the whole value in double quotes and double each quote inside it (Zeta "The Best" Corp is written "Zeta ""The Best"" Corp")`;
}

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    aliases: r.aliases,
    domains: r.domains.map((d) => d.toLowerCase().normalize('NFC')),
    segment: r.segment,
    region: r.region,
    tier: r.tier,
    isCustomer: r.is_customer,
    incumbentPartnerId: r.incumbent_partner,
    namedOwner: r.named_owner,
  };
}

/**
 * The fields of each optional column: a file that leaves a column out says nothing about it,
 * so a re-import keeps what is stored there (an empty cell is what clears a value).
 */
export const OPTIONAL_FIELDS = {
  accounts: { aliases: 'aliases', domains: 'domains', segment: 'segment', region: 'region', tier: 'tier', is_customer: 'isCustomer', incumbent_partner: 'incumbentPartnerId', named_owner: 'namedOwner' },
  partners: { tier: 'tier', slack_team_id: 'slackTeamId', teams_tenant_id: 'teamsTenantId' },
} as const satisfies { accounts: Record<string, keyof Account>; partners: Record<string, keyof Partner> };

/** The fields whose optional column the file left out. */
export function leftOut(kind: 'accounts', columns: readonly string[] | undefined): (keyof Account)[];
export function leftOut(kind: 'partners', columns: readonly string[] | undefined): (keyof Partner)[];
export function leftOut(kind: keyof typeof OPTIONAL_FIELDS, columns: readonly string[] | undefined): string[] {
  const fields: Record<string, string> = OPTIONAL_FIELDS[kind];
  return Object.keys(fields)
    .filter((c) => !columns?.includes(c))
    .map((c) => fields[c]!);
}

export function toPartner(r: PartnerRow): Partner {
  return { id: r.id, name: r.name, tier: r.tier, slackTeamId: r.slack_team_id, teamsTenantId: r.teams_tenant_id };
}

export { DIRECT };
