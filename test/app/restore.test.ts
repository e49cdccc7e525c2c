import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { roeOn } from '../support/cli.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-restore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `roe ledger verify`'s line: the number of entries and the head. */
const verified = (db: string) => roeOn(db, ['ledger', 'verify']).out.trim();

/** A database with the demo data, and a backup of it taken by `roe backup`. */
function liveAndBackup(name: string): { live: string; backup: string } {
  const live = join(dir, `${name}.db`);
  testRuntime({ databasePath: live }).close();
  const backup = join(dir, `${name}-backup.db`);
  expect(roeOn(live, ['backup', backup]).code).toBe(0);
  return { live, backup };
}

/** A bot that appends to the ledger and is killed before anything is copied back from its -wal file. */
function appendThenKilled(db: string, entries: number): void {
  const code = `
    import { openDatabase } from ${JSON.stringify(join(ROOT, 'db/client.ts'))};
    import { createStore } from ${JSON.stringify(join(ROOT, 'db/repos/store.ts'))};
    const db = openDatabase(${JSON.stringify(db)});
    db.sqlite.pragma('wal_autocheckpoint = 0');
    const store = createStore(db);
    for (let i = 0; i < ${entries}; i++) store.ledger.append({ at: new Date(), kind: 'claim.activity', subject: 'claim:1', actor: 'pat', policyVersion: '2026.1', payload: {} });
    process.kill(process.pid, 'SIGKILL');`;
  spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT });
}

describe('roe restore FILE', () => {
  it('over a database whose bot was killed, puts the backup in its place (never what its -wal file held), and says how far back it went', () => {
    const { live, backup } = liveAndBackup('killed');
    const atBackup = verified(backup);
    expect(atBackup).toMatch(/^ledger OK: 6 entries, head [0-9a-f]{16}$/);
    appendThenKilled(live, 3);
    expect(statSync(`${live}-wal`).size).toBeGreaterThan(0);
    // A mode the admin gave the database (a group that reads it) stays.
    chmodSync(live, 0o640);
    const r = roeOn(live, ['restore', backup]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^restored ${backup} to ${live}: the ledger has 6 entries, head [0-9a-f]{16}; the database it replaced had 9 \\(the 3 after entry 6 are not in the backup\\)\\n$`));
    expect(verified(live)).toBe(atBackup);
    expect([existsSync(`${live}-wal`), existsSync(`${live}-shm`), existsSync(`${live}.restoring`)]).toEqual([false, false, false]);
    expect(statSync(live).mode & 0o777).toBe(0o640);
    // The backup itself is left as it was.
    expect(verified(backup)).toBe(atBackup);
  });

  it('over a DATABASE_PATH that links to the database (kept on another volume), puts the backup in the database it links to, and the link stays', () => {
    const { live, backup } = liveAndBackup('linked');
    appendThenKilled(live, 2);
    const folder = join(dir, 'app', 'data');
    mkdirSync(folder, { recursive: true });
    const link = join(folder, 'roe.db');
    symlinkSync(live, link);
    const r = roeOn(link, ['restore', backup]);
    expect([r.err, r.code]).toEqual(['', 0]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(verified(live)).toBe(verified(backup));
    expect([existsSync(`${live}-wal`), existsSync(`${live}.restoring`), existsSync(`${link}.restoring`)]).toEqual([false, false, false]);
    // The backup named by the path it links to is the database itself.
    expect(roeOn(link, ['restore', live])).toEqual({ code: 1, out: '', err: `${live} is DATABASE_PATH itself: FILE is the backup to restore\n` });
  });

  it('over a DATABASE_PATH that links to a database lost with its volume’s file, puts the backup where the link points, and the link stays', () => {
    const { backup } = liveAndBackup('lost');
    const volume = join(dir, 'volume-lost', 'roe.db');
    const folder = join(dir, 'app-lost', 'data');
    mkdirSync(folder, { recursive: true });
    const link = join(folder, 'roe.db');
    symlinkSync(volume, link);
    const r = roeOn(link, ['restore', backup]);
    expect([r.err, r.code]).toEqual(['', 0]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(verified(volume)).toBe(verified(backup));
    expect(statSync(volume).mode & 0o777).toBe(0o600);
  });

  it('to a DATABASE_PATH where nothing is yet (a new host, a new folder), makes the database there, readable by the bot’s account alone', () => {
    const { backup } = liveAndBackup('moving');
    const moved = join(dir, 'new-host', 'data', 'roe.db');
    expect(roeOn(moved, ['restore', backup])).toEqual({ code: 0, err: '', out: expect.stringMatching(new RegExp(`^restored ${backup} to ${moved}: the ledger has 6 entries, head [0-9a-f]{16}\n$`)) });
    expect(verified(moved)).toBe(verified(backup));
    expect(statSync(moved).mode & 0o777).toBe(0o600);
  });

  it.runIf(process.platform === 'linux')('restored by another account than the bot’s (root, on a new host): the bot’s start says in one line that its account may not read the file, whose it is, and what to do', () => {
    const { backup } = liveAndBackup('restored-as-root');
    const data = join(dir, 'root-restored', 'data');
    const moved = join(data, 'roe.db');
    expect(roeOn(moved, ['restore', backup]).code).toBe(0);
    // The bot's account: another account when the test runs as root, else this one with the file's mode taken away.
    const asRoot = process.getuid!() === 0;
    const bot = asRoot ? 65534 : process.getuid!();
    chmodSync(dir, 0o755);
    if (asRoot) chownSync(data, bot, bot);
    else chmodSync(moved, 0o000);
    const name = spawnSync('id', ['-nu', String(bot)], { encoding: 'utf8' }).stdout.trim();
    // The other account must reach the project to run it: a checkout in a private folder (a
    // clean clone in `mktemp -d`, 0700) is let through (traverse only) for the run, then closed again.
    const closed = asRoot ? foldersAbove(ROOT).filter((f) => (statSync(f).mode & 0o001) === 0) : [];
    for (const f of closed) chmodSync(f, statSync(f).mode | 0o001);
    let start: SpawnSyncReturns<string>;
    try {
      start = spawnSync(join(ROOT, 'bin/roe.js'), ['serve'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: moved, LOG_LEVEL: 'warn' }, timeout: 60_000, ...(asRoot ? { uid: bot, gid: bot } : {}) });
    } finally {
      for (const f of closed) chmodSync(f, statSync(f).mode & ~0o001);
    }
    const whose = asRoot ? `it is root's (uid 0), mode 0600; chown it to ${name}` : `it is this account's, mode 0000; chmod u+rw ${moved}`;
    expect({ code: start.status, err: start.stderr }).toEqual({ code: 1, err: `DATABASE_PATH: cannot open ${moved} (the file cannot be read and written by this account, ${name} (uid ${bot}): ${whose})\n` });
    chmodSync(moved, 0o600);
  });

  it('is refused while another process (the bot) has the database open, which is left as it was', () => {
    const { live, backup } = liveAndBackup('running');
    const bot = new Database(live);
    bot.pragma('journal_mode = WAL');
    bot.prepare('SELECT count(*) FROM ledger').get();
    try {
      expect(roeOn(live, ['restore', backup])).toEqual({ code: 1, out: '', err: `DATABASE_PATH: ${live} is open in another process (the bot?): stop it, then restore\n` });
    } finally {
      bot.close();
    }
    expect(verified(live)).toMatch(/^ledger OK: 6 entries/);
  });

  it('refuses a FILE that holds no roe database, in one line naming it, and leaves the database as it was', () => {
    const { live } = liveAndBackup('not-a-backup');
    const bytes = readFileSync(live);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    expect(roeOn(live, ['restore', empty])).toEqual({ code: 1, out: '', err: `${empty} is empty, not a backup of a roe database\n` });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database at all, but long enough to be read as one by SQLite if it tried. '.repeat(20));
    expect(roeOn(live, ['restore', text])).toEqual({ code: 1, out: '', err: `${text} is not a SQLite database\n` });
    expect(roeOn(live, ['restore', join(dir, 'missing.db')])).toEqual({ code: 1, out: '', err: `${join(dir, 'missing.db')}: no such file\n` });
    expect(readFileSync(live).equals(bytes)).toBe(true);
  });
});

/** `dir` and every folder above it. */
function foldersAbove(dir: string): string[] {
  const all = [dir];
  while (dirname(all[all.length - 1]!) !== all[all.length - 1]) all.push(dirname(all[all.length - 1]!));
  return all;
}
