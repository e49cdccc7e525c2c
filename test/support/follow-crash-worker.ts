/**
 * A process for a crash test: drains the outbox once with the real Slack deliverer (against a
 * fake client that prints each post) and kills itself with SIGKILL at one point of a delivery:
 * a dispute thread's first post accepted by Slack, its record being written with where it landed.
 * Usage: tsx test/support/follow-crash-worker.ts DB ISO_TIME
 */
import { writeSync } from 'node:fs';
import { createSlackDeliverer } from '../../handlers/platforms/slack/deliver.js';
import { loadConfig } from '../../src/app/config.js';
import { createLogger } from '../../src/app/logger.js';
import { drainOutbox, type Deliverer } from '../../src/app/outbox-worker.js';
import { createRuntime } from '../../src/app/runtime.js';
import { slackCaseCards } from '../../src/app/slack.js';
import { FakeClock } from '../../src/core/clock.js';
import { EXAMPLE_POLICY_PATH } from './builders.js';

const [db, at] = process.argv.slice(2);
const clock = new FakeClock(at!);
const rt = createRuntime(loadConfig({ DATABASE_PATH: db, ROE_POLICY: EXAMPLE_POLICY_PATH }), createLogger('silent'), clock);
let n = 0;
const client = {
  chat: {
    postMessage: async (args: { channel: string; thread_ts?: string; text: string }) => {
      const ts = `1700000000.1${String(++n).padStart(5, '0')}`;
      writeSync(1, `${JSON.stringify({ channel: args.channel, thread_ts: args.thread_ts ?? null, text: args.text, ts })}\n`);
      return { ok: true, ts };
    },
    update: async () => ({ ok: true }),
  },
  conversations: { open: async (a: { users: string }) => ({ channel: { id: `D-${a.users}` } }) },
} as never;
const slack = createSlackDeliverer({ client, disputes: rt.store.disputes, caseCards: slackCaseCards(rt), log: rt.logger });
// The crash point: in the follow-up write (the thread's ts), after the delivery is marked.
const crashing: Deliverer = async (m) => {
  const follow = await slack(m);
  if (m.target.kind === 'dispute-thread' && follow) {
    return () => {
      writeSync(1, 'KILL\n');
      process.kill(process.pid, 'SIGKILL');
    };
  }
  return follow;
};
void drainOutbox(rt.db.db, { slack: crashing }, () => clock.now(), rt.logger);
