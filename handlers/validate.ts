import type { z } from 'zod';
import { DomainError } from '../src/core/errors.js';

/** Parses form values with a zod schema; every problem becomes an error on its field. */
export function parseForm<S extends z.ZodType>(schema: S, values: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  const summary = Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  throw new DomainError('invalid_input', `Please fix: ${summary}`, fields);
}
