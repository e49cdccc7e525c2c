import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DomainError } from '../errors.js';
import { policySchema, type Policy } from './schema.js';

/** `coverage[2].arbitrator` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${JSON.stringify(issue.input)?.slice(0, 40) ?? typeof issue.input}`;
  return issue.message;
}

export class PolicyError extends DomainError {
  constructor(readonly problems: string[]) {
    super('invalid_policy', `invalid policy:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * Parses and validates a policy file's text. Throws PolicyError listing every problem,
 * each naming its exact path (`coverage[2].arbitrator: unknown person "dana"`).
 */
export function parsePolicy(text: string): Policy {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(doc.errors.map((e) => `YAML line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`));
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PolicyError(['(top level): the policy must be a YAML mapping of fields (version, effective, timezone, …); see examples/policy.yaml']);
  }
  const result = policySchema.safeParse(data, { reportInput: true });
  if (!result.success) {
    throw new PolicyError(result.error.issues.map((i) => `${formatPath(i.path)}: ${describeIssue(i)}`));
  }
  return result.data;
}
