import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FakeSlack, type ApiCall } from '../support/fake-slack.js';
import { BOT_TOKEN } from '../support/slack-harness.js';
import { WORKSPACE } from '../support/slack-requests.js';
import { main } from '../../src/app/cli.js';
import { EXAMPLE_POLICY_PATH, ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

/**
 * The real server (`node bin/roe.js serve`, Slack over Socket Mode against a fake Slack) killed
 * with SIGKILL while Slack holds a post it has taken, then started again; then stopped with
 * SIGTERM while a post is under way, and started once more. Between them: every timer that fell
 * due fires once, every notification goes out (the one Slack took before the kill twice, as the
 * README says of delivery at least once; nothing else twice), and the ledger verifies.
 */
const dir = mkdtempSync(join(tmpdir(), 'roe-crash-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const running = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
});

const APP_TOKEN = 'xapp-1-A0ROEBOT-0000-abcdef0123456789';

interface Server {
  child: ChildProcessWithoutNullStreams;
  log: () => string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function roeServe(db: string, fake: FakeSlack): Server {
  const env = { PATH: process.env.PATH, DATABASE_PATH: db, PORT: '0', LOG_LEVEL: 'info', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl };
  const child = spawn(process.execPath, [join(ROOT, 'bin/roe.js'), 'serve'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      ok({ code, signal });
    }),
  );
  return { child, exited, log: () => out.split('\n').filter(Boolean) };
}

/** Waits until `pick` holds (the server works in its own process), or fails after `ms`. */
async function until<T>(pick: () => T | undefined | null | false, what: string, server?: Server, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = pick();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${server ? `; the server said:\n${server.log().join('\n')}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function read<T>(db: string, f: (sqlite: Database.Database) => T): T {
  const sqlite = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return f(sqlite);
  } finally {
    sqlite.close();
  }
}

/** A line of the server's JSON log (another line: nothing). */
function lineOf(l: string): { msg?: string; port?: number } {
  try {
    return JSON.parse(l) as { msg?: string; port?: number };
  } catch {
    return {};
  }
}

const slackRows = (db: string) => read(db, (s) => s.prepare("SELECT id, status, next_attempt_at AS lease FROM outbox WHERE platform = 'slack' ORDER BY id").all() as { id: number; status: string; lease: number }[]);
const posts = (fake: FakeSlack) => fake.callsTo('chat.postMessage');
/** A post as Slack saw it: where it went and what it said (two people may be sent the same text). */
const said = (c: ApiCall) => `${String(c.args.channel)}|${String(c.args.thread_ts ?? '')}|${String(c.args.text)}`;

/** What the timers did, each once: an escalation per level, a lifecycle step per claim. */
function timerSteps(db: string): string[] {
  return read(db, (s) =>
    (s.prepare("SELECT kind, subject, payload FROM ledger WHERE kind IN ('dispute.escalated', 'dispute.escalated_to_channel', 'claim.dormant', 'claim.expired') ORDER BY seq").all() as { kind: string; subject: string; payload: string }[]).map(
      (e) => `${e.kind} ${e.subject} ${String((JSON.parse(e.payload) as { level?: number }).level ?? '')}`,
    ),
  );
}

describe('roe serve killed (SIGKILL) while Slack holds a post it took, then stopped (SIGTERM) mid-post', () => {
  it('after each restart: the timers that fell due fired once, every notification went out (only the one Slack took before the kill twice), the ledger verifies', async () => {
    const db = join(dir, 'serve.db');
    // A case opened three weeks ago: its reminders and its breach fell due while no bot ran, and so did claims' lifecycle steps.
    const rt = testRuntime({ at: new Date(Date.now() - 21 * 86_400_000).toISOString(), databasePath: db });
    const d = openArbitratedCase(rt);
    rt.store.disputes.update(d.id, { origin: { platform: 'slack', channel: 'C1', thread: null } });
    rt.db.sqlite.exec("UPDATE outbox SET platform = 'slack' WHERE target LIKE '%dispute-thread%'");
    rt.db.sqlite.exec("DELETE FROM outbox WHERE platform <> 'slack'");
    const dueBefore = (rt.db.sqlite.prepare("SELECT count(*) AS n FROM timers WHERE status = 'pending' AND due_at <= ?").get(Date.now()) as { n: number }).n;
    rt.close();
    expect(dueBefore).toBeGreaterThan(2);

    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    try {
      // 1. Slack takes the first post but does not answer: the bot is killed meanwhile.
      let release = fake.hold('chat.postMessage');
      const first = roeServe(db, fake);
      const taken = await until(() => posts(fake)[0], 'the first post', first);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      release();
      const steps = timerSteps(db);
      expect(steps.length).toBeGreaterThan(0);
      expect(steps).toEqual([...new Set(steps)]);
      // Taken for delivery, never recorded: it waits for its lease to run out, then goes again.
      const sending = slackRows(db).filter((r) => r.status === 'sending');
      expect(sending).toHaveLength(1);
      expect(sending[0]!.lease).toBeGreaterThan(Date.now());
      // Its 120 seconds run out (the row as a restart two minutes later finds it).
      const sqlite = new Database(db);
      sqlite.prepare('UPDATE outbox SET next_attempt_at = ? WHERE id = ?').run(Date.now() - 1, sending[0]!.id);
      sqlite.close();

      // 2. Started again: the post taken before the kill goes again, and Slack holds it; the bot
      // is stopped with SIGTERM meanwhile, and Slack answers only once the signal has arrived.
      const afterKill = posts(fake).length;
      release = fake.hold('chat.postMessage');
      const second = roeServe(db, fake);
      const again = await until(() => posts(fake)[afterKill], 'the post taken before the kill, sent again', second);
      expect(said(again)).toBe(said(taken));
      expect(second.log().some((l) => l.includes('notifications were being sent when the bot last stopped'))).toBe(true);
      const port = await until(() => second.log().map(lineOf).find((l) => l.msg === 'roe-bot listening')?.port, 'the server listening', second);
      second.child.kill('SIGTERM');
      // The stop has begun once the server no longer takes connections.
      for (let taking = true; taking; ) {
        taking = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          () => true,
          () => false,
        );
      }
      release();
      expect(await second.exited).toEqual({ code: 0, signal: null });
      // The stop waited for the post under way and recorded it: none is left being sent, and it is not sent a third time below.
      expect(slackRows(db).filter((r) => r.status === 'sending')).toEqual([]);
      expect(slackRows(db).find((r) => r.id === sending[0]!.id)?.status).toBe('delivered');

      // 3. Started once more: what is left goes out; nothing recorded goes again.
      const thirdStarted = Date.now();
      const third = roeServe(db, fake);
      await until(() => slackRows(db).every((r) => r.status === 'delivered') && third.log().some((l) => l.includes('roe-bot listening')), 'every notification delivered', third);
      third.child.kill('SIGTERM');
      expect(await third.exited).toEqual({ code: 0, signal: null });
      expect(third.log().some((l) => l.includes('notifications were being sent'))).toBe(false);

      // Every post once, but the one Slack took before the kill: twice.
      const seen = new Map<string, number>();
      for (const c of posts(fake)) seen.set(said(c), (seen.get(said(c)) ?? 0) + 1);
      const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
      expect(twice).toEqual([said(taken)]);
      expect(seen.get(said(taken))).toBe(2);
      expect(slackRows(db).length).toBe(seen.size);
      // The thread's updates all join the announcement recorded (the one sent again), not the one Slack took before the kill.
      const thread = posts(fake)[afterKill]!.result.ts;
      expect(thread).toEqual(expect.any(String));
      const updates = posts(fake).filter((c) => c.args.channel === taken.args.channel && c.args.thread_ts !== undefined);
      expect(updates.length).toBeGreaterThan(0);
      for (const u of updates) expect(u.args.thread_ts, String(u.args.text)).toBe(thread);
      // The timers fired once over the three runs: no step twice, and none due is left pending.
      const after = timerSteps(db);
      expect(after).toEqual([...new Set(after)]);
      expect(after.slice(0, steps.length)).toEqual(steps);
      expect(read(db, (s) => s.prepare("SELECT kind, subject FROM timers WHERE status <> 'fired' AND status <> 'cancelled' AND due_at <= ?").all(thirdStarted))).toEqual([]);
      // roe ledger verify, as the admin runs it.
      const lines: string[] = [];
      const code = await main(['ledger', 'verify'], { out: (l) => lines.push(l), err: (l) => lines.push(l), env: { DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH }, stdin: process.stdin, stdout: process.stdout });
      expect({ code, said: lines }).toMatchObject({ code: 0, said: [expect.stringMatching(/^ledger OK/)] });
    } finally {
      await fake.close();
    }
  }, 60_000);
});
