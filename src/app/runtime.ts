import type { Logger } from 'pino';
import type { HandlerDeps } from '../../handlers/deps.js';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { createStore } from '../../db/repos/store.js';
import { resolvePrincipal, type ChatIdentity, type Principal } from '../core/authz.js';
import type { Clock } from '../core/clock.js';
import type { DomainContext } from '../core/context.js';
import { AccountMatcher } from '../core/matching/matcher.js';
import type { PolicyBook } from '../core/policy/versions.js';
import type { Store } from '../core/ports.js';
import type { Config } from './config.js';
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
    const matcher = new AccountMatcher(store.accounts.all());
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
      resolve: (identity) => resolvePrincipal(identity, policies.inForceAt(clock.now()).policy.people, store.partners.all()),
      reindex: () => {
        for (const a of store.accounts.all()) matcher.upsert(a);
      },
      close: () => db.close(),
    };
    return runtime;
  } catch (e) {
    db.close();
    throw e;
  }
}
