/**
 * The database holds people's names and chat ids, and every partner's deals: its files (the
 * database, its -wal and -shm files, a backup, and the who-owns index beside it, which lists
 * every account) are made readable by the bot's own account alone,
 * whatever the umask, so that another account of the host cannot read them. A file that exists
 * keeps the mode it was given.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Who else may read or write a file: its mode's group and other bits, as `ls -l` shows them. */
const others = (f: string) => (statSync(f).mode & 0o077).toString(8).padStart(3, '0');

describe('the database files', () => {
  it('a new database, its -wal and -shm files and its account index are the bot account’s alone', () => {
    const db = join(dir, 'new', 'roe.db');
    const rt = testRuntime({ databasePath: db });
    try {
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(existsSync(`${db}.matcher`)).toBe(true);
      expect({ db: others(db), wal: others(`${db}-wal`), shm: others(`${db}-shm`), index: others(`${db}.matcher`) }).toEqual({ db: '000', wal: '000', shm: '000', index: '000' });
    } finally {
      rt.close();
    }
  });

  it('a database file that exists keeps the mode it was given (an empty file made a roe database too)', () => {
    const db = join(dir, 'shared.db');
    writeFileSync(db, '');
    chmodSync(db, 0o640);
    testRuntime({ databasePath: db }).close();
    expect((statSync(db).mode & 0o777).toString(8)).toBe('640');
  });

  it('roe backup writes a copy only the bot’s account may read', () => {
    const db = join(dir, 'source.db');
    testRuntime({ databasePath: db }).close();
    const copy = join(dir, 'backups', 'copy.db');
    const r = spawnSync(join(ROOT, 'bin/roe.js'), ['backup', copy], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
    expect(r.stdout).toContain('backup written to');
    expect(others(copy)).toBe('000');
  });
});
