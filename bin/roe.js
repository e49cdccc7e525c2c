#!/usr/bin/env node
// `npx roe …`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/app/cli.ts');
const { loadDotEnv } = await import('../src/app/config.ts');
loadDotEnv();
process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
});
