import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * How long a client may take to send a request: its headers, and the whole of it (body
 * included), checked every `connectionsCheckingInterval`. Slack and Bot Framework send a request
 * at once; a client that trickles one (slowloris) gets 408 and its connection closed, instead of
 * holding it for Node's defaults (a minute for the headers, five for the request). How long a
 * handler then takes to answer is not limited by them.
 */
export const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 5_000 };
export type HttpTimeouts = typeof HTTP_TIMEOUTS;

/**
 * How many connections the server holds open at once (`server.maxConnections`; Node's default
 * is no limit). Slack and Bot Framework need a few dozen; a client that opens thousands and keeps
 * them (idle kept-alive connections are not limited by the timeouts above) would otherwise take
 * the process's file descriptors and memory. A connection beyond it is closed as it opens, before
 * a byte is read, and those open keep working; the drops are logged, at most once a minute.
 */
export const MAX_CONNECTIONS = 4_096;
/** How often a warning says that connections were refused at {@link MAX_CONNECTIONS}. */
const DROPS_LOGGED_EVERY_MS = 60_000;

/**
 * The one HTTP server: `POST /slack/events`, `POST /api/messages`, `GET /healthz`, each
 * route given by the platform that serves it. Unknown paths get 404; a handler that throws
 * gets a logged 500, never a crash.
 */
export function createHttpServer(routes: Record<string, RouteHandler>, logger: Logger, timeouts: Partial<HttpTimeouts> = {}): Server {
  const server = createServer({ ...HTTP_TIMEOUTS, ...timeouts }, (req, res) => {
    // Stopping (server.close): a request that still comes on a kept-alive connection is answered,
    // and its connection closed after it, so no client goes on sending requests on a connection
    // the stop will cut once its grace is over.
    if (!server.listening) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0]!;
    const key = `${req.method} ${path}`;
    // HEAD is GET without its body (Node leaves the body out): a load balancer's health check may ask so.
    const handler = routes[key] ?? (req.method === 'HEAD' ? routes[`GET ${path}`] : undefined);
    if (!handler) {
      const methods = Object.keys(routes).filter((k) => k.endsWith(` ${path}`)).map((k) => k.split(' ')[0]!);
      const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
      res.writeHead(allowed.length ? 405 : 404, { 'content-type': 'application/json', ...(allowed.length ? { allow: allowed.join(', ') } : {}) });
      res.end(JSON.stringify({ error: allowed.length ? 'method not allowed' : 'not found' }));
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        logger.error({ err, route: key }, 'request failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        if (!res.writableEnded) res.end(JSON.stringify({ error: 'internal error' }));
      });
  });
  server.maxConnections = MAX_CONNECTIONS;
  // Node closes a connection over the limit silently: say so, once for a burst of them. Drops
  // after a warning are counted and told when the minute is over (or when the server closes),
  // so the end of a burst is not left unsaid until the next drop.
  let refused = 0;
  let lastWarned = -Infinity;
  let later: NodeJS.Timeout | undefined;
  const warn = () => {
    later = undefined;
    if (refused === 0) return;
    logger.warn({ refused, maxConnections: server.maxConnections }, 'connections refused: the server has as many open as it takes (maxConnections); those open are still served');
    lastWarned = performance.now();
    refused = 0;
  };
  server.on('drop', () => {
    refused++;
    const wait = lastWarned + DROPS_LOGGED_EVERY_MS - performance.now();
    if (wait <= 0) warn();
    else later ??= setTimeout(warn, wait).unref();
  });
  server.on('close', () => {
    clearTimeout(later);
    warn();
  });
  return server;
}

/** `GET /healthz`: 200 when the database answers. */
export function healthRoute(check: () => void): RouteHandler {
  return (_req, res) => {
    try {
      check();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
    } catch {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'database unavailable' }));
    }
  };
}
