import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-dbfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npx roe …` exactly as an admin types it. */
function roe(args: string[], db: string) {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** {@link roe}, run while the test goes on (holding a lock, say). */
function roeLater(args: string[], db: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((ok) => child.on('close', (code) => ok({ code, out, err })));
}

/** `npm start` (no chat credentials: the console, with nothing typed). */
function npmStart(db: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/start.js')], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, input: '', timeout: 60_000 });
  return { code: r.status, err: r.stderr };
}

/** A database of this release with some data (a case, its claims, ledger entries). */
function roeDatabase(name: string): string {
  const db = join(dir, name);
  const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
  openArbitratedCase(rt);
  rt.close();
  return db;
}

const journal = JSON.parse(readFileSync(join(ROOT, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: { when: number }[] };
const newestWhen = Math.max(...journal.entries.map((e) => e.when));
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The file's bytes and whether it has -wal or -shm files beside it: what "left as it was" means. */
const state = (file: string) => ({ bytes: readFileSync(file).toString('base64'), wal: existsSync(`${file}-wal`), shm: existsSync(`${file}-shm`) });

/** Every command that reads the database or changes existing data, and must not create it. */
const EXISTING_ONLY = (backupTo: string): string[][] => [
  ['ledger', 'verify'],
  ['ledger', 'export', '--format', 'csv'],
  ['stats'],
  ['outbox'],
  ['outbox', 'retry', '--all'],
  ['export', '--partner', 'contoso'],
  ['forget', 'console:northwind-user'],
  ['backup', backupTo],
];

describe('a database made by a newer release', () => {
  it('is refused in one line by every command and by npm start, and nothing is written to it', () => {
    const db = roeDatabase('newer.db');
    const later = newestWhen + 3 * 86_400_000;
    const sqlite = new Database(db);
    sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('f'.repeat(64), later);
    sqlite.close();
    const before = state(db);
    const line = `DATABASE_PATH: ${db} was made by a newer release of roe-bot (schema of ${day(later)}; this release knows up to ${day(newestWhen)}); run that release, or restore a backup made by this one\n`;
    for (const args of [['ledger', 'verify'], ['stats'], ['import', 'partners', join(ROOT, 'examples/partners.csv')], ['forget', 'console:northwind-user'], ['console']]) {
      expect(roe(args, db), args.join(' ')).toEqual({ code: 1, out: '', err: line });
    }
    expect(npmStart(db)).toEqual({ code: 1, err: line });
    expect(state(db)).toEqual(before);
  });

  it('is refused when it holds a migration this release does not have, whatever its date', () => {
    const db = roeDatabase('unknown-migration.db');
    const when = journal.entries[3]!.when + 1; // between two of ours: from another line of releases
    const sqlite = new Database(db);
    sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('0'.repeat(64), when);
    sqlite.close();
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 1, out: '', err: expect.stringMatching(new RegExp(`^DATABASE_PATH: .+ was made by a newer release of roe-bot \\(schema of ${day(when)};`)) });
  });

  it('one of this release is opened as before', () => {
    const db = roeDatabase('current.db');
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: ') });
  });
});

describe('a file that holds no roe database', () => {
  it('an empty file is refused by the commands that do not create the database, and left empty; an import makes it a database', () => {
    const db = join(dir, 'empty.db');
    writeFileSync(db, '');
    const backup = join(dir, 'backup-of-empty.db');
    for (const args of EXISTING_ONLY(backup)) {
      expect(roe(args, db), args.join(' ')).toEqual({ code: 1, out: '', err: `DATABASE_PATH: ${db} is empty, not a roe database (run npx roe serve, npm start or an import first)\n` });
    }
    expect(state(db)).toEqual({ bytes: '', wal: false, shm: false });
    expect(existsSync(backup)).toBe(false);
    expect(roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db)).toMatchObject({ code: 0, out: expect.stringContaining('3 partners added') });
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 2 entries') });
  });

  it("another application's SQLite database is refused by every command and by npm start, and left as it was", () => {
    const db = join(dir, 'notes-app.db');
    const other = new Database(db);
    other.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('buy milk'); CREATE TABLE tags (name TEXT)");
    other.close();
    const before = state(db);
    const line = `DATABASE_PATH: ${db} is another application's database, not a roe database (tables: notes, tags); check DATABASE_PATH\n`;
    for (const args of [...EXISTING_ONLY(join(dir, 'backup-of-notes.db')), ['import', 'partners', join(ROOT, 'examples/partners.csv')], ['console']]) {
      expect(roe(args, db), args.join(' ')).toEqual({ code: 1, out: '', err: line });
    }
    expect(npmStart(db)).toEqual({ code: 1, err: line });
    expect(state(db)).toEqual(before);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('delete');
    sqlite.close();
  });
});

describe('a damaged database file', () => {
  const damaged = (args: string[], db: string) => ({ code: 1, out: '', err: `DATABASE_PATH: ${db} is damaged or not a roe database (database disk image is malformed); restore a backup\n`, args });

  it('a copy cut short is one line saying so, not an unexpected error', () => {
    const db = roeDatabase('whole.db');
    const cut = join(dir, 'cut-short.db');
    const bytes = readFileSync(db);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const args of [['ledger', 'verify'], ['stats'], ['backup', join(dir, 'backup-of-cut.db')], ['import', 'partners', join(ROOT, 'examples/partners.csv')]]) {
      expect({ ...roe(args, cut), args }).toEqual(damaged(args, cut));
    }
    expect(npmStart(cut)).toEqual({ code: 1, err: damaged([], cut).err });
  });

  it('a page found damaged while the command runs (the ledger) is the same one line', () => {
    const db = roeDatabase('bad-ledger.db');
    const sqlite = new Database(db);
    const root = (sqlite.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'ledger'").pluck().get() as number) - 1;
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
    sqlite.close();
    const bytes = readFileSync(db);
    bytes.fill(0xab, root * pageSize, (root + 1) * pageSize);
    writeFileSync(db, bytes);
    for (const args of [['ledger', 'verify'], ['ledger', 'export']]) expect({ ...roe(args, db), args }).toEqual(damaged(args, db));
  });
});

describe('a database whose write lock another process holds', () => {
  it('is one line saying it is busy and to try again, once the busy timeout is over', () => {
    const db = roeDatabase('busy.db');
    const holder = new Database(db);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const line = `DATABASE_PATH: ${db} is busy: another process (an import?) holds its write lock; try again when it is done\n`;
      expect(roe(['forget', 'console:northwind-user'], db)).toEqual({ code: 1, out: '', err: line });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // Nothing was forgotten: it can be done now.
    expect(roe(['forget', 'console:northwind-user'], db)).toMatchObject({ code: 0, out: expect.stringContaining('forgot console:northwind-user') });
  }, 30_000);

  it('an import waits for it as every command does (5 seconds), not the quarter of a second a chat request waits; held throughout, it is the same one line', async () => {
    const db = roeDatabase('busy-import.db');
    const partners = join(ROOT, 'examples/partners.csv');
    const holder = new Database(db);
    try {
      holder.exec('BEGIN IMMEDIATE');
      const importing = roeLater(['import', 'partners', partners], db);
      // Freed a while after the import asked for it: the import goes on.
      await new Promise((ok) => setTimeout(ok, 1500));
      holder.exec('COMMIT');
      const done = await importing;
      expect(done).toMatchObject({ code: 0, err: '' });
      expect(done.out).toMatch(/partners/);
      holder.exec('BEGIN IMMEDIATE');
      expect(await roeLater(['import', 'partners', partners], db)).toEqual({ code: 1, out: '', err: `DATABASE_PATH: ${db} is busy: another process (an import?) holds its write lock; try again when it is done\n` });
    } finally {
      if (holder.inTransaction) holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);
});
