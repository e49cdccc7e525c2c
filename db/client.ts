import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
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

/** The file at DATABASE_PATH is not a SQLite database (or not one this bot can open). */
export class DatabaseFileError extends Error {}

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas the bot relies on (WAL,
 * busy_timeout, foreign_keys) and applies every pending migration. `:memory:` works for tests.
 */
export function openDatabase(path: string): OpenDb {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
  } catch (e) {
    sqlite.close();
    if ((e as { code?: string }).code === 'SQLITE_NOTADB') throw new DatabaseFileError(`DATABASE_PATH: ${path} is not a SQLite database`);
    throw e;
  }
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
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
