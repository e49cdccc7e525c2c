import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { approve } from '../../handlers/rule.js';
import { savePerson } from '../../db/repos/people.repo.js';
import { forgetUser } from '../../db/repos/privacy.repo.js';
import { ROOT } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-forget-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const roe = (db: string, args: string[]) => {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const USER_ID = 'nora-7Q9xK2';
const USER = `console:${USER_ID}`;
const NAME = 'Nora Quixotic-Vandermeer';

/**
 * A running bot that has met the person: their profile (saved again as their conversation
 * changed), a claim they filed, a case on it ruled, and the DMs telling them, delivered.
 */
function botThatKnowsNora(db: string): TestRuntime {
  const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
  for (const pad of ['', 'x'.repeat(40), 'y'.repeat(90)]) {
    savePerson(rt.db.db, { userKey: USER, platform: 'console', displayName: NAME, partnerId: 'northwind', personKey: null, conversationRef: { user: USER_ID, name: NAME, pad }, updatedAt: rt.clock.now() });
  }
  const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind', USER_ID), values, { origin: consoleOrigin, requestKey: null });
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin: consoleOrigin, requestKey: null });
  approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id);
  rt.db.sqlite.prepare("UPDATE outbox SET status = 'delivered', delivered_at = 1 WHERE instr(target, ?) > 0").run(USER_ID);
  return rt;
}

/** Which of the person's name and id the raw bytes of these files still hold. */
function traces(...files: string[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const bytes = readFileSync(f);
    for (const secret of [NAME, USER_ID]) if (bytes.includes(secret)) found.push(`${f}: ${secret}`);
  }
  return found;
}

describe('forget, in the files', () => {
  it('leaves neither the name nor the id in the database file, its -wal file or a later backup, while the bot runs', () => {
    const db = join(dir, 'roe.db');
    const bot = botThatKnowsNora(db);
    // What the test looks for is there to be found before the forget.
    expect(traces(db, `${db}-wal`).length).toBeGreaterThan(0);

    const r = roe(db, ['forget', USER]);
    expect(r).toMatchObject({ code: 0, err: '', out: expect.stringMatching(new RegExp(`^forgot ${USER}: 1 claim and 0 disputes now name user-\\S+, 1 profile removed`)) });
    expect(traces(db, `${db}-wal`)).toEqual([]);

    const backup = join(dir, 'after-forget.db');
    expect(roe(db, ['backup', backup]).code).toBe(0);
    expect(traces(backup)).toEqual([]);

    // The bot goes on, then stops (its last checkpoint writes what it holds into the file).
    bot.close();
    expect(traces(db, `${db}-wal`)).toEqual([]);
    expect(roe(db, ['ledger', 'verify'])).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });
  });

  it('says so in one line when another process kept reading, so that the -wal file could not be emptied', () => {
    const db = join(dir, 'reading.db');
    botThatKnowsNora(db).close();
    // A reader in the middle of a long read: the checkpoint waits the busy timeout for it, in vain.
    const reader = new Database(db);
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM claims').get();
    try {
      const r = roe(db, ['forget', USER]);
      expect(r).toMatchObject({ code: 0, out: expect.stringContaining(`forgot ${USER}: `) });
      expect(r.err).toBe(`DATABASE_PATH: another process kept reading ${db}, so its -wal file may still hold old copies of ${USER}'s data until the bot stops\n`);
    } finally {
      reader.exec('COMMIT');
      reader.close();
    }
    // Once nobody has the database open, nothing is left.
    expect(traces(db, `${db}-wal`)).toEqual([]);
  }, 30_000);
});

describe('roe forget killed after it removed the person, before it emptied the -wal file', () => {
  it('run again while the bot runs, it says nothing is known of them, and empties the -wal file of their old copies', async () => {
    const db = join(dir, 'killed.db');
    const bot = botThatKnowsNora(db);
    try {
      const killed = await new Promise<{ signal: NodeJS.Signals | null; err: string }>((ok) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/kill-at-ledger-worker.ts', db, 'pragma:wal_checkpoint(TRUNCATE)', 'roe', 'forget', USER], { cwd: ROOT });
        let err = '';
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (_code, signal) => ok({ signal, err }));
      });
      expect(killed).toEqual({ signal: 'SIGKILL', err: '' });
      // The forget was committed, but the -wal file still holds the pages as they were before it.
      expect(traces(`${db}-wal`).length).toBeGreaterThan(0);
      // The admin, who saw no answer, runs it again.
      expect(roe(db, ['forget', USER])).toEqual({ code: 1, out: '', err: `nothing is known of ${USER}\n` });
      expect(traces(db, `${db}-wal`)).toEqual([]);
    } finally {
      bot.close();
    }
  }, 30_000);
});

describe('roe forget: copies the bot left before the forget', () => {
  it('a profile the bot rewrote earlier (a Teams contact saved again from another conversation) leaves no old copy in the file', () => {
    const db = join(dir, 'rewritten.db');
    const id = '29:1nora7Q9xK2';
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const save = (userId: string, name: string, conversation: string) =>
      savePerson(rt.db.db, { userKey: `teams:${userId}`, platform: 'teams', displayName: name, partnerId: 'northwind', personKey: null, conversationRef: { user: { id: userId, name }, conversation: { id: conversation }, serviceUrl: 'https://smba.trafficmanager.net/teams/' }, updatedAt: rt.clock.now() });
    // Nora writes from a channel; colleagues write; later Nora writes in a 1:1 chat (a longer conversation id).
    save(id, NAME, '19:chan@thread.tacv2');
    for (let i = 0; i < 3; i++) save(`29:colleague${i}`, `Colleague ${i}`, `a:colleague-${i}`);
    save(id, NAME, `a:1${'personal-chat-id'.repeat(6)}`);
    // The bot runs on: its checkpoints write the pages into the file.
    rt.db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(db);
    expect(bytes.includes(NAME)).toBe(true);
    rt.close();
    expect(roe(db, ['forget', `teams:${id}`]).code).toBe(0);
    const after = readFileSync(db);
    expect({ name: after.includes(NAME), id: after.includes(id) }).toEqual({ name: false, id: false });
  });
});

describe('forgetUser and the connection it ran on', () => {
  it('leaves its secure_delete as the bot sets it (FAST), not fully on, for the writes after it', () => {
    const rt = testRuntime({ databasePath: join(dir, 'connection.db') });
    try {
      expect(rt.db.sqlite.pragma('secure_delete', { simple: true })).toBe(2);
      forgetUser(rt.db, 'console:nobody-here');
      expect(rt.db.sqlite.pragma('secure_delete', { simple: true })).toBe(2);
    } finally {
      rt.close();
    }
  });
});
