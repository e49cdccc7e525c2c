import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/core/ledger/chain.js';
import { testRuntime, type TestRuntime } from '../../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

describe('the ledger in SQLite', () => {
  it('chains every entry to the one before', () => {
    const entries = [...rt.store.ledger.entries()];
    expect(entries.length).toBeGreaterThan(3);
    expect(verifyChain(entries)).toMatchObject({ ok: true, count: entries.length });
  });

  it('the database refuses UPDATE and DELETE', () => {
    expect(() => rt.db.sqlite.prepare("update ledger set kind = 'x' where seq = 1").run()).toThrow(/append-only: UPDATE refused/);
    expect(() => rt.db.sqlite.prepare('delete from ledger where seq = 2').run()).toThrow(/append-only: DELETE refused/);
  });

  it('tampering behind the triggers is found and the first bad entry named', () => {
    rt.db.sqlite.exec('drop trigger ledger_no_update');
    rt.db.sqlite.prepare(`update ledger set payload = '{"inserted":999}' where seq = 2`).run();
    const r = verifyChain(rt.store.ledger.entries());
    expect(r).toMatchObject({ ok: false, badSeq: 2 });
  });
});
