/**
 * A second scheduler process for tests: opens the database file, ticks at the given moment
 * until nothing is due, and prints the ids of the timers it fired as JSON.
 * Usage: tsx test/support/tick-worker.ts DB_PATH ISO_TIME
 */
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { createRuntime } from '../../src/app/runtime.js';
import { tick } from '../../src/app/scheduler.js';
import { FakeClock } from '../../src/core/clock.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

const [dbPath, at] = process.argv.slice(2);
const clock = new FakeClock(at!);
const rt = createRuntime(loadConfig({ DATABASE_PATH: dbPath, ROE_POLICY: EXAMPLE_POLICY_PATH }), createLogger('silent'), clock);
const fired: number[] = [];
for (;;) {
  const r = tick(rt.db, rt.deps, clock.now(), rt.logger, 20);
  fired.push(...r.fired.map((f) => f.id));
  if (r.fired.length === 0 && r.failed.length === 0) break;
}
rt.close();
process.stdout.write(JSON.stringify(fired));
