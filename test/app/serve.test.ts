import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/app/serve.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the server', () => {
  it('answers /healthz, 404 for unknown paths, and picks up accounts imported by another process', async () => {
    const db = join(dir, 'roe.db');
    const rt = testRuntime({ databasePath: db });
    const serving = await serve(rt, [], 0, { accountsRefreshMs: 20 });
    try {
      const base = `http://127.0.0.1:${serving.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect(rt.matcher.search('zephyr dynamics')).toEqual([]);
      const admin = testRuntime({ databasePath: db, demo: false });
      importCsv(admin.ctx, 'accounts', 'a.csv', 'id,name,domains\nzephyr,Zephyr Dynamics Ltd,zephyr.io\n');
      admin.close();
      for (let i = 0; i < 100 && rt.matcher.search('zephyr dynamics').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(rt.matcher.search('zephyr dynamics')[0]?.accountId).toBe('zephyr');
    } finally {
      await serving.stop();
      rt.close();
    }
  });
});
