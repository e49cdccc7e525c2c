import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isValidSlackRequest } from '@slack/bolt';
import { z } from 'zod';
import type { SlackLog } from './context.js';

/** The envelope fields the listeners rely on, checked before Bolt routes the request. */
const interactiveEnvelope = z.looseObject({
  type: z.string(),
  user: z.looseObject({ id: z.string(), team_id: z.string().optional() }),
  team: z.looseObject({ id: z.string() }).nullable().optional(),
  actions: z.array(z.looseObject({ action_id: z.string() })).optional(),
  view: z.looseObject({ id: z.string().optional(), callback_id: z.string().optional(), private_metadata: z.string().optional(), state: z.looseObject({ values: z.record(z.string(), z.unknown()) }).optional() }).nullable().optional(),
});
const commandEnvelope = z.looseObject({ command: z.string(), user_id: z.string().min(1), team_id: z.string(), text: z.string().optional() });
const eventEnvelope = z.looseObject({ type: z.string(), event: z.looseObject({ type: z.string() }).optional() });

function envelopeProblem(schema: z.ZodType, value: unknown, what: string): string | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `${what}: ${i.path.join('.') || 'body'} ${i.message}`;
}

/** Slack's own payloads are far below this; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 1_000_000;

/** What is wrong with the shape of a signed request body, or null when Bolt can take it. */
export function bodyProblem(contentType: string | undefined, raw: string): string | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (type === 'application/json') {
    try {
      const body: unknown = JSON.parse(raw);
      return isObject(body) ? envelopeProblem(eventEnvelope, body, 'event') : 'the JSON body is not an object';
    } catch {
      return 'the body is not valid JSON';
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(raw);
    } catch {
      return 'the form body cannot be decoded';
    }
    const payload = params.get('payload');
    if (payload !== null) {
      try {
        const body: unknown = JSON.parse(payload);
        return isObject(body) ? envelopeProblem(interactiveEnvelope, body, 'payload') : 'the payload field is not a JSON object';
      } catch {
        return 'the payload field is not valid JSON';
      }
    }
    if (params.has('ssl_check')) return null;
    if (!params.has('command')) return 'the form has neither a command nor a payload';
    return envelopeProblem(commandEnvelope, Object.fromEntries(params), 'command');
  }
  return `unsupported content type "${type}"`;
}

/**
 * Signatures of the last five minutes (Slack's own window for timestamps): the same signed
 * request sent again is a replay. Bounded in size; old entries are dropped as time passes.
 */
class ReplayCache {
  private readonly expiry = new Map<string, number>();
  constructor(
    private readonly now: () => number,
    private readonly windowMs = 5 * 60_000,
    private readonly max = 200_000,
  ) {}
  /** True when this signature was seen within the window; records it otherwise. */
  seen(signature: string): boolean {
    const t = this.now();
    const until = this.expiry.get(signature);
    if (until !== undefined && until > t) return true;
    if (this.expiry.size >= this.max) this.prune(t);
    this.expiry.set(signature, t + this.windowMs);
    return false;
  }
  private prune(t: number): void {
    for (const [k, until] of this.expiry) if (until <= t) this.expiry.delete(k);
    // Still full of live entries (a flood): drop the oldest half rather than grow without bound.
    if (this.expiry.size >= this.max) [...this.expiry.keys()].slice(0, this.max / 2).forEach((k) => this.expiry.delete(k));
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest is read and dropped, so the client gets the 413 instead of a reset.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => ok(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** One decoder for every request (it keeps no state between whole-buffer decodes). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function answer(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
}

/**
 * In front of Bolt's receiver: bounds the body size, and answers a correctly signed request
 * whose body Bolt cannot take (a payload that is not an object, broken JSON) with a 400
 * naming the problem, instead of letting it throw inside Bolt. Anything unsigned goes on to
 * Bolt, which refuses it with 401. Bolt reuses the buffered body (`rawBody`).
 */
export function guardSlackRequests(listener: RequestListener, signingSecret: string, log: SlackLog, now: () => number = Date.now): RequestListener {
  const replays = new ReplayCache(now);
  return (req, res) => {
    void readBody(req, MAX_BODY_BYTES)
      .then((raw) => {
        if (raw === null) {
          log.warn({ route: 'slack' }, 'slack request refused: body too large');
          answer(res, 413, 'request body too large');
          return;
        }
        let text: string;
        try {
          text = STRICT_UTF8.decode(raw);
        } catch {
          log.warn({ route: 'slack' }, 'slack request refused: body is not valid UTF-8');
          answer(res, 400, 'the body is not valid UTF-8');
          return;
        }
        const problem = bodyProblem(req.headers['content-type'], text);
        const signature = req.headers['x-slack-signature'];
        const timestamp = Number(req.headers['x-slack-request-timestamp']);
        const signed = typeof signature === 'string' && isValidSlackRequest({ signingSecret, body: text, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
        // A retry Slack announces (X-Slack-Retry-Num) goes on: the handlers' request keys make it file nothing twice.
        const announcedRetry = req.headers['x-slack-retry-num'] !== undefined;
        if (signed && replays.seen(signature) && !announcedRetry) {
          log.warn({ route: 'slack' }, 'slack request refused: replayed (same signature seen in the last 5 minutes)');
          answer(res, 401, 'replayed request');
          return;
        }
        if (problem && signed) {
          log.warn({ route: 'slack', problem }, 'slack request refused: malformed body');
          answer(res, 400, problem);
          return;
        }
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        listener(req, res);
      })
      .catch((err: unknown) => {
        log.warn({ route: 'slack', err }, 'slack request could not be read');
        if (!res.headersSent) answer(res, 400, 'the request could not be read');
      });
  };
}
