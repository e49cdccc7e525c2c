/**
 * `npm start`: serve Slack and/or Teams when credentials are configured; with none, open the
 * local console on the embedded SQLite with the demo data.
 */
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { main } from './cli.js';

loadDotEnv();
let mode: 'serve' | 'console' = 'console';
try {
  const config = loadConfig();
  mode = config.slack || config.teams.appId ? 'serve' : 'console';
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  // main() reports it in one line and exits 1.
}
const io = { out: (s: string) => process.stdout.write(`${s}\n`), err: (s: string) => process.stderr.write(`${s}\n`), env: process.env, stdin: process.stdin, stdout: process.stdout };
try {
  process.exitCode = await main([mode], io);
} catch (err) {
  // As `npx roe` says it: one line, the stack trace only with LOG_LEVEL=debug or trace.
  const detail = ['debug', 'trace'].includes(process.env.LOG_LEVEL?.trim().toLowerCase() ?? '');
  const line = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0];
  io.err(`roe: unexpected error: ${detail && err instanceof Error ? (err.stack ?? line) : `${line} (LOG_LEVEL=debug shows the stack trace)`}`);
  process.exitCode = 1;
}
