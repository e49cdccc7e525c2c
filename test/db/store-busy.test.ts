import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isBusy, withBusyTimeout } from '../../db/client.js';
import { BUSY_MESSAGE, WRITE_WAIT_MS } from '../../db/repos/store.js';
import { submitClaim } from '../../handlers/claim.js';
import { DomainError } from '../../src/core/errors.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
const dirs: string[] = [];
afterEach(() => {
  rt?.close();
  rt = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fileRuntime(): { rt: TestRuntime; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'roe-store-busy-'));
  dirs.push(dir);
  const path = join(dir, 'roe.db');
  rt = testRuntime({ databasePath: path });
  return { rt, path };
}

const claim = { account: 'acme', route: 'resell', product: 'Analytics', opportunity: 'Acme rollout', stage: 'qualified', amount: '25000', evidence: 'Met the CIO' };
const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
const claims = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM claims').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('a write while another process holds the write lock (an import)', () => {
  it('a request is refused as busy, saying nothing was saved, and goes through once the lock is free', () => {
    const { rt, path } = fileRuntime();
    const before = claims(path);
    const importer = new Database(path);
    importer.exec('BEGIN IMMEDIATE');
    let refused: unknown;
    try {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), claim, meta);
    } catch (e) {
      refused = e;
    } finally {
      importer.exec('COMMIT');
      importer.close();
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'busy', message: BUSY_MESSAGE });
    // The scheduler and the CLI still recognise it as SQLite's busy.
    expect(isBusy(refused)).toBe(true);
    expect(claims(path)).toBe(before);
    const reply = submitClaim(rt.deps, as.partner(rt, 'contoso'), claim, meta);
    expect(reply.summary).toMatch(/Claim #\d+ on Acme/);
    expect(claims(path)).toBe(before + 1);
  });

  it(`waits ${WRITE_WAIT_MS} ms at most for the lock (not the connection's 5 s), and a caller that waits less keeps its wait`, () => {
    const { rt } = fileRuntime();
    const { sqlite } = rt.db;
    const timeout = () => sqlite.pragma('busy_timeout', { simple: true });
    expect(timeout()).toBe(5000);
    expect(rt.ctx.store.transaction(timeout)).toBe(WRITE_WAIT_MS);
    expect(withBusyTimeout(sqlite, 50, () => rt.ctx.store.transaction(timeout))).toBe(50);
    // Nested, it stays as the outer one set it, and the connection's own is back after.
    expect(rt.ctx.store.transaction(() => rt.ctx.store.transaction(timeout))).toBe(WRITE_WAIT_MS);
    expect(timeout()).toBe(5000);
  });
});
