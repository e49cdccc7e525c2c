import type { Server } from 'node:http';
import { sql } from 'drizzle-orm';
import type { OutboxMessage } from '../core/ports.js';
import { startOutboxWorker, type Deliverer } from './outbox-worker.js';
import { startScheduler } from './scheduler.js';
import type { Runtime } from './runtime.js';
import { createHttpServer, healthRoute, type RouteHandler } from './server.js';

/**
 * `roe import accounts` runs in another process: the server notices the accounts changed
 * (count or latest update) and rebuilds its search index, so /who-owns finds them.
 */
function watchAccounts(rt: Runtime, intervalMs = 10_000): NodeJS.Timeout {
  let seen = rt.store.accounts.fingerprint();
  const timer = setInterval(() => {
    try {
      const now = rt.store.accounts.fingerprint();
      if (now === seen) return;
      seen = now;
      rt.reindex();
      rt.logger.info({ accounts: rt.matcher.size }, 'accounts changed: search index rebuilt');
    } catch (err) {
      rt.logger.error({ err }, 'could not refresh the account index');
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

/** A chat platform plugged into the one server. */
export interface PlatformHost {
  name: OutboxMessage['platform'];
  routes: Record<string, RouteHandler>;
  deliver: Deliverer;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface Serving {
  server: Server;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server with every configured platform and the outbox worker.
 * `platforms` are built by the caller from the config (Slack, Teams).
 */
export async function serve(rt: Runtime, platforms: PlatformHost[], port = rt.config.port, options: { accountsRefreshMs?: number; /** A scheduler the caller started already (else serve starts one). */ scheduler?: { stop(): void } } = {}): Promise<Serving> {
  const routes: Record<string, RouteHandler> = { 'GET /healthz': healthRoute(() => rt.db.db.get(sql`select 1`)) };
  for (const p of platforms) Object.assign(routes, p.routes);
  const server = createHttpServer(routes, rt.logger);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, ok);
  });
  // Timers only touch the database: they need not wait for the platforms' start (Slack's
  // auth.test is a round trip to Slack), so a restart reaches its first tick sooner.
  const scheduler = options.scheduler ?? startScheduler(rt.db, rt.deps, () => rt.clock.now(), rt.logger);
  try {
    for (const p of platforms) await p.start?.();
  } catch (e) {
    scheduler.stop();
    throw e;
  }
  const deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>> = {};
  for (const p of platforms) deliverers[p.name] = p.deliver;
  const worker = startOutboxWorker(rt.db.db, deliverers, () => rt.clock.now(), rt.logger);
  const accounts = watchAccounts(rt, options.accountsRefreshMs);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  rt.logger.info({ port: actual, platforms: platforms.map((p) => p.name) }, 'roe-bot listening');
  return {
    server,
    port: actual,
    stop: async () => {
      worker.stop();
      scheduler.stop();
      clearInterval(accounts);
      for (const p of platforms) await p.stop?.();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
