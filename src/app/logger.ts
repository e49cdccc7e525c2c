import { pino, type Logger } from 'pino';

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

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const opts = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'roe-bot' } };
  return destination ? pino(opts, destination as never) : pino(opts);
}

const LEVEL_WORDS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * A logger for a person at a terminal (a `roe` command, the console): each line as `roe:
 * warning: …` on `destination`, not JSON; an error's message after it, and its stack only at
 * the debug and trace levels. Redaction as in {@link createLogger}.
 */
export function createTextLogger(level: string, destination: NodeJS.WritableStream): Logger {
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
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'roe-bot' } }, text as never);
}

export type { Logger };
