#!/usr/bin/env node
// `npx roe …`: the compiled CLI (scripts/build.js builds it first when the sources changed).
import { importEntry } from '../scripts/build.js';

// Stack traces name the TypeScript sources, not the compiled files in dist/.
process.setSourceMapsEnabled(true);

/**
 * An error main() did not expect (or a build that failed): one line and exit 1; the stack trace
 * only when LOG_LEVEL is debug or trace. (Written here too, for when the CLI cannot be loaded.)
 */
function unexpected(err) {
  const detail = ['debug', 'trace'].includes(process.env.LOG_LEVEL?.trim().toLowerCase() ?? '');
  const line = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).split('\n')[0];
  process.stderr.write(`roe: unexpected error: ${detail ? (err?.stack ?? String(err)) : `${line} (LOG_LEVEL=debug shows the stack trace)`}\n`);
  process.exitCode = 1;
}

// A reader that stops early (`roe ledger export | head`, quitting `less`) closes the pipe: the
// rest of the output is not wanted, which is no error of the command's.
// Output that cannot be written where it goes (`> /dev/full`, a full disk) is said so, in one
// line, as no error of the command's: exit 1, since the output is lost.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  process.stderr.write(`roe: cannot write the output (${err.code === 'ENOSPC' ? 'no space left on the device' : (err.message ?? String(err)).split('\n')[0]})\n`);
  process.exit(1);
});

try {
  const [{ main }, { loadDotEnvAtStart }] = await Promise.all([importEntry('cli'), importEntry('config')]);
  // A .env that cannot be read stops the command in one line, as a bad variable does.
  if (!loadDotEnvAtStart((line) => process.stderr.write(`${line}\n`))) process.exitCode = 1;
  else process.exitCode = await main(process.argv.slice(2), {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
  });
} catch (err) {
  unexpected(err);
}
