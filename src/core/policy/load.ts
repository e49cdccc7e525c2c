import { isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, visit, YAMLMap, type Document, type Node, type Pair, type YAMLError } from 'yaml';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { nearMiss } from '../spelling.js';
import { weekdayNamed, WEEKDAYS } from '../sla/calendar.js';
import { always, policyFileSchema, policySchema, policyWarnings, shown, type Policy, type PolicyProblem } from './schema.js';

/** `coverage[2].arbitrator` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/** How to write a field, for one written as something else (`reminders: 0.5`, `arbitration: 16`); keyed by path, list positions as `[]`. */
const SHAPES: Record<string, string> = {
  'sla.arbitration': 'a duration in business hours, like 16h',
  'business_hours.days': 'a list like [mon, tue, wed, thu, fri]',
  'business_hours.holidays': 'a list of dates like [2026-12-25]',
  product_lines: 'a list like [Core Platform, Analytics]',
  stages: 'a list, earliest first, like [prospecting, qualified, proposal]',
  'coverage[].escalation': 'a list of people like [vp]',
  'coverage[].when': 'a mapping like { segment: enterprise }, or {} for every account',
  'sla.reminders': 'a list of fractions of the SLA like [0.5, 0.8]',
  'sla.escalation_channel': 'a channel per platform like { slack: C0ESCAL }',
  people: 'one person a line under it, indented with spaces, like "  dana: { name: Dana Reyes, slack: U0DANA }"',
  coverage: 'one coverage rule a line under it, in order, like "  - { name: Default, when: {}, model: partner-led, arbitrator: pat }"',
  criteria: 'one criterion a line under it, in order, like "  - { rule: first-registration, auto: true }"',
};

/** A kind of value as a problem says it to whoever writes the file (the validator says string, boolean, array, object, record). */
const KINDS: Record<string, string> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping of fields', record: 'a mapping' };

/** A field's schema without its default or optionality. */
function unwrapped(field: z.ZodType): z.ZodType {
  let inner = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner;
}

/** The fields of each section of the top level (registration: protection_days, …), for such a field written at the top level. */
const SECTION_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(policySchema.shape).flatMap(([section, field]) => {
    const inner = unwrapped(field);
    return inner instanceof z.ZodObject ? Object.keys(inner.shape).map((key) => [key, section] as const) : [];
  }),
);

/** The fields the mapping at `path` may have (`coverage[2]`: name, when, model, …); none where no mapping of fields belongs. */
function fieldsAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = policySchema;
  for (const part of path) {
    const inner: z.ZodType = unwrapped(schema);
    if (inner instanceof z.ZodObject && typeof part === 'string') schema = (inner.shape as Record<string, z.ZodType>)[part];
    else if (inner instanceof z.ZodArray && typeof part === 'number') schema = inner.element as z.ZodType;
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.ZodType;
    else return [];
    if (schema === undefined) return [];
  }
  const inner = unwrapped(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

/** A problem as it is said: zod's issue, with the field an unknown one is a slip for (see explained). */
interface Explained {
  issue: z.core.$ZodIssue;
  meant?: string;
}

/** Whether a problem says that a field is missing. */
const missing = (i: z.core.$ZodIssue) => (i.code === 'invalid_type' || i.code === 'invalid_union' || i.code === 'invalid_value') && i.input === undefined;

/**
 * The problems, an unknown field that is a near miss of a field not written at its place
 * (`protecton_days` under registration) on a line of its own, with the field meant; the field
 * meant is then no second problem, "is required", of the same slip.
 */
function explained(issues: readonly z.core.$ZodIssue[], input: unknown): Explained[] {
  const out: Explained[] = [];
  const meantAt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      out.push({ issue });
      continue;
    }
    // Fields of a section that lost their indentation are said to be so (see unindented).
    if (issue.path.length === 0 && unindented(issue.keys)) {
      out.push({ issue });
      continue;
    }
    let at: unknown = input;
    for (const part of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[part] : undefined;
    const written = at !== null && typeof at === 'object' ? at : {};
    const open = fieldsAt(issue.path).filter((f) => !Object.hasOwn(written, f));
    const unexplained: string[] = [];
    for (const key of issue.keys) {
      const meant = nearMiss(key, open);
      if (meant === undefined) unexplained.push(key);
      else {
        out.push({ issue: { ...issue, keys: [key] }, meant });
        meantAt.add(JSON.stringify([...issue.path, meant]));
      }
    }
    if (unexplained.length > 0) out.push({ issue: { ...issue, keys: unexplained } });
  }
  return out.filter(({ issue }) => !(missing(issue) && meantAt.has(JSON.stringify(issue.path))));
}

/** Why an unknown field of the top level may be there: a section's fields that lost their indentation. */
function unindented(keys: readonly string[]): string {
  const sections = [...new Set(keys.map((k) => SECTION_OF.get(k)))];
  if (sections.length !== 1 || sections[0] === undefined) return '';
  return keys.length === 1 ? ` (a field of ${sections[0]}: indent it under ${sections[0]}, with spaces)` : ` (fields of ${sections[0]}: indent them under ${sections[0]}, with spaces)`;
}

const didYouMean = (meant: string | undefined) => (meant === undefined ? '' : ` (did you mean "${meant}"?)`);

/** A problem in words; `meant`, the field an unknown one is a slip for (see explained). */
function describeIssue(issue: z.core.$ZodIssue, meant?: string): string {
  if (issue.code === 'unrecognized_keys') {
    // YAML 1.1's merge key (<<: *base) is no field in YAML 1.2, which the policy is read as.
    const merge = issue.keys.includes('<<') ? ' (a merge key, <<: *name, is not read: write the fields out, or use an alias for a whole value)' : '';
    const misplaced = issue.path.length === 0 ? unindented(issue.keys) : '';
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${didYouMean(meant)}${merge}${misplaced}`;
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type') {
    const shape = SHAPES[formatPath(issue.path).replace(/\[\d+\]/g, '[]')];
    const collection = issue.expected === 'array' || issue.expected === 'object' || issue.expected === 'record';
    const kind = KINDS[issue.expected] ?? issue.expected;
    // Nothing after the colon, nor indented under it (a section whose lines lost their indentation).
    if (issue.input === null) return `is empty: ${shape ? `write ${shape}` : collection ? 'write its fields on the lines under it, indented with spaces' : `expected ${kind}`}`;
    // "90" for 90, "true" for true: YAML reads a value in quotes as text.
    const quoted = typeof issue.input === 'string' && ((issue.expected === 'number' && issue.input.trim() !== '' && Number.isFinite(Number(issue.input))) || (issue.expected === 'boolean' && /^(true|false)$/i.test(issue.input.trim())));
    return `expected ${kind}, got ${shown(issue.input)}${quoted ? ' (write it without quotes)' : ''}${shape ? `: write ${shape}` : ''}`;
  }
  // "Invalid option: expected one of …": with what was written, which is what to fix.
  if (issue.code === 'invalid_value') {
    const options = issue.message.replace(/^Invalid option: /, '');
    if (issue.input === undefined) return `is required: ${options}`;
    if (issue.input === null) return `is empty: ${options}`;
    const values = issue.values.filter((v): v is string => typeof v === 'string');
    // A working day written in full or cut short otherwise (`Thursday`, `thurs`): the policy's name for it.
    const day = typeof issue.input === 'string' && WEEKDAYS.every((d) => values.includes(d)) ? weekdayNamed(issue.input) : undefined;
    const named = typeof issue.input === 'string' ? (nearMiss(issue.input, values) ?? day) : undefined;
    return `${options}, got ${shown(issue.input)}${didYouMean(named)}`;
  }
  // A record's key (a person's) that its own check refused: that check's message.
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

/** The parser's first line of an error, without its own "at line L, column C:" (the line is given apart). */
const parserSaid = (e: YAMLError) => e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');

/** The parser's error for a [ … ] (list) or { … } (map) not closed where its field ends. */
const unclosedKind = (e: YAMLError) => (e.code === 'BAD_INDENT' ? /^Flow (sequence|map) in block collection must be sufficiently indented/.exec(parserSaid(e))?.[1] : undefined);

/** What a line that reads as no "field: value" is told: the parser's catch-all, said when it names nothing more particular. */
const NO_COLON = 'this line is not "field: value": is its colon, or the space after the colon, missing? (Or is the line after it indented more than this one?)';

/** The parser's words for a token where nothing may stand (after which it reads nothing more): its kind and the token. */
const STRAY_TOKEN = /^Unexpected ([a-z-]+) token in YAML stream: (.*)$/s;
const AFTER_VALUE = 'more follows the value that ends here: after a value in quotes, [ … ] or { … }, only a comma, a closing bracket or a # comment may follow on its line (is a quote or bracket one too many, or a value only partly in quotes?)';
const BLOCK_SEQUENCE_AS_KEY = 'A block sequence may not be used as an implicit map key';
const ITEM_NO_LIST = 'this "- " item lines up with no list: indent each item of a list with the same number of spaces as the first, under the field it belongs to';

/**
 * A YAML parser error as one line, its excerpt left out. `opensHere`: for a [ … ] or { … } not
 * closed, whether the line given is the one it starts on (see yamlProblems).
 */
function describeYamlError(e: YAMLError, text: string, opensHere = false): string {
  if (e.code === 'DUPLICATE_KEY') {
    // The error points at the repeated key's first character: the key runs to its colon.
    const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*?)(?=\s*:)/.exec(text.slice(e.pos[0]))?.[0].replace(/^["']|["']$/g, '');
    return key ? `the key "${key}" appears twice in the same mapping` : 'a key appears twice in the same mapping';
  }
  const said = parserSaid(e);
  // The parser's words for the usual slips of a hand-written file, said as what to look for.
  if (e.code === 'BLOCK_IN_FLOW') return 'inside { … } or [ … ], a comma is missing between two values, or a value holds ": " (put such a value in quotes, like name: "Dana: Sales")';
  if (e.code === 'MULTILINE_IMPLICIT_KEY' || said === 'Implicit map keys need to be followed by map values') return NO_COLON;
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && said === 'Nested mappings are not allowed in compact mappings') {
    return 'this line holds a second "field:" after the first: write the inner field in { … }, like escalation_channel: { slack: C0ESCAL }, or on a line of its own, indented under this one (a value that holds ": " goes in quotes, like name: "Dana: Sales")';
  }
  if (e.code === 'BAD_INDENT' && said === 'All mapping items must start at the same column') {
    return 'this field does not line up with the first field of its section: indent each field of a section with the same number of spaces';
  }
  // A quote not closed: said at the line it opens on (see yamlProblems), the parser having read the rest of the file into it.
  const quote = /^Missing closing (["'])quote$/.exec(said);
  if (e.code === 'MISSING_CHAR' && quote) return `the ${quote[1]} that opens a value on this line is not closed: is its closing ${quote[1]} missing?`;
  // A token the parser met where nothing may stand: a bracket one too many, said once (see yamlProblems).
  const stray = STRAY_TOKEN.exec(said);
  if (e.code === 'UNEXPECTED_TOKEN' && stray) {
    const token = stray[2]!.replace(/^"(.*)"$/s, '$1');
    if (stray[1] === 'flow-seq-end') return 'this "]" closes no [ … ]: is it one too many? (Nothing after it is read until it is fixed.)';
    if (stray[1] === 'flow-map-end') return 'this "}" closes no { … }: is it one too many? (Nothing after it is read until it is fixed.)';
    return `YAML cannot read the file from here: ${JSON.stringify(token)} is out of place (look at this line and the lines just above it; nothing after it is read until it is fixed)`;
  }
  // More on a line after a value that ended (a closing quote or bracket): `"Dana" Reyes`, `"09:00""`.
  if (e.code === 'UNEXPECTED_TOKEN' && / at node end$/.test(said)) return AFTER_VALUE;
  // A "- " item indented less than the items before it (or under a field with a value) ends their list and starts none.
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && said === BLOCK_SEQUENCE_AS_KEY) return ITEM_NO_LIST;
  if (e.code === 'BAD_INDENT' && said === 'All sequence items must start at the same column') {
    return 'this "- " item does not line up with the first item of its list: indent each item of a list with the same number of spaces';
  }
  const unclosed = unclosedKind(e);
  if (unclosed) {
    const [open, close] = unclosed === 'map' ? ['{', '}'] : ['[', ']'];
    return `the ${open} … ${close} that starts ${opensHere ? 'on this line' : 'on this line or above it'} is not closed: is its ${close} missing? (If it goes on to the next line, indent that line more than the field it belongs to.)`;
  }
  return said;
}

/**
 * The parser's errors, each with its line, a slip that trips several of its checks said once,
 * as that slip:
 * - a [ … ] or { … } not closed is said at the line it starts on, where its closing bracket
 *   belongs, not where the parser gave up on it (the next field); that the line there reads as
 *   no "field: value" follows from it, and so does a bracket around it not closed (it took in
 *   the closing one of that);
 * - a line indented more than the field before it reads as more of that field's value, a value
 *   that runs over two lines; that it then holds a second "field:" follows from it;
 * - a line with a mistake said as one is not told its colon may be missing too.
 */
function yamlProblems(doc: Document, text: string, lines: LineCounter): { line: number | undefined; message: string }[] {
  const flowEnds = new Map<number, Node[]>();
  visit(doc, {
    Collection(_key, node) {
      if (node.flow && node.range) flowEnds.set(node.range[1], [...(flowEnds.get(node.range[1]) ?? []), node]);
    },
  });
  const unclosed = new Map<YAMLError, Node | undefined>();
  for (const e of doc.errors) {
    const kind = unclosedKind(e);
    if (kind) unclosed.set(e, flowEnds.get(e.pos[0])?.find((n) => (kind === 'map') === isMap(n)));
  }
  const within = (inner: Node | undefined, outer: Node | undefined) => !!inner?.range && !!outer?.range && inner !== outer && outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
  const nodes = [...unclosed.values()];
  const multiline = new Set(doc.errors.filter((e) => e.code === 'MULTILINE_IMPLICIT_KEY').map((e) => e.pos[0]));
  const gaveUp = new Set([...unclosed.keys()].map((e) => e.pos[0]));
  // The items after a "- " item that lines up with no list are out of line with it, not with their own first item.
  const strayItems = new Set(doc.errors.filter((e) => e.code === 'BLOCK_AS_IMPLICIT_KEY' && parserSaid(e) === BLOCK_SEQUENCE_AS_KEY).map((e) => e.linePos?.[0]?.line));
  const blockSeqs: Node[] = [];
  if (strayItems.size > 0) {
    visit(doc, {
      Seq(_key, node) {
        if (!node.flow && node.range) blockSeqs.push(node);
      },
    });
  }
  const afterStray = (e: YAMLError) => blockSeqs.some((n) => n.range![0] < e.pos[0] && e.pos[0] < n.range![1] && strayItems.has(lines.linePos(n.range![0]).line));
  // Past the first token where nothing may stand, the parser reads every token after it as one more: that one is said alone.
  const firstStray = doc.errors.find((e) => e.code === 'UNEXPECTED_TOKEN' && STRAY_TOKEN.test(parserSaid(e)));
  // A quoted value not closed runs to where the parser gave up (the end of the file, for a '): it opens where that value starts.
  const quoted = new Map<number, number>();
  if (doc.errors.some((e) => e.code === 'MISSING_CHAR')) {
    visit(doc, {
      Scalar(_key, node) {
        if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range) quoted.set(node.range[1], lines.linePos(node.range[0]).line);
      },
    });
  }
  const said = doc.errors.flatMap((e) => {
    if (e.code === 'MISSING_CHAR' && /^Missing closing ["']quote$/.test(parserSaid(e)) && quoted.has(e.pos[0])) return [{ line: quoted.get(e.pos[0]), message: describeYamlError(e, text) }];
    if (firstStray && e !== firstStray && e.pos[0] >= firstStray.pos[0]) return [];
    if (e.code === 'BAD_INDENT' && parserSaid(e) === 'All sequence items must start at the same column' && afterStray(e)) return [];
    if (unclosed.has(e)) {
      const node = unclosed.get(e);
      if (nodes.some((n) => within(n, node))) return [];
      return [{ line: node?.range ? lines.linePos(node.range[0]).line : e.linePos?.[0]?.line, message: describeYamlError(e, text, node?.range !== undefined) }];
    }
    if (e.code === 'MULTILINE_IMPLICIT_KEY' && gaveUp.has(e.pos[0])) return [];
    if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && multiline.has(e.pos[0])) return [];
    return [{ line: e.linePos?.[0]?.line, message: describeYamlError(e, text) }];
  });
  // In the order of the file (one not closed is said where it starts, before where the parser gave up on it).
  return said.filter((p) => p.message !== NO_COLON || !said.some((q) => q.line === p.line && q.message !== NO_COLON)).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/**
 * A policy that cannot be used, with its problems, one line each. One problem (a file that
 * cannot be read, say) is the message as it is, one line as every other error of the command
 * line; several are listed under a header. A file's `warnings` (see parsePolicyWithWarnings)
 * are listed among them, `listed` giving the order of the lines (the file's).
 */
export class PolicyError extends DomainError {
  constructor(
    readonly problems: string[],
    readonly warnings: string[] = [],
    listed: string[] = [...problems, ...warnings],
  ) {
    super('invalid_policy', listed.length === 1 ? listed[0]! : `invalid policy:\n${listed.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * `doc.getIn(path, true)`, each mapping's keys read once: the YAML library reads a mapping's
 * keys one by one for each look-up, and a file with thousands of problems in a mapping (people)
 * looks up each of them.
 */
function nodeFinder(doc: Document): (path: readonly PropertyKey[]) => unknown {
  const indexes = new WeakMap<YAMLMap, Map<unknown, Pair>>();
  const pairs = (map: YAMLMap) => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      // As the library matches a key: a scalar key by its value, the first pair of a key only.
      for (const item of map.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (!index.has(key)) index.set(key, item);
      }
      indexes.set(map, index);
    }
    return index;
  };
  return (path) => {
    let node: unknown = doc.contents;
    for (const part of path) {
      // A mapping of another kind (a set) is looked up as the library does.
      if (isMap(node) && Object.getPrototypeOf(node) === YAMLMap.prototype) node = pairs(node).get(part)?.value ?? undefined;
      else if (isCollection(node)) node = node.get(part, true);
      else return undefined;
    }
    return node;
  };
}

/**
 * The YAML node an issue is about, or its nearest ancestor that exists (a missing field points
 * at the mapping that lacks it; an unknown field at its own key, top-level ones included).
 * Undefined for any other problem of the top level. `nodeAt` is {@link nodeFinder}'s.
 */
function nodeOf(doc: Document, nodeAt: (path: readonly PropertyKey[]) => unknown, issue: z.core.$ZodIssue): Node | undefined {
  for (let n = issue.path.length; n >= 0; n--) {
    // n = 0: the top-level mapping, where only an unknown field has a place to point at.
    const node: unknown = n > 0 ? nodeAt(issue.path.slice(0, n)) : issue.code === 'unrecognized_keys' ? doc.contents : undefined;
    if (node === undefined || node === null || typeof node !== 'object') continue;
    if (n === issue.path.length && issue.code === 'unrecognized_keys' && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === issue.keys[0]);
      if (pair && isScalar(pair.key)) return pair.key;
    }
    return node as Node;
  }
  return undefined;
}

const DAY_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A YYYY-MM-DD that is no calendar date, rolled over as `Date` does (2025-02-30 is 2025-03-02); anything else unchanged. */
function rolledOver(v: unknown): unknown {
  const m = typeof v === 'string' ? DAY_TEXT.exec(v) : null;
  if (!m) return v;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toISOString().slice(0, 10);
}

/** A stored policy's fields as the release that stored them read them (see parsePolicy). */
function asAcceptedBefore(fields: Record<string, unknown>): Record<string, unknown> {
  const out = { ...fields };
  if (typeof out.version === 'number') out.version = String(out.version);
  out.effective = rolledOver(out.effective);
  const hours = out.business_hours;
  if (hours && typeof hours === 'object' && !Array.isArray(hours)) {
    const h = hours as Record<string, unknown>;
    if (Array.isArray(h.holidays)) out.business_hours = { ...h, holidays: h.holidays.filter((d) => rolledOver(d) === d) };
  }
  return out;
}

/**
 * Parses and validates a policy's text. Throws PolicyError listing every problem, each naming
 * its exact path (`coverage[2].arbitrator: unknown person "dana"`). With `source` (the file the
 * text was read from), every problem starts with it and, where the YAML shows where, the line:
 * `my-policy.yaml: line 31: coverage[2].arbitrator: unknown person "dana"`.
 * With `stored` (a version saved by an earlier release, which was less strict), the version
 * is read as that release read it: a number version as the name it was saved under, an
 * impossible effective date rolled over (2025-02-30 as 2025-03-02), an impossible holiday
 * (which never matched a day) left out. Either, or `lint: false`, skips the checks of what only
 * a file may not say (policyLint).
 */
export function parsePolicy(text: string, source?: string, options: { stored?: boolean; lint?: boolean } = {}): Policy {
  return parsePolicyWithWarnings(text, source, options).policy;
}

/**
 * {@link parsePolicy}, with the warnings of a file (not of a stored version): what a policy
 * says but probably does not mean (policyWarnings), one line each as problems are, with
 * "warning:" after the file and line: `my-policy.yaml: line 22: warning: registration.…`.
 * A file that is not valid but reads as YAML has them in its PolicyError too, of the values
 * without a problem of their own, so that one run shows them all. Problems and warnings are
 * each in the order of the file, by where their value starts (those with no place in it, a
 * field missing from the top level, first); the error lists both in that order.
 */
export function parsePolicyWithWarnings(text: string, source?: string, options: { stored?: boolean; lint?: boolean } = {}): { policy: Policy; warnings: string[] } {
  const lineCounter = new LineCounter();
  // Line breaks as old Mac editors write them (CR alone) are line breaks too.
  if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const prefix = (offset?: number) => {
    if (source === undefined) return '';
    return offset === undefined ? `${source}: ` : `${source}: line ${lineCounter.linePos(offset).line}: `;
  };
  // YAML 1.1 (a %YAML 1.1 line) reads dates and times by other rules (09:00 as 540, 2026-02-30
  // rolled over to March): the policy is read as YAML 1.2, whose checks name such values.
  if (!options.stored && doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    throw new PolicyError([`${prefix(0)}%YAML ${doc.directives.yaml.version}: the policy is read as YAML 1.2 (the dates and times of 1.1 are read otherwise); remove this line`]);
  }
  if (doc.errors.length > 0) {
    // A tab used to indent makes every line after it look misplaced: name the tabs alone.
    const tabs = doc.errors.filter((e) => e.code === 'TAB_AS_INDENT');
    if (tabs.length > 0) throw new PolicyError(tabs.map((e) => `${prefix()}YAML line ${e.linePos?.[0]?.line ?? '?'}: a tab indents this line; YAML indents with spaces only`));
    // One slip can trip several of the parser's checks on a line: each thing to look for is said once.
    throw new PolicyError([...new Set(yamlProblems(doc, text, lineCounter).map((p) => `${prefix()}YAML line ${p.line ?? '?'}: ${p.message}`))]);
  }
  let data: unknown;
  try {
    // Aliases are resolved here: one to no anchor, or aliases that multiply (a "billion laughs"), fail.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError([`${prefix()}YAML: ${(e as Error).message.replace('Excessive alias count indicates a resource exhaustion attack', 'aliases (*name) expand into too many values; write the values out')}`]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PolicyError([`${prefix()}(top level): the policy must be a YAML mapping of fields (version, effective, timezone, …); see examples/policy.yaml`]);
  }
  const input = options.stored ? asAcceptedBefore(data as Record<string, unknown>) : data;
  // A file's own checks (policyLint) run in the same pass: every problem is listed at once.
  const file = !options.stored && options.lint !== false;
  const schema = file ? policyFileSchema : policySchema;
  // So do its warnings, after every check, whatever they found (they read only the values
  // without a problem): a file that is not valid shows them too, not once it is fixed.
  let found: PolicyProblem[] = [];
  const checks = options.stored
    ? schema
    : schema.superRefine(
        (p, ctx) => {
          found = policyWarnings(p, ctx.issues);
        },
        always,
      );
  const result = checks.safeParse(input, { reportInput: true });
  const nodeAt = nodeFinder(doc);
  /** A line of output with where in the text its value starts (undefined: nowhere in particular). */
  const placed = (issue: z.core.$ZodIssue, line: (prefix: string) => string) => {
    const at = nodeOf(doc, nodeAt, issue)?.range?.[0];
    return { at, line: line(prefix(at)) };
  };
  const inFileOrder = (lines: { at: number | undefined; line: string }[]) => lines.sort((a, b) => (a.at ?? -1) - (b.at ?? -1));
  const warnings = inFileOrder(found.map((w) => placed({ code: 'custom', path: w.path, message: w.message }, (at) => `${at}warning: ${formatPath(w.path)}: ${w.message}`)));
  if (!result.success) {
    const problems = inFileOrder(explained(result.error.issues, input).map(({ issue, meant }) => placed(issue, (at) => `${at}${formatPath(issue.path)}: ${describeIssue(issue, meant)}`)));
    // A problem before a warning at the same place (the sort keeps the order of equals).
    const text = (l: { line: string }) => l.line;
    throw new PolicyError(problems.map(text), warnings.map(text), inFileOrder([...problems, ...warnings]).map(text));
  }
  return { policy: result.data, warnings: warnings.map((w) => w.line) };
}
