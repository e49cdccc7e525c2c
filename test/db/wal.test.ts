import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, WAL_CHECKPOINT_PAGES, WAL_SIZE_LIMIT_BYTES, type OpenDb } from '../../db/client.js';

const dirs: string[] = [];
let db: OpenDb | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(): { db: OpenDb; wal: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'roe-wal-'));
  dirs.push(dir);
  const path = join(dir, 'roe.db');
  db = openDatabase(path);
  db.sqlite.exec('CREATE TABLE filler (b BLOB)');
  return { db, wal: () => statSync(`${path}-wal`).size };
}

const PAGE = 4096;

describe('the write-ahead log', () => {
  it('is copied back into the database every few thousand pages, not every thousand', () => {
    const { db, wal } = open();
    const insert = db.sqlite.prepare('INSERT INTO filler (b) VALUES (?)');
    // About 2,000 pages in transactions of one page each: SQLite's default would have
    // checkpointed (and started the log again) after 1,000.
    for (let i = 0; i < 2000; i++) insert.run(Buffer.alloc(PAGE - 200, i % 251));
    expect(wal()).toBeGreaterThan(1500 * PAGE);
    expect(WAL_CHECKPOINT_PAGES).toBeGreaterThan(2000);
  });

  it('is cut back after a checkpoint when a large write grew it', () => {
    const { db, wal } = open();
    const insert = db.sqlite.prepare('INSERT INTO filler (b) VALUES (?)');
    // One transaction larger than the limit (an import of many accounts, say).
    db.sqlite.transaction(() => {
      for (let i = 0; i < 20; i++) insert.run(Buffer.alloc(4 * 1024 * 1024, i));
    })();
    expect(wal()).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
    // The next write after the checkpoint starts the log again from its beginning.
    db.sqlite.pragma('wal_checkpoint(PASSIVE)');
    insert.run(Buffer.alloc(16));
    expect(wal()).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
  });
});
