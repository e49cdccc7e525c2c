/**
 * Normalisation of account names and web domains for matching.
 *
 * Pure string functions: the same input always gives the same output, on every machine
 * (no locale-dependent comparison, no environment).
 */

import { domainToUnicode } from 'node:url';
import { parse as parseHost } from 'tldts';
import { PERSONAL_MAIL_DOMAINS } from './personal-mail.js';

/**
 * Legal forms of Japan (株式会社, 有限会社, 合同会社…), China and Taiwan (有限公司…) and Korea
 * (주식회사, 유한회사), which are written with no space beside the name, before or after it
 * ("株式会社リクルート", "トヨタ自動車株式会社", "华为技术有限公司"): each is set apart as a word
 * of its own, and dropped from either end of a name; and what the abbreviations ㈱, (株), ㈲,
 * (有), ㈜ and (주) leave once their brackets are gone. Longest first, so that 股份有限公司 is
 * not read as 股份 and 有限公司. Written as normalised text has them: Hangul decomposed.
 */
const CJK_LEGAL_FORMS = ['股份有限公司', '有限责任公司', '有限責任公司', '有限公司', '株式会社', '有限会社', '合同会社', '合資会社', '合名会社', '주식회사', '유한회사'].map((f) => f.normalize('NFD'));
const CJK_LEGAL_FORMS_RE = new RegExp(CJK_LEGAL_FORMS.join('|'), 'g');
/** Legal forms dropped from the start of a name too (as from its end), when words follow. */
const LEADING_LEGAL_FORMS: ReadonlySet<string> = new Set([...CJK_LEGAL_FORMS, ...['株', '有', '주'].map((f) => f.normalize('NFD'))]);

/**
 * Legal-form suffixes dropped from the end of a name, written as normalised tokens.
 * Multi-letter forms that people also write letter by letter ("L.L.C.", "S A", "B.V.") are
 * handled by joining a trailing run of single letters, so "l l c" and "s a" need no entry.
 */
export const LEGAL_SUFFIXES: ReadonlySet<string> = new Set([
  'inc', 'incorporated', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company',
  'gmbh', 'ag', 'sa', 'plc', 'bv', 'nv', 'oy', 'ab', 'srl', 'spa', 'pty', 'kg', 'llp', 'lp',
  'sarl', 'sas',
  // European company (SE), Nordic (A/S, ASA, ApS, Oyj), Spanish (S.L.), Czech (s.r.o.),
  // Hungarian (Kft), Latin American (Ltda), Singapore (Pte), India (Pvt), Malaysia (Sdn Bhd),
  // Japan (K.K.).
  'se', 'as', 'asa', 'aps', 'oyj', 'sl', 'sro', 'kft', 'ltda', 'pte', 'pvt', 'sdn', 'bhd', 'kk',
  // German KGaA, Belgian BVBA, Balkan d.o.o., Russian and Ukrainian (P)JSC and OOO, Canadian
  // ULC, Swedish (publ), Spanish S.A.U. and S.L.U., Mexican S.A.B. and S.A. de C.V. (the "de"
  // before C.V. goes with it, as "and" before "Co").
  'kgaa', 'bvba', 'doo', 'jsc', 'pjsc', 'ooo', 'ulc', 'publ', 'sau', 'slu', 'sab', 'cv',
  ...LEADING_LEGAL_FORMS,
]);

/** Words dropped from the end together with a legal suffix after them: "Smith & Co", "Cemex S.A. de C.V.". */
const SUFFIX_JOINERS: ReadonlySet<string> = new Set(['and', 'de']);

/** Letters that NFKD does not decompose into a base letter plus combining marks. */
const FOLDED_LETTERS: Readonly<Record<string, string>> = {
  'ß': 'ss', 'æ': 'ae', 'ø': 'o', 'ł': 'l', 'œ': 'oe', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i',
  // Greek's final sigma is σ at the end of a word: "ΣΙΣ" lower-cased ends in ς, yet starts Σίσυφος.
  'ς': 'σ',
  // Arabic script: the tatweel only stretches the line; Persian keheh and yeh, alef maksura and
  // ta marbuta are written for kaf, yeh and ha as often as not (as search engines fold them).
  'ـ': '', 'ک': 'ك', 'ی': 'ي', 'ى': 'ي', 'ة': 'ه',
};
/** Any letter of FOLDED_LETTERS, made from its keys so that the two never part. */
const FOLDED_LETTERS_RE = new RegExp(`[${Object.keys(FOLDED_LETTERS).join('')}]`, 'g');
const NON_ASCII_RE = /[^\x00-\x7f]/;
/**
 * The marks that are accents or optional points, removed: the combining diacritics (Latin,
 * Greek, Cyrillic, Vietnamese's stacked ones), Cyrillic's titlo, Hebrew's points and Arabic's
 * harakat, hamza and madda. Not the marks of the scripts that write vowels with them (Devanagari
 * and the other Indic scripts, Thai, Khmer…), which make another syllable, nor the kana voiced
 * sound marks (゛ ゜), which make another letter: ハ, バ and パ are three.
 */
const COMBINING_MARKS_RE = /[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;
const KANA_VOICED_RE = /[\u3099\u309a]/;
const KANA_WITH_MARK_RE = /[\u3040-\u30ff][\u3099\u309a]/g;
const APOSTROPHES_RE = /['’‘`´]/g;
/** "j.p.", "u.s.a", "s.a.": two or more single letters each followed by a dot. */
const DOTTED_ACRONYM_RE = /(?<![\p{L}\p{N}])(?:[\p{L}\p{N}]\.){2,}/gu;
const NOT_WORD_RE = /[^\p{L}\p{N}]+/gu;

export interface NormalizeNameOptions {
  /** Keep legal suffixes (used for a name that consists of nothing else, e.g. "Company AB"). */
  readonly keepLegalSuffixes?: boolean;
  /** Keep a leading "the" (to tell "The Standard" from "Standard" when both exist). */
  readonly keepLeadingThe?: boolean;
}

/**
 * Lower case, accents removed, and the letters NFKD leaves alone folded (ß→ss, æ→ae, ø→o, ł→l,
 * ς→σ); full-width and half-width forms as their plain ones (ＡＢＣ→abc, ｶﾞ→ガ). A kana keeps
 * its voiced sound mark (パ is not ハ).
 */
function foldCase(s: string): string {
  const lower = s.toLowerCase();
  if (!NON_ASCII_RE.test(lower)) return lower;
  const t = lower
    .replace(FOLDED_LETTERS_RE, (ch) => FOLDED_LETTERS[ch] ?? ch)
    .normalize('NFKD')
    .replace(COMBINING_MARKS_RE, '');
  return KANA_VOICED_RE.test(t) ? t.replace(KANA_WITH_MARK_RE, (k) => k.normalize('NFC')) : t;
}

/**
 * Normalised words of a name: see {@link normalizeName}. Returns [] for a name that is empty,
 * only punctuation or only legal suffixes.
 */
export function nameTokens(s: string, options: NormalizeNameOptions = {}): string[] {
  const tokens = plainAsciiWords(s) ?? latinWords(s) ?? punctuatedWords(s);
  if (!options.keepLegalSuffixes) stripLegalForms(tokens);
  return options.keepLeadingThe ? tokens : withoutLeadingThe(tokens);
}

/**
 * {@link nameTokens} by the general path alone (regular expressions and Unicode normalisation,
 * no fast path): the reference the fast paths must agree with, for tests.
 */
export function nameTokensGeneral(s: string, options: NormalizeNameOptions = {}): string[] {
  const tokens = punctuatedWords(s);
  if (!options.keepLegalSuffixes) stripLegalForms(tokens);
  return options.keepLeadingThe ? tokens : withoutLeadingThe(tokens);
}

/** A leading "the" is dropped when words follow it: "The Home Depot" = "Home Depot"; "The" stays. */
function withoutLeadingThe(tokens: string[]): string[] {
  if (tokens.length > 1 && tokens[0] === 'the') tokens.shift();
  return tokens;
}

/**
 * Fast path for the common case: ASCII without apostrophes, dots or `&` is lower-cased and
 * split on anything but letters and digits. Returns undefined for any other input.
 */
function plainAsciiWords(s: string): string[] | undefined {
  const lower = s.toLowerCase();
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
      continue;
    }
    if (c > 127 || c === 39 || c === 46 || c === 38 || c === 96) return undefined; // non-ASCII ' . & `
    if (start >= 0) {
      words.push(lower.slice(start, i));
      start = -1;
    }
  }
  return words;
}

/** Code units below this are folded by table in {@link latinWords}: ASCII, Latin-1 Supplement, Latin Extended-A. */
const TABLE_END = 0x180;
const LEFT_QUOTE = 0x2018;
const RIGHT_QUOTE = 0x2019;
const WORD_CHAR_RE = /^[\p{L}\p{N}]$/u;

/**
 * What {@link punctuatedWords} makes of each code unit below TABLE_END on its own: lower case,
 * accents removed, folded letters, apostrophes dropped, `&` as " and ". Its folding works one
 * character at a time (lower case, the folded letters, NFKD decomposition and the removal of
 * combining marks), so the text of a string of these characters is the concatenation of
 * theirs; null where that text would hold a surrogate (then the general path runs). Made at
 * the first use.
 */
let FOLDED: (string | null)[] | null = null;
/** Letter or number code units above ASCII among those the table gives. */
const WORD_UNITS = new Set<number>();

function foldTable(): (string | null)[] {
  const table = Array.from({ length: TABLE_END }, (_, c) => {
    const t = foldCase(String.fromCharCode(c)).replace(APOSTROPHES_RE, '').replaceAll('&', ' and ');
    return /[\ud800-\udfff]/.test(t) ? null : t;
  });
  for (const t of table) for (const ch of t ?? '') if (ch.charCodeAt(0) >= 128 && WORD_CHAR_RE.test(ch)) WORD_UNITS.add(ch.charCodeAt(0));
  return table;
}

const isWordUnit = (c: number): boolean => (c < 128 ? (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) : WORD_UNITS.has(c));

/**
 * {@link punctuatedWords} for text of ASCII and Latin-1/Latin Extended-A letters (and the
 * typographic apostrophes), by table and one scan instead of regular expressions and Unicode
 * normalisation: the same words, for most accented or punctuated names. Returns undefined for
 * any other text.
 */
function latinWords(s: string): string[] | undefined {
  const folded = (FOLDED ??= foldTable());
  let t = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < TABLE_END) {
      const f = folded[c];
      if (f === null || f === undefined) return undefined;
      t += f;
    } else if (c !== LEFT_QUOTE && c !== RIGHT_QUOTE) return undefined;
  }
  if (t.includes('.')) t = joinDottedAcronyms(t);
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= t.length; i++) {
    if (i < t.length && isWordUnit(t.charCodeAt(i))) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      words.push(t.slice(start, i));
      start = -1;
    }
  }
  return words;
}

/** DOTTED_ACRONYM_RE's replacement, for text whose letters and numbers are single code units. */
function joinDottedAcronyms(t: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < t.length; ) {
    if (isWordUnit(t.charCodeAt(i)) && (i === 0 || !isWordUnit(t.charCodeAt(i - 1)))) {
      let j = i;
      let pairs = 0;
      while (j + 1 < t.length && t.charCodeAt(j + 1) === 46 && isWordUnit(t.charCodeAt(j))) {
        j += 2;
        pairs++;
      }
      if (pairs >= 2) {
        out += t.slice(copied, i);
        for (let k = i; k < j; k += 2) out += t[k];
        copied = j;
        i = j;
        continue;
      }
    }
    i++;
  }
  return copied === 0 ? t : out + t.slice(copied);
}

function punctuatedWords(s: string): string[] {
  let t = foldCase(s).replace(APOSTROPHES_RE, '');
  if (NON_ASCII_RE.test(t)) t = t.replace(CJK_LEGAL_FORMS_RE, ' $& ');
  if (t.includes('&')) t = t.replaceAll('&', ' and ');
  if (t.includes('.')) t = t.replace(DOTTED_ACRONYM_RE, (m) => m.replaceAll('.', ''));
  t = t.replace(NOT_WORD_RE, ' ').trim();
  return t === '' ? [] : t.split(' ');
}

/**
 * Removes legal suffixes from the end of `tokens`, repeatedly ("Pty Ltd", "GmbH & Co. KG").
 * A trailing "and" or "de" is removed only together with a suffix after it ("Smith & Co",
 * "S.A. de C.V.").
 */
function stripLegalSuffixes(tokens: string[]): void {
  for (;;) {
    const n = suffixLength(tokens);
    if (n === 0) return;
    tokens.length -= n;
    if (tokens.length > 0 && SUFFIX_JOINERS.has(tokens[tokens.length - 1]!)) tokens.length -= 1;
  }
}

/** {@link stripLegalSuffixes}, and a CJK legal form ({@link LEADING_LEGAL_FORMS}) at the start when words follow it. */
function stripLegalForms(tokens: string[]): void {
  stripLegalSuffixes(tokens);
  if (tokens.length > 1 && LEADING_LEGAL_FORMS.has(tokens[0]!)) tokens.shift();
}

/** How many trailing tokens form a legal suffix (0 if none). */
function suffixLength(tokens: readonly string[]): number {
  const last = tokens[tokens.length - 1];
  if (last === undefined) return 0;
  if (LEGAL_SUFFIXES.has(last)) return 1;
  // "l l c", "s a", "b v": a run of single letters that spells a suffix.
  let joined = '';
  for (let i = tokens.length - 1; i >= 0 && i >= tokens.length - 4; i--) {
    const tok = tokens[i] as string;
    if (tok.length !== 1) return 0;
    joined = tok + joined;
    if (joined.length >= 2 && LEGAL_SUFFIXES.has(joined)) return joined.length;
  }
  return 0;
}

/**
 * German and Nordic letters that people without them on their keyboard write out with two
 * letters: Müller as Mueller, Ålborg as Aalborg, Søren as Soeren. (ß and æ need no entry:
 * normalisation already folds them to ss and ae.)
 */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  'ä': 'ae', 'ö': 'oe', 'ü': 'ue', 'å': 'aa', 'ø': 'oe', 'Ä': 'Ae', 'Ö': 'Oe', 'Ü': 'Ue', 'Å': 'Aa', 'Ø': 'Oe',
};
const SPELLED_OUT_RE = /[äöüåøÄÖÜÅØ]/g;
/** Those letters, or what spells one decomposed (a combining diaeresis or ring, the Ångström sign). */
const MAY_SPELL_OUT_RE = /[äöüåøÄÖÜÅØ\u0308\u030a\u212b]/;
const DECOMPOSED_RE = /[\u0308\u030a\u212b]/;

/** Whether `short` is `long` with some of its letters left out. */
function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long.charCodeAt(j) === short.charCodeAt(i)) i++;
  return i === short.length;
}

/**
 * The other spelling of each of `words` (the {@link nameTokens} of `s` with these `options`):
 * ä, ö, ü, å and ø written out as ae, oe, ue, aa and oe ("Müller Søn" gives "mueller", "soen"
 * for the words "muller", "son"); null for a word without those letters, and null instead of
 * the whole list when no word has any. Only a name written with those letters has another
 * spelling: "Mueller" or "Boeing" has none. When writing the letters out changes how the name
 * falls into words (a dotted acronym "Ö.B.", a legal suffix "Ås"), it is given none either.
 */
export function spelledOutWords(s: string, words: readonly string[], options: NormalizeNameOptions = {}): (string | null)[] | null {
  if (!MAY_SPELL_OUT_RE.test(s)) return null;
  const composed = DECOMPOSED_RE.test(s) ? s.normalize('NFC') : s;
  const other = nameTokens(composed.replace(SPELLED_OUT_RE, (ch) => SPELLED_OUT[ch] ?? ch), options);
  if (other.length !== words.length) return null;
  let any = false;
  const out: (string | null)[] = [];
  for (let i = 0; i < other.length; i++) {
    const w = words[i]!;
    const o = other[i]!;
    if (o === w) out.push(null);
    else if (o.length > w.length && isSubsequence(w, o)) {
      out.push(o);
      any = true;
    } else return null;
  }
  return any ? out : null;
}

/**
 * Normalises a company name for comparison: lower case; accents removed (Müller = Muller) and
 * ß→ss, æ→ae, ø→o, ł→l; apostrophes dropped (Macy's = macys); dotted acronyms joined
 * (I.B.M. = ibm); `&` → "and"; other punctuation → spaces; runs of spaces collapsed; legal
 * suffixes (see {@link LEGAL_SUFFIXES}) removed from the end, repeatedly; a leading "the"
 * removed when words follow it.
 *
 * "Acme Holdings, Inc." → "acme holdings"; "The Home Depot" → "home depot"; "Inc." → "".
 */
export function normalizeName(s: string, options: NormalizeNameOptions = {}): string {
  return nameTokens(s, options).join(' ');
}

const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//;
const PORT_RE = /:\d*$/;
const WWW_RE = /^www\d*\./;
/** Already a lower-case host name with no trailing dot: the common case, returned as is. */
const PLAIN_HOST_RE = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;
/** Letters (with the marks some scripts write them with: भारत), digits, dots and hyphens. */
const HOST_CHARS_RE = /^[\p{L}\p{M}\p{N}.-]+$/u;
/** Invisible format characters: zero-width spaces and joiners, the soft hyphen, direction marks, a byte order mark. */
const FORMAT_CHARS_RE = /\p{Cf}+/gu;
const DOMAIN_RE = /^(?:[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?\.)+\p{L}[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}]$/u;

/**
 * Whether the last word of `typed`, which reads as a legal form and so is set aside when
 * matching (`acme co` found as Acme Inc.), may as well start a longer word of one of the names
 * `names` gives (Acme Consulting Group): then the text is no name of one account but the start
 * of others too. `names` is asked for only when the last word is a legal form.
 */
export function legalFormMayStartWord(typed: string, names: () => Iterable<string>): boolean {
  const words = nameTokens(typed, { keepLegalSuffixes: true, keepLeadingThe: true });
  const last = words.at(-1);
  if (words.length < 2 || last === undefined || !LEGAL_SUFFIXES.has(last)) return false;
  for (const name of names()) {
    if (nameTokens(name, { keepLegalSuffixes: true, keepLeadingThe: true }).some((w) => w.length > last.length && w.startsWith(last))) return true;
  }
  return false;
}

/** Legal forms written out in full, each with the abbreviation {@link literalName} reads it as. */
const LEGAL_FORM_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['limited', 'ltd'],
  ['incorporated', 'inc'],
  ['corporation', 'corp'],
  ['company', 'co'],
]);

/**
 * A name as typed but for case, accents, punctuation and how its legal form is spelled: a
 * leading "the" and the legal form kept, a legal form written out in full read as its
 * abbreviation ("Acme Limited" and "Acme Ltd." both give "acme ltd"; "Limited Brands", where the
 * word is no legal form, stays "limited brands"). It tells apart names that are the same once
 * legal forms are set aside (Acme Ltd and Acme Corp, for `acme limited`).
 */
export function literalName(s: string): string {
  const words = nameTokens(s, { keepLegalSuffixes: true, keepLeadingThe: true });
  const name = words.slice();
  stripLegalSuffixes(name);
  for (let i = name.length; i < words.length; i++) words[i] = LEGAL_FORM_ABBREVIATIONS.get(words[i]!) ?? words[i]!;
  return words.join(' ');
}

/**
 * The last word of the legal form a name ends with, as {@link literalName} reads it ("Acme
 * Ltd." and "Acme Limited": "ltd"; "Foo GmbH & Co. KG": "kg"); null when it ends with none, or
 * is nothing else ("SAS AB").
 */
export function legalFormOf(s: string): string | null {
  const words = nameTokens(s, { keepLegalSuffixes: true });
  const name = words.slice();
  stripLegalSuffixes(name);
  if (name.length === 0 || name.length === words.length) return null;
  // Written letter by letter ("S A"), it is the letters run together, as the suffix list has it.
  let from = words.length - 1;
  while (words[from]!.length === 1 && from > name.length && words[from - 1]!.length === 1) from -= 1;
  const last = words.slice(from).join('');
  return LEGAL_FORM_ABBREVIATIONS.get(last) ?? last;
}

/**
 * The host name in a URL, e-mail address or bare domain, lower case, without scheme, user,
 * `www.`, port, path, query or trailing dot: "https://www.Acme.com:443/path", "acme.com",
 * "@acme.com" and "bob@acme.com" all give "acme.com". Returns "" when `s` holds no host name.
 */
export function normalizeDomain(s: string): string {
  if (PLAIN_HOST_RE.test(s) && !s.includes('xn--')) return s.startsWith('www') ? s.replace(WWW_RE, '') : s;
  let t = s.trim();
  // Pasted text can carry characters nobody sees (a zero-width space, a soft hyphen, a
  // direction mark) and full-width forms (ａｃｍｅ．ｃｏｍ), and a Japanese or Chinese keyboard
  // types 。 for a dot: gone, and folded to their plain forms, as for a name.
  if (NON_ASCII_RE.test(t)) t = t.replace(FORMAT_CHARS_RE, '').normalize('NFKC').replace(IDEOGRAPHIC_DOTS_RE, '.').trim();
  t = t.toLowerCase();
  t = t.replace(SCHEME_RE, '');
  if (t.startsWith('mailto:')) t = t.slice('mailto:'.length);
  const end = t.search(/[/?#]/);
  if (end >= 0) t = t.slice(0, end);
  const at = t.lastIndexOf('@');
  if (at >= 0) t = t.slice(at + 1);
  t = t.replace(PORT_RE, '');
  while (t.endsWith('.')) t = t.slice(0, -1);
  t = t.replace(WWW_RE, '');
  // An internationalised domain in its ASCII form (xn--mnchen-3ya.de, as a browser's address
  // bar or a mail header may give it) is the domain written in its own letters (münchen.de).
  if (t.includes('xn--')) t = t.split('.').map(unicodeLabel).join('.');
  return HOST_CHARS_RE.test(t) ? t : '';
}

const IDEOGRAPHIC_DOTS_RE = /[\u3002\uff61]/g;
const UNICODE_LABEL_RE = /^[\p{L}\p{M}\p{N}-]+$/u;

/**
 * A domain label `xn--…` as the letters it encodes (Node's own IDNA decoding, lower case and NFC);
 * any other label, one that is no valid encoding, or one encoding other characters (an emoji) as it is.
 */
function unicodeLabel(label: string): string {
  if (!label.startsWith('xn--')) return label;
  const text = domainToUnicode(label);
  return text !== '' && UNICODE_LABEL_RE.test(text) ? text : label;
}

/**
 * True when `s` reads as a web domain, URL or e-mail address rather than a name: one word
 * whose host part has at least two labels and an alphabetic top-level label of two or more
 * characters ("acme.com", "https://acme.com/x", "jo@acme.com"; not "Acme Inc." or "S.A.").
 */
export function looksLikeDomain(s: string): boolean {
  const t = s.trim();
  if (t === '' || /\s/.test(t)) return false;
  return DOMAIN_RE.test(normalizeDomain(t));
}

/**
 * The web domain, URL or e-mail address in text pasted with what surrounds it: a mail header's
 * `Jo Doe <jo@acme.com>`, an address in brackets or quotes, or followed by a comma. Null when
 * the text is one already (see {@link looksLikeDomain}) or holds none.
 */
export function addressIn(s: string): string | null {
  const t = s.trim();
  const bracketed = /<([^<>\s]+)>/.exec(t);
  const candidate = (bracketed ? bracketed[1]! : t).replace(/^[<(\[{"'\u201c\u2018]+/u, '').replace(/[>)\]}"'\u201d\u2019,;:.!?]+$/u, '');
  return candidate !== t && looksLikeDomain(candidate) ? candidate : null;
}

/** An e-mail address, or only its domain (`@acme.com`), perhaps as a mailto: link. */
const MAIL_ADDRESS_RE = /^(?:mailto:)?[^\s/:@]*@[^\s/:@?#]+$/i;

/**
 * The domain of an e-mail address at a personal mail provider ({@link PERSONAL_MAIL_DOMAINS}):
 * "gmail.com" for `jane@gmail.com`, `Jane Doe <jane@gmail.com>`, `mailto:jane@gmail.com` or
 * `@gmail.com`. Such an address does not say which company its holder works for. Null for any
 * other text, and for the domain typed as a domain or URL (`gmail.com`, `https://gmail.com/`),
 * which may well mean the provider itself.
 */
export function personalMailDomain(s: string): string | null {
  if (!/[@\uff20\ufe6b]/.test(s)) return null;
  const address = looksLikeDomain(s) ? s.trim() : addressIn(s);
  if (address === null) return null;
  const plain = NON_ASCII_RE.test(address) ? address.replace(FORMAT_CHARS_RE, '').normalize('NFKC') : address;
  if (!MAIL_ADDRESS_RE.test(plain)) return null;
  const domain = normalizeDomain(plain);
  return PERSONAL_MAIL_DOMAINS.has(domain) ? domain : null;
}

/** A company's page on LinkedIn (`/company/<name>`) or Crunchbase (`/organization/<name>`), and what may follow its name. */
const COMPANY_PAGE_RE = /^(?:https?:\/\/)?(?:[a-z0-9-]+\.)?(?:linkedin\.com\/company|crunchbase\.com\/organization)\/([^\s/?#]+)(?:[/?#]\S*)?$/i;

/**
 * The company a link to its LinkedIn or Crunchbase page names, as the words of its address:
 * "acme corp" for `https://www.linkedin.com/company/acme-corp/` (or `/about/`, a `?trk=` after
 * it, pasted in brackets) and for `crunchbase.com/organization/acme-corp`. The link's own domain
 * names the site, not the company. Null for any other text.
 */
export function companyPageName(s: string): string | null {
  if (!/linkedin|crunchbase/i.test(s)) return null;
  const m = COMPANY_PAGE_RE.exec(addressIn(s) ?? s.trim());
  if (!m) return null;
  let slug = m[1]!;
  try {
    slug = decodeURIComponent(slug);
  } catch {
    // Not percent-encoded as it should be: its words as they are.
  }
  const name = slug.replace(/[-_+\s]+/g, ' ').trim();
  return name === '' ? null : name;
}

/** A domain label of letters, digits and hyphens only: its word is itself without the hyphens. */
const PLAIN_LABEL_RE = /^[a-z0-9-]+$/;

/**
 * A domain's own name, without its public suffix (by the Public Suffix List, its private
 * section too), written as one word as a query's words are joined: "walmart" for wal-mart.com,
 * "att" for att.com, "bt" for bt.co.uk, "acme" for acme.github.io. It is what people type for a
 * company they know by its domain. Null for a sub-domain (sites.google.com names Google, not
 * the account), a bare public suffix, or a single character.
 */
export function domainLabel(domain: string): string | null {
  // The domain is one normalizeDomain gave: a host name already, lower case, without www.
  const host = parseHost(domain, { allowPrivateDomains: true, extractHostname: false, validateHostname: false, mixedInputs: false });
  const label = host.domain === domain ? host.domainWithoutSuffix : null;
  if (!label) return null;
  const word = PLAIN_LABEL_RE.test(label) ? label.replaceAll('-', '') : nameTokens(label.replaceAll('-', ' '), { keepLegalSuffixes: true, keepLeadingThe: true }).join('');
  return word.length >= 2 ? word : null;
}
