import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { ROOT } from '../support/builders.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A database file with only the first `n` migrations applied, as an older release left it. */
function olderDatabase(dir: string, n: number): string {
  const folder = join(dir, 'migrations');
  cpSync(join(ROOT, 'db/migrations'), folder, { recursive: true });
  const journalPath = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, n) }));
  const path = join(dir, 'roe.db');
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return path;
}

/** Opens the database in a child process, as `roe serve` or a CLI command does; resolves with its exit code and output. */
function openInChild(path: string): Promise<{ code: number | null; out: string }> {
  const code = `import { openDatabase } from ${JSON.stringify(join(ROOT, 'db/client.ts'))}; openDatabase(${JSON.stringify(path)}).close(); console.log('opened');`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (c) => resolve({ code: c, out }));
  });
}

describe('migrations', () => {
  it('a database of an older release is brought up to date, keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 2);
    const before = new Database(path);
    before.prepare("INSERT INTO partners (id, name, tier, updated_at) VALUES ('northwind', 'Northwind', 'gold', 0)").run();
    before.close();
    const db = openDatabase(path);
    const columns = (db.sqlite.prepare("SELECT name FROM pragma_table_info('disputes')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('raised_as');
    expect(db.sqlite.prepare('SELECT id FROM partners').all()).toEqual([{ id: 'northwind' }]);
    db.close();
  });

  it('two processes upgrading the same database at once both start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 2);
    // Hold the write lock while both start, so that both find the same migrations pending.
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const both = Promise.all([openInChild(path), openInChild(path)]);
    await new Promise((r) => setTimeout(r, 1_500));
    holder.exec('COMMIT');
    holder.close();
    const results = await both;
    for (const r of results) expect(r, r.out).toEqual({ code: 0, out: 'opened\n' });
    const db = openDatabase(path);
    expect((db.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe((JSON.parse(readFileSync(join(ROOT, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length);
    db.close();
  });
});
