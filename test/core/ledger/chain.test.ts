import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash, entryHashWith, GENESIS_HASH, verifyChain, type LedgerEntry } from '../../../src/core/ledger/chain.js';

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
  // Entries written by earlier releases must still verify: the hash of given content never changes.
  const pinned = { seq: 42, at: '2026-11-03T09:30:00.000Z', kind: 'claim.filed', subject: 'claim:7', actor: 'user-0a1b2c3d-4e5f', policyVersion: '2026.1' as string | null, payload: { account: 'acme', claimant: 'p001', conflicts: ['claimed'], stage: 'Qualified', note: 'Zoë «x» \u2028', nested: { b: [1, null, { d: 'e', c: true }], a: -0.5 } } };
  it.each([
    ['a policy version', pinned, '0'.repeat(64), '8535cf72ecfc9a9404b8c6f4e0d2b782c70230c6d14b40ebddadf8ac57a73b0a'],
    ['none', { ...pinned, policyVersion: null }, 'f'.repeat(64), 'e1ad196dfb01ad6aa769f8e9e11b0a8c128f7571f67ffb1069886941e3c67f1d'],
  ])('hashes an entry as earlier releases did (%s)', (_n, content, prev, hash) => {
    expect(entryHash(prev, content)).toBe(hash);
    const { payload, ...rest } = content;
    expect(entryHashWith(prev, rest, canonicalJson(payload))).toBe(hash);
  });
  it.each([
    ['empty payload', {}],
    ['keys that need escaping', { 'a"b': 1, 'c\\d': '\n', '': 0, é: 'ü' }],
    ['arrays and nesting', { z: [[], [{}], [1, 'two', false, null]], a: { y: { x: [3.25, -1e21] } } }],
    ['undefined values left out', { a: undefined, b: [undefined, 1], c: { d: undefined } }],
  ])('the hash with the payload as JSON is the hash of the whole content (%s)', (_n, payload) => {
    const rest = { seq: 9, at: '2026-12-01T00:00:00.000Z', kind: 'dispute.ruled', subject: 'dispute:3', actor: 'criteria', policyVersion: 'v2' };
    expect(entryHashWith(GENESIS_HASH, rest, canonicalJson(payload))).toBe(entryHash(GENESIS_HASH, { ...rest, payload }));
    expect(entryHashWith(GENESIS_HASH, { ...rest, policyVersion: null }, canonicalJson(payload))).toBe(entryHash(GENESIS_HASH, { ...rest, policyVersion: null, payload }));
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
