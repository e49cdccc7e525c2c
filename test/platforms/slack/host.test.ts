import { afterEach, describe, expect, it } from 'vitest';
import { configuredPlatforms } from '../../../src/app/platforms.js';
import { serve, type Serving } from '../../../src/app/serve.js';
import { createSlackHost } from '../../../src/app/slack.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../../support/slack-harness.js';
import { sendSigned, urlVerification, WORKSPACE } from '../../support/slack-requests.js';
import { testRuntime, type TestRuntime } from '../../support/runtime.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function runtime(env: Record<string, string>): TestRuntime {
  const rt = testRuntime({ demo: false, env });
  cleanups.push(() => rt.close());
  return rt;
}

describe('Slack on the shared server', () => {
  it('is off without Slack credentials', () => {
    expect(configuredPlatforms(runtime({})).map((p) => p.name)).not.toContain('slack');
  });

  it('with a bot token and signing secret, serve() answers POST /slack/events beside /healthz', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    const platforms = configuredPlatforms(rt);
    // Slack without MICROSOFT_APP_ID: no unauthenticated Teams endpoint beside it
    expect(platforms.map((p) => p.name)).toEqual(['slack']);
    const serving: Serving = await serve(rt, platforms, 0);
    cleanups.push(() => serving.stop());
    const base = `http://127.0.0.1:${serving.port}`;
    const res = await sendSigned(`${base}/slack/events`, urlVerification('abc123'), { secret: SIGNING_SECRET });
    expect(res.json()).toEqual({ challenge: 'abc123' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/slack/events`)).status).toBe(405);
    expect((await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    expect(fake.callsTo('auth.test')).toHaveLength(1);
  });

  it('with an app token it uses Socket Mode and mounts no HTTP route', () => {
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A0ROEBOT-0000-abcdef' });
    const host = createSlackHost(rt);
    expect(host.name).toBe('slack');
    expect(host.routes).toEqual({});
    expect(typeof host.start).toBe('function');
  });
});
