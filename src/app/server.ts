import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * The one HTTP server: `POST /slack/events`, `POST /api/messages`, `GET /healthz`, each
 * route given by the platform that serves it. Unknown paths get 404; a handler that throws
 * gets a logged 500, never a crash.
 */
export function createHttpServer(routes: Record<string, RouteHandler>, logger: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const key = `${req.method} ${path}`;
    const handler = routes[key];
    if (!handler) {
      const allowed = Object.keys(routes).filter((k) => k.endsWith(` ${path}`));
      res.writeHead(allowed.length ? 405 : 404, { 'content-type': 'application/json', ...(allowed.length ? { allow: allowed.map((k) => k.split(' ')[0]).join(', ') } : {}) });
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
