import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { roeOn } from '../support/cli.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-upgrade-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A database with the demo's claims, cases, timers, outbox and ledger, as the release before
 * the latest migration (0017: the cases' joined_flagged column) left it, in WAL mode as the bot keeps it or in
 * rollback-journal mode as `roe backup` writes it.
 */
function earlierRelease(name: string, journal: 'wal' | 'delete'): string {
  const path = join(dir, name);
  testRuntime({ databasePath: path }).close();
  const sqlite = new Database(path);
  sqlite.exec('ALTER TABLE disputes DROP COLUMN joined_flagged');
  sqlite.exec('DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)');
  sqlite.pragma(`journal_mode = ${journal}`);
  sqlite.close();
  return path;
}

/** What an earlier release looks at to open a file: the migrations recorded, and whether the cases have the latest one's column. */
function schemaOf(path: string): { migrations: number; latestColumn: boolean } {
  const sqlite = new Database(path, { readonly: true });
  try {
    return {
      migrations: sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number,
      latestColumn: (sqlite.prepare("SELECT count(*) FROM pragma_table_info('disputes') WHERE name = 'joined_flagged'").pluck().get() as number) === 1,
    };
  } finally {
    sqlite.close();
  }
}

const journal = JSON.parse(readFileSync(join(import.meta.dirname, '../../db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
const EARLIER = { migrations: journal.entries.length - 1, latestColumn: false };

describe('backups across an upgrade', () => {
  it('a backup of a database an earlier release made is copied as it is: neither is upgraded, so the earlier release still restores it', () => {
    // `git pull` done, the earlier release's bot still running: the backup taken before restarting it.
    const live = earlierRelease('live.db', 'wal');
    const backup = join(dir, 'before-upgrade.db');
    expect(roeOn(live, ['backup', backup])).toMatchObject({ code: 0, err: '', out: expect.stringContaining(`backup written to ${backup}`) });
    expect(schemaOf(live)).toEqual(EARLIER);
    expect(schemaOf(backup)).toEqual(EARLIER);
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare('SELECT count(*) FROM claims').pluck().get()).toBeGreaterThan(0);
    copy.close();
  });

  it("checking an earlier release's backup (ledger verify, stats, export) leaves it byte for byte as it was, and no copy behind", () => {
    const backup = earlierRelease('earlier-backup.db', 'delete');
    const bytes = readFileSync(backup);
    const copies = () => readdirSync(tmpdir()).filter((f) => f.startsWith('roe-upgraded-'));
    const before = copies();
    expect(roeOn(backup, ['ledger', 'verify'])).toMatchObject({ code: 0, err: '', out: expect.stringMatching(/^ledger OK: \d+ entries/) });
    expect(roeOn(backup, ['stats', '--format', 'json'])).toMatchObject({ code: 0, err: '' });
    expect(roeOn(backup, ['export', '--partner', 'contoso'])).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(backup).equals(bytes)).toBe(true);
    expect([existsSync(`${backup}-wal`), existsSync(`${backup}-shm`)]).toEqual([false, false]);
    expect(schemaOf(backup)).toEqual(EARLIER);
    expect(copies()).toEqual(before);
  });

  it('a command that only reads, run on the bot\u2019s own database after `git pull` but before the bot restarts, leaves it in the earlier release\u2019s schema', () => {
    // The earlier release's bot still runs on it: brought up to date under it, it would meet a schema it does not know.
    const live = earlierRelease('live-read.db', 'wal');
    expect(roeOn(live, ['ledger', 'verify'])).toMatchObject({ code: 0, err: '', out: expect.stringMatching(/^ledger OK: \d+ entries/) });
    expect(roeOn(live, ['stats', '--format', 'json'])).toMatchObject({ code: 0, err: '' });
    expect(roeOn(live, ['outbox'])).toMatchObject({ code: 0, err: '' });
    expect(schemaOf(live)).toEqual(EARLIER);
  });
});
