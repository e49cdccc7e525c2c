import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PolicyError, parsePolicy } from '../core/policy/load.js';
import { effectiveInstant, PolicyBook, type PolicyVersion } from '../core/policy/versions.js';
import type { Db } from '../../db/client.js';
import { insertPolicy, listPolicies } from '../../db/repos/policies.repo.js';

/** Reads a policy file, naming the file in every error. */
export function readPolicyFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError([`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  return { text, policy: parsePolicy(text, path) };
}

/**
 * Loads the configured policy file and records it as a version when it is new; returns the
 * book of every version ever loaded (for grandfathering). Changing a version's content
 * without changing its `version` is refused, since claims already refer to it.
 */
export function loadPolicies(db: Db, path: string, now: Date): PolicyBook {
  const { text, policy } = readPolicyFile(path);
  const hash = createHash('sha256').update(text).digest('hex');
  const stored = listPolicies(db);
  const same = stored.find((p) => p.version === policy.version);
  if (same && same.sourceHash !== hash) {
    const sameContent = parsePolicyQuiet(same.body);
    if (!sameContent || JSON.stringify(sameContent) !== JSON.stringify(policy)) {
      throw new PolicyError([`${path}: version: "${policy.version}" was already loaded with different rules; give the changed policy a new version (and effective date)`]);
    }
  }
  if (!same) insertPolicy(db, { version: policy.version, effective: policy.effective, sourceHash: hash, body: text, loadedAt: now });
  const versions: PolicyVersion[] = listPolicies(db).map((p) => {
    const parsed = p.version === policy.version ? policy : parsePolicy(p.body, `policy version "${p.version}" stored in the database`, { stored: true });
    return { version: parsed.version, effectiveAt: effectiveInstant(parsed), policy: parsed };
  });
  return new PolicyBook(versions);
}

function parsePolicyQuiet(text: string) {
  try {
    return parsePolicy(text, undefined, { stored: true });
  } catch {
    return null;
  }
}
