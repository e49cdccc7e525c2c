import { UNPRINTABLE } from '../../../src/core/utf8.js';
import { momentsAsText } from '../../replies/moment.js';
import { ACTIONS, graphemes, oneLine, type ActionId, type Block, type Button, type Form, type Reply } from '../../replies/model.js';

/**
 * `/rule 12 approve northwind`: the approval of the party the card recommends, as the button's
 * value (`12:northwind`) carries it, so that typed once the recommendation changed it rules
 * nothing (as a stale button in Slack or Teams), rather than approve a party never shown.
 */
function approveCommand(value: string): string {
  const [id = '', party] = value.split(':');
  return party ? `/rule ${id} approve ${party}` : `/rule ${id} approve`;
}

/** The console command a button stands for, so a person can "click" it by typing. */
export function commandFor(button: Button): string {
  const map: Record<ActionId, string> = {
    [ACTIONS.pickAccount]: `/who-owns ${button.value}`,
    [ACTIONS.approve]: approveCommand(button.value),
    [ACTIONS.award]: `/rule ${button.value} award`,
    [ACTIONS.ask]: `/rule ${button.value} ask`,
    // Its value carries the question, which the DM shows above it.
    [ACTIONS.answer]: `/answer ${button.value.split(':')[0]}`,
    [ACTIONS.logActivity]: `/activity ${button.value.split(':')[0]}`,
    [ACTIONS.openClaim]: `/claim ${button.value}`,
    [ACTIONS.openDispute]: `/dispute ${button.value}`,
    [ACTIONS.snooze]: `/snooze ${button.value.replace(':', ' ')}`,
    [ACTIONS.openCase]: `/case ${button.value}`,
  };
  return map[button.action];
}

/**
 * Control characters (and so terminal escapes, C1's included) and the direction overrides that
 * reorder what follows them on the line (U+202A-U+202E, U+2066-U+2069) never reach the
 * terminal from a name or from what someone typed: each shows as �. A moment reads in the
 * policy's words, its zone named (see replies/moment.ts).
 */
export function clean(s: string): string {
  return momentsAsText(s).replace(UNPRINTABLE, '�');
}

/**
 * East Asian wide and full-width characters (Chinese, Japanese and Korean letters, full-width
 * forms such as ＡＢＣ) and emoji, which a terminal shows two columns wide.
 */
const WIDE_RE = /^[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1f200}-\u{1f2ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}|\uFE0F/u;
/** What a terminal shows no column for: combining marks alone, format characters (a zero-width joiner, a direction mark). */
const NO_WIDTH_RE = /^[\p{M}\p{Cf}]*$/u;

/**
 * The columns a terminal takes to show `s`: one for each character a reader sees
 * ({@link graphemes}: a letter with its accents, an emoji sequence), two for a wide one.
 */
export function displayWidth(s: string): number {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let w = 0;
  for (const g of graphemes(s)) w += NO_WIDTH_RE.test(g) ? 0 : WIDE_RE.test(g) ? 2 : 1;
  return w;
}

/** Rows of cells as columns lined up for a terminal (by {@link displayWidth}), two spaces apart; each cell {@link clean}. */
export function textTable(rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((r) => r.map(clean));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? '')))) ?? [];
  return cells.map((r) => r.map((c, i) => c + ' '.repeat(widths[i]! - displayWidth(c))).join('  ').trimEnd());
}

const TONE: Record<string, string> = { good: '✔ ', warning: '! ', attention: '✘ ', muted: '  ', normal: '' };

function renderBlock(b: Block): string[] {
  switch (b.type) {
    case 'text':
      return [`${TONE[b.tone ?? 'normal']}${clean(b.text)}`];
    case 'facts': {
      const w = Math.max(...b.facts.map((f) => f.label.length));
      return b.facts.map((f) => `${f.label.padEnd(w)}  ${clean(oneLine(f.value))}`);
    }
    case 'list':
      return [...(b.title ? [`${clean(b.title)}:`] : []), ...b.items.flatMap((i) => [`  • ${clean(oneLine(i.text))}`, ...(i.detail ? [`      ${clean(oneLine(i.detail))}`] : [])])];
    case 'quote':
      return [`  ${clean(oneLine(b.label))}:`, ...b.text.trim().split(/\r\n?|\n/).map((l) => `  │ ${clean(l)}`)];
    case 'actions':
      return b.actions.map((a) => `  [${clean(a.label)}]  ${clean(commandFor(a))}`);
    case 'divider':
      return ['────────'];
  }
}

/** A reply as plain text lines. */
export function renderReply(r: Reply): string {
  const lines: string[] = [];
  if (r.title) lines.push(`== ${clean(r.title)} ==`);
  for (const b of r.blocks) lines.push(...renderBlock(b));
  return lines.join('\n');
}

/** The prompt for one field of a form. */
export function fieldPrompt(f: Form['fields'][number]): string {
  const opts = f.options ? ` (${f.options.map((o, i) => `${i + 1}=${o.label}`).join(', ')})` : '';
  const def = f.initial ? ` [${f.initial.label}]` : '';
  return `${f.label}${f.required ? '' : ' (optional)'}${opts}${def}: `;
}
