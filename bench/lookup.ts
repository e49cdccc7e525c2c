/**
 * 1. Lookup: who-owns matching (AccountMatcher.search) over generated accounts, per query
 * kind: p50, p99 and the share of queries whose right account ranks first; the matcher as the
 * server holds it (read from its index file, the account strings read from the file). Baseline: an
 * exact lookup of the query (lower-cased) in an indexed SQLite table of the same names,
 * aliases and domains.
 */
import { closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readIndex, saveIndex } from '../src/app/matcher-index.js';
import { AccountMatcher } from '../src/core/matching/matcher.js';
import { generateAccounts, generateQueries, QUERY_KINDS, type AccountSet, type Query } from './generate.js';
import { figure, percentile, type BenchOptions, type Figure } from './lib.js';

export interface LookupResult {
  figures: Figure[];
  /** Per size and kind, the queries whose right account did not rank first (a few, for the log). */
  misses: { size: number; kind: string; query: string; expected: string; got: string | null }[];
}

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/** The exact-lookup baseline: every name, alias and domain, lower-cased, in an indexed table. */
function baselineDb(set: AccountSet): { get: (q: string) => string | undefined; close: () => void } {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE lookup (key TEXT NOT NULL, account_id TEXT NOT NULL); ');
  const ins = db.prepare('INSERT INTO lookup (key, account_id) VALUES (?, ?)');
  db.transaction(() => {
    for (const a of set.accounts) {
      ins.run(a.name.toLowerCase(), a.id);
      for (const x of a.aliases) ins.run(x.toLowerCase(), a.id);
      for (const d of a.domains) ins.run(d.toLowerCase(), a.id);
    }
  })();
  db.exec('CREATE INDEX lookup_key ON lookup (key)');
  const stmt = db.prepare<[string], { account_id: string }>('SELECT account_id FROM lookup WHERE key = ? LIMIT 1');
  return { get: (q) => stmt.get(q.trim().toLowerCase())?.account_id, close: () => db.close() };
}

export function lookupBench(o: BenchOptions, sizes: readonly number[], perKind: number, set1?: AccountSet): LookupResult {
  const figures: Figure[] = [];
  const misses: LookupResult['misses'] = [];
  for (const n of sizes) {
    o.log(`lookup: generating ${label(n)} accounts`);
    const set = set1 && set1.accounts.length === n ? set1 : generateAccounts(n, 1);
    const queries = generateQueries(set.accounts, perKind, 3);
    let t = performance.now();
    const built = new AccountMatcher(set.accounts);
    const buildMs = performance.now() - t;
    // Measured as the server runs it after a restart: read from its index file, the accounts'
    // strings held in memory up to STRINGS_IN_MEMORY_BYTES of them, left in the file beyond.
    const file = join(o.dir, `lookup-${n}.matcher`);
    saveIndex(file, built, 'bench');
    const opened = readIndex(file, 'bench')!;
    const matcher = opened.matcher;
    o.log(`lookup: matcher over ${label(n)} built in ${Math.round(buildMs)} ms; ${queries.length} queries`);
    const base = baselineDb(set);
    const byKind = new Map<string, Query[]>();
    for (const q of queries) byKind.set(q.kind, [...(byKind.get(q.kind) ?? []), q]);
    const nameOf = new Map<string, string>();
    for (const q of queries) nameOf.set(q.expect, q.expect);
    for (const a of set.accounts) if (nameOf.has(a.id)) nameOf.set(a.id, a.name);

    // Correctness does not depend on the run: once, with the answers for the log.
    const right = new Map<string, number>();
    const baseRight = new Map<string, number>();
    for (const [kind, qs] of byKind) {
      let ok = 0;
      let bok = 0;
      for (const q of qs) {
        const got = matcher.search(q.text, 5)[0]?.accountId ?? null;
        if (got === q.expect) ok++;
        else if (misses.filter((m) => m.size === n && m.kind === kind).length < 5) misses.push({ size: n, kind, query: q.text, expected: nameOf.get(q.expect)!, got: got === null ? null : (set.accounts.find((a) => a.id === got)?.name ?? got) });
        if (base.get(q.text) === q.expect) bok++;
      }
      right.set(kind, ok / qs.length);
      baseRight.set(kind, bok / qs.length);
    }

    const p50 = new Map<string, number[]>();
    const p99 = new Map<string, number[]>();
    const b50: number[] = [];
    const b99: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      for (const q of queries) matcher.search(q.text, 5); // warm
      for (const [kind, qs] of byKind) {
        const times = new Float64Array(qs.length);
        for (let i = 0; i < qs.length; i++) {
          t = performance.now();
          matcher.search(qs[i]!.text, 5);
          times[i] = (performance.now() - t) * 1000;
        }
        p50.set(kind, [...(p50.get(kind) ?? []), percentile([...times], 50)]);
        p99.set(kind, [...(p99.get(kind) ?? []), percentile([...times], 99)]);
      }
      const times = new Float64Array(queries.length);
      for (const q of queries) base.get(q.text);
      for (let i = 0; i < queries.length; i++) {
        t = performance.now();
        base.get(queries[i]!.text);
        times[i] = (performance.now() - t) * 1000;
      }
      b50.push(percentile([...times], 50));
      b99.push(percentile([...times], 99));
    }
    base.close();
    if (opened.fd !== null) closeSync(opened.fd);
    rmSync(file, { force: true });

    const at = label(n);
    const big = n >= 1_000_000;
    figures.push(figure('lookup', `${at} matcher build`, 'ms', [buildMs], null, null));
    for (const kind of QUERY_KINDS) {
      if (!byKind.has(kind)) continue;
      figures.push(figure('lookup', `${at} ${kind} p50`, 'µs', p50.get(kind)!, { name: 'exact SQLite p50', samples: b50 }, null));
      figures.push(figure('lookup', `${at} ${kind} p99`, 'µs', p99.get(kind)!, { name: 'exact SQLite p99', samples: b99 }, big ? { on: 'value', op: '<=', limit: 2000 } : null));
      figures.push(
        figure('lookup', `${at} ${kind} right first`, '%', [100 * right.get(kind)!], { name: 'exact SQLite', samples: [100 * baseRight.get(kind)!] }, { on: 'value', op: '>=', limit: 100 }, `${byKind.get(kind)!.length} queries`),
      );
    }
  }
  return { figures, misses };
}
