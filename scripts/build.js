/**
 * The compiled app: the TypeScript of src/, handlers/ and db/ bundled by esbuild into
 * `dist/<hash>/`, where <hash> is a digest of those sources (and of this script, package.json,
 * package-lock.json, tsconfig.json and the esbuild version). `bin/roe.js` and `npm start` run it with plain Node:
 * no TypeScript loader thread at run time, and one file to load instead of a hundred.
 *
 * - A build is never stale: a source edit changes the hash, so the next start builds anew
 *   (a fraction of a second) instead of running an older build.
 * - Builds are written to a temporary folder and renamed into place, so processes that start
 *   together (the tests spawn many) never read a half-written build.
 * - Every module keeps its own `import.meta.url` (rewritten to the source file's URL), so files
 *   read relative to a module (db/migrations, examples/) are found exactly as from the sources.
 * - The small, pure-JavaScript libraries loaded at every start (zod, drizzle-orm, yaml, luxon,
 *   csv-*) are bundled too: Node loads one file instead of hundreds. Native modules and the
 *   chat SDKs stay in node_modules, loaded as published; modules loaded with `import()` stay in
 *   their own chunks, so a Slack-only server never loads the Teams SDK.
 *
 * `node scripts/build.js` (npm run build, and npm's prepare) builds now and prints the folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** Modules a build starts from: each is `dist/<hash>/<name>.js`. */
export const ENTRIES = { cli: 'src/app/cli.ts', main: 'src/app/main.ts', config: 'src/app/config.ts' };
/** Packages bundled into the build; every other package is imported from node_modules at run time. */
const BUNDLED_PACKAGES = new Set(['zod', 'drizzle-orm', 'yaml', 'luxon', 'csv-parse', 'csv-stringify']);
/** The folders whose files go into a build (and into its hash). */
const SOURCE_DIRS = ['src', 'handlers', 'db'];
/** Other files that change what a build holds. */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.js'];
/** A build not used for this long may be removed when another one is written. */
const KEEP_OLD_BUILDS_MS = 10 * 60_000;
/** How long a start waits for another process's build of the same sources. */
const LOCK_WAIT_MS = 60_000;
const DONE = 'build.json';

function listFiles(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const d of names) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out = out.concat(listFiles(p));
    else if (d.isFile()) out.push(p);
  }
  return out;
}

function esbuildVersion(root) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules/esbuild/package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}

/** Digest of everything a build is made of, in a stable order (file names and contents). */
export function sourceHash(root = ROOT) {
  const files = SOURCE_DIRS.flatMap((d) => listFiles(join(root, d)))
    .map((p) => relative(root, p).split(sep).join('/'))
    .concat(BUILD_INPUTS)
    .sort();
  const h = createHash('sha256');
  h.update(`esbuild ${esbuildVersion(root)}\0node ${process.versions.modules}\0`);
  for (const f of files) {
    h.update(f);
    h.update('\0');
    try {
      h.update(readFileSync(join(root, f)));
    } catch {
      h.update('(missing)');
    }
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** The folder of the build of the current sources, or null when it is not built yet. */
export function currentBuild(hash = sourceHash()) {
  const dir = join(DIST, hash);
  return existsSync(join(dir, DONE)) ? dir : null;
}

/**
 * Gives every bundled module the `import.meta.url` of its source file. Output files all lie in
 * `dist/<hash>/`, two folders below the project root, so the source's URL is relative to
 * the output's own URL and the build still works when the project folder moves.
 */
function sourceUrlPlugin() {
  return {
    name: 'source-import-meta',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = relative(ROOT, args.path).split(sep).join('/');
        if (rel.startsWith('..') || rel.startsWith('node_modules/')) return undefined;
        let contents = readFileSync(args.path, 'utf8');
        if (contents.includes('import.meta.')) {
          const url = `new URL(${JSON.stringify(`../../${rel}`)}, import.meta.url)`;
          contents = contents
            .replaceAll('import.meta.url', `${url}.href`)
            .replaceAll('import.meta.filename', `__roeFileURLToPath(${url})`)
            .replaceAll('import.meta.dirname', `__roeDirname(__roeFileURLToPath(${url}))`);
          if (contents.includes('__roe')) contents = `import { fileURLToPath as __roeFileURLToPath } from 'node:url';\nimport { dirname as __roeDirname } from 'node:path';\n${contents}`;
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Leaves every package but {@link BUNDLED_PACKAGES} to node_modules. */
function externalPackagesPlugin() {
  return {
    name: 'external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const parts = args.path.split('/');
        const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

/** Removes builds other than `keep` that were not used for a while (a running process may still load a chunk from its own). */
function pruneOld(keep) {
  let names;
  try {
    names = readdirSync(DIST, { withFileTypes: true });
  } catch {
    return;
  }
  for (const d of names) {
    if (!d.isDirectory() || d.name === keep) continue;
    const p = join(DIST, d.name);
    const isBuild = /^[0-9a-f]{16}$/.test(d.name);
    const isTemp = d.name.startsWith('.tmp-') || d.name.startsWith('.lock-');
    if (!isBuild && !isTemp) continue;
    try {
      if (Date.now() - statSync(p).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

/** Builds the current sources (unless built already); returns the build's folder. */
export async function build({ hash = sourceHash(), quiet = true } = {}) {
  const existing = currentBuild(hash);
  if (existing) return existing;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (e) {
    throw new Error(`roe: cannot build the app: esbuild is not installed (run npm ci): ${e.message}`);
  }
  mkdirSync(DIST, { recursive: true });
  // One process builds while the others that start at the same time wait for its build (a
  // lock older than a minute is taken to be left by a process that died).
  const lock = join(DIST, `.lock-${hash}`);
  for (const until = Date.now() + LOCK_WAIT_MS; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const built = currentBuild(hash);
    if (built) return built;
    let stale = true;
    try {
      stale = Date.now() - statSync(lock).mtimeMs > LOCK_WAIT_MS;
    } catch {
      // Released just now.
    }
    if (stale || Date.now() > until) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((ok) => setTimeout(ok, 25));
  }
  try {
    return await buildLocked(esbuild, hash, quiet);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildLocked(esbuild, hash, quiet) {
  const existing = currentBuild(hash);
  if (existing) return existing;
  const tmp = join(DIST, `.tmp-${hash}-${process.pid}-${Date.now()}`);
  const started = performance.now();
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
      outdir: tmp,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      chunkNames: '[name]-[hash]',
      logLevel: 'silent',
      // The bundled CommonJS libraries (yaml) require Node's built-in modules.
      banner: { js: "import { createRequire as __roeCreateRequire } from 'node:module';\nconst require = __roeCreateRequire(import.meta.url);" },
      metafile: true,
      plugins: [externalPackagesPlugin(), sourceUrlPlugin()],
    });
    const outside = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/') && !f.startsWith('(disabled):') && !SOURCE_DIRS.some((d) => f.startsWith(`${d}/`)));
    if (outside.length > 0) throw new Error(`roe: the app imports files outside ${SOURCE_DIRS.join(', ')} (${outside.join(', ')}): add their folder to SOURCE_DIRS in scripts/build.js`);
    writeFileSync(join(tmp, DONE), `${JSON.stringify({ hash, built: new Date().toISOString(), ms: Math.round(performance.now() - started), inputs: Object.keys(result.metafile.inputs).length }, null, 2)}\n`);
    try {
      renameSync(tmp, join(DIST, hash));
    } catch (e) {
      // Built at the same time by another process: theirs is the same.
      rmSync(tmp, { recursive: true, force: true });
      if (!currentBuild(hash)) throw e;
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  pruneOld(hash);
  if (!quiet) process.stderr.write(`built dist/${hash} in ${Math.round(performance.now() - started)} ms\n`);
  return join(DIST, hash);
}

let current = null;

/** The build of the current sources (built when missing), once per process. */
function currentOrBuild() {
  current ??= (async () => {
    const hash = sourceHash();
    const dir = currentBuild(hash);
    if (!dir) return build({ hash });
    try {
      // Marks the build as in use, so that a build of other sources does not prune it.
      const now = new Date();
      utimesSync(dir, now, now);
    } catch {
      // A read-only install: nothing prunes it either.
    }
    return dir;
  })();
  return current;
}

/** Imports entry `name` of the build of the current sources, building it first when needed. */
export async function importEntry(name) {
  return import(pathToFileURL(join(await currentOrBuild(), `${name}.js`)).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = await build({ quiet: false });
  process.stdout.write(`${relative(ROOT, dir)}\n`);
}
