import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { policyTextWith, ROOT } from '../support/builders.js';
import { writeFileSync } from 'node:fs';
import { createRuntime } from '../../src/app/runtime.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-review-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function roe(args: string[], db: string, env: Record<string, string> = {}) {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

describe('roe ledger verify: policy versions held to their policy.recorded entry', () => {
  it('rules changed under version "2026.1" are found even when the row\'s version column is renamed (the bot names a stored version by its body, verify by the column)', () => {
    const db = join(dir, 'renamed.db');
    expect(roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db).code).toBe(0);
    const sqlite = new Database(db);
    sqlite.prepare("update policy_versions set version = '2026.1-old', body = replace(body, 'protection_days: 90', 'protection_days: 365')").run();
    // What the bot reads as version 2026.1 now: the body still says version "2026.1", with 365 days.
    const row = sqlite.prepare('select version, body from policy_versions').get() as { version: string; body: string };
    sqlite.close();
    expect(row.body).toMatch(/version:\s*"?2026\.1"?/);
    expect(row.body).toContain('protection_days: 365');
    // A later version is the file now (as in production after a policy change); the bot still
    // judges claims registered under 2026.1 by the stored 2026.1, which now protects for 365 days.
    const v2 = join(dir, 'v2.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-06-01']]));
    const rt = createRuntime(loadConfig({ DATABASE_PATH: db, ROE_POLICY: v2, LOG_LEVEL: 'silent' }), createLogger('silent'), undefined, { recordPolicy: false, readOnly: true });
    try {
      expect(rt.deps.ctx.policies().byVersion('2026.1')?.policy.registration.protection_days).toBe(365);
    } finally {
      rt.close();
    }
    const r = roe(['ledger', 'verify'], db, { ROE_POLICY: v2 });
    expect(r.code).toBe(1);
  });
});
