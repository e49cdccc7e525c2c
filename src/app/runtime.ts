import type { Logger } from 'pino';
import type { HandlerDeps } from '../../handlers/deps.js';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { createStore } from '../../db/repos/store.js';
import { resolvePrincipal, type ChatIdentity, type Principal } from '../core/authz.js';
import type { Clock } from '../core/clock.js';
import type { DomainContext } from '../core/context.js';
import type { AccountMatcher } from '../core/matching/matcher.js';
import type { PolicyBook } from '../core/policy/versions.js';
import type { Store } from '../core/ports.js';
import type { Config } from './config.js';
import { AccountIndex } from './matcher-index.js';
import { loadPolicies } from './policies.js';

/** Everything a running bot shares: one database, the policy versions, the matcher. */
export interface Runtime {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: OpenDb;
  store: Store;
  policies: PolicyBook;
  matcher: AccountMatcher;
  ctx: DomainContext;
  deps: HandlerDeps;
  resolve(identity: ChatIdentity): Principal;
  /** Rebuilds the matcher after accounts changed (an import). */
  reindex(): void;
  close(): void;
}

/** The real clock: only the app reads the system time. */
export const systemClock: Clock = { now: () => new Date() };

export function createRuntime(config: Config, logger: Logger, clock: Clock = systemClock): Runtime {
  const db = openDatabase(config.databasePath);
  try {
    const policies = loadPolicies(db.db, config.policyPath, clock.now());
    const store = createStore(db, () => clock.now());
    const index = AccountIndex.open(config.databasePath, store.accounts, logger);
    const { matcher } = index;
    const ctx: DomainContext = { store, policies: () => policies, clock };
    const runtime: Runtime = {
      config,
      logger,
      clock,
      db,
      store,
      policies,
      matcher,
      ctx,
      deps: { ctx, matcher },
      // A home user is never a partner's: the partners are read only for someone from outside.
      resolve: (identity) => resolvePrincipal(identity, policies.inForceAt(clock.now()).policy.people, identity.home ? [] : store.partners.all()),
      reindex: () => {
        const fingerprint = store.accounts.fingerprint();
        for (const a of store.accounts.matchable()) matcher.upsert(a);
        index.save(fingerprint);
      },
      close: () => {
        index.close();
        db.close();
      },
    };
    return runtime;
  } catch (e) {
    db.close();
    throw e;
  }
}
