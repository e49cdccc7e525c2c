import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseFileError, openDatabase } from '../../db/client.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-schema-version-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database of this release, then changed by `change` from outside. */
function databaseWith(name: string, change: (sqlite: Database.Database) => void): string {
  const path = join(dir, name);
  openDatabase(path).close();
  const sqlite = new Database(path);
  change(sqlite);
  sqlite.close();
  return path;
}

describe('the schema a database was made with', () => {
  it('a migration later than this release knows is refused with DatabaseFileError, in one line naming the file', () => {
    const path = databaseWith('later.db', (sqlite) => {
      const newest = sqlite.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() as number;
      sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('e'.repeat(64), newest + 86_400_000);
    });
    expect(() => openDatabase(path)).toThrow(DatabaseFileError);
    expect(() => openDatabase(path)).toThrow(/^DATABASE_PATH: .+later\.db was made by a newer release of roe-bot \(schema of \d{4}-\d\d-\d\d; this release knows up to \d{4}-\d\d-\d\d\); run that release, or restore a backup made by this one$/);
  });

  it('the same migrations recorded with other hashes (files checked out with CRLF line endings) still open', () => {
    const path = databaseWith('crlf.db', (sqlite) => sqlite.exec("UPDATE __drizzle_migrations SET hash = 'crlf-' || hash"));
    const db = openDatabase(path);
    expect(db.sqlite.prepare('SELECT count(*) FROM partners').pluck().get()).toBe(0);
    db.close();
  });
});
