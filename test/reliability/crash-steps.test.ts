import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openDatabase } from '../../db/client.js';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/app/cli.js';
import { tick } from '../../src/app/scheduler.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { EXAMPLE_POLICY_PATH, ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

/**
 * Each step that writes several things (a tick's timers, `roe partner close`, `roe import`,
 * `roe forget`, the upgrade of an earlier release's database) killed with SIGKILL at its worst
 * moment: as it writes its ledger entry (or records its last migration), the rest of its work
 * written before it, not yet committed. The database must then be exactly as before the step
 * (nothing half done, the ledger verifying), and the step, done again, done once.
 */
const dir = mkdtempSync(join(tmpdir(), 'roe-crash-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a step in its own process, killed as it writes its first ledger entry of `kind` (see kill-at-ledger-worker). */
function killedAt(db: string, kind: string, step: string[]): Promise<{ signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/kill-at-ledger-worker.ts', db, kind, ...step], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (_code, signal) => ok({ signal, out, err }));
  });
}

/** Every row of every table of roe's, as a crash leaves the file (read as the next start reads it). */
function snapshot(db: string): Record<string, string[]> {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const tables = (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]);
    const schema = (sqlite.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all() as unknown[]).map((r) => JSON.stringify(r));
    return { schema, ...Object.fromEntries(tables.map((t) => [t, (sqlite.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort()])) };
  } finally {
    sqlite.close();
  }
}

function headSeq(db: string): number {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return sqlite.prepare('SELECT coalesce(max(seq), 0) FROM ledger').pluck().get() as number;
  } finally {
    sqlite.close();
  }
}

/** Kills `step` at `kind` and checks that nothing of it was kept, the ledger whole. */
async function killLeavesNothing(db: string, kind: string, step: string[]): Promise<void> {
  const before = snapshot(db);
  const killed = await killedAt(db, kind, step);
  expect({ signal: killed.signal, err: killed.err }, `the step never wrote ${kind}: ${killed.out}`).toEqual({ signal: 'SIGKILL', err: '' });
  expect(snapshot(db), `killed as it wrote ${kind}, the step left part of its work`).toEqual(before);
  verifies(db);
}

function verifies(db: string): void {
  const rt = testRuntime({ databasePath: db, demo: false });
  try {
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
  } finally {
    rt.close();
  }
}

/** The ledger's entries after `seq`: what a step did, as kind, subject and payload (not when). */
function entriesAfter(db: string, seq: number): string[] {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (sqlite.prepare('SELECT kind, subject, payload FROM ledger WHERE seq > ? ORDER BY seq').all(seq) as { kind: string; subject: string; payload: string }[]).map((e) => `${e.kind} ${e.subject} ${e.payload}`);
  } finally {
    sqlite.close();
  }
}

/** Runs `step` in this process, uncrashed, as a start after the crash does it (a tick), or as the admin runs the command again. */
async function redo(db: string, step: string[]): Promise<{ code: number; err: string }> {
  if (step[0] === 'tick') {
    const rt = testRuntime({ at: step[1], databasePath: db, demo: false });
    try {
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    } finally {
      rt.close();
    }
    return { code: 0, err: '' };
  }
  let err = '';
  const code = await main(step.slice(1), { out: () => undefined, err: (s) => (err += `${s}\n`), env: { DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH, LOG_LEVEL: 'silent' }, stdin: process.stdin, stdout: process.stdout });
  return { code, err };
}

/**
 * Runs `step` on a copy of the database as it is, uncrashed; then kills it on the database
 * itself as it writes its entry of `kind` (leaving nothing, see killLeavesNothing); then runs
 * it again there, uncrashed, and once more: the ledger records what the uncrashed step did,
 * once. Returns that.
 */
async function crashThenRedo(db: string, kind: string, step: string[]): Promise<string[]> {
  const copy = `${db}.uncrashed`;
  copyFileSync(db, copy);
  const seq = headSeq(db);
  expect(await redo(copy, step)).toEqual({ code: 0, err: '' });
  const once = entriesAfter(copy, seq);
  expect(once.length).toBeGreaterThan(0);
  await killLeavesNothing(db, kind, step);
  expect(await redo(db, step)).toEqual({ code: 0, err: '' });
  await redo(db, step);
  expect(entriesAfter(db, seq)).toEqual(once);
  verifies(db);
  return once;
}

describe('a step killed (SIGKILL) as it writes its ledger entry leaves nothing of itself; done again, it is done once', () => {
  it('a tick firing an SLA case’s reminders and its breach (one group of timers): killed as it escalates the case', async () => {
    const db = join(dir, 'sla.db');
    const rt = testRuntime({ at: '2026-11-20T15:00:00Z', databasePath: db });
    const d = openArbitratedCase(rt);
    rt.close();
    expect(await crashThenRedo(db, 'dispute.escalated', ['tick', '2026-11-25T15:00:00Z'])).toEqual([expect.stringMatching(/^dispute\.escalated dispute:1 /)]);
    const check = testRuntime({ at: '2026-11-25T15:00:00Z', databasePath: db, demo: false });
    try {
      expect(check.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      expect(check.db.sqlite.prepare("SELECT kind, status FROM timers WHERE subject = 'dispute:1' AND due_at <= ? ORDER BY id").all(Date.parse('2026-11-25T15:00:00Z'))).toEqual([
        { kind: 'sla.reminder', status: 'fired' },
        { kind: 'sla.reminder', status: 'fired' },
        { kind: 'sla.breach', status: 'fired' },
      ]);
    } finally {
      check.close();
    }
  }, 30_000);

  it('a tick of the claims’ lifecycle (one group of timers): killed as a claim goes dormant, another’s expiry written before', async () => {
    const db = join(dir, 'lifecycle.db');
    const rt = testRuntime({ at: '2026-11-20T15:00:00Z', databasePath: db });
    tick(rt.db, rt.deps, new Date('2027-01-10T15:00:00Z'), rt.logger);
    rt.close();
    const once = await crashThenRedo(db, 'claim.dormant', ['tick', '2027-01-20T15:00:00Z']);
    expect(once.map((e) => e.split(' ')[0])).toEqual(['claim.expired', 'claim.dormant', 'claim.dormant']);
  }, 30_000);

  it('roe partner close --yes: killed as it records the partner closed, its claims closed and its case looked at again before', async () => {
    const db = join(dir, 'close.db');
    const rt = testRuntime({ databasePath: db });
    openArbitratedCase(rt);
    rt.close();
    const once = await crashThenRedo(db, 'partner.closed', ['roe', 'partner', 'close', 'northwind', '--yes']);
    expect(once.at(-1)).toMatch(/^partner\.closed partner:northwind /);
    expect(once.length).toBeGreaterThan(2);
  }, 30_000);

  it('roe import claims: killed as it records its first claim', async () => {
    const db = join(dir, 'import.db');
    testRuntime({ databasePath: db }).close();
    const file = join(dir, 'claims.csv');
    writeFileSync(file, 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at,last_activity_at\nCRM-1,hooli,fabrikam,resell,Services,Hooli deal,qualified,protected,2026-11-20,\nCRM-2,muller,contoso,resell,Services,Muller deal,qualified,protected,2026-11-21,\n');
    const once = await crashThenRedo(db, 'claim.imported', ['roe', 'import', 'claims', file]);
    expect(once.filter((e) => e.startsWith('claim.imported '))).toHaveLength(2);
  }, 30_000);

  it('roe forget: killed as it records the forget', async () => {
    const db = join(dir, 'forget.db');
    const rt = testRuntime({ databasePath: db });
    openArbitratedCase(rt);
    rt.close();
    expect(await crashThenRedo(db, 'user.forgotten', ['roe', 'forget', 'console:northwind-user'])).toEqual([expect.stringMatching(/^user\.forgotten privacy /)]);
  }, 30_000);

  it('the upgrade of a database an earlier release made (its migrations, one transaction): killed as it records the last of them, every other written before', async () => {
    // As the earlier release left it: the first 12 migrations, and its rows.
    const folder = join(dir, 'migrations-12');
    cpSync(join(ROOT, 'db/migrations'), folder, { recursive: true });
    const journalPath = join(folder, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
    writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 12) }));
    const db = join(dir, 'upgrade.db');
    const older = new Database(db);
    older.pragma('journal_mode = WAL');
    migrate(drizzle(older), { migrationsFolder: folder });
    older.prepare("INSERT INTO partners (id, name, tier, updated_at) VALUES ('northwind', 'Northwind', 'gold', 0)").run();
    older.close();
    const pending = journal.entries.length - 12;
    expect(pending).toBeGreaterThan(1);
    const before = snapshot(db);
    const killed = await killedAt(db, `sql:${pending}:("hash", "created_at") VALUES(`, ['open']);
    expect({ signal: killed.signal, err: killed.err }).toEqual({ signal: 'SIGKILL', err: '' });
    expect(snapshot(db), 'killed during the upgrade, the database is not as the earlier release left it').toEqual(before);
    // The next start does it again, whole.
    const opened = openDatabase(db);
    try {
      expect(opened.sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get()).toBe(journal.entries.length);
      expect(opened.sqlite.prepare('SELECT id FROM partners').pluck().all()).toEqual(['northwind']);
    } finally {
      opened.close();
    }
  }, 30_000);
});
