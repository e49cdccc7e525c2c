import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROE_SUBCOMMANDS } from '../handlers/roe.js';
import { loadConfig } from '../src/app/config.js';
import { platformRoutes } from '../src/app/serve.js';
import { main } from '../src/app/cli.js';
import { ROOT } from './support/builders.js';

const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** The words of a `/roe …` list as the README, a manifest or a usage hint writes it: `help | mine [page] | case N`. */
const subcommands = (list: string) => list.split('|').map((s) => s.trim().replace(/^\/?roe\s+/, '').split(/\s+/)[0]);

describe('README.md names the commands as the code answers them', () => {
  it('lists every `roe` command of `roe help` in its Command line block, and no other', async () => {
    const out: string[] = [];
    const code = await main(['help'], { out: (s) => out.push(s), err: () => {}, env: { LOG_LEVEL: 'warn' }, stdin: process.stdin, stdout: process.stdout });
    expect(code).toBe(0);
    const helped = new Set(out.join('\n').split('\n').map((l) => /^ {2}([a-z]+)/.exec(l)?.[1]).filter((c): c is string => !!c));
    const block = /## Command line\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const documented = new Set([...block.matchAll(/^npx roe ([a-z]+)/gm)].map((m) => m[1]!));
    // version and help are told of in the paragraph under the block.
    expect([...documented, 'version', 'help'].sort()).toEqual([...helped].sort());
  });

  it('gives `/roe` the same subcommands in the console table, the Slack section and the Teams table as /roe answers', () => {
    const lists = [...readme.matchAll(/`\/?roe (help\s*\\?\|[^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
    expect(lists.length).toBeGreaterThanOrEqual(3);
    for (const list of lists) expect(subcommands(list)).toEqual([...ROE_SUBCOMMANDS]);
  });

  it('gives `/roe` the same subcommands in the Slack manifest’s usage hint', () => {
    const manifest = parse(readFileSync(resolve(ROOT, 'manifests/slack/manifest.yaml'), 'utf8')) as { features: { slash_commands: { command: string; usage_hint?: string }[] } };
    const roe = manifest.features.slash_commands.find((c) => c.command === '/roe');
    expect(subcommands(roe?.usage_hint ?? '')).toEqual([...ROE_SUBCOMMANDS]);
  });

  it('names every policy field of the `registration` section the schema takes', () => {
    const row = readme.split('\n').find((l) => l.startsWith('| `registration` |')) ?? '';
    for (const field of ['protection_days', 'dormant_after_days', 'dormancy_warning_days', 'expiry_warning_days']) expect(row).toContain(`\`${field}\``);
  });
});

describe('README.md Quick start, as a newcomer follows it', () => {
  const quickStart = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';

  it('names the Node.js release package.json requires, before the first command', () => {
    const engines = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const minimum = /^>=\s*(\d+\.\d+)/.exec(engines)?.[1];
    expect(minimum).toBeDefined();
    expect(quickStart.slice(0, quickStart.indexOf('```'))).toContain(`Node.js ${minimum} or later`);
  });
});

describe('README.md names the HTTP routes as the server serves them', () => {
  it('names the HTTP routes the server serves with Slack over HTTP and Teams both configured, and no other', () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret', MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000001', MICROSOFT_APP_PASSWORD: 'secret' });
    // /healthz is served whatever is configured (test/app/serve.test.ts answers it).
    const served = [...platformRoutes(config), 'GET /healthz'].sort();
    const named = [...new Set([...readme.matchAll(/`((?:GET|POST|HEAD|PUT|DELETE) \/[^`\s]*)`/g)].map((m) => m[1]!))].sort();
    expect(named).toEqual(served);
  });
});
