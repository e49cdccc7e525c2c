/**
 * What every benchmark shares: figures with their baseline and target, medians and
 * percentiles, the machine, and the table.
 */
import { cpus, totalmem } from 'node:os';

/** A target on the measured value (`value`) or on measured / baseline (`ratio`). */
export interface Target {
  on: 'value' | 'ratio';
  op: '<=' | '>=';
  limit: number;
}

export interface Figure {
  /** Benchmark group: lookup, http, claims, timers, memory, start. */
  bench: string;
  name: string;
  unit: string;
  /** Median over `runs` runs. */
  measured: number;
  /** The baseline measured in the same run (median), or null when the figure has none. */
  baseline: number | null;
  baselineName: string | null;
  ratio: number | null;
  target: Target | null;
  pass: boolean | null;
  runs: number;
  /** Every run's value, for the record. */
  samples: number[];
  baselineSamples: number[];
  note?: string;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function figure(
  bench: string,
  name: string,
  unit: string,
  samples: readonly number[],
  baseline: { name: string; samples: readonly number[] } | null,
  target: Target | null,
  note?: string,
): Figure {
  const measured = median(samples);
  const base = baseline ? median(baseline.samples) : null;
  const ratio = base !== null && base !== 0 ? measured / base : null;
  let pass: boolean | null = null;
  if (target) {
    const v = target.on === 'value' ? measured : ratio;
    pass = v === null || !Number.isFinite(v) ? false : target.op === '<=' ? v <= target.limit : v >= target.limit;
  }
  return {
    bench,
    name,
    unit,
    measured,
    baseline: base,
    baselineName: baseline?.name ?? null,
    ratio,
    target,
    pass,
    runs: samples.length,
    samples: [...samples],
    baselineSamples: baseline ? [...baseline.samples] : [],
    ...(note ? { note } : {}),
  };
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const c = cpus();
  return { cpu: c[0]?.model.trim() ?? 'unknown', cores: c.length, memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, platform: `${process.platform} ${process.arch}` };
}

/** Options every benchmark takes. */
export interface BenchOptions {
  /** Small sizes (a quick look, or the smoke test). */
  quick: boolean;
  /** Runs per figure. */
  runs: number;
  log: (line: string) => void;
  /** A scratch folder for databases. */
  dir: string;
}

function fmt(x: number | null, unit = ''): string {
  if (x === null || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  const s = a >= 10_000 ? Math.round(x).toLocaleString('en-US') : a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
  return unit ? `${s} ${unit}` : s;
}

export function targetText(f: Figure): string {
  if (!f.target) return '-';
  const t = f.target;
  return t.on === 'ratio' ? `ratio ${t.op} ${t.limit}` : `${t.op} ${fmt(t.limit)} ${f.unit}`;
}

/** The results as a plain-text table (also valid Markdown). */
export function table(figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'measured', 'baseline', 'ratio', 'target', 'result'],
    ...figures.map((f) => [
      `${f.bench}: ${f.name}`,
      fmt(f.measured, f.unit),
      f.baseline === null ? '-' : `${fmt(f.baseline, f.unit)} (${f.baselineName})`,
      f.ratio === null ? '-' : fmt(f.ratio),
      targetText(f),
      f.pass === null ? '-' : f.pass ? 'pass' : 'FAIL',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** Credentials of the benchmark's Slack app (loopback only). */
export const BENCH_SIGNING_SECRET = 'b3nchs1gn1ngs3cr3tb3nchs1gn1ngs3';
export const BENCH_BOT_TOKEN = 'xoxb-000000000000-111111111111-BENCHTOKENabcdefghijklm';
