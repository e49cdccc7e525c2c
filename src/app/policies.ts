import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../core/ledger/chain.js';
import { PolicyError, parsePolicy, parsePolicyWithWarnings } from '../core/policy/load.js';
import { decodeUtf8 } from '../core/utf8.js';
import { whyUnreadable } from './config.js';
import type { Policy } from '../core/policy/schema.js';
import { effectiveInstant, effectiveMoment, firstEffectiveDate, PolicyBook, type PolicyVersion } from '../core/policy/versions.js';
import { droppedWhileHeld } from '../core/policy/transition.js';
import { openDatabase, type Db } from '../../db/client.js';
import { insertPolicy, listPolicies } from '../../db/repos/policies.repo.js';
import { createStore } from '../../db/repos/store.js';

/** Reads a policy file, naming the file in every error; `warnings` are what a valid file probably does not mean. */
export function readPolicyFile(path: string): { text: string; policy: Policy; warnings: string[] } {
  const text = readPolicyText(path);
  return { text, ...parsePolicyWithWarnings(text, path) };
}

/** A policy file's text, strictly UTF-8: names in another encoding would be stored garbled. */
function readPolicyText(path: string): string {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new PolicyError([`${path}: cannot read the file (${whyUnreadable(e)})`]);
  }
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded.text;
  if (decoded.utf16) throw new PolicyError([`${path}: the file is UTF-16, not UTF-8; save it as UTF-8`]);
  throw new PolicyError([`${path}: line ${decoded.line}: the file is not valid UTF-8 (is it Latin-1 or Windows-1252?); save it as UTF-8`]);
}

/**
 * Loads the configured policy file and records it as a version when it is new; returns the
 * book of every version ever loaded (for grandfathering). Changing a version's content
 * without changing its `version` is refused, since claims already refer to it.
 */
export function loadPolicies(db: Db, path: string, now: Date, options: { record?: boolean } = {}): PolicyBook {
  return loadPolicyFile(db, path, now, options).book;
}

/**
 * The versions another process (an import, a second server) recorded since `book` was made:
 * a book of every stored version when there is one, else null. The running bot's file is not
 * read again: what counts is what the database holds.
 */
export function newerStoredBook(db: Db, book: PolicyBook): PolicyBook | null {
  const stored = listPolicies(db);
  const known = new Set(book.all.map((v) => v.version));
  if (stored.every((p) => known.has(p.version))) return null;
  return new PolicyBook([
    ...book.all,
    ...stored.filter((p) => !known.has(p.version)).map((p) => {
      const parsed = parsePolicy(p.body, `policy version "${p.version}" stored in the database`, { stored: true });
      return { version: parsed.version, effectiveAt: effectiveInstant(parsed), loadedAt: p.loadedAt, policy: parsed };
    }),
  ]);
}

/**
 * `policy check` against the database at `dbPath`: throws the PolicyError an import would
 * refuse the file with (its version loaded before with other rules; an effective date before
 * the newest version's), and returns what recording it would leave behind (droppedWhileHeld).
 * Nothing is written: the version is not recorded.
 */
export function checkAgainstDatabase(dbPath: string, path: string, now: Date): string[] {
  const db = openDatabase(dbPath, { readOnly: true });
  try {
    const { book, file } = loadPolicyFile(db.db, path, now, { record: 'later' });
    if (listPolicies(db.db).some((p) => p.version === file.version)) return [];
    return droppedWhileHeld(createStore(db, {}, () => now), book, file, now);
  } finally {
    db.close();
  }
}

/** A version the policy file was recorded as, and how many versions the database held before it (0: the first). */
export interface RecordedVersion {
  version: PolicyVersion;
  earlier: number;
}

/**
 * {@link loadPolicies}, with the version the file holds. With `record: false` (commands that
 * only read) nothing is written: the file's version counts only if the database does not
 * hold it yet, and a stored version of the same name wins over the file's; a file that is not
 * valid is then passed over for the versions stored when there are any (`passedOver` says why:
 * such a command needs no new version, and must not be stopped by one: an erasure, a backup). With
 * `record: 'later'` (an import, which must record the version with its rows or not at all)
 * the file is checked as for recording, and `recordNow` records it, in the caller's
 * transaction.
 */
export function loadPolicyFile(
  db: Db,
  path: string,
  now: Date,
  options: { record?: boolean | 'later'; onRecord?: (version: PolicyVersion, earlier: number, sourceHash: string) => void } = {},
): { book: PolicyBook; file: PolicyVersion; warnings: string[]; waived: string[]; recordNow: () => RecordedVersion | null; shadowedBy?: PolicyVersion; passedOver?: string } {
  const record = options.record ?? true;
  const stored = listPolicies(db);
  let read: ReturnType<typeof readKnownPolicyFile>;
  try {
    read = readKnownPolicyFile(path, stored.map((p) => p.version));
  } catch (e) {
    if (!(e instanceof PolicyError) || record !== false || stored.length === 0) throw e;
    const book = new PolicyBook(stored.map((p) => storedVersion(p)));
    const problems = e.problems.length > 3 ? [...e.problems.slice(0, 3), `and ${e.problems.length - 3} more`] : e.problems;
    return { book, file: book.inForceAt(now), warnings: [], waived: [], recordNow: () => null, passedOver: `ROE_POLICY is not valid, so the versions stored in the database are used: ${problems.join('; ')}` };
  }
  const { text, policy, warnings, waived } = read;
  const file: PolicyVersion = { version: policy.version, effectiveAt: effectiveInstant(policy), policy };
  const hash = createHash('sha256').update(text).digest('hex');
  /** Refuses the file when its version was recorded with other rules. */
  const refuseClash = (same: (typeof stored)[number]) => {
    if (same.sourceHash === hash) return;
    const sameContent = parsePolicyQuiet(same.body);
    // The same rules written in another order (people, a mapping's keys) are the same rules; the
    // order of a list (criteria, coverage) is part of them.
    if (sameContent && canonicalJson(sameContent) === canonicalJson(policy)) return;
    const line = text.split('\n').findIndex((l) => /^version\s*:/.test(l)) + 1;
    throw new PolicyError([
      `${path}: ${line > 0 ? `line ${line}: ` : ''}version: "${policy.version}" was already loaded on ${same.loadedAt.toISOString().slice(0, 10)} with different rules, and claims may refer to it; give the changed policy a new version (and the effective date from which it applies)`,
    ]);
  };
  const same = stored.find((p) => p.version === policy.version);
  if (same && record) refuseClash(same);
  // A new version dated before one loaded earlier would never be in force (a version
  // applies from its date until the next one's): it is not loaded. The start and the commands
  // that only read go on with the versions stored, and say so; an import, asked to judge its
  // claims by it, refuses it.
  const storedVersions = same ? [] : stored.map((p) => storedVersion(p));
  const latest = storedVersions.reduce<PolicyVersion | undefined>((m, v) => (m && m.effectiveAt.getTime() >= v.effectiveAt.getTime() ? m : v), undefined);
  // Versions compare by the moment each takes effect, midnight in its own zone: in a zone further
  // east the same date, or even a later one, starts before. The message then gives both moments.
  if (latest && file.effectiveAt.getTime() < latest.effectiveAt.getTime()) {
    if (record === 'later') {
      const line = text.split('\n').findIndex((l) => /^effective\s*:/.test(l)) + 1;
      const zones = policy.timezone !== latest.policy.timezone;
      const when = (p: Policy) => (zones ? effectiveMoment(p) : p.effective);
      throw new PolicyError([
        `${path}: ${line > 0 ? `line ${line}: ` : ''}effective: version "${policy.version}" is effective ${when(policy)}, before version "${latest.version}" (effective ${when(latest.policy)}), loaded earlier: a version applies from its effective date${zones ? ' (from midnight in its own timezone)' : ''}, so this one would never be in force; give it the effective date ${zones ? `${firstEffectiveDate(latest.effectiveAt, policy.timezone)} or later` : 'of that one or later'}`,
      ]);
    }
    return { book: new PolicyBook(storedVersions), file, warnings, waived, recordNow: () => null, shadowedBy: latest };
  }
  // A new version is recorded together with what must follow from it (onRecord, told how many
  // versions were recorded before it), or not at all; under the write lock, looking again:
  // another process starting with the same file may have recorded it meanwhile.
  const recordFile = (): RecordedVersion | null => {
    const before = listPolicies(db);
    const recorded = before.find((p) => p.version === policy.version);
    if (recorded) {
      refuseClash(recorded);
      return null;
    }
    insertPolicy(db, { version: policy.version, effective: policy.effective, sourceHash: hash, body: text, loadedAt: now });
    options.onRecord?.(file, before.length, hash);
    return { version: file, earlier: before.length };
  };
  if (!same && record === true) db.transaction(recordFile, { behavior: 'immediate' });
  const versions: PolicyVersion[] = listPolicies(db).map((p) => (p.version === policy.version && record ? storedVersion(p, policy) : storedVersion(p)));
  if (!same && record !== true) versions.push(file);
  let pending = !same && record === 'later';
  const recordNow = (): RecordedVersion | null => {
    if (!pending) return null;
    const recorded = db.transaction(recordFile);
    pending = false;
    return recorded;
  };
  return { book: new PolicyBook(versions), file, warnings, waived, recordNow };
}

/** A version as the database stores it (`parsed`: its rules, when read already). */
function storedVersion(p: ReturnType<typeof listPolicies>[number], parsed: Policy = parsePolicy(p.body, `policy version "${p.version}" stored in the database`, { stored: true })): PolicyVersion {
  return { version: parsed.version, effectiveAt: effectiveInstant(parsed), loadedAt: p.loadedAt, policy: parsed };
}

/**
 * {@link readPolicyFile}, but a version the database holds already is taken with the problems
 * that only a newer release refuses (a name used twice, a person twice in a chain: `waived`):
 * the bot it runs keeps starting, and fixing them takes a new version anyway.
 */
function readKnownPolicyFile(path: string, known: readonly string[]): { text: string; policy: Policy; warnings: string[]; waived: string[] } {
  try {
    return { ...readPolicyFile(path), waived: [] };
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    const text = readPolicyText(path);
    let policy: Policy;
    try {
      // Only the checks this release added are waived: the file must pass every other one.
      policy = parsePolicy(text, path, { lint: false });
    } catch {
      throw e;
    }
    if (!known.includes(policy.version)) throw e;
    // Its warnings as `policy check` lists them with its problems (of the values without one).
    return { text, policy, warnings: e.warnings, waived: e.problems };
  }
}

/** The rules of a policy text, or null when it does not read as a policy. */
export function parsePolicyQuiet(text: string) {
  try {
    return parsePolicy(text, undefined, { stored: true });
  } catch {
    return null;
  }
}
