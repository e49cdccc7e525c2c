/** Child processes of the benchmarks: servers and sinks that say when they are ready. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/net.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the app (`node scripts/build.js`, as `npm ci` does) unless the current sources are
 * built already, so that the first timed start of `bin/roe.js` does not include a build.
 */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, [resolve(ROOT, 'scripts/build.js')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the build failed:\n${r.stderr}`);
}

export interface Child<T> {
  proc: ChildProcess;
  info: T;
  /** Output lines so far (the last 200). */
  lines: string[];
  stop(): Promise<void>;
}

/** Lines of a stream, as they come. */
export function onLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let rest = '';
  stream.on('data', (d: Buffer) => {
    const parts = (rest + d.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) each(p);
  });
}

/** A child's output lines as they come (the last 200 of stdout and stderr), and how to stop it (SIGTERM, then SIGKILL after 5 s). */
function watched(proc: ChildProcess): { lines: string[]; keep: (line: string) => void; stop: () => Promise<void> } {
  const lines: string[] = [];
  const keep = (l: string) => {
    lines.push(l);
    if (lines.length > 200) lines.shift();
  };
  const stop = () =>
    new Promise<void>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      proc.once('exit', () => done());
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5_000).unref();
    });
  return { lines, keep, stop };
}

/**
 * Runs `node --import tsx SCRIPT ARGS…` and waits for its `BENCH-READY {json}` line.
 * Fails with the child's output when it exits first or takes longer than `timeoutMs`.
 */
export function startChild<T>(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 120_000, nodeArgs: string[] = []): Promise<Child<T>> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { lines, keep, stop } = watched(proc);
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      fail(new Error(`${script} was not ready within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`));
    }, timeoutMs);
    onLines(proc.stderr!, keep);
    onLines(proc.stdout!, (l) => {
      keep(l);
      if (l.startsWith('BENCH-READY ')) {
        clearTimeout(timer);
        ok({ proc, info: JSON.parse(l.slice('BENCH-READY '.length)) as T, lines, stop });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${lines.slice(-30).join('\n')}`));
    });
  });
}

/**
 * `node bin/roe.js serve` (what `npx roe serve` runs: the compiled app, no
 * TypeScript loader) on a free loopback port, with `env` on top of this process's; ready when
 * `/healthz` answers 200. Build it first ({@link ensureBuilt}) so the wait holds no build.
 */
export async function startServe(env: Record<string, string>, timeoutMs = 120_000): Promise<Child<{ port: number }>> {
  const port = await freePort();
  const proc = spawn(process.execPath, [resolve(ROOT, 'bin/roe.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { lines, keep, stop } = watched(proc);
  onLines(proc.stdout!, keep);
  onLines(proc.stderr!, keep);
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`roe serve exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${lines.slice(-30).join('\n')}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      await r.arrayBuffer();
      if (r.status === 200) return { proc, info: { port }, lines, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      await stop();
      throw new Error(`roe serve was not ready within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`);
    }
    await sleep(10);
  }
}

/** Resident set size of a process in MB (Linux /proc), now and at its peak. */
export function rssOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, peakMB: kb('VmHWM') / 1024 };
}
