/**
 * A process for crash tests: runs one step of the bot and kills itself with SIGKILL as the step
 * writes its ledger entry of kind KIND (written, not yet committed: the moment a crash leaves the
 * most of the step half done); given `sql:N:TEXT` for KIND, as it runs the Nth statement whose
 * SQL holds TEXT; given `pragma:TEXT`, just before it runs a pragma holding TEXT (a checkpoint).
 * The step is a scheduler tick at ISO_TIME (`tick ISO_TIME`), the opening of the database, which
 * brings an earlier release's up to date (`open`), or a `roe` command run as the CLI runs it
 * (`roe ARGS…`, on DATABASE_PATH=DB). Prints `KILL` just before it kills
 * itself; exits 0 when the step never came to that point.
 * Usage: tsx test/support/kill-at-ledger-worker.ts DB KIND (tick ISO_TIME | open | roe ARGS…)
 */
import { writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openDatabase } from '../../db/client.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { createRuntime } from '../../src/app/runtime.js';
import { tick } from '../../src/app/scheduler.js';
import { FakeClock } from '../../src/core/clock.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

const [db, kind, op, ...rest] = process.argv.slice(2) as [string, string, string, ...string[]];

const kill = (): never => {
  writeSync(1, 'KILL\n');
  return process.kill(process.pid, 'SIGKILL') as never;
};
const [, nth, text] = /^sql:(\d+):(.*)$/s.exec(kind) ?? [];
let seen = 0;
// Every ledger insert goes through one prepared statement (see the store's ledger.append): its
// third parameter is the entry's kind.
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, source: string) {
  const statement = prepare.call(this, source) as Database.Statement;
  const ledger = /^\s*INSERT INTO ledger\b/i.test(source);
  if (text === undefined ? !ledger : !source.includes(text)) return statement;
  const run = statement.run.bind(statement);
  statement.run = ((...params: unknown[]) => {
    const result = run(...params);
    if (text === undefined ? params[2] === kind : ++seen === Number(nth)) kill();
    return result;
  }) as typeof statement.run;
  return statement;
} as typeof prepare;
const pragma = Database.prototype.pragma;
Database.prototype.pragma = function (this: Database.Database, source: string, options?: Database.PragmaOptions) {
  if (kind.startsWith('pragma:') && source.includes(kind.slice('pragma:'.length))) kill();
  return pragma.call(this, source, options);
} as typeof pragma;
if (op === 'tick') {
  const clock = new FakeClock(rest[0]!);
  const rt = createRuntime(loadConfig({ DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH }), createLogger('silent'), clock);
  tick(rt.db, rt.deps, clock.now(), rt.logger);
  rt.close();
} else if (op === 'open') {
  openDatabase(db).close();
} else {
  // Loaded only for a command: the CLI's modules take a while to load.
  const { main } = await import('../../src/app/cli.js');
  const code = await main(rest, {
    out: (s) => writeSync(1, `${s}\n`),
    err: (s) => writeSync(2, `${s}\n`),
    env: { ...process.env, DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH, LOG_LEVEL: 'silent' },
    stdin: process.stdin,
    stdout: process.stdout,
  });
  process.exitCode = code;
}
