import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import ajvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { buildTeamsPackage, main as packageTeams, renderManifest } from '../../../scripts/package-teams.js';
import { png } from '../../../scripts/png.js';
import { ROE_SUBCOMMANDS } from '../../../handlers/roe.js';
import { ROOT } from '../../support/builders.js';
import { readCard } from '../../support/fake-connector.js';
import { startTeams, USERS } from '../../support/teams-harness.js';

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.
const Ajv04 = ajvDraft04.default;
type Ajv04 = InstanceType<typeof Ajv04>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv04) => Ajv04;
const DIR = resolve(ROOT, 'manifests/teams');
const APP_ID = '00000000-1111-4222-8333-444444444444';

interface Manifest {
  id: string;
  icons: { color: string; outline: string };
  supportedChannelTypes?: string[];
  bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: { title: string; description: string }[] }[] }[];
}

const template = readFileSync(resolve(DIR, 'manifest.json'), 'utf8');
const manifest = JSON.parse(renderManifest(template, APP_ID)) as Manifest;
const schema = JSON.parse(readFileSync(resolve(ROOT, 'test/fixtures/manifest-schemas/teams-manifest.schema.1.29.json'), 'utf8')) as object;
const validate = addFormats(new Ajv04({ allErrors: true, strict: false })).compile(schema);

/** Width, height, colour type and RGBA pixels of a non-interlaced 8-bit PNG. */
function readPng(buf: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const colorType = buf[25]!;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('ascii', at + 4, at + 8);
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + width * 4;
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * stride]).toBe(0); // the icons are written without filters
    raw.copy(pixels, y * width * 4, y * stride + 1, (y + 1) * stride);
  }
  return { width, height, colorType, pixels };
}

describe('manifests/teams/manifest.json', () => {
  it('keeps the app id as a placeholder that packaging fills in', () => {
    expect(template).toContain('"botId": "{{MICROSOFT_APP_ID}}"');
    expect(manifest.bots[0]!.botId).toBe(APP_ID);
    expect(() => renderManifest(template, 'not-a-guid')).toThrow(/GUID/);
  });

  it('is valid against the Teams manifest schema 1.29', () => {
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('lists exactly the commands the bot handles, for the personal, team and groupChat scopes', () => {
    const bot = manifest.bots[0]!;
    expect(bot.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual(['groupChat', 'personal', 'team']);
    for (const list of bot.commandLists) expect(list.commands.map((c) => c.title).sort()).toEqual(Object.values(TEAMS_IDS.commands).sort());
  });

  it('names each command as the bot answers it: every example a description gives (or the command alone) is answered as that command, and `roe` lists exactly its subcommands', async () => {
    const commands = manifest.bots[0]!.commandLists[0]!.commands;
    const roe = commands.find((c) => c.title === TEAMS_IDS.commands.roe)!;
    expect(roe.description.replace(/^roe /, '').split(' | ').map((s) => s.split(' ')[0])).toEqual([...ROE_SUBCOMMANDS]);
    const h = await startTeams();
    try {
      for (const c of commands) {
        const typed = /Example: (.+)$/.exec(c.description)?.[1] ?? c.title;
        const answer = readCard(await h.say(USERS.sam, typed));
        expect(answer, typed).not.toContain('Unknown command');
        expect(answer, typed).not.toContain('Nothing was changed.');
      }
    } finally {
      await h.stop();
    }
  });

  it('can be added to private channels, and not to shared ones, where Teams gives every member the host’s tenant (a partner’s rep would pass for a colleague)', () => {
    expect(manifest.supportedChannelTypes).toEqual(['privateChannels']);
  });

  it('has a 192×192 colour icon and a 32×32 outline icon, white on transparent', () => {
    const color = readPng(readFileSync(resolve(DIR, manifest.icons.color)));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = readPng(readFileSync(resolve(DIR, manifest.icons.outline)));
    expect([outline.width, outline.height, outline.colorType]).toEqual([32, 32, 6]);
    let white = 0;
    for (let i = 0; i < outline.pixels.length; i += 4) {
      const [r, g, b, a] = outline.pixels.subarray(i, i + 4);
      if (a === 0) continue;
      expect([r, g, b]).toEqual([255, 255, 255]);
      white++;
    }
    expect(white).toBeGreaterThan(0);
    expect(white).toBeLessThan(32 * 32);
  });
});

describe('npm run package:teams', () => {
  it('zips the manifest with the app id and the two icons at the root', () => {
    const files = unzipSync(buildTeamsPackage(APP_ID));
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const packed = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Manifest;
    expect(packed.id).toBe(APP_ID);
    expect(packed.bots[0]!.botId).toBe(APP_ID);
    expect(Buffer.from(files['color.png']!)).toEqual(readFileSync(resolve(DIR, 'color.png')));
    expect(Buffer.from(files['outline.png']!)).toEqual(readFileSync(resolve(DIR, 'outline.png')));
  });
});

describe('npm run package:teams refuses what Teams would refuse, before an admin uploads it', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roe-teams-pkg-'));
    cpSync(DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The shipped manifest with `edit` applied, as an admin would change it before packaging. */
  const edited = (edit: (m: Record<string, unknown>) => void) => {
    const m = JSON.parse(template) as Record<string, unknown>;
    edit(m);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m, null, 2));
  };

  it('a version raised to something other than MAJOR.MINOR.PATCH (which the schema lets through), and the developer’s fields edited past the schema, each named by its path', () => {
    edited((m) => {
      m.version = '0.2';
      m.developer = { ...(m.developer as object), name: 'Contoso Partner Operations Department', websiteUrl: 'roe.contoso.com' };
    });
    expect(() => buildTeamsPackage(APP_ID, dir)).toThrow(
      ['manifest.json: Teams would refuse it:', '  /developer/name: must NOT have more than 32 characters', '  /developer/websiteUrl: must match pattern "^[Hh][Tt][Tt][Pp][Ss]?://"', '  /version: must be three numbers, MAJOR.MINOR.PATCH, such as 1.0.1 (got "0.2")'].join('\n'),
    );
  });

  it.each(['1.0', 'v1.0.1', '1.0.1.2', '01.0.0'])('version %j is refused; 1.0.1 is taken', (version) => {
    edited((m) => (m.version = version));
    expect(() => buildTeamsPackage(APP_ID, dir)).toThrow(`/version: must be three numbers, MAJOR.MINOR.PATCH, such as 1.0.1 (got "${version}")`);
    edited((m) => (m.version = '1.0.1'));
    expect(JSON.parse(new TextDecoder().decode(unzipSync(buildTeamsPackage(APP_ID, dir))['manifest.json']))).toMatchObject({ version: '1.0.1' });
  });

  it('icons replaced by the company’s own: one of another size, one that is no PNG, one not there, each named', () => {
    writeFileSync(join(dir, 'color.png'), png(512, () => [0x44, 0x64, 0xee, 255]));
    writeFileSync(join(dir, 'outline.png'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(40)])); // a JPEG's first bytes
    expect(() => buildTeamsPackage(APP_ID, dir)).toThrow(['manifest.json: Teams would refuse it:', '  /icons/color: color.png is 512×512 pixels; Teams takes 192×192', '  /icons/outline: outline.png is not a PNG image; Teams takes a 32×32 PNG'].join('\n'));
    edited((m) => (m.icons = { color: 'logo.png', outline: 'outline.png' }));
    expect(() => buildTeamsPackage(APP_ID, dir)).toThrow('  /icons/color: cannot read logo.png beside manifest.json (ENOENT)');
  });

  it('a manifest edited into broken JSON says so', () => {
    writeFileSync(join(dir, 'manifest.json'), template.replace('"version": "0.1.0",', '"version": "0.2.0"'));
    expect(() => buildTeamsPackage(APP_ID, dir)).toThrow(/^manifest\.json is not valid JSON: /);
  });
});

describe('npm run package:teams reads the app id as the bot reads it', () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roe-teams-env-'));
    saved = process.env.MICROSOFT_APP_ID;
    delete process.env.MICROSOFT_APP_ID;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.MicrosoftAppId;
    if (saved === undefined) delete process.env.MICROSOFT_APP_ID;
    else process.env.MICROSOFT_APP_ID = saved;
  });

  /** Runs the command with `env` as the project's .env (none when undefined); its exit code, what it printed and whether it wrote the zip. */
  const run = (argv: string[], env?: string | 'folder') => {
    const envFile = join(dir, '.env');
    if (env === 'folder') mkdirSync(envFile);
    else if (env !== undefined) writeFileSync(envFile, env);
    const lines: string[] = [];
    const packagePath = join(dir, 'out', 'roe-bot-teams.zip');
    const code = packageTeams(argv, { envFile, packagePath, out: (l) => lines.push(l), err: (l) => lines.push(l) });
    return { code, lines, wrote: existsSync(packagePath) };
  };

  it('from .env, as `npm run package:teams` with MICROSOFT_APP_ID set there', () => {
    const r = run([], `MICROSOFT_APP_ID=${APP_ID}\n`);
    expect(r).toMatchObject({ code: 0, wrote: true });
    expect(r.lines).toEqual([`wrote ${join(dir, 'out', 'roe-bot-teams.zip')} (${readFileSync(join(dir, 'out', 'roe-bot-teams.zip')).length} bytes): upload it in Teams admin center > Teams apps > Manage apps > Upload new app`]);
  });

  it('blank (only spaces) is not given: the command says how to give it', () => {
    expect(run(['   '])).toEqual({ code: 2, wrote: false, lines: ["give the bot's Microsoft app id: npm run package:teams -- <APP_ID>, or set MICROSOFT_APP_ID"] });
  });

  it('MicrosoftAppId, as Azure’s templates write it, is named, as the bot names it', () => {
    expect(run([], `MICROSOFT_APP_ID=\nMicrosoftAppId=${APP_ID}\n`)).toEqual({
      code: 2,
      wrote: false,
      lines: ['.env: MicrosoftAppId is not a roe-bot variable, and is ignored: MICROSOFT_APP_ID is empty; give it the value instead', "give the bot's Microsoft app id: npm run package:teams -- <APP_ID>, or set MICROSOFT_APP_ID"],
    });
  });

  it('a .env that cannot be read is one line naming it, not a stack trace', () => {
    expect(run([APP_ID], 'folder')).toEqual({ code: 1, wrote: false, lines: [`configuration: .env: cannot read ${join(dir, '.env')} (a folder, not a file)`] });
  });
});
