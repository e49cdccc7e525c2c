/**
 * 5 and 6. Start and memory, on real server processes (`node bin/roe.js serve`, the code
 * behind `npx roe serve`, in production mode with Slack on the sink):
 * - cold start with migrations (a new database file) to the first 200 on /healthz, beside a
 *   bare Node HTTP server process;
 * - with generated accounts, to the first 200 on /healthz and to the first who-owns answer,
 *   beside the cold start's first answer: at a restart (the account index file of an earlier
 *   run is read), at the first start after `roe import accounts` (which writes the index file;
 *   a one-row import's time is a figure too), and at a start with no index file at all (every
 *   account is indexed at start, as after a change of the index format);
 * - resident memory once loaded and serving (after a burst of who-owns), beside the same
 *   server with no accounts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { signature, slashCommand } from '../test/support/slack-requests.js';
import { cachedDatabase, removeDb } from './fixtures.js';
import type { AccountSet } from './generate.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET, figure, sleep, type BenchOptions, type Figure } from './lib.js';
import { ensureBuilt, onLines, ROOT, rssOf } from './proc.js';
import { startSink, type Sink } from './sink.js';
import { freePort } from '../test/support/net.js';

export interface StartOptions {
  accounts: number;
  /** who-owns requests sent before memory is read. */
  serveRequests: number;
}

export interface StartResult {
  figures: Figure[];
  /** The first answers (JSON) of the loaded server, to check. */
  firstAnswer: string;
  expectedName: string;
  /** who-owns of the serving bursts that were refused or got no answer (all runs). */
  unanswered: number;
}

async function until200(url: string, proc: ChildProcess, limitMs = 120_000): Promise<void> {
  const end = Date.now() + limitMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited (${proc.exitCode}) before answering ${url}`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${url} did not answer 200 within ${limitMs} ms`);
    await sleep(3);
  }
}

/** The answer when the acknowledgement carries it (a message with blocks), else null: then it goes to the response_url. */
function answerIn(ack: string): string | null {
  if (!ack.startsWith('{')) return null;
  try {
    const body = JSON.parse(ack) as { blocks?: unknown; text?: unknown };
    return Array.isArray(body.blocks) || typeof body.text === 'string' ? ack : null;
  } catch {
    return null;
  }
}

async function waitAnswer(sink: Sink, id: string, limitMs = 120_000): Promise<string> {
  const end = Date.now() + limitMs;
  for (;;) {
    const a = sink.answers.get(id);
    if (a !== undefined) return a;
    if (Date.now() > end) throw new Error(`no answer on response_url ${id} within ${limitMs} ms`);
    await sleep(2);
  }
}

function whoOwns(base: string, sink: Sink, text: string, id: string, user = 'U0START'): Promise<Response> {
  const { body, contentType } = slashCommand({ command: '/who-owns', text, user: { id: user, name: 'starter', team: 'T0HOME' }, responseUrl: `${sink.base}/respond/${id}` });
  const ts = Math.floor(Date.now() / 1000);
  return fetch(`${base}/slack/events`, { method: 'POST', body, headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature(BENCH_SIGNING_SECRET, ts, body) } });
}

interface ServerRun {
  healthMs: number;
  answerMs: number;
  rssMB: number;
  peakMB: number;
  answer: string;
  /** Burst requests refused or never answered. */
  unanswered: number;
}

/** One server start: spawn, /healthz, one who-owns answer, then a burst of who-owns, then RSS. */
async function serverRun(db: string, sink: Sink, query: string, burst: string[], tag: string): Promise<ServerRun> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  sink.answers.clear(); // answers of earlier runs are not needed (the sink keeps a bounded number)
  const t = performance.now();
  const proc = spawn(process.execPath, [join(ROOT, 'bin/roe.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: db, SLACK_BOT_TOKEN: BENCH_BOT_TOKEN, SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET, SLACK_API_URL: `${sink.base}/api/`, NODE_ENV: 'production', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  onLines(proc.stdout!, (l) => out.push(l));
  onLines(proc.stderr!, (l) => out.push(l));
  try {
    await until200(`${base}/healthz`, proc);
    const healthMs = performance.now() - t;
    const res = await whoOwns(base, sink, query, `${tag}-first`);
    const ack = await res.text();
    if (res.status !== 200) throw new Error(`who-owns answered ${res.status}: ${ack}`);
    const answer = answerIn(ack) ?? (await waitAnswer(sink, `${tag}-first`));
    const answerMs = performance.now() - t;
    // Serving: a burst of who-owns, 16 at a time, every answer awaited.
    let refused = 0;
    const inAck = new Set<number>();
    for (let i = 0; i < burst.length; i += 16) {
      await Promise.all(
        burst.slice(i, i + 16).map(async (q, j) => {
          const r = await whoOwns(base, sink, q, `${tag}-b${i + j}`, `U0MEM${(i + j) % 8}`);
          const body = await r.text();
          if (r.status !== 200) refused++;
          else if (answerIn(body) !== null) inAck.add(i + j);
        }),
      );
    }
    // Every answer in, or none for a second (an answer lost on the way is counted, not waited for).
    let missing = burst.length;
    for (let last = Date.now(), seen = -1; Date.now() - last < 1_000; await sleep(20)) {
      missing = burst.filter((_, i) => !inAck.has(i) && !sink.answers.has(`${tag}-b${i}`)).length;
      if (missing === 0) break;
      if (missing !== seen) [seen, last] = [missing, Date.now()];
    }
    const { rssMB, peakMB } = rssOf(proc.pid!);
    if (missing + refused > 0) process.stderr.write(`start: ${tag}: ${refused} refused, ${missing} unanswered; server said:\n${out.filter((l) => /"level":(40|50|60)/.test(l)).slice(-5).join('\n')}\n`);
    return { healthMs, answerMs, rssMB, peakMB, answer, unanswered: missing + refused };
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${out.slice(-20).join('\n')}`);
  } finally {
    await new Promise<void>((done) => {
      if (proc.exitCode !== null) return done();
      proc.once('exit', () => done());
      proc.kill('SIGTERM');
    });
  }
}

/** `node bin/roe.js import accounts FILE` on `db`: ms from spawn to exit, the index file written. */
function importOne(db: string, csv: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/roe.js'), 'import', 'accounts', csv], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, DATABASE_PATH: db, LOG_LEVEL: 'warn' } });
  const ms = performance.now() - t;
  if (r.status !== 0 || !r.stdout.includes('1 updated')) throw new Error(`roe import accounts failed (${r.status}): ${r.stdout}${r.stderr}`);
  if (!existsSync(`${db}.matcher`)) throw new Error('roe import accounts wrote no index file');
  return ms;
}

/** A bare Node HTTP server process, spawn to its first 200. */
async function bareServer(): Promise<number> {
  const port = await freePort();
  const t = performance.now();
  const proc = spawn(process.execPath, ['-e', `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`], { stdio: 'ignore' });
  try {
    await until200(`http://127.0.0.1:${port}/`, proc);
    return performance.now() - t;
  } finally {
    proc.kill('SIGTERM');
  }
}

export async function startBench(o: BenchOptions, h: StartOptions, set?: AccountSet): Promise<StartResult> {
  const loaded = join(o.dir, 'start-loaded.db');
  const cold = join(o.dir, 'start-cold.db');
  o.log(`start: database of ${h.accounts} accounts`);
  cachedDatabase('accounts', h.accounts, loaded, set ? { set } : {});
  const probe = new Database(loaded, { readonly: true });
  const step = Math.max(1, Math.floor(h.accounts / 200));
  const names = probe.prepare<[number], { name: string }>('SELECT name FROM accounts WHERE rowid % ? = 0 LIMIT 200').all(step).map((r) => r.name);
  const firstRow = probe.prepare<[], Record<string, string | number | null>>("SELECT id, name, aliases, domains, segment, region, tier, is_customer, incumbent_partner_id, named_owner FROM accounts WHERE id = 'acct-0000001'").get()!;
  probe.close();
  const first = String(firstRow.name);
  // That account as a CSV row of examples/accounts.csv's headers, for a one-row `roe import accounts`,
  // with its tier changed: a row given as stored would be unchanged, and not written.
  const cell = (v: unknown) => `"${String(v ?? '').replaceAll('"', '""')}"`;
  const listCell = (json: unknown) => cell((JSON.parse(String(json)) as string[]).join('|'));
  const oneRow = join(o.dir, 'start-one-account.csv');
  writeFileSync(
    oneRow,
    `id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner\n${[firstRow.id, firstRow.name].map(cell).join(',')},${listCell(firstRow.aliases)},${listCell(firstRow.domains)},${[firstRow.segment, firstRow.region, firstRow.tier === 'gold' ? 'silver' : 'gold', firstRow.is_customer ? 'true' : 'false', firstRow.incumbent_partner_id, firstRow.named_owner].map(cell).join(',')}\n`,
  );
  // The burst: names as typed, lower case, and cut short.
  const burst = Array.from({ length: h.serveRequests }, (_, i) => {
    const n = names[i % names.length]!;
    return i % 3 === 0 ? n : i % 3 === 1 ? n.toLowerCase() : n.slice(0, Math.max(4, Math.ceil(n.length * 0.7)));
  });

  ensureBuilt();
  const sink = await startSink();
  const coldRuns: ServerRun[] = [];
  const noIndexRuns: ServerRun[] = [];
  const importRuns: ServerRun[] = [];
  const indexWrites: number[] = [];
  const loadedRuns: ServerRun[] = [];
  const bare: number[] = [];
  try {
    for (let r = 0; r < o.runs; r++) {
      bare.push(await bareServer());
      removeDb(cold);
      rmSync(`${cold}.matcher`, { force: true });
      coldRuns.push(await serverRun(cold, sink, first, burst, `cold${r}`));
      // No index file (deleted, or made by another index format): the start indexes every account and writes the file.
      if (r > 0) cachedDatabase('accounts', h.accounts, loaded, set ? { set } : {});
      rmSync(`${loaded}.matcher`, { force: true });
      noIndexRuns.push(await serverRun(loaded, sink, first, burst.slice(0, 16), `noindex${r}`));
      // A restart: the same accounts, the index file from the run before.
      cachedDatabase('accounts', h.accounts, loaded, set ? { set } : {});
      loadedRuns.push(await serverRun(loaded, sink, first, burst, `loaded${r}`));
      // An import: `roe import accounts` (one row, which updates an account) ends by writing
      // the index file for every account as imported; the first start then reads it.
      cachedDatabase('accounts', h.accounts, loaded, set ? { set } : {});
      rmSync(`${loaded}.matcher`, { force: true });
      indexWrites.push(importOne(loaded, oneRow));
      importRuns.push(await serverRun(loaded, sink, first, burst.slice(0, 16), `import${r}`));
      const c = coldRuns[r]!;
      const n = noIndexRuns[r]!;
      const f = importRuns[r]!;
      const l = loadedRuns[r]!;
      o.log(
        `start: run ${r + 1}/${o.runs}: cold /healthz ${Math.round(c.healthMs)} ms (bare ${Math.round(bare[r]!)}); ${h.accounts} accounts: no index file, answers after ${Math.round(n.answerMs)} ms; a one-row import (index file written) takes ${Math.round(indexWrites[r]!)} ms, first start then answers after ${Math.round(f.answerMs)} ms; restart /healthz ${Math.round(l.healthMs)} ms, answers after ${Math.round(l.answerMs)} ms, RSS ${Math.round(l.rssMB)} MB (peak ${Math.round(l.peakMB)}; empty ${Math.round(c.rssMB)}; no index file ${Math.round(n.rssMB)})`,
      );
    }
  } finally {
    await sink.close();
    removeDb(cold);
    removeDb(loaded);
    rmSync(`${cold}.matcher`, { force: true });
    rmSync(`${loaded}.matcher`, { force: true });
  }
  const k = h.accounts >= 1e6 ? `${h.accounts / 1e6}M` : `${h.accounts / 1000}k`;
  const figures = [
    figure('start', 'cold start with migrations to /healthz 200', 'ms', coldRuns.map((x) => x.healthMs), { name: 'bare node http', samples: bare }, { on: 'value', op: '<=', limit: 1500 }, 'spawn of `node bin/roe.js serve` on a new database file'),
    figure('start', `${k} accounts, restart: /healthz 200`, 'ms', loadedRuns.map((x) => x.healthMs), { name: 'cold start', samples: coldRuns.map((x) => x.healthMs) }, null),
    figure('start', `${k} accounts, restart: ready to answer (first who-owns answer)`, 'ms', loadedRuns.map((x) => x.answerMs), { name: 'cold start', samples: coldRuns.map((x) => x.answerMs) }, { on: 'value', op: '<=', limit: 3000 }, 'spawn to the answer (in the acknowledgement, or at the response_url); the account index file from an earlier run is read'),
    figure('start', `${k} accounts, first start after an import: ready to answer`, 'ms', importRuns.map((x) => x.answerMs), { name: 'cold start', samples: coldRuns.map((x) => x.answerMs) }, { on: 'value', op: '<=', limit: 3000 }, 'first start on a database whose accounts were just imported: `roe import accounts` wrote the account index file'),
    figure('start', `${k} accounts, \`roe import accounts\` of one row, index file written`, 'ms', indexWrites, null, null, 'spawn to exit of `node bin/roe.js import accounts` updating one account: the row, then every account indexed and the file written'),
    figure('start', `${k} accounts, no index file: ready to answer`, 'ms', noIndexRuns.map((x) => x.answerMs), { name: 'cold start', samples: coldRuns.map((x) => x.answerMs) }, null, 'no index file (deleted, or written for another index format): every account is indexed at start, and the file written'),
    figure('memory', `RSS, ${k} accounts loaded and serving`, 'MB', loadedRuns.map((x) => x.rssMB), { name: 'no accounts', samples: coldRuns.map((x) => x.rssMB) }, { on: 'value', op: '<=', limit: 300 }, `restart, after ${h.serveRequests} who-owns; peak RSS ${Math.round(Math.max(...loadedRuns.map((x) => x.peakMB)))} MB; start with no index file (indexing) peak ${Math.round(Math.max(...noIndexRuns.map((x) => x.peakMB)))} MB`),
  ];
  const unanswered = [...coldRuns, ...noIndexRuns, ...importRuns, ...loadedRuns].reduce((n, x) => n + x.unanswered, 0);
  return { figures, firstAnswer: loadedRuns[0]?.answer ?? '', expectedName: first, unanswered };
}
