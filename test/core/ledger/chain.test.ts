import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, GENESIS_HASH, verifyChain, type LedgerEntry } from '../../../src/core/ledger/chain.js';

function chain(n: number): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = { seq, at: `2026-11-0${seq}T00:00:00.000Z`, kind: 'claim.filed', subject: `claim:${seq}`, actor: 'slack:U1', policyVersion: '2026.1', payload: { b: seq, a: [1, { z: 1, y: 2 }] } };
    const hash = entryHash(prev, content);
    out.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('ledger hash chain', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
  it('verifies an intact chain', () => {
    expect(verifyChain(chain(5))).toMatchObject({ ok: true, count: 5 });
  });
  it.each([
    ['the head as printed', (c: LedgerEntry[]) => c[3]!.hash.slice(0, 16), 4],
    ['in capitals', (c: LedgerEntry[]) => c[3]!.hash.slice(0, 16).toUpperCase(), 4],
    ['in full', (c: LedgerEntry[]) => c[5]!.hash, 6],
    ['of no entry', () => 'deadbeefdeadbeef', null],
  ])('finds the entry of a head kept earlier (%s)', (_n, kept, at) => {
    const c = chain(6);
    expect(verifyChain(c, { kept: kept(c) })).toMatchObject({ ok: true, count: 6, kept: at });
  });
  it('a kept head is gone once the entries from it on were removed and the chain written again', () => {
    const kept = chain(6)[4]!.hash.slice(0, 16);
    // Entries 5 and 6 removed: the four left still verify, and hold no entry of the kept head.
    expect(verifyChain(chain(4), { kept })).toMatchObject({ ok: true, count: 4, kept: null });
  });
  it.each([
    ['altered payload', (c: LedgerEntry[]) => (c[2] = { ...c[2]!, payload: { b: 99 } }), 3],
    ['altered kind', (c: LedgerEntry[]) => (c[1] = { ...c[1]!, kind: 'claim.rejected' }), 2],
    ['removed entry', (c: LedgerEntry[]) => c.splice(3, 1), 5],
    ['broken link', (c: LedgerEntry[]) => (c[4] = { ...c[4]!, prevHash: GENESIS_HASH }), 5],
    ['re-hashed entry without fixing the next link', (c: LedgerEntry[]) => {
      const e = c[1]!;
      const { prevHash, hash: _h, ...content } = { ...e, actor: 'slack:EVIL' };
      c[1] = { ...content, prevHash, hash: entryHash(prevHash, content) };
    }, 3],
  ])('names the first bad entry after %s', (_n, tamper, bad) => {
    const c = chain(6);
    tamper(c);
    const r = verifyChain(c);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.badSeq).toBe(bad);
  });
});
