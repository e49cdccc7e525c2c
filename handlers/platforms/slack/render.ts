import type { types } from '@slack/bolt';
import { clip, clipMarked, graphemes, oneLine, TONE_MARK, type Block, type Button, type Field, type Form, type Reply, type Tone } from '../../replies/model.js';
import { hasMoment, momentsAsText, pieces } from '../../replies/moment.js';
import { printable } from '../../../src/core/utf8.js';
import { SLACK_IDS } from './ids.js';

type KnownBlock = types.KnownBlock;
type PlainText = types.PlainTextElement;
type Mrkdwn = types.MrkdwnElement;
type Option = types.PlainTextOption;

/** Block Kit limits (https://docs.slack.dev/reference/block-kit). */
export const LIMITS = {
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextText: 3000,
  /** Characters of a quote's text (Slack sets no lower limit on rich text than a section's). */
  quoteText: 3000,
  header: 150,
  messageBlocks: 50,
  viewBlocks: 100,
  actionElements: 25,
  buttonText: 75,
  /** A button's `accessibility_label`: what a screen reader says in place of its text. */
  accessibilityLabel: 75,
  buttonValue: 2000,
  optionText: 75,
  /** An option's value: an id (accounts and partners imported before ids were held to 150 may be longer). */
  optionValue: 150,
  options: 100,
  optionGroups: 100,
  optionGroupLabel: 75,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  initialValue: 3000,
  privateMetadata: 3000,
  fallbackText: 3000,
  /** A button's confirmation dialog: its title, text and two buttons. */
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

const MRKDWN_SPECIAL = /[&<>]/;

/**
 * Escapes text for Slack mrkdwn: nothing a user typed is read as a mention, a link or a command,
 * and a control character shows as � ({@link printable}).
 */
export function escapeMrkdwn(given: string): string {
  const s = printable(momentsAsText(given));
  if (!MRKDWN_SPECIAL.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text for a rich text element, which Slack shows literally (no formatting, no links): only
 * anything that looks like a mention or a link (`<!channel>`, `<@U1>`) is broken by a
 * zero-width space, for every client that might still read it as one; a control character
 * shows as � ({@link printable}).
 */
export function literal(s: string): string {
  return printable(momentsAsText(s)).replace(/<(?=[A-Za-z!@#/?^])/g, '<\u200B');
}

/** Cuts plain text to `max` characters, with an ellipsis when cut. */
export const truncate = clip;

/** Escapes, then cuts to `max` characters without splitting an escape or a character ({@link graphemes}: a surrogate pair, an accent, an emoji sequence). */
export function mrkdwnText(given: string, max: number): string {
  const s = momentsAsText(given);
  const escaped = escapeMrkdwn(s);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of graphemes(s)) {
    const e = escapeMrkdwn(ch);
    if (out.length + e.length > max - 1) break;
    out += e;
  }
  return `${out}…`;
}

/**
 * Plain text, shown as written: `emoji: false`, so a `:shortcode:` someone typed (an
 * opportunity named `:white_check_mark: Ruled`) stays text and never turns into the emoji the
 * bot's own lines start with. The bot's emoji are Unicode characters (see TONE_MARK). A control
 * character shows as � ({@link printable}).
 */
export function plain(given: string, max: number): PlainText {
  const s = momentsAsText(given);
  return { type: 'plain_text', text: truncate(s.trim() === '' ? ' ' : printable(s), max), emoji: false };
}

/**
 * A moment as Slack shows it: its date and time in the reader's own time zone (their Slack
 * settings), saying so; a client that cannot shows the policy's words, its zone named.
 */
function dateToken(at: Date, shown: string): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} at {time} your time|${escapeMrkdwn(shown)}>`;
}

/**
 * `s` in mrkdwn with its moments in the reader's own time ({@link dateToken}), when it holds one
 * and that fits in `max` characters; else null, for the caller's plain words.
 */
function localized(s: string, max: number): string | null {
  if (!hasMoment(s)) return null;
  const out = pieces(s)
    .map((p) => ('at' in p ? dateToken(p.at, p.shown) : escapeMrkdwn(p.text)))
    .join('');
  return out.length <= max ? out : null;
}

/**
 * What mrkdwn reads as formatting in a line the bot otherwise shows as plain text: the markers
 * and an emoji `:shortcode:` (plain text keeps both as typed).
 */
const MRKDWN_FORMATTING = /[*_~`]|:[^\s:]+:/;

/**
 * A line shown as plain text, but as mrkdwn when it holds a moment, so that the moment shows in
 * the reader's own time; plain still when what it quotes would read as formatting there.
 */
function line(s: string, max: number): Mrkdwn | PlainText {
  const local = hasMoment(s) && !MRKDWN_FORMATTING.test(momentsAsText(s)) ? localized(s, max) : null;
  return local !== null ? mrkdwn(local) : plain(s, max);
}

function mrkdwn(escapedText: string): Mrkdwn {
  return { type: 'mrkdwn', text: escapedText, verbatim: true };
}

/** The characters mrkdwn reads as bold, italic, strike-through or code; it has no escape for them. */
const MRKDWN_MARKERS = /[*_~`]/;

/**
 * `label` in bold then `value`, in mrkdwn; or, when either holds a character mrkdwn would read
 * as formatting (an account imported as `Soylent *URGENT*`), the two as plain text, label not in
 * bold: a name shows as written, never bold, italic, struck or as code.
 */
function labelled(label: string, value: string | null, max: number): Mrkdwn | PlainText {
  if (MRKDWN_MARKERS.test(label) || (value !== null && MRKDWN_MARKERS.test(momentsAsText(value)))) return plain(value === null ? label : `${label}\n${value}`, max);
  const bold = `*${mrkdwnText(label, 200)}*`;
  if (value === null) return mrkdwn(bold);
  const room = max - bold.length - 1;
  return mrkdwn(`${bold}\n${localized(value, room) ?? mrkdwnText(value, room)}`);
}

/** Small print: mrkdwn, or plain text when it holds a character mrkdwn would read as formatting. */
function smallPrint(s: string): Mrkdwn | PlainText {
  return MRKDWN_MARKERS.test(s) ? plain(s, LIMITS.contextText) : mrkdwn(mrkdwnText(s, LIMITS.contextText));
}

/**
 * Splits lines (already escaped, for mrkdwn) into chunks of at most `max` characters, one chunk
 * per block. A single line longer than `max` is cut (the caller cuts raw text before escaping).
 */
function chunkLines(lines: string[], max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines) {
    const l = line.length > max ? `${line.slice(0, max - 1)}…` : line;
    if (current && current.length + 1 + l.length > max) {
      chunks.push(current);
      current = l;
    } else {
      current = current ? `${current}\n${l}` : l;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** Gives each button a Slack action id, unique within the message: `id`, then `id:1`, `id:2`… */
class ActionIds {
  private seen = new Map<string, number>();
  next(button: Button): string {
    const base = SLACK_IDS.actions[button.action];
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : `${base}:${n}`;
  }
}

function renderButton(b: Button, ids: ActionIds): types.Button {
  return {
    type: 'button',
    action_id: ids.next(b),
    text: plain(b.label, LIMITS.buttonText),
    value: b.value.slice(0, LIMITS.buttonValue),
    ...(b.style ? { style: b.style } : {}),
    ...(b.accessibilityLabel?.trim() ? { accessibility_label: truncate(printable(oneLine(momentsAsText(b.accessibilityLabel))), LIMITS.accessibilityLabel) } : {}),
    ...(b.confirm ? { confirm: { title: plain(b.confirm.title, LIMITS.confirmTitle), text: plain(b.confirm.text, LIMITS.confirmText), confirm: plain(b.confirm.yes, LIMITS.confirmButton), deny: plain('Cancel', LIMITS.confirmButton), ...(b.style ? { style: b.style } : {}) } } : {}),
  };
}

function renderBlock(b: Block, ids: ActionIds): KnownBlock[] {
  switch (b.type) {
    case 'text': {
      // Plain text: a line of the bot's holds no formatting of its own, and what a person typed
      // quoted in it (a search, a name) shows as typed, its * _ ~ ` not made bold, italic, struck
      // or code (mrkdwn has no escape for them). A line naming a moment is mrkdwn, unless it holds
      // one of those ({@link line}).
      const tone = b.tone ?? 'normal';
      const prefix = TONE_MARK[tone];
      const text = line(prefix + b.text, LIMITS.sectionText);
      if (tone === 'muted') return [{ type: 'context', elements: [text] }];
      return [{ type: 'section', text }];
    }
    case 'facts': {
      const out: KnownBlock[] = [];
      for (let i = 0; i < b.facts.length; i += LIMITS.sectionFields) {
        const fields = b.facts.slice(i, i + LIMITS.sectionFields).map((f) => labelled(truncate(oneLine(f.label), 200), oneLine(f.value), LIMITS.sectionField));
        out.push({ type: 'section', fields });
      }
      return out;
    }
    case 'list': {
      // The items are plain text: what they carry that a person typed (an opportunity's name)
      // shows as typed, never as bold, a strike-through, code or a link (mrkdwn only for a moment, as {@link line} says).
      const lines: string[] = [];
      for (const item of b.items) {
        lines.push(`• ${clipMarked(oneLine(item.text), 1000)}`);
        if (item.detail) lines.push(`      ${clipMarked(oneLine(item.detail), 1500)}`);
      }
      const title: KnownBlock[] = b.title ? [counted({ type: 'section', text: labelled(truncate(oneLine(b.title), 200), null, LIMITS.sectionText) }, 0)] : [];
      // Each section counts the items it starts (its lines starting "• "), for capBlocks to say how many it leaves out.
      return bulk([...title, ...chunkLines(lines, LIMITS.sectionText).map((text): KnownBlock => counted({ type: 'section', text: line(text, LIMITS.sectionText) }, text.split('\n').filter((l) => l.startsWith('• ')).length))]);
    }
    case 'quote': {
      // The label in the bot's small print; the words in a quote of their own, shown literally.
      const blocks: KnownBlock[] = [
        { type: 'context', elements: [smallPrint(oneLine(b.label))] },
        { type: 'rich_text', elements: [{ type: 'rich_text_quote', elements: [{ type: 'text', text: literal(truncate(momentsAsText(b.text).trim() || ' ', LIMITS.quoteText)) }] }] },
      ];
      return b.many ? bulk(blocks) : blocks;
    }
    case 'actions': {
      const out: KnownBlock[] = [];
      for (let i = 0; i < b.actions.length; i += LIMITS.actionElements) {
        out.push({ type: 'actions', elements: b.actions.slice(i, i + LIMITS.actionElements).map((a) => renderButton(a, ids)) });
      }
      return out;
    }
    case 'divider':
      return [{ type: 'divider' }];
  }
}

/** The blocks a long reply has many of (a list's, a quote of many's, such as each claim's evidence): what capBlocks cuts first. */
const ofBulk = new WeakSet<KnownBlock>();
function bulk(blocks: KnownBlock[]): KnownBlock[] {
  for (const b of blocks) ofBulk.add(b);
  return blocks;
}

/** How many things a person reads in a block, where it is not one: a list's items, a title (none). */
const itemsIn = new WeakMap<KnownBlock, number>();
function counted(block: KnownBlock, items: number): KnownBlock {
  itemsIn.set(block, items);
  return block;
}

/**
 * What a block left out takes away, as a person counts it: a list's section the items it holds,
 * a section of facts its facts, a quote one (its label none), a divider none, any other block one.
 */
function countOf(block: KnownBlock, next: KnownBlock | undefined): number {
  const items = itemsIn.get(block);
  if (items !== undefined) return items;
  if (block.type === 'divider') return 0;
  if (block.type === 'section' && block.fields) return block.fields.length;
  if (block.type === 'context' && next?.type === 'rich_text') return 0;
  return 1;
}

/**
 * Keeps at most `max` blocks. When some must go, what ends the reply stays: the lines after its
 * lists and quotes of many (a ruled case's outcome and rationale, a hint; when they take at most
 * half of the message) and its buttons (a case card without its ruling buttons would be no use to
 * its arbitrator). The blocks before them are cut at their end, never between a quote's label and
 * its words, and a line says how many were left out (list items, facts and quotes, each counted once).
 */
function capBlocks(blocks: KnownBlock[], max: number): KnownBlock[] {
  if (blocks.length <= max) return blocks;
  const room = max - 1; // the line saying what was left out takes one
  // The closing lines: those after the last block of a list or a quote of many; none when the reply has neither.
  let closing = blocks.length;
  while (closing > 0 && !ofBulk.has(blocks[closing - 1]!)) closing -= 1;
  if (closing === 0 || blocks.length - closing > room / 2) closing = blocks.length;
  let ending = blocks.slice(closing);
  let cut = Math.min(closing, room - ending.length);
  let last = closing - 1;
  while (last >= 0 && blocks[last]!.type !== 'actions') last -= 1;
  // Buttons the cut would drop are kept at the end: their last rows, with what follows them when it fits.
  if (last >= cut) {
    let first = last;
    while (first > 0 && blocks[first - 1]!.type === 'actions' && last - first + 1 < room - ending.length) first -= 1;
    ending = blocks.length - first < room ? blocks.slice(first) : [...blocks.slice(first, last + 1), ...ending];
    cut = Math.min(first, room - ending.length);
  }
  let kept = blocks.slice(0, cut);
  // A quote's label (context) without its words (rich_text) says nothing: drop it too.
  if (kept.at(-1)?.type === 'context' && blocks[kept.length]?.type === 'rich_text') kept = kept.slice(0, -1);
  // Counted as a person reads them (a section of a list holds many items), not as blocks.
  const shown = new Set([...kept, ...ending]);
  const left = blocks.reduce((n, b, i) => n + (shown.has(b) ? 0 : countOf(b, blocks[i + 1])), 0);
  return [...kept, ...(left > 0 ? [{ type: 'context', elements: [mrkdwn(`…and ${left} more not shown.`)] } as KnownBlock] : []), ...ending];
}

export type Surface = 'message' | 'modal' | 'home';

/** A reply as Block Kit blocks and the plain fallback text (notifications, old clients), after `lead` when given. */
export function renderReply(reply: Reply, surface: Surface = 'message', lead?: KnownBlock): { blocks: KnownBlock[]; text: string } {
  const ids = new ActionIds();
  // A note put before the reply (why it came by DM) counts toward the blocks Slack takes.
  const blocks: KnownBlock[] = lead ? [lead] : [];
  if (reply.title) blocks.push({ type: 'header', text: plain(reply.title, LIMITS.header) });
  for (const b of reply.blocks) blocks.push(...renderBlock(b, ids));
  const max = surface === 'message' ? LIMITS.messageBlocks : LIMITS.viewBlocks;
  return { blocks: capBlocks(blocks, max), text: mrkdwnText(reply.summary, LIMITS.fallbackText) };
}

/** What a modal carries between opening and submission. */
export interface FormContext {
  /** The channel where the form was opened (disputes are announced there), if any. */
  channel: string | null;
  /**
   * The message whose buttons opened the form (the arbitrator's DM, updated after a ruling);
   * `reminder` when it was a reminder offering its Snooze buttons (a question asked keeps them).
   */
  message: { channel: string; ts: string; reminder?: boolean } | null;
  /** The thread in `channel` a dispute raised from this form is announced in (the message a shortcut was used on). */
  thread?: string | null;
}

export interface FormMetadata extends FormContext {
  /** The form's hidden state (e.g. the dispute id). */
  state: Record<string, string>;
}

function option(o: { value: string; label: string }): Option {
  return { text: plain(o.label, LIMITS.optionText), value: o.value };
}

/** Whether a choice fits in an option: Slack refuses a whole view or options list for one value too long. */
const fits = (o: { value: string }) => o.value.length <= LIMITS.optionValue;

type OptionGroup = { label: PlainText; options: Option[] };

/**
 * A static select's choices within Slack's limits: up to 100 as plain `options`; more in
 * `option_groups` (at most 100 groups of at most 100), consecutive and evenly sized, each labelled
 * by its first and last option. Past 100 × 100 the rest are cut and the placeholder says how many.
 * `all` holds every option rendered, so the initial option can be picked from among them.
 */
function selectMenu(given: { value: string; label: string }[], placeholder?: string): { all: Option[]; groups?: OptionGroup[]; placeholder?: string } {
  const choices = given.every(fits) ? given : given.filter(fits);
  if (choices.length <= LIMITS.options) return { all: choices.map(option) };
  const max = LIMITS.options * LIMITS.optionGroups;
  const kept = choices.slice(0, max).map(option);
  const groupCount = Math.ceil(kept.length / LIMITS.options);
  const size = Math.ceil(kept.length / groupCount);
  const groups: OptionGroup[] = [];
  for (let i = 0; i < kept.length; i += size) {
    const options = kept.slice(i, i + size);
    groups.push({ label: plain(groupLabel(choices[i]!.label, choices[i + options.length - 1]!.label), LIMITS.optionGroupLabel), options });
  }
  const cut = choices.length - kept.length;
  const note = cut > 0 ? `${kept.length.toLocaleString('en-US')} of ${choices.length.toLocaleString('en-US')} listed; ${cut.toLocaleString('en-US')} not shown` : undefined;
  return { all: kept, groups, ...(note ? { placeholder: placeholder ? `${truncate(placeholder, LIMITS.placeholder - note.length - 3)} (${note})` : note } : {}) };
}

/** "First – Last" within the group label limit; one label when the group has one option. */
function groupLabel(first: string, last: string): string {
  if (first === last) return first;
  const half = Math.floor((LIMITS.optionGroupLabel - 3) / 2);
  return `${truncate(first.trim(), half)} – ${truncate(last.trim(), half)}`;
}

function inputElement(f: Field): types.InputBlockElement {
  const placeholder = f.placeholder ? { placeholder: plain(f.placeholder, LIMITS.placeholder) } : {};
  switch (f.kind) {
    case 'text':
    case 'multiline':
      return {
        type: 'plain_text_input',
        action_id: SLACK_IDS.inputs.value,
        ...(f.kind === 'multiline' ? { multiline: true } : {}),
        ...(f.maxLength ? { max_length: Math.min(f.maxLength, LIMITS.initialValue) } : {}),
        ...(f.initial ? { initial_value: truncate(f.initial.value, Math.min(f.maxLength ?? LIMITS.initialValue, LIMITS.initialValue)) } : {}),
        ...placeholder,
      };
    case 'number':
      return {
        type: 'number_input',
        action_id: SLACK_IDS.inputs.value,
        is_decimal_allowed: true,
        min_value: '0',
        ...(f.initial ? { initial_value: f.initial.value } : {}),
        ...placeholder,
      };
    case 'select': {
      const menu = selectMenu(f.options ?? [], f.placeholder);
      const initial = f.initial ? menu.all.find((o) => o.value === f.initial!.value) : undefined;
      return {
        type: 'static_select',
        action_id: SLACK_IDS.inputs.value,
        ...(menu.groups ? { option_groups: menu.groups } : { options: menu.all }),
        ...(initial ? { initial_option: initial } : {}),
        ...(menu.placeholder ? { placeholder: plain(menu.placeholder, LIMITS.placeholder) } : placeholder),
      };
    }
    case 'account':
      return {
        type: 'external_select',
        action_id: SLACK_IDS.options.account,
        min_query_length: 1,
        ...(f.initial && fits(f.initial) ? { initial_option: option(f.initial) } : {}),
        ...placeholder,
      };
  }
}

/** A neutral form as a modal: one input block per field, block_id = field id. */
export function renderForm(form: Form, context: FormContext): types.ModalView {
  const blocks: KnownBlock[] = [];
  if (form.intro) blocks.push({ type: 'section', text: plain(form.intro, LIMITS.sectionText) });
  for (const f of form.fields) {
    blocks.push({
      type: 'input',
      block_id: f.id,
      label: plain(f.label, LIMITS.inputLabel),
      optional: !f.required,
      ...(f.hint ? { hint: plain(f.hint, LIMITS.inputHint) } : {}),
      element: inputElement(f),
    });
  }
  const metadata: FormMetadata = { state: form.state, ...context };
  return {
    type: 'modal',
    callback_id: SLACK_IDS.views[form.id],
    title: plain(form.title, LIMITS.modalTitle),
    submit: plain(form.submitLabel, LIMITS.modalButton),
    close: plain('Cancel', LIMITS.modalButton),
    private_metadata: encodeMetadata(metadata),
    blocks: capBlocks(blocks, LIMITS.viewBlocks),
  };
}

function encodeMetadata(m: FormMetadata): string {
  const json = JSON.stringify(m);
  if (json.length > LIMITS.privateMetadata) throw new Error(`form metadata is ${json.length} characters; Slack allows ${LIMITS.privateMetadata}`);
  return json;
}

/** The modal a submitted form turns into: the outcome, and a Done button. */
export function resultView(reply: Reply, fallbackTitle: string): types.ModalView {
  // A submitted form's outcome is final: buttons belong on the message the form came from
  // (after a ruling that message is updated with them), not in a modal about to close.
  const { blocks } = renderReply({ ...reply, title: undefined, blocks: reply.blocks.filter((b) => b.type !== 'actions') }, 'modal');
  const title = reply.title ?? fallbackTitle;
  const head = reply.title && reply.title.length > LIMITS.modalTitle ? [{ type: 'header', text: plain(reply.title, LIMITS.header) } as KnownBlock] : [];
  return { type: 'modal', title: plain(title, LIMITS.modalTitle), close: plain('Done', LIMITS.modalButton), blocks: capBlocks([...head, ...blocks], LIMITS.viewBlocks) };
}

/** The App Home tab. */
export function homeView(reply: Reply): types.HomeView {
  return { type: 'home', blocks: renderReply(reply, 'home').blocks };
}

/** Typeahead options for the account picker. */
export function accountOptions(accounts: { id: string; name: string }[]): Option[] {
  return accounts.filter((a) => a.id.length <= LIMITS.optionValue).slice(0, LIMITS.options).map((a) => option({ value: a.id, label: a.name }));
}

/** A plain message (errors, notices): one section, escaped. */
export function notice(textPlain: string, tone: Tone = 'normal'): { blocks: KnownBlock[]; text: string } {
  return renderReply({ visibility: 'private', summary: textPlain, blocks: [{ type: 'text', text: textPlain, tone }] });
}

const SLACK_MARKUP = /[<&]/;

/**
 * Slack-formatted text (a slash command's text, a message) as the plain text a person typed:
 * links `<url|label>` become their label, `<url>` the url; mentions what Slack shows for them
 * (`<@U1|pat>` @pat, `<#C1|deals>` #deals, `<!subteam^S1|@sales>` @sales, a date its fallback);
 * broadcasts (`<!here>`, `<!channel>`, `<!everyone>`) are dropped, since they name nothing; and
 * `&amp; &lt; &gt;` are unescaped. With `linkAddresses`, a link with a label keeps its address too:
 * `label (url)`.
 */
export function plainFromSlack(s: string, o: { linkAddresses?: boolean } = {}): string {
  if (!SLACK_MARKUP.test(s)) return s;
  return s
    // As evidence a link keeps its address, after its label: the arbitrator may need to open it.
    .replace(/<((?:https?|mailto):[^|<>]+)\|([^<>]+)>/g, (_, url: string, label: string) => (o.linkAddresses && label !== url ? `${label} (${url})` : label))
    .replace(/<((?:https?|mailto):[^<>]+)>/g, '$1')
    .replace(/<([@#])([A-Z0-9]+)(?:\|([^<>]*))?>/g, (_, sigil: string, id: string, label?: string) => `${sigil}${label || id}`)
    .replace(/<!(?:here|channel|everyone)(?:\|[^<>]*)?>/g, '')
    .replace(/<![^<>|]*(?:\|([^<>]*))?>/g, (_, label?: string) => label ?? '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
