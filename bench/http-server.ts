/**
 * The servers the HTTP benchmark loads, one per child process:
 * - `full DB_PATH SINK`: the bot as `roe serve` assembles it (runtime, Slack host with its
 *   receiver and guard, the one HTTP server with /healthz, outbox worker, scheduler), in
 *   production mode, with the Web API and response_urls on the sink;
 * - `bare`: a bare Bolt app with Bolt's own HTTPReceiver (which checks signatures), one command
 *   listener that acknowledges a constant.
 * Prints `BENCH-READY {"port":…}` when it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { loadConfig } from '../src/app/config.js';
import { createLogger } from '../src/app/logger.js';
import { configuredPlatforms } from '../src/app/platforms.js';
import { createRuntime } from '../src/app/runtime.js';
import { serve } from '../src/app/serve.js';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET } from './lib.js';

const [mode, dbPath, sink] = process.argv.slice(2);

if (mode === 'bare') {
  const receiver = new HTTPReceiver({ signingSecret: BENCH_SIGNING_SECRET, endpoints: '/slack/events', processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ receiver, logLevel: LogLevel.ERROR, authorize: async () => ({ botToken: BENCH_BOT_TOKEN, botId: 'B0BOT', botUserId: 'U0BOT', teamId: 'T0HOME' }) });
  app.command('/who-owns', async ({ ack }) => {
    await ack('ok');
  });
  const server = createServer(receiver.requestListener);
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`BENCH-READY ${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else if (mode === 'full') {
  const config = loadConfig({
    DATABASE_PATH: dbPath!,
    SLACK_BOT_TOKEN: BENCH_BOT_TOKEN,
    SLACK_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    SLACK_API_URL: `${sink}/api/`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    PORT: '0',
  });
  const rt = createRuntime(config, createLogger(config.logLevel));
  const serving = await serve(rt, await configuredPlatforms(rt), 0);
  process.stdout.write(`BENCH-READY ${JSON.stringify({ port: serving.port })}\n`);
  process.on('SIGTERM', () => void serving.stop().then(() => { rt.close(); process.exit(0); }));
} else {
  process.stderr.write('usage: http-server.ts bare | full DB_PATH SINK_URL\n');
  process.exit(2);
}
