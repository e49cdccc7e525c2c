import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-serve-database-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `roe serve` on the database at `db` until it says it listens, then stopped: the lines it logged. */
function serveUntilListening(db: string): Promise<Record<string, unknown>[]> {
  const child = spawn(join(ROOT, 'bin/roe.js'), ['serve'], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: db, PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const line = JSON.parse(out.slice(0, nl)) as Record<string, unknown>;
      out = out.slice(nl + 1);
      lines.push(line);
      if (line.msg === 'roe-bot listening') child.kill('SIGTERM');
    }
  });
  return new Promise((resolve) => child.on('close', () => resolve(lines)));
}

describe('the database roe serve runs on', () => {
  it('a database with no partners or accounts (a DATABASE_PATH that does not point at the bot’s data) is said at start, naming it', async () => {
    // As a start from another folder finds it: the relative ./data/roe.db is a new file there.
    const db = join(dir, 'elsewhere', 'data', 'roe.db');
    const lines = await serveUntilListening(db);
    expect(lines.find((l) => l.msg === 'roe-bot listening')).toMatchObject({ database: db });
    expect(lines.filter((l) => String(l.msg).startsWith('database: '))).toEqual([
      expect.objectContaining({
        level: 40,
        database: db,
        msg: `database: ${db} holds no partners and no accounts, so who-owns finds no account and no claim can be filed: import them (npx roe import partners FILE, then accounts). If this bot had data before, DATABASE_PATH does not point at its database (a relative path is taken from the folder the bot starts in)`,
      }),
    ]);
  });

  it('a policy whose escalation channels are all for a platform this bot does not serve is said at start', async () => {
    // The example policy names a Slack escalation channel only; with no Slack configured, the bot serves Teams.
    const db = join(dir, 'teams-only.db');
    testRuntime({ databasePath: db }).close();
    const lines = await serveUntilListening(db);
    expect(lines.filter((l) => String(l.msg).startsWith('sla.escalation_channel'))).toEqual([
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/^sla\.escalation_channel names a channel for Slack only, which this bot does not serve \(it serves Teams\)/) }),
    ]);
  });

  it('a database with partners and accounts is named, and nothing more is said of it', async () => {
    const db = join(dir, 'roe.db');
    testRuntime({ databasePath: db }).close();
    const lines = await serveUntilListening(db);
    expect(lines.find((l) => l.msg === 'roe-bot listening')).toMatchObject({ database: db });
    expect(lines.filter((l) => String(l.msg).startsWith('database: '))).toEqual([]);
  });
});
