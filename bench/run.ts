/**
 * `npm run bench [-- --quick] [-- --only NAME[,NAME]] [-- --runs N]`: every benchmark of
 * issue 7 beside its baseline, in the same run; each figure the median of N runs (default 5;
 * 3 for the million-account start and claims runs). Prints the table and writes
 * bench/results.json (the committed results) for a full run, bench/results.local.json for a
 * --quick or --only one (or --out FILE).
 *
 * NAME: lookup, http, claims, timers, start, memory (start and memory share their runs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { claimsBench } from './claims.js';
import { generateAccounts, type AccountSet } from './generate.js';
import { httpBench } from './http.js';
import { machine, table, type BenchOptions, type Figure } from './lib.js';
import { lookupBench } from './lookup.js';
import { ROOT } from './proc.js';
import { startBench } from './start.js';
import { timersBench } from './timers.js';

const NAMES = ['lookup', 'http', 'claims', 'timers', 'start', 'memory'] as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    runs: { type: 'string' },
    out: { type: 'string' },
  },
});
const only = new Set((values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));
for (const n of only) if (!(NAMES as readonly string[]).includes(n)) throw new Error(`--only: unknown benchmark "${n}"; one of ${NAMES.join(', ')}`);
const wants = (n: (typeof NAMES)[number]) => only.size === 0 || only.has(n);
const quick = values.quick;
const runs = values.runs ? Number(values.runs) : 5;
const bigRuns = values.runs ? Number(values.runs) : quick ? 5 : 3;

const dir = mkdtempSync(join(tmpdir(), 'roe-bench-'));
const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
const opts = (r: number): BenchOptions => ({ quick, runs: r, log, dir });

const sizes = quick ? [1_000, 10_000] : [10_000, 100_000, 1_000_000];
const big = quick ? 10_000 : 1_000_000;
let bigSet: AccountSet | undefined;
const bigAccounts = () => (bigSet ??= generateAccounts(big, 1));

const figures: Figure[] = [];
const details: Record<string, unknown> = {};
const failures: string[] = [];
const section = async (name: string, fn: () => Promise<void> | void) => {
  try {
    await fn();
  } catch (e) {
    failures.push(`${name}: ${(e as Error).stack ?? String(e)}`);
    log(`${name} FAILED: ${(e as Error).message}`);
  }
};

try {
  log(`machine: ${JSON.stringify(machine())}; ${quick ? 'quick' : 'full'} sizes; runs ${runs} (big ${bigRuns})`);
  if (wants('lookup')) {
    await section('lookup', () => {
      const r = lookupBench(opts(runs), sizes, quick ? 200 : 500, bigAccounts());
      figures.push(...r.figures);
      details.lookupMisses = r.misses;
    });
  }
  if (wants('claims')) {
    await section('claims', () => {
      const r = claimsBench(opts(bigRuns), bigAccounts(), quick ? 2_000 : 20_000, quick ? 10_000 : 50_000);
      figures.push(...r.figures);
      details.claims = { outcomes: r.outcomes, plainOutcomes: r.plainOutcomes, ledgerVerified: r.ledgerOk, ledgerEntries: r.ledgerEntries, replayedClaims: r.replayedClaims };
      if (!r.ledgerOk) failures.push('claims: the ledger does not verify after the run');
    });
  }
  if (wants('start') || wants('memory')) {
    await section('start', async () => {
      const r = await startBench(opts(bigRuns), { accounts: big, serveRequests: quick ? 300 : 2_000 }, bigAccounts());
      figures.push(...r.figures.filter((f) => wants(f.bench as 'start' | 'memory')));
      details.start = { firstAnswerNamesAccount: r.firstAnswer.includes(JSON.stringify(r.expectedName).slice(1, -1)), unansweredInBursts: r.unanswered };
    });
  }
  bigSet = undefined;
  if (wants('timers')) {
    await section('timers', async () => {
      const r = await timersBench(opts(runs), quick ? { accounts: 10_000, pending: 10_000, due: 100, ticks: 200 } : { accounts: 100_000, pending: 100_000, due: 1_000, ticks: 500 });
      figures.push(...r.figures);
      details.timers = { fired: r.fired, failed: r.failed, ledgerAdded: r.ledgerAdded, outboxAdded: r.outboxAdded };
    });
  }
  if (wants('http')) {
    await section('http', async () => {
      const r = await httpBench(opts(runs), { accounts: quick ? 10_000 : 100_000, connections: 64, durationSec: quick ? 2 : 5, queriesPerKind: 100 });
      figures.push(...r.figures);
      details.http = { answersRight: r.answersRight, answersChecked: r.answersChecked, errors: r.errors };
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const text = table(figures);
process.stdout.write(`\n${text}\n\n`);
const m = machine();
process.stdout.write(`machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}\n`);
const failed = figures.filter((f) => f.pass === false);
process.stdout.write(`${figures.length} figures, ${figures.filter((f) => f.pass).length} targets met, ${failed.length} missed${failures.length ? `, ${failures.length} benchmarks failed to run` : ''}\n`);
for (const f of failures) process.stdout.write(`\n${f}\n`);

// Only a full run replaces the committed results.
const out = resolve(values.out ?? join(ROOT, quick || values.only ? 'bench/results.local.json' : 'bench/results.json'));
mkdirSync(resolve(out, '..'), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine: m, quick, only: [...only], runs, bigRuns, figures, details, failures, durationSec: Math.round((Date.now() - started) / 1000) }, null, 2)}\n`,
);
process.stdout.write(`results: ${out}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
