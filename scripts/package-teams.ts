/**
 * `npm run package:teams [APP_ID]`: writes dist/roe-bot-teams.zip, the app package a Teams admin
 * uploads: manifests/teams/manifest.json with {{MICROSOFT_APP_ID}} replaced by the bot's app id
 * (the argument, or MICROSOFT_APP_ID from the environment or .env), and the two icons.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';

export const ROOT = resolve(import.meta.dirname, '..');
export const MANIFEST_DIR = resolve(ROOT, 'manifests/teams');
export const PACKAGE_PATH = resolve(ROOT, 'dist/roe-bot-teams.zip');
const PLACEHOLDER = /\{\{MICROSOFT_APP_ID\}\}/g;
const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;

/** The manifest with the app id filled in; refuses an id that is not a GUID. */
export function renderManifest(template: string, appId: string): string {
  if (!GUID.test(appId)) throw new Error(`the Microsoft app id must be a GUID like 00000000-0000-0000-0000-000000000000 (got "${appId}")`);
  const text = template.replace(PLACEHOLDER, appId);
  const left = /\{\{[^}]*\}\}/.exec(text);
  if (left) throw new Error(`manifest.json still has a placeholder: ${left[0]}`);
  return text;
}

/** The zip: manifest.json, color.png and outline.png at its root, as Teams wants them. */
export function buildTeamsPackage(appId: string, dir = MANIFEST_DIR): Uint8Array {
  const manifest = renderManifest(readFileSync(resolve(dir, 'manifest.json'), 'utf8'), appId);
  const icons = JSON.parse(manifest) as { icons: { color: string; outline: string } };
  return zipSync({
    'manifest.json': new TextEncoder().encode(manifest),
    [icons.icons.color]: readFileSync(resolve(dir, icons.icons.color)),
    [icons.icons.outline]: readFileSync(resolve(dir, icons.icons.outline)),
  });
}

function main(argv: string[]): number {
  if (existsSync(resolve(ROOT, '.env'))) process.loadEnvFile(resolve(ROOT, '.env'));
  const appId = argv[0] ?? process.env.MICROSOFT_APP_ID;
  if (!appId) {
    process.stderr.write('package:teams: give the bot\'s Microsoft app id: npm run package:teams -- <APP_ID>, or set MICROSOFT_APP_ID\n');
    return 2;
  }
  try {
    const zip = buildTeamsPackage(appId.trim());
    mkdirSync(dirname(PACKAGE_PATH), { recursive: true });
    writeFileSync(PACKAGE_PATH, zip);
    process.stdout.write(`wrote ${PACKAGE_PATH} (${zip.length} bytes): upload it in Teams admin center > Teams apps > Manage apps > Upload new app\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`package:teams: ${(e as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
