/**
 * 3. Claims per second: the whole claim path (handlers/claim.ts submitClaim: validate,
 * overlap check, criteria, dispute or protection, hash-chained ledger append, outbox), one
 * IMMEDIATE transaction per claim, on a database of generated accounts; beside bare
 * hash-chained appends with better-sqlite3 (one transaction each) on the same disk, in turns.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openDatabase } from '../db/client.js';
import { submitClaim } from '../handlers/claim.js';
import { loadConfig } from '../src/app/config.js';
import { createLogger } from '../src/app/logger.js';
import { createRuntime, type Runtime } from '../src/app/runtime.js';
import type { Principal } from '../src/core/authz.js';
import { entryHash, GENESIS_HASH, verifyChain } from '../src/core/ledger/chain.js';
import { cachedDatabase, copyDb, removeDb } from './fixtures.js';
import { generateClaims, type AccountSet, type GeneratedClaim } from './generate.js';
import { figure, type BenchOptions, type Figure } from './lib.js';

/** The outcomes of the overlapping stream, as the reply says them, and how a figure names them. */
const OUTCOMES = [
  ['is protected', 'protected'],
  ['was not accepted', 'not accepted (settled by the criteria)'],
  ['is pending', 'pending (left to the arbitrator)'],
] as const;

export interface ClaimsResult {
  figures: Figure[];
  /** Outcomes of the claims with 10% overlapping, warm-up included. */
  outcomes: Record<string, number>;
  /** Outcomes of the claims with no overlaps, warm-up included. */
  plainOutcomes: Record<string, number>;
  ledgerOk: boolean;
  ledgerEntries: number;
  /** Claims whose rows were written again alone (those of the measured 10%-overlapping runs). */
  replayedClaims: number;
}

/** Bare appends: read the head, hash the entry after it, insert; one IMMEDIATE transaction each. */
export function bareAppends(path: string, n: number): number {
  removeDb(path);
  const db = openDatabase(path);
  const { sqlite } = db;
  const head = sqlite.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1');
  const insert = sqlite.prepare('INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const append = sqlite.transaction((i: number) => {
    const h = head.get();
    const payload = { account: `acct-${i}`, claimant: 'p001', route: 'resell', productLine: 'Analytics', stage: 'qualified', conflicts: [] };
    const content = { seq: (h?.seq ?? 0) + 1, at: new Date().toISOString(), kind: 'claim.filed', subject: `claim:${i}`, actor: 'user-0000', policyVersion: '2026.1', payload };
    const prev = h?.hash ?? GENESIS_HASH;
    insert.run(content.seq, content.at, content.kind, content.subject, content.actor, content.policyVersion, JSON.stringify(payload), prev, entryHash(prev, content));
  });
  const t = performance.now();
  for (let i = 0; i < n; i++) append.immediate(i);
  const rate = n / ((performance.now() - t) / 1000);
  db.close();
  removeDb(path);
  return rate;
}

/** A table's rows added after `after` (its key column), as raw value arrays, with their columns. */
function rowsAfter(sqlite: Database.Database, table: string, key: string, after: number): { columns: string[]; rows: unknown[][] } {
  const st = sqlite.prepare(`SELECT * FROM ${table} WHERE ${key} > ? ORDER BY ${key}`).raw(true);
  return { columns: st.columns().map((c) => c.name), rows: st.all(after) as unknown[][] };
}

const WRITTEN_TABLES = [
  // table, key column, the column holding the moment of the claim that wrote the row
  ['claims', 'id', 'registered_at'],
  ['ledger', 'seq', 'at'],
  ['disputes', 'id', 'created_at'],
  ['timers', 'id', 'created_at'],
  ['outbox', 'id', 'created_at'],
] as const;

type KeyMarks = Record<(typeof WRITTEN_TABLES)[number][0], number>;

function keyMarks(sqlite: Database.Database): KeyMarks {
  const marks = {} as KeyMarks;
  for (const [table, key] of WRITTEN_TABLES) marks[table] = (sqlite.prepare(`SELECT coalesce(max(${key}), 0) AS m FROM ${table}`).get() as { m: number }).m;
  return marks;
}

/**
 * The rows the claims of the measured runs added (claims, ledger entries, disputes, timers,
 * outbox messages), written again with nothing else: one IMMEDIATE transaction per claim (its
 * rows share the claim's moment), into the database as it was before those runs. No reads, no
 * checks, no rendering: what the storage alone allows. An upper bound, since the claims'
 * updates of earlier rows (a joined case, a cancelled timer, a flagged partner) are left out.
 * Returns claims/s for each of `parts` consecutive parts, and how many claims were written.
 */
function replayWrites(live: Database.Database, before: KeyMarks, copyPath: string, parts: number): { rates: number[]; claims: number } {
  type Group = { at: number; claims: number; rows: { table: string; values: unknown[] }[] };
  const groups = new Map<number, Group>();
  const inserts = new Map<string, string>();
  for (const [table, key, moment] of WRITTEN_TABLES) {
    const { columns, rows } = rowsAfter(live, table, key, before[table]);
    inserts.set(table, `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    const at = columns.indexOf(moment);
    for (const values of rows) {
      const v = values[at];
      const ms = typeof v === 'string' ? Date.parse(v) : Number(v);
      let g = groups.get(ms);
      if (!g) groups.set(ms, (g = { at: ms, claims: 0, rows: [] }));
      g.rows.push({ table, values });
      if (table === 'claims') g.claims += 1;
    }
  }
  const ordered = [...groups.values()].sort((a, b) => a.at - b.at);
  const db = openDatabase(copyPath);
  try {
    const statements = new Map([...inserts].map(([table, text]) => [table, db.sqlite.prepare(text)]));
    const write = db.sqlite.transaction((g: Group) => {
      for (const r of g.rows) statements.get(r.table)!.run(...r.values);
    });
    const rates: number[] = [];
    const per = Math.ceil(ordered.length / parts);
    for (let p = 0; p < parts; p++) {
      const slice = ordered.slice(p * per, (p + 1) * per);
      const t = performance.now();
      for (const g of slice) write.immediate(g);
      rates.push(slice.reduce((n, g) => n + g.claims, 0) / ((performance.now() - t) / 1000));
    }
    return { rates, claims: ordered.reduce((n, g) => n + g.claims, 0) };
  } finally {
    db.close();
  }
}

export function claimsBench(o: BenchOptions, set: AccountSet, perRun: number, baselineAppends: number): ClaimsResult {
  const n = set.accounts.length;
  const dbPath = join(o.dir, 'claims.db');
  o.log(`claims: database of ${n} accounts`);
  cachedDatabase('accounts', n, dbPath, { set });
  const config = loadConfig({ DATABASE_PATH: dbPath, LOG_LEVEL: 'silent' });
  let t = performance.now();
  // Wall-clock time, but a distinct millisecond for each claim, so that the rows of one claim's
  // transaction can be told apart by their moment (see replayWrites).
  let moment = Date.now();
  const clock = { now: () => new Date(moment) };
  const rt: Runtime = createRuntime(config, createLogger('silent'), clock);
  o.log(`claims: runtime ready in ${Math.round(performance.now() - t)} ms`);
  try {
    // First a stream of claims on accounts nobody claimed (each protected at once), then the
    // stream with 10% overlapping an earlier claim, which opens disputes: the criteria settle
    // some at once, the others wait for the arbitrator (who rules on none here, so no partner
    // collects violations). The plain stream comes first.
    const plainPerRun = Math.round(perRun / 2);
    const plainCount = plainPerRun * (o.runs + 1);
    const stream = generateClaims(set, plainCount + perRun * (o.runs + 1), 2, 0.1, plainCount);
    const plain = stream.slice(0, plainCount);
    const claims = stream.slice(plainCount);
    const viewers = new Map<string, Principal>();
    const viewerFor = (partnerId: string): Principal => {
      let v = viewers.get(partnerId);
      if (!v) {
        const p = set.partners.find((x) => x.id === partnerId)!;
        v = rt.resolve({ platform: 'slack', userId: `U0${p.id.toUpperCase()}`, displayName: p.name, orgId: p.slackTeamId, home: false });
        viewers.set(partnerId, v);
      }
      return v;
    };
    const outcomes: Record<string, number> = {};
    const plainOutcomes: Record<string, number> = {};
    let seq = 0;
    /** Per outcome, the claims of a measured run and their time (ms), when the run keeps them. */
    let timing: Map<string, { n: number; ms: number }> | null = null;
    const file = (c: GeneratedClaim, tally = outcomes) => {
      const k = seq++;
      moment = Math.max(Date.now(), moment + 1);
      const started = performance.now();
      const r = submitClaim(
        rt.deps,
        viewerFor(c.claimant),
        { account: c.account, route: c.route, product: c.product, opportunity: c.opportunity, stage: c.stage, amount: c.amount, evidence: c.evidence },
        { origin: { platform: 'slack', channel: 'C0DEALS', thread: null }, requestKey: `bench-${k}` },
      );
      const took = performance.now() - started;
      const word = /is protected|was not accepted|is pending/.exec(r.summary)?.[0] ?? 'other';
      tally[word] = (tally[word] ?? 0) + 1;
      if (timing) {
        const t = timing.get(word) ?? { n: 0, ms: 0 };
        timing.set(word, { n: t.n + 1, ms: t.ms + took });
      }
    };
    const bareRun = () => bareAppends(join(o.dir, 'bare-ledger.db'), baselineAppends);

    // Warm-up: the first run's worth of plain claims.
    for (let i = 0; i < plainPerRun; i++) file(plain[i]!, plainOutcomes);
    const plainRates: number[] = [];
    const plainBare: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const slice = plain.slice((r + 1) * plainPerRun, (r + 2) * plainPerRun);
      if (r % 2 === 1) plainBare.push(bareRun());
      t = performance.now();
      for (const c of slice) file(c, plainOutcomes);
      plainRates.push(slice.length / ((performance.now() - t) / 1000));
      if (r % 2 === 0) plainBare.push(bareRun());
      o.log(`claims: no overlaps, run ${r + 1}/${o.runs}: ${Math.round(plainRates[r]!)} claims/s; bare appends ${Math.round(plainBare[r]!)}/s`);
    }

    // Warm-up: the first run's worth of the mixed stream.
    for (let i = 0; i < perRun; i++) file(claims[i]!);
    // The database as the measured runs find it, for writing their rows again alone.
    const copyPath = join(o.dir, 'claims-before.db');
    rt.db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    copyDb(dbPath, copyPath);
    const marks = keyMarks(rt.db.sqlite);
    const rates: number[] = [];
    const bare: number[] = [];
    const perOutcome = new Map<string, number[]>();
    for (let r = 0; r < o.runs; r++) {
      const slice = claims.slice((r + 1) * perRun, (r + 2) * perRun);
      const b = () => bare.push(bareRun());
      if (r % 2 === 1) b();
      timing = new Map();
      t = performance.now();
      for (const c of slice) file(c);
      rates.push(perRun / ((performance.now() - t) / 1000));
      for (const [word, { n: count, ms }] of timing) perOutcome.set(word, [...(perOutcome.get(word) ?? []), (ms * 1000) / count]);
      timing = null;
      if (r % 2 === 0) b();
      o.log(`claims: 10% overlapping, run ${r + 1}/${o.runs}: ${Math.round(rates[r]!)} claims/s; bare appends ${Math.round(bare[r]!)}/s`);
    }
    o.log('claims: their rows written again alone');
    const replay = replayWrites(rt.db.sqlite, marks, copyPath, o.runs);
    const writesAlone = replay.rates;
    removeDb(copyPath);
    o.log(`claims: rows alone ${writesAlone.map((r) => Math.round(r)).join(', ')} claims/s`);
    const verify = verifyChain(rt.store.ledger.entries());
    const figures = [
      figure('claims', 'claims/s on accounts nobody has claimed', 'claims/s', plainRates, { name: 'bare appends', samples: plainBare }, null, `${plainPerRun} claims per run, before any overlap`),
      figure('claims', `claims/s (${n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`} accounts)`, 'claims/s', rates, { name: 'bare appends', samples: bare }, { on: 'value', op: '>=', limit: 8000 }, `${perRun} claims per run, 10% overlapping`),
      figure('claims', 'claims/s vs bare hash-chained appends', 'claims/s', rates, { name: 'bare appends', samples: bare }, { on: 'ratio', op: '>=', limit: 0.15 }),
      figure('claims', 'claims/s if only their rows were written', 'claims/s', writesAlone, { name: 'bare appends', samples: bare }, null, 'the rows the 10% overlapping runs added, written again with nothing else; an upper bound'),
      // What each kind of claim in the overlapping stream takes: the mean of each run, whole path.
      ...OUTCOMES.filter(([word]) => perOutcome.has(word)).map(([word, label]) => figure('claims', `µs a claim ${label}`, 'µs', perOutcome.get(word)!, null, null, `the mean of each run's claims that ended so (10% overlapping stream)`)),
    ];
    return { figures, outcomes, plainOutcomes, ledgerOk: verify.ok, ledgerEntries: verify.count, replayedClaims: replay.claims };
  } finally {
    rt.close();
    removeDb(dbPath);
  }
}
