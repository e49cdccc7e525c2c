import { pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

/** Paths that may hold a secret, in any log line. */
export const REDACT_PATHS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'appPassword',
  'authorization',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.password',
  '*.appPassword',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-slack-signature"]',
];

const CENSOR = '[redacted]';

/**
 * What an error is logged with: what an operator acts on (its type, message with its causes',
 * stack, code, HTTP status, Slack's error word, MSAL's error code, the request's method and URL
 * without its query), and nothing else. An HTTP client's error carries its request (headers
 * with the bearer token, the body with a client secret) and its answer, at any depth under the
 * error (`config.headers.Authorization`, `request._header`, `response.request.headers`), where
 * path redaction cannot reach: none of that is kept.
 */
const ERROR_FIELDS = ['type', 'message', 'stack', 'code', 'errno', 'syscall', 'statusCode', 'status', 'errorCode', 'subError', 'correlationId', 'retryAfter', 'attemptNumber', 'retriesLeft'] as const;

function isErrorLike(v: unknown): v is Error {
  return v instanceof Error || (typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string' && typeof (v as { stack?: unknown }).stack === 'string');
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A request's method and URL, without credentials, query or fragment (and no path for a Slack response_url, whose path is its secret). */
function requestLine(e: object): string | undefined {
  const own = e as { config?: { method?: unknown; url?: unknown; baseURL?: unknown }; request?: { method?: unknown; url?: unknown } };
  // axios keeps its request in `config`; @azure/core-rest-pipeline (Bot Framework's connector) in a non-enumerable `request`.
  const from = own.config && typeof own.config.url === 'string' ? own.config : own.request && typeof own.request.url === 'string' ? own.request : undefined;
  if (!from) return undefined;
  let url: URL;
  try {
    url = new URL(from.url as string, typeof (from as { baseURL?: unknown }).baseURL === 'string' ? ((from as { baseURL: string }).baseURL) : undefined);
  } catch {
    return undefined;
  }
  const path = url.hostname === 'hooks.slack.com' ? '/…' : url.pathname;
  const method = typeof from.method === 'string' ? `${from.method.toUpperCase()} ` : '';
  return `${method}${url.protocol}//${url.host}${path}`;
}

export function serializeError(err: unknown): unknown {
  if (!isErrorLike(err)) return err;
  const full = stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ERROR_FIELDS) if (scalar(full[key])) out[key] = full[key];
  // Slack's refusal (WebAPIPlatformError's `data`): its error word and the scopes of a missing_scope; never the rest of its answer.
  const data = (err as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null) {
    const d = data as Record<string, unknown>;
    const kept = Object.fromEntries(['error', 'needed', 'provided'].filter((k) => scalar(d[k])).map((k) => [k, d[k]]));
    if (Object.keys(kept).length > 0) out.data = kept;
  }
  const request = requestLine(err);
  if (request) out.request = request;
  const aggregate = (err as { errors?: unknown }).errors;
  if (Array.isArray(aggregate)) out.aggregateErrors = aggregate.map(serializeError);
  return out;
}

/**
 * Credentials by their shape: Slack tokens (xoxb-, xoxp-, xapp-, …), a bearer or basic
 * credential, a JWT. Blanked wherever they stand in a line, under any key and inside any text.
 */
const CREDENTIAL_SHAPES = /\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|\b([Bb]earer|[Bb]asic)\s+[A-Za-z0-9._~+/-]{16,}=*|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g;

/**
 * Every line as it is written, with the configured secrets (as given, and as JSON writes them)
 * and anything shaped like a credential blanked: the last guard, whatever field or message
 * quotes one. A search of the line per secret and one regular expression: logging is not on
 * any request's critical path beyond that.
 */
export function scrubber(secrets: readonly (string | undefined)[] = []): (line: string) => string {
  const literal = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  return (line) => {
    let out = line;
    for (const s of literal) if (out.includes(s)) out = out.split(s).join(CENSOR);
    return out.replace(CREDENTIAL_SHAPES, (_m, scheme: string | undefined) => (scheme ? `${scheme} ${CENSOR}` : CENSOR));
  };
}

/** The secret values of a configuration, for {@link createLogger} to blank wherever they appear. */
export function secretsOf(config: Pick<Config, 'slack' | 'teams'>): string[] {
  return [config.slack?.botToken, config.slack?.signingSecret, config.slack?.appToken, config.teams.appPassword].filter((s): s is string => typeof s === 'string' && s !== '');
}

function options(level: string, secrets: readonly string[]): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: serializeError },
    hooks: { streamWrite: scrubber(secrets) },
    base: { service: 'roe-bot' },
  };
}

/** The server's JSON log. `secrets`: the configuration's secret values ({@link secretsOf}), never written. */
export function createLogger(level: string, destination?: NodeJS.WritableStream, secrets: readonly string[] = []): Logger {
  const opts = options(level, secrets);
  return destination ? pino(opts, destination as never) : pino(opts);
}

const LEVEL_WORDS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * A logger for a person at a terminal (a `roe` command, the console): each line as `roe:
 * warning: …` on `destination`, not JSON; an error's message after it, and its stack only at
 * the debug and trace levels. Redaction as in {@link createLogger}.
 */
export function createTextLogger(level: string, destination: NodeJS.WritableStream, secrets: readonly string[] = []): Logger {
  const stacks = level === 'debug' || level === 'trace';
  const text = {
    write(line: string) {
      let o: { level?: number; msg?: string; err?: { message?: string; stack?: string } };
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        destination.write(line);
        return;
      }
      const word = LEVEL_WORDS[o.level ?? 30] ?? 'info';
      const err = o.err ? (stacks && o.err.stack ? `\n${o.err.stack}` : o.err.message ? ` (${o.err.message})` : '') : '';
      // A policy file's warning says "warning:" after its file and line, as `policy check`
      // prints it: the line already begins with the word, so it is not said twice.
      const msg = word === 'warning' ? (o.msg ?? '').replace(/^(.*?: )warning: /, '$1') : (o.msg ?? '');
      destination.write(`roe: ${word}: ${msg}${err}\n`);
    },
  };
  return pino(options(level, secrets), text as never);
}

export type { Logger };
