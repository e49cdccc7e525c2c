import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimsBench } from '../../bench/claims.js';
import { generateAccounts, generateClaims, generateQueries, QUERY_KINDS } from '../../bench/generate.js';
import { httpBench } from '../../bench/http.js';
import { table, type BenchOptions, type Figure } from '../../bench/lib.js';
import { lookupBench } from '../../bench/lookup.js';
import { startBench } from '../../bench/start.js';
import { timersBench } from '../../bench/timers.js';

/**
 * `npm run bench` at a tiny size: every benchmark runs, gives its figures beside their
 * baselines, and the work it timed was right. No timing is asserted (machines differ).
 */
const dir = mkdtempSync(join(tmpdir(), 'roe-bench-smoke-'));
const o: BenchOptions = { quick: true, runs: 1, log: () => undefined, dir };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function wellFormed(figures: Figure[]): void {
  expect(figures.length).toBeGreaterThan(0);
  for (const f of figures) {
    expect(Number.isFinite(f.measured), `${f.name} measured`).toBe(true);
    if (f.baselineName !== null) expect(Number.isFinite(f.baseline), `${f.name} baseline`).toBe(true);
    if (f.target) expect(typeof f.pass).toBe('boolean');
  }
  expect(table(figures)).toContain(figures[0]!.name);
}

describe('the generator', () => {
  it('is seeded: the same seed gives the same accounts, claims and queries', () => {
    const a = generateAccounts(500, 9);
    const b = generateAccounts(500, 9);
    expect(a).toEqual(b);
    expect(generateClaims(a, 50, 4)).toEqual(generateClaims(b, 50, 4));
    expect(generateQueries(a.accounts, 10, 5)).toEqual(generateQueries(b.accounts, 10, 5));
  });

  it('makes unique names and domains with accents, legal suffixes and aliases, and queries of every kind', () => {
    const { accounts, partners } = generateAccounts(2_000, 3);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(2_000);
    expect(new Set(accounts.flatMap((a) => a.domains)).size).toBe(accounts.flatMap((a) => a.domains).length);
    expect(accounts.some((a) => /[^\x00-\x7f]/.test(a.name))).toBe(true);
    expect(accounts.some((a) => a.suffix !== null)).toBe(true);
    expect(accounts.some((a) => a.aliases.length > 0)).toBe(true);
    expect(partners.length).toBeGreaterThan(0);
    const kinds = new Set(generateQueries(accounts, 5).map((q) => q.kind));
    expect([...kinds].sort()).toEqual([...QUERY_KINDS].sort());
  });
});

describe('benchmarks at a tiny size', () => {
  it('lookup: the right account first for every query kind, beside an exact SQLite lookup', () => {
    const r = lookupBench(o, [400], 12);
    wellFormed(r.figures);
    const right = r.figures.filter((f) => f.name.endsWith('right first'));
    expect(right).toHaveLength(QUERY_KINDS.length);
    for (const f of right) expect(f.measured, `${f.name}: ${JSON.stringify(r.misses)}`).toBe(100);
  });

  it('claims: every claim filed through the whole path, the ledger verifies', () => {
    const set = generateAccounts(400, 1, 20);
    const r = claimsBench(o, set, 40, 200);
    wellFormed(r.figures);
    expect(r.ledgerOk).toBe(true);
    expect(r.outcomes['is protected']).toBeGreaterThan(0);
    expect(Object.values(r.outcomes).reduce((a, b) => a + b, 0)).toBe(80);
    expect(r.outcomes.other).toBeUndefined();
    // the stream with no overlaps, filed first
    expect(Object.values(r.plainOutcomes).reduce((a, b) => a + b, 0)).toBe(40);
    expect(r.plainOutcomes['is protected']).toBeGreaterThan(35);
    // the rows of the measured run (one run of 40 claims) were written again alone
    expect(r.replayedClaims).toBe(40);
    expect(r.figures.find((f) => f.name === 'claims/s if only their rows were written')?.measured).toBeGreaterThan(0);
    // the time a claim takes, for each outcome of the measured run
    expect(r.figures.find((f) => f.name === 'µs a claim protected')?.measured).toBeGreaterThan(0);
  });

  it('timers: quiet ticks fire nothing; every due timer fires once with its ledger entry and notice; a restart ticks', async () => {
    const r = await timersBench(o, { accounts: 300, pending: 300, due: 30, ticks: 10 });
    wellFormed(r.figures);
    expect(r).toMatchObject({ fired: 30, failed: 0, ledgerAdded: 30, outboxAdded: 30 });
  }, 120_000);

  it('start and memory: real server processes start, answer who-owns and report their memory', async () => {
    const r = await startBench(o, { accounts: 300, serveRequests: 16 });
    wellFormed(r.figures);
    expect(r.figures.map((f) => f.bench)).toContain('memory');
    expect(r.firstAnswer).toContain(JSON.stringify(r.expectedName).slice(1, -1));
  }, 120_000);

  it('http: who-owns through the whole Slack path beside a bare Bolt app, every answer naming the account', async () => {
    const r = await httpBench(o, { accounts: 300, connections: 4, durationSec: 1, queriesPerKind: 4 });
    wellFormed(r.figures);
    expect(r.errors).toBe(0);
    expect(r.answersChecked).toBeGreaterThan(0);
    expect(r.answersRight).toBe(r.answersChecked);
  }, 120_000);
});
