/**
 * In-memory fuzzy account lookup for `/who-owns <text>`: by normalised name or alias (exact,
 * prefix, word, small typos) and by web domain.
 *
 * Sized for a million accounts: the index is typed arrays and flat pools (no object per word or
 * per account: the accounts' own strings are copied into one byte pool), and a query touches a
 * bounded number of postings instead of scanning accounts.
 *
 * - {@link TokenDictionary}: the distinct normalised words in one UTF-16 pool; a sorted id array
 *   (plus a small sorted list of words added since) for prefix search by binary search; and a
 *   hashed multimap from each word and each of its one-character deletions to the word
 *   (SymSpell), probed for exact lookup and for typos up to Damerau-Levenshtein (OSA) distance 2.
 * - postings: word → accounts with it in their name or an alias, one CSR array ordered per word
 *   by (word starts a name?, name length), so the likeliest answers come first; accounts added
 *   later go to linked overflow lists until the next merge.
 * - forward records: per account, the word ids of its name and aliases (varints), so a
 *   candidate is scored without touching strings. A word written with ä, ö, ü, å or ø
 *   ("muller" of Müller) also has there the id of its spelling with those letters written
 *   out ("mueller"), in a small dictionary of such spellings (not posted). A query word that
 *   is, or starts, one of them stands for the words it may spell, whose postings it reads;
 *   they pair with a field word only when the field word's spelling is that one. Only words
 *   written with the letters have a second spelling, so "Mueller" is never "Muller"; a query
 *   word written with them is looked up in both spellings ("müller" finds "Mueller").
 * - names and queries are compared on their first MAX_FIELD_TOKENS (16) words; one cut
 *   short is never an exact match.
 * - account table: hashed multimap from account id, from each space-free normalised name/alias
 *   (and its written-out spelling) and from each normalised domain to the account.
 * - account strings: per account its id, name, aliases and domains as given, in one byte pool
 *   ({@link AccountStrings}), decoded only for the few accounts a query returns.
 * - per account, its place in the order of names (ties are settled without reading names) and
 *   the shortest compact length of its name and aliases (it bounds what a match can cover).
 * Hashed tables keep an 8-bit fingerprint and the value in one int32 per slot; every hit is
 * verified against the pool or the account.
 *
 * A query reads as few forward records as it can without changing its results: an account of
 * a word's postings is read only if the query words it holds (known from bitsets made of the
 * other words' postings) could make it score at all, and then in the order of the best score
 * it could reach, until that could no longer enter the results.
 */
import { addressIn, domainLabel, LEGAL_SUFFIXES, looksLikeDomain, nameTokens, normalizeDomain, normalizeName, spelledOutWords } from './normalize.js';

export interface MatchableAccount {
  id: string;
  name: string;
  aliases: readonly string[];
  domains: readonly string[];
}

export interface AccountMatch {
  accountId: string;
  /** 0..1; 1 = the query is the normalised name or an alias. */
  score: number;
  matchedOn: 'name' | 'alias' | 'domain';
  /** The account's own name, alias or domain, as given to the matcher, that matched. */
  matchedText: string;
  /** The query names this account unambiguously: equal normalised name/alias, or equal domain. */
  exact: boolean;
}

/**
 * A search's results before any of their strings are read: how many there are, which of them
 * name their account unambiguously, and each one on demand (reading only its account's
 * strings). For a caller that shows one of several results. Use it at once: it holds until the
 * matcher next changes.
 */
export interface Ranking {
  readonly length: number;
  /** Whether result i names its account unambiguously (its {@link AccountMatch.exact}). */
  exact(i: number): boolean;
  /** Result i's score (its {@link AccountMatch.score}). */
  score(i: number): number;
  /** Result i, as {@link AccountMatcher.search} gives it. */
  match(i: number): AccountMatch;
}

// Score bands, best first. Within a band the score grows with how much of the name the query
// covers, so "acme" ranks "Acme Robotics" above "Acme Analytics GmbH".
const SCORE_EXACT = 1;
const SCORE_COMPACT = 0.97; // equal once spaces are ignored: "north wind" = "Northwind"
const SCORE_DOMAIN = 0.95;
const SCORE_PARENT_DOMAIN = 0.93; // "eu.acme.com" finds acme.com
/** The query is a domain's own name ("att" for att.com, "walmart" for wal-mart.com): above any prefix of a name. */
const SCORE_DOMAIN_LABEL = 0.9;
/** Names read from a URL or e-mail address: an exact name (1) lands just below an exact domain. */
const ADDRESS_NAME_PENALTY = 0.06;
const BAND_FULL_PREFIX = 0.8; // the query starts the name: "acm", "acme an"
const FULL_PREFIX_WIDTH = 0.099;
const BAND_WORD = 0.6; // every query word is a word of the name or starts one
const BAND_TYPO = 0.4; // every query word matches, some within the typo distance
const BAND_PARTIAL = 0.2; // the rarer query words match
/**
 * A result scoring at least this matched every word of the query (at worst within the typo
 * distance): alone, it may stand for the account. Below it only some words matched ("Acme
 * Holdings" finds Umbrella Holdings), which is a suggestion, never the answer.
 */
export const CONFIDENT_SCORE = BAND_TYPO;

/**
 * Which of a search's results stands for the account the person meant, or -1 when they must
 * choose: the one result that names an account exactly, else the one result that matched every
 * word typed (the others, matching some words only, are suggestions beside it). A query of fewer
 * than three letters or digits is a fragment: only an exact name or alias stands for an account.
 * An exact name that is not what was typed word for word (`literal`: "Vodafone GmbH", its legal
 * form set aside, for "vodafone") does not stand alone beside the account whose main domain's
 * own name the query is (Vodafone Group, vodafone.com): both are offered.
 */
export function soleAnswer(results: { readonly length: number; exact(i: number): boolean; score(i: number): number }, query: string, literal?: (i: number) => boolean): number {
  let exact = -1;
  let sure = -1;
  let sureCount = 0;
  for (let i = 0; i < results.length; i++) {
    if (results.exact(i)) {
      if (exact >= 0) return -1;
      exact = i;
    }
    if (results.score(i) >= CONFIDENT_SCORE && sureCount++ === 0) sure = i;
  }
  if (exact >= 0) {
    // A result found by a main domain's own name scores SCORE_DOMAIN_LABEL, as no name does.
    let byDomainName = false;
    for (let i = 0; i < results.length; i++) if (i !== exact && results.score(i) === SCORE_DOMAIN_LABEL) byDomainName = true;
    return byDomainName && literal && !looksLikeDomain(query) && !literal(exact) ? -1 : exact;
  }
  const fragment = (query.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < 3;
  return sureCount === 1 && !fragment ? sure : -1;
}
const BAND_WIDTH = 0.199;

/**
 * Within its band, a query that ends where a word of the name ends ("sap" of SAP America) comes
 * before one that ends inside a word (Sapient), then the more of the name it covers the better.
 */
function fullPrefixScore(queryLen: number, fieldLen: number, wholeWords: boolean): number {
  const cover = Math.min(1, queryLen / fieldLen);
  return BAND_FULL_PREFIX + FULL_PREFIX_WIDTH * (wholeWords ? 0.5 + 0.5 * cover : 0.5 * cover);
}

function wordScore(exactFraction: number, coverage: number, inOrder: boolean): number {
  return BAND_WORD + BAND_WIDTH * (0.4 * exactFraction + 0.4 * coverage + (inOrder ? 0.2 : 0));
}

/** In order counts for a little: "reyes and de vrmies" is Reyes & De Vries before De Vries & Reyes. */
function typoScore(distanceSum: number, coverage: number, nonTypoFraction: number, inOrder: boolean): number {
  return BAND_TYPO + BAND_WIDTH * (0.45 / (1 + distanceSum) + 0.3 * coverage + 0.2 * nonTypoFraction + (inOrder ? 0.05 : 0));
}

function partialScore(weightFraction: number, coverage: number): number {
  return BAND_PARTIAL + BAND_WIDTH * weightFraction * (0.6 + 0.4 * coverage);
}

/** Allowed typo distance for a word of `len` characters. */
function typoAllowance(len: number, loose: boolean): number {
  if (loose) return len >= 4 ? 2 : len === 3 ? 1 : 0;
  return len >= 8 ? 2 : len >= 4 ? 1 : 0;
}

const MAX_LIMIT = 50;
/** A query that finds nothing sure is read otherwise (words split or joined) up to words this long, in at most this many ways. */
const MAX_SPLIT_LEN = 40;
const MAX_READINGS = 4;
/** The score of a reading's result that does not start the name word for word: a suggestion, never an answer. */
const READING_SUGGESTION = BAND_PARTIAL + BAND_WIDTH;
/** The longest domain name DNS allows. */
const MAX_DOMAIN = 253;
/**
 * Words of a name or alias indexed, and of a query compared: a longer one is compared on its
 * first MAX_FIELD_TOKENS words, and is never an exact match (neither is a query longer than
 * that), since what follows is not known. One bound for both, so that any name the index holds
 * whole can be typed whole. It keeps a field's words a bitmask in scoring, and at most
 * MAX_FIELD_TOKENS² pairs of words per spelling; a query's work is bounded by its length
 * (who-owns takes 200 characters) more than by its words.
 */
const MAX_FIELD_TOKENS = 16;
const MAX_QUERY_TOKENS = MAX_FIELD_TOKENS;
/**
 * Pairs of a query word and a field word scored at most: one per expansion of the query word
 * the field word is, and, for a query word whose prefixes were cut short, one per spelling.
 */
const MAX_PAIRS = 2 * MAX_QUERY_TOKENS * MAX_FIELD_TOKENS;
/** Forward record: a field's first byte is its word count, with these flags. */
const FIELD_SPELLED = 0x80; // the other spellings of its words follow them (ä, ö, ü, å, ø written out)
const FIELD_CUT = 0x40; // it had more than MAX_FIELD_TOKENS words: never an exact match
const FIELD_WORDS = 0x3f;
const MAX_ALIASES = 31;
/** Shorter words get no deletion entries (typos need 4+ characters, 3 for suggestions). */
const MIN_DELETE_LEN = 3;
/** Longer words are matched exactly or by prefix only. */
const MAX_TYPO_LEN = 20;
const MAX_PREFIX_EXPANSIONS = 48;
const PREFIX_SCAN_LIMIT = 1024;
const MAX_TYPO_EXPANSIONS = 64;
/** Typo probes run together (see TokenDictionary.flushProbes). */
const PROBE_BATCH = 64;
/** Postings visited per query: bounds the work for very common words ("group", "global"). */
const POSTING_BUDGET = 2_500;
/** Rarest-word volumes between which full matches are found by intersecting postings. */
const FULL_MATCH_FILTER_FROM = 2_000;
const FULL_MATCH_FILTER_MAX = 400_000;
/** Postings of other words read into bitsets per posting the word filter may spare scoring. */
const WORD_FILTER_COST = 256;
const TARGET_LOAD = 0.7;
const MAX_LOAD = 0.85;
const MIN_TABLE_SLOTS = 256;
const RECENT_TOKENS_MAX = 4096;
const MIN_OVERFLOW_MERGE = 16_384;
const MIN_DEAD_COMPACTION = 1024;

/** Pair flags: the query word matched in its other spelling; the field word did. */
const QUERY_OTHER = 1;
const FIELD_OTHER = 2;

const KIND_EXACT = 0;
const KIND_PREFIX = 1;
const KIND_TYPO = 2;
/** An expansion that pairs only with a field word in its other spelling (exSpelledFrom). */
const KIND_NONE = 3;
/** Written-out spellings whose words a query word starts: a bounded few. */
const MAX_SPELLED_PREFIXES = 16;
/** Letter pairs of a written-out spelling tried as one letter: 2^this candidates at most. */
const MAX_SPELLED_PAIRS = 6;

const KEY_TOKEN = 0x1b873593;
const KEY_NAME = 0x2545f491;
const KEY_DOMAIN = 0x3c6ef372;
const KEY_ID = 0x5be0cd19;
const KEY_LABEL = 0x510e527f;
const KEY_LABEL_PRINT = 0x1f83d9ab;
const KEY_OTHER_LABEL = 0x6a09e667;

// ---------------------------------------------------------------------------------------------
// Hashing: a polynomial hash over UTF-16 code units, so that the hash of a word with one
// character deleted, inserted or replaced follows in O(1) from its prefix and suffix hashes.

const HASH_BASE = 0x2f0b3d1b;
const POW = new Int32Array(MAX_TYPO_LEN + 8);
POW[0] = 1;
for (let i = 1; i < POW.length; i++) POW[i] = Math.imul(POW[i - 1]!, HASH_BASE);

/** The characters tried for substitutions and insertions (words with digits have no typo entries). */
const ALPHABET = Int32Array.from('abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));

function rawHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** Final 32-bit key of a raw hash, with the length and the kind of key mixed in (fmix32). */
function keyOf(raw: number, len: number, kind: number): number {
  let h = ((raw + Math.imul(len, 0x9e3779b1)) | 0) ^ kind;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function stringKey(s: string, kind: number): number {
  return keyOf(rawHash(s), s.length, kind);
}

/** P[i] = hash of buf[0..i); S[i] = hash of buf[i..m) weighted by its place at the end. */
function fillAffixHashes(buf: Int32Array, m: number, P: Int32Array, S: Int32Array): void {
  P[0] = 0;
  for (let i = 0; i < m; i++) P[i + 1] = (Math.imul(P[i]!, HASH_BASE) + buf[i]!) | 0;
  S[m] = 0;
  for (let i = m - 1; i >= 0; i--) S[i] = (Math.imul(buf[i]!, POW[m - 1 - i]!) + S[i + 1]!) | 0;
}

function deletedHash(P: Int32Array, S: Int32Array, m: number, i: number): number {
  return (Math.imul(P[i]!, POW[m - 1 - i]!) + S[i + 1]!) | 0;
}

function substitutedHash(full: number, m: number, i: number, from: number, to: number): number {
  return (full + Math.imul(to - from, POW[m - 1 - i]!)) | 0;
}

function insertedHash(P: Int32Array, S: Int32Array, m: number, p: number, c: number): number {
  return (Math.imul(P[p]!, POW[m - p + 1]!) + Math.imul(c, POW[m - p]!) + S[p]!) | 0;
}

// ---------------------------------------------------------------------------------------------
// Growable typed arrays.

type I32 = Int32Array<ArrayBuffer>;
type U8 = Uint8Array<ArrayBuffer>;
type U16 = Uint16Array<ArrayBuffer>;

function growInt32(a: I32, min: number, fill = 0): I32 {
  if (a.length >= min) return a;
  const b = new Int32Array(Math.max(min, Math.ceil(a.length * 1.5) + 64));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

function growUint8(a: U8, min: number): U8 {
  if (a.length >= min) return a;
  const b = new Uint8Array(Math.max(min, Math.ceil(a.length * 1.5) + 64));
  b.set(a);
  return b;
}

function growUint16(a: U16, min: number): U16 {
  if (a.length >= min) return a;
  const b = new Uint16Array(Math.max(min, Math.ceil(a.length * 1.5) + 64));
  b.set(a);
  return b;
}

/** Int32 columns appended row by row while building. */
class IntRows {
  len = 0;
  cols: I32[];
  constructor(width: number, capacity: number) {
    this.cols = Array.from({ length: width }, () => new Int32Array(Math.max(64, capacity)));
  }
  push(a: number, b: number, c = 0): void {
    if (this.len === this.cols[0]!.length) this.cols = this.cols.map((col) => growInt32(col, this.len + 1));
    this.cols[0]![this.len] = a;
    this.cols[1]![this.len] = b;
    if (this.cols.length > 2) this.cols[2]![this.len] = c;
    this.len++;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Everything an {@link AccountMatcher} knows, as numbers and typed arrays (no objects): what
 * the app writes to disk next to the database so that a restart need not index a million
 * accounts again. `format` changes whenever the index layout or the normalisation does.
 */
export interface MatcherSnapshot {
  format: number;
  numbers: Record<string, number>;
  arrays: Record<string, Int32Array | Uint8Array | Uint16Array>;
}

/**
 * Bump on any change to the index layout, the scoring inputs or the normalisation. 4: words
 * with ä, ö, ü, å or ø have their written-out spelling too (the `spell.*` dictionary, the
 * forward record's flags and spellings, the space-free form written out in the account
 * table), and fields longer than MAX_FIELD_TOKENS words are marked. 5: more legal forms
 * (KGaA, S.A. de C.V., PJSC…) are dropped from the end of names. 6: the own name of each
 * account's first domain ("att" for att.com) is in the account table, and its fingerprint in
 * `labelPrint`. 7: so are the own names of its other domains, under their own key (a
 * suggestion only). 8: domains are read without invisible format characters and with
 * full-width forms folded (NFKC). 10: only accents and optional points are removed from
 * names (the vowel signs of Indic scripts and Thai are kept), and Arabic script's letter forms
 * folded (tatweel, keheh, Persian yeh, alef maksura, ta marbuta).
 */
export const MATCHER_SNAPSHOT_FORMAT = 10;

function num(s: MatcherSnapshot, key: string): number {
  const v = s.numbers[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`matcher snapshot: no number ${key}`);
  return v;
}

function typed<T>(s: MatcherSnapshot, key: string, ctor: { new (...a: never[]): T }): T {
  const v = s.arrays[key];
  if (!(v instanceof ctor)) throw new RangeError(`matcher snapshot: no ${ctor.name} ${key}`);
  return v;
}

const int32 = (s: MatcherSnapshot, key: string): I32 => typed(s, key, Int32Array) as I32;
const uint8 = (s: MatcherSnapshot, key: string): U8 => typed(s, key, Uint8Array) as U8;
const uint16 = (s: MatcherSnapshot, key: string): U16 => typed(s, key, Uint16Array) as U16;

const SLOT_VALUE_MASK = 0xffffff;
const SLOT_TOMBSTONE = 0xffffff;
/** Values are stored +1 in 24 bits next to an 8-bit fingerprint. */
const MAX_TABLE_VALUE = 0xfffffd;

/**
 * Open-addressing multimap from 32-bit keys to values 0..MAX_TABLE_VALUE, one int32 per slot
 * (fingerprint of the key in the high byte, value + 1 below; 0 = empty). It keeps no keys, so a
 * lookup may return values of a colliding key (callers verify) and it cannot rehash itself:
 * when `overloaded`, its owner builds a larger one from the source data.
 */
class KeyMultiMap {
  readonly slots: I32;
  /**
   * Optional one-bit-per-key filter (about 8 bits per slot): most typo probes are misses, and
   * a bit test in a small array is cheaper than a probe into the table.
   */
  private readonly filter: I32 | undefined;
  private readonly filterShift: number;
  private used = 0;

  constructor(capacity: number, withFilter = false) {
    this.slots = new Int32Array(capacity);
    let log2 = 10;
    while (2 ** log2 < capacity * 8 && log2 < 31) log2++;
    this.filter = withFilter ? new Int32Array(2 ** (log2 - 5)) : undefined;
    this.filterShift = 32 - log2;
  }

  /** The table's arrays and load, for a snapshot. */
  snapshot(prefix: string, out: MatcherSnapshot): void {
    out.arrays[`${prefix}.slots`] = this.slots;
    if (this.filter) out.arrays[`${prefix}.filter`] = this.filter;
    out.numbers[`${prefix}.used`] = this.used;
  }

  static restore(prefix: string, from: MatcherSnapshot): KeyMultiMap {
    const slots = int32(from, `${prefix}.slots`);
    const filter = from.arrays[`${prefix}.filter`];
    const table = new KeyMultiMap(0, false);
    const t = table as unknown as { slots: I32; filter: I32 | undefined; filterShift: number; used: number };
    t.slots = slots;
    t.filter = filter === undefined ? undefined : int32(from, `${prefix}.filter`);
    t.filterShift = t.filter === undefined ? 0 : 32 - (Math.log2(t.filter.length) + 5);
    t.used = num(from, `${prefix}.used`);
    return table;
  }

  static sizedFor(entries: number, withFilter = false): KeyMultiMap {
    return new KeyMultiMap(Math.max(MIN_TABLE_SLOTS, Math.ceil(entries / TARGET_LOAD)), withFilter);
  }

  /** True when `more` entries would take the table past its maximum load (then rebuild first: a full table never ends a probe). */
  wouldOverload(more: number): boolean {
    return this.used + more > this.slots.length * MAX_LOAD;
  }

  /** False when no entry has this key (always true without a filter). */
  mayContain(key: number): boolean {
    if (this.filter === undefined) return true;
    const bit = Math.imul(key, 0x9e3779b1) >>> this.filterShift;
    return (this.filter[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  get overloaded(): boolean {
    return this.used > this.slots.length * MAX_LOAD;
  }

  get load(): number {
    return this.used / this.slots.length;
  }

  home(key: number): number {
    const cap = this.slots.length;
    const i = Math.floor((key / 4294967296) * cap);
    return i < cap ? i : cap - 1;
  }

  /** Adds (key, val) unless that pair is already present. */
  add(key: number, val: number): void {
    if (val > MAX_TABLE_VALUE) throw new RangeError(`AccountMatcher: more than ${MAX_TABLE_VALUE} entries`);
    const entry = ((key & 0xff) << 24) | (val + 1);
    const slots = this.slots;
    const cap = slots.length;
    let i = this.home(key);
    for (;;) {
      const s = slots[i]!;
      if (s === 0) break;
      if (s === entry) return;
      if (++i === cap) i = 0;
    }
    slots[i] = entry;
    this.used++;
    if (this.filter !== undefined) {
      const bit = Math.imul(key, 0x9e3779b1) >>> this.filterShift;
      this.filter[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** Appends to `out` the values stored under `key` (and possibly some of colliding keys). */
  collect(key: number, out: number[]): void {
    const tag = key & 0xff;
    const slots = this.slots;
    const cap = slots.length;
    let i = this.home(key);
    for (;;) {
      const s = slots[i]!;
      if (s === 0) return;
      if (s >>> 24 === tag && (s & SLOT_VALUE_MASK) !== SLOT_TOMBSTONE) out.push((s & SLOT_VALUE_MASK) - 1);
      if (++i === cap) i = 0;
    }
  }

  remove(key: number, val: number): void {
    const entry = ((key & 0xff) << 24) | (val + 1);
    const slots = this.slots;
    const cap = slots.length;
    let i = this.home(key);
    for (;;) {
      const s = slots[i]!;
      if (s === 0) return;
      if (s === entry) {
        slots[i] = (entry & ~SLOT_VALUE_MASK) | SLOT_TOMBSTONE;
        return;
      }
      if (++i === cap) i = 0;
    }
  }
}

// ---------------------------------------------------------------------------------------------

type TwoEdits = 'always' | 'if-none-closer' | 'never';

/** Cells of TokenDictionary.headStart: one per pair of ASCII characters. */
const HEAD_CELLS = 128 * 128;

/**
 * headStart from sortedHead: each word falls in the cell of its first two characters (both
 * ASCII), or between cells (a non-ASCII second character: after its first character's cells;
 * a non-ASCII first: after all); cell x starts at the first word not in a lower cell.
 */
function headStarts(heads: I32): I32 {
  const out = new Int32Array(HEAD_CELLS + 1);
  const words = heads.length >>> 1;
  let i = 0;
  for (let x = 0; x <= HEAD_CELLS; x++) {
    while (i < words) {
      const c0 = heads[2 * i]! >>> 16;
      const c1 = heads[2 * i]! & 0xffff;
      // The word's place among cells, doubled: 2x for cell x, 2x + 1 just after it.
      const place = c0 >= 128 ? 2 * HEAD_CELLS : c1 >= 128 ? 2 * (c0 * 128 + 127) + 1 : 2 * (c0 * 128 + c1);
      if (place >= 2 * x) break;
      i++;
    }
    out[x] = i;
  }
  return out;
}

/** Sorts query word indices (at most MAX_QUERY_TOKENS) by volume, then index. */
function sortByVolume(words: number[], volume: Int32Array): void {
  for (let i = 1; i < words.length; i++) {
    const x = words[i]!;
    let j = i - 1;
    while (j >= 0 && (volume[words[j]!]! > volume[x]! || (volume[words[j]!]! === volume[x]! && words[j]! > x))) {
      words[j + 1] = words[j]!;
      j--;
    }
    words[j + 1] = x;
  }
}

/** Whether `s` holds ae, oe, ue or aa: what ä, ö, ü, å and ø are written out as. */
function hasLetterPair(s: string): boolean {
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const p = s.charCodeAt(i - 1);
    if ((c === 101 && (p === 97 || p === 111 || p === 117)) || (c === 97 && p === 97)) return true;
  }
  return false;
}

/**
 * The words a written-out spelling may stand for: it with some of its ae, oe, ue and aa as
 * one letter ("mueller" → "muller"; "aalborg" → "alborg"), two pairs never sharing a letter.
 */
function baseSpellings(s: string): string[] {
  const at: number[] = [];
  for (let i = 1; i < s.length && at.length < MAX_SPELLED_PAIRS; i++) {
    const c = s.charCodeAt(i);
    const p = s.charCodeAt(i - 1);
    if ((c === 101 && (p === 97 || p === 111 || p === 117)) || (c === 97 && p === 97)) at.push(i);
  }
  const out: string[] = [];
  for (let mask = 1; mask < 1 << at.length; mask++) {
    let base = '';
    let from = 0;
    let prev = -2;
    for (let b = 0; b < at.length && from >= 0; b++) {
      if (!(mask & (1 << b))) continue;
      const i = at[b]!;
      if (i === prev + 1) from = -1;
      else {
        base += s.slice(from, i);
        from = i + 1;
        prev = i;
      }
    }
    if (from >= 0) out.push(base + s.slice(from));
  }
  return out;
}

/** Words with digits ("2020", "a1") match exactly or by prefix only: "Acme 2020" is not "Acme 2021". */
function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/**
 * The distinct normalised words, numbered densely in order of arrival. Words are never removed
 * (an unused word costs a few bytes); the owning matcher rebuilds the dictionary on compaction.
 * `typoIndexed`: words are indexed for typo search too (their one-character deletions);
 * without it (the written-out spellings) a word is found as written or by prefix only.
 */
class TokenDictionary {
  constructor(private readonly typoIndexed = true) {}

  count = 0;
  chars: U16 = new Uint16Array(0);
  /** Word t is chars[start[t] .. start[t+1]). */
  start: I32 = new Int32Array(1);
  /** Length of each word, capped at 255. */
  lens: U8 = new Uint8Array(0);
  private table = KeyMultiMap.sizedFor(0, true);
  private sorted: I32 = new Int32Array(0);
  /**
   * The first four characters of each word of `sorted`, two per int32 (0 past its end; a
   * normalised word holds no U+0000), at 2i and 2i+1: prefix search compares these, in one
   * array in sorted order, instead of reaching each word's characters. Derived from `sorted`.
   */
  private sortedHead: I32 = new Int32Array(0);
  /**
   * For a word starting with ASCII c0, c1: at c0 * 128 + c1, the first index of `sorted` that
   * may hold it, and at the next entry where such words certainly end (prefix search looks
   * only between). Derived from `sortedHead`.
   */
  private headStart: I32 = new Int32Array(HEAD_CELLS + 1);
  private recent: number[] = [];
  /** During a bulk load the sorted order is built once at the end. */
  private bulk = false;
  // Prefix search scratch.
  private readonly prefixCandidates = new Int32Array(PREFIX_SCAN_LIMIT);
  private readonly prefixOrdered = new Int32Array(PREFIX_SCAN_LIMIT);
  private readonly lenCount = new Int32Array(257);
  private prefixFound = 0;
  private seen: I32 = new Int32Array(0);
  private seenStamp = 0;
  // Typo search scratch: query word, a variant of it, prefix/suffix hashes, DP rows, results.
  private readonly q = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly variant = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly qP = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly qS = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly vP = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly vS = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly rows = [0, 1, 2].map(() => new Int32Array(MAX_TYPO_LEN + 8));
  private qLen = 0;
  private maxDistance = 0;
  private looseTypos = false;
  private near1: number[] = [];
  private near2: number[] = [];
  /** Probes queued: their keys, then (while they run) their home slots (one more: see flushProbes). */
  private readonly probeKeys = new Uint32Array(PROBE_BATCH);
  private readonly probeHomes = new Int32Array(PROBE_BATCH + 1);
  private probeCount = 0;

  snapshot(out: MatcherSnapshot, prefix = 'dict'): void {
    out.numbers[`${prefix}.count`] = this.count;
    out.arrays[`${prefix}.chars`] = this.chars;
    out.arrays[`${prefix}.start`] = this.start;
    out.arrays[`${prefix}.lens`] = this.lens;
    out.arrays[`${prefix}.sorted`] = this.sorted;
    out.arrays[`${prefix}.recent`] = Int32Array.from(this.recent);
    this.table.snapshot(`${prefix}.table`, out);
  }

  static restore(from: MatcherSnapshot, prefix = 'dict', typoIndexed = true): TokenDictionary {
    const d = new TokenDictionary(typoIndexed);
    d.count = num(from, `${prefix}.count`);
    d.chars = uint16(from, `${prefix}.chars`);
    d.start = int32(from, `${prefix}.start`);
    d.lens = uint8(from, `${prefix}.lens`);
    d.sorted = int32(from, `${prefix}.sorted`);
    d.sortedHead = d.headsOf(d.sorted);
    d.headStart = headStarts(d.sortedHead);
    d.recent = Array.from(int32(from, `${prefix}.recent`));
    d.table = KeyMultiMap.restore(`${prefix}.table`, from);
    if (d.start.length < d.count + 1 || d.lens.length < d.count || d.sorted.length + d.recent.length !== d.count) throw new RangeError('matcher snapshot: inconsistent dictionary');
    return d;
  }

  /** Starts a bulk load: the sorted order is built by {@link endBulk}. */
  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    this.chars = this.chars.slice(0, this.start[this.count]!);
    this.start = this.start.slice(0, this.count + 1);
    this.lens = this.lens.slice(0, this.count);
    if (this.table.load < 0.55) this.rebuildTable(1);
    const ids = new Int32Array(this.count);
    for (let t = 0; t < ids.length; t++) ids[t] = t;
    ids.sort((x, y) => this.compare(x, y));
    this.sorted = ids;
    this.sortedHead = this.headsOf(ids);
    this.headStart = headStarts(this.sortedHead);
    this.recent = [];
  }

  /** The id of word `s`, adding it if new. */
  intern(s: string): number {
    const found = this.find(s);
    if (found >= 0) return found;
    const t = this.append(s);
    // A word adds up to MAX_TYPO_LEN + 1 entries: make room first (the rebuild indexes t too).
    if (this.table.wouldOverload(s.length + 1)) this.rebuildTable(this.bulk ? 2 : 1.5);
    else this.indexVariants(this.table, t);
    if (this.bulk) return t;
    const r = this.recent;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(r[mid]!, t) < 0) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, t);
    if (r.length > RECENT_TOKENS_MAX) this.mergeRecent();
    return t;
  }

  /** The id of word `s`, or -1. */
  find(s: string): number {
    // The table's probe, inlined: every word of every account is looked up while indexing.
    const key = stringKey(s, KEY_TOKEN);
    const tag = key & 0xff;
    const slots = this.table.slots;
    const cap = slots.length;
    let i = this.table.home(key);
    for (;;) {
      const v = slots[i]!;
      if (v === 0) return -1;
      if (v >>> 24 === tag && (v & SLOT_VALUE_MASK) !== SLOT_TOMBSTONE && this.equals((v & SLOT_VALUE_MASK) - 1, s)) return (v & SLOT_VALUE_MASK) - 1;
      if (++i === cap) i = 0;
    }
  }

  len(t: number): number {
    return this.start[t + 1]! - this.start[t]!;
  }

  /** Word t as a string. */
  word(t: number): string {
    return String.fromCharCode(...this.chars.subarray(this.start[t]!, this.start[t + 1]!));
  }

  /** The raw hash `h` continued with word t's characters (see {@link compactKey}). */
  hashOn(h: number, t: number): number {
    const end = this.start[t + 1]!;
    for (let c = this.start[t]!; c < end; c++) h = (Math.imul(h, HASH_BASE) + this.chars[c]!) | 0;
    return h;
  }

  /** Hash of the word ids' characters concatenated (the space-free form of a name). */
  compactKey(ids: ArrayLike<number>, m: number): number {
    let h = 0;
    let len = 0;
    for (let j = 0; j < m; j++) {
      const t = ids[j]!;
      const end = this.start[t + 1]!;
      for (let c = this.start[t]!; c < end; c++) h = (Math.imul(h, HASH_BASE) + this.chars[c]!) | 0;
      len += end - this.start[t]!;
    }
    return keyOf(h, len, KEY_NAME);
  }

  startsWith(t: number, codes: Int32Array, from: number, n: number): boolean {
    const s = this.start[t]!;
    if (this.start[t + 1]! - s < n) return false;
    for (let i = 0; i < n; i++) if (this.chars[s + i] !== codes[from + i]) return false;
    return true;
  }

  /** Starts a new scope for {@link markSeen} (one query word). */
  beginWord(): void {
    if (this.seen.length < this.count) this.seen = growInt32(this.seen, this.count);
    if (this.seenStamp >= 0x7ffffff0) {
      this.seen.fill(0);
      this.seenStamp = 0;
    }
    this.seenStamp++;
  }

  /** Marks word t as already used for the current query word; false if it was. */
  markSeen(t: number): boolean {
    if (this.seen[t] === this.seenStamp) return false;
    this.seen[t] = this.seenStamp;
    return true;
  }

  /**
   * Pushes to `out` the words longer than codes[from, from+n) that start with it, shortest
   * first, at most `max`; returns true when there were more.
   */
  prefixed(codes: Int32Array, from: number, n: number, max: number, out: number[]): boolean {
    this.prefixFound = 0;
    let more = this.scanSorted(codes, from, n);
    if (this.recent.length > 0) more = this.scanPrefixed(this.recent, codes, from, n) || more;
    const found = this.prefixFound;
    if (found > max) more = true;
    // Stable sort by length: dictionary order within a length. By insertion when few, else by counting.
    const lens = this.lens;
    const ordered = this.prefixOrdered;
    if (found <= 32) {
      for (let i = 0; i < found; i++) {
        const t = this.prefixCandidates[i]!;
        let j = i - 1;
        while (j >= 0 && lens[ordered[j]!]! > lens[t]!) {
          ordered[j + 1] = ordered[j]!;
          j--;
        }
        ordered[j + 1] = t;
      }
    } else {
      const count = this.lenCount;
      count.fill(0);
      for (let i = 0; i < found; i++) count[lens[this.prefixCandidates[i]!]! + 1]!++;
      for (let l = 1; l < count.length; l++) count[l]! += count[l - 1]!;
      for (let i = 0; i < found; i++) {
        const t = this.prefixCandidates[i]!;
        ordered[count[lens[t]!]!++] = t;
      }
    }
    for (let i = 0; i < found && i < max; i++) out.push(ordered[i]!);
    return more;
  }

  /** The first four characters of each word, as in {@link sortedHead}. */
  private headsOf(ids: I32): I32 {
    const heads = new Int32Array(2 * ids.length);
    const chars = this.chars;
    for (let i = 0; i < ids.length; i++) {
      const s = this.start[ids[i]!]!;
      const n = this.start[ids[i]! + 1]! - s;
      heads[2 * i] = ((n > 0 ? chars[s]! : 0) << 16) | (n > 1 ? chars[s + 1]! : 0);
      heads[2 * i + 1] = ((n > 2 ? chars[s + 2]! : 0) << 16) | (n > 3 ? chars[s + 3]! : 0);
    }
    return heads;
  }

  /**
   * {@link scanPrefixed} over `sorted`, by its first four characters in `sortedHead`: the
   * characters of a word are read only past those four.
   */
  private scanSorted(codes: Int32Array, from: number, n: number): boolean {
    const qa = (((n > 0 ? codes[from]! : 0) << 16) | (n > 1 ? codes[from + 1]! : 0)) >>> 0;
    const qb = (((n > 2 ? codes[from + 2]! : 0) << 16) | (n > 3 ? codes[from + 3]! : 0)) >>> 0;
    const heads = this.sortedHead;
    const sorted = this.sorted;
    // The first word not below the query: by the heads, then by the characters past them;
    // between the bounds of its first two characters when they are ASCII.
    let lo = 0;
    let hi = sorted.length;
    if (n >= 2 && codes[from]! < 128 && codes[from + 1]! < 128) {
      const cell = codes[from]! * 128 + codes[from + 1]!;
      lo = this.headStart[cell]!;
      hi = this.headStart[cell + 1]!;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const a = heads[2 * mid]! >>> 0;
      const b = heads[2 * mid + 1]! >>> 0;
      const below = a !== qa ? a < qa : b !== qb ? b < qb : this.compareToCodes(sorted[mid]!, codes, from, n) < 0;
      if (below) lo = mid + 1;
      else hi = mid;
    }
    // Words starting with the query: equal heads on the query's first (up to four) characters.
    const maskA = n >= 2 ? 0xffffffff : n === 1 ? 0xffff0000 : 0;
    const maskB = n >= 4 ? 0xffffffff : n === 3 ? 0xffff0000 : 0;
    for (let i = lo; i < sorted.length; i++) {
      if (((heads[2 * i]! & maskA) >>> 0) !== ((qa & maskA) >>> 0) || ((heads[2 * i + 1]! & maskB) >>> 0) !== ((qb & maskB) >>> 0)) return false;
      const t = sorted[i]!;
      if (n > 4 && !this.startsWith(t, codes, from, n)) return false;
      if ((this.lens[t]! < 255 ? this.lens[t]! : this.len(t)) === n) continue;
      if (this.prefixFound === PREFIX_SCAN_LIMIT) return true;
      this.prefixCandidates[this.prefixFound++] = t;
    }
    return false;
  }

  /** Adds to prefixCandidates the words of sorted list `arr` starting with the codes; true if cut short. */
  private scanPrefixed(arr: ArrayLike<number>, codes: Int32Array, from: number, n: number): boolean {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareToCodes(arr[mid]!, codes, from, n) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < arr.length; i++) {
      const t = arr[i]!;
      if (!this.startsWith(t, codes, from, n)) return false;
      if (this.len(t) === n) continue;
      if (this.prefixFound === PREFIX_SCAN_LIMIT) return true;
      this.prefixCandidates[this.prefixFound++] = t;
    }
    return false;
  }

  /**
   * Words within the typo allowance of `word` not yet marked seen: distance 1 into `near1`,
   * distance 2 into `near2` as `twoEdits` says (it costs ~36·n² probes, so a search looks for
   * it only when nothing closer exists). `known`: the word is in the dictionary.
   */
  typos(word: string, loose: boolean, twoEdits: TwoEdits, near1: number[], near2: number[], known = false): void {
    const n = word.length;
    this.maxDistance = typoAllowance(n, loose);
    if (this.maxDistance === 0 || n > MAX_TYPO_LEN || hasDigit(word)) return;
    for (let i = 0; i < n; i++) this.q[i] = word.charCodeAt(i);
    this.qLen = n;
    this.looseTypos = loose;
    this.near1 = near1;
    this.near2 = near2;
    const Q = this.q;
    const P = this.qP;
    const S = this.qS;
    fillAffixHashes(Q, n, P, S);
    const full = P[n]!;
    // Distance 1, symmetric deletions: the word, and each one-character deletion of it.
    this.probe(full, n);
    for (let i = 0; i < n; i++) this.probe(deletedHash(P, S, n, i), n - 1);
    // A word of the dictionary that gets here (3 to MAX_TYPO_LEN letters, no digit) is indexed
    // with its deletions: these probes are all in the table, the filter need not be asked.
    this.flushProbes(known);
    if (this.maxDistance < 2 || twoEdits === 'never' || (twoEdits === 'if-none-closer' && near1.length > 0)) return;
    // Distance 2 against words indexed with their one-character deletions: probe each edit of
    // the query (insertion, substitution, deletion + deletion/substitution, transposition + any).
    for (let p = 0; p <= n; p++) {
      for (let a = 0; a < ALPHABET.length; a++) this.probe(insertedHash(P, S, n, p, ALPHABET[a]!), n + 1);
    }
    for (let i = 0; i < n; i++) {
      const from = Q[i]!;
      for (let a = 0; a < ALPHABET.length; a++) {
        const c = ALPHABET[a]!;
        if (c !== from) this.probe(substitutedHash(full, n, i, from, c), n);
      }
    }
    const V = this.variant;
    const VP = this.vP;
    const VS = this.vS;
    const m = n - 1;
    for (let j = 0; j < n; j++) {
      for (let x = 0, y = 0; x < n; x++) if (x !== j) V[y++] = Q[x]!;
      fillAffixHashes(V, m, VP, VS);
      const vFull = VP[m]!;
      for (let i = 0; i < j; i++) {
        this.probe(deletedHash(VP, VS, m, i), m - 1);
        const from = V[i]!;
        for (let a = 0; a < ALPHABET.length; a++) {
          const c = ALPHABET[a]!;
          if (c !== from) this.probe(substitutedHash(vFull, m, i, from, c), m);
        }
      }
    }
    for (let i = 0; i + 1 < n; i++) {
      if (Q[i] === Q[i + 1]) continue;
      V.set(Q.subarray(0, n));
      V[i] = Q[i + 1]!;
      V[i + 1] = Q[i]!;
      fillAffixHashes(V, n, VP, VS);
      this.probe(VP[n]!, n);
      for (let j = 0; j < n; j++) this.probe(deletedHash(VP, VS, n, j), n - 1);
    }
    this.flushProbes();
  }

  /** Queues a probe for the word or deletion with this hash and length (see {@link flushProbes}). */
  private probe(raw: number, len: number): void {
    if (len <= 0) return;
    this.probeKeys[this.probeCount++] = keyOf(raw, len, KEY_TOKEN);
    if (this.probeCount === PROBE_BATCH) this.flushProbes();
  }

  /**
   * Runs the queued probes in order: first every filter test (none when the keys are known to
   * be `present`), then the home slot of each key the filter passes, then the walks. The reads
   * of each pass do not wait on one another, so their cache misses overlap; the words are
   * considered in the order they were probed.
   */
  private flushProbes(present = false): void {
    const keys = this.probeKeys;
    const n = this.probeCount;
    this.probeCount = 0;
    let m = n;
    if (!present) {
      m = 0;
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        if (this.table.mayContain(key)) keys[m++] = key;
      }
    }
    const slots = this.table.slots;
    const cap = slots.length;
    const homes = this.probeHomes;
    let touched = 0;
    for (let i = 0; i < m; i++) {
      homes[i] = this.table.home(keys[i]!);
      touched |= slots[homes[i]!]!;
    }
    homes[m] = touched;
    for (let k = 0; k < m; k++) {
      const tag = keys[k]! & 0xff;
      let i = homes[k]!;
      for (;;) {
        const s = slots[i]!;
        if (s === 0) break;
        if (s >>> 24 === tag && (s & SLOT_VALUE_MASK) !== SLOT_TOMBSTONE) this.consider((s & SLOT_VALUE_MASK) - 1);
        if (++i === cap) i = 0;
      }
    }
  }

  private consider(t: number): void {
    if (this.seen[t] === this.seenStamp) return;
    // Lengths first (a small array): a word too long or short is passed over without reading
    // its characters (it may come again: it is passed over again).
    const len = this.lens[t]! < 255 ? this.lens[t]! : this.len(t);
    const allowed = Math.min(this.maxDistance, typoAllowance(len, this.looseTypos));
    if (allowed === 0 || Math.abs(len - this.qLen) > allowed) return;
    this.seen[t] = this.seenStamp;
    const d = allowed === 1 ? this.withinOne(t) : this.distance(t, allowed);
    if (d === 1) this.near1.push(t);
    else if (d === 2 && allowed >= 2) this.near2.push(t);
  }

  /** {@link distance} with max 1, without the table: 0, 1, or 2 for more. */
  private withinOne(t: number): number {
    const a = this.q;
    const n = this.qLen;
    const pool = this.chars;
    const s = this.start[t]!;
    const m = this.start[t + 1]! - s;
    let i = 0;
    const shorter = n < m ? n : m;
    while (i < shorter && a[i] === pool[s + i]) i++;
    if (n === m) {
      if (i === n) return 0;
      let j = i + 1;
      while (j < n && a[j] === pool[s + j]) j++;
      if (j === n) return 1; // one substitution
      // Otherwise only the transposition of i and i + 1, the rest equal.
      if (j !== i + 1 || a[i] !== pool[s + j] || a[j] !== pool[s + i]) return 2;
      for (let x = j + 1; x < n; x++) if (a[x] !== pool[s + x]) return 2;
      return 1;
    }
    // One character more on one side, at the first difference.
    if (n === m + 1) {
      for (let x = i; x < m; x++) if (a[x + 1] !== pool[s + x]) return 2;
      return 1;
    }
    if (m === n + 1) {
      for (let x = i; x < n; x++) if (a[x] !== pool[s + x + 1]) return 2;
      return 1;
    }
    return 2;
  }

  /** Optimal-string-alignment distance between the query word and word t, or max+1 if larger. */
  private distance(t: number, max: number): number {
    const a = this.q;
    const n = this.qLen;
    const pool = this.chars;
    const s = this.start[t]!;
    const m = this.start[t + 1]! - s;
    if (Math.abs(n - m) > max) return max + 1;
    let r0 = this.rows[0]!;
    let r1 = this.rows[1]!;
    let r2 = this.rows[2]!;
    for (let j = 0; j <= m; j++) r1[j] = j;
    for (let i = 1; i <= n; i++) {
      r2[0] = i;
      let rowMin = i;
      const ai = a[i - 1]!;
      for (let j = 1; j <= m; j++) {
        const bj = pool[s + j - 1]!;
        let v = r1[j - 1]! + (ai === bj ? 0 : 1);
        const del = r1[j]! + 1;
        if (del < v) v = del;
        const ins = r2[j - 1]! + 1;
        if (ins < v) v = ins;
        if (i > 1 && j > 1 && ai === pool[s + j - 2] && a[i - 2] === bj) {
          const tr = r0[j - 2]! + 1;
          if (tr < v) v = tr;
        }
        r2[j] = v;
        if (v < rowMin) rowMin = v;
      }
      if (rowMin > max) return max + 1;
      const tmp = r0;
      r0 = r1;
      r1 = r2;
      r2 = tmp;
    }
    return r1[m]!;
  }

  private append(s: string): number {
    const t = this.count++;
    const start = this.start[t]!;
    this.chars = growUint16(this.chars, start + s.length);
    for (let i = 0; i < s.length; i++) this.chars[start + i] = s.charCodeAt(i);
    this.start = growInt32(this.start, t + 2);
    this.start[t + 1] = start + s.length;
    this.lens = growUint8(this.lens, t + 1);
    this.lens[t] = Math.min(255, s.length);
    return t;
  }

  private equals(t: number, s: string): boolean {
    const start = this.start[t]!;
    if (this.start[t + 1]! - start !== s.length) return false;
    for (let i = 0; i < s.length; i++) if (this.chars[start + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** Order of words by UTF-16 code units. */
  private compare(x: number, y: number): number {
    const xs = this.start[x]!;
    const xl = this.start[x + 1]! - xs;
    const ys = this.start[y]!;
    const yl = this.start[y + 1]! - ys;
    const l = xl < yl ? xl : yl;
    for (let i = 0; i < l; i++) {
      const d = this.chars[xs + i]! - this.chars[ys + i]!;
      if (d !== 0) return d;
    }
    return xl - yl;
  }

  private compareToCodes(t: number, codes: Int32Array, from: number, n: number): number {
    const s = this.start[t]!;
    const m = this.start[t + 1]! - s;
    const l = m < n ? m : n;
    for (let i = 0; i < l; i++) {
      const d = this.chars[s + i]! - codes[from + i]!;
      if (d !== 0) return d;
    }
    return m - n;
  }

  /** Adds word t and, for words of 3..MAX_TYPO_LEN letters without digits, its one-character deletions. */
  private indexVariants(table: KeyMultiMap, t: number): void {
    const start = this.start[t]!;
    const n = this.start[t + 1]! - start;
    const buf = this.variant;
    let h = 0;
    for (let i = 0; i < n; i++) h = (Math.imul(h, HASH_BASE) + this.chars[start + i]!) | 0;
    table.add(keyOf(h, n, KEY_TOKEN), t);
    if (!this.hasDeletions(t)) return;
    for (let i = 0; i < n; i++) buf[i] = this.chars[start + i]!;
    fillAffixHashes(buf, n, this.vP, this.vS);
    for (let i = 0; i < n; i++) {
      if (i > 0 && buf[i] === buf[i - 1]) continue; // same deletion as the previous one
      table.add(keyOf(deletedHash(this.vP, this.vS, n, i), n - 1, KEY_TOKEN), t);
    }
  }

  private hasDeletions(t: number): boolean {
    if (!this.typoIndexed) return false;
    const n = this.len(t);
    if (n < MIN_DELETE_LEN || n > MAX_TYPO_LEN) return false;
    for (let c = this.start[t]!; c < this.start[t + 1]!; c++) {
      const code = this.chars[c]!;
      if (code >= 48 && code <= 57) return false;
    }
    return true;
  }

  private rebuildTable(headroom: number): void {
    let entries = 0;
    for (let t = 0; t < this.count; t++) entries += this.hasDeletions(t) ? this.len(t) + 1 : 1;
    const table = KeyMultiMap.sizedFor(entries * headroom, true);
    for (let t = 0; t < this.count; t++) this.indexVariants(table, t);
    this.table = table;
  }

  private mergeRecent(): void {
    const a = this.sorted;
    const b = this.recent;
    const out = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < b.length) out[o++] = this.compare(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
    while (i < a.length) out[o++] = a[i++]!;
    while (j < b.length) out[o++] = b[j++]!;
    this.sorted = out;
    this.sortedHead = this.headsOf(out);
    this.headStart = headStarts(this.sortedHead);
    this.recent = [];
  }
}

// ---------------------------------------------------------------------------------------------

interface Scored {
  account: number;
  score: number;
  /** >= 0: field (0 = name, i = alias i-1); <= -2: domain -(field+2). */
  field: number;
  exact: boolean;
  /** It matched through another spelling of a word (Mueller for Müller): a literal match of the same score goes first. */
  spelled: boolean;
  nameLen: number;
}

class MatcherRanking implements Ranking {
  readonly length: number;
  constructor(
    private readonly matcher: AccountMatcher,
    private readonly top: readonly Scored[],
    private readonly builds: number,
  ) {
    this.length = top.length;
  }

  exact(i: number): boolean {
    return this.top[i]!.exact;
  }

  score(i: number): number {
    return this.top[i]!.score;
  }

  match(i: number): AccountMatch {
    return this.matcher.matchOf(this.top[i]!, this.builds);
  }
}

/**
 * Bytes of the account-string pool kept outside memory: the app reads them from the index file
 * it wrote (see {@link AccountMatcher.useStringPool}), a few at a time, for the handful of
 * accounts a query returns. At a million accounts that keeps some 65 MB out of memory.
 */
export interface StringPool {
  /** Bytes in the pool. */
  readonly length: number;
  /** Copies `length` bytes from `offset` into `into`, from its start. */
  read(offset: number, length: number, into: Uint8Array): void;
}

/** Code units per String.fromCharCode call (its arguments are bounded). */
const CHUNK = 8192;

/** Records read from a {@link StringPool} kept per account slot (direct-mapped): ranking asks for the same names again. */
const RECORD_CACHE = 512;
/** Bytes of a record-cache slot's buffer, unless a record needs more. */
const RECORD_BYTES = 256;

/**
 * The accounts' own strings (id, name, aliases, domains, exactly as given) in one byte pool,
 * instead of the caller's objects: at a million accounts an object per account with its
 * arrays and strings costs several times the bytes. Each UTF-16 code unit is written on its
 * own in 1 to 3 bytes (as UTF-8 would write it, surrogates included), so every JS string,
 * even one with a lone surrogate, reads back exactly. Record of account a at start[a], up to
 * the next record: alias count, domain count (varints), then per string its byte length
 * (varint) and its bytes: id, name, aliases, domains. Entries that are not strings are kept
 * as "". Offsets below `base` are in the outside pool; from `base` on, in `bytes`.
 */
class AccountStrings {
  bytes: U8;
  base = 0;
  outside: StringPool | null = null;
  len = 0;
  count = 0;
  start: I32;
  private readonly units: number[] = [];
  private readonly cacheTag = new Int32Array(RECORD_CACHE).fill(-1);
  private readonly cacheData: (U8 | undefined)[] = new Array<U8 | undefined>(RECORD_CACHE);
  /** Value of the last varint read. */
  v = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(256, capacity * 48));
    this.start = new Int32Array(Math.max(16, capacity));
  }

  snapshot(out: MatcherSnapshot): void {
    let bytes = this.bytes;
    if (this.outside) {
      bytes = new Uint8Array(this.len);
      this.outside.read(0, this.base, bytes);
      bytes.set(this.bytes.subarray(0, this.len - this.base), this.base);
    }
    out.arrays['strings.bytes'] = bytes;
    out.arrays['strings.start'] = this.start;
    out.numbers['strings.len'] = this.len;
  }

  /** From a snapshot; without its bytes, they are read from `pool`. */
  static restore(from: MatcherSnapshot, count: number, pool?: StringPool): AccountStrings {
    const x = new AccountStrings(0);
    x.start = int32(from, 'strings.start');
    x.len = num(from, 'strings.len');
    x.count = count;
    if (from.arrays['strings.bytes'] !== undefined) x.bytes = uint8(from, 'strings.bytes');
    else if (pool && pool.length === x.len) x.attach(pool);
    else throw new RangeError('matcher snapshot: no account strings');
    return x;
  }

  /** From now on the pool holds every byte so far (the caller wrote them there). */
  attach(pool: StringPool): void {
    if (pool.length !== this.len) throw new RangeError(`string pool of ${pool.length} bytes for ${this.len}`);
    this.outside = pool;
    this.base = this.len;
    this.bytes = new Uint8Array(256);
    this.cacheTag.fill(-1);
    this.cacheData.fill(undefined);
  }

  /** Stores the account's strings as record a (the next one). */
  add(a: number, account: MatchableAccount): void {
    this.start = growInt32(this.start, a + 1);
    this.start[a] = this.len;
    this.count = a + 1;
    const aliases = account.aliases ?? [];
    const domains = account.domains ?? [];
    this.varint(aliases.length);
    this.varint(domains.length);
    this.string(account.id);
    this.string(account.name);
    for (const x of aliases) this.string(x);
    for (const x of domains) this.string(x);
  }

  /** Drops unused capacity (after a bulk build). */
  trim(count: number): void {
    this.bytes = this.bytes.slice(0, this.len - this.base);
    this.start = this.start.slice(0, count);
  }

  private varint(v: number): void {
    const at = this.len - this.base;
    this.bytes = growUint8(this.bytes, at + 5);
    let p = at;
    while (v >= 128) {
      this.bytes[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.bytes[p++] = v;
    this.len += p - at;
  }

  private string(x: unknown): void {
    const s = typeof x === 'string' ? x : '';
    const n = s.length;
    // Byte length first: ASCII (the common case) is its length; otherwise counted.
    let size = n;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) size += c < 0x800 ? 1 : 2;
    }
    this.varint(size);
    this.bytes = growUint8(this.bytes, this.len - this.base + size);
    const b = this.bytes;
    let p = this.len - this.base;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) b[p++] = c;
      else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 63);
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
      }
    }
    this.len += size;
  }

  /** The bytes of record a: a view of memory, or read from the outside pool (cached). */
  private record(a: number): U8 {
    const s = this.start[a]!;
    const e = a + 1 < this.count ? this.start[a + 1]! : this.len;
    if (s >= this.base) return this.bytes.subarray(s - this.base, e - this.base);
    const slot = a & (RECORD_CACHE - 1);
    if (this.cacheTag[slot] === a) return this.cacheData[slot]!;
    // Read into the slot's own buffer (records start at 0; a caller decodes before it reads
    // another record, so the buffer is reused instead of allocating one per read).
    let data = this.cacheData[slot];
    if (data === undefined || data.length < e - s) {
      data = new Uint8Array(Math.max(e - s, RECORD_BYTES));
      this.cacheData[slot] = data;
    }
    this.cacheTag[slot] = -1;
    this.outside!.read(s, e - s, data);
    this.cacheTag[slot] = a;
    return data;
  }

  /** Position after the varint at p of `r`, its value in `this.v`. */
  readVarint(r: U8, p: number): number {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = r[p++]!;
      v |= (b & 127) << shift;
      shift += 7;
    } while (b >= 128);
    this.v = v;
    return p;
  }

  /** Position in record r of string i (0 id, 1 name, 2.. aliases, then domains), at its length varint. */
  private seek(r: U8, i: number): number {
    let p = this.readVarint(r, 0);
    p = this.readVarint(r, p);
    for (let k = 0; k < i; k++) {
      p = this.readVarint(r, p);
      p += this.v;
    }
    return p;
  }

  private decodeAt(b: U8, p: number): string {
    p = this.readVarint(b, p);
    const end = p + this.v;
    const units = this.units;
    units.length = 0;
    let ascii = end - p <= CHUNK;
    for (let q = p; ascii && q < end; q++) if (b[q]! >= 0x80) ascii = false;
    if (ascii) return String.fromCharCode.apply(null, b.subarray(p, end) as unknown as number[]);
    while (p < end) {
      const c = b[p++]!;
      if (c < 0x80) units.push(c);
      else if (c < 0xe0) units.push(((c & 31) << 6) | (b[p++]! & 63));
      else {
        units.push(((c & 15) << 12) | ((b[p]! & 63) << 6) | (b[p + 1]! & 63));
        p += 2;
      }
    }
    if (units.length <= CHUNK) return String.fromCharCode.apply(null, units);
    let out = '';
    for (let i = 0; i < units.length; i += CHUNK) out += String.fromCharCode.apply(null, units.slice(i, i + CHUNK));
    return out;
  }

  private counts(r: U8): [number, number] {
    const p = this.readVarint(r, 0);
    const aliases = this.v;
    this.readVarint(r, p);
    return [aliases, this.v];
  }

  id(a: number): string {
    const r = this.record(a);
    return this.decodeAt(r, this.seek(r, 0));
  }

  name(a: number): string {
    const r = this.record(a);
    return this.decodeAt(r, this.seek(r, 1));
  }

  alias(a: number, i: number): string {
    const r = this.record(a);
    return this.decodeAt(r, this.seek(r, 2 + i));
  }

  domain(a: number, i: number): string {
    const r = this.record(a);
    return this.decodeAt(r, this.seek(r, 2 + this.counts(r)[0] + i));
  }

  aliases(a: number): string[] {
    const r = this.record(a);
    const n = this.counts(r)[0];
    return Array.from({ length: n }, (_, i) => this.decodeAt(r, this.seek(r, 2 + i)));
  }

  domains(a: number): string[] {
    const r = this.record(a);
    const [na, nd] = this.counts(r);
    return Array.from({ length: nd }, (_, i) => this.decodeAt(r, this.seek(r, 2 + na + i)));
  }

  account(a: number): MatchableAccount {
    return { id: this.id(a), name: this.name(a), aliases: this.aliases(a), domains: this.domains(a) };
  }

  /** Whether record a's id is `id`, without decoding it. */
  idEquals(a: number, id: string): boolean {
    const b = this.record(a);
    let p = this.readVarint(b, this.seek(b, 0));
    const end = p + this.v;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c < 0x80) {
        if (p >= end || b[p++] !== c) return false;
      } else if (c < 0x800) {
        if (p + 1 >= end || b[p++] !== (0xc0 | (c >> 6)) || b[p++] !== (0x80 | (c & 63))) return false;
      } else if (p + 2 >= end || b[p++] !== (0xe0 | (c >> 12)) || b[p++] !== (0x80 | ((c >> 6) & 63)) || b[p++] !== (0x80 | (c & 63))) return false;
    }
    return p === end;
  }

  /**
   * Each record's place (0 = first) in the order of names, then ids, as JS compares strings
   * (by UTF-16 code unit): this encoding keeps that order byte for byte. For records 0..count-1,
   * while the pool is in memory. A most-significant-first radix sort, four bytes a pass: each
   * record's next four bytes (9 bits each, 0 past the end of the name) and its number in one
   * 64-bit key, sorted natively; records still equal go on to the next four bytes, small
   * groups and equal names are sorted by comparison.
   */
  ranks(count: number): I32 {
    const b = this.bytes;
    const nameAt = new Int32Array(count);
    const nameEnd = new Int32Array(count);
    const idAt = new Int32Array(count);
    const idEnd = new Int32Array(count);
    for (let a = 0; a < count; a++) {
      let p = this.readVarint(b, this.start[a]! - this.base);
      p = this.readVarint(b, p);
      p = this.readVarint(b, p);
      idAt[a] = p;
      idEnd[a] = p + this.v;
      p = this.readVarint(b, p + this.v);
      nameAt[a] = p;
      nameEnd[a] = p + this.v;
    }
    const compareBytes = (x0: number, x1: number, y0: number, y1: number): number => {
      for (; x0 < x1 && y0 < y1; x0++, y0++) if (b[x0] !== b[y0]) return b[x0]! - b[y0]!;
      return x1 - x0 - (y1 - y0);
    };
    /** Records x and y whose names agree on their first d bytes. */
    const compareFrom = (x: number, y: number, d: number): number =>
      compareBytes(nameAt[x]! + d, nameEnd[x]!, nameAt[y]! + d, nameEnd[y]!) || compareBytes(idAt[x]!, idEnd[x]!, idAt[y]!, idEnd[y]!);
    const order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    const keys = new BigUint64Array(count);
    const halves = new Uint32Array(keys.buffer);
    const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    const LO = little ? 0 : 1;
    const HI = 1 - LO;
    const stack: number[] = [0, count, 0];
    while (stack.length > 0) {
      const d = stack.pop()!;
      const hi = stack.pop()!;
      const lo = stack.pop()!;
      if (hi - lo <= 16) {
        for (let i = lo + 1; i < hi; i++) {
          const x = order[i]!;
          let j = i - 1;
          while (j >= lo && compareFrom(order[j]!, x, d) > 0) {
            order[j + 1] = order[j]!;
            j--;
          }
          order[j + 1] = x;
        }
        continue;
      }
      for (let i = lo; i < hi; i++) {
        const a = order[i]!;
        const p = nameAt[a]! + d;
        const n = nameEnd[a]! - p;
        const s0 = n > 0 ? b[p]! + 1 : 0;
        const s1 = n > 1 ? b[p + 1]! + 1 : 0;
        const s2 = n > 2 ? b[p + 2]! + 1 : 0;
        const s3 = n > 3 ? b[p + 3]! + 1 : 0;
        // Four 9-bit symbols, then 24 bits of record number: bits 59..0 of the key.
        halves[2 * i + HI] = (s0 << 19) | (s1 << 10) | (s2 << 1) | (s3 >>> 8);
        halves[2 * i + LO] = (((s3 & 0xff) << 24) | a) >>> 0;
      }
      keys.subarray(lo, hi).sort();
      for (let i = lo; i < hi; i++) order[i] = halves[2 * i + LO]! & 0xffffff;
      for (let i = lo; i < hi; ) {
        const h = halves[2 * i + HI]!;
        const top = halves[2 * i + LO]! >>> 24;
        let j = i + 1;
        while (j < hi && halves[2 * j + HI] === h && halves[2 * j + LO]! >>> 24 === top) j++;
        if (j - i > 1) {
          // The last of the four bytes past the end: the names are equal, the ids decide.
          if ((((h & 1) << 8) | top) === 0) order.set(Array.from(order.subarray(i, j)).sort((x, y) => compareBytes(idAt[x]!, idEnd[x]!, idAt[y]!, idEnd[y]!)), i);
          else stack.push(i, j, d + 4);
        }
        i = j;
      }
    }
    const rank = new Int32Array(count);
    for (let i = 0; i < count; i++) rank[order[i]!] = i;
    return rank;
  }

  /** Whether records a and b have the same id. */
  sameId(a: number, b: number): boolean {
    return this.id(a) === this.id(b);
  }

  /** Whether record a holds exactly this name, aliases and domains. */
  sameFields(a: number, x: MatchableAccount): boolean {
    const r = this.record(a);
    const [na, nd] = this.counts(r);
    const aliases = x.aliases ?? [];
    const domains = x.domains ?? [];
    if (aliases.length !== na || domains.length !== nd || this.decodeAt(r, this.seek(r, 1)) !== x.name) return false;
    for (let i = 0; i < na; i++) if (aliases[i] !== this.decodeAt(r, this.seek(r, 2 + i))) return false;
    for (let i = 0; i < nd; i++) if (domains[i] !== this.decodeAt(r, this.seek(r, 2 + na + i))) return false;
    return true;
  }
}

/**
 * A name or alias as its word ids ({@link AccountMatcher.field}). Only a few have more (an
 * array is all the others cost): `spelled[j]`, the id (among the spellings) of word j's other
 * spelling or -1, when a word has one; `cut` when it had more than MAX_FIELD_TOKENS words
 * (only the first are kept).
 */
type Field = number[] & { spelled?: number[]; cut?: true };

const KEEP_LEGAL = { keepLegalSuffixes: true } as const;

/** The own name ({@link domainLabel}) of a domain as an account lists it: null for none. */
function ownName(domain: unknown): string | null {
  const d = typeof domain === 'string' ? normalizeDomain(domain) : '';
  return d === '' ? null : domainLabel(d);
}

/**
 * The own name of an account's first domain, the one its list gives first (a company known by
 * its domain is known by its main one): null when it has none.
 */
function primaryLabel(domains: readonly unknown[] | undefined): string | null {
  return ownName(domains?.[0]);
}

/** The own names of an account's other domains (after its first), but for its first domain's own name. */
function otherLabels(domains: readonly unknown[] | undefined): string[] {
  const first = primaryLabel(domains);
  const out: string[] = [];
  for (const d of domains?.slice(1) ?? []) {
    const label = ownName(d);
    if (label !== null && label !== first && !out.includes(label)) out.push(label);
  }
  return out;
}

/** A domain's own name as a 32-bit fingerprint, never 0 (independent of its account-table key). */
function labelPrintOf(label: string): number {
  return stringKey(label, KEY_LABEL_PRINT) | 1;
}

function normalizedDomains(domains: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const d of domains ?? []) {
    const n = typeof d === 'string' ? normalizeDomain(d) : '';
    if (n !== '' && !out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * Fuzzy lookup of accounts by name, alias or domain. Pure and synchronous.
 *
 * Invariants: one entry per account id (`upsert` replaces, and so does a later duplicate in the
 * constructor's input); the accounts' strings are copied in, so the caller's objects are not
 * kept (change an account by upserting it again); results are deterministic for a given set of accounts, ordered
 * by score, then shorter normalised name, then name, then id. Holds up to 16,777,213 accounts.
 */
export class AccountMatcher {
  private dict = new TokenDictionary();
  /**
   * The written-out spellings of words written with ä, ö, ü, å or ø ("mueller" for "muller"
   * from Müller), by their own ids, found as written or by prefix: a field word's other
   * spelling (in the forward record) is one of these. Kept apart from `dict` so that they
   * take no place among its prefixes, typos and postings.
   */
  private spellings = new TokenDictionary(false);
  // Accounts by internal number (dense; renumbered on compaction).
  private strings = new AccountStrings(0);
  private alive: U8 = new Uint8Array(0);
  /**
   * Each account's place in the order of names, then ids, among the accounts of the last
   * build; -1 for accounts added since (compared by their strings). Ties of score and name
   * length are settled with it, without reading names.
   */
  private nameRank: I32 = new Int32Array(0);
  /** Per account, the shortest compact length of its name and aliases that have words (0: none): bounds a match's coverage. */
  private minCompact: U8 = new Uint8Array(0);
  /**
   * Per account, a 32-bit fingerprint of its first domain's own name ({@link domainLabel}; 0:
   * none): the account table's hits for a query read as such a name are checked against it,
   * since that table answers for a key's low byte only, without reading the account's strings.
   */
  private labelPrint: I32 = new Int32Array(0);
  private accCount = 0;
  private liveCount = 0;
  private deadCount = 0;
  /** Forward record of account a at fwd[fwdStart[a]]: nFields, then per field m, compact length, m word ids. */
  private fwdStart: I32 = new Int32Array(0);
  private fwd: U8 = new Uint8Array(0);
  private fwdLen = 0;
  // Postings: CSR for words [0, csrWords), ordered per word by postKey; then overflow lists.
  private postStart: I32 = new Int32Array(1);
  private post: I32 = new Int32Array(0);
  /** (word does not start the field ? 128 : 0) | min(127, compact length of the field). */
  private postKey: U8 = new Uint8Array(0);
  private csrWords = 0;
  /** Overflow list head and length per word; empty until an account is added after a build. */
  private ovHead: I32 = new Int32Array(0);
  private ovCount: I32 = new Int32Array(0);
  private ovNext: I32 = new Int32Array(0);
  private ovAcc: I32 = new Int32Array(0);
  private ovSize = 0;
  private accountTable = KeyMultiMap.sizedFor(0);
  /** Builds so far: account numbers change at each. */
  private builds = 0;

  // Per-query state.
  /** One bit per account scored by this query (a small array: a query touches few of its words). */
  private seenBits: I32 = new Int32Array(0);
  /** Accounts marked in seenBits, to clear them at the next query; past its end, the whole set is cleared. */
  private seenList: I32 = new Int32Array(4096);
  private seenCount = 0;
  /**
   * The query's expansion words: open-addressing table from word id (exWordKey, -1 = empty)
   * to its first expansion (exWordHead, chained through exNext); a few kB, however large the
   * dictionary.
   */
  private exWordKey: I32 = new Int32Array(1024).fill(-1);
  private exWordHead: I32 = new Int32Array(1024);
  private exWords = 0;
  /** The slots of exWordKey in use (to clear them): room for as many words as the table takes. */
  private exWordSlots: I32 = new Int32Array(512);
  /** Accounts gathered from postings to be scored together, and where their records start. */
  private readonly batch = new Int32Array(POSTING_BUDGET);
  private batchSize = 0;
  /** Per account of `batch`: the weight of the query words it may hold (see heldWeight). */
  private readonly batchHeld = new Float64Array(POSTING_BUDGET);
  private readonly batchLen = new Int32Array(POSTING_BUDGET);
  /** The batch's partial candidates: accounts, bounds, and a heap of their indices. */
  private readonly batchPartialAcc = new Int32Array(POSTING_BUDGET);
  private readonly batchBound = new Float64Array(POSTING_BUDGET);
  private readonly batchHeap = new Int32Array(POSTING_BUDGET);
  private exTok: I32 = new Int32Array(512);
  /** Per expansion: 1 when it was found from the query word's other spelling (see qSpelledExtra). */
  private exSpelled: U8 = new Uint8Array(512);
  /**
   * Per expansion: a written-out spelling (a `spellings` id, else -1) the query word is or
   * starts, whose letters it stands for are the expansion's word: a field word that is this
   * word, written with those letters (its other spelling is this one), pairs as exSpelledKind.
   */
  private exSpelledFrom: I32 = new Int32Array(512);
  private exSpelledKind: U8 = new Uint8Array(512);
  private exQ: I32 = new Int32Array(512);
  private exKind: U8 = new Uint8Array(512);
  private exDist: U8 = new Uint8Array(512);
  private exNext: I32 = new Int32Array(512);
  private exCount = 0;
  private k = 0;
  private qCodes: I32 = new Int32Array(256);
  private readonly qStart = new Int32Array(MAX_QUERY_TOKENS + 1);
  private qWords: string[] = [];
  /** Per query word, how much longer its other spelling is (ä, ö, ü, å, ø written out: "müller" → "mueller"); 0 without one. */
  private readonly qSpelledExtra = new Int32Array(MAX_QUERY_TOKENS);
  private spelledCodes: I32 = new Int32Array(64);
  /** The query had more than MAX_QUERY_TOKENS words: only the first are compared, and nothing is exact. */
  private queryCut = false;
  /** The query's words, also those past a cut. */
  private queryWordCount = 0;
  /** Some expansion of the query is in another spelling (exSpelled, exSpelledFrom). */
  private querySpelled = false;
  private readonly qExStart = new Int32Array(MAX_QUERY_TOKENS);
  private readonly qExEnd = new Int32Array(MAX_QUERY_TOKENS);
  /** Query words whose prefix expansion was cut short: tested with startsWith while scoring. */
  private readonly qTruncated = new Uint8Array(MAX_QUERY_TOKENS);
  private anyTruncated = false;
  /** Per query word, the longest of its expansions (255 when it matches by "starts with" too): bounds what it covers of a name. */
  private readonly qMaxLen = new Int32Array(MAX_QUERY_TOKENS);
  /** Postings behind each query word's expansions ({@link wordVolume}). */
  private readonly qVolume = new Int32Array(MAX_QUERY_TOKENS);
  /** Rarity (idf) of each query word and their sum. */
  private readonly qWeight = new Float64Array(MAX_QUERY_TOKENS);
  private qWeightSum = 0;
  private loose = false;
  /** Name scores below this are dropped (a domain query keeps only names matching every word). */
  private minNameScore = 0;
  /** Subtracted from name scores (a query that is a URL or e-mail address). */
  private namePenalty = 0;
  /** False for a domain query: its host words are matched as written, not as typos. */
  private typosWanted = true;
  private top: Scored[] = [];
  private limit = 5;
  private readonly ft = new Int32Array(MAX_FIELD_TOKENS);
  /** The other spelling of each field word, or -1 (read when the field has them). */
  private readonly ftSpelled = new Int32Array(MAX_FIELD_TOKENS);
  /** Set by scoreField: its score came through another spelling of a word. */
  private fieldSpelled = false;
  private readonly pairQ = new Int32Array(MAX_PAIRS);
  private readonly pairJ = new Int32Array(MAX_PAIRS);
  private readonly pairKind = new Uint8Array(MAX_PAIRS);
  private readonly pairDist = new Uint8Array(MAX_PAIRS);
  /** QUERY_OTHER | FIELD_OTHER: the spellings the pair matched in. */
  private readonly pairOther = new Uint8Array(MAX_PAIRS);
  /** Length of the field word in the spelling matched. */
  private readonly pairLen = new Int32Array(MAX_PAIRS);
  private readonly pairQuality = new Float64Array(MAX_PAIRS);
  private readonly assignedJ = new Int32Array(MAX_QUERY_TOKENS);
  private readonly assignedPair = new Int32Array(MAX_QUERY_TOKENS);
  /** One bit per account, all clear between queries. */
  private accountBits: I32 = new Int32Array(0);
  /** Per query word j, at j * wordBitsStride: the accounts holding one of its expansions (built on demand, clear between queries). */
  private wordBits: I32 = new Int32Array(0);
  private wordBitsStride = 0;
  /** Query words whose bitset this query has made. */
  private bitsBuilt = 0;
  private filterOn = false;
  private filterCount = 0;
  private readonly filterWord = new Int32Array(MAX_QUERY_TOKENS);
  /** Weight of the filter's words an account must hold to be scored. */
  private filterNeed = 0;
  /** Weight of the query words every account of the round is taken to hold (its own word, and words without a bitset). */
  private filterBase = 0;
  /** The longest those words' expansions could cover together. */
  private filterBaseLen = 0;
  /** Set by heldWeight: the longest the words it found could cover together. */
  private heldLen = 0;
  private readonly scratchPrefixed: number[] = [];
  private readonly scratchNear1: number[] = [];
  private readonly scratchNear2: number[] = [];
  // Indexing scratch.
  private readonly scratchWords: number[] = [];
  private readonly scratchKeys: number[] = [];

  /** `expected`: how many accounts `accounts` will give, when it is not an array (sizes the build). */
  constructor(accounts: Iterable<MatchableAccount> = [], expected = 0) {
    this.build(accounts, expected);
  }

  /** The index as numbers and typed arrays (shared, not copied: write it out before the next change). */
  snapshot(): MatcherSnapshot {
    const out: MatcherSnapshot = { format: MATCHER_SNAPSHOT_FORMAT, numbers: {}, arrays: {} };
    this.dict.snapshot(out);
    this.spellings.snapshot(out, 'spell');
    this.strings.snapshot(out);
    this.accountTable.snapshot('accountTable', out);
    Object.assign(out.numbers, { accCount: this.accCount, liveCount: this.liveCount, deadCount: this.deadCount, fwdLen: this.fwdLen, csrWords: this.csrWords, ovSize: this.ovSize });
    Object.assign(out.arrays, { alive: this.alive, nameRank: this.nameRank, minCompact: this.minCompact, labelPrint: this.labelPrint, fwdStart: this.fwdStart, fwd: this.fwd, postStart: this.postStart, post: this.post, postKey: this.postKey, ovHead: this.ovHead, ovCount: this.ovCount, ovNext: this.ovNext, ovAcc: this.ovAcc });
    return out;
  }

  /** A matcher from {@link snapshot}'s output; throws RangeError when it is not one of this format. */
  static fromSnapshot(s: MatcherSnapshot, strings?: StringPool): AccountMatcher {
    if (s.format !== MATCHER_SNAPSHOT_FORMAT) throw new RangeError(`matcher snapshot: format ${s.format}, expected ${MATCHER_SNAPSHOT_FORMAT}`);
    const m = new AccountMatcher();
    m.dict = TokenDictionary.restore(s);
    m.spellings = TokenDictionary.restore(s, 'spell', false);
    m.strings = AccountStrings.restore(s, num(s, 'accCount'), strings);
    m.accountTable = KeyMultiMap.restore('accountTable', s);
    m.accCount = num(s, 'accCount');
    m.liveCount = num(s, 'liveCount');
    m.deadCount = num(s, 'deadCount');
    m.fwdLen = num(s, 'fwdLen');
    m.csrWords = num(s, 'csrWords');
    m.ovSize = num(s, 'ovSize');
    m.alive = uint8(s, 'alive');
    m.nameRank = int32(s, 'nameRank');
    m.minCompact = uint8(s, 'minCompact');
    m.labelPrint = int32(s, 'labelPrint');
    m.fwdStart = int32(s, 'fwdStart');
    m.fwd = uint8(s, 'fwd');
    m.postStart = int32(s, 'postStart');
    m.post = int32(s, 'post');
    m.postKey = uint8(s, 'postKey');
    m.ovHead = int32(s, 'ovHead');
    m.ovCount = int32(s, 'ovCount');
    m.ovNext = int32(s, 'ovNext');
    m.ovAcc = int32(s, 'ovAcc');
    if (m.alive.length < m.accCount || m.nameRank.length < m.accCount || m.minCompact.length < m.accCount || m.labelPrint.length < m.accCount || m.fwdStart.length < m.accCount || m.strings.start.length < m.accCount || m.postStart.length < m.csrWords + 1 || m.csrWords > m.dict.count) {
      throw new RangeError('matcher snapshot: inconsistent sizes');
    }
    return m;
  }

  /**
   * Reads the account strings from `pool` from now on, instead of memory: the app calls it
   * right after writing {@link snapshot} to a file whose `strings.bytes` the pool reads.
   */
  useStringPool(pool: StringPool): void {
    this.strings.attach(pool);
  }

  /** Whether the account strings are read from a {@link StringPool} rather than memory. */
  get stringsInFile(): boolean {
    return this.strings.outside !== null;
  }

  /** Number of accounts held. */
  get size(): number {
    return this.liveCount;
  }

  /** Adds an account, or replaces the one with the same id. */
  upsert(account: MatchableAccount): void {
    const existing = this.findById(account.id);
    if (existing >= 0) {
      // Re-upserting everything after an import is common: unchanged accounts cost no reindexing.
      if (this.strings.sameFields(existing, account)) return;
      this.kill(existing);
    }
    this.appendAccount(account);
    this.maintain();
  }

  /** Removes the account with this id; an unknown id is ignored. */
  remove(id: string): void {
    const a = this.findById(id);
    if (a < 0) return;
    this.kill(a);
    this.maintain();
  }

  /**
   * Best matches first, at most `limit` (default 5), one entry per account; [] when nothing is
   * close or the query is empty, only punctuation or only a legal suffix.
   */
  search(query: string, limit = 5): AccountMatch[] {
    return this.run(query, limit, false).map((s) => this.toMatch(s));
  }

  /** {@link search}'s results, each read only when asked for (see {@link Ranking}). */
  rank(query: string, limit = 5): Ranking {
    return new MatcherRanking(this, this.run(query, limit, false), this.builds);
  }

  /** Result s as an {@link AccountMatch}, for a ranking made at build `builds` (for {@link MatcherRanking}). */
  matchOf(s: Scored, builds: number): AccountMatch {
    if (this.builds !== builds) throw new Error('AccountMatcher: a ranking was read after the matcher was rebuilt');
    return this.toMatch(s);
  }

  /**
   * For a query with no match: a few accounts whose names are nearest (default 3), with a looser
   * threshold (typo distance 2 from 4 characters, 1 at 3; any one matching word), for "did you
   * mean".
   */
  suggest(query: string, limit = 3): AccountMatch[] {
    return this.run(query, limit, true).map((s) => this.toMatch(s));
  }

  // -------------------------------------------------------------------------------------------
  // Query

  /**
   * The best results, as account numbers and scores (valid until the next build). A query that
   * finds nothing sure is also read with a word of it as two words of the index run together
   * ("walmart" finds Wal-Mart Stores as "wal mart" would), and with two of its words as one
   * ("united health" finds UnitedHealth Group), never as a name typed exactly; and without a
   * last word that starts a legal form ("acme corpo" finds Acme Corporation).
   */
  private run(typed: string, limit: number, loose: boolean): Scored[] {
    // An address pasted with what surrounds it ("Jo <jo@acme.com>", "(acme.com),") is that address.
    const query = typeof typed === 'string' && !looksLikeDomain(typed) ? (addressIn(typed) ?? typed) : typed;
    const top = this.runOnce(query, limit, loose);
    if (top.some((r) => r.score >= CONFIDENT_SCORE)) return top;
    const readings = this.readingsOf(query);
    const legal = this.legalFormReading(query);
    if (readings.length === 0 && legal === null) return top;
    const found = [...top];
    const add = (r: Scored, stands: boolean) => {
      const read = { ...r, exact: false, score: stands ? r.score : Math.min(r.score, READING_SUGGESTION) };
      const i = found.findIndex((x) => x.account === r.account);
      if (i < 0) found.push(read);
      else if (read.score > found[i]!.score) found[i] = read;
    };
    for (const reading of readings) {
      // A reading stands for an account only when it starts the name word for word (every word
      // but the last whole, none within the typo distance): otherwise it is a suggestion.
      for (const r of this.runOnce(reading, limit, loose, true)) add(r, r.score >= BAND_FULL_PREFIX);
    }
    if (legal !== null) {
      // Read without the start of a legal form, it stands for a name or alias that is the text as typed so far, legal form and all.
      for (const r of this.runOnce(legal.reading, limit, loose, true)) add(r, r.score >= BAND_FULL_PREFIX && this.startsLiterally(r.account, legal.typed));
    }
    found.sort((x, y) => (this.better(x.account, x.score, x.spelled, x.nameLen, y) ? -1 : this.better(y.account, y.score, y.spelled, y.nameLen, x) ? 1 : 0));
    this.top = found.slice(0, this.limit);
    return this.top;
  }

  /**
   * Other readings of a query, a few at most: a word the index does not have as two words it
   * has, run together ("wal mart" of "walmart", "t mobile" of "tmobile"), two neighbouring
   * words as one ("unitedhealth" of "united health"; but for the last word, one the index has),
   * and all of them as one. Only words of three letters or more are joined: "pan am" is not
   * "panam", which Panama starts.
   */
  private readingsOf(query: unknown): string[] {
    if (typeof query !== 'string' || looksLikeDomain(query)) return [];
    const words = nameTokens(query);
    if (words.length === 0 || words.length > MAX_QUERY_TOKENS) return [];
    const out: string[] = [];
    const add = (reading: string[]) => {
      if (out.length < MAX_READINGS) out.push(reading.join(' '));
    };
    words.forEach((w, at) => {
      if (w.length < 4 || w.length > MAX_SPLIT_LEN || this.dict.find(w) >= 0) return;
      for (let i = 1; i <= w.length - 2; i++) {
        if (this.dict.find(w.slice(0, i)) >= 0 && this.dict.find(w.slice(i)) >= 0) add([...words.slice(0, at), w.slice(0, i), w.slice(i), ...words.slice(at + 1)]);
      }
    });
    const joinable = (w: string) => w.length >= 3;
    for (let at = 0; at + 1 < words.length; at++) {
      const joined = words[at]! + words[at + 1]!;
      if (!joinable(words[at]!) || !joinable(words[at + 1]!) || joined.length > MAX_SPLIT_LEN) continue;
      if (at + 2 === words.length || this.dict.find(joined) >= 0) add([...words.slice(0, at), joined, ...words.slice(at + 2)]);
    }
    // Every word one ("price waterhouse coopers" of PricewaterhouseCoopers International).
    const all = words.join('');
    if (words.length > 2 && words.every(joinable) && all.length <= MAX_SPLIT_LEN) add([all]);
    return out;
  }

  /**
   * A query whose last word starts a legal form ("acme corpo", "initech ll": a name typed up to
   * its legal form, which the index leaves out, as the forms' typeahead asks at every key) read
   * without that word; with the text as typed (legal forms kept), which a name or alias must
   * start for the reading to stand for its account. Null for any other query.
   */
  private legalFormReading(query: unknown): { reading: string; typed: string } | null {
    if (typeof query !== 'string' || looksLikeDomain(query)) return null;
    const words = nameTokens(query, KEEP_LEGAL);
    const last = words.at(-1);
    if (words.length < 2 || words.length > MAX_QUERY_TOKENS || last === undefined || LEGAL_SUFFIXES.has(last)) return null;
    if (![...LEGAL_SUFFIXES].some((form) => form.startsWith(last))) return null;
    const reading = nameTokens(words.slice(0, -1).join(' '));
    return reading.length > 0 ? { reading: reading.join(' '), typed: words.join(' ') } : null;
  }

  /** Whether account a's name or an alias, legal form kept, starts with `typed` (normalised words). */
  private startsLiterally(a: number, typed: string): boolean {
    return [this.strings.name(a), ...this.strings.aliases(a)].some((n) => nameTokens(n, KEEP_LEGAL).join(' ').startsWith(typed));
  }

  /** One search; `reading`: of a query read otherwise (see readingsOf), whose words are taken as they are, no typo allowed. */
  private runOnce(query: string, limit: number, loose: boolean, reading = false): Scored[] {
    this.limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit)));
    if (this.limit === 0 || this.liveCount === 0 || typeof query !== 'string') return [];
    this.newQuery(loose);
    if (reading) this.typosWanted = false;
    let nameText = query;
    let owners: readonly number[] = [];
    /** For a suggestion, the own name of a domain no account has ("salesforce" of salesforce.con). */
    let typedLabel: string | null = null;
    if (looksLikeDomain(query)) {
      const domain = normalizeDomain(query);
      owners = this.searchDomain(domain);
      // "acme.com" may also be a name ("Booking.com"); from a URL or address keep the host only.
      const address = /[/@:]/.test(query);
      nameText = address ? domain.replaceAll('.', ' ') : query;
      // A URL or e-mail address is certainly a domain: its host read as a name ("toth.co" as
      // "Toth Co.") ranks below the account with that exact domain. So does a domain typed bare
      // whose name reading drops its ending as a legal form ("ikea.se" as "IKEA SE"), when an
      // account has that very domain; one read whole ("booking.com") stays a name as well.
      if (address || (owners.length > 0 && nameTokens(query).length < nameTokens(query, KEEP_LEGAL).length)) this.namePenalty = ADDRESS_NAME_PENALTY;
      if (!loose) {
        this.minNameScore = BAND_TYPO;
        this.typosWanted = false;
      } else if (owners.length === 0) {
        // A suggestion for a domain no account has (mistyped, or another of the company's):
        // the accounts of its own name, and names that match some of it, typos allowed.
        typedLabel = domainLabel(domain);
      }
    }
    let all = nameTokens(nameText);
    // A name of legal-form words alone ("SAS", "SAS AB") is kept whole, as the index keeps it.
    if (all.length === 0) all = nameTokens(nameText, KEEP_LEGAL);
    this.queryCut = all.length > MAX_QUERY_TOKENS;
    this.queryWordCount = all.length;
    const words = this.queryCut ? all.slice(0, MAX_QUERY_TOKENS) : all;
    if (words.length > 0) {
      this.prepareQuery(words, spelledOutWords(nameText, all));
      this.searchCompact();
      const label = typedLabel ?? (nameText === query ? words.join('') : null);
      if (owners.length === 0 && label !== null) {
        this.searchLabel(label);
        if (loose) this.searchOtherLabels(label);
      }
      this.searchPostings();
    }
    // A name typed letter for letter leaves no other exact: one exact only through another
    // spelling is a namesake ("Kraemer" is Kraemer Inc, not Krämer GmbH as well). (Both rank
    // it first at an equal score, so it is among the results whenever such a namesake is.)
    if (this.top.some((r) => r.exact && !r.spelled)) for (const r of this.top) if (r.exact && r.spelled) r.exact = false;
    // Namesakes told apart by their domains, one of them typed ("vandelay.se" for Vandelay
    // (vandelay.com) and Vandelay (vandelay.se), its name read as "Vandelay SE"): the domain picks it.
    if (owners.length > 0) {
      // (The owner was scored on its domain before the name was looked at: its name is compared here.)
      const typed = all.join(' ');
      const i = this.top.findIndex((r) => r.exact && owners.includes(r.account) && normalizeName(this.strings.name(r.account)) === typed);
      if (i >= 0 && this.top.some((r, j) => j !== i && r.exact)) {
        const [owner] = this.top.splice(i, 1);
        for (const r of this.top) r.exact = false;
        this.top.unshift(owner!);
      }
    }
    return this.top;
  }

  private newQuery(loose: boolean): void {
    const words = (this.accCount >>> 5) + 1;
    if (this.seenBits.length < words) this.seenBits = new Int32Array(words);
    else if (this.seenCount > this.seenList.length) this.seenBits.fill(0);
    else for (let i = 0; i < this.seenCount; i++) this.seenBits[this.seenList[i]! >>> 5] = 0;
    this.seenCount = 0;
    if (this.bitsBuilt !== 0) {
      // Left set by a query that did not finish.
      this.wordBits.fill(0);
      this.bitsBuilt = 0;
    }
    this.filterOn = false;
    for (let i = 0; i < this.exWords; i++) this.exWordKey[this.exWordSlots[i]!] = -1;
    this.exWords = 0;
    this.loose = loose;
    this.top = [];
    this.k = 0;
    this.exCount = 0;
    this.minNameScore = 0;
    this.namePenalty = 0;
    this.typosWanted = true;
    this.queryCut = false;
    this.querySpelled = false;
  }

  /**
   * Scores the accounts with this domain, and those with its nearest parent domain that any
   * account has ("console.aws.amazon.com": aws.amazon.com, not amazon.com as well). Returns the
   * accounts with the domain itself.
   */
  private searchDomain(domain: string): number[] {
    const owners: number[] = [];
    // No domain is longer (DNS); each suffix is looked up whole, so a longer one would cost its length squared.
    if (domain.length > MAX_DOMAIN) return owners;
    const labels = domain.split('.');
    const hits: number[] = [];
    for (let i = 0; i + 2 <= labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      hits.length = 0;
      this.accountTable.collect(stringKey(suffix, KEY_DOMAIN), hits);
      let found = false;
      for (const a of hits) {
        if (!this.alive[a]) continue;
        const idx = this.strings.domains(a).findIndex((d) => normalizeDomain(d) === suffix);
        if (idx < 0) continue;
        found = true;
        if (i === 0) owners.push(a);
        this.scoreAccount(a, i === 0 ? SCORE_DOMAIN : SCORE_PARENT_DOMAIN, idx, i === 0);
      }
      if (i > 0 && found) break;
    }
    return owners;
  }

  /** `spelled`: the other spelling of each word, or null (see {@link spelledOutWords}). */
  private prepareQuery(words: string[], spelled: readonly (string | null)[] | null): void {
    const k = words.length;
    this.k = k;
    this.qWords = words;
    let total = 0;
    for (const w of words) total += w.length;
    if (this.qCodes.length < total) this.qCodes = new Int32Array(total);
    let pos = 0;
    for (let i = 0; i < k; i++) {
      const w = words[i]!;
      this.qStart[i] = pos;
      for (let c = 0; c < w.length; c++) this.qCodes[pos++] = w.charCodeAt(c);
    }
    this.qStart[k] = pos;
    this.anyTruncated = false;
    for (let i = 0; i < k; i++) {
      const other = spelled?.[i] ?? null;
      this.qSpelledExtra[i] = other === null ? 0 : other.length - words[i]!.length;
      this.expandWord(i, words[i]!, other);
      let longest = 0;
      for (let e = this.qExStart[i]!; e < this.qExEnd[i]!; e++) {
        const from = this.exSpelledFrom[e]!;
        longest = Math.max(longest, this.dict.lens[this.exTok[e]!]!, from >= 0 ? this.spellings.lens[from]! : 0);
      }
      this.qMaxLen[i] = this.qTruncated[i] ? 255 : longest;
    }
    this.qWeightSum = 0;
    for (let i = 0; i < k; i++) {
      this.qVolume[i] = this.wordVolume(i);
      const w = Math.log(1 + this.liveCount / (1 + this.qVolume[i]!));
      this.qWeight[i] = w;
      this.qWeightSum += w;
    }
  }

  /**
   * Dictionary words query word qi may stand for: itself, longer words it starts, typos; and
   * its other spelling `other` (when it has ä, ö, ü, å or ø: "müller" is "mueller" too) and
   * the longer words that starts (the prefixes of one a bounded few: past them it finds less).
   */
  private expandWord(qi: number, word: string, other: string | null): void {
    const dict = this.dict;
    dict.beginWord();
    this.qExStart[qi] = this.exCount;
    const exact = dict.find(word);
    if (exact >= 0) {
      dict.markSeen(exact);
      this.addExpansion(qi, exact, KIND_EXACT, 0);
    }
    const otherExact = other === null ? -1 : dict.find(other);
    if (otherExact >= 0 && dict.markSeen(otherExact)) this.addExpansion(qi, otherExact, KIND_EXACT, 0, 1);
    const prefixed = this.scratchPrefixed;
    const near1 = this.scratchNear1;
    const near2 = this.scratchNear2;
    prefixed.length = 0;
    near1.length = 0;
    near2.length = 0;
    this.qTruncated[qi] = dict.prefixed(this.qCodes, this.qStart[qi]!, word.length, MAX_PREFIX_EXPANSIONS, prefixed) ? 1 : 0;
    if (this.qTruncated[qi]) this.anyTruncated = true;
    for (const t of prefixed) if (dict.markSeen(t)) this.addExpansion(qi, t, KIND_PREFIX, 0);
    if (other !== null) {
      if (this.spelledCodes.length < other.length) this.spelledCodes = new Int32Array(other.length);
      for (let c = 0; c < other.length; c++) this.spelledCodes[c] = other.charCodeAt(c);
      prefixed.length = 0;
      dict.prefixed(this.spelledCodes, 0, other.length, MAX_PREFIX_EXPANSIONS, prefixed);
      for (const t of prefixed) if (dict.markSeen(t)) this.addExpansion(qi, t, KIND_PREFIX, 0, 1);
    }
    if (this.typosWanted) {
      // A search wants the nearest words only; a suggestion wants a few more.
      const twoEdits = this.loose ? 'always' : exact >= 0 || otherExact >= 0 ? 'never' : 'if-none-closer';
      dict.typos(word, this.loose, twoEdits, near1, near2, exact >= 0);
    }
    let added = 0;
    for (const t of near1) if (added++ < MAX_TYPO_EXPANSIONS) this.addExpansion(qi, t, KIND_TYPO, 1);
    for (const t of near2) if (added++ < MAX_TYPO_EXPANSIONS) this.addExpansion(qi, t, KIND_TYPO, 2);
    if (this.spellings.count > 0) this.expandSpelled(qi, word);
    this.qExEnd[qi] = this.exCount;
  }

  /**
   * Query word qi in the written-out spelling of field words written with ä, ö, ü, å or ø:
   * "mueller" (or "muel", which starts it) stands for the "muller" of Müller. The words such
   * a spelling may stand for ({@link baseSpellings}) become expansions of qi, which pair with
   * a field word only when it is written with those letters (its other spelling is this one);
   * one that is an expansion already as a typo ("muller" of "mueller") keeps that kind for
   * other fields ("Muller" without the letters) and learns the spelling. Last, so that the
   * expansions before are what they were.
   */
  private expandSpelled(qi: number, word: string): void {
    // Only a word with a letter pair (ae, oe, ue, aa) can differ from what it stands for.
    if (!hasLetterPair(word)) return;
    const own = this.spellings.find(word);
    if (own >= 0) this.addSpelled(qi, own, KIND_EXACT, word);
    const found = this.scratchPrefixed;
    found.length = 0;
    this.spellings.prefixed(this.qCodes, this.qStart[qi]!, word.length, MAX_SPELLED_PREFIXES, found);
    for (const s of found) this.addSpelled(qi, s, KIND_PREFIX, word);
  }

  private addSpelled(qi: number, s: number, kind: number, word: string): void {
    const dict = this.dict;
    for (const base of baseSpellings(this.spellings.word(s))) {
      // A word the query word starts as it is needs no other spelling ("mu" starts "muller").
      if (kind === KIND_PREFIX && base.startsWith(word)) continue;
      const t = dict.find(base);
      if (t < 0) continue;
      dict.markSeen(t);
      let held = false;
      for (let e = this.qExStart[qi]!; e < this.exCount; e++) if (this.exTok[e] === t) held = true;
      if (!held) {
        this.addExpansion(qi, t, KIND_NONE, 0);
        this.exSpelledFrom[this.exCount - 1] = s;
        this.exSpelledKind[this.exCount - 1] = kind;
        this.querySpelled = true;
        continue;
      }
      for (let e = this.qExStart[qi]!; e < this.exCount; e++) {
        if (this.exTok[e] !== t) continue;
        if (this.exKind[e] === KIND_TYPO && this.exSpelledFrom[e]! < 0) {
          this.exSpelledFrom[e] = s;
          this.exSpelledKind[e] = kind;
          this.querySpelled = true;
        }
        break;
      }
    }
  }

  /** `spelled`: 1 when t was found from the query word's other spelling. */
  private addExpansion(qi: number, t: number, kind: number, dist: number, spelled = 0): void {
    const e = this.exCount++;
    if (e >= this.exTok.length) {
      this.exTok = growInt32(this.exTok, e + 1);
      this.exSpelled = growUint8(this.exSpelled, e + 1);
      this.exSpelledFrom = growInt32(this.exSpelledFrom, e + 1);
      this.exSpelledKind = growUint8(this.exSpelledKind, e + 1);
      this.exQ = growInt32(this.exQ, e + 1);
      this.exKind = growUint8(this.exKind, e + 1);
      this.exDist = growUint8(this.exDist, e + 1);
      this.exNext = growInt32(this.exNext, e + 1);
    }
    this.exTok[e] = t;
    this.exSpelled[e] = spelled;
    this.exSpelledFrom[e] = -1;
    if (spelled) this.querySpelled = true;
    this.exQ[e] = qi;
    this.exKind[e] = kind;
    this.exDist[e] = dist;
    if (2 * (this.exWords + 1) > this.exWordKey.length) this.growExWords();
    const keys = this.exWordKey;
    const mask = keys.length - 1;
    let h = Math.imul(t, 0x9e3779b1) & mask;
    while (keys[h] !== t && keys[h] !== -1) h = (h + 1) & mask;
    if (keys[h] === -1) {
      keys[h] = t;
      this.exWordHead[h] = -1;
      this.exWordSlots[this.exWords++] = h;
    }
    this.exNext[e] = this.exWordHead[h]!;
    this.exWordHead[h] = e;
  }

  private growExWords(): void {
    const oldKeys = this.exWordKey;
    const oldHeads = this.exWordHead;
    const keys = new Int32Array(oldKeys.length * 2).fill(-1);
    const heads = new Int32Array(keys.length);
    const slots = new Int32Array(keys.length >>> 1);
    const mask = keys.length - 1;
    let used = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const t = oldKeys[i]!;
      if (t === -1) continue;
      let h = Math.imul(t, 0x9e3779b1) & mask;
      while (keys[h] !== -1) h = (h + 1) & mask;
      keys[h] = t;
      heads[h] = oldHeads[i]!;
      slots[used++] = h;
    }
    this.exWordKey = keys;
    this.exWordHead = heads;
    this.exWordSlots = slots;
  }

  /** The first expansion of word t in this query (chained through exNext), or -1. */
  private firstExpansion(t: number): number {
    const keys = this.exWordKey;
    const mask = keys.length - 1;
    let h = Math.imul(t, 0x9e3779b1) & mask;
    for (;;) {
      const x = keys[h]!;
      if (x === t) return this.exWordHead[h]!;
      if (x === -1) return -1;
      h = (h + 1) & mask;
    }
  }

  private isSeen(a: number): boolean {
    return (this.seenBits[a >>> 5]! & (1 << (a & 31))) !== 0;
  }

  private markAccount(a: number): void {
    this.seenBits[a >>> 5]! |= 1 << (a & 31);
    if (this.seenCount < this.seenList.length) this.seenList[this.seenCount] = a;
    this.seenCount++;
  }

  /** Postings behind the expansions of query word qi (an upper bound on accounts having it). */
  private wordVolume(qi: number): number {
    let v = 0;
    for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]!; e++) v += this.postingCount(this.exTok[e]!);
    return v;
  }

  private postingCount(t: number): number {
    const csr = t < this.csrWords ? this.postStart[t + 1]! - this.postStart[t]! : 0;
    return t < this.ovCount.length ? csr + this.ovCount[t]! : csr;
  }

  /** Accounts whose name or alias equals the query once spaces are removed. */
  private searchCompact(): void {
    const hits: number[] = [];
    const total = this.qStart[this.k]!;
    let h = 0;
    for (let i = 0; i < total; i++) h = (Math.imul(h, HASH_BASE) + this.qCodes[i]!) | 0;
    this.accountTable.collect(keyOf(h, total, KEY_NAME), hits);
    for (const a of hits) this.scoreAccount(a, 0, -1, false);
  }

  /**
   * Accounts whose first domain's own name is the query written as one word ("att" for att.com,
   * "wal mart" for wal-mart.com): scored as that domain, or as their name where it scores higher.
   */
  private searchLabel(label: string): void {
    if (label.length < 2) return;
    const hits: number[] = [];
    this.accountTable.collect(stringKey(label, KEY_LABEL), hits);
    const print = labelPrintOf(label);
    for (const a of hits) if (this.labelPrint[a] === print) this.scoreAccount(a, SCORE_DOMAIN_LABEL, 0, false);
  }

  /**
   * For a suggestion only: accounts one of whose other domains (not the first) has the query
   * written as one word for its own name ("samsclub" for Walmart of walmart.com and
   * samsclub.com). A company is known by its main domain: another one of its domains is a
   * brand, or a country's site, that may be an account of its own, so it is offered, not answered.
   */
  private searchOtherLabels(label: string): void {
    if (label.length < 2) return;
    const hits: number[] = [];
    this.accountTable.collect(stringKey(label, KEY_OTHER_LABEL), hits);
    for (const a of hits) {
      // The other domain it is the own name of (not a 32-bit key's namesake).
      const i = this.strings.domains(a).findIndex((d, at) => at > 0 && ownName(d) === label);
      if (i > 0) this.scoreAccount(a, READING_SUGGESTION, i, false);
    }
  }

  /**
   * Scores accounts from the postings of the query words' expansions, rarest query word first
   * (but a word cut short: see qTruncated): every account matching all words holds the rarest
   * one, and once no unseen account can qualify (too little of the query left to match) the
   * search stops.
   */
  private searchPostings(): void {
    const k = this.k;
    const volume = this.qVolume;
    const byVolume: number[] = [];
    for (let qi = 0; qi < k; qi++) if (volume[qi]! > 0) byVolume.push(qi);
    sortByVolume(byVolume, volume);
    // A word whose prefix expansion was cut short matches beyond its postings ("ver" of the
    // whole "vertex", past its first expansions): an account matching every word need not be
    // in them. The other words' postings hold every such account, so they drive the search; the
    // cut-short word is matched there by "starts with" (addDirectPrefixPairs).
    let order = byVolume;
    if (this.anyTruncated && byVolume.some((qi) => !this.qTruncated[qi])) {
      order = [...byVolume.filter((qi) => !this.qTruncated[qi]), ...byVolume.filter((qi) => this.qTruncated[qi])];
    }
    const allWordsFound = order.length === k;
    const fullMatchesDone = allWordsFound && k >= 2 && this.scanFullMatches(order, volume);
    // Every full match found, the rest are partial ones: rarest word first.
    if (fullMatchesDone) order = byVolume;
    let remaining = 0;
    for (const qi of order) remaining += this.qWeight[qi]!;
    let budget = POSTING_BUDGET;
    for (let r = 0; r < order.length && budget > 0; r++) {
      const qi = order[r]!;
      const canMatchAll = r === 0 && allWordsFound && !fullMatchesDone;
      if (!canMatchAll && !this.partialCanQualify(remaining / this.qWeightSum)) break;
      remaining -= this.qWeight[qi]!;
      this.prepareWordFilter(qi, volume, Math.min(volume[qi]!, budget));
      this.batchSize = 0;
      // The word in another spelling ("mueller" for the muller of Müller) is an exact match:
      // its expansions come first, then the rest in order.
      for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]! && budget > 0; e++) {
        if (this.exSpelledFrom[e]! >= 0 && this.exSpelledKind[e] === KIND_EXACT) budget = this.scanPostings(e, budget);
      }
      for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]! && budget > 0; e++) {
        if (this.exSpelledFrom[e]! < 0 || this.exSpelledKind[e] !== KIND_EXACT) budget = this.scanPostings(e, budget);
      }
      if (this.batchSize > 0) this.scoreBatch(this.batchSize);
    }
    this.filterOn = false;
    this.clearWordBits(volume);
  }

  /**
   * Before scanning the postings of query word qi: an account scores nothing unless the query
   * words it holds weigh at least half the query (all of it when only full matches count), so
   * one holding too few of the other words is passed over without reading its record. Which
   * other words an account holds is read from one bitset per word, made from that word's
   * postings when they are few enough to be worth it; a word without one counts as held.
   */
  private prepareWordFilter(qi: number, volume: Int32Array, visits: number): void {
    this.filterOn = false;
    const k = this.k;
    if (this.loose || k < 2) return;
    const W = this.qWeightSum;
    const need = (this.minNameScore > BAND_PARTIAL + BAND_WIDTH ? W : 0.5 * W) * (1 - 1e-9);
    let base = this.qWeight[qi]!;
    let baseLen = this.qMaxLen[qi]!;
    const others: number[] = [];
    for (let j = 0; j < k; j++) {
      if (j === qi) continue;
      if (this.qTruncated[j]) {
        // It matches by "starts with" too, beyond its postings: taken as held.
        base += this.qWeight[j]!;
        baseLen += this.qMaxLen[j]!;
      } else if (volume[j]! > 0) others.push(j);
    }
    sortByVolume(others, volume);
    let allowance = visits * WORD_FILTER_COST;
    let n = 0;
    for (const j of others) {
      if (this.bitsBuilt & (1 << j)) {
        this.filterWord[n++] = j;
      } else if (volume[j]! <= allowance) {
        allowance -= volume[j]!;
        this.buildWordBits(j);
        this.filterWord[n++] = j;
      } else {
        base += this.qWeight[j]!;
        baseLen += this.qMaxLen[j]!;
      }
    }
    // On even when every account of the round may score: the weights it finds bound the scores.
    this.filterOn = true;
    this.filterCount = n;
    this.filterBase = base;
    this.filterBaseLen = baseLen;
    this.filterNeed = need - base;
  }

  /** Sets, in bitset j, the accounts in the postings of query word j's expansions. */
  private buildWordBits(j: number): void {
    const setWords = (this.accCount >>> 5) + 1;
    if (this.wordBitsStride < setWords) {
      // All clear (a query clears what it set): room for some accounts more.
      this.wordBitsStride = setWords + (setWords >>> 3) + 16;
      this.wordBits = new Int32Array(this.wordBitsStride * MAX_QUERY_TOKENS);
    }
    const bits = this.wordBits;
    const off = j * this.wordBitsStride;
    for (let e = this.qExStart[j]!; e < this.qExEnd[j]!; e++) {
      const t = this.exTok[e]!;
      if (t < this.csrWords) {
        const end = this.postStart[t + 1]!;
        for (let p = this.postStart[t]!; p < end; p++) {
          const a = this.post[p]!;
          bits[off + (a >>> 5)]! |= 1 << (a & 31);
        }
      }
      if (t < this.ovHead.length) {
        for (let o = this.ovHead[t]!; o >= 0; o = this.ovNext[o]!) {
          const a = this.ovAcc[o]!;
          bits[off + (a >>> 5)]! |= 1 << (a & 31);
        }
      }
    }
    this.bitsBuilt |= 1 << j;
  }

  /** Clears the bitsets this query made (word by word when that touches less than the whole set). */
  private clearWordBits(volume: Int32Array): void {
    if (this.bitsBuilt === 0) return;
    const stride = this.wordBitsStride;
    const bits = this.wordBits;
    for (let j = 0; j < this.k; j++) {
      if (!(this.bitsBuilt & (1 << j))) continue;
      const off = j * stride;
      if (volume[j]! * 4 > stride) {
        bits.fill(0, off, off + stride);
        continue;
      }
      for (let e = this.qExStart[j]!; e < this.qExEnd[j]!; e++) {
        const t = this.exTok[e]!;
        if (t < this.csrWords) {
          const end = this.postStart[t + 1]!;
          for (let p = this.postStart[t]!; p < end; p++) bits[off + (this.post[p]! >>> 5)] = 0;
        }
        if (t < this.ovHead.length) for (let o = this.ovHead[t]!; o >= 0; o = this.ovNext[o]!) bits[off + (this.ovAcc[o]! >>> 5)] = 0;
      }
    }
    this.bitsBuilt = 0;
  }

  /**
   * The weight of the query words account a may hold, as far as the word filter knows (all
   * of them without it); -1 when that is too little for it to score at all.
   */
  private heldWeight(a: number): number {
    if (!this.filterOn) return this.qWeightSum;
    const w = a >>> 5;
    const bit = 1 << (a & 31);
    const stride = this.wordBitsStride;
    let got = 0;
    let len = this.filterBaseLen;
    for (let f = 0; f < this.filterCount; f++) {
      const j = this.filterWord[f]!;
      if (this.wordBits[j * stride + w]! & bit) {
        got += this.qWeight[j]!;
        len += this.qMaxLen[j]!;
      }
    }
    this.heldLen = len;
    return got >= this.filterNeed ? this.filterBase + got : -1;
  }

  /**
   * When even the rarest query word is common ("robotics systems"), scores exactly the accounts
   * that also hold a second query word, found by intersecting the postings through a bitset,
   * instead of every account holding the rarest word. False when not applicable.
   */
  private scanFullMatches(order: readonly number[], volume: Int32Array): boolean {
    const driver = order[0]!;
    if (volume[driver]! <= FULL_MATCH_FILTER_FROM || volume[driver]! > FULL_MATCH_FILTER_MAX) return false;
    let filter = order.find(
      (qi) =>
        this.qWords[qi] !== this.qWords[driver] && !this.qTruncated[qi] && volume[qi]! <= FULL_MATCH_FILTER_MAX,
    );
    // Else a word cut short ("pacific ver"): the accounts holding any word it starts.
    let starting: number[] | null = null;
    if (filter === undefined && !this.qTruncated[driver]) {
      filter = order.find((qi) => this.qWords[qi] !== this.qWords[driver] && this.qTruncated[qi]);
      if (filter !== undefined) starting = this.wordsStarting(filter, driver);
      if (starting === null) return false;
    }
    if (filter === undefined) return false;
    const words = (this.accCount >>> 5) + 1;
    if (this.accountBits.length < words) this.accountBits = new Int32Array(words);
    const bits = this.accountBits;
    const setBit = (a: number): void => {
      bits[a >>> 5]! |= 1 << (a & 31);
    };
    const clearBit = (a: number): void => {
      bits[a >>> 5] = 0;
    };
    this.forEachPosting(filter, setBit);
    if (starting !== null) for (const t of starting) this.forEachWordPosting(t, setBit);
    this.forEachPosting(driver, (a) => {
      if (bits[a >>> 5]! & (1 << (a & 31)) && !this.isSeen(a)) this.scoreAccount(a, 0, -1, false);
    });
    this.forEachPosting(filter, clearBit);
    if (starting !== null) for (const t of starting) this.forEachWordPosting(t, clearBit);
    return true;
  }

  /**
   * Every word of the index that query word qi (cut short) starts, not only its first ones;
   * null when they are too many to be worth it, when a field word may start with it in its
   * other spelling only ("mue" of Müller's "mueller": addDirectPrefixPairs finds it there), or
   * when one is an expansion of query word `driver` ("quarry qua": every account of the one
   * would hold the other).
   */
  private wordsStarting(qi: number, driver: number): number[] | null {
    const n = this.qStart[qi + 1]! - this.qStart[qi]!;
    if (this.spellings.count > 0 && hasLetterPair(this.qWords[qi]!)) return null;
    const out: number[] = [];
    if (this.dict.prefixed(this.qCodes, this.qStart[qi]!, n, PREFIX_SCAN_LIMIT, out)) return null;
    let volume = 0;
    for (const t of out) {
      for (let e = this.firstExpansion(t); e >= 0; e = this.exNext[e]!) if (this.exQ[e] === driver) return null;
      volume += this.postingCount(t);
    }
    return volume <= FULL_MATCH_FILTER_MAX ? out : null;
  }

  /** Calls `visit` with every account in the postings of query word qi's expansions. */
  private forEachPosting(qi: number, visit: (a: number) => void): void {
    for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]!; e++) this.forEachWordPosting(this.exTok[e]!, visit);
  }

  /** Calls `visit` with every account in the postings of word t. */
  private forEachWordPosting(t: number, visit: (a: number) => void): void {
    if (t < this.csrWords) {
      const end = this.postStart[t + 1]!;
      for (let p = this.postStart[t]!; p < end; p++) visit(this.post[p]!);
    }
    if (t < this.ovHead.length) for (let o = this.ovHead[t]!; o >= 0; o = this.ovNext[o]!) visit(this.ovAcc[o]!);
  }

  /** Scores the accounts in the postings of expansion e; returns the budget left. */
  private scanPostings(e: number, budget: number): number {
    const t = this.exTok[e]!;
    // With one query word the score is bounded by the posting's key: stop when it can't win.
    // Then each account is scored as it comes (the bound follows the results so far); with
    // more words the accounts to score are gathered into `batch`, and the round scores them together.
    const bounded = this.k === 1;
    let n = this.batchSize;
    if (t < this.csrWords) {
      const end = this.postStart[t + 1]!;
      let p = this.postStart[t]!;
      let lastKey = -1;
      while (p < end && budget > 0) {
        if (bounded && this.top.length >= this.limit && this.postKey[p] !== lastKey) {
          lastKey = this.postKey[p]!;
          if (this.postingBound(e, lastKey) < this.top[this.top.length - 1]!.score) {
            if (lastKey >= 128) break;
            p = this.firstNonLeading(p, end);
            continue;
          }
        }
        budget--;
        n = this.takePosting(this.post[p++]!, bounded, n);
      }
    }
    if (t < this.ovHead.length) {
      for (let o = this.ovHead[t]!; o >= 0 && budget > 0; o = this.ovNext[o]!, budget--) n = this.takePosting(this.ovAcc[o]!, bounded, n);
    }
    this.batchSize = n;
    return budget;
  }

  /**
   * One account of a posting list: skipped when it cannot match or was seen; else scored at
   * once (`bounded`) or added to the batch at `n`. Returns the batch's new size.
   */
  private takePosting(a: number, bounded: boolean, n: number): number {
    const held = this.heldWeight(a);
    if (held < 0 || this.isSeen(a)) return n;
    if (bounded) {
      this.scoreAccount(a, 0, -1, false);
      return n;
    }
    this.markAccount(a);
    this.batchHeld[n] = held;
    this.batchLen[n] = this.heldLen;
    this.batch[n] = a;
    return n + 1;
  }

  /**
   * Scores the first n accounts of `batch` (marked seen already). The order does not change
   * the results (the best of a set, in a total order), so it is chosen to do less: first the
   * accounts that may hold every query word, then the others best bound first (a max-heap),
   * until not even that bound could enter the results. The bound of a partial match is what
   * it scores on the words the account may hold, covering at most what their longest
   * expansions cover of its shortest name or alias.
   */
  private scoreBatch(n: number): void {
    const batch = this.batch;
    const held = this.batchHeld;
    const W = this.qWeightSum;
    const all = W * (1 - 1e-9);
    const partialAcc = this.batchPartialAcc;
    const bound = this.batchBound;
    let np = 0;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const a = batch[i]!;
      if (held[i]! >= all) {
        batch[m++] = a;
        continue;
      }
      const shortest = this.minCompact[a]!;
      const coverage = shortest > 0 ? Math.min(1, this.batchLen[i]! / shortest) : 1;
      partialAcc[np] = a;
      bound[np++] = partialScore(held[i]! / W, coverage) + 1e-9;
    }
    for (let i = 0; i < m; i++) this.scoreRecord(batch[i]!, this.fwdStart[batch[i]!]!, 0, -1, false);
    if (np === 0) return;
    // The partial candidates that can still enter, in a max-heap by bound.
    const heap = this.batchHeap;
    const floor = this.top.length >= this.limit ? this.top[this.top.length - 1]!.score : -1;
    let size = 0;
    for (let i = 0; i < np; i++) if (bound[i]! >= floor) heap[size++] = i;
    for (let i = (size >>> 1) - 1; i >= 0; i--) this.siftDown(i, size);
    while (size > 0) {
      const best = heap[0]!;
      const top = this.top;
      if (top.length >= this.limit && bound[best]! < top[top.length - 1]!.score) break;
      heap[0] = heap[--size]!;
      this.siftDown(0, size);
      const a = partialAcc[best]!;
      this.scoreRecord(a, this.fwdStart[a]!, 0, -1, false);
    }
  }

  /** Restores the max-heap order of batchHeap[0..size) (by batchBound) below position i. */
  private siftDown(i: number, size: number): void {
    const heap = this.batchHeap;
    const bound = this.batchBound;
    const x = heap[i]!;
    const key = bound[x]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && bound[heap[c + 1]!]! > bound[heap[c]!]!) c++;
      if (bound[heap[c]!]! <= key) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = x;
  }

  /** First posting in [p, end) whose word does not start its field (keys are sorted). */
  private firstNonLeading(p: number, end: number): number {
    let lo = p;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.postKey[mid]! < 128) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Highest score a one-word query can give an account found under expansion e with this posting key. */
  private postingBound(e: number, key: number): number {
    const compact = Math.max(1, key & 127);
    // The query word's longer spelling bounds what either spelling scores.
    const n = this.qStart[1]! - this.qStart[0]! + this.qSpelledExtra[0]!;
    let len = this.dict.lens[this.exTok[e]!]!;
    let kind = this.exKind[e]!;
    const from = this.exSpelledFrom[e]!;
    if (from >= 0) {
      // It may pair in the field word's other spelling, as exact or prefix: better than the typo it is otherwise.
      len = Math.max(len, this.spellings.lens[from]!);
      kind = this.exSpelledKind[e]!;
    }
    const coverage = Math.min(1, len / compact);
    // The key tells the field where the word comes first; a shorter one may hold it too (an
    // alias): within the typo distance, what the word covers there is not bounded by the key.
    if (kind === KIND_TYPO) return typoScore(this.exDist[e]!, 1, 0, true);
    if (key < 128) return kind === KIND_EXACT && compact <= n ? SCORE_EXACT : fullPrefixScore(n, compact, kind === KIND_EXACT);
    return wordScore(kind === KIND_EXACT ? 1 : 0, coverage, true);
  }

  /** Whether an account matching query words of this weight fraction could still enter the results. */
  private partialCanQualify(fraction: number): boolean {
    if (!this.loose && fraction < 0.5) return false;
    const bound = partialScore(fraction, 1);
    if (bound < this.minNameScore) return false;
    // At an equal score the tie-break (shorter name, then name, then id) may still let it in.
    return this.top.length < this.limit || bound >= this.top[this.top.length - 1]!.score;
  }

  /** Scores account a once per query (best of its fields and the domain score); keeps it if in the top. */
  private scoreAccount(a: number, domainScore: number, domainIdx: number, domainExact: boolean): void {
    if (this.isSeen(a)) return;
    this.markAccount(a);
    this.scoreRecord(a, this.fwdStart[a]!, domainScore, domainIdx, domainExact);
  }

  /** Scores account a, whose forward record is at fwd[pos] (best of its fields and the domain score); keeps it if in the top. */
  private scoreRecord(a: number, pos: number, domainScore: number, domainIdx: number, domainExact: boolean): void {
    const fwd = this.fwd;
    const ft = this.ft;
    const ftSpelled = this.ftSpelled;
    const nFields = fwd[pos++]!;
    let best = 0;
    let bestField = -1;
    let bestSpelled = false;
    let nameLen = 0;
    for (let f = 0; f < nFields; f++) {
      const head = fwd[pos++]!;
      const m = head & FIELD_WORDS;
      const compact = fwd[pos++]!;
      // The words, then (when the field has them) their other spellings + 1 (see storedFields).
      const n = head & FIELD_SPELLED ? 2 * m : m;
      for (let j = 0; j < n; j++) {
        let v = fwd[pos++]!;
        if (v >= 128) {
          v &= 127;
          let shift = 7;
          let b: number;
          do {
            b = fwd[pos++]!;
            v |= (b & 127) << shift;
            shift += 7;
          } while (b >= 128);
        }
        if (j < m) ft[j] = v;
        else ftSpelled[j - m] = v - 1;
      }
      if (f === 0) nameLen = compact + Math.max(0, m - 1);
      if (this.k === 0) continue;
      const s = this.scoreField(m, compact, head);
      // At equal scores a field matched as spelled wins ("Mueller Logistik", the alias of Müller Logistik).
      if ((s > best || (s === best && bestSpelled && !this.fieldSpelled)) && s >= this.minNameScore) {
        best = s;
        bestField = f;
        bestSpelled = this.fieldSpelled;
      }
    }
    // A name read from a URL or e-mail address is a guess at the account, not its name typed.
    let exact = best === SCORE_EXACT && this.namePenalty === 0;
    if (best > 0) best -= this.namePenalty;
    if (domainScore > best) {
      best = domainScore;
      bestField = -2 - domainIdx;
      exact = domainExact;
      bestSpelled = false;
    }
    // A removed account keeps its record until the next rebuild: it is scored, never kept.
    if (best <= 0 || !this.alive[a]) return;
    const top = this.top;
    if (top.length >= this.limit && !this.better(a, best, bestSpelled, nameLen, top[top.length - 1]!)) return;
    let i = top.length;
    while (i > 0 && this.better(a, best, bestSpelled, nameLen, top[i - 1]!)) i--;
    top.splice(i, 0, { account: a, score: best, field: bestField, exact, spelled: bestSpelled, nameLen });
    if (top.length > this.limit) top.pop();
  }

  /** Result order: score, then a match as spelled before one through another spelling, then shorter normalised name, then name, then id. */
  private better(a: number, score: number, spelled: boolean, nameLen: number, y: Scored): boolean {
    if (score !== y.score) return score > y.score;
    if (spelled !== y.spelled) return !spelled;
    if (nameLen !== y.nameLen) return nameLen < y.nameLen;
    const xRank = this.nameRank[a]!;
    const yRank = this.nameRank[y.account]!;
    if (xRank >= 0 && yRank >= 0) return xRank < yRank;
    const xName = this.strings.name(a);
    const yName = this.strings.name(y.account);
    if (xName !== yName) return xName < yName;
    return this.strings.id(a) < this.strings.id(y.account);
  }

  /**
   * Pairs of field word j (word t; `spelled`: its other spelling, or -1) with the query words
   * t is an expansion of: as the expansion says, or, when the query word is (or starts) the
   * field word's other spelling, as exact (or prefix) in that spelling.
   */
  private addPairs(t: number, spelled: number, j: number, np: number): number {
    for (let e = this.firstExpansion(t); e >= 0; e = this.exNext[e]!) {
      const qi = this.exQ[e]!;
      let kind = this.exKind[e]!;
      let dist = this.exDist[e]!;
      let other = this.exSpelled[e]!;
      let len = this.dict.lens[t]!;
      const from = this.exSpelledFrom[e]!;
      if (from >= 0 && from === spelled) {
        kind = this.exSpelledKind[e]!;
        dist = 0;
        other |= FIELD_OTHER;
        len = this.spellings.lens[from]!;
      } else if (kind === KIND_NONE) continue;
      this.pairQ[np] = qi;
      this.pairJ[np] = j;
      this.pairKind[np] = kind;
      this.pairDist[np] = dist;
      this.pairOther[np] = other;
      this.pairLen[np] = len;
      const qLen = this.qStart[qi + 1]! - this.qStart[qi]! + (other & QUERY_OTHER ? this.qSpelledExtra[qi]! : 0);
      // A pair through another spelling yields, by a hair, to one as spelled.
      this.pairQuality[np] = (kind === KIND_EXACT ? 3 : kind === KIND_PREFIX ? 2 + qLen / len : 1 - 0.25 * dist) - (other ? 0.0005 : 0);
      np++;
    }
    return np;
  }

  /**
   * Score of one name or alias (word ids ft[0..m), their other spellings in ftSpelled when
   * `head` says so, compact length) against the prepared query; sets {@link fieldSpelled}.
   * A query word pairs with a field word in either spelling, from either spelling of its own;
   * what a match covers is measured in the spellings it matched.
   */
  private scoreField(m: number, compact: number, head: number): number {
    const k = this.k;
    const ft = this.ft;
    const spelledField = (head & FIELD_SPELLED) !== 0;
    // Neither a field nor a query cut short is ever equal to the other: what follows is not known.
    const whole = (head & FIELD_CUT) === 0 && !this.queryCut;
    // Pairs say in which spellings they matched (pairOther, pairLen) only when some may be in
    // another: the query has expansions in one, or prefixes are tested on both spellings of the field.
    const bySpelling = this.querySpelled || (this.anyTruncated && spelledField);
    const lens = this.dict.lens;
    this.fieldSpelled = false;
    let np = 0;
    if (bySpelling) {
      for (let j = 0; j < m; j++) np = this.addPairs(ft[j]!, spelledField ? this.ftSpelled[j]! : -1, j, np);
    } else {
      // No expansion of the query is in another spelling: each pair as its expansion says.
      for (let j = 0; j < m; j++) {
        const t = ft[j]!;
        for (let e = this.firstExpansion(t); e >= 0; e = this.exNext[e]!) {
          const qi = this.exQ[e]!;
          const kind = this.exKind[e]!;
          this.pairQ[np] = qi;
          this.pairJ[np] = j;
          this.pairKind[np] = kind;
          this.pairDist[np] = this.exDist[e]!;
          this.pairQuality[np] =
            kind === KIND_EXACT ? 3 : kind === KIND_PREFIX ? 2 + (this.qStart[qi + 1]! - this.qStart[qi]!) / lens[t]! : 1 - 0.25 * this.exDist[e]!;
          np++;
        }
      }
    }
    if (this.anyTruncated) np = this.addDirectPrefixPairs(m, np, spelledField, bySpelling);
    const qCompact = this.qStart[k]!;
    let compactEqual = false;
    if (whole) {
      if (compact === qCompact && this.compactEquals(m)) compactEqual = true;
      else if (spelledField && qCompact > compact && this.spelledCompactEquals(0, m, 0)) {
        compactEqual = true;
        this.fieldSpelled = true;
      }
    }
    if (np === 0) return compactEqual ? SCORE_COMPACT : 0;

    // Greedy assignment of query words to distinct field words, best pair first (positional
    // pairs win ties, so "acme acme" pairs in order).
    const assignedJ = this.assignedJ;
    assignedJ.fill(-1, 0, k);
    let usedJ = 0;
    for (let r = Math.min(k, m); r > 0; r--) {
      let best = -1;
      let bestQuality = -1;
      for (let p = 0; p < np; p++) {
        const qi = this.pairQ[p]!;
        const j = this.pairJ[p]!;
        if (assignedJ[qi] !== -1 || usedJ & (1 << j)) continue;
        const quality = this.pairQuality[p]! + (j === qi ? 0.001 : 0);
        if (quality > bestQuality) {
          bestQuality = quality;
          best = p;
        }
      }
      if (best < 0) break;
      assignedJ[this.pairQ[best]!] = this.pairJ[best]!;
      this.assignedPair[this.pairQ[best]!] = best;
      usedJ |= 1 << this.pairJ[best]!;
    }

    let matched = 0;
    let exactCount = 0;
    let typoCount = 0;
    let distanceSum = 0;
    let matchedWeight = 0;
    /** The weight of the query words matched only within the typo distance. */
    let typoWeight = 0;
    let covered = 0;
    // The lengths of the field and of the query in the spellings matched.
    let fieldLen = compact;
    let queryLen = qCompact;
    let other = 0;
    let inOrderFromStart = true;
    let increasing = true;
    let prefixShape = true; // all words exact but the last, which may be a prefix
    let lastJ = -1;
    for (let qi = 0; qi < k; qi++) {
      const j = assignedJ[qi]!;
      if (j < 0) {
        inOrderFromStart = false;
        continue;
      }
      const p = this.assignedPair[qi]!;
      const kind = this.pairKind[p]!;
      matched++;
      matchedWeight += this.qWeight[qi]!;
      if (bySpelling) {
        const pairOther = this.pairOther[p]!;
        covered += this.pairLen[p]!;
        if (pairOther & FIELD_OTHER) fieldLen += this.pairLen[p]! - lens[ft[j]!]!;
        if (pairOther & QUERY_OTHER) queryLen += this.qSpelledExtra[qi]!;
        other |= pairOther;
      } else covered += lens[ft[j]!]!;
      if (kind === KIND_EXACT) exactCount++;
      else if (kind === KIND_TYPO) {
        typoCount++;
        typoWeight += this.qWeight[qi]!;
        distanceSum += this.pairDist[p]!;
        prefixShape = false;
      } else if (qi < k - 1) prefixShape = false;
      if (j !== qi) inOrderFromStart = false;
      if (j < lastJ) increasing = false;
      lastJ = j;
    }
    const coverage = fieldLen > 0 ? Math.min(1, covered / fieldLen) : 0;
    // A query cut short whose kept words all match a name that was not: its words past the cut
    // are more than the name holds, so the name matches only part of it.
    if (matched === k && this.queryCut && (head & FIELD_CUT) === 0) {
      this.fieldSpelled = other !== 0;
      return partialScore(k / this.queryWordCount, coverage);
    }
    if (matched === k) {
      if (inOrderFromStart && exactCount === k && m === k && whole) {
        this.fieldSpelled = other !== 0;
        return SCORE_EXACT;
      }
      if (compactEqual) return SCORE_COMPACT;
      this.fieldSpelled = other !== 0;
      if (inOrderFromStart && prefixShape) return fullPrefixScore(queryLen + k - 1, fieldLen + m - 1, exactCount === k);
      if (typoCount === 0) return wordScore(exactCount / k, coverage, increasing);
      return typoScore(distanceSum, coverage, (k - typoCount) / k, increasing);
    }
    if (compactEqual) return SCORE_COMPACT;
    this.fieldSpelled = other !== 0;
    // Some words match: weigh them by rarity, so that sharing "group" counts for little.
    const fraction = this.qWeightSum > 0 ? matchedWeight / this.qWeightSum : 0;
    if (!this.loose && (fraction < 0.5 || matched === typoCount)) return 0;
    // A word matched within the typo distance counts half: "royal philips" is Philips before the
    // alias Total, two letters from "royal".
    return partialScore(this.qWeightSum > 0 ? (matchedWeight - typoWeight / 2) / this.qWeightSum : 0, coverage);
  }

  /** For query words whose prefix expansion was cut short: test "starts with" directly (either spelling of a field word). */
  private addDirectPrefixPairs(m: number, np: number, spelledField: boolean, bySpelling: boolean): number {
    for (let qi = 0; qi < this.k; qi++) {
      if (!this.qTruncated[qi]) continue;
      const from = this.qStart[qi]!;
      const n = this.qStart[qi + 1]! - from;
      for (let j = 0; j < m && np < MAX_PAIRS; j++) {
        for (let s = 0; s < 2; s++) {
          const t = s === 0 ? this.ft[j]! : this.ftSpelled[j]!;
          if (s === 1 && (!spelledField || t < 0)) continue;
          const d = s === 0 ? this.dict : this.spellings;
          if (d.len(t) <= n || !d.startsWith(t, this.qCodes, from, n)) continue;
          let duplicate = false;
          for (let p = 0; p < np; p++) {
            if (this.pairQ[p] === qi && this.pairJ[p] === j && (!bySpelling || (this.pairOther[p]! & FIELD_OTHER) === (s === 0 ? 0 : FIELD_OTHER))) duplicate = true;
          }
          if (duplicate || np >= MAX_PAIRS) continue;
          this.pairQ[np] = qi;
          this.pairJ[np] = j;
          this.pairKind[np] = KIND_PREFIX;
          this.pairDist[np] = 0;
          this.pairOther[np] = s === 0 ? 0 : FIELD_OTHER;
          this.pairLen[np] = d.lens[t]!;
          this.pairQuality[np] = 2 + n / d.len(t) - (s === 0 ? 0 : 0.0005);
          np++;
        }
      }
    }
    return np;
  }

  /** True when the field's words concatenated equal the query's words concatenated. */
  private compactEquals(m: number): boolean {
    const { chars, start } = this.dict;
    const total = this.qStart[this.k]!;
    let q = 0;
    for (let j = 0; j < m; j++) {
      const t = this.ft[j]!;
      const end = start[t + 1]!;
      if (q + end - start[t]! > total) return false;
      for (let c = start[t]!; c < end; c++) if (chars[c] !== this.qCodes[q++]) return false;
    }
    return q === total;
  }

  /**
   * {@link compactEquals} with each field word from j on in either of its spellings, the
   * query's words from its code q on ("mueller logistik" typed "muellerlogistik").
   */
  private spelledCompactEquals(j: number, m: number, q: number): boolean {
    const total = this.qStart[this.k]!;
    if (j === m) return q === total;
    const t = this.ft[j]!;
    if (this.codesAt(this.dict, t, q, total) && this.spelledCompactEquals(j + 1, m, q + this.dict.len(t))) return true;
    const o = this.ftSpelled[j]!;
    return o >= 0 && this.codesAt(this.spellings, o, q, total) && this.spelledCompactEquals(j + 1, m, q + this.spellings.len(o));
  }

  /** Whether word t of `dict` is the query's codes from q on (within the first `total`). */
  private codesAt(dict: TokenDictionary, t: number, q: number, total: number): boolean {
    const { chars, start } = dict;
    const end = start[t + 1]!;
    if (q + end - start[t]! > total) return false;
    for (let c = start[t]!; c < end; c++) if (chars[c] !== this.qCodes[q++]) return false;
    return true;
  }

  private toMatch(s: Scored): AccountMatch {
    const a = s.account;
    const accountId = this.strings.id(a);
    const score = Math.round(s.score * 10000) / 10000;
    if (s.field <= -2) return { accountId, score, matchedOn: 'domain', matchedText: this.strings.domain(a, -2 - s.field), exact: s.exact };
    if (s.field <= 0) return { accountId, score, matchedOn: 'name', matchedText: this.strings.name(a), exact: s.exact };
    return { accountId, score, matchedOn: 'alias', matchedText: this.strings.alias(a, s.field - 1), exact: s.exact };
  }

  // -------------------------------------------------------------------------------------------
  // Indexing

  private findById(id: string): number {
    const hits: number[] = [];
    this.accountTable.collect(stringKey(id, KEY_ID), hits);
    for (const a of hits) if (this.alive[a] && this.strings.idEquals(a, id)) return a;
    return -1;
  }

  /** Word ids of the account's name and aliases. */
  private fieldIds(account: MatchableAccount): Field[] {
    const fields = [this.field(account.name)];
    const aliases = account.aliases ?? [];
    for (let i = 0; i < aliases.length && i < MAX_ALIASES; i++) fields.push(this.field(aliases[i]));
    return fields;
  }

  /**
   * A name or alias as indexed: its normalised words (a name of only legal words, "Company
   * AB", keeps them), at most MAX_FIELD_TOKENS, and their other spellings (Müller's
   * "mueller", see {@link spelledOutWords}).
   */
  private field(s: unknown): Field {
    if (typeof s !== 'string') return [];
    let words = nameTokens(s);
    let options: typeof KEEP_LEGAL | undefined;
    if (words.length === 0) {
      options = KEEP_LEGAL;
      words = nameTokens(s, options);
    }
    const spelledWords = spelledOutWords(s, words, options);
    const m = Math.min(words.length, MAX_FIELD_TOKENS);
    const ids: Field = [];
    for (let j = 0; j < m; j++) ids.push(this.dict.intern(words[j]!));
    if (spelledWords !== null && spelledWords.slice(0, m).some((w) => w !== null)) {
      ids.spelled = [];
      for (let j = 0; j < m; j++) ids.spelled.push(spelledWords[j] === null ? -1 : this.spellings.intern(spelledWords[j]!));
    }
    if (words.length > MAX_FIELD_TOKENS) ids.cut = true;
    return ids;
  }

  private compactLength(ids: readonly number[]): number {
    let c = 0;
    for (const t of ids) c += this.dict.len(t);
    return c;
  }

  /** Registers an account with its fields as word ids; returns its internal number. */
  private storeAccount(account: MatchableAccount, fields: Field[]): number {
    const a = this.accCount++;
    if (a > MAX_TABLE_VALUE) throw new RangeError(`AccountMatcher: more than ${MAX_TABLE_VALUE} accounts`);
    this.strings.add(a, account);
    this.alive = growUint8(this.alive, a + 1);
    this.alive[a] = 1;
    this.nameRank = growInt32(this.nameRank, a + 1, -1);
    this.nameRank[a] = -1;
    this.minCompact = growUint8(this.minCompact, a + 1);
    let shortest = 0;
    for (const ids of fields) {
      const c = Math.min(255, this.compactLength(ids));
      if (ids.length > 0 && (shortest === 0 || c < shortest)) shortest = c;
    }
    this.minCompact[a] = shortest;
    this.labelPrint = growInt32(this.labelPrint, a + 1);
    const label = primaryLabel(account.domains);
    this.labelPrint[a] = label === null ? 0 : labelPrintOf(label);
    this.liveCount++;
    this.fwdStart = growInt32(this.fwdStart, a + 1);
    this.fwdStart[a] = this.fwdLen;
    let bytes = 1;
    for (const ids of fields) bytes += 2 + ids.length * (ids.spelled ? 10 : 5);
    this.fwd = growUint8(this.fwd, this.fwdLen + bytes);
    const fwd = this.fwd;
    fwd[this.fwdLen++] = fields.length;
    for (const ids of fields) {
      const spelled = ids.spelled;
      fwd[this.fwdLen++] = ids.length | (spelled ? FIELD_SPELLED : 0) | (ids.cut ? FIELD_CUT : 0);
      fwd[this.fwdLen++] = Math.min(255, this.compactLength(ids));
      for (let j = 0; j < ids.length; j++) this.putVarint(ids[j]!);
      // The other spellings, each + 1 (0: none).
      if (spelled) for (const v of spelled) this.putVarint(v + 1);
    }
    return a;
  }

  /** Appends v to the forward records (room made by the caller). */
  private putVarint(v: number): void {
    const fwd = this.fwd;
    while (v >= 128) {
      fwd[this.fwdLen++] = (v & 127) | 128;
      v >>>= 7;
    }
    fwd[this.fwdLen++] = v;
  }

  /** Fields of account a, from its forward record. */
  private storedFields(a: number): Field[] {
    const fwd = this.fwd;
    let pos = this.fwdStart[a]!;
    const nFields = fwd[pos++]!;
    const fields: Field[] = [];
    for (let f = 0; f < nFields; f++) {
      const head = fwd[pos++]!;
      const m = head & FIELD_WORDS;
      pos++; // compact length
      const ids: Field = [];
      let spelled: number[] | undefined;
      // The words, then (when the field has them) their other spellings + 1.
      for (let j = 0; j < (head & FIELD_SPELLED ? 2 * m : m); j++) {
        let v = 0;
        let shift = 0;
        let b: number;
        do {
          b = fwd[pos++]!;
          v |= (b & 127) << shift;
          shift += 7;
        } while (b >= 128);
        if (j < m) ids.push(v);
        else (spelled ??= []).push(v - 1);
      }
      if (spelled) ids.spelled = spelled;
      if (head & FIELD_CUT) ids.cut = true;
      fields.push(ids);
    }
    return fields;
  }

  /**
   * Each distinct word of an account with its posting key (the best over the fields holding
   * it). A word is posted as normalised only: a query finds it in its other spelling through
   * the word (see expandSpelled), and the key's length, the field's in that shortest
   * spelling, bounds what either spelling scores.
   */
  private postingsOf(fields: Field[], emit: (t: number, key: number) => void): void {
    const words = this.scratchWords;
    const keys = this.scratchKeys;
    words.length = 0;
    keys.length = 0;
    for (const ids of fields) {
      const compact = Math.min(127, this.compactLength(ids));
      for (let j = 0; j < ids.length; j++) {
        const key = (j === 0 ? 0 : 128) | compact;
        const i = words.indexOf(ids[j]!);
        if (i < 0) {
          words.push(ids[j]!);
          keys.push(key);
        } else if (key < keys[i]!) keys[i] = key;
      }
    }
    for (let i = 0; i < words.length; i++) emit(words[i]!, keys[i]!);
  }

  /**
   * Account-table keys of an account other than its id: space-free names/aliases (also with
   * every word that has another spelling in it), domains, and the first domain's own name
   * ({@link primaryLabel}).
   */
  private accountKeys(domains: readonly unknown[] | undefined, fields: Field[]): number[] {
    const keys: number[] = [];
    for (const ids of fields) {
      if (ids.length === 0) continue;
      const key = this.dict.compactKey(ids, ids.length);
      if (!keys.includes(key)) keys.push(key);
      const spelled = ids.spelled;
      if (spelled) {
        let h = 0;
        let len = 0;
        for (let j = 0; j < ids.length; j++) {
          const other = spelled[j]!;
          h = other >= 0 ? this.spellings.hashOn(h, other) : this.dict.hashOn(h, ids[j]!);
          len += other >= 0 ? this.spellings.len(other) : this.dict.len(ids[j]!);
        }
        const key = keyOf(h, len, KEY_NAME);
        if (!keys.includes(key)) keys.push(key);
      }
    }
    for (const d of normalizedDomains(domains)) {
      const key = stringKey(d, KEY_DOMAIN);
      if (!keys.includes(key)) keys.push(key);
    }
    const label = primaryLabel(domains);
    if (label !== null) keys.push(stringKey(label, KEY_LABEL));
    for (const other of otherLabels(domains)) {
      const key = stringKey(other, KEY_OTHER_LABEL);
      if (!keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  private kill(a: number): void {
    for (const key of this.accountKeys(this.strings.domains(a), this.storedFields(a))) this.accountTable.remove(key, a);
    this.accountTable.remove(stringKey(this.strings.id(a), KEY_ID), a);
    this.alive[a] = 0;
    this.liveCount--;
    this.deadCount++;
  }

  /** Indexes one account after the initial build; its postings go to the overflow lists. */
  private appendAccount(account: MatchableAccount): void {
    const fields = this.fieldIds(account);
    const a = this.storeAccount(account, fields);
    const words = this.dict.count;
    if (this.ovHead.length < words) {
      this.ovHead = growInt32(this.ovHead, words, -1);
      this.ovCount = growInt32(this.ovCount, words);
    }
    this.postingsOf(fields, (t) => {
      const o = this.ovSize++;
      if (o >= this.ovAcc.length) {
        this.ovAcc = growInt32(this.ovAcc, o + 1);
        this.ovNext = growInt32(this.ovNext, o + 1);
      }
      this.ovAcc[o] = a;
      this.ovNext[o] = this.ovHead[t]!;
      this.ovHead[t] = o;
      this.ovCount[t]!++;
    });
    const keys = this.accountKeys(account.domains, fields);
    // Make room first: a full table never ends a probe (the rebuild indexes account a too).
    if (this.accountTable.wouldOverload(keys.length + 1)) {
      this.rebuildAccountTable();
      return;
    }
    this.accountTable.add(stringKey(account.id, KEY_ID), a);
    for (const key of keys) this.accountTable.add(key, a);
  }

  private rebuildAccountTable(): void {
    const rows = new IntRows(2, this.liveCount * 4);
    for (let a = 0; a < this.accCount; a++) {
      if (!this.alive[a]) continue;
      rows.push(stringKey(this.strings.id(a), KEY_ID), a);
      for (const key of this.accountKeys(this.strings.domains(a), this.storedFields(a))) rows.push(key, a);
    }
    const table = KeyMultiMap.sizedFor(rows.len * 1.5);
    const [keys, vals] = rows.cols as [I32, I32];
    for (let i = 0; i < rows.len; i++) table.add(keys[i]! >>> 0, vals[i]!);
    this.accountTable = table;
  }

  /** Compaction after many removals; merge of the overflow postings once they grow. */
  private maintain(): void {
    if (this.deadCount >= Math.max(MIN_DEAD_COMPACTION, this.liveCount / 4)) {
      const live: MatchableAccount[] = [];
      for (let a = 0; a < this.accCount; a++) if (this.alive[a]) live.push(this.strings.account(a));
      this.build(live);
    } else if (this.ovSize >= Math.max(MIN_OVERFLOW_MERGE, this.post.length / 2)) {
      const rows = new IntRows(3, this.post.length + this.ovSize);
      for (let a = 0; a < this.accCount; a++) {
        if (this.alive[a]) this.postingsOf(this.storedFields(a), (t, key) => rows.push(t, a, key));
      }
      this.buildPostings(rows);
    }
  }

  /** CSR postings from (word, account, key) rows: per word by key, then by account number. */
  private buildPostings(rows: IntRows): void {
    const [tok, acc, key] = rows.cols as [I32, I32, I32];
    const n = rows.len;
    const words = this.dict.count;
    const keyStart = new Int32Array(257);
    for (let i = 0; i < n; i++) keyStart[key[i]! + 1]!++;
    for (let b = 1; b <= 256; b++) keyStart[b]! += keyStart[b - 1]!;
    const byKey = new Int32Array(n);
    for (let i = 0; i < n; i++) byKey[keyStart[key[i]!]!++] = i;
    const start = new Int32Array(words + 1);
    for (let i = 0; i < n; i++) start[tok[i]! + 1]!++;
    for (let t = 0; t < words; t++) start[t + 1]! += start[t]!;
    const next = start.slice(0, words);
    const post = new Int32Array(n);
    const postKey = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const i = byKey[r]!;
      const p = next[tok[i]!]!++;
      post[p] = acc[i]!;
      postKey[p] = key[i]!;
    }
    this.postStart = start;
    this.post = post;
    this.postKey = postKey;
    this.csrWords = words;
    this.ovHead = new Int32Array(0);
    this.ovCount = new Int32Array(0);
    this.ovNext = new Int32Array(0);
    this.ovAcc = new Int32Array(0);
    this.ovSize = 0;
  }

  /** (Re)builds every structure from `source`; a later duplicate of an id replaces the earlier. */
  private build(source: Iterable<MatchableAccount>, expected = 0): void {
    const hint = Array.isArray(source) ? source.length : Math.max(0, Math.floor(expected));
    this.builds++;
    this.dict = new TokenDictionary();
    this.spellings = new TokenDictionary(false);
    this.strings = new AccountStrings(hint);
    this.alive = new Uint8Array(hint);
    this.nameRank = new Int32Array(0);
    this.minCompact = new Uint8Array(hint);
    this.labelPrint = new Int32Array(hint);
    this.accCount = 0;
    this.liveCount = 0;
    this.deadCount = 0;
    this.fwdStart = new Int32Array(hint);
    this.fwd = new Uint8Array(hint * 14);
    this.fwdLen = 0;
    this.seenBits = new Int32Array(0);
    this.seenCount = 0;

    this.dict.beginBulk();
    this.spellings.beginBulk();
    const postings = new IntRows(3, hint * 4);
    const keys = new IntRows(2, hint * 3);
    let idKeys = new Int32Array(Math.max(16, hint));
    for (const account of source) {
      const fields = this.fieldIds(account);
      const a = this.storeAccount(account, fields);
      idKeys = growInt32(idKeys, a + 1);
      idKeys[a] = stringKey(account.id, KEY_ID);
      this.postingsOf(fields, (t, key) => postings.push(t, a, key));
      for (const key of this.accountKeys(account.domains, fields)) keys.push(key, a);
    }
    this.dict.endBulk();
    this.spellings.endBulk();
    this.strings.trim(this.accCount);
    this.nameRank = this.strings.ranks(this.accCount);

    // Ids first, so that a later duplicate replaces an earlier one before names are indexed.
    const table = KeyMultiMap.sizedFor(this.accCount + keys.len);
    const hits: number[] = [];
    for (let a = 0; a < this.accCount; a++) {
      const key = idKeys[a]! >>> 0;
      hits.length = 0;
      table.collect(key, hits);
      for (const b of hits) {
        if (!this.alive[b] || !this.strings.sameId(a, b)) continue;
        table.remove(key, b);
        this.alive[b] = 0;
        this.liveCount--;
        this.deadCount++;
      }
      table.add(key, a);
    }
    const [keyCol, accCol] = keys.cols as [I32, I32];
    for (let i = 0; i < keys.len; i++) if (this.alive[accCol[i]!]) table.add(keyCol[i]! >>> 0, accCol[i]!);
    this.accountTable = table;

    if (this.deadCount > 0) {
      const [pt, pa, pk] = postings.cols as [I32, I32, I32];
      let w = 0;
      for (let i = 0; i < postings.len; i++) {
        if (!this.alive[pa[i]!]) continue;
        pt[w] = pt[i]!;
        pa[w] = pa[i]!;
        pk[w] = pk[i]!;
        w++;
      }
      postings.len = w;
    }
    this.buildPostings(postings);
    this.fwd = this.fwd.slice(0, this.fwdLen);
  }
}
