import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import type { SlackLog } from './context.js';
import { ByteBudget, MAX_BUFFERED_BYTES, readBody } from '../request-body.js';

const user = z.looseObject({ id: z.string(), team_id: z.string().optional() });
const team = z.looseObject({ id: z.string() }).nullable().optional();
const trigger = z.string().min(1);
/** A modal's fields as submitted: block id -> element's action id -> the element's state. */
const viewState = z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.looseObject({}), 'is not an object'), 'is not an object') });

/**
 * The envelope fields the listeners rely on, per interactive payload type, checked before Bolt
 * routes the request: what is missing here would otherwise throw in a listener (an apology and
 * an error log), or route nowhere (an answer only after Bolt's 3-second timeout).
 */
const INTERACTIVE: Record<string, z.ZodType> = {
  block_actions: z.looseObject({
    user,
    team,
    trigger_id: trigger,
    container: z.looseObject({}),
    actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1, 'has no action'),
    view: z.looseObject({ id: z.string().optional(), callback_id: z.string().optional(), private_metadata: z.string().optional() }).nullable().optional(),
  }),
  view_submission: z.looseObject({
    user,
    team,
    view: z.looseObject({ id: z.string().min(1), callback_id: z.string(), private_metadata: z.string().optional(), blocks: z.array(z.looseObject({ type: z.string() })), state: viewState }),
  }),
  block_suggestion: z.looseObject({ user, team, action_id: z.string(), value: z.string() }),
  message_action: z.looseObject({ user, team, callback_id: z.string(), trigger_id: trigger, channel: z.looseObject({ id: z.string() }), message: z.looseObject({ ts: z.string(), text: z.string().optional() }) }),
  shortcut: z.looseObject({ user, team, callback_id: z.string(), trigger_id: trigger }),
};
const EVENTS: Record<string, z.ZodType> = {
  event_callback: z.looseObject({ event: z.looseObject({ type: z.string() }) }),
  url_verification: z.looseObject({ challenge: z.string() }),
  // Slack's notice that it dropped events for a while: nothing to check, nothing to do.
  app_rate_limited: z.looseObject({}),
};

function envelopeProblem(schema: z.ZodType, value: unknown, what: string): string | null {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `${what}: ${i.path.join('.') || 'body'} ${i.code === 'invalid_type' && i.input === undefined ? 'is missing' : i.message}`;
}

/** Slack's own payloads are far below this; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 1_000_000;

/** Slack's window for request timestamps: a request signed further from the server's clock is refused. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

/** A request body as the app takes it (Bolt's shape: a form's fields, or the JSON of a payload or an event), or what is wrong with it. */
export type SlackBody = { body: Record<string, unknown> } | { problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A slash command's fields are strings, each given once (a repeated field would reach the
 * listeners as a list), and the listeners rely on a non-empty `user_id` and a `team_id`.
 */
function commandProblem(form: Record<string, string | string[]>): string | null {
  for (const k in form) if (typeof form[k] !== 'string') return `command: ${k} is given more than once`;
  if (form.user_id === undefined) return 'command: user_id is missing';
  if (form.user_id === '') return 'command: user_id is empty';
  if (form.team_id === undefined) return 'command: team_id is missing';
  // Slack sends the text typed after the command, empty when there was none.
  if (form.text === undefined) return 'command: text is missing';
  // A form opens with the trigger_id; an answer after the acknowledgement goes to the response_url.
  for (const k of ['trigger_id', 'response_url']) {
    if (form[k] === undefined) return `command: ${k} is missing`;
    if (form[k] === '') return `command: ${k} is empty`;
  }
  return null;
}

/**
 * The body of a signed request, parsed once, as Bolt takes it: a form's fields (a slash
 * command, Slack's SSL check), the JSON of an interactive `payload` field, or a JSON event
 * envelope; or the problem with it, for a 400. The envelope fields the listeners rely on are
 * checked here, so a malformed body never throws inside Bolt.
 */
export function readSlackBody(contentType: string | undefined, text: string): SlackBody {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { problem: 'the body is not valid JSON' };
    }
    if (!isObject(body)) return { problem: 'the JSON body is not an object' };
    if (typeof body.type !== 'string') return { problem: 'event: type is missing' };
    // Slack sends JSON for the Events API alone: an interactive payload comes as a form field.
    const schema = Object.hasOwn(EVENTS, body.type) ? EVENTS[body.type] : undefined;
    if (!schema) return { problem: `event: type "${body.type.slice(0, 40)}" is not one roe-bot handles` };
    const problem = envelopeProblem(schema, body, 'event');
    return problem ? { problem } : { body };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = parseQuery(text) as Record<string, string | string[]>;
    const payload = form.payload;
    if (payload !== undefined) {
      if (typeof payload !== 'string') return { problem: 'the payload field is given more than once' };
      let body: unknown;
      try {
        body = JSON.parse(payload);
      } catch {
        return { problem: 'the payload field is not valid JSON' };
      }
      if (!isObject(body)) return { problem: 'the payload field is not a JSON object' };
      if (typeof body.type !== 'string') return { problem: 'payload: type is missing' };
      const schema = Object.hasOwn(INTERACTIVE, body.type) ? INTERACTIVE[body.type] : undefined;
      if (!schema) return { problem: `payload: type "${body.type.slice(0, 40)}" is not one roe-bot handles` };
      const problem = envelopeProblem(schema, body, 'payload');
      return problem ? { problem } : { body };
    }
    if (form.ssl_check !== undefined) return { body: form };
    if (form.command === undefined) return { problem: 'the form has neither a command nor a payload' };
    const problem = commandProblem(form);
    return problem ? { problem } : { body: form };
  }
  return { problem: `unsupported content type "${type}"` };
}

/** What is wrong with the shape of a signed request body, or null when the app can take it. */
export function bodyProblem(contentType: string | undefined, text: string): string | null {
  const r = readSlackBody(contentType, text);
  return 'problem' in r ? r.problem : null;
}

const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

/**
 * Slack's request signature (https://docs.slack.dev/authentication/verifying-requests-from-slack):
 * `v0=` and the hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret, compared in
 * constant time. The headers must have Slack's exact format, and the timestamp must be within
 * five minutes of the server's clock either way (Bolt's own check refuses only old ones), so a
 * captured request cannot be sent again once the replay cache has forgotten it. The comparison
 * is Node's `timingSafeEqual` on the digest's bytes: Bolt's `isValidSlackRequest` compares with
 * `tsscmp`, which draws a random key and computes two more HMACs per request.
 */
export function verifySlackSignature(signingSecret: string, timestamp: unknown, signature: unknown, body: string, nowMs: number): boolean {
  if (!signatureHeadersMayHold(timestamp, signature, nowMs)) return false;
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest();
  // The format check above makes this 32 bytes, as the digest is.
  return timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'));
}

/**
 * Whether a request's signature headers have Slack's exact format and a timestamp within five
 * minutes of the server's clock: what can be told before the body is read. One whose headers do
 * not can carry no valid signature, whatever its body.
 */
function signatureHeadersMayHold(timestamp: unknown, signature: unknown, nowMs: number): signature is string {
  if (typeof signature !== 'string' || typeof timestamp !== 'string') return false;
  if (!SIGNATURE_FORMAT.test(signature) || !TIMESTAMP_FORMAT.test(timestamp)) return false;
  return Math.abs(nowMs / 1000 - Number(timestamp)) <= SIGNATURE_WINDOW_SECONDS;
}

/** Bytes of Slack's SSL check (`ssl_check=1&token=…`, sent unsigned) at most, with room to spare. */
const SSL_CHECK_MAX_BYTES = 1_024;

/**
 * Whether a request whose headers can carry no valid signature may still be Slack's SSL check,
 * from its headers: a small form. Anything else is refused before its body is read.
 */
function maybeSslCheck(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const length = req.headers['content-length'];
  return type === 'application/x-www-form-urlencoded' && length !== undefined && /^\d{1,6}$/.test(length) && Number(length) <= SSL_CHECK_MAX_BYTES;
}

/**
 * Signatures still inside their timestamp window: the same signed request sent again is a
 * replay. Entries expire with their window and are dropped from the oldest end as requests come
 * in, a few at a time, so no request waits for a sweep. Bounded in size.
 */
export class ReplayCache {
  private readonly expiry = new Map<string, number>();
  constructor(private readonly max = 200_000) {}
  get size(): number {
    return this.expiry.size;
  }
  /** True when this signature was seen and is still inside its window; records it otherwise. */
  seen(signature: string, untilMs: number, nowMs: number): boolean {
    const until = this.expiry.get(signature);
    if (until !== undefined && until > nowMs) return true;
    this.dropExpired(nowMs);
    // Still full of live entries (a flood): forget the oldest rather than grow without bound.
    if (this.expiry.size >= this.max) this.expiry.delete(this.expiry.keys().next().value!);
    this.expiry.delete(signature);
    this.expiry.set(signature, untilMs);
    return false;
  }
  /** Drops expired entries from the oldest end (insertion order), at most a few per call. */
  private dropExpired(nowMs: number): void {
    let n = 0;
    for (const [k, until] of this.expiry) {
      if (until > nowMs || n++ >= 8) return;
      this.expiry.delete(k);
    }
  }
}

/** One decoder for every request (it keeps no state between whole-buffer decodes). */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

function answer(res: ServerResponse, status: number, error: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
}

/** Slack's SSL check (`ssl_check=1`, sent unsigned): answered 200 and never passed on. */
function isSslCheck(req: IncomingMessage, text: string): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && parseQuery(text).ssl_check === '1';
}

/** A request that passed the guard: signed, fresh, not replayed, its body parsed. */
export type GuardedHandler = (req: IncomingMessage & { rawBody: Buffer }, res: ServerResponse, body: Record<string, unknown>) => void;

/**
 * The one door to the app: every request's signature is checked here, once. In order:
 * - a request whose signature headers cannot hold (missing, malformed, or a timestamp more than
 *   five minutes from the server's clock) gets 401 before its body is read, unless it may be
 *   Slack's unsigned SSL check (a form of at most 1 KB), which is read and answered 200;
 * - a body over 1 MB gets 413, and one that would take the bodies being read past
 *   {@link MAX_BUFFERED_BYTES} gets 503 at once;
 * - a body that is not UTF-8 gets 400 saying so;
 * - a request without a valid signature for its body, or with a timestamp more than five
 *   minutes from the server's clock, gets 401 (Slack's unsigned SSL check gets its 200);
 * - the same signature again within its window is a replay, 401 (unless Slack announces a retry
 *   with X-Slack-Retry-Num: the handlers' request keys make a retry file nothing twice);
 * - a signed body whose shape the app cannot take (a payload that is not an object, broken
 *   JSON, a command without a user) gets 400 naming the problem.
 * What passes goes to `handle` with its parsed body (and its raw bytes as `rawBody`).
 */
export function guardSlackRequests(handle: GuardedHandler, signingSecret: string, log: SlackLog, now: () => number = Date.now, budget = new ByteBudget()): RequestListener {
  const replays = new ReplayCache();
  return (req, res) => {
    // Headers that can carry no valid signature (none, malformed, or stale) on anything but what
    // may be Slack's SSL check: 401 at once, the body read and dropped, so a client announcing a
    // large body and sending it slowly, or never, is answered now, not when its time runs out.
    if (!signatureHeadersMayHold(req.headers['x-slack-request-timestamp'], req.headers['x-slack-signature'], now()) && !maybeSslCheck(req)) {
      req.resume();
      log.warn({ route: 'slack' }, 'slack request refused: missing, invalid or stale signature');
      res.writeHead(401);
      res.end();
      return;
    }
    void readBody(req, MAX_BODY_BYTES, budget)
      .then((raw) => {
        if (raw === 'busy') {
          log.warn({ route: 'slack', buffered: budget.inUse }, 'slack request refused: the server holds as many request bodies as it takes at once (a flood?); try again');
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end(JSON.stringify({ error: 'the server is busy: try again in a moment' }));
          return;
        }
        if (raw === 'too large') {
          log.warn({ route: 'slack' }, 'slack request refused: body too large');
          answer(res, 413, 'request body too large');
          return;
        }
        // Slack signs UTF-8 text; bytes that are not UTF-8 are refused before anything else.
        let text: string;
        try {
          text = STRICT_UTF8.decode(raw);
        } catch {
          log.warn({ route: 'slack' }, 'slack request refused: body is not valid UTF-8');
          answer(res, 400, 'the body is not valid UTF-8');
          return;
        }
        const nowMs = now();
        const signature = req.headers['x-slack-signature'];
        const timestamp = req.headers['x-slack-request-timestamp'];
        if (!verifySlackSignature(signingSecret, timestamp, signature, text, nowMs)) {
          if (isSslCheck(req, text)) {
            res.writeHead(200);
            res.end();
            return;
          }
          log.warn({ route: 'slack' }, 'slack request refused: missing, invalid or stale signature');
          res.writeHead(401);
          res.end();
          return;
        }
        const read = readSlackBody(req.headers['content-type'], text);
        if ('problem' in read) {
          log.warn({ route: 'slack', problem: read.problem }, 'slack request refused: malformed body');
          answer(res, 400, read.problem);
          return;
        }
        // Verified: both headers are strings of the checked format. Slack retries only Events
        // API deliveries; the retry header is not signed, so it excuses a repeat of nothing else.
        const until = (Number(timestamp) + SIGNATURE_WINDOW_SECONDS + 1) * 1000;
        const retriedEvent = req.headers['x-slack-retry-num'] !== undefined && read.body.type === 'event_callback';
        if (replays.seen(signature as string, until, nowMs) && !retriedEvent) {
          log.warn({ route: 'slack' }, 'slack request refused: replayed (same signature seen in the last 5 minutes)');
          answer(res, 401, 'replayed request');
          return;
        }
        const buffered = req as IncomingMessage & { rawBody: Buffer };
        buffered.rawBody = raw;
        handle(buffered, res, read.body);
      })
      .catch((err: unknown) => {
        log.warn({ route: 'slack', err }, 'slack request could not be read');
        if (!res.headersSent) answer(res, 400, 'the request could not be read');
      });
  };
}
