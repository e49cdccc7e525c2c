import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { BusinessCalendar, WEEKDAYS } from '../sla/calendar.js';
import { parseDuration } from '../sla/duration.js';
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
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date like 2026-01-01', abort: true })
      .refine((v) => DateTime.fromISO(v, { zone: 'utc' }).isValid, { error: (iss) => `${JSON.stringify(iss.input)} is not a date in the calendar (check the month and the day)` }),
  );
const clockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected a time like "09:00" ("24:00" for midnight)');
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
  email: z.string().email().optional(),
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

export const policySchema = z
  .strictObject({
    version: versionName,
    effective: isoDate,
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), { message: 'unknown time zone (use an IANA name like America/New_York)' }),
    business_hours: z.strictObject({
      days: z.array(z.enum(WEEKDAYS)).min(1, 'name at least one working day'),
      start: clockTime,
      end: clockTime,
      holidays: z.array(isoDate).default([]),
    }),
    product_lines: z.array(id).min(1, 'name at least one product line'),
    /** Opportunity stages, earliest first (used by furthest-stage). */
    stages: z.array(id).min(1).default(['prospecting', 'qualified', 'proposal', 'negotiation', 'commit']),
    people: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'person keys are lower-case letters, digits, - and _'), personSchema),
    registration: z.strictObject({
      protection_days: z.number().int().positive(),
      dormant_after_days: z.number().int().positive(),
      dormancy_warning_days: z.number().int().nonnegative(),
    }),
    coverage: z.array(coverageSchema).min(1, 'name at least one coverage rule'),
    criteria: z.array(criterionSchema).min(1, 'name at least one criterion'),
    sla: z.strictObject({
      arbitration: z.string(),
      reminders: z.array(z.number().gt(0).lt(1)).default([]),
      escalation_channel: z.strictObject({ slack: z.string().optional(), teams: z.string().optional() }).default({}),
    }),
    consequences: z
      .strictObject({
        window_days: z.number().int().positive(),
        violations_to_flag: z.number().int().positive(),
        flagged: z.enum(['require-approval', 'notify-only']),
      })
      .default({ window_days: 180, violations_to_flag: 3, flagged: 'require-approval' }),
  })
  .superRefine((p, ctx) => {
    const known = (key: string) => Object.hasOwn(p.people, key);
    p.coverage.forEach((c, i) => {
      if (!known(c.arbitrator)) ctx.addIssue({ code: 'custom', path: ['coverage', i, 'arbitrator'], message: `unknown person "${c.arbitrator}"` });
      c.escalation.forEach((e, j) => {
        if (!known(e)) ctx.addIssue({ code: 'custom', path: ['coverage', i, 'escalation', j], message: `unknown person "${e}"` });
      });
    });
    const last = p.coverage.at(-1);
    if (last && Object.keys(last.when).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['coverage', p.coverage.length - 1, 'when'], message: 'the last coverage rule must match every account (when: {}), so every account has an arbitrator' });
    }
    const seen = new Set<string>();
    p.criteria.forEach((c, i) => {
      if (seen.has(c.rule)) ctx.addIssue({ code: 'custom', path: ['criteria', i, 'rule'], message: `rule "${c.rule}" is listed twice` });
      seen.add(c.rule);
    });
    const { start, end } = p.business_hours;
    // Compared as text, which only holds for two valid times (a bad one is reported on its own).
    const times = clockTime.safeParse(start).success && clockTime.safeParse(end).success;
    if (times && start >= end) ctx.addIssue({ code: 'custom', path: ['business_hours', 'end'], message: `must be after start (${start})` });
    // The SLA calendar is built from these fields for every dispute: whatever it would refuse
    // must stop the policy here, not every dispute later. Skipped when those fields already
    // have a problem, so one mistake is reported once.
    const calendarFieldsOk = !ctx.issues.some((i) => i.path?.[0] === 'timezone' || i.path?.[0] === 'business_hours');
    if (calendarFieldsOk) {
      try {
        new BusinessCalendar({ timezone: p.timezone, ...p.business_hours });
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['business_hours'], message: (e as Error).message });
      }
    }
    try {
      if (parseDuration(p.sla.arbitration) <= 0) throw new Error('must be longer than zero');
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['sla', 'arbitration'], message: (e as Error).message });
    }
    p.sla.reminders.forEach((r, i) => {
      const prev = p.sla.reminders[i - 1];
      if (prev !== undefined && r <= prev) ctx.addIssue({ code: 'custom', path: ['sla', 'reminders', i], message: 'reminders must be in increasing order' });
    });
    if (p.registration.dormancy_warning_days >= p.registration.dormant_after_days) {
      ctx.addIssue({ code: 'custom', path: ['registration', 'dormancy_warning_days'], message: 'must be less than dormant_after_days' });
    }
  });

export type Policy = z.output<typeof policySchema>;
export type CoverageRule = Policy['coverage'][number];
export type Criterion = Policy['criteria'][number];
export type PersonSpec = z.output<typeof personSchema>;

/** A problem of a valid policy's content: its path and what is wrong. */
export interface PolicyProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What a policy file may not say although earlier releases stored it, so only a file being
 * loaded or checked is refused for it (a version already stored keeps loading): names that
 * must tell rules, product lines and stages apart but repeat (in any letter case, as they are
 * matched), a chain naming one person twice, and a `when` value that is a boolean.
 */
export function policyLint(p: Policy): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  /** Each value that repeats an earlier one in any letter case, with the index of the first. */
  const repeated = (values: readonly string[]): { at: number; first: number }[] => {
    const first = new Map<string, number>();
    return values.flatMap((v, at) => {
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
    const values = p[field];
    for (const { at, first } of repeated(values)) out.push({ path: [field, at], message: `"${values[at]}" repeats ${field}[${first}] ("${values[first]}"): ${why}` });
  }
  for (const { at, first } of repeated(p.coverage.map((c) => c.name))) {
    out.push({ path: ['coverage', at, 'name'], message: `"${p.coverage[at]!.name}" is also the name of coverage[${first}]: each coverage rule needs its own name (a case keeps the name of its rule, and who may rule it and whom it escalates to are looked up by that name)` });
  }
  p.coverage.forEach((c, i) => {
    for (const key of ['tier', 'segment', 'region'] as const) {
      const v = c.when[key];
      if (typeof v === 'boolean') out.push({ path: ['coverage', i, 'when', key], message: matchProblem(v) });
    }
    const chain = [c.arbitrator, ...c.escalation];
    c.escalation.forEach((person, j) => {
      const k = chain.indexOf(person);
      if (k <= j) out.push({ path: ['coverage', i, 'escalation', j], message: `"${person}" is already ${k === 0 ? 'the arbitrator' : `escalation[${k - 1}]`} of this rule: a breach would hand the case back to the same person` });
    });
  });
  return out;
}
