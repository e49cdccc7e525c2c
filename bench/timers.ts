/**
 * 4. Timers: with many pending timers (the lifecycles of protected claims), a scheduler tick
 * with nothing due; the time to fire timers that fell due (each under its own savepoint, with
 * its ledger entry and notification); and a restart (a real `roe serve` process) reaching its
 * first tick. Baselines: the bare indexed due query, bare claim-and-append transactions, and a
 * bare Node process opening the database.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../src/app/config.js';
import { createLogger } from '../src/app/logger.js';
import { createRuntime } from '../src/app/runtime.js';
import { tick } from '../src/app/scheduler.js';
import { FakeClock } from '../src/core/clock.js';
import { entryHash, GENESIS_HASH } from '../src/core/ledger/chain.js';
import { cachedDatabase, copyDb, removeDb, writeDatabase, type TimerFixture } from './fixtures.js';
import { generateAccounts } from './generate.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET, figure, percentile, type BenchOptions, type Figure } from './lib.js';
import { ensureBuilt, onLines, ROOT } from './proc.js';
import { startSink } from './sink.js';

export interface TimersOptions {
  accounts: number;
  pending: number;
  due: number;
  ticks: number;
}

export interface TimersResult {
  figures: Figure[];
  fired: number;
  failed: number;
  ledgerAdded: number;
  outboxAdded: number;
}

const FIXTURE_NOW = new Date('2026-11-30T15:00:00Z');

function count(path: string, sql: string): number {
  const db = openDatabase(path);
  try {
    return (db.sqlite.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Spawns `node bin/roe.js serve` and resolves with ms from spawn to its log line `scheduler: first tick done`. */
function restartOnce(env: Record<string, string>): Promise<number> {
  return new Promise((ok, fail) => {
    const t = performance.now();
    const proc = spawn(process.execPath, [join(ROOT, 'bin/roe.js'), 'serve'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    let done = false;
    onLines(proc.stderr, (l) => out.push(l));
    onLines(proc.stdout, (l) => {
      out.push(l);
      if (!done && l.includes('"scheduler: first tick done"')) {
        done = true;
        const ms = performance.now() - t;
        proc.once('exit', () => ok(ms));
        proc.kill('SIGTERM');
      }
    });
    proc.once('exit', (code) => {
      if (!done) fail(new Error(`roe serve exited (${code}) before its first tick:\n${out.slice(-20).join('\n')}`));
    });
  });
}

/** A bare Node process that opens the database and runs the due query: the floor of any restart. */
function bareOpen(path: string): Promise<number> {
  const script = `const D=require('better-sqlite3');const d=new D(${JSON.stringify(path)});d.pragma('journal_mode = WAL');d.prepare("SELECT id FROM timers WHERE status='pending' AND due_at <= ? ORDER BY due_at LIMIT 500").all(Date.now());d.close();`;
  return new Promise((ok, fail) => {
    const t = performance.now();
    const proc = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: 'ignore' });
    proc.once('exit', (code) => (code === 0 ? ok(performance.now() - t) : fail(new Error(`bare open exited ${code}`))));
  });
}

export async function timersBench(o: BenchOptions, h: TimersOptions): Promise<TimersResult> {
  const set = generateAccounts(h.accounts, 1);
  const fixture: TimerFixture = { pending: h.pending, due: h.due, now: FIXTURE_NOW };
  const base = join(o.dir, 'timers-base.db');
  o.log(`timers: ${h.pending} pending, ${h.due} due, ${h.accounts} accounts`);
  cachedDatabase(`timers-${h.pending}-${h.due}`, h.accounts, base, { set, timers: fixture });
  const work = join(o.dir, 'timers.db');
  const bareDb = join(o.dir, 'timers-bare.db');

  const idle: number[] = [];
  const idleBase: number[] = [];
  const fire: number[] = [];
  const fireBase: number[] = [];
  let fired = 0;
  let failed = 0;
  let ledgerAdded = 0;
  let outboxAdded = 0;
  for (let r = 0; r < o.runs; r++) {
    copyDb(base, work);
    const clock = new FakeClock(FIXTURE_NOW);
    const rt = createRuntime(loadConfig({ DATABASE_PATH: work, LOG_LEVEL: 'silent' }), createLogger('silent'), clock);
    // Counted once the runtime started (its start records the policy file, a ledger entry of its own).
    const ledgerBefore = (rt.db.sqlite.prepare('SELECT count(*) AS n FROM ledger').get() as { n: number }).n;
    const outboxBefore = (rt.db.sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    const logger = createLogger('silent');
    try {
      // Nothing due: two hours before the fixture's moment (the due ones fell due an hour before it).
      const quiet = new Date(FIXTURE_NOW.getTime() - 2 * 3_600_000);
      const times: number[] = [];
      for (let i = 0; i < h.ticks + 20; i++) {
        const t = performance.now();
        const res = tick(rt.db, rt.deps, quiet, logger);
        if (i >= 20) times.push(performance.now() - t);
        if (res.fired.length) throw new Error('a timer fired in a quiet tick');
      }
      idle.push(percentile(times, 99));
      const dueQuery = rt.db.sqlite.prepare("SELECT id, kind, subject, due_at, payload, attempts FROM timers WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT 500");
      const bt: number[] = [];
      for (let i = 0; i < h.ticks + 20; i++) {
        const t = performance.now();
        dueQuery.all(quiet.getTime());
        if (i >= 20) bt.push(performance.now() - t);
      }
      idleBase.push(percentile(bt, 99));

      // The due ones: tick until none is left, as the scheduler does when a batch was full.
      const t = performance.now();
      let n = 0;
      let f = 0;
      for (;;) {
        const res = tick(rt.db, rt.deps, FIXTURE_NOW, logger);
        n += res.fired.length;
        f += res.failed.length;
        if (res.fired.length + res.failed.length === 0) break;
      }
      fire.push(performance.now() - t);
      fired = n;
      failed = f;
    } finally {
      rt.close();
    }
    ledgerAdded = count(work, 'SELECT count(*) AS n FROM ledger') - ledgerBefore;
    outboxAdded = count(work, 'SELECT count(*) AS n FROM outbox') - outboxBefore;

    // Baseline: as many bare transactions, each claiming one timer and appending to the ledger.
    copyDb(base, bareDb);
    const db = openDatabase(bareDb);
    const ids = db.sqlite.prepare<[number], { id: number }>("SELECT id FROM timers WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id").all(FIXTURE_NOW.getTime()).map((x) => x.id);
    const claim = db.sqlite.prepare("UPDATE timers SET status = 'fired', fired_at = ? WHERE id = ? AND status = 'pending'");
    const head = db.sqlite.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
    const insert = db.sqlite.prepare('INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const one = db.sqlite.transaction((id: number) => {
      claim.run(FIXTURE_NOW.getTime(), id);
      const hd = head.get();
      const content = { seq: (hd?.seq ?? 0) + 1, at: FIXTURE_NOW.toISOString(), kind: 'claim.dormant', subject: `claim:${id}`, actor: 'lifecycle', policyVersion: '2026.1', payload: {} };
      const prev = hd?.hash ?? GENESIS_HASH;
      insert.run(content.seq, content.at, content.kind, content.subject, content.actor, content.policyVersion, '{}', prev, entryHash(prev, content));
    });
    const tb = performance.now();
    for (const id of ids) one.immediate(id);
    fireBase.push(performance.now() - tb);
    db.close();
    removeDb(bareDb);
    o.log(`timers: run ${r + 1}/${o.runs}: quiet tick p99 ${idle[r]!.toFixed(3)} ms (bare ${idleBase[r]!.toFixed(3)}); ${fired} due fired in ${Math.round(fire[r]!)} ms (bare ${Math.round(fireBase[r]!)})`);
  }
  removeDb(work);

  // Restart: a real server process on a database whose timers are planned around the real clock.
  const now = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  const live = join(o.dir, 'timers-restart.db');
  writeDatabase(join(o.dir, 'timers-restart-base.db'), set, { ...fixture, now });
  ensureBuilt();
  const sink = await startSink();
  const serverEnv = () => ({ DATABASE_PATH: live, SLACK_BOT_TOKEN: BENCH_BOT_TOKEN, SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET, SLACK_API_URL: `${sink.base}/api/`, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'info' });
  const restart: number[] = [];
  const restartBase: number[] = [];
  try {
    // A restart follows an earlier run, which left the account index file: one untimed start makes it.
    copyDb(join(o.dir, 'timers-restart-base.db'), live);
    await restartOnce(serverEnv());
    for (let r = 0; r < o.runs; r++) {
      copyDb(join(o.dir, 'timers-restart-base.db'), live);
      restartBase.push(await bareOpen(live));
      restart.push(await restartOnce(serverEnv()));
      o.log(`timers: restart ${r + 1}/${o.runs}: first tick after ${Math.round(restart[r]!)} ms (bare open ${Math.round(restartBase[r]!)} ms)`);
    }
  } finally {
    await sink.close();
    removeDb(live);
    rmSync(`${live}.matcher`, { force: true });
    removeDb(join(o.dir, 'timers-restart-base.db'));
  }

  const k = (x: number) => (x >= 1000 ? `${x / 1000}k` : String(x));
  const figures = [
    figure('timers', `tick with nothing due, ${k(h.pending)} pending (p99 of ${h.ticks})`, 'ms', idle, { name: 'bare due query', samples: idleBase }, { on: 'value', op: '<=', limit: 2 }),
    figure('timers', `${k(h.due)} due timers fired`, 'ms', fire, { name: 'bare claim+append txns', samples: fireBase }, { on: 'value', op: '<=', limit: 200 }, `${fired} fired, ${failed} failed`),
    figure('timers', `restart to first tick (${k(h.pending)} pending, ${k(h.due)} due, ${k(h.accounts)} accounts)`, 'ms', restart, { name: 'bare node + open db', samples: restartBase }, { on: 'value', op: '<=', limit: 1000 }, 'spawn of `node bin/roe.js serve` (index file present, as after any earlier run) to its log line "scheduler: first tick done"'),
  ];
  return { figures, fired, failed, ledgerAdded, outboxAdded };
}
