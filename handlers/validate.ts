import type { z } from 'zod';
import { DomainError } from '../src/core/errors.js';
import { DIRECTION_CONTROLS, withoutDirectionControls } from '../src/core/utf8.js';

/**
 * Form values that do not pass their schema: each problem is on its field, and the message only
 * restates them (by field id, for the console), so a form that shows its fields' errors needs it not.
 */
export class FormValuesError extends DomainError {
  constructor(fields: Record<string, string>, summary: string) {
    super('invalid_input', `Please fix: ${summary}`, fields);
  }
}

/**
 * Parses form values with a zod schema; every problem becomes an error on its field. `more`
 * checks what the schema cannot know (a choice the policy defines): its problems are reported
 * with the schema's, so that one answer names them all.
 */
/**
 * What a domain check says of one field, for naming it with the form's other problems: the
 * field's message when `check` refuses the value, null when it takes it (or the field is empty).
 */
export function fieldProblem(field: string, value: unknown, check: (text: string) => unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    check(value);
    return null;
  } catch (e) {
    if (e instanceof DomainError && e.fields[field] !== undefined) return e.fields[field];
    throw e;
  }
}

/** A form's values with the text direction controls taken out of every text (see DIRECTION_CONTROLS). */
function formWithoutDirectionControls(values: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'string' || !DIRECTION_CONTROLS.test(v)) continue;
    out ??= { ...values };
    out[k] = withoutDirectionControls(v);
  }
  return out ?? values;
}

export function parseForm<S extends z.ZodType>(schema: S, values: Record<string, unknown>, more?: (values: Record<string, unknown>) => Record<string, string>): z.output<S> {
  values = formWithoutDirectionControls(values);
  const result = schema.safeParse(values);
  const extra = more?.(values) ?? {};
  if (result.success && Object.keys(extra).length === 0) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.success ? [] : result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  for (const [key, message] of Object.entries(extra)) fields[key] ??= message;
  const summary = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  throw new FormValuesError(fields, summary);
}

/**
 * A claim or dispute number as typed or carried by a button: digits, with an optional leading
 * "#" (and spaces around); null for anything else ("1e3", "0x10", "12.5", "-4", "0").
 */
export function parseNumberId(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^#?\d{1,15}$/.test(text)) return null;
  const n = Number(text.replace(/^#/, ''));
  return n > 0 ? n : null;
}

/** The number a button's value starts with (`12`, `12:northwind`, `12:mine:1`), or null. */
export function leadingId(value: unknown): number | null {
  return parseNumberId(typeof value === 'string' ? value.split(':')[0] : value);
}

/** The case a button (or a form's state) names by its value's leading number; a clear refusal when it names none. */
export function buttonDisputeId(value: unknown): number {
  const n = leadingId(value);
  if (n === null) throw new DomainError('invalid_input', 'That button refers to no dispute.');
  return n;
}

/** What an amount that is not a number is told. */
const NOT_AN_AMOUNT = 'A positive number, e.g. 50000';
/** What an amount whose comma is no thousands separator is told (it would be read wrong either way). */
const DECIMAL_COMMA = 'A comma may only separate thousands, in groups of three (1,000,000.50): write decimals with a point, e.g. 12.50 or 50000.00';

/**
 * An amount as typed: a decimal number, with a point for its decimals; commas only between
 * thousands (1,000,000.50), spaces and underscores anywhere, and a currency sign ($, €, £).
 * `12,50`, `1,00` or `50.000,00` is refused, not read as 1250, 100 or 50: a comma in any other
 * place is a decimal comma. Empty is no amount (null); anything else not a decimal number
 * (0x10, 5k, -5) is refused, with what to write.
 */
export function readAmount(typed: string): { amount: number | null } | { problem: string } {
  if (typed.trim() === '') return { amount: null };
  const compact = typed.replace(/[_\s$€£]/g, '');
  if (compact.includes(',') && !/^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(compact)) return { problem: DECIMAL_COMMA };
  // Decimal only: Number() alone reads 0x10 as 16.
  const digits = compact.replace(/,/g, '');
  const n = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i.test(digits) ? Number(digits) : NaN;
  if (!Number.isFinite(n) || n < 0) return { problem: NOT_AN_AMOUNT };
  return { amount: n };
}

/** A name as a person types it, for comparing with names as shown: any letter case, spaces collapsed. */
export const typedName = (s: string): string => s.trim().toLowerCase().replace(/\s+/g, ' ');
