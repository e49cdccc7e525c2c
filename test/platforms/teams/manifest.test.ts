import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import ajvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { buildTeamsPackage, renderManifest } from '../../../scripts/package-teams.js';
import { ROOT } from '../../support/builders.js';

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
