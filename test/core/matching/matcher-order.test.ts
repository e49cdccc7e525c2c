import { describe, expect, it } from 'vitest';
import { AccountMatcher, MATCHER_SNAPSHOT_FORMAT, type MatchableAccount } from '../../../src/core/matching/matcher.js';
import { prng } from '../../support/prng.js';

// Few words, so that many accounts share them and many results tie on score and name length;
// names that differ only past their first bytes, in accents, in characters beyond the BMP and in
// lone surrogates, whose order as JS compares strings is not the order of their code points.
const WORDS = ['Nord', 'Nordic', 'Norden', 'Öster', 'Oster', 'Zürich', 'Zurich', 'Data', 'Dato', 'Group', 'Grupo', 'Labs', 'Lab', 'Media', 'Médias', 'Alpha', 'Alpine', '\u{1F600}Co', '\uFF21ble', 'Ab\ud800le'];

function generate(count: number, seed: number): MatchableAccount[] {
  const random = prng(seed);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const n = 2 + Math.floor(random() * 2);
    const name = Array.from({ length: n }, pick).join(' ');
    const aliases = random() < 0.3 ? [`${pick()} ${pick()}`] : [];
    // Ids out of order, some sharing a prefix, so that ties of equal names fall to the id.
    return { id: `a-${String((i * 7919) % count).padStart(5, '0')}${random() < 0.2 ? 'x' : ''}`, name, aliases, domains: [] };
  });
}

const QUERIES = ['nord', 'nord data', 'nordic group', 'data group', 'oster labs', 'zurich', 'zürich media', 'group', 'lab', 'alp', 'norde', 'data nord labs', 'medias', 'able', 'grupo data', 'nrod dta'];

describe('AccountMatcher result order', () => {
  const accounts = generate(3000, 42);
  const bulk = new AccountMatcher(accounts);

  it('gives the same results built at once, added one by one, and read back from a snapshot', () => {
    // One by one: no account has a place in the name order, ties are settled by reading names.
    const oneByOne = new AccountMatcher();
    for (const a of accounts) oneByOne.upsert(a);
    const restored = AccountMatcher.fromSnapshot(bulk.snapshot());
    // Half built at once, half added since: both ways of settling ties, compared with each other.
    const mixed = new AccountMatcher(accounts.slice(0, 1500));
    for (const a of accounts.slice(1500)) mixed.upsert(a);
    for (const q of QUERIES) {
      for (const limit of [1, 5, 20]) {
        const expected = bulk.search(q, limit);
        expect(oneByOne.search(q, limit)).toEqual(expected);
        expect(restored.search(q, limit)).toEqual(expected);
        expect(mixed.search(q, limit)).toEqual(expected);
      }
      expect(oneByOne.suggest(q)).toEqual(bulk.suggest(q));
    }
  });

  it('finds names written with ö and ü in their written-out spelling alike, built at once, one by one, mixed and from a snapshot', () => {
    const all = [...accounts, { id: 'zz', name: 'Zürich Öster Labs Media', aliases: ['Alpine Öster Zürich Nord'], domains: [] }];
    const built = new AccountMatcher(all);
    const oneByOne = new AccountMatcher();
    for (const a of all) oneByOne.upsert(a);
    const restored = AccountMatcher.fromSnapshot(built.snapshot());
    const mixed = new AccountMatcher(all.slice(0, 1500));
    for (const a of all.slice(1500)) mixed.upsert(a);
    for (const m of [built, oneByOne, restored, mixed]) {
      expect(m.search('zuerich oester labs media')[0]).toMatchObject({ accountId: 'zz', matchedOn: 'name', exact: true });
      expect(m.search('alpine oester zuerich nord')[0]).toMatchObject({ accountId: 'zz', matchedOn: 'alias', exact: true });
    }
    for (const q of ['zuerich oester labs media', 'alpine oester zuerich nord', 'oester zuerich', 'oester labs', 'zuerich media', 'zuer', 'oest data', 'zurich oester']) {
      for (const limit of [1, 5, 20]) {
        const expected = built.search(q, limit);
        expect(oneByOne.search(q, limit), q).toEqual(expected);
        expect(restored.search(q, limit), q).toEqual(expected);
        expect(mixed.search(q, limit), q).toEqual(expected);
      }
    }
  });

  it('ranks equal names by id, and names by UTF-16 code units, not code points', () => {
    const m = new AccountMatcher([
      { id: 'b', name: 'Tie Works', aliases: [], domains: [] },
      { id: 'a', name: 'Tie Works', aliases: [], domains: [] },
      // U+FF21 (fullwidth A) is above the surrogates as a code unit, below U+1F600 as a code point.
      { id: 'c', name: 'Tie \uFF21', aliases: [], domains: [] },
      { id: 'd', name: 'Tie \u{1F600}', aliases: [], domains: [] },
    ]);
    expect(m.search('tie works').map((r) => r.accountId)).toEqual(['a', 'b']);
    const upserted = new AccountMatcher();
    for (const id of ['d', 'c', 'b', 'a']) upserted.upsert({ id, name: id === 'a' || id === 'b' ? 'Tie Works' : id === 'c' ? 'Tie \uFF21' : 'Tie \u{1F600}', aliases: [], domains: [] });
    expect(m.search('tie', 10)).toEqual(upserted.search('tie', 10));
  });
});

describe('AccountMatcher.rank', () => {
  const accounts = generate(2000, 7);
  const m = new AccountMatcher(accounts);

  it('gives the same results as search, each read when asked for', () => {
    for (const q of [...QUERIES, 'a-00001', '', 'zzzz']) {
      const expected = m.search(q, 5);
      const ranking = m.rank(q, 5);
      expect(ranking.length).toBe(expected.length);
      for (let i = ranking.length - 1; i >= 0; i--) {
        expect(ranking.exact(i)).toBe(expected[i]!.exact);
        expect(ranking.match(i)).toEqual(expected[i]);
      }
    }
  });

  it('reads the strings of the results asked for only, when they are kept outside memory', () => {
    const snapshot = m.snapshot();
    const bytes = snapshot.arrays['strings.bytes'] as Uint8Array;
    const reads: number[] = [];
    const pool = { length: bytes.length, read: (offset: number, length: number, into: Uint8Array) => { reads.push(offset); into.set(bytes.subarray(offset, offset + length)); } };
    const { ['strings.bytes']: _strings, ...arrays } = snapshot.arrays;
    const outside = AccountMatcher.fromSnapshot({ ...snapshot, arrays }, pool);
    let total = 0;
    for (const q of ['nord data', 'zurich media', 'oster labs']) {
      reads.length = 0;
      const ranking = outside.rank(q, 5);
      expect(ranking.length).toBeGreaterThan(1);
      expect(reads).toEqual([]);
      expect(ranking.match(ranking.length - 1)).toEqual(m.search(q, 5)[ranking.length - 1]);
      // That account's record only (none when an earlier query read it already).
      expect(reads.length).toBeLessThanOrEqual(1);
      total += reads.length;
    }
    expect(total).toBeGreaterThan(0);
  });

  it('refuses to be read once the matcher was rebuilt', () => {
    const small = new AccountMatcher(accounts.slice(0, 1500));
    const ranking = small.rank('nord data', 5);
    expect(ranking.length).toBeGreaterThan(0);
    // Enough removals for a compaction, which renumbers the accounts.
    for (const a of accounts.slice(0, 1200)) small.remove(a.id);
    expect(() => ranking.match(0)).toThrow(/rebuilt/);
  });

  it('writes its snapshots in the current format', () => {
    expect(m.snapshot().format).toBe(MATCHER_SNAPSHOT_FORMAT);
    expect(() => AccountMatcher.fromSnapshot({ ...m.snapshot(), format: MATCHER_SNAPSHOT_FORMAT - 1 })).toThrow(RangeError);
  });
});
