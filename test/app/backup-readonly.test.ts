import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-backup-ro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const roe = (db: string, args: string[]) => {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

it('a backup is one self-contained file, and checking it (verify, stats, export) leaves it exactly as it was', () => {
  const live = join(dir, 'roe.db');
  testRuntime({ databasePath: live }).close();
  const backup = join(dir, 'archive', 'roe-backup.db');
  expect(roe(live, ['backup', backup])).toMatchObject({ code: 0 });
  // Rollback-journal mode: nothing beside it is needed to read it.
  const sq = new Database(backup, { readonly: true });
  expect(sq.pragma('journal_mode', { simple: true })).toBe('delete');
  sq.close();
  const bytes = readFileSync(backup);
  expect(roe(backup, ['ledger', 'verify'])).toMatchObject({ code: 0, out: expect.stringMatching(/^ledger OK: \d+ entries/) });
  expect(roe(backup, ['stats', '--format', 'json']).code).toBe(0);
  expect(roe(backup, ['export', '--partner', 'contoso']).code).toBe(0);
  expect(roe(backup, ['outbox']).code).toBe(0);
  expect(readFileSync(backup).equals(bytes)).toBe(true);
  expect([existsSync(`${backup}-wal`), existsSync(`${backup}-shm`)]).toEqual([false, false]);
});
