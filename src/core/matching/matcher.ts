/**
 * In-memory fuzzy account lookup for `/who-owns <text>`: by normalised name or alias (exact,
 * prefix, word, small typos) and by web domain.
 *
 * Built for a million accounts: every structure is a typed array or a flat pool, nothing is
 * scanned per account, and each query touches a bounded number of postings.
 *
 * - token dictionary: distinct normalised words in one UTF-16 pool (`tokChars`/`tokStart`);
 *   a lexicographically sorted id array (plus a small sorted list of words added since)
 *   serves prefix search by binary search.
 * - `tokenTable`: hashed multimap from a word and from each of its one-character deletions to
 *   the word (SymSpell). Exact word lookup and typo search (Damerau-Levenshtein / OSA distance
 *   1, and 2 by probing the query's edits) both probe it; candidates are verified on the pool.
 * - postings: word → accounts having it in their name or an alias, in one CSR array sorted
 *   shortest name first, plus a linked overflow for accounts added later.
 * - forward records (`fwd`): per account the word ids of its name and aliases (varints), used
 *   to score a candidate without touching strings.
 * - `accountTable`: hashed multimap from account id, from the space-free normalised name or
 *   alias, and from each normalised domain to the account.
 * Hashed tables keep a 16-bit fingerprint and the value only; every hit is verified.
 */
import { looksLikeDomain, nameTokens, normalizeDomain } from './normalize.js';

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
  /** The account's own name, alias or domain (as given to the matcher) that matched. */
  matchedText: string;
  /** The query names this account unambiguously: equal normalised name/alias, or equal domain. */
  exact: boolean;
}

/**
 * Score bands, best first. Within a band the score grows with how much of the name the
 * query covers, so "acme" ranks "Acme Robotics" above "Acme Analytics GmbH".
 */
const SCORE_EXACT = 1;
const SCORE_COMPACT = 0.97; // equal once spaces are ignored: "north wind" = "Northwind"
const SCORE_DOMAIN = 0.95;
const SCORE_PARENT_DOMAIN = 0.93; // "eu.acme.com" finds acme.com
const BAND_FULL_PREFIX = 0.8; // the query starts the name: "acm", "acme an"
const BAND_WORD = 0.6; // every query word is a word of the name or starts one
const BAND_TYPO = 0.4; // every query word matches, some within the typo distance
const BAND_PARTIAL = 0.2; // some query words match
const BAND_WIDTH = 0.199;
const FULL_PREFIX_WIDTH = 0.099;

const MAX_LIMIT = 50;
const MAX_QUERY_TOKENS = 8;
const MAX_FIELD_TOKENS = 16;
const MAX_ALIASES = 31;
/** Words shorter than this have no deletion entries (typos need 4+ chars, 3 for suggestions). */
const MIN_DELETE_LEN = 3;
/** Longer words are matched exactly or by prefix only. */
const MAX_TYPO_LEN = 20;
const MAX_PREFIX_EXPANSIONS = 48;
const PREFIX_SCAN_LIMIT = 4096;
const MAX_TYPO_EXPANSIONS = 64;
/** Postings visited per query: bounds the work for very common words ("group", "global"). */
const POSTING_BUDGET = 12_000;
const TARGET_LOAD = 0.7;
const MAX_LOAD = 0.85;
const RECENT_TOKENS_MAX = 4096;
const MIN_OVERFLOW_REBUILD = 16_384;
const MIN_DEAD_REBUILD = 1024;

const KIND_EXACT = 0;
const KIND_PREFIX = 1;
const KIND_TYPO = 2;

const KEY_TOKEN = 0x1b873593;
const KEY_NAME = 0x2545f491;
const KEY_DOMAIN = 0x3c6ef372;
const KEY_ID = 0x5be0cd19;

// ---------------------------------------------------------------------------------------------
// Hashing: a polynomial hash over UTF-16 code units, so that the hash of a string with one
// character deleted, inserted or replaced is computed in O(1) from prefix/suffix hashes.

const HASH_BASE = 0x2f0b3d1b;
const POW = new Int32Array(MAX_TYPO_LEN + 8);
POW[0] = 1;
for (let i = 1; i < POW.length; i++) POW[i] = Math.imul(POW[i - 1]!, HASH_BASE);

/** a-z and 0-9: the characters tried for substitutions and insertions. */
const ALPHABET = Int32Array.from('abcdefghijklmnopqrstuvwxyz0123456789', (c) => c.charCodeAt(0));

function rawHashString(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(i)) | 0;
  return h;
}

/** Final 32-bit key of a raw hash: mixes in the length and the kind of key (murmur3 fmix32). */
function keyOf(raw: number, len: number, kind: number): number {
  let h = ((raw + Math.imul(len, 0x9e3779b1)) | 0) ^ kind;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fills P (prefix hashes, P[i] = hash of buf[0..i)) and S (S[i] = weighted hash of buf[i..m)). */
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

const EMPTY = -1;
const TOMBSTONE = -2;

/**
 * Open-addressing multimap from a 32-bit key to non-negative int32 values. Stores a 16-bit
 * fingerprint and the value per slot (6 bytes), so a lookup can return values of a colliding
 * key: callers verify. It cannot rehash itself (keys are not kept): when `overloaded`, the
 * owner builds a larger table from its source data.
 */
class KeyMultiMap {
  private readonly fp: Uint16Array;
  private readonly vals: Int32Array;
  private used = 0;

  constructor(readonly capacity: number) {
    this.fp = new Uint16Array(capacity);
    this.vals = new Int32Array(capacity).fill(EMPTY);
  }

  static sizedFor(entries: number): KeyMultiMap {
    return new KeyMultiMap(Math.max(64, Math.ceil(entries / TARGET_LOAD)));
  }

  get overloaded(): boolean {
    return this.used > this.capacity * MAX_LOAD;
  }

  get usedSlots(): number {
    return this.used;
  }

  private home(key: number): number {
    const i = Math.floor((key / 4294967296) * this.capacity);
    return i < this.capacity ? i : this.capacity - 1;
  }

  /** Adds (key, val) unless that pair is already present. */
  add(key: number, val: number): void {
    const f = key & 0xffff;
    const cap = this.capacity;
    let i = this.home(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === EMPTY) break;
      if (v === val && this.fp[i] === f) return;
      if (++i === cap) i = 0;
    }
    this.vals[i] = val;
    this.fp[i] = f;
    this.used++;
  }

  /** Appends to `out` the values stored under `key` (and possibly some of colliding keys). */
  collect(key: number, out: number[]): void {
    const f = key & 0xffff;
    const cap = this.capacity;
    let i = this.home(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === EMPTY) return;
      if (v >= 0 && this.fp[i] === f) out.push(v);
      if (++i === cap) i = 0;
    }
  }

  remove(key: number, val: number): void {
    const f = key & 0xffff;
    const cap = this.capacity;
    let i = this.home(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === EMPTY) return;
      if (v === val && this.fp[i] === f) {
        this.vals[i] = TOMBSTONE;
        return;
      }
      if (++i === cap) i = 0;
    }
  }
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

/** A growable list of int32 pairs / triples used while building. */
class IntColumns {
  len = 0;
  cols: I32[];
  constructor(width: number, capacity = 1024) {
    this.cols = Array.from({ length: width }, () => new Int32Array(capacity));
  }
  push3(a: number, b: number, c: number): void {
    this.ensure();
    this.cols[0]![this.len] = a;
    this.cols[1]![this.len] = b;
    this.cols[2]![this.len] = c;
    this.len++;
  }
  push2(a: number, b: number): void {
    this.ensure();
    this.cols[0]![this.len] = a;
    this.cols[1]![this.len] = b;
    this.len++;
  }
  private ensure(): void {
    if (this.len < this.cols[0]!.length) return;
    this.cols = this.cols.map((c) => growInt32(c, this.len + 1));
  }
}

// ---------------------------------------------------------------------------------------------

function isAllDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Allowed typo distance for a word of `len` characters. */
function typoAllowance(len: number, loose: boolean): number {
  if (loose) return len >= 4 ? 2 : len === 3 ? 1 : 0;
  return len >= 8 ? 2 : len >= 4 ? 1 : 0;
}

interface Scored {
  account: number;
  score: number;
  /** >= 0: field index (0 = name, i = alias i-1); <= -2: domain index -(field+2). */
  field: number;
  exact: boolean;
  nameLen: number;
}

/**
 * Fuzzy lookup of accounts by name, alias or domain. Pure and synchronous.
 *
 * Invariants: one entry per account id (upsert replaces); accounts are kept by reference and
 * must not be mutated after `upsert` (call `upsert` again instead); results are deterministic
 * for a given set of accounts: ordered by score, then shorter normalised name, then name, then
 * id.
 */
export class AccountMatcher {
  // Accounts, by internal number (reassigned on compaction).
  private accs: (MatchableAccount | undefined)[] = [];
  private alive = new Uint8Array(0);
  private accCount = 0;
  private liveCount = 0;
  private deadCount = 0;
  private fwdStart = new Int32Array(0);
  private fwd = new Uint8Array(0);
  private fwdLen = 0;

  // Token dictionary.
  private tokChars = new Uint16Array(0);
  private tokStart = new Int32Array(1);
  private tokCount = 0;
  private sortedToks = new Int32Array(0);
  private recentToks: number[] = [];
  private tokenTable = KeyMultiMap.sizedFor(0);

  // Postings: CSR for tokens [0, csrTokCount), plus overflow lists.
  private postStart = new Int32Array(1);
  private post = new Int32Array(0);
  private csrTokCount = 0;
  private postCount = new Int32Array(0);
  private ovHead = new Int32Array(0);
  private ovNext = new Int32Array(0);
  private ovAcc = new Int32Array(0);
  private ovSize = 0;

  private accountTable = KeyMultiMap.sizedFor(0);

  // Per-query scratch.
  private stamp = 0;
  private seen = new Int32Array(0);
  private markStamp = new Int32Array(0);
  private markHead = new Int32Array(0);
  private tokStamp = 0;
  private tokSeen = new Int32Array(0);
  private exTok = new Int32Array(1024);
  private exQ = new Int32Array(1024);
  private exKind = new Uint8Array(1024);
  private exDist = new Uint8Array(1024);
  private exNext = new Int32Array(1024);
  private exCount = 0;
  private k = 0;
  private qCodes = new Int32Array(256);
  private qStart = new Int32Array(MAX_QUERY_TOKENS + 1);
  private qTrunc = new Uint8Array(MAX_QUERY_TOKENS);
  private anyTrunc = false;
  private qExStart = new Int32Array(MAX_QUERY_TOKENS);
  private qExEnd = new Int32Array(MAX_QUERY_TOKENS);
  private loose = false;
  /** Rarity weight of each query word (idf of its expansions) and their sum. */
  private readonly qWeight = new Float64Array(MAX_QUERY_TOKENS);
  private qWeightSum = 0;
  /** Name matches below this are dropped (a domain query keeps only names matching every word). */
  private minNameScore = 0;
  private hits: number[] = [];
  private top: Scored[] = [];
  private limit = 5;
  private readonly ft = new Int32Array(MAX_FIELD_TOKENS);
  private readonly pairQ = new Int32Array(512);
  private readonly pairJ = new Int32Array(512);
  private readonly pairKind = new Uint8Array(512);
  private readonly pairQual = new Float64Array(512);
  private readonly pairDist = new Uint8Array(512);
  private readonly assigned = new Int32Array(MAX_QUERY_TOKENS);
  private readonly assignedPair = new Int32Array(MAX_QUERY_TOKENS);
  // Typo search scratch.
  private readonly tQ = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly tBase = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly qP = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly qS = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly bP = new Int32Array(MAX_TYPO_LEN + 4);
  private readonly bS = new Int32Array(MAX_TYPO_LEN + 4);
  private dp0 = new Int32Array(MAX_TYPO_LEN + 8);
  private dp1 = new Int32Array(MAX_TYPO_LEN + 8);
  private dp2 = new Int32Array(MAX_TYPO_LEN + 8);
  private typoN = 0;
  private typoMax = 0;
  private readonly typo1: number[] = [];
  private readonly typo2: number[] = [];

  constructor(accounts: Iterable<MatchableAccount> = []) {
    this.build(accounts);
  }

  /** Number of accounts held. */
  get size(): number {
    return this.liveCount;
  }

  /** Adds an account, or replaces the one with the same id. */
  upsert(account: MatchableAccount): void {
    const existing = this.findById(account.id);
    if (existing >= 0) this.kill(existing);
    this.appendAccount(account);
    this.maintain();
  }

  /** Removes the account with this id; unknown ids are ignored. */
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
    return this.run(query, limit, false);
  }

  /**
   * For a query with no match: a few accounts whose names are nearest, with a looser threshold
   * (typo distance 2 from 4 characters, any single matching word), for "did you mean".
   */
  suggest(query: string, limit = 3): AccountMatch[] {
    return this.run(query, limit, true);
  }

  // -------------------------------------------------------------------------------------------
  // Query

  private run(query: string, limit: number, loose: boolean): AccountMatch[] {
    this.limit = Math.min(MAX_LIMIT, Math.max(0, Math.floor(limit)));
    if (this.limit === 0 || this.liveCount === 0 || typeof query !== 'string') return [];
    this.newStamp();
    this.loose = loose;
    this.top = [];
    this.k = 0;
    this.exCount = 0;
    this.minNameScore = 0;

    let nameText = query;
    if (looksLikeDomain(query)) {
      const domain = normalizeDomain(query);
      this.searchDomain(domain);
      const bare = !/[/@:]/.test(query);
      nameText = bare ? query : domain.replaceAll('.', ' ');
      this.minNameScore = BAND_TYPO;
    }
    const tokens = nameTokens(nameText).slice(0, MAX_QUERY_TOKENS);
    if (tokens.length > 0) {
      this.prepareQuery(tokens);
      this.searchCompact();
      this.searchPostings();
    }
    return this.top.map((s) => this.toMatch(s));
  }

  private newStamp(): void {
    if (this.stamp >= 0x7ffffff0) {
      this.stamp = 0;
      this.seen.fill(0);
      this.markStamp.fill(0);
    }
    this.stamp++;
    if (this.seen.length < this.accCount) this.seen = growInt32(this.seen, this.accCount);
    if (this.markStamp.length < this.tokCount) {
      this.markStamp = growInt32(this.markStamp, this.tokCount);
      this.markHead = growInt32(this.markHead, this.tokCount);
      this.tokSeen = growInt32(this.tokSeen, this.tokCount);
    }
  }

  private searchDomain(domain: string): void {
    const labels = domain.split('.');
    for (let i = 0; i + 2 <= labels.length; i++) {
      const suffix = i === 0 ? domain : labels.slice(i).join('.');
      this.hits.length = 0;
      this.accountTable.collect(keyOf(rawHashString(suffix), suffix.length, KEY_DOMAIN), this.hits);
      for (const a of this.hits) {
        const acc = this.accs[a];
        if (!this.alive[a] || acc === undefined) continue;
        const idx = acc.domains.findIndex((d) => normalizeDomain(d) === suffix);
        if (idx < 0) continue;
        this.scoreAccount(a, i === 0 ? SCORE_DOMAIN : SCORE_PARENT_DOMAIN, idx, i === 0);
      }
    }
  }

  private prepareQuery(tokens: string[]): void {
    const k = tokens.length;
    this.k = k;
    let total = 0;
    for (const t of tokens) total += t.length;
    if (this.qCodes.length < total) this.qCodes = new Int32Array(total);
    let pos = 0;
    for (let i = 0; i < k; i++) {
      const t = tokens[i]!;
      this.qStart[i] = pos;
      for (let c = 0; c < t.length; c++) this.qCodes[pos++] = t.charCodeAt(c);
    }
    this.qStart[k] = pos;
    this.anyTrunc = false;
    for (let i = 0; i < k; i++) this.expandQueryToken(i, tokens[i]!);
    this.qWeightSum = 0;
    for (let i = 0; i < k; i++) {
      const w = Math.log(1 + this.liveCount / (1 + this.queryTokenVolume(i)));
      this.qWeight[i] = w;
      this.qWeightSum += w;
    }
  }

  /** Postings behind the expansions of query word qi (an upper bound on accounts having it). */
  private queryTokenVolume(qi: number): number {
    let v = 0;
    for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]!; e++) v += this.postCount[this.exTok[e]!]!;
    return v;
  }

  /** Finds the dictionary words a query word may stand for: itself, words it starts, typos. */
  private expandQueryToken(qi: number, text: string): void {
    this.tokStamp = this.tokStamp >= 0x7ffffff0 ? (this.tokSeen.fill(0), 1) : this.tokStamp + 1;
    this.qTrunc[qi] = 0;
    this.qExStart[qi] = this.exCount;
    const n = text.length;
    const exact = this.findToken(text);
    if (exact >= 0) {
      this.tokSeen[exact] = this.tokStamp;
      this.addExpansion(qi, exact, KIND_EXACT, 0);
    }
    this.expandPrefix(qi);
    const maxD = typoAllowance(n, this.loose);
    if (maxD > 0 && n <= MAX_TYPO_LEN && !isAllDigits(text)) {
      for (let i = 0; i < n; i++) this.tQ[i] = text.charCodeAt(i);
      this.typoN = n;
      this.typoMax = maxD;
      this.typo1.length = 0;
      this.typo2.length = 0;
      this.probeTypos(n, maxD >= 2 && (this.loose || exact < 0));
      let added = 0;
      for (const list of [this.typo1, this.typo2]) {
        for (const t of list) {
          if (added++ >= MAX_TYPO_EXPANSIONS) break;
          this.addExpansion(qi, t, KIND_TYPO, list === this.typo1 ? 1 : 2);
        }
      }
    }
    this.qExEnd[qi] = this.exCount;
  }

  private addExpansion(qi: number, t: number, kind: number, dist: number): void {
    const e = this.exCount++;
    if (e >= this.exTok.length) {
      this.exTok = growInt32(this.exTok, e + 1);
      this.exQ = growInt32(this.exQ, e + 1);
      this.exKind = growUint8(this.exKind, e + 1);
      this.exDist = growUint8(this.exDist, e + 1);
      this.exNext = growInt32(this.exNext, e + 1);
    }
    this.exTok[e] = t;
    this.exQ[e] = qi;
    this.exKind[e] = kind;
    this.exDist[e] = dist;
    if (this.markStamp[t] !== this.stamp) {
      this.markStamp[t] = this.stamp;
      this.markHead[t] = -1;
    }
    this.exNext[e] = this.markHead[t]!;
    this.markHead[t] = e;
  }

  /** Adds the shortest dictionary words that start with query word `qi` (not the word itself). */
  private expandPrefix(qi: number): void {
    const start = this.qStart[qi]!;
    const n = this.qStart[qi + 1]! - start;
    const found: number[] = [];
    let truncated = this.collectPrefixed(this.sortedToks, this.sortedToks.length, start, n, found);
    if (this.recentToks.length > 0) {
      truncated = this.collectPrefixed(this.recentToks, this.recentToks.length, start, n, found) || truncated;
    }
    let picked = found;
    if (found.length > MAX_PREFIX_EXPANSIONS) {
      truncated = true;
      // Keep the shortest: bucket by length, stable in dictionary order.
      const byLen: number[][] = [];
      for (const t of found) {
        const l = this.tokLen(t) - n;
        (byLen[l] ??= []).push(t);
      }
      picked = [];
      for (const bucket of byLen) {
        if (bucket === undefined) continue;
        for (const t of bucket) {
          if (picked.length >= MAX_PREFIX_EXPANSIONS) break;
          picked.push(t);
        }
      }
    } else {
      picked.sort((x, y) => this.tokLen(x) - this.tokLen(y));
    }
    for (const t of picked) {
      if (this.tokSeen[t] === this.tokStamp) continue;
      this.tokSeen[t] = this.tokStamp;
      this.addExpansion(qi, t, KIND_PREFIX, 0);
    }
    if (truncated) {
      this.qTrunc[qi] = 1;
      this.anyTrunc = true;
    }
  }

  /** Pushes words of sorted list `arr` that start with query codes [start, start+n); true if cut short. */
  private collectPrefixed(arr: ArrayLike<number>, len: number, start: number, n: number, out: number[]): boolean {
    let lo = 0;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareTokToQuery(arr[mid]!, start, n) < 0) lo = mid + 1;
      else hi = mid;
    }
    let scanned = 0;
    for (let i = lo; i < len; i++) {
      const t = arr[i]!;
      if (!this.tokStartsWith(t, start, n)) return false;
      if (++scanned > PREFIX_SCAN_LIMIT) return true;
      if (this.tokLen(t) > n) out.push(t);
    }
    return false;
  }

  /** Probes the token table with the query word's edits; verified hits go to typo1 / typo2. */
  private probeTypos(n: number, twoEdits: boolean): void {
    const Q = this.tQ;
    const P = this.qP;
    const S = this.qS;
    fillAffixHashes(Q, n, P, S);
    const full = P[n]!;
    this.probe(full, n);
    for (let i = 0; i < n; i++) this.probe(deletedHash(P, S, n, i), n - 1);
    if (!twoEdits) return;
    // Two edits against words that are indexed with their one-character deletions:
    // insertion (+ another), substitution (+ insertion), deletion + deletion/substitution,
    // transposition + anything.
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
    const D = this.tBase;
    const DP = this.bP;
    const DS = this.bS;
    const m = n - 1;
    for (let j = 0; j < n; j++) {
      for (let x = 0, y = 0; x < n; x++) if (x !== j) D[y++] = Q[x]!;
      fillAffixHashes(D, m, DP, DS);
      const dFull = DP[m]!;
      for (let i = 0; i < j; i++) {
        this.probe(deletedHash(DP, DS, m, i), m - 1);
        const from = D[i]!;
        for (let a = 0; a < ALPHABET.length; a++) {
          const c = ALPHABET[a]!;
          if (c !== from) this.probe(substitutedHash(dFull, m, i, from, c), m);
        }
      }
    }
    for (let i = 0; i + 1 < n; i++) {
      if (Q[i] === Q[i + 1]) continue;
      D.set(Q.subarray(0, n));
      D[i] = Q[i + 1]!;
      D[i + 1] = Q[i]!;
      fillAffixHashes(D, n, DP, DS);
      this.probe(DP[n]!, n);
      for (let j = 0; j < n; j++) this.probe(deletedHash(DP, DS, n, j), n - 1);
    }
  }

  private probe(raw: number, len: number): void {
    if (len <= 0) return;
    const hits = this.hits;
    hits.length = 0;
    this.tokenTable.collect(keyOf(raw, len, KEY_TOKEN), hits);
    for (let h = 0; h < hits.length; h++) {
      const t = hits[h]!;
      if (this.tokSeen[t] === this.tokStamp) continue;
      this.tokSeen[t] = this.tokStamp;
      const tl = this.tokLen(t);
      const allowed = Math.min(this.typoMax, typoAllowance(tl, this.loose));
      if (allowed === 0) continue;
      const d = this.osaDistance(t, allowed);
      if (d === 1) this.typo1.push(t);
      else if (d === 2 && d <= allowed) this.typo2.push(t);
    }
  }

  /** Optimal-string-alignment distance between the query word in tQ and word t, capped at max+1. */
  private osaDistance(t: number, max: number): number {
    const a = this.tQ;
    const n = this.typoN;
    const pool = this.tokChars;
    const s = this.tokStart[t]!;
    const m = this.tokStart[t + 1]! - s;
    if (Math.abs(n - m) > max) return max + 1;
    let r0 = this.dp0;
    let r1 = this.dp1;
    let r2 = this.dp2;
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
    this.dp0 = r0;
    this.dp1 = r1;
    this.dp2 = r2;
    return r1[m]!;
  }

  /** Accounts whose name or alias equals the query once spaces are removed. */
  private searchCompact(): void {
    const total = this.qStart[this.k]!;
    let h = 0;
    for (let i = 0; i < total; i++) h = (Math.imul(h, HASH_BASE) + this.qCodes[i]!) | 0;
    const hits: number[] = [];
    this.accountTable.collect(keyOf(h, total, KEY_NAME), hits);
    for (const a of hits) this.scoreAccount(a, 0, -1, false);
  }

  /**
   * Scores accounts from the postings of the query words' expansions, rarest query word
   * first, so that accounts matching every word are found even when other words are common.
   */
  private searchPostings(): void {
    const k = this.k;
    const order: number[] = [];
    const volume: number[] = [];
    for (let qi = 0; qi < k; qi++) {
      volume[qi] = this.queryTokenVolume(qi);
      if (volume[qi]! > 0) order.push(qi);
    }
    order.sort((x, y) => volume[x]! - volume[y]! || x - y);
    let budget = POSTING_BUDGET;
    // Weight of the query words an account not seen yet may still match.
    let remaining = 0;
    for (const qi of order) remaining += this.qWeight[qi]!;
    let first = true;
    for (const qi of order) {
      const canMatchAll = first && order.length === k;
      if (!canMatchAll && !this.partialCanQualify(remaining / this.qWeightSum)) break;
      first = false;
      remaining -= this.qWeight[qi]!;
      for (let e = this.qExStart[qi]!; e < this.qExEnd[qi]! && budget > 0; e++) {
        const t = this.exTok[e]!;
        if (t < this.csrTokCount) {
          const end = this.postStart[t + 1]!;
          for (let p = this.postStart[t]!; p < end && budget > 0; p++, budget--) {
            const a = this.post[p]!;
            if (this.seen[a] !== this.stamp) this.scoreAccount(a, 0, -1, false);
          }
        }
        for (let o = this.ovHead[t]!; o >= 0 && budget > 0; o = this.ovNext[o]!, budget--) {
          const a = this.ovAcc[o]!;
          if (this.seen[a] !== this.stamp) this.scoreAccount(a, 0, -1, false);
        }
      }
      if (budget <= 0) break;
    }
  }

  /** Whether an account matching query words of this weight fraction could still enter the results. */
  private partialCanQualify(fraction: number): boolean {
    if (!this.loose && fraction < 0.5) return false;
    const bound = BAND_PARTIAL + BAND_WIDTH * fraction;
    if (bound < this.minNameScore) return false;
    return this.top.length < this.limit || bound > this.top[this.top.length - 1]!.score;
  }

  /** Scores account `a` once per query (best of its fields and the domain score) and keeps it if in the top. */
  private scoreAccount(a: number, domainScore: number, domainIdx: number, domainExact: boolean): void {
    if (this.seen[a] === this.stamp) return;
    this.seen[a] = this.stamp;
    if (!this.alive[a]) return;
    const fwd = this.fwd;
    const ft = this.ft;
    let pos = this.fwdStart[a]!;
    const nFields = fwd[pos++]!;
    let best = 0;
    let bestField = -1;
    let bestExact = false;
    let nameLen = 0;
    for (let f = 0; f < nFields; f++) {
      const m = fwd[pos++]!;
      for (let j = 0; j < m; j++) {
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
        ft[j] = v;
      }
      if (f === 0) {
        for (let j = 0; j < m; j++) nameLen += this.tokLen(ft[j]!);
        nameLen += m > 0 ? m - 1 : 0;
      }
      if (this.k > 0) {
        let s = this.scoreField(m);
        if (s < this.minNameScore) s = 0;
        if (s > best) {
          best = s;
          bestField = f;
          bestExact = s === SCORE_EXACT;
        }
      }
    }
    if (domainScore > best) {
      best = domainScore;
      bestField = -2 - domainIdx;
      bestExact = domainExact;
    }
    if (best <= 0) return;
    const top = this.top;
    if (top.length >= this.limit && !this.better(a, best, nameLen, top[top.length - 1]!)) return;
    this.offer({ account: a, score: best, field: bestField, exact: bestExact, nameLen });
  }

  /** Score of one name/alias (word ids in `ft[0..m)`) against the prepared query. */
  private scoreField(m: number): number {
    const k = this.k;
    const ft = this.ft;
    let np = 0;
    let compactLen = 0;
    for (let j = 0; j < m; j++) {
      const t = ft[j]!;
      const tl = this.tokLen(t);
      compactLen += tl;
      if (this.markStamp[t] !== this.stamp) continue;
      for (let e = this.markHead[t]!; e >= 0; e = this.exNext[e]!) {
        const qi = this.exQ[e]!;
        const kind = this.exKind[e]!;
        const ql = this.qStart[qi + 1]! - this.qStart[qi]!;
        this.pairQ[np] = qi;
        this.pairJ[np] = j;
        this.pairKind[np] = kind;
        this.pairDist[np] = this.exDist[e]!;
        this.pairQual[np] = kind === KIND_EXACT ? 3 : kind === KIND_PREFIX ? 2 + ql / tl : 1 - 0.25 * this.exDist[e]!;
        if (++np >= this.pairQ.length) break;
      }
    }
    if (this.anyTrunc) np = this.addDirectPrefixPairs(m, np);
    const qCompact = this.qStart[k]!;
    const compactEqual = compactLen === qCompact && this.compactEquals(m);
    if (np === 0) return compactEqual ? SCORE_COMPACT : 0;

    // Greedy assignment of query words to distinct field words, best pair first.
    const assigned = this.assigned;
    assigned.fill(-1, 0, k);
    let usedJ = 0;
    const rounds = Math.min(k, m);
    for (let r = 0; r < rounds; r++) {
      let best = -1;
      let bestQual = -1;
      for (let p = 0; p < np; p++) {
        const qi = this.pairQ[p]!;
        const j = this.pairJ[p]!;
        if (assigned[qi] !== -1 || usedJ & (1 << j)) continue;
        const q = this.pairQual[p]! + (j === qi ? 0.001 : 0);
        if (q > bestQual) {
          bestQual = q;
          best = p;
        }
      }
      if (best < 0) break;
      assigned[this.pairQ[best]!] = this.pairJ[best]!;
      this.assignedPair[this.pairQ[best]!] = best;
      usedJ |= 1 << this.pairJ[best]!;
    }

    let matched = 0;
    let exactCount = 0;
    let typoCount = 0;
    let distSum = 0;
    let inOrderFromStart = true;
    let increasing = true;
    let lastJ = -1;
    let covered = 0;
    let prefixShape = true; // all but the last word exact, the last exact or a prefix
    let matchedWeight = 0;
    for (let qi = 0; qi < k; qi++) {
      const j = assigned[qi]!;
      if (j < 0) {
        inOrderFromStart = false;
        prefixShape = false;
        continue;
      }
      const p = this.assignedPair[qi]!;
      const kind = this.pairKind[p]!;
      matched++;
      matchedWeight += this.qWeight[qi]!;
      if (kind === KIND_EXACT) exactCount++;
      else if (kind === KIND_TYPO) {
        typoCount++;
        distSum += this.pairDist[p]!;
        prefixShape = false;
      } else if (qi < k - 1) prefixShape = false;
      if (j !== qi) inOrderFromStart = false;
      if (j < lastJ) increasing = false;
      lastJ = j;
      covered += this.tokLen(ft[j]!);
    }
    const coverage = compactLen > 0 ? Math.min(1, covered / compactLen) : 0;

    if (matched === k) {
      if (inOrderFromStart && exactCount === k && m === k) return SCORE_EXACT;
      if (compactEqual) return SCORE_COMPACT;
      if (inOrderFromStart && prefixShape) {
        const fieldLen = compactLen + m - 1;
        const queryLen = qCompact + k - 1;
        return BAND_FULL_PREFIX + FULL_PREFIX_WIDTH * Math.min(1, queryLen / fieldLen);
      }
      if (typoCount === 0) {
        return BAND_WORD + BAND_WIDTH * (0.4 * (exactCount / k) + 0.4 * coverage + 0.2 * (increasing ? 1 : 0));
      }
      return BAND_TYPO + BAND_WIDTH * (0.5 / (1 + distSum) + 0.3 * coverage + 0.2 * ((k - typoCount) / k));
    }
    if (compactEqual) return SCORE_COMPACT;
    // Some words match: weigh them by rarity, so that sharing "group" counts for little.
    const fraction = this.qWeightSum > 0 ? matchedWeight / this.qWeightSum : 0;
    if (!this.loose && (fraction < 0.5 || matched - typoCount === 0)) return 0;
    return BAND_PARTIAL + BAND_WIDTH * fraction * (0.6 + 0.4 * coverage);
  }

  /** For query words whose prefix expansion was cut short: test "starts with" directly. */
  private addDirectPrefixPairs(m: number, np: number): number {
    for (let qi = 0; qi < this.k; qi++) {
      if (!this.qTrunc[qi]) continue;
      const start = this.qStart[qi]!;
      const n = this.qStart[qi + 1]! - start;
      for (let j = 0; j < m && np < this.pairQ.length; j++) {
        const t = this.ft[j]!;
        const tl = this.tokLen(t);
        if (tl <= n || !this.tokStartsWith(t, start, n)) continue;
        let dup = false;
        for (let p = 0; p < np; p++) if (this.pairQ[p] === qi && this.pairJ[p] === j) dup = true;
        if (dup) continue;
        this.pairQ[np] = qi;
        this.pairJ[np] = j;
        this.pairKind[np] = KIND_PREFIX;
        this.pairDist[np] = 0;
        this.pairQual[np] = 2 + n / tl;
        np++;
      }
    }
    return np;
  }

  /** True when the field's words, concatenated, equal the query's words concatenated. */
  private compactEquals(m: number): boolean {
    let q = 0;
    for (let j = 0; j < m; j++) {
      const t = this.ft[j]!;
      const end = this.tokStart[t + 1]!;
      for (let c = this.tokStart[t]!; c < end; c++) if (this.tokChars[c] !== this.qCodes[q++]) return false;
    }
    return true;
  }

  private offer(s: Scored): void {
    const top = this.top;
    let i = top.length;
    while (i > 0 && this.better(s.account, s.score, s.nameLen, top[i - 1]!)) i--;
    top.splice(i, 0, s);
    if (top.length > this.limit) top.pop();
  }

  /** Result order: score, then shorter normalised name, then name, then id. */
  private better(a: number, score: number, nameLen: number, y: Scored): boolean {
    if (score !== y.score) return score > y.score;
    if (nameLen !== y.nameLen) return nameLen < y.nameLen;
    const xa = this.accs[a]!;
    const ya = this.accs[y.account]!;
    if (xa.name !== ya.name) return xa.name < ya.name;
    return xa.id < ya.id;
  }

  private toMatch(s: Scored): AccountMatch {
    const acc = this.accs[s.account]!;
    const score = Math.round(s.score * 10000) / 10000;
    if (s.field <= -2) {
      return { accountId: acc.id, score, matchedOn: 'domain', matchedText: acc.domains[-2 - s.field]!, exact: s.exact };
    }
    if (s.field <= 0) return { accountId: acc.id, score, matchedOn: 'name', matchedText: acc.name, exact: s.exact };
    return { accountId: acc.id, score, matchedOn: 'alias', matchedText: acc.aliases[s.field - 1]!, exact: s.exact };
  }

  // -------------------------------------------------------------------------------------------
  // Token dictionary

  private tokLen(t: number): number {
    return this.tokStart[t + 1]! - this.tokStart[t]!;
  }

  private tokStartsWith(t: number, qStart: number, n: number): boolean {
    const s = this.tokStart[t]!;
    if (this.tokStart[t + 1]! - s < n) return false;
    for (let i = 0; i < n; i++) if (this.tokChars[s + i] !== this.qCodes[qStart + i]) return false;
    return true;
  }

  /** Sign of (word t) compared with the query codes [qStart, qStart+n), by UTF-16 code units. */
  private compareTokToQuery(t: number, qStart: number, n: number): number {
    const s = this.tokStart[t]!;
    const m = this.tokStart[t + 1]! - s;
    const l = m < n ? m : n;
    for (let i = 0; i < l; i++) {
      const d = this.tokChars[s + i]! - this.qCodes[qStart + i]!;
      if (d !== 0) return d;
    }
    return m - n;
  }

  private compareToks(x: number, y: number): number {
    const xs = this.tokStart[x]!;
    const xl = this.tokStart[x + 1]! - xs;
    const ys = this.tokStart[y]!;
    const yl = this.tokStart[y + 1]! - ys;
    const l = xl < yl ? xl : yl;
    for (let i = 0; i < l; i++) {
      const d = this.tokChars[xs + i]! - this.tokChars[ys + i]!;
      if (d !== 0) return d;
    }
    return xl - yl;
  }

  private tokEquals(t: number, s: string): boolean {
    const start = this.tokStart[t]!;
    if (this.tokStart[t + 1]! - start !== s.length) return false;
    for (let i = 0; i < s.length; i++) if (this.tokChars[start + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  private findToken(s: string): number {
    const hits = this.hits;
    hits.length = 0;
    this.tokenTable.collect(keyOf(rawHashString(s), s.length, KEY_TOKEN), hits);
    for (const t of hits) if (this.tokEquals(t, s)) return t;
    return -1;
  }

  /** Appends a word to the pool (no index updates). */
  private appendTokenChars(s: string): number {
    const t = this.tokCount++;
    const start = this.tokStart[t]!;
    this.tokChars = growUint16(this.tokChars, start + s.length);
    for (let i = 0; i < s.length; i++) this.tokChars[start + i] = s.charCodeAt(i);
    this.tokStart = growInt32(this.tokStart, t + 2);
    this.tokStart[t + 1] = start + s.length;
    return t;
  }

  /** Adds word t and its one-character deletions to the token table. */
  private indexTokenVariants(table: KeyMultiMap, t: number): void {
    const start = this.tokStart[t]!;
    const n = this.tokStart[t + 1]! - start;
    const buf = this.tBase;
    if (n < MIN_DELETE_LEN || n > MAX_TYPO_LEN) {
      let h = 0;
      for (let i = 0; i < n; i++) h = (Math.imul(h, HASH_BASE) + this.tokChars[start + i]!) | 0;
      table.add(keyOf(h, n, KEY_TOKEN), t);
      return;
    }
    let digits = true;
    for (let i = 0; i < n; i++) {
      const c = this.tokChars[start + i]!;
      buf[i] = c;
      if (c < 48 || c > 57) digits = false;
    }
    fillAffixHashes(buf, n, this.bP, this.bS);
    table.add(keyOf(this.bP[n]!, n, KEY_TOKEN), t);
    if (digits) return;
    for (let i = 0; i < n; i++) {
      if (i > 0 && buf[i] === buf[i - 1]) continue; // same deletion as the previous one
      table.add(keyOf(deletedHash(this.bP, this.bS, n, i), n - 1, KEY_TOKEN), t);
    }
  }

  private tokenTableEntryBound(): number {
    let total = 0;
    for (let t = 0; t < this.tokCount; t++) {
      const n = this.tokLen(t);
      total += n >= MIN_DELETE_LEN && n <= MAX_TYPO_LEN ? n + 1 : 1;
    }
    return total;
  }

  private rebuildTokenTable(headroom: number): void {
    const table = KeyMultiMap.sizedFor(this.tokenTableEntryBound() * headroom);
    for (let t = 0; t < this.tokCount; t++) this.indexTokenVariants(table, t);
    this.tokenTable = table;
  }

  private sortAllTokens(): void {
    const ids = new Int32Array(this.tokCount);
    for (let t = 0; t < ids.length; t++) ids[t] = t;
    ids.sort((x, y) => this.compareToks(x, y));
    this.sortedToks = ids;
    this.recentToks = [];
  }

  private mergeRecentTokens(): void {
    const a = this.sortedToks;
    const b = this.recentToks;
    const out = new Int32Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < b.length) out[o++] = this.compareToks(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
    while (i < a.length) out[o++] = a[i++]!;
    while (j < b.length) out[o++] = b[j++]!;
    this.sortedToks = out;
    this.recentToks = [];
  }

  /** Interns a word after the initial build: pool, token table, sorted list, per-word arrays. */
  private internIncremental(s: string): number {
    const found = this.findToken(s);
    if (found >= 0) return found;
    const t = this.appendTokenChars(s);
    this.postCount = growInt32(this.postCount, t + 1);
    this.ovHead = growInt32(this.ovHead, t + 1, -1);
    this.postCount[t] = 0;
    this.ovHead[t] = -1;
    this.indexTokenVariants(this.tokenTable, t);
    if (this.tokenTable.overloaded) this.rebuildTokenTable(1.5);
    const r = this.recentToks;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareToks(r[mid]!, t) < 0) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, t);
    if (r.length > RECENT_TOKENS_MAX) this.mergeRecentTokens();
    return t;
  }

  // -------------------------------------------------------------------------------------------
  // Accounts

  private findById(id: string): number {
    const hits: number[] = [];
    this.accountTable.collect(keyOf(rawHashString(id), id.length, KEY_ID), hits);
    for (const a of hits) if (this.alive[a] && this.accs[a]!.id === id) return a;
    return -1;
  }

  /** Normalised word lists of the account's name and aliases (a name of only legal words keeps them). */
  private static fieldTokens(account: MatchableAccount): string[][] {
    const fields = [AccountMatcher.tokensOf(account.name)];
    const aliases = account.aliases ?? [];
    for (let i = 0; i < aliases.length && i < MAX_ALIASES; i++) fields.push(AccountMatcher.tokensOf(aliases[i]!));
    return fields;
  }

  private static tokensOf(s: string): string[] {
    if (typeof s !== 'string') return [];
    let t = nameTokens(s);
    if (t.length === 0) t = nameTokens(s, { keepLegalSuffixes: true });
    return t.length > MAX_FIELD_TOKENS ? t.slice(0, MAX_FIELD_TOKENS) : t;
  }

  private static normalizedDomains(account: MatchableAccount): string[] {
    const out: string[] = [];
    for (const d of account.domains ?? []) {
      const n = typeof d === 'string' ? normalizeDomain(d) : '';
      if (n !== '' && !out.includes(n)) out.push(n);
    }
    return out;
  }

  private writeVarint(v: number): void {
    while (v >= 128) {
      this.fwd[this.fwdLen++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.fwd[this.fwdLen++] = v;
  }

  /** Registers account `acc` with its fields as word ids; returns its internal number. */
  private storeAccount(acc: MatchableAccount, fieldIds: number[][]): number {
    const a = this.accCount++;
    this.accs[a] = acc;
    this.alive = growUint8(this.alive, a + 1);
    this.alive[a] = 1;
    this.liveCount++;
    this.fwdStart = growInt32(this.fwdStart, a + 1);
    this.fwdStart[a] = this.fwdLen;
    let bytes = 1;
    for (const ids of fieldIds) bytes += 1 + ids.length * 4;
    this.fwd = growUint8(this.fwd, this.fwdLen + bytes);
    this.fwd[this.fwdLen++] = fieldIds.length;
    for (const ids of fieldIds) {
      this.fwd[this.fwdLen++] = ids.length;
      for (const t of ids) this.writeVarint(t);
    }
    return a;
  }

  /** Field word ids of account a, decoded from its forward record. */
  private fieldsOf(a: number): number[][] {
    let pos = this.fwdStart[a]!;
    const nFields = this.fwd[pos++]!;
    const out: number[][] = [];
    for (let f = 0; f < nFields; f++) {
      const m = this.fwd[pos++]!;
      const ids: number[] = [];
      for (let j = 0; j < m; j++) {
        let v = 0;
        let shift = 0;
        let b: number;
        do {
          b = this.fwd[pos++]!;
          v |= (b & 127) << shift;
          shift += 7;
        } while (b >= 128);
        ids.push(v);
      }
      out.push(ids);
    }
    return out;
  }

  /** Distinct words of an account with the shortest normalised length of a field holding each. */
  private accountPostings(fieldIds: number[][], out: (t: number, len: number) => void): void {
    const toks: number[] = [];
    const lens: number[] = [];
    for (const ids of fieldIds) {
      let len = ids.length > 0 ? ids.length - 1 : 0;
      for (const t of ids) len += this.tokLen(t);
      for (const t of ids) {
        const i = toks.indexOf(t);
        if (i < 0) {
          toks.push(t);
          lens.push(len);
        } else if (len < lens[i]!) lens[i] = len;
      }
    }
    for (let i = 0; i < toks.length; i++) out(toks[i]!, Math.min(255, lens[i]!));
  }

  private nameKey(ids: readonly number[]): number {
    let h = 0;
    let len = 0;
    for (const t of ids) {
      const end = this.tokStart[t + 1]!;
      for (let c = this.tokStart[t]!; c < end; c++) h = (Math.imul(h, HASH_BASE) + this.tokChars[c]!) | 0;
      len += this.tokLen(t);
    }
    return keyOf(h, len, KEY_NAME);
  }

  /** Account-table keys of account a other than its id: compact names/aliases and domains. */
  private accountKeys(a: number, fieldIds: number[][]): number[] {
    const keys: number[] = [];
    for (const ids of fieldIds) {
      if (ids.length === 0) continue;
      const key = this.nameKey(ids);
      if (!keys.includes(key)) keys.push(key);
    }
    for (const d of AccountMatcher.normalizedDomains(this.accs[a]!)) {
      const key = keyOf(rawHashString(d), d.length, KEY_DOMAIN);
      if (!keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  private idKey(id: string): number {
    return keyOf(rawHashString(id), id.length, KEY_ID);
  }

  private kill(a: number): void {
    const acc = this.accs[a]!;
    for (const key of this.accountKeys(a, this.fieldsOf(a))) this.accountTable.remove(key, a);
    this.accountTable.remove(this.idKey(acc.id), a);
    this.alive[a] = 0;
    this.accs[a] = undefined;
    this.liveCount--;
    this.deadCount++;
  }

  /** Indexes one account after the initial build (postings go to the overflow lists). */
  private appendAccount(acc: MatchableAccount): void {
    const fieldIds = AccountMatcher.fieldTokens(acc).map((toks) => toks.map((s) => this.internIncremental(s)));
    const a = this.storeAccount(acc, fieldIds);
    this.accountPostings(fieldIds, (t) => {
      const o = this.ovSize++;
      if (o >= this.ovAcc.length) {
        this.ovAcc = growInt32(this.ovAcc, o + 1);
        this.ovNext = growInt32(this.ovNext, o + 1);
      }
      this.ovAcc[o] = a;
      this.ovNext[o] = this.ovHead[t]!;
      this.ovHead[t] = o;
      this.postCount[t]!++;
    });
    this.accountTable.add(this.idKey(acc.id), a);
    for (const key of this.accountKeys(a, fieldIds)) this.accountTable.add(key, a);
    if (this.accountTable.overloaded) this.rebuildAccountTable();
  }

  private rebuildAccountTable(): void {
    const keys = new IntColumns(2);
    for (let a = 0; a < this.accCount; a++) {
      if (!this.alive[a]) continue;
      keys.push2(this.idKey(this.accs[a]!.id), a);
      for (const key of this.accountKeys(a, this.fieldsOf(a))) keys.push2(key, a);
    }
    const table = KeyMultiMap.sizedFor(keys.len * 1.5);
    const [k, v] = keys.cols as [Int32Array, Int32Array];
    for (let i = 0; i < keys.len; i++) table.add(k[i]! >>> 0, v[i]!);
    this.accountTable = table;
  }

  /** Keeps incremental structures small: compaction after many removals, postings merge, word order. */
  private maintain(): void {
    if (this.deadCount >= Math.max(MIN_DEAD_REBUILD, this.liveCount / 4)) {
      const live: MatchableAccount[] = [];
      for (let a = 0; a < this.accCount; a++) if (this.alive[a]) live.push(this.accs[a]!);
      this.build(live);
      return;
    }
    if (this.ovSize >= Math.max(MIN_OVERFLOW_REBUILD, this.post.length / 2)) this.rebuildPostings();
  }

  private rebuildPostings(): void {
    const pairs = new IntColumns(3, 1 << 16);
    for (let a = 0; a < this.accCount; a++) {
      if (!this.alive[a]) continue;
      this.accountPostings(this.fieldsOf(a), (t, len) => pairs.push3(t, a, len));
    }
    this.buildCsr(pairs);
    if (this.recentToks.length > 0) this.mergeRecentTokens();
  }

  /** CSR postings from (word, account, field length) triples: per word, shortest fields first. */
  private buildCsr(pairs: IntColumns): void {
    const [tok, acc, len] = pairs.cols as [Int32Array, Int32Array, Int32Array];
    const n = pairs.len;
    const T = this.tokCount;
    // Stable counting sort by length, then by word.
    const lenCount = new Int32Array(257);
    for (let i = 0; i < n; i++) lenCount[len[i]! + 1]!++;
    for (let l = 1; l <= 256; l++) lenCount[l]! += lenCount[l - 1]!;
    const byLen = new Int32Array(n);
    for (let i = 0; i < n; i++) byLen[lenCount[len[i]!]!++] = i;
    const start = new Int32Array(T + 1);
    for (let i = 0; i < n; i++) start[tok[i]! + 1]!++;
    for (let t = 0; t < T; t++) start[t + 1]! += start[t]!;
    const fill = start.slice(0, T);
    const post = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      const i = byLen[r]!;
      post[fill[tok[i]!]!++] = acc[i]!;
    }
    this.postStart = start;
    this.post = post;
    this.csrTokCount = T;
    this.postCount = new Int32Array(T);
    for (let t = 0; t < T; t++) this.postCount[t] = start[t + 1]! - start[t]!;
    this.ovHead = new Int32Array(T).fill(-1);
    this.ovNext = new Int32Array(0);
    this.ovAcc = new Int32Array(0);
    this.ovSize = 0;
  }

  /** (Re)builds every structure from scratch; later duplicates of an id replace earlier ones. */
  private build(source: Iterable<MatchableAccount>): void {
    const hint = Array.isArray(source) ? source.length : 0;
    this.accs = hint > 0 ? new Array<MatchableAccount | undefined>(hint) : [];
    this.alive = new Uint8Array(hint);
    this.accCount = 0;
    this.liveCount = 0;
    this.deadCount = 0;
    this.fwdStart = new Int32Array(hint);
    this.fwd = new Uint8Array(hint * 12);
    this.fwdLen = 0;
    this.tokChars = new Uint16Array(0);
    this.tokStart = new Int32Array(1);
    this.tokCount = 0;
    this.stamp = 0;
    this.seen = new Int32Array(0);
    this.markStamp = new Int32Array(0);
    this.markHead = new Int32Array(0);
    this.tokSeen = new Int32Array(0);
    this.tokStamp = 0;

    const interned = new Map<string, number>();
    const intern = (s: string): number => {
      let t = interned.get(s);
      if (t === undefined) {
        t = this.appendTokenChars(s);
        interned.set(s, t);
      }
      return t;
    };
    const pairs = new IntColumns(3, Math.max(1024, hint * 4));
    const keys = new IntColumns(2, Math.max(1024, hint * 3));
    for (const acc of source) {
      const fieldIds = AccountMatcher.fieldTokens(acc).map((toks) => toks.map(intern));
      const a = this.storeAccount(acc, fieldIds);
      this.accountPostings(fieldIds, (t, len) => pairs.push3(t, a, len));
      for (const key of this.accountKeys(a, fieldIds)) keys.push2(key, a);
    }
    interned.clear();

    // Ids first, so that a later duplicate replaces an earlier one before names are indexed.
    const table = KeyMultiMap.sizedFor(this.accCount + keys.len);
    const hits: number[] = [];
    for (let a = 0; a < this.accCount; a++) {
      const id = this.accs[a]!.id;
      const key = this.idKey(id);
      hits.length = 0;
      table.collect(key, hits);
      for (const b of hits) {
        if (this.alive[b] && this.accs[b]!.id === id) {
          table.remove(key, b);
          this.alive[b] = 0;
          this.accs[b] = undefined;
          this.liveCount--;
          this.deadCount++;
        }
      }
      table.add(key, a);
    }
    const [k, v] = keys.cols as [Int32Array, Int32Array];
    for (let i = 0; i < keys.len; i++) if (this.alive[v[i]!]) table.add(k[i]! >>> 0, v[i]!);
    this.accountTable = table;

    if (this.deadCount > 0) {
      // Drop the postings of replaced duplicates.
      const [pt, pa, pl] = pairs.cols as [Int32Array, Int32Array, Int32Array];
      let w = 0;
      for (let i = 0; i < pairs.len; i++) {
        if (!this.alive[pa[i]!]) continue;
        pt[w] = pt[i]!;
        pa[w] = pa[i]!;
        pl[w] = pl[i]!;
        w++;
      }
      pairs.len = w;
    }
    this.buildCsr(pairs);

    // Trim build-time slack.
    this.fwd = this.fwd.slice(0, this.fwdLen);
    this.tokChars = this.tokChars.slice(0, this.tokStart[this.tokCount]!);
    this.tokStart = this.tokStart.slice(0, this.tokCount + 1);
    this.rebuildTokenTable(1);
    this.sortAllTokens();
  }
}
