import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { dataVersion, isBusy } from '../../db/client.js';
import { HISTORY_DAYS, pruneHistory } from '../../db/repos/housekeeping.repo.js';
import { outboxAtStart } from '../../db/repos/outbox.repo.js';
import { failedTimerCount } from '../../db/repos/timers.repo.js';
import type { OutboxMessage } from '../core/ports.js';
import { startOutboxWorker, type Deliverer } from './outbox-worker.js';
import { startScheduler } from './scheduler.js';
import type { Config } from './config.js';
import type { Runtime } from './runtime.js';
import { createHttpServer, healthRoute, type HttpTimeouts, type RouteHandler } from './server.js';

/**
 * `roe import accounts` runs in another process: the server notices the accounts changed
 * (count or update times) and brings its search index up to date, so /who-owns finds them;
 * and the policy versions such a process recorded (an import run with a new `ROE_POLICY`).
 * The accounts are looked at (a scan of the table) only after another process committed
 * something: an idle or busy server alone with its database never scans them.
 */
function watchAccounts(rt: Runtime, since: number, intervalMs = 10_000): NodeJS.Timeout {
  let seen = since;
  const timer = setInterval(() => {
    try {
      const version = dataVersion(rt.db.sqlite);
      if (version === seen) return;
      seen = version;
      if (rt.reindex()) rt.logger.info({ accounts: rt.matcher.size }, 'accounts changed: search index updated');
    } catch (err) {
      rt.logger.error({ err }, 'could not refresh the account index');
    }
    try {
      if (rt.refreshPolicies()) rt.logger.info({ policy: rt.policies.inForceAt(rt.clock.now()).version, versions: rt.policies.all.map((v) => v.version) }, 'policy versions recorded by another process taken in');
    } catch (err) {
      rt.logger.error({ err }, 'could not read the policy versions another process recorded');
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

/**
 * Deletes, every `intervalMs` (the first time one interval after the start), what is done and
 * older than HISTORY_DAYS: delivered notifications, fired and cancelled timers, request keys.
 * While there is a backlog (a first run on an old database, a very busy bot), it goes on every
 * `backlogMs` instead, each run short as ever.
 */
function keepHouse(rt: Runtime, intervalMs = 600_000, backlogMs = Math.min(intervalMs, 30_000)): { stop(): void } {
  let timer: NodeJS.Timeout;
  const run = () => {
    let more = false;
    try {
      const pruned = pruneHistory(rt.db.sqlite, new Date(rt.clock.now().getTime() - HISTORY_DAYS * 86_400_000));
      more = pruned.more;
      const { outbox, timers, requestKeys } = pruned;
      if (outbox + timers + requestKeys > 0) rt.logger.info({ outbox, timers, requestKeys, olderThanDays: HISTORY_DAYS, more }, 'done work deleted: delivered notifications, fired timers, request keys');
    } catch (err) {
      // Another process (an import) holds the database: next time.
      if (isBusy(err)) rt.logger.debug('database busy: done work is deleted next time');
      else rt.logger.error({ err }, 'could not delete done work; trying again later');
    }
    timer = setTimeout(run, more ? backlogMs : intervalMs);
    timer.unref();
  };
  timer = setTimeout(run, intervalMs);
  timer.unref();
  return { stop: () => clearTimeout(timer) };
}

/**
 * What a start finds left undone, each said once, as the server starts listening (a restart after
 * a crash, a kill or a deploy): notifications taken for delivery and never recorded (their sender
 * stopped mid-send), which wait for their lease to run out; parked notifications; timers that
 * failed every attempt. The last two were logged once when they happened, perhaps by a process
 * whose log is gone: each waits for someone, and the line names the command that lists it.
 */
function sayWhatWaits(rt: Runtime): void {
  try {
    const { sending, leaseUntil, parked } = outboxAtStart(rt.db.db);
    if (sending > 0) {
      rt.logger.warn(
        { notifications: sending, leaseUntil },
        'outbox: notifications were being sent when the bot last stopped (or another process on this database sends them now): each goes out once its lease runs out, with the later ones to the same conversation; one that Slack or Teams had taken before the stop then shows twice',
      );
    }
    if (parked > 0) rt.logger.warn({ notifications: parked }, 'outbox: parked notifications wait to be sent again: `roe outbox` lists them, `roe outbox retry ID|--all` sends them once their cause is put right');
    const failed = failedTimerCount(rt.db.db);
    if (failed > 0) rt.logger.warn({ timers: failed }, 'scheduler: timers that failed every attempt wait: `roe timers` lists them, `roe timers retry ID|--all` fires them once their cause is put right');
  } catch (err) {
    rt.logger.error({ err }, 'could not read what the outbox and the timers hold');
  }
}

/**
 * A platform that could not start, said in one line naming what to check (Slack refused the
 * app-level token of Socket Mode, or could not be reached): `roe serve` prints it and exits 1.
 */
export class PlatformStartError extends Error {}

/** A chat platform plugged into the one server. */
export interface PlatformHost {
  name: OutboxMessage['platform'];
  routes: Record<string, RouteHandler>;
  deliver: Deliverer;
  start?(): Promise<void>;
  /** Stops, giving work under way up to `graceMs` to finish. */
  stop?(graceMs?: number): Promise<void>;
}

export interface Serving {
  server: Server;
  port: number;
  stop(): Promise<void>;
}

const TEAMS_ROUTE = 'POST /api/messages';
/** How long a stop waits for requests under way before it closes their connections. */
export const STOP_GRACE_MS = 10_000;
/** The one address an unauthenticated Teams endpoint is served on. */
export const LOOPBACK = '127.0.0.1';

/**
 * The routes the platforms of this config serve (see platforms.ts): Slack's events over HTTP
 * (not in Socket Mode), and Teams' messages when Teams is served. Known before the SDKs load.
 */
export function platformRoutes(config: Config): string[] {
  const routes: string[] = [];
  if (config.slack && !config.slack.appToken) routes.push('POST /slack/events');
  if (config.teams.appId || !config.slack) routes.push(TEAMS_ROUTE);
  return routes;
}

/**
 * What makes this configuration unfit to serve, before anything runs (the database, the timers):
 * production never serves Teams unauthenticated. Null when it may serve.
 */
export function serveProblem(config: Config): string | null {
  if (config.production && !config.teams.appId && platformRoutes(config).includes(TEAMS_ROUTE)) {
    return 'MICROSOFT_APP_ID: is required when NODE_ENV=production (the Teams endpoint never runs unauthenticated in production)';
  }
  return null;
}

/**
 * The address the server binds: every interface, except when Teams is served without
 * MICROSOFT_APP_ID. Then `/api/messages` checks no token, so anyone who reaches it could act
 * as any user, an internal one included: only this machine may (an emulator, Agents Playground).
 */
export function listenHost(config: Config, routes: Iterable<string>): string | undefined {
  return !config.teams.appId && [...routes].includes(TEAMS_ROUTE) ? LOOPBACK : undefined;
}

/**
 * Platforms loaded once the server listens (their SDKs take a while to load): requests to
 * `routes` that arrive before they are loaded wait for them.
 */
export interface PlatformLoader {
  /** The routes the platforms will serve, e.g. `POST /slack/events`. */
  routes: string[];
  load(): Promise<PlatformHost[]>;
}

/**
 * Starts the HTTP server with every configured platform and the outbox worker. `platforms`
 * are built by the caller from the config (Slack, Teams), or loaded by it once the server
 * listens. The order makes a start answer soon: listen (`/healthz` answers), fire the timers
 * that fell due (unless the caller's scheduler did), load the platforms, read the account
 * index while the platforms connect, then deliver notifications.
 */
export async function serve(rt: Runtime, platforms: PlatformHost[] | PlatformLoader, port = rt.config.port, options: { accountsRefreshMs?: number; housekeepingMs?: number; /** A scheduler the caller started already (else serve starts one). */ scheduler?: { stop(): void }; /** See {@link STOP_GRACE_MS}. */ stopGraceMs?: number; /** See {@link HttpTimeouts} (tests: shorter). */ httpTimeouts?: Partial<HttpTimeouts> } = {}): Promise<Serving> {
  const routes: Record<string, RouteHandler> = { 'GET /healthz': healthRoute(() => rt.db.db.get(sql`select 1`)) };
  // With no credentials this server delivers to Teams unauthenticated (an emulator), not to the
  // console of `npm start`: known from its routes before the platforms load, so that what the
  // first tick's timers tell is queued there too (see below, once they loaded).
  const served = Array.isArray(platforms) ? platforms.flatMap((p) => Object.keys(p.routes)) : platforms.routes;
  if (rt.deps.platform === 'console' && served.includes(TEAMS_ROUTE)) rt.deps.platform = 'teams';
  let loaded: Promise<PlatformHost[]>;
  if (Array.isArray(platforms)) {
    for (const p of platforms) Object.assign(routes, p.routes);
    loaded = Promise.resolve(platforms);
  } else {
    let done: (hosts: PlatformHost[] | null) => void = () => undefined;
    const ready = new Promise<PlatformHost[] | null>((ok) => (done = ok));
    for (const key of platforms.routes) {
      const waiting: RouteHandler = async (req, res) => {
        await ready;
        const handler = routes[key];
        if (handler && handler !== waiting) return handler(req, res);
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not serving' }));
      };
      routes[key] = waiting;
    }
    loaded = platforms.load().then(
      (hosts) => {
        for (const key of platforms.routes) delete routes[key];
        for (const p of hosts) Object.assign(routes, p.routes);
        done(hosts);
        return hosts;
      },
      (e: unknown) => {
        done(null);
        throw e;
      },
    );
    loaded.catch(() => undefined); // handled below, once the server listens
  }
  const server = createHttpServer(routes, rt.logger, options.httpTimeouts);
  const host = listenHost(rt.config, Object.keys(routes));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    if (host) server.listen(port, host, ok);
    else server.listen(port, ok);
  });
  // Timers only touch the database: they need not wait for the platforms' start (Slack's
  // auth.test is a round trip to Slack), so a restart reaches its first tick sooner.
  const scheduler = options.scheduler ?? startScheduler(rt.db, rt.deps, () => rt.clock.now(), rt.logger);
  let hosts: PlatformHost[];
  let version: number;
  // The platforms whose start resolved: stopped again should the start fail after them.
  const up: PlatformHost[] = [];
  let started: Promise<void> | undefined;
  try {
    hosts = await loaded;
    // A case no chat raised is told where this server delivers: with no credentials, that is
    // Teams unauthenticated (an emulator), not the console of `npm start`.
    if (hosts.length > 0 && !hosts.some((h) => h.name === rt.deps.platform)) rt.deps.platform = hosts[0]!.name;
    if (host) {
      // Said once the platforms loaded: production refuses unauthenticated Teams as they load.
      const bound = (server.address() as AddressInfo).port;
      rt.logger.warn(
        { host, port: bound },
        `Teams is served unauthenticated (MICROSOFT_APP_ID is not set): the server listens on ${host} only, for an emulator or Agents Playground on this machine at http://${host}:${bound}/api/messages. To serve Teams to others, set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD.`,
      );
    }
    started = (async () => {
      for (const p of hosts) {
        await p.start?.();
        up.push(p);
      }
    })();
    started.catch(() => undefined); // awaited below
    // The account index is read (or built) while the platforms connect, before any question,
    // and the policy versions recorded since the runtime read them are taken in; commits by
    // others from now on are noticed by the watcher.
    version = dataVersion(rt.db.sqlite);
    rt.reindex();
    rt.refreshPolicies();
    await started;
  } catch (e) {
    scheduler.stop();
    // Platforms still starting (the account index failed while they connected) finish first, so
    // none is left connected after the others stopped.
    await started?.catch(() => undefined);
    // A platform that started holds a live connection (Socket Mode) that would keep the process
    // running, taking events, with no outbox worker: it is stopped before the start fails.
    const grace = options.stopGraceMs ?? STOP_GRACE_MS;
    await Promise.all(
      up.map((p) =>
        p.stop?.(grace).catch((err: unknown) => rt.logger.error({ err, platform: p.name }, 'could not stop a platform after the start failed')),
      ),
    );
    await new Promise<void>((ok) => server.close(() => ok()));
    throw e;
  }
  const deliverers: Partial<Record<OutboxMessage['platform'], Deliverer>> = {};
  for (const p of hosts) deliverers[p.name] = p.deliver;
  const worker = startOutboxWorker(rt.db.db, deliverers, () => rt.clock.now(), rt.logger);
  const accounts = watchAccounts(rt, version, options.accountsRefreshMs);
  const housekeeping = keepHouse(rt, options.housekeepingMs);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const policy = rt.policies.inForceAt(rt.clock.now());
  rt.logger.info({ ...(host ? { host } : {}), port: actual, platforms: hosts.map((p) => p.name), database: rt.config.databasePath, policy: policy.version, policyEffective: policy.policy.effective }, 'roe-bot listening');
  sayWhatWaits(rt);
  return {
    server,
    port: actual,
    stop: async () => {
      scheduler.stop();
      clearInterval(accounts);
      housekeeping.stop();
      // No new requests; those under way may finish, for a while: a client that never sends its
      // request whole would otherwise hold the server open for ever.
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      const grace = options.stopGraceMs ?? STOP_GRACE_MS;
      const until = performance.now() + grace;
      const deadline = setTimeout(() => server.closeAllConnections(), grace);
      await closed;
      clearTimeout(deadline);
      // A platform's work acknowledged but not finished (Slack answers before its listener is
      // done) gets what is left of that time (a quarter of it at least, should a client that
      // never finished its request have used it all), before the outbox worker and the database stop.
      // A platform that fails to stop is logged: the others, and the worker (its delivery under
      // way recorded), stop all the same, and so does the server.
      const left = Math.max(Math.round(grace / 4), Math.round(until - performance.now()));
      await Promise.all(
        hosts.map(async (p) => {
          try {
            await p.stop?.(left);
          } catch (err) {
            rt.logger.error({ err, platform: p.name }, 'a platform could not stop cleanly; the server stops all the same');
          }
        }),
      );
      await worker.stop();
    },
  };
}
