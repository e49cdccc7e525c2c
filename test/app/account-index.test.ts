import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../src/core/import/import.service.js';
import { MATCHER_SNAPSHOT_FORMAT } from '../../src/core/matching/matcher.js';
import { ROOT } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ZEPHYR = 'id,name,domains\nzephyr,Zephyr Dynamics Ltd,zephyr.io\n';
const built = (lines: string[]) => lines.filter((l) => l.includes('"account index built"')).length;

function roe(args: string[], db: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/roe.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

describe('the account index file (DATABASE_PATH.matcher)', () => {
  it('is written by `roe import accounts`, and commands that look no account up neither read nor build it', () => {
    const db = join(dir, 'cli.db');
    expect(roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db).code).toBe(0);
    expect(existsSync(`${db}.matcher`)).toBe(false);
    expect(roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db)).toMatchObject({ code: 0, out: expect.stringContaining('10 accounts added') });
    expect(existsSync(`${db}.matcher`)).toBe(true);
    rmSync(`${db}.matcher`);
    for (const args of [['ledger', 'verify'], ['stats'], ['outbox']]) expect(roe(args, db).code).toBe(0);
    expect(existsSync(`${db}.matcher`)).toBe(false);
  });

  it('a partial copy a killed process left (its write cut short) is deleted by the next write, once a minute old; one another process may still be writing is kept', () => {
    const db = join(dir, 'leftovers.db');
    const old = `${db}.matcher.4190001.tmp`;
    const recent = `${db}.matcher.4190002.tmp`;
    const other = `${db}.matcher.bak`;
    for (const f of [old, recent, other]) writeFileSync(f, 'ROEMATCH part of an index');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(other, longAgo, longAgo);
    const rt = testRuntime({ databasePath: db });
    rt.close();
    expect(existsSync(`${db}.matcher`)).toBe(true);
    expect([old, recent, other].filter((f) => existsSync(f))).toEqual([recent, other]);
  });
});

// The strings of a small index are held in memory, those of a large one read from the file:
// every test here runs both ways (a limit of 0 reads them from the file at any size).
describe.each([
  ['held in memory', undefined],
  ['read from the file', 0],
] as const)('the account index file, its account strings %s', (_how, limit) => {
  const open = (o: Parameters<typeof testRuntime>[0]) => testRuntime({ ...o, stringsInMemoryUpTo: limit });
    it('is read at the first lookup after an import wrote it: nothing is indexed at start', () => {
      const db = join(dir, `${limit ?? 'mem'}-after-import.db`);
      const admin = open({ databasePath: db, demo: false });
      importCsv(admin.ctx, 'accounts', 'a.csv', ZEPHYR);
      admin.reindex(); // what `roe import accounts` does after its rows
      expect(built(admin.logs.lines)).toBe(1);
      admin.close();
      const rt = open({ databasePath: db, demo: false });
      try {
        expect(rt.matcher.search('zephyr dynamics')[0]?.accountId).toBe('zephyr');
        expect(built(rt.logs.lines)).toBe(0);
      } finally {
        rt.close();
      }
    });

    it('is never used for other accounts than the ones it was written for', () => {
      const db = join(dir, `${limit ?? 'mem'}-stale.db`);
      const first = open({ databasePath: db }); // the demo accounts, and their index file
      expect(first.matcher.search('zephyr dynamics')).toEqual([]);
      first.close();
      // Accounts change with no index written (a process that never looks one up).
      const admin = open({ databasePath: db, demo: false });
      importCsv(admin.ctx, 'accounts', 'a.csv', ZEPHYR);
      admin.close();
      const rt = open({ databasePath: db, demo: false });
      try {
        expect(rt.matcher.search('zephyr dynamics')[0]?.accountId).toBe('zephyr');
        expect(built(rt.logs.lines)).toBe(1);
        expect(rt.matcher.search('acme')[0]?.accountId).toBeDefined();
      } finally {
        rt.close();
      }
    });

    it('is built again, never read, when it was written in another index format', () => {
      const db = join(dir, `${limit ?? 'mem'}-format.db`);
      const first = open({ databasePath: db });
      expect(first.matcher.search('acme')[0]?.accountId).toBeDefined();
      first.close();
      // The same file as an older version of the bot wrote it: the format number in its header.
      const file = readFileSync(`${db}.matcher`);
      const header = `"format":${MATCHER_SNAPSHOT_FORMAT},`;
      const at = file.indexOf(header);
      expect(at).toBeGreaterThan(0);
      file.write(`"format":${MATCHER_SNAPSHOT_FORMAT - 1},`.padEnd(header.length, ' '), at, 'latin1');
      writeFileSync(`${db}.matcher`, file);
      const rt = open({ databasePath: db, demo: false });
      try {
        expect(rt.matcher.search('acme')[0]?.accountId).toBeDefined();
        expect(built(rt.logs.lines)).toBe(1);
      } finally {
        rt.close();
      }
    });

    it('is built again, never read, when an older bot wrote it: one of format 3 does not know the written-out spellings (Soeren for Søren)', () => {
      const db = join(dir, `${limit ?? 'mem'}-format3.db`);
      const admin = open({ databasePath: db, demo: false });
      importCsv(admin.ctx, 'accounts', 'a.csv', 'id,name\nsoren,Søren Jensen ApS\n');
      admin.reindex();
      admin.close();
      // The file as the bot before the written-out spellings wrote it: format 3, no spellings in it.
      const file = readFileSync(`${db}.matcher`);
      const header = `"format":${MATCHER_SNAPSHOT_FORMAT},`;
      const at = file.indexOf(header);
      expect(at).toBeGreaterThan(0);
      file.write('"format":3,'.padEnd(header.length, ' '), at, 'latin1');
      writeFileSync(`${db}.matcher`, file);
      const rt = open({ databasePath: db, demo: false });
      try {
        expect(rt.matcher.search('soeren jensen')[0]).toMatchObject({ accountId: 'soren', exact: true });
        expect(built(rt.logs.lines)).toBe(1);
      } finally {
        rt.close();
      }
    });

    it('is brought up to date in a running process: from the file another process wrote, else by indexing the changes', () => {
      const db = join(dir, `${limit ?? 'mem'}-running.db`);
      const rt = open({ databasePath: db });
      try {
        const before = rt.matcher;
        expect(rt.reindex()).toBe(false); // nothing changed
        // An import in another process, which writes the index file.
        const admin = open({ databasePath: db, demo: false });
        importCsv(admin.ctx, 'accounts', 'a.csv', ZEPHYR);
        admin.reindex();
        admin.close();
        expect(rt.reindex()).toBe(true);
        expect(rt.matcher).not.toBe(before); // the one read from the file
        expect(rt.deps.matcher.search('zephyr dynamics')[0]?.accountId).toBe('zephyr');
        expect(built(rt.logs.lines)).toBe(1); // the demo's, at the start only
        // A change with no index file for it: the changed account is indexed here.
        const other = open({ databasePath: db, demo: false });
        other.clock.advance(60_000); // the accounts' update times are part of their fingerprint
        importCsv(other.ctx, 'accounts', 'b.csv', 'id,name\nzephyr,Zephyr Aerospace\n');
        other.close();
        expect(rt.reindex()).toBe(true);
        expect(rt.deps.matcher.search('zephyr aerospace')[0]?.accountId).toBe('zephyr');
        expect(rt.deps.matcher.search('zephyr dynamics')[0]?.matchedText).not.toBe('Zephyr Dynamics Ltd');
      } finally {
        rt.close();
      }
    });

    it('holds the strings where the limit says, and answers alike', () => {
      const db = join(dir, `where-${limit ?? 'default'}.db`);
      const rt = open({ databasePath: db });
      try {
        expect(rt.matcher.search('acme')[0]?.accountId).toBeDefined();
        expect(rt.matcher.stringsInFile).toBe(limit === 0);
      } finally {
        rt.close();
      }
      // Read back from the file at the next start, the same way.
      const again = open({ databasePath: db, demo: false });
      try {
        expect(again.matcher.search('acme')[0]?.accountId).toBeDefined();
        expect(again.matcher.stringsInFile).toBe(limit === 0);
        expect(built(again.logs.lines)).toBe(0);
      } finally {
        again.close();
      }
    });
});
