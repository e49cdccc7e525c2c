import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-two-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function worker(db: string, at: string): Promise<number[]> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/support/tick-worker.ts', db, at], { cwd: ROOT });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => (code === 0 ? ok(JSON.parse(out) as number[]) : fail(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('two scheduler processes on one database file', () => {
  it('fire every due timer exactly once between them', async () => {
    const db = join(dir, 'roe.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const accounts = ['soylent', 'initech', 'muller', 'acme-analytics', 'wayne'];
    for (const a of accounts) openArbitratedCase(rt, a);
    const due = (rt.db.sqlite.prepare("select count(*) as n from timers where status = 'pending' and subject like 'dispute:%'").get() as { n: number }).n;
    rt.close();
    expect(due).toBe(accounts.length * 3);

    const later = '2026-12-09T22:00:00Z'; // after every first SLA: reminders, breaches; the escalated SLAs are not due yet
    const [a, b] = await Promise.all([worker(db, later), worker(db, later)]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);

    const check = testRuntime({ at: later, databasePath: db, demo: false });
    const escalations = [...check.store.ledger.entries()].filter((e) => e.kind === 'dispute.escalated');
    expect(escalations).toHaveLength(accounts.length);
    // every reminder fired (once), and said nothing: its deadline had passed by then
    const reminders = [...check.store.ledger.entries()].filter((e) => e.kind === 'dispute.reminded');
    expect(reminders).toHaveLength(0);
    const firedReminders = (check.db.sqlite.prepare("select count(*) as n from timers where status = 'fired' and kind = 'sla.reminder'").get() as { n: number }).n;
    expect(firedReminders).toBe(accounts.length * 2);
    const fired = (check.db.sqlite.prepare("select count(*) as n from timers where status = 'fired'").get() as { n: number }).n;
    expect(fired).toBe(all.length);
    check.close();
  }, 60_000);
});
