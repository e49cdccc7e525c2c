import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configuredPlatforms } from '../../../src/app/platforms.js';
import { PlatformStartError, serve, type Serving } from '../../../src/app/serve.js';
import { createSlackHost } from '../../../src/app/slack.js';
import { FakeSlack } from '../../support/fake-slack.js';
import { SLACK_IDS } from '../../../handlers/platforms/slack/ids.js';
import { BOT_TOKEN, SIGNING_SECRET, startSlack, USERS } from '../../support/slack-harness.js';
import { sendSigned, slashCommand, urlVerification, WORKSPACE } from '../../support/slack-requests.js';
import { freePort } from '../../support/net.js';
import { ROOT } from '../../support/builders.js';
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

  it('a start-up auth.test that fails says why: the token refused, or Slack not reached (which no token fixes)', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'invalid_auth' }, 'auth.test');
    const refused = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl });
    cleanups.push(await serve(refused, configuredPlatforms(refused), 0).then((s) => () => s.stop()));
    expect(refused.logs.lines.join('\n')).toContain('slack auth.test refused the token (invalid_auth); check SLACK_BOT_TOKEN');
    const closed = await freePort();
    const offline = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: `http://127.0.0.1:${closed}/api/` });
    cleanups.push(await serve(offline, configuredPlatforms(offline), 0).then((s) => () => s.stop()));
    const lines = offline.logs.lines.join('\n');
    expect(lines).toContain('slack auth.test failed: Slack could not be reached');
    expect(lines).not.toContain('check SLACK_BOT_TOKEN');
  }, 60_000);

  it('with an app token it uses Socket Mode and mounts no HTTP route', () => {
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-A0ROEBOT-0000-abcdef' });
    const host = createSlackHost(rt);
    expect(host.name).toBe('slack');
    expect(host.routes).toEqual({});
    expect(typeof host.start).toBe('function');
  });
});

describe('Socket Mode start: the bot token is checked as over HTTP', () => {
  const APP_TOKEN = 'xapp-1-A0ROEBOT-0000-abcdef0123456789';

  it('a bot token Slack refuses is said at start in Socket Mode too, as over HTTP, and the bot goes on serving', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'invalid_auth' }, 'auth.test');
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl });
    const serving = await serve(rt, configuredPlatforms(rt), 0);
    cleanups.push(() => serving.stop());
    // The app token checked first (checkAppToken), then Socket Mode's own connection.
    expect(fake.callsTo('apps.connections.open').map((c) => c.token)).toEqual([APP_TOKEN, APP_TOKEN]);
    expect(fake.callsTo('auth.test').map((c) => c.token)).toEqual([BOT_TOKEN]);
    const lines = rt.logs.lines.join('\n');
    expect(lines).toContain('slack auth.test refused the token (invalid_auth); check SLACK_BOT_TOKEN');
    expect(lines).not.toContain('slack connected over Socket Mode');
    expect(lines).not.toContain(BOT_TOKEN);
    expect((await fetch(`http://127.0.0.1:${serving.port}/healthz`)).status).toBe(200);
  });

  it('a good bot token: connected over Socket Mode, with the workspace auth.test names', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl });
    const serving = await serve(rt, configuredPlatforms(rt), 0);
    cleanups.push(() => serving.stop());
    expect(fake.callsTo('auth.test')).toHaveLength(1);
    const connected = rt.logs.lines.filter((l) => l.includes('slack connected over Socket Mode'));
    expect(connected).toHaveLength(1);
    expect(connected[0]).toContain(WORKSPACE.team);
  });
});

describe('Socket Mode that cannot connect', () => {
  const APP_TOKEN = 'xapp-1-A0ROEBOT-0000-abcdef0123456789';
  const REFUSED = "SLACK_APP_TOKEN: Slack refused the app-level token (invalid_auth): check that it is this app's token (Basic Information → App-Level Tokens), with the connections:write scope, and that Socket Mode is on";
  const UNREACHED = 'Slack Socket Mode: could not reach Slack (ECONNREFUSED): check the network, a proxy, or SLACK_API_URL';

  /** `npx roe serve` in Socket Mode, run to its end (the fake Slack answers it meanwhile, in this process). */
  function roeServe(apiUrl: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'roe-socket-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = { PATH: process.env.PATH, DATABASE_PATH: join(dir, 'roe.db'), PORT: '0', LOG_LEVEL: 'warn', SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: apiUrl };
    const child = spawn(join(ROOT, 'bin/roe.js'), ['serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // Should it go on running (a server, a reconnecting client), it is stopped: the signal shows it.
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    return new Promise((ok) =>
      child.on('close', (code, signal) => {
        clearTimeout(kill);
        ok({ code, signal, out, err });
      }),
    );
  }

  it('roe serve whose app token Slack refuses stops in one line naming SLACK_APP_TOKEN, exit 1, never printing the token', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'invalid_auth' }, 'apps.connections.open');
    const r = await roeServe(fake.apiUrl);
    expect({ code: r.code, signal: r.signal, err: r.err }).toEqual({ code: 1, signal: null, err: `${REFUSED}\n` });
    // Socket Mode's first call, with the app token.
    expect(fake.callsTo('apps.connections.open').map((c) => c.token)).toEqual([APP_TOKEN]);
    expect(r.out + r.err).not.toContain(APP_TOKEN);
    expect(r.out + r.err).not.toContain(BOT_TOKEN);
  }, 90_000);

  it('roe serve whose app token lacks connections:write stops in one line too (Socket Mode retries that refusal for ever by itself)', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'missing_scope' }, 'apps.connections.open');
    const r = await roeServe(fake.apiUrl);
    expect({ code: r.code, signal: r.signal, err: r.err }).toEqual({ code: 1, signal: null, err: `${REFUSED.replace('invalid_auth', 'missing_scope')}\n` });
    expect(fake.callsTo('apps.connections.open').map((c) => c.token)).toEqual([APP_TOKEN]);
  }, 90_000);

  it('a transient refusal (ratelimited) is left to Socket Mode, which asks again and connects', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'ratelimited' }, 'apps.connections.open');
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl });
    const serving = await serve(rt, configuredPlatforms(rt), 0);
    cleanups.push(() => serving.stop());
    expect(rt.logs.lines.filter((l) => l.includes('slack connected over Socket Mode'))).toHaveLength(1);
  });

  it('roe serve that cannot reach Slack stops in one line saying so and what to check, exit 1', async () => {
    const closed = await freePort();
    const r = await roeServe(`http://127.0.0.1:${closed}/api/`);
    expect({ code: r.code, signal: r.signal, err: r.err }).toEqual({ code: 1, signal: null, err: `${UNREACHED}\n` });
    expect(r.out + r.err).not.toContain(APP_TOKEN);
  }, 90_000);

  it('serve() rejects with the same line, and the server it opened is closed', async () => {
    const fake = await FakeSlack.start({ team: WORKSPACE.team });
    cleanups.push(() => fake.close());
    fake.failNext(1, { error: 'invalid_auth' }, 'apps.connections.open');
    const rt = runtime({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl });
    const port = await freePort();
    const failed = await serve(rt, configuredPlatforms(rt), port).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(PlatformStartError);
    expect((failed as Error).message).toBe(REFUSED);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe('stopping with Slack work under way', () => {
  /** Serves the harness's Slack host on the shared server; a /claim whose form Slack is slow to open. */
  async function slowForm(grace: number) {
    const h = await startSlack();
    cleanups.push(() => h.close());
    const serving = await serve(h.rt, [h.host], 0, { stopGraceMs: grace });
    const release = h.fake.hold('views.open');
    cleanups.push(release);
    const url = `http://127.0.0.1:${serving.port}/slack/events`;
    const res = await sendSigned(url, slashCommand({ command: SLACK_IDS.commands.claim, text: 'acme', user: USERS.sam, channel: 'C0DEALS', responseUrl: h.fake.responseUrl() }), { secret: SIGNING_SECRET });
    // Acknowledged at once; the listener goes on to open the form.
    expect(res.status).toBe(200);
    await h.fake.waitFor(() => h.fake.callsTo('views.open').length > 0, 'views.open');
    return { h, serving, release };
  }

  it('a stop waits for a listener that was acknowledged but is not done, so the form still opens', async () => {
    const { h, serving, release } = await slowForm(5_000);
    let stopped = false;
    const stopping = serving.stop().then(() => (stopped = true));
    await new Promise((ok) => setTimeout(ok, 200));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(h.fake.callsTo('views.open')[0]!.result).toMatchObject({ ok: true });
    expect(h.rt.logs.lines.filter((l) => l.includes('still at work'))).toEqual([]);
  });

  it('but not for ever: after the grace it stops, and says so', async () => {
    const { h, serving } = await slowForm(200);
    const started = Date.now();
    await serving.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(h.rt.logs.lines.filter((l) => l.includes('slack listeners still at work when the server stopped'))).toHaveLength(1);
  });

  it('one grace in all: a request that never arrives whole and a listener still at work share it (the listener keeps a quarter of it)', async () => {
    const grace = 1_000;
    const { h, serving } = await slowForm(grace);
    // A client that sends half a request and waits: the server cannot close until it gives up on it.
    // (Its signature headers may hold, so its body is waited for: one whose headers cannot is refused at once.)
    const half = connect(serving.port, '127.0.0.1');
    await new Promise((ok) => half.once('connect', ok));
    half.write(`POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\nX-Slack-Request-Timestamp: ${Math.floor(Date.now() / 1000)}\r\nX-Slack-Signature: v0=${'0'.repeat(64)}\r\n\r\n{`);
    cleanups.push(async () => void half.destroy());
    // What the Slack host is given to finish its listeners in.
    const given: (number | undefined)[] = [];
    const stopHost = h.host.stop!.bind(h.host);
    h.host.stop = (ms) => (given.push(ms), stopHost(ms));
    const started = Date.now();
    await serving.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(grace - 50);
    // Before, each waited a whole grace of its own: twice as long. Now the listener gets what
    // is left, a quarter of the grace at least (the half request used all of it). Said by what
    // the host is given, not by a clock a loaded machine slows down.
    expect(given).toEqual([grace / 4]);
    expect(took).toBeGreaterThanOrEqual(1.25 * grace - 50);
    expect(h.rt.logs.lines.filter((l) => l.includes('slack listeners still at work when the server stopped'))).toHaveLength(1);
  });
});
