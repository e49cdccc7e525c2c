import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';

/** A user the fake's users.info knows. */
export interface FakeSlackUser {
  id: string;
  /**
   * The user's own team (differs from the workspace's for a Slack Connect user); none for a user
   * of an Enterprise Grid org for whom Slack names only the org's workspaces (`enterprise`).
   */
  team_id?: string;
  /** A user of an Enterprise Grid org: its id and the user's workspaces there (`enterprise_user`). */
  enterprise?: { id: string; teams: string[] };
  name: string;
  real_name?: string;
  /** A guest of the workspace: `multi` (is_restricted) or `single` (is_ultra_restricted). */
  guest?: 'multi' | 'single';
}

/** One Web API call as the fake received it: the method, the decoded arguments, the bearer token. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | null;
  /** What the fake answered (`ok: false` for injected failures). */
  result: Record<string, unknown>;
}

/** One post to a response_url. */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

/** `drop`: the connection is cut without an answer (a network failure: the client sees a request error). */
/** A 429's Retry-After: seconds, any other text, or null for none at all (a proxy that drops it). */
/** A Slack error may carry Slack's other fields of that answer (`needed`, `provided`, `response_metadata`). */
export type Failure = { status: 429; retryAfter: number | string | null } | { status: 500 } | { error: string; more?: Json } | { drop: true };

type Json = Record<string, unknown>;

/**
 * A fake Slack Web API on loopback: records every call with its arguments (JSON or form
 * bodies, nested JSON decoded), answers the methods roe-bot uses with Slack's shapes, serves
 * response_urls and Socket Mode (a WebSocket that says `hello`), and can be told to fail the
 * next calls with 429 + Retry-After, a 500 or a Slack error.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  private failures: { failure: Failure; method: string | null }[] = [];
  private held = new Map<string, Promise<void>>();
  /** Channels the bot is not in: posting there fails with `not_in_channel`. */
  readonly notIn = new Set<string>();
  /** Conversations the bot cannot see (a DM between other people): posting there fails with `channel_not_found`. */
  readonly unseen = new Set<string>();
  /**
   * Messages deleted (by ts) before anything was posted in their thread: a reply to one is
   * posted in the channel instead, its answer's message in no thread, as Slack does.
   */
  readonly deleted = new Set<string>();
  /**
   * Users deactivated (they left the company): conversations.open for one answers `user_disabled`,
   * a post in the DM opened with one before answers `is_archived`, and users.info says `deleted`.
   */
  readonly deactivated = new Set<string>();
  private seq = 0;
  private users = new Map<string, FakeSlackUser>();
  /** Socket Mode: the URL apps.connections.open gives leads here; each connection is greeted with `hello`. */
  private readonly sockets = new WebSocket.Server({ noServer: true });

  private constructor(
    private readonly server: Server,
    readonly base: string,
    readonly team: string,
    /** The Enterprise Grid org the workspace is in (auth.test's `enterprise_id`), if any. */
    readonly enterprise: string | null = null,
    /** Installed across the whole Enterprise Grid org (an org-wide install): auth.test names the org, no workspace. */
    readonly orgWide = false,
  ) {}

  /** Base URL for the WebClient's `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A user users.info knows from now on (or knows differently). */
  addUser(u: FakeSlackUser): void {
    this.users.set(u.id, u);
  }

  static async start(opts: { team: string; enterprise?: string; orgWide?: boolean; users?: FakeSlackUser[] }): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => {
      void fake!.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlack(server, `http://127.0.0.1:${port}`, opts.team, opts.enterprise ?? null, opts.orgWide ?? false);
    const sockets = fake.sockets;
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
      sockets.handleUpgrade(req, socket as import('node:net').Socket, head, (ws) => ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0ROEBOT' } })));
    });
    for (const u of opts.users ?? []) fake.users.set(u.id, u);
    return fake;
  }

  /** A fresh response_url served by the fake. */
  responseUrl(id = `r${++this.seq}`): string {
    return `${this.base}/respond/${id}`;
  }

  /** The next `count` calls (of `method`, or any) fail with `failure`. */
  /** Holds the answers to `method` until the returned function is called. */
  hold(method: string): () => void {
    let release: () => void = () => undefined;
    this.held.set(method, new Promise<void>((ok) => (release = ok)));
    return () => {
      this.held.delete(method);
      release();
    };
  }

  failNext(count: number, failure: Failure, method: string | null = null): void {
    for (let i = 0; i < count; i++) this.failures.push({ failure, method });
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(url: string): ResponseUrlPost[] {
    const id = url.split('/').pop();
    return this.responses.filter((r) => r.id === id);
  }

  /** Waits until `pick` returns something (the app answers after its ack), or fails after `ms`. */
  async waitFor<T>(pick: () => T | undefined | null | false, what = 'the expected Slack call', ms = 5_000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const v = pick();
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; calls so far: ${this.calls.map((c) => c.method).join(', ') || 'none'}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(): Promise<void> {
    for (const ws of this.sockets.clients) ws.terminate();
    this.sockets.close();
    return new Promise((ok) => {
      this.server.closeAllConnections();
      this.server.close(() => ok());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const contentType = req.headers['content-type'] ?? '';
    const body = parseBody(raw, contentType);
    if (path.startsWith('/respond/')) {
      this.responses.push({ id: path.slice('/respond/'.length), body });
      send(res, 200, { ok: true });
      return;
    }
    if (!path.startsWith('/api/')) {
      send(res, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = path.slice('/api/'.length);
    const auth = req.headers.authorization;
    const call: ApiCall = { method, args: body, token: auth?.startsWith('Bearer ') ? auth.slice(7) : typeof body.token === 'string' ? body.token : null, result: {} };
    this.calls.push(call);
    const gate = this.held.get(method);
    if (gate) await gate;
    const i = this.failures.findIndex((f) => f.method === null || f.method === method);
    if (i >= 0) {
      const { failure } = this.failures.splice(i, 1)[0]!;
      if ('drop' in failure) {
        call.result = { ok: false, error: 'dropped' };
        req.socket.destroy();
        return;
      }
      call.result = { ok: false, error: 'error' in failure ? failure.error : failure.status === 429 ? 'ratelimited' : 'internal_error', ...('error' in failure ? failure.more : undefined) };
      if ('error' in failure) send(res, 200, call.result);
      else if (failure.status === 429) send(res, 429, call.result, failure.retryAfter === null ? {} : { 'retry-after': String(failure.retryAfter) });
      else send(res, 500, call.result);
      return;
    }
    if (method === 'chat.postMessage' && typeof body.channel === 'string' && (this.notIn.has(body.channel) || this.unseen.has(body.channel))) {
      call.result = { ok: false, error: this.notIn.has(body.channel) ? 'not_in_channel' : 'channel_not_found' };
      send(res, 200, call.result);
      return;
    }
    const dmOf = typeof body.channel === 'string' && body.channel.startsWith('D') ? body.channel.slice(1) : null;
    if ((method === 'conversations.open' && this.deactivated.has(String(body.users))) || (method === 'chat.postMessage' && dmOf !== null && this.deactivated.has(dmOf))) {
      call.result = { ok: false, error: method === 'conversations.open' ? 'user_disabled' : 'is_archived' };
      send(res, 200, call.result);
      return;
    }
    call.result = this.answer(method, body);
    send(res, 200, call.result);
  }

  private answer(method: string, a: Json): Json {
    const n = ++this.seq;
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `${this.base.replace(/^http/, 'ws')}/link/?ticket=t${n}` };
      case 'auth.test':
        // An org-wide install's token is the org's: auth.test gives the org's id as its team.
        if (this.orgWide && this.enterprise) return { ok: true, url: 'https://home.enterprise.slack.com/', team: 'Home Org', user: 'roe-bot', team_id: this.enterprise, user_id: 'U0BOT', bot_id: 'B0BOT', enterprise_id: this.enterprise, is_enterprise_install: true };
        return { ok: true, url: 'https://home.slack.com/', team: 'Home Inc', user: 'roe-bot', team_id: this.team, user_id: 'U0BOT', bot_id: 'B0BOT', is_enterprise_install: false, ...(this.enterprise ? { enterprise_id: this.enterprise } : {}) };
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return { ok: true, view: { id: `V${String(n).padStart(6, '0')}`, team_id: this.team, hash: `${n}.hash`, state: { values: {} }, ...(a.view as Json) } };
      case 'views.publish':
        return { ok: true, view: { id: `VH${n}`, team_id: this.team, ...(a.view as Json) } };
      case 'chat.postMessage': {
        const ts = `${1_764_000_000 + n}.000100`;
        const threaded = typeof a.thread_ts === 'string' && !this.deleted.has(a.thread_ts);
        return { ok: true, channel: a.channel, ts, message: { type: 'message', user: 'U0BOT', bot_id: 'B0BOT', text: a.text, ts, ...(threaded ? { thread_ts: a.thread_ts } : {}) } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${1_764_000_000 + n}.000200` };
      case 'chat.update':
        return { ok: true, channel: a.channel, ts: a.ts, text: a.text };
      case 'chat.getPermalink':
        return { ok: true, channel: a.channel, permalink: `https://home.slack.com/archives/${String(a.channel)}/p${String(a.message_ts).replace('.', '')}` };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(a.users)}` } };
      case 'users.info': {
        const u = this.users.get(String(a.user));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            ...(u.team_id ? { team_id: u.team_id } : {}),
            name: u.name,
            real_name: u.real_name ?? u.name,
            is_bot: false,
            deleted: this.deactivated.has(u.id),
            is_restricted: u.guest !== undefined,
            is_ultra_restricted: u.guest === 'single',
            profile: { real_name: u.real_name ?? u.name, display_name: u.name, ...(u.team_id ? { team: u.team_id } : {}) },
            // As Slack shows a user of an Enterprise Grid org.
            ...(u.enterprise ? { enterprise_user: { id: u.id, enterprise_id: u.enterprise.id, enterprise_name: 'Org', is_admin: false, is_owner: false, teams: u.enterprise.teams }, enterprise_id: u.enterprise.id, teams: u.enterprise.teams } : {}),
          },
        };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

/** Form bodies as the WebClient sends them: nested objects (blocks, view) are JSON strings. */
function parseBody(raw: string, contentType: string): Json {
  if (raw === '') return {};
  if (contentType.startsWith('application/json')) return JSON.parse(raw) as Json;
  const out: Json = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? tryJson(v) : v;
  }
  return out;
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
