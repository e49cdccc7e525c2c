import { ACTIONS, clip, clipMarked, oneLine, TONE_MARK, type Block, type Button, type Field, type Form, type Reply, type Tone } from '../../replies/model.js';
import { hasMoment, momentsAsText, pieces } from '../../replies/moment.js';
import { printable } from '../../../src/core/utf8.js';
import { readAmount } from '../../validate.js';
import { TEAMS_IDS, type RefreshVerb, type Verb } from './ids.js';

/** The JSON of one Adaptive Card element or action (the schema is open-ended; we build a subset). */
export type CardElement = { type: string } & Record<string, unknown>;

/** An Adaptive Card 1.5 as Teams takes it (the content of an attachment or an invoke response). */
export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  refresh?: { action: CardElement; userIds?: string[] };
  msteams: { width: 'Full' };
};

/** What makes a card refresh itself when shown (Universal Actions): the verb and its data. */
export interface CardRefresh {
  verb: RefreshVerb;
  data: Record<string, unknown>;
  /** Whose clients refresh it automatically; Teams allows up to 60. Omitted: everyone in chats of 60 or fewer. */
  userIds?: string[];
}

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

/**
 * Sizes that keep a card well inside what Teams takes: it refuses an activity above about 100 KB
 * (413 MessageSizeTooBig; older documentation says 40 KB), counted as UTF-16, two bytes a
 * character of JSON. Every text is cut to its limit; then list items fill a reply's body up to
 * `cardChars` JSON characters, in order, at most `listItems` a list, and a last line counts the
 * rest; a list too long for its room has its items' details, then their lines, cut shorter
 * before any item is left out (see {@link cutFor}). With the card's and the activity's envelope
 * that stays under 40 KB as UTF-16 unless the other blocks alone are unusually long (each is
 * bounded by its own limit).
 */
export const LIMITS = {
  /** JSON characters of a reply card's body that list items may fill up to. */
  cardChars: 18_000,
  /** Choices a form's select lists; one with more is a text input, so that the card stays small enough to send. */
  choices: 100,
  /** JSON characters a select's choices may take (long names); past it the select is a text input too. */
  choicesChars: 16_000,
  /**
   * JSON characters of a reply card's body at most, whatever it holds (facts, texts, quotes of
   * many parties): past it the blocks at its end are left out, buttons kept. Teams refuses a
   * message over its size limit for good (100 KB of UTF-16 code units, as JavaScript counts
   * string length, in today's documentation; 40 KB in older clients' and older pages').
   */
  cardMax: 36_000,
  /**
   * Buttons in one ActionSet: Teams shows six of a set (its host config's `maxActions`), the rest
   * only behind a menu or not at all; a row of more (a queue's Open buttons) is split into sets.
   */
  actionsPerSet: 6,
  /** Items shown of one list (Slack shows at most 50 blocks). */
  listItems: 40,
  /** Characters, before escaping, of: a title, a TextBlock, a fact's label and value, a list item and its detail. */
  title: 200,
  text: 2_000,
  factLabel: 200,
  factValue: 1_000,
  itemText: 300,
  itemDetail: 1_500,
  /** Characters of the command a private stub shows and carries (typed commands are far shorter). */
  command: 500,
  /** Characters a form's input takes of a name typed (an account, a choice too long to list), and keeps of a choice it does not list. */
  typedName: 200,
  /** Characters a text field that names no `maxLength` takes (as Slack's text inputs). */
  textInput: 3_000,
} as const;

export { clip };

/**
 * Text for a TextBlock or a Fact, which Teams reads as markdown: every markdown character a
 * person typed is escaped, line-start list, heading and quote markers too, and anything that
 * looks like a tag (`<at>…</at>` mentions, `<!channel>`, autolinks) or a date function
 * (`{{DATE(…)}}`) is broken by a zero-width space, so it shows as the text it is and never as
 * formatting, a link, a mention or a date the card makes up; a control character shows as �
 * ({@link printable}).
 */
export function md(s: string): string {
  return printable(momentsAsText(s))
    .replace(/\\/g, '\\\\')
    .replace(/[*_`~[\]]/g, (c) => `\\${c}`)
    .replace(/^([ \t]*)([-+#>])(?=\s|$)/gm, '$1\\$2')
    .replace(/^([ \t]*)(\d+)([.)])(?=\s|$)/gm, '$1$2\\$3')
    .replace(/<(?=[A-Za-z!/?])/g, '<\u200B')
    // Adaptive Cards' {{DATE(…)}} and {{TIME(…)}}: typed, they would show a date the card makes up.
    // Every brace followed by another is broken, so that a run of three ({{{DATE(…)}}}) keeps no "{{" whole.
    .replace(/\{(?=\{)/g, '{\u200B')
    .replace(/\n/g, '\n\n');
}

/** Text shown as plain text by Teams (titles of buttons and choices, the notification summary): tags broken, control characters shown as � ({@link printable}). */
export function plain(s: string): string {
  return printable(momentsAsText(s)).replace(/<(?=[A-Za-z!/?])/g, '<\u200B');
}

function card(body: CardElement[], refresh?: CardRefresh): AdaptiveCard {
  const c: AdaptiveCard = { type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
  if (refresh) c.refresh = { action: execute('Refresh', refresh.verb, refresh.data), ...(refresh.userIds ? { userIds: refresh.userIds } : {}) };
  return c;
}

/**
 * A Universal Action button. Clients without Universal Actions fall back to Action.Submit,
 * which sends the same data (with the verb in it) as a message with a `value`.
 */
export function execute(title: string, verb: Verb, data: Record<string, unknown>, style?: Button['style'], spoken?: string): CardElement {
  const look = { ...(style === 'primary' ? { style: 'positive' } : style === 'danger' ? { style: 'destructive' } : {}), ...tooltip(spoken) };
  return {
    type: 'Action.Execute',
    title: plain(title),
    verb,
    data,
    ...look,
    fallback: { type: 'Action.Submit', title: plain(title), data: { ...data, [TEAMS_IDS.data.verb]: verb }, ...look },
  };
}

/**
 * An action's `tooltip` (Adaptive Cards 1.5): shown on hover and read by a screen reader, for a
 * button whose title alone does not say what it acts on (Button.accessibilityLabel); none for a blank one.
 */
function tooltip(spoken: string | undefined): { tooltip?: string } {
  return spoken?.trim() ? { tooltip: plain(clip(oneLine(spoken), LIMITS.title)) } : {};
}

const COLOR: Record<Tone, Record<string, unknown>> = {
  normal: {},
  muted: { isSubtle: true },
  good: { color: 'Good' },
  warning: { color: 'Warning' },
  attention: { color: 'Attention' },
};

/**
 * A card's title: marked as a heading (Adaptive Cards 1.5 `style: heading`), which a screen reader
 * announces and lets a person jump to, as Slack's header block; drawn as before.
 */
const HEADING = { style: 'heading', weight: 'Bolder', size: 'Medium' } as const;

function textBlock(text: string, extra: Record<string, unknown> = {}, max: number = LIMITS.text): CardElement {
  return { type: 'TextBlock', text: mdLocal(text, max), wrap: true, ...extra };
}

/**
 * A moment as Teams shows it: its date and time in the reader's own time zone (Adaptive Cards'
 * DATE and TIME, which only the bot writes: {@link md} breaks them in anything typed), saying so.
 */
function dateTimeOf(at: Date): string {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} at {{TIME(${iso})}} your time`;
}

/**
 * {@link md} of `s` cut to `max` characters, its moments in the reader's own time
 * ({@link dateTimeOf}); when it must be cut, the policy's words, never half a moment.
 */
function mdLocal(s: string, max: number): string {
  const cut = clipMarked(s, max);
  if (!hasMoment(cut)) return md(cut);
  return pieces(cut)
    .map((p) => ('at' in p ? dateTimeOf(p.at) : md(p.text)))
    .join('');
}

/**
 * A button. One asked about first (`confirm`: Slack's confirmation dialog) opens, under the card's
 * buttons, its question and the button that acts (Action.ShowCard, which every Teams client has):
 * the first click only shows what the second does.
 */
function buttonAction(b: Button, carry?: Record<string, unknown>): CardElement {
  const act = (title: string, spoken?: string) => execute(title, TEAMS_IDS.actions[b.action], { ...carry, [TEAMS_IDS.data.value]: b.value, ...(b.keep ? { [TEAMS_IDS.data.keep]: true } : {}) }, b.style, spoken);
  // The label says what the button itself does: the confirmation's own button says it in its title.
  if (!b.confirm) return act(b.label, b.accessibilityLabel);
  return {
    type: 'Action.ShowCard',
    title: plain(b.label),
    ...tooltip(b.accessibilityLabel),
    card: { type: 'AdaptiveCard', body: [textBlock(b.confirm.title, { weight: 'Bolder' }, LIMITS.title), textBlock(b.confirm.text)], actions: [act(b.confirm.yes)] },
  };
}

type ListBlock = Extract<Block, { type: 'list' }>;

/** A list whose items are added once the rest of the card is known ({@link fillList}). */
interface PendingList {
  into: CardElement[];
  items: ListBlock['items'];
}

/** A quote whose words are added once the rest of the card is known ({@link fillQuotes}). */
interface PendingQuote {
  into: CardElement[];
  text: string;
  /** One of many of its kind (see the quote block): may be left out on a crowded card. */
  many: boolean;
}

/** Characters of a quote's words, before escaping, that a crowded card still shows of each. */
const QUOTE_FLOOR = 200;

/** The buttons of a reminder that open a ruling form in its place (which goes back to the reminder, see {@link reminderCarry}). */
const FORM_OPENERS: readonly string[] = [ACTIONS.award, ACTIONS.ask];

/** What each button of a card carries beside its own data (see {@link replyBody}). */
type CarryFor = (b: Button) => Record<string, unknown> | undefined;

function renderBlock(b: Block, lists: PendingList[], quotes: PendingQuote[], carry?: CarryFor): CardElement[] {
  switch (b.type) {
    case 'text': {
      // The colour said also in words a screen reader reads, and without colour (as on Slack).
      const tone = b.tone ?? 'normal';
      return [textBlock(TONE_MARK[tone] + b.text, COLOR[tone])];
    }
    case 'facts':
      return [{ type: 'FactSet', facts: b.facts.map((f) => ({ title: md(clip(oneLine(f.label), LIMITS.factLabel)), value: mdLocal(oneLine(f.value), LIMITS.factValue) })) }];
    case 'list': {
      const into = b.title ? [textBlock(b.title, { weight: 'Bolder' }, LIMITS.title)] : [];
      lists.push({ into, items: b.items });
      return [{ type: 'Container', items: into }];
    }
    case 'quote': {
      // Set apart on a shaded background, under its label: the words as written, line breaks kept.
      const into = [textBlock(oneLine(b.label), { isSubtle: true, size: 'Small' }, LIMITS.title)];
      // Words a person wrote: shown as written, never as a moment of the bot's.
      quotes.push({ into, text: momentsAsText(b.text).trim(), many: b.many === true });
      return [{ type: 'Container', style: 'emphasis', items: into }];
    }
    case 'actions': {
      const sets: CardElement[] = [];
      const action = (a: Button) => buttonAction(a, carry?.(a));
      for (let i = 0; i < b.actions.length; i += LIMITS.actionsPerSet) sets.push({ type: 'ActionSet', actions: b.actions.slice(i, i + LIMITS.actionsPerSet).map(action) });
      return sets;
    }
    case 'divider':
      return [];
  }
}

/** JSON characters an element adds to a card (with its comma). */
const sizeOf = (e: unknown): number => JSON.stringify(e).length + 1;

/** Room kept for the line that counts what was not shown. */
const MORE_LINE = 120;

/** How a list's items are drawn: each line cut to `text` characters and each detail to `detail` (left out at 0). */
interface ItemCut {
  text: number;
  detail: number;
}

/** Items drawn as long as their limits allow. */
const WHOLE: ItemCut = { text: LIMITS.itemText, detail: LIMITS.itemDetail };

/**
 * Characters, before escaping, that a list's items keep of each line and detail on a crowded
 * card before the next shortening (see {@link cutFor}).
 */
const ITEM_FLOOR = { text: 80, detail: 60 } as const;

/** A list item as drawn: its line, and its detail under it, each cut as `cut` says. */
const itemElements = (i: ListBlock['items'][number], cut: ItemCut = WHOLE): CardElement[] => [
  textBlock(`• ${oneLine(i.text)}`, { spacing: 'Small' }, cut.text),
  ...(i.detail && cut.detail > 0 ? [textBlock(oneLine(i.detail), { isSubtle: true, spacing: 'None', size: 'Small' }, cut.detail)] : []),
];

/** JSON characters an item takes drawn as `cut` says. */
const itemSize = (i: ListBlock['items'][number], cut: ItemCut): number => itemElements(i, cut).reduce((n, e) => n + sizeOf(e), 0);

/** JSON characters a list's items take drawn as `cut` says (as many as a list shows, with room for the line counting the rest). */
const drawnSize = (list: PendingList, cut: ItemCut = WHOLE): number => list.items.slice(0, LIMITS.listItems).reduce((n, i) => n + itemSize(i, cut), 0) + (list.items.length > LIMITS.listItems ? MORE_LINE : 0);

/**
 * How to draw a list's items so that all it shows (at most `LIMITS.listItems`) fit in `room` JSON
 * characters, shortening as little as it takes: whole if they fit; else the details cut, down to
 * {@link ITEM_FLOOR}; else the details left out and the lines cut, down to theirs. Items are
 * left out ({@link fillList}) only when even that is too long: a page the handler cut (25 claims
 * with names of 200 characters) is shown whole, so that the next page starts where it ended.
 */
function cutFor(list: PendingList, room: number): ItemCut {
  if (drawnSize(list) <= room) return WHOLE;
  /** The longest cut `at(n)`, n from `low` to `high`, that fits; none when even `at(low)` does not. */
  const longest = (low: number, high: number, at: (n: number) => ItemCut): ItemCut | undefined => {
    if (drawnSize(list, at(low)) > room) return undefined;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (drawnSize(list, at(mid)) <= room) low = mid;
      else high = mid - 1;
    }
    return at(low);
  };
  return (
    longest(ITEM_FLOOR.detail, LIMITS.itemDetail, (n) => ({ text: LIMITS.itemText, detail: n })) ??
    longest(ITEM_FLOOR.text, LIMITS.itemText, (n) => ({ text: n, detail: 0 })) ?? { text: ITEM_FLOOR.text, detail: 0 }
  );
}

/**
 * Adds the items of a list that fit in `room` JSON characters (at most `LIMITS.listItems`),
 * shortened first as {@link cutFor} says, then a line counting the rest; returns the characters used.
 */
function fillList(list: PendingList, room: number): number {
  const cut = cutFor(list, room);
  // Drawn so that all it shows fit: none is left out for the line that counts the rest.
  const fits = drawnSize(list, cut) <= room;
  let used = 0;
  let shown = 0;
  for (const i of list.items) {
    if (shown === LIMITS.listItems) break;
    const item = itemElements(i, cut);
    const size = item.reduce((n, e) => n + sizeOf(e), 0);
    const last = shown === list.items.length - 1;
    if (!fits && used + size > room - (last ? 0 : MORE_LINE)) break;
    list.into.push(...item);
    used += size;
    shown += 1;
  }
  if (shown < list.items.length) {
    const more = textBlock(`…and ${list.items.length - shown} more not shown.`, { isSubtle: true, size: 'Small' });
    list.into.push(more);
    used += sizeOf(more);
  }
  return used;
}

/**
 * The body of a reply: its title, then each block; a divider puts a separator above what follows.
 * List items come last, in the room the rest left (see {@link LIMITS}). Every button carries
 * `carried` beside its own data, a reminder's form openers what they keep of it too
 * ({@link reminderCarry}); `back` comes last, after the reply's buttons.
 */
function replyBody(r: Reply, note?: Block, carried?: Record<string, unknown>, back?: BackButton): CardElement[] {
  const body: CardElement[] = [];
  const lists: PendingList[] = [];
  const quotes: PendingQuote[] = [];
  const reminder = reminderCarry(r);
  const carry: CarryFor = (a) => (reminder && FORM_OPENERS.includes(a.action) ? { ...carried, ...reminder } : carried);
  // A line put before the reply, its title too (why it came to a 1:1 chat), within the card's limits.
  if (note) body.push(...renderBlock(note, lists, quotes));
  if (r.title) body.push(textBlock(r.title, HEADING, LIMITS.title));
  let separate = false;
  for (const b of r.blocks) {
    if (b.type === 'divider') {
      separate = true;
      continue;
    }
    const [first, ...rest] = renderBlock(b, lists, quotes, carry);
    if (!first) continue;
    body.push(separate ? { ...first, separator: true, spacing: 'Medium' } : first, ...rest);
    separate = false;
  }
  dropQuotesPast(body, quotes);
  let room = LIMITS.cardChars - JSON.stringify(body).length;
  room -= fillQuotes(quotes, room);
  const sizes = new Map(lists.map((l) => [l, drawnSize(l)]));
  if ([...sizes.values()].reduce((a, b) => a + b, 0) <= room) {
    for (const list of lists) room -= fillList(list, room);
  } else {
    // The shortest lists first, each taking at most an even share of the room left: a long list
    // (a case's claims) does not leave a short one after it (its criteria) empty.
    const bySize = [...lists].sort((a, b) => sizes.get(a)! - sizes.get(b)!);
    bySize.forEach((list, i) => {
      room -= fillList(list, Math.floor(room / (bySize.length - i)));
    });
  }
  if (back) body.push({ type: 'ActionSet', actions: [execute(back.label, back.verb, back.data)] });
  return capBody(body);
}

/**
 * A body within {@link LIMITS.cardMax}: the elements at its end that do not fit are left out,
 * and a line says how many; the buttons that end it are kept (a case card's ruling buttons).
 */
function capBody(body: CardElement[]): CardElement[] {
  // Crowding quotes gave way already (dropQuotesPast): what is left over is other text.
  if (JSON.stringify(body).length <= LIMITS.cardMax) return body;
  let buttonsFrom = body.length;
  while (buttonsFrom > 0 && body[buttonsFrom - 1]!.type === 'ActionSet') buttonsFrom -= 1;
  const ending = body.slice(buttonsFrom);
  let room = LIMITS.cardMax - JSON.stringify(ending).length - MORE_LINE;
  const kept: CardElement[] = [];
  for (const e of body.slice(0, buttonsFrom)) {
    const size = sizeOf(e);
    if (size > room) break;
    kept.push(e);
    room -= size;
  }
  const more = textBlock(`…and ${buttonsFrom - kept.length} more not shown.`, { isSubtle: true, size: 'Small' });
  return [...kept, more, ...ending];
}

/**
 * On a card that cannot hold every quote with {@link QUOTE_FLOOR} characters of words each (a
 * case of dozens of parties, each with notes), leaves out quotes of many (each claim's evidence),
 * the last first, and says how many: the reason, the rationale and the lists after them (a
 * case's criteria) keep their room.
 */
function dropQuotesPast(body: CardElement[], quotes: PendingQuote[]): void {
  // Only when the card cannot hold every quote with its least words.
  const crowded = () => JSON.stringify(body).length + quotes.length * (QUOTE_FLOOR + MORE_LINE) > LIMITS.cardChars;
  let gone = 0;
  let at = -1;
  for (let k = quotes.length - 1; k >= 0 && crowded(); k--) {
    if (!quotes[k]!.many) continue;
    const i = body.findIndex((e) => e.items === quotes[k]!.into);
    body.splice(i, 1);
    at = i;
    quotes.splice(k, 1);
    gone += 1;
  }
  if (gone > 0) body.splice(at, 0, textBlock(`…and ${gone} more ${gone === 1 ? 'note' : 'notes'} not shown.`, { isSubtle: true, size: 'Small' }));
}

/**
 * Adds each quote's words, cut so that together they take at most half of `room` JSON
 * characters (lists get the rest), and never less than {@link QUOTE_FLOOR} characters of each;
 * returns the characters used.
 */
function fillQuotes(quotes: readonly PendingQuote[], room: number): number {
  let used = 0;
  quotes.forEach((q, i) => {
    const share = Math.floor((room / 2 - used) / (quotes.length - i));
    let max = Math.min(LIMITS.text, q.text.length);
    let words = textBlock(q.text, { spacing: 'Small' }, max);
    // Escaping makes the JSON longer than the words: cut further until the share holds.
    while (sizeOf(words) > share && max > QUOTE_FLOOR) {
      max = Math.max(QUOTE_FLOOR, Math.floor(max * (share / sizeOf(words)) * 0.95));
      words = textBlock(q.text, { spacing: 'Small' }, max);
    }
    q.into.push(words);
    used += sizeOf(words);
    if (max < q.text.length) {
      // Said, as a list says what it leaves out: the card shows the start of it.
      const cut = textBlock(`The first ${clip(q.text, max).length - 1} of ${q.text.length} characters.`, { isSubtle: true, size: 'Small', spacing: 'None' });
      q.into.push(cut);
      used += sizeOf(cut);
    }
  });
  return used;
}

const RULING_ACTIONS: readonly string[] = [ACTIONS.approve, ACTIONS.award, ACTIONS.ask];

/**
 * A reply whose only buttons are ruling buttons is a dispute's case card: it refreshes to the
 * case as it stands. So does a reminder (ruling and snooze buttons), redrawn as the reminder
 * while it holds (see the bot's refresh), then as the case as it stands.
 */
export function caseRefreshOf(r: Reply): CardRefresh | undefined {
  const buttons = r.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : []));
  const ruling = buttons.find((a) => RULING_ACTIONS.includes(a.action));
  if (!ruling || !buttons.every((a) => RULING_ACTIONS.includes(a.action) || a.action === ACTIONS.snooze)) return undefined;
  const reminder = buttons.some((a) => a.action === ACTIONS.snooze) ? { [TEAMS_IDS.data.reminder]: true } : {};
  return { verb: TEAMS_IDS.refresh.disputeCase, data: { [TEAMS_IDS.data.value]: ruling.value, ...leadData(r), ...reminder } };
}

/**
 * What a reminder's Award and Ask buttons carry of it (its lead lines, its stamp, and that it is
 * one): the form that takes its place goes back to it, and a question sent from it keeps its
 * Snooze buttons (as Slack's reminder does). Nothing for any other card.
 */
export function reminderCarry(r: Reply): Record<string, unknown> | undefined {
  const refresh = caseRefreshOf(r);
  if (refresh?.data[TEAMS_IDS.data.reminder] !== true) return undefined;
  return Object.fromEntries(Object.entries(refresh.data).filter(([k]) => k !== TEAMS_IDS.data.value));
}

const TONES: readonly Tone[] = ['normal', 'muted', 'good', 'warning', 'attention'];
/** Lead lines a refresh carries at most, and characters of each. */
const MAX_LEAD = { lines: 4, chars: 2_000 } as const;

/**
 * A case card's lead lines (why it came: Reply.lead) as its refresh carries them, so that the
 * card Teams redraws from the case keeps them while they hold; nothing for a card without.
 */
export function leadData(r: Reply): Record<string, unknown> {
  if (!r.lead || r.lead.count === 0) return {};
  return { [TEAMS_IDS.data.lead]: r.blocks.slice(0, Math.min(r.lead.count, MAX_LEAD.lines)), [TEAMS_IDS.data.stamp]: r.lead.stamp };
}

/**
 * The lead lines a refresh carried back, if any, as lines of text and quotes (a question asked;
 * anything else a client sent is dropped: they are shown only to the person whose card it is,
 * and only as text).
 */
export function leadOf(data: Record<string, unknown>): { blocks: Block[]; stamp: string } | undefined {
  const lines = data[TEAMS_IDS.data.lead];
  const stamp = data[TEAMS_IDS.data.stamp];
  if (!Array.isArray(lines) || typeof stamp !== 'string') return undefined;
  const blocks: Block[] = [];
  for (const l of lines.slice(0, MAX_LEAD.lines)) {
    const { type, text: words, tone, label } = (l ?? {}) as { type?: unknown; text?: unknown; tone?: unknown; label?: unknown };
    if (typeof words !== 'string') continue;
    if (type === 'quote' && typeof label === 'string') blocks.push({ type: 'quote', label: clip(label, LIMITS.title), text: clip(words, MAX_LEAD.chars) });
    if (type !== 'text') continue;
    blocks.push({ type: 'text', text: clip(words, MAX_LEAD.chars), ...(TONES.includes(tone as Tone) ? { tone: tone as Tone } : {}) });
  }
  return blocks.length > 0 ? { blocks, stamp } : undefined;
}

/**
 * A neutral reply as an Adaptive Card; a case card refreshes in place (`refresh`, or the one found
 * in it). `note`: a line shown first, above the reply's title (why it came to this chat).
 * `carry`: data each of its buttons carries beside its own (where the card came from); `back`: a
 * button after them back to the card this one took the place of.
 */
export function renderReply(r: Reply, opts: { refresh?: CardRefresh | undefined; note?: Block; carry?: Record<string, unknown> | undefined; back?: BackButton | undefined } = {}): AdaptiveCard {
  return card(replyBody(r, opts.note, opts.carry, opts.back), opts.refresh ?? caseRefreshOf(r));
}

/** A button back to what a card took the place of (Teams replaces the card clicked): its title, verb and data. */
export interface BackButton {
  label: string;
  verb: Verb;
  data: Record<string, unknown>;
}

/**
 * An account field shown filled in: its input shows the account's name (`label`), and a submit
 * of that name unchanged means the account's id (`value`), which a name shared by several
 * accounts would not. Keyed by field id; carried in the submit button's data.
 */
export type Prefill = Record<string, { label: string; value: string }>;

export interface FormState {
  /** What the person typed last time, shown again with the errors. */
  values?: Readonly<Record<string, string>>;
  /** The server's problems, keyed by field id, shown under each field. */
  errors?: Readonly<Record<string, string>>;
  /** One line above the fields (the handler's summary of the problems). */
  message?: string;
  /** Account fields filled in when the form was first shown (see {@link Prefill}), carried through errors. */
  prefill?: Readonly<Prefill>;
  refresh?: CardRefresh | undefined;
  /** This card's instance ({@link TEAMS_IDS.data.instance}), carried by its submit button. */
  instance?: string | undefined;
  /** Data its submit button carries beside the form's own (what a form opened from a reminder keeps of it). */
  carry?: Record<string, unknown> | undefined;
  /**
   * A button beside the submit that leaves the form unsent (sent without its inputs, so none
   * needs filling in): a ruling form's way back to the case card it took the place of.
   */
  back?: BackButton | undefined;
}

/**
 * An input as a card: its label and checks, and `value` in it. A value sent back (a refused
 * form shown again) is cut to what the input takes: a client may send anything, and pasted
 * text would make a card too large for Teams.
 */
function input(f: Field, value: string | undefined): CardElement {
  const common = {
    id: f.id,
    label: plain(f.label),
    isRequired: f.required,
    ...(f.required ? { errorMessage: `${plain(f.label)} is required.` } : {}),
    ...(f.placeholder ? { placeholder: plain(f.placeholder) } : {}),
  };
  switch (f.kind) {
    case 'text':
    case 'multiline': {
      const max = f.maxLength ?? LIMITS.textInput;
      return { type: 'Input.Text', ...common, ...(f.kind === 'multiline' ? { isMultiline: true } : {}), maxLength: max, ...(value !== undefined ? { value: clip(value, max) } : {}) };
    }
    case 'account':
      // Adaptive Cards 1.5 have no server-side typeahead: the person types a name, alias or
      // domain and the handler resolves it (an ambiguous one comes back as an error on the field).
      return { type: 'Input.Text', ...common, placeholder: 'Account name, alias or web domain', maxLength: LIMITS.typedName, ...(value !== undefined ? { value: clip(value, LIMITS.typedName) } : {}) };
    case 'number': {
      // A value sent back is shown as the form reads it, or not at all: `12,50`, refused, is no 1250.
      const read = value !== undefined ? readAmount(value) : undefined;
      const n = read && 'amount' in read ? read.amount : null;
      return { type: 'Input.Number', ...common, min: 0, errorMessage: 'Enter a positive number.', ...(n !== null ? { value: n } : {}) };
    }
    case 'select': {
      const options = f.options ?? [];
      const choices = options.length > LIMITS.choices ? [] : options.map((o) => ({ title: plain(o.label), value: o.value }));
      if (options.length > LIMITS.choices || JSON.stringify(choices).length > LIMITS.choicesChars) {
        // Too many to list in a card (a long partner list): typed, by name, and resolved by the
        // handler. What is typed is shown as typed: an input's value is no markdown.
        const shown = value === undefined ? undefined : (options.find((o) => o.value === value)?.label ?? value);
        return { type: 'Input.Text', ...common, placeholder: plain(`Type a name: one of ${options.length.toLocaleString('en-US')}`), maxLength: LIMITS.typedName, ...(shown !== undefined ? { value: clip(shown, LIMITS.typedName) } : {}) };
      }
      // One of the choices as it is; anything else a client sent, cut.
      const chosen = value === undefined || choices.some((c) => c.value === value) ? value : clip(value, LIMITS.typedName);
      return {
        type: 'Input.ChoiceSet',
        placeholder: 'Choose one',
        ...common,
        // A long list (the partners) is filtered as the person types (Adaptive Cards 1.5 in Teams).
        style: options.length > 8 ? 'filtered' : 'compact',
        choices,
        ...(chosen !== undefined ? { value: chosen } : {}),
      };
    }
  }
}

/** A neutral form as a card: labelled inputs, the server's errors under their fields, one submit button. */
export function renderForm(form: Form, state: FormState = {}): AdaptiveCard {
  const errors = state.errors ?? {};
  const prefill: Prefill = {};
  const body: CardElement[] = [textBlock(form.title, HEADING, LIMITS.title)];
  if (form.intro) body.push(textBlock(form.intro, { isSubtle: true }));
  // A refusal above the form: ⚠️ in the warning colour, as every refusal (renderRefusal).
  if (state.message) body.push(textBlock(TONE_MARK.warning + state.message, COLOR.warning));
  for (const f of form.fields) {
    const typed = state.values?.[f.id];
    let value = typed ?? f.initial?.value;
    if (f.kind === 'account') {
      // The name is shown and the id kept beside it, as long as the name is what the input holds.
      // What a client carried back is an account's name and id: one longer than the input takes is none.
      // Text typed with the command that names no account is shown as typed: no account's id stands beside it.
      const carried = state.prefill?.[f.id];
      const filled = (carried && carried.label.length <= LIMITS.typedName && carried.value.length <= LIMITS.typedName ? carried : undefined) ?? (f.asTyped ? undefined : f.initial);
      if (filled && (typed === undefined || typed === filled.label || typed === filled.value)) {
        value = filled.label;
        prefill[f.id] = { label: filled.label, value: filled.value };
      }
    }
    body.push(input(f, value));
    const problem = errors[f.id];
    if (problem) body.push(textBlock(problem, { color: 'Attention', spacing: 'None', size: 'Small' }));
    else if (f.hint) body.push(textBlock(f.hint, { isSubtle: true, spacing: 'None', size: 'Small' }));
  }
  const data = {
    ...state.carry,
    [TEAMS_IDS.data.state]: form.state,
    ...(Object.keys(prefill).length > 0 ? { [TEAMS_IDS.data.prefill]: prefill } : {}),
    ...(state.instance ? { [TEAMS_IDS.data.instance]: state.instance } : {}),
  };
  const back = state.back ? [withoutInputs(execute(state.back.label, state.back.verb, state.back.data))] : [];
  body.push({ type: 'ActionSet', actions: [execute(form.submitLabel, TEAMS_IDS.submits[form.id], data, 'primary'), ...back] });
  return card(body, state.refresh);
}

/** A button that sends none of the card's inputs, so Teams sends it with required fields left empty. */
function withoutInputs(action: CardElement): CardElement {
  return { ...action, associatedInputs: 'none', fallback: { ...(action.fallback as CardElement), associatedInputs: 'none' } };
}

/**
 * A refusal or a problem, as the card that takes the place of the one clicked: nothing changed.
 * A refusal is a line of the warning tone (⚠️, the Warning colour), as Slack's and as a refusal
 * above a case card (the Teams bot's refusalBlocks); a failure on our side (`attention`) is ⛔, as Slack's apology.
 */
export function renderRefusal(message: string, tone: 'warning' | 'attention' = 'warning'): AdaptiveCard {
  // Marked as Slack marks a refusal: the colour alone would say it to nobody who cannot see it.
  return card([textBlock(TONE_MARK[tone] + message, COLOR[tone]), textBlock('Nothing was changed.', { isSubtle: true })]);
}

/**
 * What everyone in a channel or group chat sees of an answer meant for one person: who asked and
 * what. The person who asked sees the answer itself, through the card's refresh. Anyone else who
 * clicks its button (`other`) is told the answer is not theirs and how to ask for their own,
 * rather than given the same card back, its button again doing nothing.
 */
export function renderPrivateStub(o: { askerName: string; command: string; forUser: string; other?: boolean }): AdaptiveCard {
  const command = clip(o.command, LIMITS.command);
  const asker = clip(o.askerName, LIMITS.title);
  const data = { [TEAMS_IDS.data.for]: o.forUser, [TEAMS_IDS.data.command]: command, [TEAMS_IDS.data.asker]: asker };
  const small = { isSubtle: true, spacing: 'None', size: 'Small' };
  return card(
    [
      textBlock(`${asker} asked: ${command}`, { isSubtle: true }),
      ...(o.other
        ? [textBlock(`The answer is shown only to them. For your own, mention me with the command: @roe-bot ${command}`, small)]
        : [textBlock('The answer is shown only to them.', small), { type: 'ActionSet', actions: [execute('Show my answer', TEAMS_IDS.refresh.privateAnswer, data)] }]),
    ],
    { verb: TEAMS_IDS.refresh.privateAnswer, data, userIds: [o.forUser] },
  );
}

/** A card as a message attachment. */
export function cardAttachment(c: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: TEAMS_IDS.contentTypes.card, content: c };
}
