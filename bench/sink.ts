/**
 * A cheap stand-in for Slack during benchmarks, on loopback: the Web API methods the bot calls
 * at start and per user (auth.test, users.info: everyone is in the home workspace) and
 * response_url posts (`/respond/<id>`), which it counts and keeps the first text of (/who-owns
 * answers in its acknowledgement, so the HTTP benchmark expects none).
 * Run as a child process (`tsx bench/sink.ts` prints `BENCH-READY {"port":…}`) or in process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

export const HOME_TEAM = 'T0HOME';

export interface Sink {
  server: Server;
  base: string;
  /** Posts to response_urls so far. */
  responses(): number;
  /** The first answer (JSON, cut at 8 kB) per response_url id. */
  answers: Map<string, string>;
  close(): Promise<void>;
}

export async function startSink(port = 0): Promise<Sink> {
  let responses = 0;
  const answers = new Map<string, string>();
  const json = (res: import('node:http').ServerResponse, body: unknown) => {
    const s = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
    res.end(s);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/respond/')) {
        responses++;
        const id = url.slice('/respond/'.length);
        if (!answers.has(id) && answers.size < 50_000) {
          answers.set(id, Buffer.concat(chunks).toString('utf8').slice(0, 8192));
        }
        json(res, { ok: true });
      } else if (url === '/count') {
        json(res, { responses });
      } else if (url === '/stats') {
        json(res, { responses, answers: Object.fromEntries(answers) });
      } else if (url.startsWith('/api/auth.test')) {
        json(res, { ok: true, url: 'https://home.slack.com/', team: 'Home', user: 'roe-bot', team_id: HOME_TEAM, user_id: 'U0BOT', bot_id: 'B0BOT', is_enterprise_install: false });
      } else if (url.startsWith('/api/users.info')) {
        const user = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('user') ?? 'U0X';
        json(res, { ok: true, user: { id: user, team_id: HOME_TEAM, name: user.toLowerCase(), real_name: user, is_bot: false, deleted: false, profile: { display_name: user, real_name: user } } });
      } else if (url.startsWith('/api/')) {
        json(res, { ok: true });
      } else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    base,
    responses: () => responses,
    answers,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sink = await startSink();
  process.stdout.write(`BENCH-READY ${JSON.stringify({ base: sink.base })}\n`);
  process.on('SIGTERM', () => void sink.close().then(() => process.exit(0)));
}
