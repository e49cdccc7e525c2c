import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { headThenClose } from '../support/cli.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-pipe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a reader that stops early (`roe ledger export | head`) ends the command quietly: no stack trace, exit 0', async () => {
  const db = join(dir, 'big.db');
  const rt = testRuntime({ databasePath: db });
  // Far more than a pipe holds (64 KB), so the command is still writing when the reader goes.
  rt.store.transaction(() => {
    for (let i = 0; i < 5000; i++) rt.store.ledger.append({ at: rt.clock.now(), kind: 'note', subject: `note:${i}`, actor: 'test', policyVersion: null, payload: { text: 'x'.repeat(200) } });
  });
  rt.close();
  const child = spawn(join(ROOT, 'bin/roe.js'), ['ledger', 'export'], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' } });
  // Like `head -c 100`: read the first chunk, then close the pipe.
  const { err, code } = await headThenClose(child);
  expect(err).toBe('');
  expect(code).toBe(0);
});

it('output that cannot be written (`roe ledger export > /dev/full`) is said so in one line, exit 1, no stack trace', async () => {
  const db = join(dir, 'full.db');
  const rt = testRuntime({ databasePath: db });
  rt.store.ledger.append({ at: rt.clock.now(), kind: 'note', subject: 'note:1', actor: 'test', policyVersion: null, payload: { text: 'x' } });
  rt.close();
  const full = openSync('/dev/full', 'w');
  const child = spawn(join(ROOT, 'bin/roe.js'), ['ledger', 'export'], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, stdio: ['ignore', full, 'pipe'] });
  closeSync(full);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  expect(err).toBe('roe: cannot write the output (no space left on the device)\n');
  expect(code).toBe(1);
});
