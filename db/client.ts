import { closeSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenDb {
  sqlite: Database.Database;
  db: Db;
  close(): void;
}

const versionStatements = new WeakMap<Database.Database, Database.Statement>();

/**
 * SQLite's `data_version`: it changes when another connection (another process) has committed
 * to the database file since this connection last asked, never for this connection's own commits.
 */
export function dataVersion(sqlite: Database.Database): number {
  let st = versionStatements.get(sqlite);
  if (!st) {
    st = sqlite.prepare('PRAGMA data_version').pluck();
    versionStatements.set(sqlite, st);
  }
  return st.get() as number;
}

/**
 * The file at DATABASE_PATH cannot be used as the bot's database: not a SQLite file, a damaged
 * one, another application's database, an empty one where one must exist, or one a newer release
 * made. The message is one line starting `DATABASE_PATH: <path>`.
 */
export class DatabaseFileError extends Error {}

/** Pages written to the WAL between automatic checkpoints (SQLite's default is 1,000). */
export const WAL_CHECKPOINT_PAGES = 8192;
/** The size the WAL file is cut back to after a checkpoint, when it grew larger. */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Copies what the WAL holds back into the database file without waiting for anyone (PASSIVE:
 * what a reader still needs stays for the next time). True when it could not run at all
 * (busy: another connection was checkpointing), which SQLite reports rather than throws.
 */
export function checkpointPassive(sqlite: Database.Database): boolean {
  const row = sqlite.pragma('wal_checkpoint(PASSIVE)') as { busy: number }[];
  return row[0]?.busy === 1;
}

/** The better-sqlite3 connection under a drizzle database (for what drizzle does not do: a pragma, a prepared statement kept). */
export function sqliteOf(db: Db): Database.Database {
  return (db as Db & { $client: Database.Database }).$client;
}

/** How long a connection waits for a write lock another one holds, unless told otherwise below. */
export const BUSY_TIMEOUT_MS = 5000;

/** Each connection's busy_timeout as last set here, and a prepared statement per value set. */
const busyTimeouts = new WeakMap<Database.Database, number>();
const busyStatements = new WeakMap<Database.Database, Map<number, Database.Statement>>();

function setBusyTimeout(sqlite: Database.Database, ms: number): void {
  let statements = busyStatements.get(sqlite);
  if (!statements) busyStatements.set(sqlite, (statements = new Map()));
  let st = statements.get(ms);
  if (!st) statements.set(ms, (st = sqlite.prepare(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`)));
  st.get();
  busyTimeouts.set(sqlite, ms);
}

function busyTimeoutOf(sqlite: Database.Database): number {
  return busyTimeouts.get(sqlite) ?? (sqlite.pragma('busy_timeout', { simple: true }) as number);
}

/**
 * Runs `fn` waiting at most `ms` for a write lock another connection (another process, such as
 * an import) holds, instead of the connection's busy_timeout of seconds: background work on the
 * thread that also answers HTTP requests gets SQLITE_BUSY soon and tries again later, rather
 * than stalling every request meanwhile.
 */
export function withBusyTimeout<T>(sqlite: Database.Database, ms: number, fn: () => T): T {
  const before = busyTimeoutOf(sqlite);
  if (before === ms) return fn();
  setBusyTimeout(sqlite, ms);
  try {
    return fn();
  } finally {
    setBusyTimeout(sqlite, before);
  }
}

/** {@link withBusyTimeout} that only ever shortens the wait: a caller already waiting less (the scheduler's tick) keeps its own. */
export function waitingAtMost<T>(sqlite: Database.Database, ms: number, fn: () => T): T {
  return busyTimeoutOf(sqlite) <= ms ? fn() : withBusyTimeout(sqlite, ms, fn);
}

/**
 * Whether SQLite gave up waiting for a lock another connection holds (SQLITE_BUSY, SQLITE_LOCKED,
 * and their extended codes), also when the error reports it as its cause (the store's refusal
 * of a write it could not start).
 */
export function isBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (/^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Where drizzle records the migrations applied; a roe database always has it. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

let migrationFiles: MigrationMeta[] | undefined;
/** This release's migrations (db/migrations and its journal), read once. */
const knownMigrations = (): MigrationMeta[] => (migrationFiles ??= readMigrationFiles({ migrationsFolder: MIGRATIONS }));

const day = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : 'an unknown date');

/**
 * The tables in the file, as one line naming the file when it cannot be read as a database
 * (SQLITE_NOTADB: not SQLite at all; SQLITE_CORRUPT: damaged, such as a copy cut short).
 */
function tablesOf(sqlite: Database.Database, path: string): string[] {
  try {
    return sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') throw new DatabaseFileError(`DATABASE_PATH: ${path} is not a SQLite database`);
    if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) throw new DatabaseFileError(`DATABASE_PATH: ${path} is damaged or not a roe database (${(e as Error).message}); restore a backup`);
    throw e;
  }
}

/** Refuses tables without roe's migrations table: another application's database is never migrated into ours. */
function refuseOtherDatabase(tables: string[], path: string): void {
  if (tables.length === 0 || tables.includes(MIGRATIONS_TABLE)) return;
  const names = tables.length > 3 ? `${tables.slice(0, 3).join(', ')}, …` : tables.join(', ');
  throw new DatabaseFileError(`DATABASE_PATH: ${path} is another application's database, not a roe database (tables: ${names}); check DATABASE_PATH`);
}

/**
 * Refuses a database a newer release has migrated: drizzle would apply nothing to it (its newest
 * migration is later than ours) and the bot would then write rows the newer schema does not
 * expect. Newer means a migration later than this release's newest one, or one it does not have
 * at all: neither its date nor its hash is in db/migrations (either is enough to know one, since
 * a checkout that turned the files' line endings to CRLF changes their hashes, not their dates).
 */
function refuseNewerSchema(sqlite: Database.Database, path: string): void {
  const applied = sqlite.prepare(`SELECT hash, created_at AS at FROM ${MIGRATIONS_TABLE}`).all() as { hash: string; at: unknown }[];
  const known = knownMigrations();
  const newest = Math.max(...known.map((m) => m.folderMillis));
  const hashes = new Set(known.map((m) => m.hash));
  const dates = new Set(known.map((m) => m.folderMillis));
  const unknown = applied.map((m) => ({ ...m, at: Number(m.at) })).filter((m) => m.at > newest || (!hashes.has(m.hash) && !dates.has(m.at)));
  if (unknown.length === 0) return;
  const latest = Math.max(...unknown.map((m) => m.at));
  throw new DatabaseFileError(`DATABASE_PATH: ${path} was made by a newer release of roe-bot (schema of ${day(latest)}; this release knows up to ${day(newest)}); run that release, or restore a backup made by this one`);
}

/**
 * For the commands that must not create the database (they read it, or change existing data):
 * refuses a file that holds no roe database, in one line naming it: an empty file (0 bytes, or
 * no tables), another application's SQLite database, or one that is damaged. It only reads: the
 * file is left as it was (not migrated, not turned to WAL).
 */
export function requireRoeDatabase(path: string): void {
  if (path === ':memory:') return;
  if (holdsNoTables(path)) throw new DatabaseFileError(`DATABASE_PATH: ${path} is empty, not a roe database (run npx roe serve, npm start or an import first)`);
}

/**
 * Whether the file holds no tables yet (0 bytes, or an empty SQLite database): one that opening
 * would make a roe database. Another application's database and a damaged file are refused, as
 * {@link requireRoeDatabase} refuses them. It only reads: the file is left as it was.
 */
export function holdsNoTables(path: string): boolean {
  const sqlite = new Database(path, { fileMustExist: true });
  try {
    const tables = tablesOf(sqlite, path);
    refuseOtherDatabase(tables, path);
    return tables.length === 0;
  } finally {
    sqlite.close();
  }
}

/** Whether a database file is in WAL mode: its header's read and write versions are 2. */
function inWalMode(path: string): boolean {
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
  } finally {
    closeSync(fd);
  }
}

/**
 * A roe database opened for reading only: a command that only reads (`roe ledger verify` of a
 * backup) leaves the file as it was, and works where it may not write (a read-only folder). One
 * an earlier release made is read from an up-to-date copy (see upgradedCopy): a backup, or the
 * bot's own database after `git pull`, its earlier release's bot still running on it. Null when
 * it must be opened as always: an up-to-date file in WAL mode, or one that holds no roe database yet.
 */
function openReadOnly(path: string): OpenDb | null {
  // A file in WAL mode (the bot's own) is looked at as openAsIs does, and nothing is written to
  // it here; a backup is in rollback-journal mode (see roe backup), opened for reading only.
  const sqlite = openAsIs(path);
  try {
    if (!tablesOf(sqlite, path).includes(MIGRATIONS_TABLE)) {
      sqlite.close();
      return null;
    }
    const applied = new Set((sqlite.prepare(`SELECT created_at AS at FROM ${MIGRATIONS_TABLE}`).all() as { at: unknown }[]).map((m) => Number(m.at)));
    if (!knownMigrations().every((m) => applied.has(m.folderMillis))) {
      // A backup an earlier release made, or the bot's own database with that release's bot still
      // running on it: brought up to date in a copy, never in itself, which that release could then
      // no longer open (to go back to it, the backup is what is restored), nor its bot expect.
      const copy = upgradedCopy(sqlite);
      sqlite.close();
      return copy;
    }
  } catch (e) {
    if (sqlite.open) sqlite.close();
    throw e;
  }
  // Up to date and in WAL mode: opened as always.
  if (!sqlite.readonly) {
    sqlite.close();
    return null;
  }
  return { sqlite, db: drizzle(sqlite, { schema }), close: () => sqlite.close() };
}

/**
 * A database of an earlier release, copied (VACUUM INTO: one consistent read, only the pages in
 * use) to a private folder under the system's temporary one and brought up to date there: what
 * the commands that only read work on. The copy is deleted when it is closed.
 */
function upgradedCopy(sqlite: Database.Database): OpenDb {
  const folder = mkdtempSync(join(tmpdir(), 'roe-upgraded-'));
  const remove = () => rmSync(folder, { recursive: true, force: true });
  try {
    const path = join(folder, 'roe.db');
    sqlite.prepare('VACUUM INTO ?').run(path);
    const copy = openDatabase(path);
    return { ...copy, close: () => (copy.close(), remove()) };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * The database file as it is, for `roe backup` to copy: nothing is written to it (a database an
 * earlier release made is not brought up to date, nor a backup's journal mode changed), so the
 * copy is what that release can restore, and the bot running on the file meanwhile finds it as
 * it left it. Refuses, as openDatabase does, a file that holds another application's database,
 * a damaged one, or one a newer release made.
 */
export function openAsIs(path: string): Database.Database {
  // A file in WAL mode is read through its -wal and -shm files, which a read-only connection
  // may not be able to make; any other file opens for reading only (a backup of a backup, in a
  // folder nobody may write to).
  const sqlite = new Database(path, { fileMustExist: true, readonly: !inWalMode(path) });
  try {
    const tables = tablesOf(sqlite, path);
    refuseOtherDatabase(tables, path);
    if (tables.includes(MIGRATIONS_TABLE)) refuseNewerSchema(sqlite, path);
  } catch (e) {
    sqlite.close();
    throw e;
  }
  setBusyTimeout(sqlite, BUSY_TIMEOUT_MS);
  return sqlite;
}

/**
 * Makes `path` an empty file readable and writable by this process's account alone (0600),
 * unless something is there already: the database holds people's names and chat ids and every
 * partner's deals, and SQLite would make it readable by all (0644 under the usual umask). SQLite
 * gives the -wal and -shm files the database file's mode. A file that cannot be made here is left
 * for SQLite to open, which says why it cannot.
 */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    // There already (its mode is the admin's to choose), or not to be made: SQLite names the problem.
  }
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas the bot relies on (WAL,
 * busy_timeout, foreign_keys) and applies every pending migration. `:memory:` works for tests.
 * A new or empty file becomes a roe database; another application's database, a damaged file
 * and one a newer release made are refused (DatabaseFileError) before anything is written.
 * With `readOnly`, a database an earlier release made (a backup, or the bot's own before it is
 * restarted on this release) is read from an up-to-date copy, and any other not in WAL mode (a
 * backup) opened for reading only (see openReadOnly); any other as always.
 */
export function openDatabase(path: string, { readOnly = false } = {}): OpenDb {
  if (readOnly && path !== ':memory:') {
    const db = openReadOnly(path);
    if (db) return db;
  }
  if (path !== ':memory:') {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    createPrivateFile(path);
  }
  const sqlite = new Database(path);
  try {
    const tables = tablesOf(sqlite, path);
    refuseOtherDatabase(tables, path);
    if (tables.includes(MIGRATIONS_TABLE)) refuseNewerSchema(sqlite, path);
    sqlite.pragma('journal_mode = WAL');
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new DatabaseFileError(`DATABASE_PATH: ${path} is not a SQLite database`);
    throw e;
  }
  setBusyTimeout(sqlite, BUSY_TIMEOUT_MS);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // A checkpoint copies what the WAL holds back into the database file and syncs both. SQLite's
  // default runs one every 1,000 pages written; every 8,192 pages (32 MiB) a page that many
  // transactions in a row write (the ledger's last page, an index's) is copied once for all of
  // them, and the syncs come eight times less often. After a checkpoint the WAL file is cut back
  // to 64 MiB: a large import's WAL does not keep its size on disk.
  sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  // Space a delete or an update frees within a page is zeroed (FAST: at no extra write), so an
  // old copy of a row (a profile saved again) is not left there for roe forget to miss.
  sqlite.pragma('secure_delete = FAST');
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder: MIGRATIONS });
  } catch (first) {
    // Two processes upgrading at once both find a migration pending; the second one's
    // transaction fails once the first has applied it (and was rolled back whole). Looking again
    // finds nothing left to do; a migration that is itself broken fails again, and says so.
    try {
      migrate(db, { migrationsFolder: MIGRATIONS });
    } catch {
      sqlite.close();
      throw first;
    }
  }
  return { sqlite, db, close: () => sqlite.close() };
}

/** How many entries a database's ledger holds and its head (the last entry's hash); null for a ledger with none. */
export function ledgerHeadOf(sqlite: Database.Database): { entries: number; head: string } | null {
  const last = sqlite.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  return last ? { entries: last.seq, head: last.hash } : null;
}

/**
 * Takes the database at `path` out of use, for `roe restore` to put a backup in its place:
 * what its -wal file holds is written back into it and the -wal and -shm files are removed
 * (journal mode DELETE), which SQLite does only when no other connection has the file open, so
 * a bot still running on it is refused (DatabaseFileError). Left beside the backup put in its
 * place, that -wal file would be read as the backup's own: what the database held after the
 * backup would come back over it, or its pages mixed with the backup's. Another application's
 * database is refused too. Returns its ledger's size and head, null when it has none; undefined
 * when the file cannot be read as a database (damaged: it is replaced whole).
 */
export function retireDatabase(path: string): { entries: number; head: string } | null | undefined {
  const sqlite = new Database(path, { fileMustExist: true });
  try {
    let tables: string[];
    try {
      tables = tablesOf(sqlite, path);
    } catch (e) {
      if (e instanceof DatabaseFileError) return undefined;
      throw e;
    }
    refuseOtherDatabase(tables, path);
    setBusyTimeout(sqlite, 0);
    try {
      sqlite.pragma('journal_mode = DELETE');
    } catch (e) {
      if (isBusy(e)) throw new DatabaseFileError(`DATABASE_PATH: ${path} is open in another process (the bot?): stop it, then restore`);
      throw e;
    }
    if (!tables.includes('ledger')) return null;
    try {
      return ledgerHeadOf(sqlite);
    } catch (e) {
      if (/^SQLITE_(CORRUPT|NOTADB)/.test(String((e as { code?: unknown }).code))) return undefined;
      throw e;
    }
  } finally {
    sqlite.close();
  }
}
