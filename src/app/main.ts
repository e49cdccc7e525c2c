/**
 * `npm start`: serve Slack and/or Teams when credentials are configured; with none, open the
 * local console on the embedded SQLite with the demo data.
 */
import { ConfigError, loadDotEnvAtStart, loadConfig } from './config.js';
import { main, unexpectedError } from './cli.js';

const io = { out: (s: string) => process.stdout.write(`${s}\n`), err: (s: string) => process.stderr.write(`${s}\n`), env: process.env, stdin: process.stdin, stdout: process.stdout };
// A .env that cannot be read stops the start in one line, as a bad variable does.
if (!loadDotEnvAtStart(io.err)) {
  process.exitCode = 1;
} else {
  let mode: 'serve' | 'console' = 'console';
  try {
    const config = loadConfig();
    mode = config.slack || config.teams.appId ? 'serve' : 'console';
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // main() reports it in one line and exits 1.
  }
  // As `npx roe` does: a reader that stops early (`npm start < script | head`) closes the pipe,
  // and the rest of the console's output is not wanted. It ends quietly, between two commands.
  if (mode === 'console') {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0);
      throw err;
    });
  }
  try {
    process.exitCode = await main([mode], io);
  } catch (err) {
    // As `npx roe` says it: one line, the stack trace only with LOG_LEVEL=debug or trace.
    io.err(unexpectedError(err, process.env));
    process.exitCode = 1;
  }
}
