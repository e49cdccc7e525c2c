/**
 * Draws the Teams app icons (committed in manifests/teams/): a 192×192 colour icon and a 32×32
 * outline icon, white on transparent, as Teams requires. Run again after changing the design:
 *   npx tsx scripts/make-teams-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { png } from './png.js';

const OUT = resolve(import.meta.dirname, '../manifests/teams');
const ACCENT = [0x44, 0x64, 0xee] as const;

/** Distance from (x, y) to the centre of a size×size image, in pixels. */
const dist = (x: number, y: number, size: number) => Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2);

/** The mark: a ring split by a bar (one account, two parties, one line between them). */
function mark(x: number, y: number, size: number): boolean {
  const r = dist(x, y, size) / size;
  const ring = r > 0.3 && r < 0.4;
  const bar = Math.abs(y + 0.5 - size / 2) < size * 0.05 && Math.abs(x + 0.5 - size / 2) < size * 0.3;
  return ring || bar;
}

const color = png(192, (x, y) => (mark(x, y, 192) ? [255, 255, 255, 255] : [...ACCENT, 255]));
const outline = png(32, (x, y) => (mark(x, y, 32) ? [255, 255, 255, 255] : [0, 0, 0, 0]));
writeFileSync(resolve(OUT, 'color.png'), color);
writeFileSync(resolve(OUT, 'outline.png'), outline);
process.stdout.write(`wrote ${OUT}/color.png (192×192) and outline.png (32×32)\n`);
