import type { Logger } from 'pino';
import { existsSync } from 'node:fs';
import type { HandlerDeps } from '../../handlers/deps.js';
import { BUSY_TIMEOUT_MS, isBusy, openDatabase, type OpenDb } from '../../db/client.js';
import { getPerson, teamsPersonByEntraId } from '../../db/repos/people.repo.js';
import { createStore } from '../../db/repos/store.js';
import { scheduleVersionEffect, versionsAwaitingEffect } from '../core/sla/sla.service.js';
import { catchUpLifecycles, lifecyclesBehind } from '../core/claims/lifecycle.service.js';
import { resolvePrincipal, userKey, type ChatIdentity, type Principal } from '../core/authz.js';
import { formerPartners } from '../core/claims/close-partner.js';
import type { Clock } from '../core/clock.js';
import type { DomainContext } from '../core/context.js';
import type { AccountMatcher } from '../core/matching/matcher.js';
import { droppedWhileHeld } from '../core/policy/transition.js';
import { effectiveMoment, firstEffectiveDate, type PolicyBook, type PolicyVersion } from '../core/policy/versions.js';
import type { Store } from '../core/ports.js';
import { servedChatPlatforms, type Config } from './config.js';
import { AccountIndex } from './matcher-index.js';
import { loadPolicyFile, newerStoredBook, readPolicyFile, type RecordedVersion } from './policies.js';

/** Everything a running bot shares: one database, the policy versions, the matcher. */
export interface Runtime {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: OpenDb;
  store: Store;
  /** The policy versions, as of the last {@link refreshPolicies}. */
  readonly policies: PolicyBook;
  /**
   * The account matcher, as of the last {@link reindex}. The index is read from its file (or
   * built) at the first use, so that commands which never look an account up (and the
   * scheduler's first tick) do not wait for it.
   */
  readonly matcher: AccountMatcher;
  ctx: DomainContext;
  deps: HandlerDeps;
  resolve(identity: ChatIdentity): Principal;
  /**
   * Brings the account index up to date with the database (after an import, here or in
   * another process), loading it first when it was not yet; writes the index file when it
   * had to index accounts. True when the accounts had changed since the index was loaded.
   */
  reindex(): boolean;
  /**
   * Records the policy file's version, held back by `recordPolicy: 'later'`, in the caller's
   * transaction; nothing otherwise. Returns the version it recorded, or null when none was new.
   */
  recordPolicy(): RecordedVersion | null;
  /**
   * Takes in the policy versions another process (an import run with a new `ROE_POLICY`, a
   * second server) recorded since: claims and cases of those versions are then judged by
   * them, and one whose effective date has come is in force. True when there were any.
   */
  refreshPolicies(): boolean;
  close(): void;
}

/**
 * Warns when the configured policy file is not the version in force and never will be: a
 * version takes over from its effective date, so a file dated before the version in force
 * (loaded earlier, with a later date) is shadowed by it.
 */
function warnShadowedPolicy(logger: Logger, path: string, book: PolicyBook, file: PolicyVersion, now: Date, shadowedBy?: PolicyVersion): void {
  const inForce = book.inForceAt(now);
  const day = (v: PolicyVersion) => v.policy.effective;
  if (shadowedBy) {
    // Of two time zones, the same date starts earlier in the one further east: the moments say why.
    const zones = file.policy.timezone !== shadowedBy.policy.timezone;
    const when = (v: PolicyVersion) => (zones ? effectiveMoment(v.policy) : day(v));
    logger.warn(
      { file: path, fileVersion: file.version, latest: shadowedBy.version },
      `${path} holds policy version "${file.version}" (effective ${when(file)}), before version "${shadowedBy.version}" (effective ${when(shadowedBy)}), loaded earlier: a version applies from its effective date${zones ? ' (from midnight in its own timezone)' : ''}, so this one would never be in force, and it is not loaded (version "${inForce.version}" is in force); give the file the effective date ${zones ? firstEffectiveDate(shadowedBy.effectiveAt, file.policy.timezone) : day(shadowedBy)} or a later one`,
    );
    return;
  }
  if (inForce.version === file.version || file.effectiveAt.getTime() > now.getTime()) return;
  // The file is a version loaded before (a new one dated so would be in force, or shadowed
  // above): its date cannot change with its version, so the file to name is the one in force.
  logger.warn(
    { file: path, fileVersion: file.version, inForce: inForce.version },
    `${path} holds policy version "${file.version}" (effective ${day(file)}), an older version than "${inForce.version}" (effective ${day(inForce)}), which is in force: set ROE_POLICY to the file of version "${inForce.version}" (to change the rules, give a copy of it a new version, effective ${day(inForce)} or later)`,
  );
}

/** The Teams user id of a `teams:…` user key, or null. */
const splitTeamsKey = (key: string | undefined): string | null => (key?.startsWith('teams:') ? key.slice('teams:'.length) : null);

/** The Entra object id a stored Teams conversation reference gives for its user, or null. */
function aadObjectIdIn(ref: unknown): string | null {
  const user = typeof ref === 'object' && ref !== null ? (ref as { user?: { aadObjectId?: unknown } }).user : undefined;
  return typeof user?.aadObjectId === 'string' && user.aadObjectId !== '' ? user.aadObjectId : null;
}

/** The real clock: only the app reads the system time. */
export const systemClock: Clock = { now: () => new Date() };

export interface RuntimeOptions {
  /**
   * Record the policy file as a version (default). Commands that judge no claim pass false: they
   * need no version, nor trip over one that clashes. An import passes 'later', and records it
   * with its rows (Runtime.recordPolicy), so that a file it refuses leaves no version behind.
   */
  recordPolicy?: boolean | 'later';
  /** Read a database an earlier release made (a backup, or the bot's own before it restarts on this release) from an up-to-date copy, and open any other not in WAL mode (a backup) for reading only: for commands that only read, which then leave the file as it was. */
  readOnly?: boolean;
  /** Bytes of account strings the who-owns index holds in memory rather than reading them from its file (default STRINGS_IN_MEMORY_BYTES; tests pass 0). */
  stringsInMemoryUpTo?: number;
  /**
   * A person at a terminal (a `roe` command, the console) is told of a write refused as busy
   * by the command itself: no log line for it. A `roe` command (`byHand`) also waits for
   * another process's write lock as long as its connection does (5 seconds), where chat waits
   * a quarter of a second (see WRITE_WAIT_MS).
   */
  terminal?: 'byHand' | 'console';
}

export function createRuntime(config: Config, logger: Logger, clock: Clock = systemClock, options: RuntimeOptions = {}): Runtime {
  // A database not made yet holds no version that could excuse the file's problems (see
  // loadPolicyFile): the file is read first, so one refused leaves no new database behind.
  if (config.databasePath !== ':memory:' && !existsSync(config.databasePath)) readPolicyFile(config.policyPath);
  const db = openDatabase(config.databasePath, { readOnly: options.readOnly ?? false });
  try {
    // A write refused because another process holds the lock: the user is told; operators see it here.
    const onBusy = (err: unknown) => logger.warn({ err }, 'a write was refused: another process holds the database write lock (an import?); the user was told to try again');
    const store = createStore(db, options.terminal === undefined ? { onBusy } : options.terminal === 'byHand' ? { writeWaitMs: BUSY_TIMEOUT_MS } : {}, () => clock.now());
    // A version after others may drop people who have cases: the running cases are looked at
    // when it takes effect. (The first version changes nothing.)
    const record = options.recordPolicy ?? true;
    // Each version recorded is a ledger entry with the hash of its file: the rules every later
    // entry names by version are held to the chain.
    let changedRules: PolicyVersion | null = null;
    const onRecord = (v: PolicyVersion, earlier: number, sourceHash: string) => {
      store.ledger.append({ at: clock.now(), kind: 'policy.recorded', subject: `policy:${v.version}`, actor: 'policy', policyVersion: v.version, payload: { effective: v.policy.effective, sourceHash } });
      if (earlier > 0) scheduleVersionEffect(store, v, clock.now());
      if (earlier > 0) changedRules = v;
    };
    const { book, file, warnings, waived, recordNow, shadowedBy, passedOver } = loadPolicyFile(db.db, config.policyPath, clock.now(), { record, onRecord });
    // So is a version yet to take effect that an earlier release recorded without that timer.
    // Looked for first without the write lock, which a start takes only when one is missing.
    const ahead = record === true ? versionsAwaitingEffect(store, book, clock.now()) : [];
    try {
      if (ahead.length > 0) store.transaction(() => versionsAwaitingEffect(store, book, clock.now()).forEach((v) => scheduleVersionEffect(store, v, clock.now())), { background: true });
    } catch (err) {
      // Another process holds the database: the next start adds them. Never a reason not to start.
      if (!isBusy(err)) throw err;
      logger.warn({ versions: ahead.map((v) => v.version) }, 'database busy: the policy versions yet to take effect get their timer at the next start');
    }
    // So is a claim whose next step an earlier release did not plan (a warning of the end of its
    // protection): looked for without the write lock, taken only when there is one.
    try {
      const ctxNow: DomainContext = { store, policies: () => book, clock };
      if (record === true && lifecyclesBehind(ctxNow, clock.now()).length > 0) {
        const planned = store.transaction(() => catchUpLifecycles(ctxNow, clock.now()), { background: true });
        logger.info({ claims: planned }, 'claims planned the lifecycle step an earlier release left out (a warning before their protection ends)');
      }
    } catch (err) {
      if (!isBusy(err)) throw err;
      logger.warn('database busy: claims whose lifecycle an earlier release planned without its warnings get them at the next start');
    }
    // The file's warnings are said by what records it (serve, the console, an import; `policy
    // check` prints them too), not by every command that only reads (stats, the ledger, the
    // outbox), which would repeat them at each run. A file that is not valid at all is said by
    // every command: the next start refuses it.
    if (passedOver) logger.warn({ policy: file.version }, passedOver);
    const warn = record !== false;
    if (warn) for (const warning of warnings) logger.warn({ policy: file.version }, warning);
    // A version this start recorded, dropping a product line or a person that running claims and
    // cases still hold: the operator hears of it once, as it is recorded (an import prints it).
    if (warn && changedRules) for (const warning of droppedWhileHeld(store, book, changedRules, clock.now())) logger.warn({ policy: file.version }, warning);
    if (warn) for (const problem of waived) logger.warn({ policy: file.version }, `policy version "${file.version}", loaded before, has a problem that a new version must fix (it is taken as it is): ${problem}`);
    let policies = book;
    if (warn) warnShadowedPolicy(logger, config.policyPath, policies, file, clock.now(), shadowedBy);
    let index: AccountIndex | null = null;
    const accountIndex = (): AccountIndex => (index ??= AccountIndex.open(config.databasePath, store.accounts, logger, { stringsInMemoryUpTo: options.stringsInMemoryUpTo }));
    // Handlers reach the matcher through this, so they always use the current one.
    const matcher: HandlerDeps['matcher'] = {
      search: (query, limit) => accountIndex().matcher.search(query, limit),
      rank: (query, limit) => accountIndex().matcher.rank(query, limit),
      suggest: (query, limit) => accountIndex().matcher.suggest(query, limit),
    };
    const ctx: DomainContext = { store, policies: () => policies, clock };
    const runtime: Runtime = {
      config,
      logger,
      clock,
      db,
      store,
      get policies() {
        return policies;
      },
      get matcher() {
        return accountIndex().matcher;
      },
      ctx,
      deps: {
        ctx,
        matcher,
        platform: config.slack ? 'slack' : config.teams.appId ? 'teams' : 'console',
        platforms: servedChatPlatforms(config),
        teamsUsers: {
          withAad: (aad) => splitTeamsKey(teamsPersonByEntraId(db.db, aad)?.userKey),
          aadOf: (id) => aadObjectIdIn(getPerson(db.db, userKey('teams', id))?.conversationRef),
        },
      },
      // A home user is never a partner's: the partners are read only for someone from outside.
      // Those taken out of the programme, only for someone of no partner in it: told theirs left
      // (a console user names its partner by id, which the partner's row keeps once it left).
      resolve: (identity) => resolvePrincipal(identity, policies.inForceAt(clock.now()).policy.people, identity.home ? [] : store.partners.inProgramme(), () => formerPartners(store)),
      recordPolicy: recordNow,
      reindex: () => {
        if (index === null) {
          accountIndex();
          return true;
        }
        return index.refresh();
      },
      refreshPolicies: () => {
        const newer = newerStoredBook(db.db, policies);
        if (newer) policies = newer;
        return newer !== null;
      },
      close: () => {
        index?.close();
        db.close();
      },
    };
    return runtime;
  } catch (e) {
    db.close();
    throw e;
  }
}
