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
process.exitCode = await main([mode], io);
