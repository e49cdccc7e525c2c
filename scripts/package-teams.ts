/**
 * `npm run package:teams [APP_ID]`: writes dist/roe-bot-teams.zip, the app package a Teams admin
 * uploads: manifests/teams/manifest.json with {{MICROSOFT_APP_ID}} replaced by the bot's app id
 * (the argument, or MICROSOFT_APP_ID from the environment or .env, read as the bot reads it), and
 * the two icons. A manifest Teams would refuse (an edit that breaks the official schema, a version
 * that is not MAJOR.MINOR.PATCH, an icon that is no PNG of its size) is refused here, each problem
 * named by its path, and no zip is written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { zipSync } from 'fflate';
import { loadDotEnvAtStart } from '../src/app/config.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const MANIFEST_DIR = resolve(ROOT, 'manifests/teams');
export const PACKAGE_PATH = resolve(ROOT, 'dist/roe-bot-teams.zip');
/** The official Teams manifest schema (1.29, draft-04), the copy the tests validate against. */
const SCHEMA_PATH = resolve(ROOT, 'test/fixtures/manifest-schemas/teams-manifest.schema.1.29.json');
const PLACEHOLDER = /\{\{MICROSOFT_APP_ID\}\}/g;
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** Teams takes a version of three numbers, MAJOR.MINOR.PATCH; the schema checks no more than that it is text. */
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv04 = ajvDraft04.default;
type Ajv04 = InstanceType<typeof Ajv04>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv04) => Ajv04;
let validator: ReturnType<Ajv04['compile']> | undefined;

/** The manifest with the app id filled in; refuses an id that is not a GUID. */
export function renderManifest(template: string, appId: string): string {
  if (!GUID.test(appId)) throw new Error(`the Microsoft app id must be a GUID like 00000000-0000-0000-0000-000000000000 (got "${appId}")`);
  const text = template.replace(PLACEHOLDER, appId);
  const left = /\{\{[^}]*\}\}/.exec(text);
  if (left) throw new Error(`manifest.json still has a placeholder: ${left[0]}`);
  return text;
}

/** What Teams would refuse in a manifest (its app id filled in), each as `path: problem`; none when it would take it. */
export function manifestProblems(manifest: unknown): string[] {
  validator ??= addFormats(new Ajv04({ allErrors: true, strict: false })).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
  const problems = validator(manifest) ? [] : (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'is not valid'}${e.keyword === 'additionalProperties' ? ` ("${String((e.params as { additionalProperty?: unknown }).additionalProperty)}")` : ''}`);
  const version = (manifest as { version?: unknown } | null)?.version;
  if (typeof version === 'string' && !VERSION.test(version)) problems.push(`/version: must be three numbers, MAJOR.MINOR.PATCH, such as 1.0.1 (got "${version}")`);
  return problems;
}

/** The icons Teams takes: PNG files of these sizes (the schema names only their paths). */
const ICON_SIZES = { color: 192, outline: 32 } as const;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What Teams would refuse in an icon (`which` of the manifest's, read from `file`): not a PNG, or not its size; null when it takes it. */
export function iconProblem(which: keyof typeof ICON_SIZES, file: string, bytes: Buffer): string | null {
  const size = ICON_SIZES[which];
  // The first chunk of a PNG is its header (IHDR): width and height at bytes 16 and 20.
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('ascii', 12, 16) !== 'IHDR') return `/icons/${which}: ${file} is not a PNG image; Teams takes a ${size}×${size} PNG`;
  const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
  return width === size && height === size ? null : `/icons/${which}: ${file} is ${width}×${height} pixels; Teams takes ${size}×${size}`;
}

/** The zip: manifest.json, color.png and outline.png at its root, as Teams wants them. */
export function buildTeamsPackage(appId: string, dir = MANIFEST_DIR): Uint8Array {
  const manifest = renderManifest(readFileSync(resolve(dir, 'manifest.json'), 'utf8'), appId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest);
  } catch (e) {
    throw new Error(`manifest.json is not valid JSON: ${(e as Error).message}`);
  }
  const problems = manifestProblems(parsed);
  const icons: Partial<Record<keyof typeof ICON_SIZES, Buffer>> = {};
  for (const which of ['color', 'outline'] as const) {
    const file: unknown = (parsed as { icons?: Partial<Record<typeof which, unknown>> } | null)?.icons?.[which];
    // An icon not named (the schema's problem) has nothing to read.
    if (typeof file === 'string') {
      try {
        icons[which] = readFileSync(resolve(dir, file));
      } catch (e) {
        problems.push(`/icons/${which}: cannot read ${file} beside manifest.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        continue;
      }
      const problem = iconProblem(which, file, icons[which]);
      if (problem) problems.push(problem);
    }
  }
  if (problems.length > 0) throw new Error(`manifest.json: Teams would refuse it:\n  ${problems.join('\n  ')}`);
  const { color, outline } = (parsed as { icons: { color: string; outline: string } }).icons;
  return zipSync({ 'manifest.json': new TextEncoder().encode(manifest), [color]: icons.color!, [outline]: icons.outline! });
}

export interface PackageOptions {
  /** The .env read first (the project's); read as the bot reads it. */
  envFile?: string;
  /** Where the zip is written. */
  packagePath?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** The command, `argv` as npm passes it; returns the exit code. */
export function main(argv: string[], o: PackageOptions = {}): number {
  const out = o.out ?? ((line) => process.stdout.write(`${line}\n`));
  const err = o.err ?? ((line) => process.stderr.write(`package:teams: ${line}\n`));
  const packagePath = o.packagePath ?? PACKAGE_PATH;
  // A .env that cannot be read, or one naming the app id as Azure's templates write it (MicrosoftAppId), is said as the bot says it.
  if (!loadDotEnvAtStart(err, o.envFile ?? resolve(ROOT, '.env'))) return 1;
  const appId = (argv[0] ?? process.env.MICROSOFT_APP_ID ?? '').trim();
  if (!appId) {
    err("give the bot's Microsoft app id: npm run package:teams -- <APP_ID>, or set MICROSOFT_APP_ID");
    return 2;
  }
  try {
    const zip = buildTeamsPackage(appId);
    mkdirSync(dirname(packagePath), { recursive: true });
    writeFileSync(packagePath, zip);
    out(`wrote ${packagePath} (${zip.length} bytes): upload it in Teams admin center > Teams apps > Manage apps > Upload new app`);
    return 0;
  } catch (e) {
    err((e as Error).message);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
