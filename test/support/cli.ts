import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './builders.js';

/** `roe ARGS…` run as a user runs it (bin/roe.js), on the database at `db`: its exit code and output. */
export function roeOn(db: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * Reads `child`'s output as `head -c 100` would: its first chunk, then closes the pipe; resolves
 * with what the child wrote on stderr and its exit code once it has ended.
 */
export async function headThenClose(child: ChildProcessWithoutNullStreams): Promise<{ err: string; code: number | null }> {
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve) => child.stdout.once('data', () => (child.stdout.destroy(), resolve())));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { err, code };
}
