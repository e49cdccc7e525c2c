import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';
import { configuredPlatforms } from '../../src/app/platforms.js';
import { listenHost, platformRoutes, serve, type PlatformHost } from '../../src/app/serve.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { announce } from '../../handlers/notify.js';
import { submitClaim } from '../../handlers/claim.js';
import { policyTextWith, ROOT } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { leaseForDelivery } from '../../db/repos/outbox.repo.js';
import { LEASE_MS } from '../../src/app/outbox-worker.js';
import { as, testRuntime } from '../support/runtime.js';
import { freePort } from '../support/net.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A platform whose SDK takes until `release()` to load. */
function slowPlatform(fail = false) {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((ok) => (release = ok));
  const host: PlatformHost = {
    name: 'slack',
    routes: { 'POST /hook': (_req, res) => void res.end('served') },
    deliver: async () => undefined,
  };
  const loader = {
    routes: ['POST /hook'],
    load: async () => {
      await gate;
      if (fail) throw new Error('the SDK did not load');
      return [host];
    },
  };
  return { loader, release };
}

describe('the server', () => {
  it('answers /healthz, 404 for unknown paths, and picks up accounts imported by another process', async () => {
    const db = join(dir, 'roe.db');
    const rt = testRuntime({ databasePath: db });
    const serving = await serve(rt, [], 0, { accountsRefreshMs: 20 });
    try {
      const base = `http://127.0.0.1:${serving.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      const wrongMethod = await fetch(`${base}/healthz`, { method: 'POST' });
      expect(wrongMethod.status).toBe(405);
      // HEAD is GET without the body (a load balancer's health check may use it), so it is allowed too.
      expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
      const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      expect(rt.matcher.search('zephyr dynamics')).toEqual([]);
      const admin = testRuntime({ databasePath: db, demo: false });
      importCsv(admin.ctx, 'accounts', 'a.csv', 'id,name,domains\nzephyr,Zephyr Dynamics Ltd,zephyr.io\n');
      admin.close();
      for (let i = 0; i < 100 && rt.matcher.search('zephyr dynamics').length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(rt.matcher.search('zephyr dynamics')[0]?.accountId).toBe('zephyr');
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('takes in a policy version another process recorded (an import run with the new ROE_POLICY): claims of it are judged by it', async () => {
    const db = join(dir, 'versions.db');
    // The server, started on 2026.1 (dormant after 30 days), keeps running.
    const rt = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    const serving = await serve(rt, [], 0, { accountsRefreshMs: 20 });
    try {
      // An import runs with 2026.2 (dormant after 60 days, from Dec 2) and brings Northwind's claim.
      const v2 = join(dir, 'v2.yaml');
      writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['dormant_after_days: 30', 'dormant_after_days: 60']]));
      const cron = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
      importCsv(cron.ctx, 'claims', 'claims.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-9,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-12-03T14:00:00Z,\n');
      cron.close();
      for (let i = 0; i < 100 && !rt.policies.byVersion('2026.2'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(rt.policies.byVersion('2026.2')).toBeDefined();
      // 36 days on without activity: under its own 2026.2 the claim still holds the line.
      rt.clock.set('2027-01-08T15:00:00Z');
      expect(rt.policies.inForceAt(rt.clock.now()).version).toBe('2026.2');
      const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
      expect(r.summary).not.toMatch(/is protected/);
      expect(rt.store.claims.forAccount('soylent').filter((c) => c.status === 'protected').map((c) => c.claimant)).toEqual(['northwind']);
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('also a version recorded while it started, before it watched the database', async () => {
    const db = join(dir, 'versions-race.db');
    const rt = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    const v2 = join(dir, 'v2-race.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02']]));
    // While the platforms load (Slack's auth.test, the SDKs), an import runs with 2026.2.
    const load = async () => {
      const cron = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
      importCsv(cron.ctx, 'claims', 'claims.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-9,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-12-03T14:00:00Z,\n');
      cron.close();
      return [];
    };
    const serving = await serve(rt, { routes: [], load }, 0, { accountsRefreshMs: 20 });
    try {
      for (let i = 0; i < 50 && !rt.policies.byVersion('2026.2'); i++) await new Promise((r) => setTimeout(r, 20));
      expect(rt.policies.byVersion('2026.2')).toBeDefined();
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('answers /healthz while the platforms load, and holds their requests until they are ready', async () => {
    const rt = testRuntime({ databasePath: join(dir, 'loading.db') });
    const port = await freePort();
    const { loader, release } = slowPlatform();
    const starting = serve(rt, loader, port);
    try {
      const base = `http://127.0.0.1:${port}`;
      let health = 0;
      for (let i = 0; i < 200 && health !== 200; i++) {
        health = await fetch(`${base}/healthz`).then((r) => r.status, () => 0);
        if (health !== 200) await new Promise((r) => setTimeout(r, 10));
      }
      expect(health).toBe(200);
      let answered = false;
      const early = fetch(`${base}/hook`, { method: 'POST', body: 'x' }).then(async (r) => {
        answered = true;
        return [r.status, await r.text()];
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(false);
      release();
      expect(await early).toEqual([200, 'served']);
      const serving = await starting;
      expect(await (await fetch(`${base}/hook`, { method: 'POST', body: 'x' })).text()).toBe('served');
      await serving.stop();
    } finally {
      release();
      await starting.then(undefined, () => undefined);
      rt.close();
    }
  });

  it('refuses the held requests with 503 and stops when the platforms fail to load', async () => {
    const rt = testRuntime({ databasePath: join(dir, 'failing.db') });
    const port = await freePort();
    const { loader, release } = slowPlatform(true);
    const starting = serve(rt, loader, port);
    const failed = starting.then(() => null, (e: Error) => e.message);
    try {
      const base = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 200 && (await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) !== 200; i++) await new Promise((r) => setTimeout(r, 10));
      const held = fetch(`${base}/hook`, { method: 'POST', body: 'x' }).then((r) => r.status);
      await new Promise((r) => setTimeout(r, 20));
      release();
      expect(await held).toBe(503);
      expect(await failed).toBe('the SDK did not load');
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    } finally {
      rt.close();
    }
  });

  it('when a platform fails to start, those that started are stopped and the server is closed, before serve() rejects', async () => {
    const rt = testRuntime({ databasePath: join(dir, 'second-fails.db') });
    const events: string[] = [];
    const first: PlatformHost = {
      name: 'slack',
      routes: {},
      deliver: async () => undefined,
      start: async () => void events.push('slack started'),
      stop: async () => void events.push('slack stopped'),
    };
    const second: PlatformHost = {
      name: 'teams',
      routes: {},
      deliver: async () => undefined,
      start: async () => {
        events.push('teams start failed');
        throw new Error('teams could not start');
      },
      stop: async () => void events.push('teams stopped'),
    };
    const port = await freePort();
    try {
      const failed = await serve(rt, [first, second], port).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(failed).toBe('teams could not start');
      expect(events).toEqual(['slack started', 'teams start failed', 'slack stopped']);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      rt.close();
    }
  });

  it('a platform still connecting when the start fails (the account index could not be read) is stopped once it has started', async () => {
    const rt = testRuntime({ databasePath: join(dir, 'index-fails.db') });
    const events: string[] = [];
    let connect: () => void = () => undefined;
    const connecting = new Promise<void>((ok) => (connect = ok));
    const host: PlatformHost = {
      name: 'slack',
      routes: {},
      deliver: async () => undefined,
      start: async () => {
        await connecting;
        events.push('slack started');
      },
      stop: async () => void events.push('slack stopped'),
    };
    rt.reindex = () => {
      connect();
      throw new Error('the account index could not be read');
    };
    try {
      const failed = await serve(rt, [host], 0).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(failed).toBe('the account index could not be read');
      expect(events).toEqual(['slack started', 'slack stopped']);
    } finally {
      rt.close();
    }
  });

  it('knows the routes of the configured platforms before loading them', () => {
    const envs: Record<string, string>[] = [
      {},
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' },
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' },
      { MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000a1', MICROSOFT_APP_PASSWORD: 'p' },
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000a1', MICROSOFT_APP_PASSWORD: 'p' },
    ];
    for (const env of envs) {
      const rt = testRuntime({ demo: false, env });
      try {
        const served = configuredPlatforms(rt).flatMap((p) => Object.keys(p.routes));
        expect(platformRoutes(loadConfig(env)).sort(), JSON.stringify(env)).toEqual(served.sort());
      } finally {
        rt.close();
      }
    }
  });
});

describe('where the server listens', () => {
  const SLACK_HTTP = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
  const TEAMS_AUTH = { MICROSOFT_APP_ID: '00000000-0000-4000-8000-0000000000a1', MICROSOFT_APP_PASSWORD: 'p', MICROSOFT_APP_TENANT_ID: '11111111-1111-4111-8111-111111111111' };
  /** An address of this machine other people could reach, if it has one. */
  const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  const warnings = (lines: string[]) => lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40 && /Teams is served unauthenticated/.test(l.msg));

  it.each([
    ['no credentials (unauthenticated Teams)', {}, '127.0.0.1'],
    ['Slack over HTTP', SLACK_HTTP, undefined],
    ['Slack in Socket Mode', { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }, undefined],
    ['authenticated Teams', TEAMS_AUTH, undefined],
    ['Slack and authenticated Teams', { ...SLACK_HTTP, ...TEAMS_AUTH }, undefined],
  ])('%s: binds the right address', (_case, env, host) => {
    const config = loadConfig(env);
    expect(listenHost(config, platformRoutes(config))).toBe(host);
  });

  it('roe serve with no Teams credentials listens on 127.0.0.1 only, and says so and how to fix it in one warning', async () => {
    const rt = testRuntime({ demo: false });
    // As `roe serve` does: the routes known from the config, the platforms loaded after listening.
    const serving = await serve(rt, { routes: platformRoutes(rt.config), load: async () => configuredPlatforms(rt) }, 0);
    try {
      expect((serving.server.address() as AddressInfo).address).toBe('127.0.0.1');
      expect((await fetch(`http://127.0.0.1:${serving.port}/healthz`)).status).toBe(200);
      if (external) await expect(fetch(`http://${external}:${serving.port}/healthz`)).rejects.toThrow();
      const warned = warnings(rt.logs.lines);
      expect(warned).toHaveLength(1);
      expect(warned[0]!.msg).toContain('listens on 127.0.0.1 only');
      expect(warned[0]!.msg).toContain('set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD');
      expect(rt.logs.lines.filter((l) => /unauthenticated/i.test(l))).toHaveLength(1);
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('in production without an app id it refuses to start, and never first says it serves Teams unauthenticated', async () => {
    const rt = testRuntime({ demo: false, env: { NODE_ENV: 'production' } });
    try {
      await expect(serve(rt, { routes: platformRoutes(rt.config), load: async () => configuredPlatforms(rt) }, 0)).rejects.toThrow(/MICROSOFT_APP_ID/);
      expect(rt.logs.lines.filter((l) => /unauthenticated/i.test(l))).toEqual([]);
    } finally {
      rt.close();
    }
  });

  it('roe serve in production without an app id stops with one line naming the variable, before it opens the database or fires a timer', () => {
    const db = join(dir, 'never-opened.db');
    const r = spawnSync(join(ROOT, 'bin/roe.js'), ['serve'], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, NODE_ENV: 'production', PORT: '0' }, timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['configuration: MICROSOFT_APP_ID: is required when NODE_ENV=production (the Teams endpoint never runs unauthenticated in production)']);
    expect(r.stdout).not.toContain('scheduler');
    expect(existsSync(db)).toBe(false);
  });

  it('a case no chat raised is told where the server delivers: with no credentials, Teams unauthenticated, not the console', async () => {
    const rt = testRuntime({ demo: true });
    expect(rt.deps.platform).toBe('console');
    const serving = await serve(rt, configuredPlatforms(rt), 0);
    try {
      expect(rt.deps.platform).toBe('teams');
      const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
      importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nP1,soylent,contoso,resell,Analytics,Deal,qualified,,,pending,2026-11-20,\n`, { announce: (events) => announce(rt.deps, events, null) });
      const queued = rt.db.sqlite.prepare("select platform, target from outbox where status = 'pending'").all() as { platform: string; target: string }[];
      expect(queued).toEqual([{ platform: 'teams', target: JSON.stringify({ kind: 'user', user: '29:pat' }) }]);
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('with no credentials, Teams unauthenticated is where a case no chat raised is told from the start, before the platforms load (the first tick runs meanwhile)', async () => {
    const rt = testRuntime({ demo: true });
    let whileLoading: string | undefined;
    const serving = await serve(rt, { routes: platformRoutes(rt.config), load: async () => ((whileLoading = rt.deps.platform), configuredPlatforms(rt)) }, 0);
    try {
      expect(whileLoading).toBe('teams');
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('says it listens, with the policy version in force and its date', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, [], 0);
    try {
      const line = rt.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'roe-bot listening');
      expect(line).toMatchObject({ port: serving.port, policy: '2026.1', policyEffective: '2026-01-01' });
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it('a restart after a kill says what was left undone: notifications being sent (until when they wait), parked ones and failed timers, each with what to do', async () => {
    const db = join(dir, 'left-undone.db');
    const said = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => /^(outbox|scheduler): (notifications were|parked|timers that)/.test(String(l.msg)));
    const first = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const serving = await serve(first, [], 0);
    await serving.stop();
    // A new database leaves nothing undone: nothing said.
    expect(said(first.logs.lines)).toEqual([]);
    openArbitratedCase(first);
    const ids = first.db.sqlite.prepare("select id from outbox where status = 'pending' order by id").pluck().all() as number[];
    // Killed mid-send: the message taken for delivery, never recorded.
    const lease = new Date(first.clock.now().getTime() + LEASE_MS);
    expect(leaseForDelivery(first.db.db, ids[0]!, first.clock.now(), lease)).toBe(true);
    first.db.sqlite.prepare("update outbox set status = 'parked', attempts = 20 where id = ?").run(ids[1]);
    first.db.sqlite.exec("update timers set status = 'failed', attempts = 5 where id = (select min(id) from timers where status = 'pending')");
    first.close();

    const again = testRuntime({ at: '2026-12-07T14:00:30Z', databasePath: db, demo: false });
    const restarted = await serve(again, [], 0);
    try {
      const lines = said(again.logs.lines);
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        [40, 'outbox: notifications were being sent when the bot last stopped (or another process on this database sends them now): each goes out once its lease runs out, with the later ones to the same conversation; one that Slack or Teams had taken before the stop then shows twice'],
        [40, 'outbox: parked notifications wait to be sent again: `roe outbox` lists them, `roe outbox retry ID|--all` sends them once their cause is put right'],
        [40, 'scheduler: timers that failed every attempt wait: `roe timers` lists them, `roe timers retry ID|--all` fires them once their cause is put right'],
      ]);
      expect(lines[0]).toMatchObject({ notifications: 1, leaseUntil: lease.toISOString() });
      expect(lines[1]).toMatchObject({ notifications: 1 });
      expect(lines[2]).toMatchObject({ timers: 1 });
    } finally {
      await restarted.stop();
      again.close();
    }
  });

  it('also when serve is given the platforms already built', async () => {
    const rt = testRuntime({ demo: false });
    const serving = await serve(rt, configuredPlatforms(rt), 0);
    try {
      expect((serving.server.address() as AddressInfo).address).toBe('127.0.0.1');
    } finally {
      await serving.stop();
      rt.close();
    }
  });

  it.each([
    ['Slack only', SLACK_HTTP],
    ['authenticated Teams', TEAMS_AUTH],
    ['no platform at all', null],
  ])('%s: every interface, as before, with no warning', async (_case, env) => {
    const rt = testRuntime({ demo: false, env: env ?? {} });
    // Slack's SDK would call Slack at start: its routes alone decide where to listen.
    const serving = await serve(rt, env ? { routes: platformRoutes(rt.config), load: async () => (env === TEAMS_AUTH ? configuredPlatforms(rt) : []) } : [], 0);
    try {
      expect(['::', '0.0.0.0']).toContain((serving.server.address() as AddressInfo).address);
      if (external) expect((await fetch(`http://${external}:${serving.port}/healthz`)).status).toBe(200);
      expect(warnings(rt.logs.lines)).toEqual([]);
    } finally {
      await serving.stop();
      rt.close();
    }
  });
});

describe('stopping', () => {
  it('a client that never sends its request whole does not hold the stop for ever', async () => {
    const rt = testRuntime({});
    try {
      const serving = await serve(rt, [], 0, { stopGraceMs: 200 });
      const { connect } = await import('node:net');
      const socket = connect(serving.port, '127.0.0.1');
      await new Promise<void>((ok) => socket.once('connect', () => ok()));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never the blank line
      socket.on('error', () => undefined);
      const started = Date.now();
      await serving.stop();
      expect(Date.now() - started).toBeLessThan(5_000);
      socket.destroy();
    } finally {
      rt.close();
    }
  });

  it('a platform that fails to stop is logged, and the rest stops all the same: the delivery under way is recorded before stop() resolves', async () => {
    const rt = testRuntime({ databasePath: join(dir, 'stop-fails.db') });
    let sending: () => void = () => undefined;
    const sent = new Promise<void>((ok) => (sending = ok));
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((ok) => (finish = ok));
    const host: PlatformHost = {
      name: 'slack',
      routes: {},
      deliver: async () => {
        sending();
        await finished;
      },
      stop: async () => {
        finish();
        throw new Error('the socket would not close');
      },
    };
    try {
      rt.store.outbox.enqueue({ platform: 'slack', target: { kind: 'user', user: 'pat' }, body: { summary: 'a case for you', blocks: [] }, dedupeKey: 'stop-test:1' }, rt.clock.now());
      const serving = await serve(rt, [host], 0);
      await sent;
      await expect(serving.stop()).resolves.toBeUndefined();
      expect(rt.db.sqlite.prepare("select status from outbox where dedupe_key = 'stop-test:1'").get()).toEqual({ status: 'delivered' });
      expect(rt.logs.lines.filter((l) => l.includes('the socket would not close') && l.includes('"platform":"slack"'))).toHaveLength(1);
    } finally {
      rt.close();
    }
  });
});
