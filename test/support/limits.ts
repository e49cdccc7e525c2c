/**
 * Limit checkers for what roe-bot sends to Slack (Block Kit messages, modals, App Home, options
 * responses) and to Teams (Adaptive Cards in activities and invoke responses).
 *
 * Slack limits: docs.slack.dev/reference/block-kit (blocks, block elements, composition objects,
 * views) as @slack/types restates them. Teams: learn.microsoft.com "Format your bot messages"
 * (100 KB activity, UTF-16; 40 KB in the older text, which render.ts itself aims for), Adaptive
 * Cards 1.5 schema.
 */

export type Surface = 'message' | 'modal' | 'home';

type J = Record<string, unknown>;
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): void {
    this.list.push(`${path}: ${what}`);
  }
  max(path: string, value: unknown, limit: number, what = 'characters'): void {
    const n = typeof value === 'string' ? value.length : Array.isArray(value) ? value.length : 0;
    if (n > limit) this.add(path, `${n} ${what} > ${limit}`);
  }
}

function textObj(p: Problems, path: string, t: unknown, max: number, kind?: 'plain_text' | 'mrkdwn'): void {
  if (!isObj(t)) return p.add(path, 'missing text object');
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') p.add(path, `text type ${String(t.type)}`);
  if (kind && t.type !== kind) p.add(path, `must be ${kind}, is ${String(t.type)}`);
  if (typeof t.text !== 'string' || t.text.length < 1) p.add(`${path}.text`, 'empty text (min 1)');
  p.max(`${path}.text`, t.text, Math.min(max, 3000));
}

function option(p: Problems, path: string, o: unknown): void {
  if (!isObj(o)) return p.add(path, 'option not an object');
  textObj(p, `${path}.text`, o.text, 75, 'plain_text');
  if (typeof o.value !== 'string' || o.value.length < 1) p.add(`${path}.value`, 'empty value');
  p.max(`${path}.value`, o.value, 150);
  if (o.description !== undefined) textObj(p, `${path}.description`, o.description, 75);
}

function element(p: Problems, path: string, e: unknown, actionIds: Map<string, string>): void {
  if (!isObj(e)) return p.add(path, 'element not an object');
  if (typeof e.action_id === 'string') {
    p.max(`${path}.action_id`, e.action_id, 255);
    const seen = actionIds.get(e.action_id);
    if (seen) p.add(path, `action_id "${e.action_id}" repeats ${seen}`);
    actionIds.set(e.action_id, path);
  }
  if (e.placeholder !== undefined) textObj(p, `${path}.placeholder`, e.placeholder, 150, 'plain_text');
  switch (e.type) {
    case 'button':
      textObj(p, `${path}.text`, e.text, 75, 'plain_text');
      if (e.accessibility_label !== undefined && (typeof e.accessibility_label !== 'string' || e.accessibility_label.trim() === '')) p.add(`${path}.accessibility_label`, 'must be non-empty text');
      p.max(`${path}.accessibility_label`, e.accessibility_label, 75);
      p.max(`${path}.value`, e.value, 2000);
      p.max(`${path}.url`, e.url, 3000);
      break;
    case 'static_select': {
      const hasOptions = e.options !== undefined;
      const hasGroups = e.option_groups !== undefined;
      if (hasOptions === hasGroups) p.add(path, 'needs exactly one of options / option_groups');
      if (hasOptions) {
        p.max(`${path}.options`, e.options, 100, 'options');
        if (arr(e.options).length === 0) p.add(`${path}.options`, 'no options');
        arr(e.options).forEach((o, i) => option(p, `${path}.options[${i}]`, o));
      }
      if (hasGroups) {
        p.max(`${path}.option_groups`, e.option_groups, 100, 'groups');
        arr(e.option_groups).forEach((g, i) => {
          if (!isObj(g)) return;
          textObj(p, `${path}.option_groups[${i}].label`, g.label, 75, 'plain_text');
          p.max(`${path}.option_groups[${i}].options`, g.options, 100, 'options');
          arr(g.options).forEach((o, j) => option(p, `${path}.option_groups[${i}].options[${j}]`, o));
        });
      }
      if (e.initial_option !== undefined) {
        option(p, `${path}.initial_option`, e.initial_option);
        const all = [...arr(e.options), ...arr(e.option_groups).flatMap((g) => arr((g as J).options))];
        if (!all.some((o) => JSON.stringify(o) === JSON.stringify(e.initial_option))) p.add(`${path}.initial_option`, 'matches none of the options');
      }
      break;
    }
    case 'external_select':
      if (e.initial_option !== undefined) option(p, `${path}.initial_option`, e.initial_option);
      break;
    case 'plain_text_input':
      if (typeof e.max_length === 'number' && (e.max_length < 1 || e.max_length > 3000)) p.add(`${path}.max_length`, `${e.max_length} not in 1..3000`);
      if (typeof e.min_length === 'number' && (e.min_length < 0 || e.min_length > 3000)) p.add(`${path}.min_length`, `${e.min_length} not in 0..3000`);
      if (typeof e.initial_value === 'string' && typeof e.max_length === 'number' && e.initial_value.length > e.max_length) p.add(`${path}.initial_value`, `${e.initial_value.length} > its max_length ${e.max_length}`);
      p.max(`${path}.initial_value`, e.initial_value, 3000);
      break;
    case 'number_input':
      break;
    default:
      p.add(path, `element type ${String(e.type)} not checked`);
  }
}

function richText(p: Problems, path: string, b: J): void {
  arr(b.elements).forEach((el, i) => {
    if (!isObj(el)) return;
    arr(el.elements).forEach((t, j) => {
      if (isObj(t) && t.type === 'text' && (typeof t.text !== 'string' || t.text.length === 0)) p.add(`${path}.elements[${i}].elements[${j}]`, 'empty rich text');
    });
  });
}

/** Every limit of one block. */
function block(p: Problems, path: string, b: unknown, surface: Surface, ids: { blocks: Map<string, string>; actions: Map<string, string> }): void {
  if (!isObj(b)) return p.add(path, 'block not an object');
  if (typeof b.block_id === 'string') {
    p.max(`${path}.block_id`, b.block_id, 255);
    const seen = ids.blocks.get(b.block_id);
    if (seen) p.add(path, `block_id "${b.block_id}" repeats ${seen}`);
    ids.blocks.set(b.block_id, path);
  }
  switch (b.type) {
    case 'section':
      if (b.text === undefined && b.fields === undefined) p.add(path, 'section without text or fields');
      if (b.text !== undefined) textObj(p, `${path}.text`, b.text, 3000);
      if (b.fields !== undefined) {
        p.max(`${path}.fields`, b.fields, 10, 'fields');
        arr(b.fields).forEach((f, i) => textObj(p, `${path}.fields[${i}]`, f, 2000));
      }
      break;
    case 'header':
      textObj(p, `${path}.text`, b.text, 150, 'plain_text');
      break;
    case 'context':
      p.max(`${path}.elements`, b.elements, 10, 'elements');
      if (arr(b.elements).length === 0) p.add(path, 'context without elements');
      arr(b.elements).forEach((e, i) => textObj(p, `${path}.elements[${i}]`, e, 3000));
      break;
    case 'actions': {
      p.max(`${path}.elements`, b.elements, 25, 'elements');
      if (arr(b.elements).length === 0) p.add(path, 'actions without elements');
      // action_id unique within the containing block (messages: the code makes them unique in the whole message)
      const local = new Map<string, string>();
      arr(b.elements).forEach((e, i) => element(p, `${path}.elements[${i}]`, e, local));
      for (const [id, where] of local) {
        const seen = ids.actions.get(id);
        if (seen) p.add(where, `action_id "${id}" also at ${seen}`);
        ids.actions.set(id, where);
      }
      break;
    }
    case 'input':
      if (surface === 'message') p.add(path, 'input block in a message');
      textObj(p, `${path}.label`, b.label, 2000, 'plain_text');
      if (b.hint !== undefined) textObj(p, `${path}.hint`, b.hint, 2000, 'plain_text');
      element(p, `${path}.element`, b.element, new Map());
      break;
    case 'divider':
      break;
    case 'rich_text':
      richText(p, path, b);
      break;
    default:
      p.add(path, `block type ${String(b.type)} not checked`);
  }
}

export function checkBlocks(p: Problems, path: string, blocks: unknown, surface: Surface): void {
  const list = arr(blocks);
  p.max(path, list, surface === 'message' ? 50 : 100, 'blocks');
  const ids = { blocks: new Map<string, string>(), actions: new Map<string, string>() };
  list.forEach((b, i) => block(p, `${path}[${i}]`, b, surface, ids));
}

/** chat.postMessage / chat.update / chat.postEphemeral / response_url / a command's ack body. */
export function checkSlackMessage(payload: unknown, where = 'message'): string[] {
  const p = new Problems();
  if (!isObj(payload)) return [`${where}: not an object`];
  if (payload.blocks !== undefined) checkBlocks(p, `${where}.blocks`, payload.blocks, 'message');
  // With blocks, text is the notification fallback; 40,000 is where Slack truncates text.
  p.max(`${where}.text`, payload.text, 40_000);
  return p.list;
}

/** views.open / views.update / views.push / views.publish, and response_action: update. */
export function checkSlackView(view: unknown, where = 'view'): string[] {
  const p = new Problems();
  if (!isObj(view)) return [`${where}: not an object`];
  const surface: Surface = view.type === 'home' ? 'home' : 'modal';
  if (surface === 'modal') {
    textObj(p, `${where}.title`, view.title, 24, 'plain_text');
    if (view.submit !== undefined) textObj(p, `${where}.submit`, view.submit, 24, 'plain_text');
    if (view.close !== undefined) textObj(p, `${where}.close`, view.close, 24, 'plain_text');
    const hasInput = arr(view.blocks).some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.add(where, 'input blocks without a submit button');
  }
  p.max(`${where}.private_metadata`, view.private_metadata, 3000);
  p.max(`${where}.callback_id`, view.callback_id, 255);
  p.max(`${where}.external_id`, view.external_id, 255);
  checkBlocks(p, `${where}.blocks`, view.blocks, surface);
  return p.list;
}

/** The answer to a block_suggestion (external_select options). */
export function checkSlackOptions(resp: unknown, where = 'options'): string[] {
  const p = new Problems();
  if (!isObj(resp)) return [`${where}: not an object`];
  p.max(`${where}.options`, resp.options, 100, 'options');
  arr(resp.options).forEach((o, i) => option(p, `${where}.options[${i}]`, o));
  return p.list;
}

/** Labels a person reads in a select or button row: two equal labels cannot be told apart. */
export function duplicateLabels(labels: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([l]) => l);
}

// ---------------------------------------------------------------------------------------------
// Teams

/** Bytes of JSON as Teams counts a message: UTF-16. */
export const utf16Bytes = (v: unknown) => JSON.stringify(v).length * 2;

/** 100 KB per current docs (80 KB recommended); 40 KB per the older text render.ts aims under. */
export const TEAMS_HARD = 100 * 1024;
export const TEAMS_TARGET = 40 * 1024;

const CARD_ELEMENTS = new Set(['TextBlock', 'FactSet', 'Container', 'ActionSet', 'Input.Text', 'Input.Number', 'Input.ChoiceSet', 'ColumnSet', 'Column']);

function cardElement(p: Problems, path: string, e: unknown, inputIds: Map<string, string>): void {
  if (!isObj(e)) return p.add(path, 'not an object');
  if (!CARD_ELEMENTS.has(String(e.type))) p.add(path, `element ${String(e.type)} unknown to 1.5`);
  if (String(e.type).startsWith('Input.')) {
    if (typeof e.id !== 'string' || !e.id) p.add(path, 'input without id');
    else {
      const seen = inputIds.get(e.id);
      if (seen) p.add(path, `input id "${e.id}" repeats ${seen}`);
      inputIds.set(e.id, path);
    }
  }
  if (e.type === 'TextBlock' && typeof e.text !== 'string') p.add(path, 'TextBlock without text');
  if (e.type === 'Input.ChoiceSet') {
    if (arr(e.choices).length === 0) p.add(path, 'ChoiceSet without choices');
    arr(e.choices).forEach((c, i) => {
      if (!isObj(c) || typeof c.title !== 'string' || typeof c.value !== 'string') p.add(`${path}.choices[${i}]`, 'choice needs title and value strings');
    });
  }
  if (e.type === 'ActionSet') {
    // Teams shows six buttons of a set (maxActions in its host config); the rest only behind a menu, if at all.
    p.max(`${path}.actions`, e.actions, 6, 'buttons');
    arr(e.actions).forEach((a, i) => cardAction(p, `${path}.actions[${i}]`, a));
  }
  if (e.type === 'Container') arr(e.items).forEach((x, i) => cardElement(p, `${path}.items[${i}]`, x, inputIds));
}

function cardAction(p: Problems, path: string, a: unknown): void {
  if (!isObj(a)) return p.add(path, 'not an object');
  if (a.tooltip !== undefined && (typeof a.tooltip !== 'string' || a.tooltip.trim() === '')) p.add(`${path}.tooltip`, 'must be non-empty text');
  if (a.type === 'Action.Execute') {
    if (typeof a.verb !== 'string' || !a.verb) p.add(path, 'Action.Execute without verb');
    if (a.data !== undefined && !isObj(a.data)) p.add(`${path}.data`, 'data must be an object');
  } else if (a.type === 'Action.Submit') {
    if (a.data !== undefined && !isObj(a.data)) p.add(`${path}.data`, 'data must be an object');
  } else if (a.type === 'Action.ShowCard') {
    // The card it shows: its elements and buttons are held to the same rules.
    const shown = a.card;
    if (!isObj(shown) || shown.type !== 'AdaptiveCard') return p.add(`${path}.card`, 'must be an AdaptiveCard');
    const inputIds = new Map<string, string>();
    arr(shown.body).forEach((e, i) => cardElement(p, `${path}.card.body[${i}]`, e, inputIds));
    arr(shown.actions).forEach((x, i) => cardAction(p, `${path}.card.actions[${i}]`, x));
  } else p.add(path, `action ${String(a.type)}`);
  if (isObj(a.fallback)) cardAction(p, `${path}.fallback`, a.fallback);
}

/** An Adaptive Card as roe-bot sends it, and (with `activity`) the message carrying it. */
export function checkTeamsCard(card: unknown, where = 'card', opts: { limit?: number; activity?: unknown } = {}): string[] {
  const p = new Problems();
  if (!isObj(card)) return [`${where}: not an object`];
  if (card.type !== 'AdaptiveCard') p.add(where, `type ${String(card.type)}`);
  if (card.version !== '1.5') p.add(where, `version ${String(card.version)} (Teams bots: 1.5 at most)`);
  const inputIds = new Map<string, string>();
  arr(card.body).forEach((e, i) => cardElement(p, `${where}.body[${i}]`, e, inputIds));
  if (card.refresh !== undefined) {
    const r = card.refresh as J;
    cardAction(p, `${where}.refresh.action`, r.action);
    if (isObj(r.action) && r.action.type !== 'Action.Execute') p.add(`${where}.refresh.action`, 'must be Action.Execute');
    if (r.userIds !== undefined) p.max(`${where}.refresh.userIds`, r.userIds, 60, 'users');
  }
  const limit = opts.limit ?? TEAMS_HARD;
  const bytes = utf16Bytes(opts.activity ?? card);
  if (bytes > limit) p.add(where, `${bytes.toLocaleString('en-US')} bytes as UTF-16 > ${limit.toLocaleString('en-US')}`);
  return p.list;
}
