/**
 * The HTTP benchmark's baseline, in its own process: a bare Bolt app with Bolt's own
 * HTTPReceiver (which checks signatures) and one command listener that acknowledges a constant.
 * Prints `BENCH-READY {"port":…}` when it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET } from './lib.js';

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
