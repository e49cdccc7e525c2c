import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { accountRow, claimRow, parseCsv, partnerRow } from '../../src/core/import/csv.js';
import { AccountMatcher } from '../../src/core/matching/matcher.js';
import { PolicyError, parsePolicy } from '../../src/core/policy/load.js';
import { examplePolicy } from '../support/builders.js';

const RUNS = Number(process.env.ROE_PROPERTY_RUNS ?? 300);

describe('policy loader (property)', () => {
  it('any YAML document is either a valid policy or a PolicyError naming paths; never anything else', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parsePolicy(stringify(value) ?? '');
        } catch (e) {
          expect(e).toBeInstanceOf(PolicyError);
          expect((e as PolicyError).problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('mutating one field of the example gives a valid policy or errors that name a path', () => {
    const base = examplePolicy() as unknown as Record<string, unknown>;
    const keys = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })), (key, value) => {
        try {
          parsePolicy(stringify({ ...base, [key]: value }));
        } catch (e) {
          expect(e).toBeInstanceOf(PolicyError);
          expect((e as PolicyError).problems.some((p) => p.startsWith(key))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('arbitrary text never crashes the loader', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => {
        expect(() => parsePolicy(text)).toThrow(PolicyError);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('CSV importers (property)', () => {
  const schemas = { accounts: accountRow, partners: partnerRow, claims: claimRow } as const;
  it.each(Object.keys(schemas) as (keyof typeof schemas)[])('%s: any text gives rows or line-numbered errors, never a throw', (kind) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const r = parseCsv(kind, text, schemas[kind]);
        if (!r.ok) for (const e of r.errors) expect(e.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS },
    );
  });

  it('generated well-formed partner files import every row, with the right line numbers for bad ones', () => {
    const cell = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 &.-]{0,19}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), cell, fc.boolean()), { minLength: 1, maxLength: 20 }), (rows) => {
        const unique = [...new Map(rows.map((r) => [r[0], r])).values()];
        const lines = unique.map(([id, name, blank]) => `${id},${blank ? '' : `"${name}"`}`);
        const r = parseCsv('partners', `id,name\n${lines.join('\n')}\n`, partnerRow);
        const bad = unique.map((row, i) => (row[2] ? i + 2 : null)).filter((x) => x !== null);
        if (bad.length === 0) expect(r.ok).toBe(true);
        else expect(r.ok ? [] : r.errors.map((e) => e.line)).toEqual(bad);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('matching (property)', () => {
  const word = fc.stringMatching(/^[a-z]{3,9}$/);
  it('an account is found first by its exact name, in any case and with a legal suffix, and arbitrary text never throws', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(word, word), { minLength: 1, maxLength: 30, selector: (t) => t.join(' ') }), fc.nat(), fc.string({ maxLength: 60 }), (names, pick, noise) => {
        const accounts = names.map(([a, b], i) => ({ id: `a${i}`, name: `${a} ${b}`, aliases: [], domains: [`${a}${b}.com`] }));
        const m = new AccountMatcher(accounts);
        const target = accounts[pick % accounts.length]!;
        const [first] = m.search(`${target.name.toUpperCase()}, Inc.`);
        expect(m.search(target.name).filter((x) => x.exact).map((x) => x.accountId)).toContain(target.id);
        expect(first?.score).toBe(1);
        expect(m.search(target.domains[0]!)[0]?.accountId).toBe(target.id);
        expect(() => m.search(noise)).not.toThrow();
        expect(() => m.suggest(noise)).not.toThrow();
      }),
      { numRuns: RUNS },
    );
  });
});
