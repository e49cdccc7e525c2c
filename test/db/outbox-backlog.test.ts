import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { dueMessages, dueQuery } from '../../db/repos/outbox.repo.js';

const dirs: string[] = [];
let open: OpenDb | undefined;
afterEach(() => {
  open?.close();
  open = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function database(): OpenDb {
  const dir = mkdtempSync(join(tmpdir(), 'roe-outbox-backlog-'));
  dirs.push(dir);
  return (open = openDatabase(join(dir, 'roe.db')));
}

const NOW = new Date('2026-12-01T12:00:00Z');

describe('the outbox after a platform was down for a while', () => {
  it('takes the oldest message of each target, however many wait, without reading the backlog once per message', () => {
    const db = database();
    const add = db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, status, next_attempt_at, created_at) VALUES (?, ?, '{}', ?, ?, ?, ?)");
    const at = NOW.getTime() - 60_000;
    db.sqlite.transaction(() => {
      // A year's delivered messages, and a backlog of 400 to 40 people, ten each, in turn.
      for (let i = 0; i < 200; i++) add.run('slack', JSON.stringify({ user: `U${i % 7}` }), `old-${i}`, 'delivered', at - 86_400_000, at - 86_400_000);
      for (let i = 0; i < 400; i++) add.run('slack', JSON.stringify({ user: `U${i % 40}` }), `m-${i}`, 'pending', at, at);
      // One to a Teams user and one parked, neither holding anything back.
      add.run('teams', JSON.stringify({ user: 'U0' }), 'teams-1', 'pending', at, at);
      add.run('slack', JSON.stringify({ user: 'U99' }), 'parked-1', 'parked', at, at);
      add.run('slack', JSON.stringify({ user: 'U99' }), 'after-parked', 'pending', at, at);
    })();
    const due = dueMessages(db.db, 'slack', NOW, 100);
    // The first message to each of the 40 people, and the one behind a parked message: each target once, oldest first.
    expect(due.map((m) => m.dedupeKey)).toEqual([...Array.from({ length: 40 }, (_, i) => `m-${i}`), 'after-parked']);
    expect(due[0]!.target).toEqual({ user: 'U0' });
    // A message being sent holds back the next to its target.
    db.sqlite.prepare("UPDATE outbox SET status = 'sending', next_attempt_at = ? WHERE dedupe_key = 'm-0'").run(NOW.getTime() + 120_000);
    expect(dueMessages(db.db, 'slack', NOW, 100).map((m) => m.dedupeKey)).not.toContain('m-40');
    expect(dueMessages(db.db, 'slack', NOW, 100).map((m) => m.dedupeKey)).not.toContain('m-0');
    // Each waiting message is looked at once: no search of the others for each of them (a backlog of thousands took seconds a drain).
    const q = dueQuery(db.db, 'slack', NOW, 50).toSQL();
    const plan = (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as unknown[])) as { detail: string }[]).map((p) => p.detail).join('\n');
    expect(plan).not.toMatch(/CORRELATED/);
    expect(plan).not.toMatch(/SCAN outbox\b/);
  });
});
