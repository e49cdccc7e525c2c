import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the Bot Framework connector. */
export interface ConnectorCall {
  method: string;
  path: string;
  kind: 'create' | 'send' | 'reply' | 'update' | 'member' | 'other';
  /** The conversation id of the path, decoded (`19:…;messageid=…` for a channel thread). */
  conversationId: string | null;
  /** `replyToId` of a reply, id of an update. */
  activityId: string | null;
  body: Record<string, unknown>;
  authorization: string | undefined;
  /** What the fake answered. */
  status: number;
}

/**
 * The largest activity Teams takes, as this fake measures it: the JSON's length counted as UTF-16
 * (two bytes a character), against Teams' documented ~100 KB. Above it Teams answers 413.
 */
export const MAX_ACTIVITY_BYTES = 100 * 1024;

interface Failure {
  status: number;
  retryAfter?: string;
  times: number;
}

/**
 * A Bot Framework connector on loopback, the `serviceUrl` of the activities tests post: it
 * records every call (new conversations, posts, replies, updates) and answers like the real
 * one (413 MessageSizeTooBig for an activity above {@link MAX_ACTIVITY_BYTES}), or with an
 * error status on demand.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private failures: Failure[] = [];
  /** Users the roster (GET …/members/ID) reports as guests (`userRole: guest`); everyone else is a member. */
  readonly guests = new Set<string>();
  /**
   * Users the roster reports as anonymous meeting participants, in the shape Teams documents for
   * them (`id`, `name`, `tenantId` (the meeting organiser's, from {@link memberTenants}) and
   * `userRole: anonymous`; no sign-in name or object id).
   */
  readonly anonymous = new Set<string>();
  /** A `userRole` the roster reports for a user instead of `user` or `guest` (a role Teams may add). */
  readonly roles = new Map<string, string>();
  /** The tenant the roster reports a member in (`tenantId`), for those given; others are reported without one. */
  readonly memberTenants = new Map<string, string>();
  /**
   * Conversations the bot can no longer post in, and what Teams answers to a post there: 403
   * (the bot removed from the channel's team, or from a group chat), 404 (the conversation
   * deleted). A channel's id covers its threads (`…;messageid=…`) too.
   */
  readonly refused = new Map<string, 403 | 404>();
  /** While true, the roster answers 503 (Teams not answering who a member is). */
  rosterDown = false;
  /** Called with each call as it arrives, before it is answered: what happens meanwhile elsewhere (a `roe forget`). */
  onCall: ((call: ConnectorCall) => void) | null = null;
  private created = 0;
  private posted = 0;
  private hanging = 0;
  private readonly hung: ServerResponse[] = [];
  private server: Server | null = null;
  url = '';

  static async start(): Promise<FakeConnector> {
    const f = new FakeConnector();
    await f.listen();
    return f;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      void readBody(req).then(({ body, length }) => {
        const call = this.record(req, body);
        this.onCall?.(call);
        if ((call.kind === 'send' || call.kind === 'reply' || call.kind === 'update') && length * 2 > MAX_ACTIVITY_BYTES) {
          call.status = 413;
          res.writeHead(413, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'MessageSizeTooBig', message: 'Message size too big' } }));
          return;
        }
        if (this.hanging > 0 && call.kind !== 'other') {
          // Takes the request and never answers (a connector that hangs).
          this.hanging -= 1;
          this.hung.push(res);
          return;
        }
        const refused = call.kind === 'send' || call.kind === 'reply' ? this.refused.get((call.conversationId ?? '').split(';')[0]!) : undefined;
        if (refused !== undefined) {
          call.status = refused;
          res.writeHead(refused, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: refused === 403 ? { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } : { code: 'ConversationNotFound', message: 'Conversation not found.' } }));
          return;
        }
        const failure = this.failures[0];
        if (failure && call.kind !== 'other') {
          failure.times -= 1;
          if (failure.times <= 0) this.failures.shift();
          call.status = failure.status;
          res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}) });
          res.end(JSON.stringify({ error: { code: 'Failed', message: `fake connector answers ${failure.status}` } }));
          return;
        }
        let answer: Record<string, unknown>;
        switch (call.kind) {
          case 'create':
            answer = { id: `a:created-${++this.created}` };
            break;
          case 'send':
          case 'reply':
            answer = { id: `activity-${++this.posted}` };
            break;
          case 'update':
            answer = { id: call.activityId ?? '' };
            break;
          case 'member': {
            if (this.rosterDown) {
              call.status = 503;
              res.writeHead(503, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'fake roster is down' } }));
              return;
            }
            const id = call.activityId ?? '';
            const tenantId = this.memberTenants.get(id);
            if (this.anonymous.has(id)) {
              answer = { id, name: `${id.slice(3)} (Guest)`, ...(tenantId ? { tenantId } : {}), userRole: 'anonymous' };
              break;
            }
            answer = { id, name: id, userRole: this.roles.get(id) ?? (this.guests.has(id) ? 'guest' : 'user'), userPrincipalName: this.guests.has(id) ? `${id.replace(/\W/g, '')}_partner.com#EXT#@company.onmicrosoft.com` : `${id.replace(/\W/g, '')}@company.com`, ...(tenantId ? { tenantId } : {}) };
            break;
          }
          default:
            call.status = 404;
            res.writeHead(404, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { code: 'NotFound', message: 'no such route' } }));
            return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  private record(req: IncomingMessage, body: Record<string, unknown>): ConnectorCall {
    const path = (req.url ?? '/').split('?')[0]!;
    const m = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/.exec(path) ?? (req.method === 'GET' ? /^\/v3\/conversations\/([^/]+)\/(?:members)\/([^/]+)$/.exec(path) : null);
    let kind: ConnectorCall['kind'] = 'other';
    if (m && req.method === 'GET') kind = 'member';
    if (m && req.method === 'POST' && !m[1]) kind = 'create';
    else if (m && req.method === 'POST' && m[1] && !m[2]) kind = 'send';
    else if (m && req.method === 'POST' && m[2]) kind = 'reply';
    else if (m && req.method === 'PUT' && m[2]) kind = 'update';
    const call: ConnectorCall = {
      method: req.method ?? '',
      path,
      kind,
      conversationId: m?.[1] ? decodeURIComponent(m[1]) : null,
      activityId: m?.[2] ? decodeURIComponent(m[2]) : null,
      body,
      authorization: req.headers.authorization,
      status: 200,
    };
    this.calls.push(call);
    return call;
  }

  /** The next `times` calls (creates, posts, replies, updates) are taken and never answered. */
  hangNext(times = 1): void {
    this.hanging += times;
  }

  /** The next `times` calls (creates, posts, replies, updates) fail with `status`. */
  failNext(status: number, o: { times?: number; retryAfter?: string } = {}): void {
    this.failures.push({ status, times: o.times ?? 1, ...(o.retryAfter ? { retryAfter: o.retryAfter } : {}) });
  }

  /** Messages the bot posted (sends and replies that were answered 200), optionally in one conversation. */
  messages(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => (c.kind === 'send' || c.kind === 'reply') && c.status === 200 && (conversationId === undefined || c.conversationId === conversationId));
  }

  /** Waits until `predicate` holds over the calls (the outbox worker delivers in the background). */
  async waitFor(predicate: (calls: ConnectorCall[]) => boolean, what: string, deadlineMs = 5_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (!predicate(this.calls)) {
      if (Date.now() > until) throw new Error(`fake connector: gave up waiting for ${what}; calls: ${JSON.stringify(this.calls.map((c) => `${c.method} ${c.path}`))}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.hung.splice(0)) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

/** The parsed body and its length in characters. */
async function readBody(req: IncomingMessage): Promise<{ body: Record<string, unknown>; length: number }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return { body: {}, length: 0 };
  const parsed: unknown = JSON.parse(text);
  return { body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}, length: text.length };
}

/** The Adaptive Card of a posted message (its first attachment). */
export function cardOf(call: ConnectorCall | undefined): Record<string, unknown> {
  const attachments = call?.body.attachments;
  if (!Array.isArray(attachments) || attachments.length === 0) throw new Error(`no card in ${call ? `${call.method} ${call.path}` : 'a missing call'}`);
  const a = attachments[0] as { contentType?: string; content?: Record<string, unknown> };
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive' || !a.content) throw new Error(`attachment is not an Adaptive Card: ${a.contentType}`);
  return a.content;
}

/** Every object in a card that `pick` takes, in the card's order; fallbacks and the refresh action left out. */
export function findIn(card: unknown, pick: (o: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (pick(o)) out.push(o);
      for (const [k, child] of Object.entries(o)) if (k !== 'refresh' && k !== 'fallback') walk(child);
    }
  };
  walk(card);
  return out;
}

/** Every markdown-read string of a card (TextBlocks, facts), as the card carries it. */
export function markdownOf(card: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.type === 'TextBlock' && typeof o.text === 'string') out.push(o.text);
      if (o.type === 'FactSet' && Array.isArray(o.facts)) for (const f of o.facts as { title: string; value: string }[]) out.push(f.title, f.value);
      for (const [k, child] of Object.entries(o)) if (k !== 'refresh') walk(child);
    }
  };
  walk(card);
  return out;
}

/** The Action.Execute button of `verb` on a card (inside a shown card too), or an error naming what the card reads. */
export function executeOf(card: unknown, verb: string): { verb: string; data: Record<string, unknown> } {
  const b = findIn(card, (o) => o.type === 'Action.Execute' && o.verb === verb)[0];
  if (!b) throw new Error(`no ${verb} on ${readCard(card)}`);
  return b as { verb: string; data: Record<string, unknown> };
}

/** The text a person reads on a card: markdown escapes and zero-width breaks undone, buttons as [title]. */
export function readCard(card: unknown): string {
  const lines = markdownOf(card).map((t) => t.replace(/\\([\\`*_{}[\]()#+\-.!~>|])/g, '$1').replace(/\u200B/g, '').replace(/\n\n/g, '\n'));
  // A button asked about first (Action.ShowCard) reads as its title; the one it shows, after it.
  const buttons = findIn(card, (o) => (o.type === 'Action.Execute' || o.type === 'Action.ShowCard') && typeof o.title === 'string').map((o) => `[${o.title as string}]`);
  return [...lines, ...buttons].join('\n');
}
