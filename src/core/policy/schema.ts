import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { BusinessCalendar, WEEKDAYS } from '../sla/calendar.js';
import { formatDuration, parseDuration } from '../sla/duration.js';
import { MODELS, RULES } from '../types.js';

/** A value as a problem quotes it: JSON, but NaN and Infinity (YAML's .nan, .inf) as themselves. */
export function shown(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return JSON.stringify(v)?.slice(0, 40) ?? typeof v;
}

/** A real calendar date "YYYY-MM-DD": 2026-02-30 is refused, not rolled over to March. */
const isoDate = z
  .union([z.string(), z.date()], { error: (iss) => `expected a date like 2026-01-01, got ${shown(iss.input)}` })
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .pipe(
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: (iss) => `expected a date like 2026-01-01, got ${shown(iss.input)}` })
      // Only for text of the right shape. (Not `abort: true` on the regex: an aborting problem
      // anywhere stops every check across fields, see `always`.)
      .refine((v) => DateTime.fromISO(v, { zone: 'utc' }).isValid, {
        when: (payload) => payload.issues.length === 0,
        error: (iss) => `${JSON.stringify(iss.input)} is not a date in the calendar (check the month and the day)`,
      }),
  );
/**
 * For a check across fields: run it whatever else is wrong. By default zod skips a refinement
 * of an object once any of its fields has a problem, and a file would then show its problems
 * one run at a time. Such a check reads only values without a problem of their own (see
 * {@link present} and {@link fine}), so one mistake is reported once.
 */
export const always = { when: () => true };

type Issues = readonly z.core.$ZodRawIssue[];

interface PathNode {
  /** Problems about this very path. */
  here: number;
  /** Problems about this path or anything inside it. */
  within: number;
  next?: Map<PropertyKey, PathNode>;
}

/**
 * The problems found so far that make a value unusable (an unknown field leaves the known ones
 * as they are), by path, for the questions a check across fields asks before it reads a value
 * ({@link ProblemIndex.present}, {@link ProblemIndex.fine}). A check asks about each entry of a
 * list: were each question to read every problem, a file with thousands of problems in a list
 * would take minutes to check. Here each problem is read once, and a question follows its path
 * alone. The index follows the list as a check adds problems to it: each question sees them all.
 */
export class ProblemIndex {
  private readonly root: PathNode = { here: 0, within: 0 };
  private read = 0;
  constructor(private readonly issues: Issues) {}

  /** Whether the value at `path` (from the value being checked) is there and of its kind: no problem is about it or about anything around it. What is inside may still be wrong. */
  present(...path: PropertyKey[]): boolean {
    const node = this.at(path);
    return node !== null && (node === undefined || node.here === 0);
  }

  /** Whether the value at `path` is valid, as far as the parse got: no problem is about it, anything inside it, or anything around it. */
  fine(...path: PropertyKey[]): boolean {
    const node = this.at(path);
    return node !== null && (node === undefined || node.within === 0);
  }

  /** The node of `path`; undefined when no problem is about it or inside it; null when one is about a value around it. */
  private at(path: readonly PropertyKey[]): PathNode | undefined | null {
    for (; this.read < this.issues.length; this.read++) this.add(this.issues[this.read]!);
    let node: PathNode | undefined = this.root;
    for (const part of path) {
      if (node.here > 0) return null;
      node = node.next?.get(part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private add(issue: z.core.$ZodRawIssue): void {
    if (issue.code === 'unrecognized_keys') return;
    let node = this.root;
    node.within++;
    for (const part of issue.path ?? []) {
      node.next ??= new Map();
      let next = node.next.get(part);
      if (next === undefined) node.next.set(part, (next = { here: 0, within: 0 }));
      node = next;
      node.within++;
    }
    node.here++;
  }
}

/**
 * A whole number of `unit`, `min` or more, with one problem in words for anything else (zod's
 * own `.int()` says "expected int, got 1.5", and its problem stops every check across fields).
 */
const whole = (unit: 'days' | 'violations', min: number) =>
  z.number().superRefine((v, ctx) => {
    if (!Number.isSafeInteger(v)) ctx.addIssue({ code: 'custom', message: `must be a whole number of ${unit}, got ${shown(v)}` });
    else if (v < min) ctx.addIssue({ code: 'custom', message: `must be at least ${min}, got ${v}` });
  });

/** A reminder: a fraction of the SLA, strictly between 0 and 1. */
const fraction = z.number().superRefine((v, ctx) => {
  if (!(v > 0 && v < 1)) ctx.addIssue({ code: 'custom', message: `${shown(v)} is not a fraction between 0 and 1 (0.5 reminds halfway to the deadline)` });
});

const clockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: (iss) => `expected a time like "09:00" ("24:00" for midnight), got ${shown(iss.input)}` });
const id = z.string().trim().min(1, 'must not be empty');
/** What a coverage rule's `when` compares an account's tier, segment or region with, as a problem says it. */
const MATCH_TEXT = 'expected a value like "enterprise" or a list of them';
/** `tier: 1` is a number to YAML while an account's tier is text: say to quote it. */
const matchProblem = (input: unknown) => `${MATCH_TEXT}, got ${shown(input)}${typeof input === 'number' && Number.isFinite(input) ? ` (in quotes: "${input}")` : ''}`;
/** A boolean is accepted as earlier releases did (a stored version keeps loading); a policy file is refused one (see policyLint). */
const matchValue = z.union(
  [
    z.string(),
    z.boolean(),
    z
      .array(z.string({ error: (iss) => matchProblem(iss.input) }), { error: (iss) => matchProblem(iss.input) })
      .min(1, 'an empty list matches no account: name at least one value, or leave the field out'),
  ],
  { error: (iss) => matchProblem(iss.input) },
);

/**
 * The version name as written. YAML reads an unquoted 2026.10 as the number 2026.1, so a
 * number is refused rather than turned back into a different string.
 */
const versionName = z
  .unknown()
  .transform((v, ctx) => {
    if (typeof v !== 'number') return v;
    ctx.addIssue({ code: 'custom', message: `got the number ${v}: put the version in quotes, e.g. version: "2026.10" (unquoted, YAML reads 2026.10 as the number 2026.1)` });
    return z.NEVER;
  })
  .pipe(id);

export const personSchema = z.strictObject({
  name: id,
  slack: z.string().optional(),
  teams: z.string().optional(),
  email: z.string().email({ error: (iss) => `expected an email address like dana@example.com, got ${shown(iss.input)}` }).optional(),
});

export const coverageSchema = z.strictObject({
  name: id,
  when: z
    .strictObject({
      tier: matchValue.optional(),
      segment: matchValue.optional(),
      region: matchValue.optional(),
      customer: z.boolean().optional(),
    })
    .default({}),
  model: z.enum(MODELS),
  arbitrator: id,
  escalation: z.array(id).default([]),
  /** New claims under this rule wait for the arbitrator's approval even without an overlap. */
  requires_approval: z.boolean().default(false),
});

export const criterionSchema = z.strictObject({
  rule: z.enum(RULES),
  auto: z.boolean(),
});

/** The SLA's length: a duration (see parseDuration), longer than zero. */
const slaDuration = z.string().superRefine((text, ctx) => {
  try {
    if (parseDuration(text) <= 0) throw new Error('must be longer than zero');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/** The consequences section's defaults: each field's, and the whole section's when it is left out. */
const CONSEQUENCES_DEFAULT = { window_days: 180, violations_to_flag: 3, flagged: 'require-approval' } as const;

export const policySchema = z
  .strictObject({
    version: versionName,
    effective: isoDate,
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), { message: 'unknown time zone (use an IANA name like America/New_York)' }),
    business_hours: z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).min(1, 'name at least one working day'),
        // Midnight at the end of a day closes it; it opens nothing.
        start: clockTime.refine((t) => t !== '24:00', '"24:00" is the end of a day: business hours start at 23:59 at the latest'),
        end: clockTime,
        holidays: z.array(isoDate).default([]),
      })
      .superRefine((h, ctx) => {
        const problems = new ProblemIndex(ctx.issues);
        // Compared as text, which holds for two valid times (a wrong one is reported on its own).
        if (problems.fine('start') && problems.fine('end') && h.start >= h.end) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be after start (${h.start})` });
      }, always),
    product_lines: z.array(id).min(1, 'name at least one product line'),
    /** Opportunity stages, earliest first (used by furthest-stage). */
    stages: z.array(id).min(1, 'name at least one stage, or leave the field out for the default').default(['prospecting', 'qualified', 'proposal', 'negotiation', 'commit']),
    people: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'person keys are lower-case letters, digits, - and _'), personSchema),
    registration: z
      .strictObject({
        protection_days: whole('days', 1),
        dormant_after_days: whole('days', 1),
        dormancy_warning_days: whole('days', 0),
        /** Days before the end of protection its owner is warned; by default dormancy_warning_days. */
        expiry_warning_days: whole('days', 0).optional(),
      })
      .superRefine((r, ctx) => {
        const problems = new ProblemIndex(ctx.issues);
        if (problems.fine('dormancy_warning_days') && problems.fine('dormant_after_days') && r.dormancy_warning_days >= r.dormant_after_days) {
          ctx.addIssue({ code: 'custom', path: ['dormancy_warning_days'], message: `must be less than dormant_after_days (${r.dormant_after_days}), got ${r.dormancy_warning_days}` });
        }
        if (problems.fine('expiry_warning_days') && problems.fine('protection_days') && r.expiry_warning_days !== undefined && r.expiry_warning_days >= r.protection_days) {
          ctx.addIssue({ code: 'custom', path: ['expiry_warning_days'], message: `must be less than protection_days (${r.protection_days}), got ${r.expiry_warning_days}` });
        }
      }, always),
    coverage: z
      .array(coverageSchema)
      .min(1, 'name at least one coverage rule')
      .superRefine((rules, ctx) => {
        const problems = new ProblemIndex(ctx.issues);
        if (!problems.present()) return;
        const last = rules.length - 1;
        // A `when` with a wrong value still names what it matches: the rule is no catch-all either way.
        if (last >= 0 && problems.present(last, 'when') && Object.keys(rules[last]!.when).length > 0) {
          ctx.addIssue({ code: 'custom', path: [last, 'when'], message: 'the last coverage rule must match every account (when: {}), so every account has an arbitrator' });
        }
      }, always),
    criteria: z
      .array(criterionSchema)
      .min(1, 'name at least one criterion')
      .superRefine((criteria, ctx) => {
        const problems = new ProblemIndex(ctx.issues);
        if (!problems.present()) return;
        const seen = new Set<string>();
        criteria.forEach((c, i) => {
          if (!problems.fine(i, 'rule')) return;
          if (seen.has(c.rule)) ctx.addIssue({ code: 'custom', path: [i, 'rule'], message: `rule "${c.rule}" is listed twice` });
          seen.add(c.rule);
        });
      }, always),
    sla: z.strictObject({
      arbitration: slaDuration,
      reminders: z
        .array(fraction)
        .superRefine((reminders, ctx) => {
          const problems = new ProblemIndex(ctx.issues);
          if (!problems.present()) return;
          reminders.forEach((r, i) => {
            if (i > 0 && problems.fine(i) && problems.fine(i - 1) && r <= reminders[i - 1]!) ctx.addIssue({ code: 'custom', path: [i], message: 'reminders must be in increasing order' });
          });
        }, always)
        .default([]),
      escalation_channel: z.strictObject({ slack: z.string().optional(), teams: z.string().optional() }).default({}),
    }),
    // Each field has its default, as the whole section has: a file may change one threshold alone.
    consequences: z
      .strictObject({
        window_days: whole('days', 1).default(CONSEQUENCES_DEFAULT.window_days),
        violations_to_flag: whole('violations', 1).default(CONSEQUENCES_DEFAULT.violations_to_flag),
        flagged: z.enum(['require-approval', 'notify-only']).default(CONSEQUENCES_DEFAULT.flagged),
      })
      .default(CONSEQUENCES_DEFAULT),
  })
  .superRefine((p, ctx) => {
    const problems = new ProblemIndex(ctx.issues);
    // People named by coverage rules. Not while a person key is itself wrong: each reference to
    // it would be a second problem.
    const keysKnown = problems.present('people') && !ctx.issues.some((i) => i.code === 'invalid_key' && i.path?.[0] === 'people');
    if (keysKnown && problems.present('coverage')) {
      const known = (key: string) => Object.hasOwn(p.people, key);
      p.coverage.forEach((c, i) => {
        if (problems.fine('coverage', i, 'arbitrator') && !known(c.arbitrator)) ctx.addIssue({ code: 'custom', path: ['coverage', i, 'arbitrator'], message: `unknown person "${c.arbitrator}"` });
        if (!problems.present('coverage', i, 'escalation')) return;
        c.escalation.forEach((e, j) => {
          if (problems.fine('coverage', i, 'escalation', j) && !known(e)) ctx.addIssue({ code: 'custom', path: ['coverage', i, 'escalation', j], message: `unknown person "${e}"` });
        });
      });
    }
    // The SLA calendar is built from these fields for every dispute: whatever it would refuse
    // must stop the policy here, not every dispute later.
    if (problems.fine('timezone') && problems.fine('business_hours')) {
      try {
        new BusinessCalendar({ timezone: p.timezone, ...p.business_hours });
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['business_hours'], message: (e as Error).message });
      }
    }
  }, always);

export type Policy = z.output<typeof policySchema>;
export type CoverageRule = Policy['coverage'][number];
export type Criterion = Policy['criteria'][number];
export type PersonSpec = z.output<typeof personSchema>;

/** A problem of a policy's content: its path and what is wrong. */
export interface PolicyProblem {
  path: (string | number)[];
  message: string;
}

const HOUR_MS = 3_600_000;
const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
/** Milliseconds of one working day of these business hours. */
const dayLength = (hours: { start: string; end: string }) => (minutesOf(hours.end) - minutesOf(hours.start)) * 60_000;

/**
 * `sla.arbitration` with a "d": parseDuration counts it as 24 hours, and the SLA is business
 * time, so "2d" was 48 business hours (6 working days of 09:00-17:00), not 2 working days.
 * What to write instead, in business hours, when the working day is known.
 */
function dayUnitProblem(text: string, hours: { start: string; end: string } | undefined): string {
  const total = parseDuration(text);
  const days = Number(/(\d+)\s*d/i.exec(text)?.[1] ?? 0);
  const rest = total - days * 24 * HOUR_MS;
  const head = `"${text}" is ${formatDuration(total)} of business time: a d counts 24 business hours, not a working day`;
  if (!hours) return `${head}; write business hours instead (e.g. 16h)`;
  const perDay = dayLength(hours);
  const meant = [days > 0 ? `${days} working day${days === 1 ? '' : 's'}` : '', rest > 0 ? formatDuration(rest) : ''].filter(Boolean).join(' and ');
  return `${head} (${hours.start}-${hours.end}); write business hours, e.g. ${formatDuration(days * perDay + rest)} for ${meant}`;
}

/** Who a person is, for a problem naming two: `dana (Dana Reyes)`. */
const personLabel = (key: string, person: { name?: unknown }) => (typeof person.name === 'string' && person.name.trim() ? `${key} (${person.name.trim()})` : key);

/** A weekday's name as a message says it. */
const DAY_NAMES: Record<(typeof WEEKDAYS)[number], string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** Characters of a product line or stage at most (see policyLint). */
const NAME_MAX = 150;

/**
 * Days at most in a count of days (about 27,000 years): a date counted that far off is past what
 * a date can hold (some 270,000 years either side of 1970), and a claim's protection end or a
 * flag's window could not be worked out.
 */
const DAYS_MAX = 10_000_000;

/**
 * Weeks of the calendar's business hours an SLA may last at most (ten years): its deadline is
 * counted a calendar day at a time, so a deadline years away would hold the bot up at every case it
 * opens (a million hours of 09:00-17:00 take seconds to count), and no case waits that long.
 */
const SLA_WEEKS_MAX = 520;

type When = CoverageRule['when'];
/** The values a `when` field accepts, in lower case (matched in any letter case); undefined: any. */
const accepted = (v: When['tier']): Set<string> | undefined => (v === undefined ? undefined : new Set((Array.isArray(v) ? v : [String(v)]).map((x) => x.toLowerCase())));
/** What a `when` matches, for {@link coversAll}: worked out once per rule, as each rule is compared with every earlier one. */
const matching = (when: When) => ({ tier: accepted(when.tier), segment: accepted(when.segment), region: accepted(when.region), customer: when.customer });
type Matching = ReturnType<typeof matching>;
/** Whether every account `later` matches is matched by `earlier` too. */
function coversAll(earlier: Matching, later: Matching): boolean {
  for (const key of ['tier', 'segment', 'region'] as const) {
    const e = earlier[key];
    if (e === undefined) continue;
    const l = later[key];
    if (l === undefined) return false;
    for (const x of l) if (!e.has(x)) return false;
  }
  return earlier.customer === undefined || earlier.customer === later.customer;
}

/** The user ids and address that must each point at one person: a chat user is looked up by them. */
const PERSON_IDS = [
  ['slack', 'Slack user id', ': a Slack user would be taken for whichever of the two comes first'],
  ['teams', 'Teams user id', ': a Teams user would be taken for whichever of the two comes first'],
  ['email', 'email', ''],
] as const;

/**
 * What a policy file may not say although earlier releases stored it, so only a file being
 * loaded or checked is refused for it (a version already stored keeps loading): names that
 * must tell rules, product lines and stages apart but repeat (in any letter case, as they are
 * matched), a product line or stage too long for Slack's forms, a chain naming one person
 * twice, a `when` value that is a boolean or empty, a coverage rule an earlier one covers whole
 * (it never matches), two people with one Slack or Teams user id or email, an empty escalation
 * channel, a count of days too large for any date, and an SLA with a "d" in it.
 *
 * With `issues` (the problems the parse found), it reads only the values without one, so it
 * runs on a policy that has some too (see policyFileSchema).
 */
/** What a name holds besides words and single plain spaces, said plainly; null when nothing. */
function oddSpacing(v: string): string | null {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) return v.includes('\t') ? 'a tab' : 'a control character';
  if (/[\u00a0\u2007\u202f]/.test(v)) return 'a no-break space';
  if (/[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]/.test(v)) return 'an invisible character';
  if (/\s{2}/.test(v)) return 'two spaces in a row';
  if (/[^\S ]/.test(v)) return 'a space other than a plain one';
  return null;
}

export function policyLint(p: Policy, issues: Issues = []): PolicyProblem[] {
  const problems = new ProblemIndex(issues);
  const out: PolicyProblem[] = [];
  /** Each value that repeats an earlier one in any letter case, with the index of the first; values with a problem of their own are left out. */
  const repeated = (values: readonly string[], ok: (at: number) => boolean): { at: number; first: number }[] => {
    const first = new Map<string, number>();
    return values.flatMap((v, at) => {
      if (!ok(at)) return [];
      const j = first.get(v.toLowerCase());
      if (j === undefined) first.set(v.toLowerCase(), at);
      return j === undefined ? [] : [{ at, first: j }];
    });
  };
  const lists = [
    ['product_lines', 'product lines are matched in any letter case, so each must be named once'],
    ['stages', 'stages are matched in any letter case, and each must have one place in the order'],
  ] as const;
  for (const [field, why] of lists) {
    if (!problems.present(field)) continue;
    const values = p[field];
    // Each is a choice in the claim and dispute forms: Slack takes a choice's value of 150 characters at most.
    values.forEach((v, at) => {
      if (problems.fine(field, at) && v.length > NAME_MAX) out.push({ path: [field, at], message: `${v.length} characters, more than ${NAME_MAX}: each is a choice in the claim and dispute forms, which Slack cannot offer past ${NAME_MAX}` });
      const odd = problems.fine(field, at) ? oddSpacing(v) : null;
      if (odd) out.push({ path: [field, at], message: `"${v}" holds ${odd}: write its words with single plain spaces (it is chosen in forms, typed in CSV files and compared as written, so a look-alike would be another ${field === 'stages' ? 'stage' : 'product line'})` });
    });
    for (const { at, first } of repeated(values, (i) => problems.fine(field, i))) out.push({ path: [field, at], message: `"${values[at]}" repeats ${field}[${first}] ("${values[first]}"): ${why}` });
  }
  if (problems.present('coverage')) {
    for (const { at, first } of repeated(p.coverage.map((c) => c?.name), (i) => problems.fine('coverage', i, 'name'))) {
      out.push({ path: ['coverage', at, 'name'], message: `"${p.coverage[at]!.name}" is also the name of coverage[${first}]: each coverage rule needs its own name (a case keeps the name of its rule, and who may rule it and whom it escalates to are looked up by that name)` });
    }
    // A rule with an unknown field in its `when` (`teir:`), or one beside an empty `when` (`wehn:`),
    // may have the field meant misspelt: it reads as matching more accounts than it was written
    // to, so it is not said to leave later rules unmatched (the misspelling is the one mistake).
    const misspelt = new Set<unknown>();
    for (const i of issues) {
      if (i.code !== 'unrecognized_keys') continue;
      const [field, at, inside] = i.path ?? [];
      if (field !== 'coverage' || typeof at !== 'number') continue;
      if (i.path!.length === 3 ? inside === 'when' : i.path!.length === 2 && problems.fine('coverage', at, 'when') && Object.keys(p.coverage[at]!.when).length === 0) misspelt.add(at);
    }
    // Worked out once per rule: each rule is compared with every earlier one.
    const matches = p.coverage.map((c, j) => (problems.fine('coverage', j, 'when') ? matching(c.when) : undefined));
    p.coverage.forEach((c, i) => {
      for (const key of ['tier', 'segment', 'region'] as const) {
        if (!problems.fine('coverage', i, 'when', key)) continue;
        const v = c.when[key];
        if (typeof v === 'boolean') out.push({ path: ['coverage', i, 'when', key], message: matchProblem(v) });
        // An account's empty tier, segment or region is no value at all: "" matches no account.
        else if (v !== undefined && (Array.isArray(v) ? v : [v]).some((x) => x.trim() === '')) out.push({ path: ['coverage', i, 'when', key], message: `an empty value matches no account (an account with no ${key} has none to match): name a value, or leave the field out` });
      }
      // The first rule that matches an account wins: a rule an earlier one covers whole never does.
      const later = matches[i];
      let shadow = -1;
      for (let j = 0; later && shadow < 0 && j < i; j++) if (matches[j] && !misspelt.has(j) && coversAll(matches[j]!, later)) shadow = j;
      if (shadow >= 0) {
        const earlier = p.coverage[shadow]!;
        const every = Object.keys(earlier.when).length === 0;
        out.push({ path: ['coverage', i, 'when'], message: `never matches an account: coverage[${shadow}] ("${earlier.name}") comes first and matches ${every ? 'every account' : 'every account this rule matches'}, and the first rule that matches wins${every ? ' (only the last rule may match every account)' : ''}` });
      }
      if (!problems.fine('coverage', i, 'arbitrator') || !problems.present('coverage', i, 'escalation')) return;
      // Where each person first comes in the chain (the arbitrator at 0).
      const firstAt = new Map<unknown, number>();
      [c.arbitrator, ...c.escalation].forEach((person, k) => firstAt.has(person) || firstAt.set(person, k));
      c.escalation.forEach((person, j) => {
        if (!problems.fine('coverage', i, 'escalation', j)) return;
        const k = firstAt.get(person)!;
        if (k <= j) out.push({ path: ['coverage', i, 'escalation', j], message: `"${person}" is already ${k === 0 ? 'the arbitrator' : `escalation[${k - 1}]`} of this rule: a breach would hand the case back to the same person` });
      });
    });
  }
  if (problems.present('people')) {
    for (const [field, what, why] of PERSON_IDS) {
      // Slack and Teams compare user ids exactly; addresses are compared in any letter case.
      const norm = (v: string) => (field === 'email' ? v.trim().toLowerCase() : v.trim());
      const first = new Map<string, string>();
      for (const [key, person] of Object.entries(p.people)) {
        const v = person?.[field];
        if (!problems.fine('people', key, field) || typeof v !== 'string' || !norm(v)) continue;
        const other = first.get(norm(v));
        if (other === undefined) first.set(norm(v), key);
        else out.push({ path: ['people', key, field], message: `"${v}" is also the ${what} of ${personLabel(other, p.people[other]!)}${why}; give each person their own` });
      }
    }
  }
  // A case past its whole chain, and a partner's flag, are posted to the channel named for its platform.
  const channels = [
    ['slack', 'the Slack channel id, like C0ESCAL'],
    ['teams', 'the Teams channel\'s conversation id, like "19:…@thread.tacv2"'],
  ] as const;
  for (const [platform, example] of channels) {
    const channel = problems.fine('sla', 'escalation_channel', platform) ? p.sla.escalation_channel[platform] : undefined;
    if (channel !== undefined && channel.trim() === '') out.push({ path: ['sla', 'escalation_channel', platform], message: `an empty channel id names no channel to post escalated cases to: write ${example}, or leave the field out for none` });
  }
  const dayCounts = [
    ['registration', 'protection_days', () => p.registration.protection_days],
    ['registration', 'dormant_after_days', () => p.registration.dormant_after_days],
    ['consequences', 'window_days', () => p.consequences.window_days],
  ] as const;
  for (const [section, field, value] of dayCounts) {
    const days = problems.fine(section, field) ? value() : undefined;
    if (days !== undefined && days > DAYS_MAX) out.push({ path: [section, field], message: `must be at most ${DAYS_MAX} (about 27,000 years), got ${days}: a date that many days away cannot be counted` });
  }
  if (problems.fine('sla', 'arbitration') && /d/i.test(p.sla.arbitration)) {
    const hours = problems.fine('business_hours', 'start') && problems.fine('business_hours', 'end') ? p.business_hours : undefined;
    out.push({ path: ['sla', 'arbitration'], message: dayUnitProblem(p.sla.arbitration, hours) });
  } else if (problems.fine('sla', 'arbitration') && problems.fine('business_hours', 'days') && problems.fine('business_hours', 'start') && problems.fine('business_hours', 'end')) {
    const weekly = new Set(p.business_hours.days).size * dayLength(p.business_hours);
    const most = SLA_WEEKS_MAX * weekly;
    if (parseDuration(p.sla.arbitration) > most) {
      out.push({ path: ['sla', 'arbitration'], message: `"${p.sla.arbitration}" is more than ten years of these business hours (${formatDuration(weekly)} a week, so ${formatDuration(most)} in ten years): counting a deadline that far off would hold the bot up; write at most ${formatDuration(most)}` });
    }
  }
  return out;
}

/** A policy file: every policy's checks and, in the same run, those of files only (policyLint). */
export const policyFileSchema = policySchema.superRefine((p, ctx) => {
  for (const problem of policyLint(p, ctx.issues)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
}, always);

/**
 * What a valid policy file may say but probably does not mean: it loads, and `policy check`
 * says it. A dormancy that would come on or after the end of protection never comes (a claim
 * expires first: see effectiveStatus and the lifecycle's steps), which is also the one way to
 * have no dormancy, so it is no error. Direct-led coverage with no direct-reserved criterion
 * never gives its accounts to the direct team; an arbitrator or escalation person with no chat
 * id can be reached and rule only in the local console. A holiday on a day that is no working
 * day closes nothing (the calendar is closed then anyway): the day off is probably observed on a
 * working day, which must be listed instead.
 *
 * With `issues` (the problems the parse found), it reads only the values without one, as
 * policyLint does, so that a file that is not valid has its warnings listed with its problems:
 * no warning rests on a value that is itself wrong, nor on a misspelt name that may be the one
 * meant (a criterion's rule, a person's field).
 */
export function policyWarnings(p: Policy, issues: Issues = []): PolicyProblem[] {
  const problems = new ProblemIndex(issues);
  const out: PolicyProblem[] = [];
  if (problems.fine('registration', 'protection_days') && problems.fine('registration', 'dormant_after_days')) {
    const { protection_days: protection, dormant_after_days: dormant } = p.registration;
    if (dormant >= protection) {
      out.push({
        path: ['registration', 'dormant_after_days'],
        message: `${dormant} is not less than protection_days (${protection}): protection ends first, so no claim filed in chat ever goes dormant and no dormancy warning is sent (a claim imported with its last activity long before its registration still may); to release idle claims before their protection ends, make it less than ${protection}`,
      });
    }
  }
  // A partner's claim on a direct-led account collides with the direct team; only direct-reserved gives the account to it.
  // Not past a rule's model or a criterion's rule that is itself wrong: it may be the one meant.
  if (problems.present('coverage') && problems.present('criteria') && p.criteria.every((_, i) => problems.fine('criteria', i, 'rule'))) {
    let directLed = -1;
    for (let i = 0; i < p.coverage.length && directLed < 0 && problems.fine('coverage', i, 'model'); i++) if (p.coverage[i]!.model === 'direct-led') directLed = i;
    if (directLed >= 0 && !p.criteria.some((c) => c.rule === 'direct-reserved')) {
      // Named by its name when that is valid; else by its place alone (the line and path say which).
      const rule = problems.fine('coverage', directLed, 'name') ? `"${p.coverage[directLed]!.name}"` : 'This rule';
      out.push({
        path: ['coverage', directLed, 'model'],
        message: `${rule} is direct-led, but no criterion is direct-reserved: a partner's claim on its accounts opens a case against the direct team that the criteria never decide for the direct team (add "- rule: direct-reserved" to criteria)`,
      });
    }
  }
  // Cases and their reminders reach a person in chat by a Slack or Teams user id, and only such a user can rule as them.
  if (problems.present('coverage') && problems.present('people')) {
    // A person with an unknown field is left out too: it may be the user id misspelt (`slak:`).
    const misspelt = new Set(issues.filter((i) => i.code === 'unrecognized_keys' && i.path?.length === 2 && i.path[0] === 'people').map((i) => i.path![1]));
    const named = new Map<string, (string | number)[]>();
    p.coverage.forEach((c, i) => {
      if (problems.fine('coverage', i, 'arbitrator') && !named.has(c.arbitrator)) named.set(c.arbitrator, ['coverage', i, 'arbitrator']);
      if (problems.present('coverage', i, 'escalation')) c.escalation.forEach((key, j) => problems.fine('coverage', i, 'escalation', j) && !named.has(key) && named.set(key, ['coverage', i, 'escalation', j]));
    });
    for (const [key, path] of named) {
      const person = Object.hasOwn(p.people, key) && problems.fine('people', key) && !misspelt.has(key) ? p.people[key] : undefined;
      if (person && !person.slack?.trim() && !person.teams?.trim()) {
        out.push({ path, message: `${personLabel(key, person)} rules cases but has neither a Slack nor a Teams user id: in Slack and Teams their cases and reminders reach nobody, and nobody can rule as them (give "slack" or "teams" under people.${key})` });
      }
    }
  }
  // A case nobody of its chain may take (past its end at a breach, or its last arbitrator out of
  // reach) is posted to an escalation channel: with none named on any platform, partner ops
  // hear of it in no chat. (Which platforms the bot serves is the start's to say: see serve.)
  if (problems.fine('sla', 'escalation_channel')) {
    const { slack, teams } = p.sla.escalation_channel;
    if (!slack?.trim() && !teams?.trim()) {
      out.push({
        path: ['sla', 'escalation_channel'],
        message: `names no channel for Slack or Teams: a case past the end of its escalation chain is told to its last arbitrator alone, and one whose last arbitrator cannot be reached (their user deactivated or gone) to nobody in chat, only to the bot's log as an error; name a channel of your own, like escalation_channel: { slack: C0ESCAL } (partner flags are announced there too)`,
      });
    }
  }
  // EST, MST, HST (and the like) are fixed offsets: a company's clock in summer is an hour off them.
  // So are the zones under Etc/ (Etc/GMT+5), whose sign is the reverse of what it reads.
  if (problems.fine('timezone') && (!p.timezone.includes('/') || /^Etc\//i.test(p.timezone)) && !/^(Etc\/)?(UTC|GMT|GMT[+-]?0|Greenwich|Z|Zulu|UCT|Universal)$/i.test(p.timezone)) {
    const offset = /^Etc\/GMT([+-])(\d+)$/i.exec(p.timezone);
    const reversed = offset ? ` ("${p.timezone}" is ${offset[2]} hour${offset[2] === '1' ? '' : 's'} ${offset[1] === '+' ? 'behind' : 'ahead of'} UTC: the sign is the reverse of what it reads)` : '';
    out.push({ path: ['timezone'], message: `"${p.timezone}" is an abbreviation or an offset, not a region${reversed}: its clock may not follow daylight saving time, so business hours, SLAs and effective dates could be an hour off for part of the year; write the region, such as America/New_York or Europe/Berlin` });
  }
  // A holiday on a day the calendar keeps closed anyway closes nothing: the day off is probably observed on a working day.
  if (problems.fine('business_hours', 'days') && problems.present('business_hours', 'holidays')) {
    const { days, holidays } = p.business_hours;
    const weekdayOf = (d: DateTime) => WEEKDAYS[d.weekday - 1]!;
    /** The working day nearest `d` in the direction `step` (days holds at least one, so one comes within a week). */
    const nearest = (d: DateTime, step: 1 | -1) => {
      let at = d.plus({ days: step });
      while (!days.includes(weekdayOf(at))) at = at.plus({ days: step });
      return `${DAY_NAMES[weekdayOf(at)]} ${at.toISODate()}`;
    };
    holidays.forEach((date, i) => {
      if (!problems.fine('business_hours', 'holidays', i)) return;
      const d = DateTime.fromISO(date, { zone: 'utc' });
      if (days.includes(weekdayOf(d))) return;
      out.push({
        path: ['business_hours', 'holidays', i],
        message: `${date} is a ${DAY_NAMES[weekdayOf(d)]}, not a working day (days: ${days.join(', ')}), so listing it closes nothing: if the holiday is observed on a working day instead (such as ${nearest(d, -1)} or ${nearest(d, 1)}), list that date`,
      });
    });
  }
  return out;
}
