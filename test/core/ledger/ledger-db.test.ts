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

  it('a payload edited into text that is not JSON is named as altered too, and the entries after it still read', () => {
    rt.db.sqlite.exec('drop trigger ledger_no_update');
    rt.db.sqlite.prepare(`update ledger set payload = '{inserted: 999' where seq = 2`).run();
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: false, badSeq: 2, problem: 'its content does not match its hash (it was altered)' });
    const entries = [...rt.store.ledger.entries()];
    expect(entries[1]!.payload).toEqual({ notJson: '{inserted: 999' });
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_e, i) => i + 1));
  });

  it.each([
    // JSON.parse keeps a key's last value and SQL's json_extract its first: the parsed value still
    // hashes as before, while whoever reads the text with SQL sees another value.
    ['a key written twice, the first value new', (text: string) => `{${JSON.stringify(Object.keys(JSON.parse(text) as object)[0])}:"forged",${text.slice(1)}`],
    ['the same JSON written another way (spaces)', (text: string) => text.replace(/,/g, ', ')],
  ])('a payload whose stored text was changed though it parses to the same value is named as altered: %s', (_name, edit) => {
    const before = rt.db.sqlite.prepare('select payload from ledger where seq = 2').pluck().get() as string;
    expect(before.length).toBeGreaterThan(2);
    rt.db.sqlite.exec('drop trigger ledger_no_update');
    rt.db.sqlite.prepare('update ledger set payload = ? where seq = 2').run(edit(before));
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: false, badSeq: 2, problem: 'its content does not match its hash (it was altered)' });
  });
});
