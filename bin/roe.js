#!/usr/bin/env node
// `npx roe …`: the compiled CLI (scripts/build.js builds it first when the sources changed).
import { importEntry } from '../scripts/build.js';

// Stack traces name the TypeScript sources, not the compiled files in dist/.
process.setSourceMapsEnabled(true);

const [{ main }, { loadDotEnv }] = await Promise.all([importEntry('cli'), importEntry('config')]);
loadDotEnv();
process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
});
