import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/builders.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every import of a file: relative ones resolved to project paths, packages by name. */
function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => {
    const spec = m[1]!;
    return spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : spec;
  });
}

const PURE_PACKAGES = ['zod', 'yaml', 'luxon', 'csv-parse/sync', 'node:crypto', 'node:url', 'tldts'];

describe('layering (ARCHITECTURE.md)', () => {
  it.each(files(join(ROOT, 'src/core')).map((f) => [relative(ROOT, f)]))('%s imports only the core and pure libraries', (file) => {
    for (const dep of imports(join(ROOT, file))) {
      expect(dep.startsWith('src/core/') || PURE_PACKAGES.includes(dep), `${file} imports ${dep}`).toBe(true);
    }
  });

  it.each(files(join(ROOT, 'handlers')).map((f) => [relative(ROOT, f)]))('%s never imports db/ or src/app', (file) => {
    for (const dep of imports(join(ROOT, file))) {
      expect(dep.startsWith('db/') || dep.startsWith('src/app/') || dep === 'better-sqlite3' || dep.startsWith('drizzle-orm'), `${file} imports ${dep}`).toBe(false);
    }
  });

  it.each(files(join(ROOT, 'handlers')).filter((f) => !f.includes('/platforms/')).map((f) => [relative(ROOT, f)]))('%s (a handler) imports no platform SDK', (file) => {
    for (const dep of imports(join(ROOT, file))) {
      expect(/^@slack\/|^botbuilder|^handlers\/platforms\//.test(dep), `${file} imports ${dep}`).toBe(false);
    }
  });

  it.each(files(join(ROOT, 'handlers/platforms')).map((f) => [relative(ROOT, f)]))('%s imports no other platform', (file) => {
    const own = file.split('/')[2];
    for (const dep of imports(join(ROOT, file))) {
      const m = /^handlers\/platforms\/([^/]+)\//.exec(dep);
      if (m) expect(m[1], `${file} imports ${dep}`).toBe(own);
    }
  });

  it.each([...files(join(ROOT, 'src/core')), ...files(join(ROOT, 'handlers')), ...files(join(ROOT, 'db'))].map((f) => [relative(ROOT, f)]))('%s reads neither process.env nor the system clock', (file) => {
    const src = readFileSync(join(ROOT, file), 'utf8');
    expect(src).not.toMatch(/process\.env/);
    expect(src).not.toMatch(/Date\.now\(\)|new Date\(\)(?!\s*\))/);
  });
});
