import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { roeOn } from '../support/cli.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-backup-ro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


it('a backup is one self-contained file, and checking it (verify, stats, export) leaves it exactly as it was', () => {
  const live = join(dir, 'roe.db');
  testRuntime({ databasePath: live }).close();
  const backup = join(dir, 'archive', 'roe-backup.db');
  expect(roeOn(live, ['backup', backup])).toMatchObject({ code: 0 });
  // Rollback-journal mode: nothing beside it is needed to read it.
  const sq = new Database(backup, { readonly: true });
  expect(sq.pragma('journal_mode', { simple: true })).toBe('delete');
  sq.close();
  const bytes = readFileSync(backup);
  expect(roeOn(backup, ['ledger', 'verify'])).toMatchObject({ code: 0, out: expect.stringMatching(/^ledger OK: \d+ entries/) });
  expect(roeOn(backup, ['stats', '--format', 'json']).code).toBe(0);
  expect(roeOn(backup, ['export', '--partner', 'contoso']).code).toBe(0);
  expect(roeOn(backup, ['outbox']).code).toBe(0);
  expect(readFileSync(backup).equals(bytes)).toBe(true);
  expect([existsSync(`${backup}-wal`), existsSync(`${backup}-shm`)]).toEqual([false, false]);
});
