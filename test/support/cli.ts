import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './builders.js';

/** `roe ARGS…` run as a user runs it (bin/roe.js), on the database at `db`: its exit code and output. */
export function roeOn(db: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
