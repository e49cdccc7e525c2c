import { Writable } from 'node:stream';
import { FakeClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/app/config.js';
import { seedDemo } from '../../src/app/demo.js';
import { createLogger, secretsOf } from '../../src/app/logger.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import type { Principal } from '../../src/core/authz.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

/** Log lines written by the runtime, for tests that read the logs. */
export class LogSink extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

export interface TestRuntime extends Runtime {
  clock: FakeClock;
  logs: LogSink;
}

/** A runtime on an in-memory SQLite (real migrations) with the example policy and, by default, the demo data. */
export function testRuntime(opts: { at?: string; demo?: boolean; databasePath?: string; policyPath?: string; env?: Record<string, string>; stringsInMemoryUpTo?: number } = {}): TestRuntime {
  const clock = new FakeClock(opts.at ?? '2026-11-30T15:00:00Z'); // a Monday, 10:00 in New York
  const logs = new LogSink();
  const config = loadConfig({ DATABASE_PATH: opts.databasePath ?? ':memory:', ROE_POLICY: opts.policyPath ?? EXAMPLE_POLICY_PATH, LOG_LEVEL: 'debug', ...opts.env });
  const rt = createRuntime(config, createLogger('debug', logs, secretsOf(config)), clock, { stringsInMemoryUpTo: opts.stringsInMemoryUpTo });
  if (opts.demo !== false) {
    seedDemo(rt.ctx);
    rt.reindex();
  }
  return Object.assign(rt, { clock, logs });
}

export const as = {
  person: (rt: Runtime, key: string): Principal => rt.resolve({ platform: 'console', userId: key, displayName: key, orgId: null, home: true }),
  partner: (rt: Runtime, partnerId: string, user = `${partnerId}-user`): Principal => rt.resolve({ platform: 'console', userId: user, displayName: user, orgId: partnerId, home: false }),
  stranger: (rt: Runtime): Principal => rt.resolve({ platform: 'console', userId: 'who', displayName: 'who', orgId: 'T0UNKNOWN', home: false }),
};
