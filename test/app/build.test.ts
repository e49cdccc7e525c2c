import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, currentBuild, sourceHash } from '../../scripts/build.js';
import { ROOT } from '../support/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the compiled app (scripts/build.js)', () => {
  it('is named by a digest of every source file: changing, adding or removing one gives another build', () => {
    const root = join(dir, 'project');
    for (const d of ['src/app', 'handlers', 'db/migrations', 'scripts']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'src/app/a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'handlers/h.ts'), 'export const h = 1;\n');
    writeFileSync(join(root, 'db/migrations/0000.sql'), 'create table t (x);\n');
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json']) writeFileSync(join(root, f), '{}\n');
    cpSync(join(ROOT, 'scripts/build.js'), join(root, 'scripts/build.js'));
    const seen = new Set([sourceHash(root)]);
    const differs = () => {
      const h = sourceHash(root);
      expect(seen.has(h), 'a change that keeps the digest').toBe(false);
      seen.add(h);
    };
    expect(sourceHash(root)).toBe([...seen][0]); // stable
    writeFileSync(join(root, 'src/app/a.ts'), 'export const a = 2;\n');
    differs();
    writeFileSync(join(root, 'handlers/new.ts'), 'export {};\n');
    differs();
    rmSync(join(root, 'handlers/new.ts'));
    writeFileSync(join(root, 'handlers/h2.ts'), 'export const h = 1;\n'); // same content, another name
    differs();
    writeFileSync(join(root, 'db/migrations/0000.sql'), 'create table t (y);\n');
    differs();
    writeFileSync(join(root, 'package-lock.json'), '{"x":1}\n');
    differs();
  });

  it('bin/roe.js runs the build of the current sources', async () => {
    const folder = await build();
    expect(folder).toBe(currentBuild(sourceHash()));
    expect(JSON.parse(readFileSync(join(folder, 'build.json'), 'utf8'))).toMatchObject({ hash: sourceHash() });
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/roe.js'), 'help'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('usage: roe <command>');
  });

  it('reads the migrations and the examples next to their sources, from any working directory', () => {
    const cwd = join(dir, 'elsewhere');
    mkdirSync(cwd, { recursive: true });
    const env = { PATH: process.env.PATH, DATABASE_PATH: join(cwd, 'roe.db'), LOG_LEVEL: 'warn' };
    // An import makes the database (ledger verify refuses one that does not exist).
    const imported = spawnSync(process.execPath, [join(ROOT, 'bin/roe.js'), 'import', 'partners', join(ROOT, 'examples/partners.csv')], { cwd, encoding: 'utf8', env, timeout: 60_000 });
    expect(imported.status, imported.stderr).toBe(0);
    const verify = spawnSync(process.execPath, [join(ROOT, 'bin/roe.js'), 'ledger', 'verify'], { cwd, encoding: 'utf8', env, timeout: 60_000 });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('ledger OK: 2 entries');
    // `npm start` with no credentials: the console on the demo data (examples/*.csv, examples/policy.yaml).
    const start = spawnSync(process.execPath, [join(ROOT, 'bin/start.js')], { cwd, encoding: 'utf8', env: { ...env, DATABASE_PATH: join(cwd, 'demo.db') }, input: '/who-owns acme\n/quit\n', timeout: 60_000 });
    expect(start.status, start.stderr).toBe(0);
    expect(start.stdout).toContain('Loaded the demo data');
    expect(start.stdout).toContain('== Acme Corporation ==');
  });

  it('loads the chat SDKs only from the chunks that serve them', async () => {
    const folder = await build();
    const files = readdirSync(folder).filter((f) => f.endsWith('.js'));
    const importing = (pkg: string) => files.filter((f) => new RegExp(`from\\s*["']${pkg}["']|import\\(["']${pkg}["']\\)`).test(readFileSync(join(folder, f), 'utf8')));
    expect(importing('botbuilder')).toEqual([expect.stringMatching(/^teams-adapter-/)]);
    expect(importing('@slack/bolt')).toEqual([expect.stringMatching(/^platforms-/)]);
    // What every start loads (the entries and the chunks they import statically) holds neither.
    const staticImports = (f: string) => [...readFileSync(join(folder, f), 'utf8').matchAll(/^import\s[^;]*?from\s*["']\.\/([^"']+)["']/gm)].map((m) => m[1]!);
    const atStart = new Set<string>();
    const visit = (f: string) => {
      if (atStart.has(f)) return;
      atStart.add(f);
      for (const g of staticImports(f)) visit(g);
    };
    for (const entry of ['cli.js', 'main.js', 'config.js']) visit(entry);
    for (const f of atStart) expect(f).not.toMatch(/^(platforms|teams-adapter)-/);
  });
});
