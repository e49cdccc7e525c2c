import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSlackDeliverer } from '../../handlers/platforms/slack/deliver.js';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { slackCaseCards } from '../../src/app/slack.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

/** 50+ kills in `npm run test:reliability`; a few in `npm test`. */
const KILLS = Number(process.env.ROE_CRASH_KILLS ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'roe-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the busy bot and kills it with SIGKILL a random moment after it is ready. */
function runAndKill(db: string, seed: number, aliveMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/stream-worker.ts', db, String(seed)], { cwd: ROOT });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => p.kill('SIGKILL'), aliveMs);
    });
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? ok() : fail(new Error(`worker ended by itself (${code}): ${err}`))));
  });
}

function checkInvariants(db: string): { claims: number; ledger: number; notices: number } {
  const rt = testRuntime({ databasePath: db, demo: false });
  try {
    const ledger = [...rt.store.ledger.entries()];
    expect(verifyChain(ledger)).toMatchObject({ ok: true });
    const subjects = (kind: string) => ledger.filter((e) => e.kind === kind).map((e) => e.subject);
    // no claim or dispute half-written: each has its ledger entry, exactly once
    const claims = rt.store.claims.all();
    const filed = new Set([...subjects('claim.filed'), ...subjects('claim.imported')]);
    for (const c of claims) expect(filed.has(`claim:${c.id}`), `claim #${c.id} has no ledger entry`).toBe(true);
    expect(subjects('claim.filed').length).toBe(new Set(subjects('claim.filed')).size);
    const disputes = rt.store.disputes.all();
    for (const d of disputes) expect(subjects('dispute.opened')).toContain(`dispute:${d.id}`);
    // a ruling happens once
    const ruled = subjects('dispute.ruled');
    expect(new Set(ruled).size).toBe(ruled.length);
    for (const d of disputes.filter((x) => x.status === 'ruled')) expect(ruled).toContain(`dispute:${d.id}`);
    // no timer lost: every open case has its breach timer pending, unless its chain is exhausted
    const pending = rt.db.sqlite.prepare("SELECT kind, subject FROM timers WHERE status = 'pending'").all() as { kind: string; subject: string }[];
    const exhausted = new Set(subjects('dispute.escalated_to_channel'));
    for (const d of disputes.filter((x) => x.status === 'open' && !exhausted.has(`dispute:${x.id}`))) {
      expect(pending.some((t) => t.kind === 'sla.breach' && t.subject === `dispute:${d.id}`), `dispute #${d.id} lost its SLA timer`).toBe(true);
    }
    // every protected claim has exactly one pending lifecycle step (warning, dormancy or expiry)
    for (const c of claims.filter((x) => x.status === 'protected')) {
      expect(pending.filter((t) => t.kind.startsWith('claim.') && t.subject === `claim:${c.id}`).length, `claim #${c.id} lost its lifecycle timer`).toBe(1);
    }
    // no timer doubled: a level's breach escalates once
    const escalations = ledger.filter((e) => e.kind === 'dispute.escalated').map((e) => `${e.subject}/${String((e.payload as { level: number }).level)}`);
    expect(new Set(escalations).size).toBe(escalations.length);
    // no notification doubled: what a case says once (opened, settled, ruled) is queued once for
    // its thread and once for each person told, whatever moment its key was stamped with (the
    // keys themselves are unique by the table's index, so a step done twice shows only so).
    const keys = (rt.db.sqlite.prepare('SELECT dedupe_key AS k FROM outbox').all() as { k: string }[]).map((r) => r.k);
    const once = keys.filter((k) => /^(dm|thread):\d+:(opened|settled|ruled):/.test(k)).map((k) => k.replace(/:\d+$/, ''));
    expect(once.length - new Set(once).size, `notifications queued twice: ${once.filter((k, i) => once.indexOf(k) !== i).join(', ')}`).toBe(0);
    return { claims: claims.length, ledger: ledger.length, notices: once.length };
  } finally {
    rt.close();
  }
}

describe('crash safety', () => {
  it(`kill -9 at random points during a stream of claims, rulings and timers (${KILLS} kills): every restart finds a consistent database`, async () => {
    const db = join(dir, 'crash.db');
    testRuntime({ databasePath: db }).close();
    let seed = 12345;
    let previous = checkInvariants(db);
    for (let i = 0; i < KILLS; i++) {
      seed = (seed * 48271) % 2147483647;
      await runAndKill(db, seed, 50 + (seed % 400));
      const now = checkInvariants(db);
      expect(now.ledger).toBeGreaterThanOrEqual(previous.ledger);
      previous = now;
    }
    expect(previous.claims).toBeGreaterThan(20);
    // The notifications checked above for doubles were there to check.
    expect(previous.notices).toBeGreaterThan(0);
  }, 600_000);
});

describe('a kill while a dispute thread’s first post is recorded (Slack took it; where it landed is being written)', () => {
  interface Post { channel: string; thread_ts: string | null; text: string; ts: string }
  function runFollowCrash(db: string, at: string): Promise<{ posts: Post[]; signal: string | null }> {
    return new Promise((ok) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/follow-crash-worker.ts', db, at], { cwd: ROOT });
      let out = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.on('exit', (_code, signal) => ok({ posts: out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Post), signal }));
    });
  }

  it('leaves neither written: once its lease runs out the post goes again (at least once), and every later update joins its thread', async () => {
    const AT = '2026-12-07T14:00:00Z';
    const db = join(dir, 'follow.db');
    const rt = testRuntime({ at: AT, databasePath: db });
    const d = openArbitratedCase(rt);
    rt.store.disputes.update(d.id, { origin: { platform: 'slack', channel: 'C1', thread: null } });
    rt.db.sqlite.exec("update outbox set platform = 'slack' where target like '%dispute-thread%'");
    rt.db.sqlite.exec("delete from outbox where platform <> 'slack'");
    rt.close();

    const first = await runFollowCrash(db, AT);
    expect(first.signal).toBe('SIGKILL');
    expect(first.posts.map((p) => p.thread_ts)).toEqual([null]);

    // Restarted after the lease (2 minutes) ran out.
    const again = testRuntime({ at: '2026-12-07T14:03:00Z', databasePath: db, demo: false });
    try {
      const posts: Post[] = [];
      const client = {
        chat: {
          postMessage: async (args: { channel: string; thread_ts?: string; text: string }) => {
            const ts = `1700000001.2${String(posts.length + 1).padStart(5, '0')}`;
            posts.push({ channel: args.channel, thread_ts: args.thread_ts ?? null, text: args.text, ts });
            return { ok: true, ts };
          },
          update: async () => ({ ok: true }),
        },
        conversations: { open: async () => ({ channel: { id: 'D1' } }) },
      } as never;
      const slack = createSlackDeliverer({ client, disputes: again.store.disputes, caseCards: slackCaseCards(again), log: again.logger });
      await drainOutbox(again.db.db, { slack }, () => again.clock.now(), again.logger);
      expect(posts.length).toBeGreaterThanOrEqual(2);
      const [announcement, ...updates] = posts;
      expect(announcement).toMatchObject({ channel: 'C1', thread_ts: null, text: first.posts[0]!.text });
      for (const p of updates) expect(p.thread_ts, `"${p.text}" left the dispute's thread`).toBe(announcement!.ts);
      expect(again.store.disputes.get(d.id)!.origin).toEqual({ platform: 'slack', channel: 'C1', thread: announcement!.ts });
    } finally {
      again.close();
    }
  });
});
