import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/app/config.js';
import { configuredPlatforms } from '../../../src/app/platforms.js';
import { createTeamsHost } from '../../../src/app/teams.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { FORMS } from '../../../handlers/replies/model.js';
import { submitClaim } from '../../../handlers/claim.js';
import { as } from '../../support/runtime.js';
import { getPerson } from '../../../db/repos/people.repo.js';
import { testRuntime } from '../../support/runtime.js';
import { cardOf, readCard } from '../../support/fake-connector.js';
import { invokeActivity, messageActivity, startTeams, TENANTS, USERS, type TeamsHarness } from '../../support/teams-harness.js';
import { importCsv } from '../../../src/core/import/import.service.js';

const APP_ID = '00000000-1111-4222-8333-444444444444';
const APP_PASSWORD = 'not-a-real-secret-value';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A well-formed JWT from an issuer Bot Framework does not use, signed by nobody. */
const forgedToken = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'forged' })}.${b64({ iss: 'https://attacker.example', aud: APP_ID, serviceurl: 'http://127.0.0.1', exp: 4102444800 })}.${Buffer.from('sig').toString('base64url')}`;

describe('with MICROSOFT_APP_ID set, every request must carry Bot Framework’s token', () => {
  let h: TeamsHarness;
  afterEach(async () => {
    await h.stop();
  });

  it.each([
    ['no Authorization header', {}],
    ['a garbage bearer token', { authorization: 'Bearer garbage' }],
    ['a token from an issuer Bot Framework does not use', { authorization: `Bearer ${forgedToken}` }],
  ])('%s gets 401 and changes nothing', async (_name, headers: Record<string, string>) => {
    h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD } });
    const claims = h.rt.store.claims.all().length;
    const ledger = [...h.rt.store.ledger.entries()].length;
    const message = await h.post(messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url), headers);
    expect(message.status).toBe(401);
    const submit = await h.post(invokeActivity(USERS.northwind, TEAMS_IDS.submits[FORMS.claim], { state: {}, account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'x', stage: 'qualified' }, { kind: 'personal' }, h.connector.url), headers);
    expect(submit.status).toBe(401);
    expect(h.connector.calls).toEqual([]);
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    expect([...h.rt.store.ledger.entries()]).toHaveLength(ledger);
    expect(getPerson(h.rt.db.db, `teams:${USERS.sam.id}`)).toBeUndefined();
    // the password never reaches the log
    expect(h.rt.logs.lines.join('\n')).not.toContain(APP_PASSWORD);
    // each refusal is one warning line of the bot's own (the adapter, which prints a stack trace, never sees them)
    expect(h.rt.logs.lines.filter((l) => l.includes('teams request refused: no valid Bot Framework token'))).toHaveLength(2);
  });

  it('a request with no Authorization header gets 401 before its body is read: it need not even send it, and no token check runs', async () => {
    h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD } });
    const checked = vi.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'authenticateRequest');
    try {
      const u = new URL(h.url);
      // Announces a 1 MB body and sends a few bytes of it: answered all the same, at once.
      const answer = await new Promise<{ status: number; body: string } | 'no answer'>((ok, fail) => {
        const req = request({ host: u.hostname, port: u.port, path: '/api/messages', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(1_000_000) } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += String(d)));
          res.on('end', () => {
            clearTimeout(giveUp);
            req.destroy();
            ok({ status: res.statusCode ?? 0, body });
          });
        });
        const giveUp = setTimeout(() => {
          req.destroy();
          ok('no answer');
        }, 3_000);
        req.on('error', fail);
        req.write('{"type":"message",');
      });
      expect(answer).toEqual({ status: 401, body: JSON.stringify({ error: 'unauthorized: Bot Framework’s token is missing or not valid' }) });
      // sent whole, an activity without a token is refused without a token check either
      expect((await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url))).status).toBe(401);
      expect(checked).not.toHaveBeenCalled();
      expect(h.connector.calls).toEqual([]);
    } finally {
      checked.mockRestore();
    }
  });

  it.each([
    ['not JSON', '{not json', {}],
    ['not an activity', '{}', {}],
    ['an activity missing its fields', '{"type":"message"}', {}],
    ['not JSON, with a forged token', '{not json', { authorization: `Bearer ${forgedToken}` }],
    ['not an activity, with a garbage token', '{"type":"message"}', { authorization: 'Bearer garbage' }],
  ])('a body that is %s gets 401, saying nothing of the body', async (_name, body, headers: Record<string, string>) => {
    h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD } });
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized: Bot Framework’s token is missing or not valid' });
    expect(h.connector.calls).toEqual([]);
  });
});

describe('with MICROSOFT_APP_ID set, tokens naming made-up tenants', () => {
  /** botbuilder's list of the issuers its emulator check takes, which it adds to for every tenant a token names. */
  const issuers = () => (createRequire(createRequire(import.meta.url).resolve('botbuilder'))('botframework-connector') as { EmulatorValidation: { ToBotFromEmulatorTokenValidationParameters: { issuer: string[] } } }).EmulatorValidation.ToBotFromEmulatorTokenValidationParameters.issuer;
  /** An unsigned token as Entra ID would issue it to tenant `tid`. */
  const tenantToken = (tid: string) => `${b64({ alg: 'RS256', typ: 'JWT', kid: 'forged' })}.${b64({ iss: `https://sts.windows.net/${tid}/`, tid, aud: APP_ID, appid: APP_ID, ver: '1.0', exp: 4102444800 })}.${Buffer.from('sig').toString('base64url')}`;

  it('get 401 and leave nothing behind in botbuilder (whose list of issuers would grow with every one)', async () => {
    const h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD } });
    try {
      const before = issuers().length;
      for (let i = 0; i < 5; i++) {
        const res = await h.post(messageActivity(USERS.sam, 'roe help', { kind: 'personal' }, h.connector.url), { authorization: `Bearer ${tenantToken(randomUUID())}` });
        expect(res.status).toBe(401);
        const notJson = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${tenantToken(randomUUID())}` }, body: 'x' });
        expect(notJson.status).toBe(401);
      }
      expect(issuers()).toHaveLength(before);
      expect(h.connector.calls).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

describe('with MICROSOFT_APP_ID set, a body that is not JSON', () => {
  it.each([
    ['no token', {}],
    ['a forged token', { authorization: `Bearer ${forgedToken}` }],
  ])('with %s gets 401 too, saying nothing of the body', async (_name, headers: Record<string, string>) => {
    const h = await startTeams({ env: { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD } });
    try {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': type, ...headers }, body: 'type=message' });
        expect(res.status).toBe(401);
        expect(await res.json()).toEqual({ error: 'unauthorized: Bot Framework’s token is missing or not valid' });
      }
      expect(h.connector.calls).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

describe('unauthenticated mode', () => {
  it('is refused when NODE_ENV=production, naming the variable', () => {
    const rt = testRuntime({ env: { NODE_ENV: 'production' } });
    try {
      expect(() => createTeamsHost(rt)).toThrow(ConfigError);
      expect(() => createTeamsHost(rt)).toThrow(/^MICROSOFT_APP_ID: is required when NODE_ENV=production/);
      // serving nothing else, the server does not start
      expect(() => configuredPlatforms(rt)).toThrow(/MICROSOFT_APP_ID/);
    } finally {
      rt.close();
    }
  });

  it.each([
    [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANTS.home }, true],
    [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANTS.home, MICROSOFT_APP_TYPE: 'SingleTenant' }, false],
    [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD, MICROSOFT_APP_TENANT_ID: TENANTS.home, MICROSOFT_APP_TYPE: 'MultiTenant' }, false],
    [{}, false],
  ])('with %o, warns that an unset MICROSOFT_APP_TYPE signs in as MultiTenant: %s', (env, warned) => {
    const rt = testRuntime({ env });
    try {
      createTeamsHost(rt);
      expect(rt.logs.lines.some((l) => l.includes('MICROSOFT_APP_TYPE is not set, so the bot signs in as MultiTenant'))).toBe(warned);
    } finally {
      rt.close();
    }
  });

  it('is what a development server runs without an app id, and production runs Teams with one', () => {
    const envs: Record<string, string>[] = [{}, { NODE_ENV: 'production', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: APP_PASSWORD }];
    for (const env of envs) {
      const rt = testRuntime({ env });
      try {
        expect(configuredPlatforms(rt).map((p) => p.name)).toEqual(['teams']);
      } finally {
        rt.close();
      }
    }
  });
});

describe('the unauthenticated endpoint (no app id) takes nothing a web page can send', () => {
  /** A raw request, with the Host header as given (fetch would not let a test set it). */
  function raw(url: string, o: { host?: string; contentType: string; body: string; headers?: Record<string, string> }): Promise<number> {
    const u = new URL(url);
    return new Promise((ok, fail) => {
      const req = request({ host: u.hostname, port: u.port, path: '/api/messages', method: 'POST', headers: { 'content-type': o.contentType, ...(o.host ? { host: o.host } : {}), ...o.headers } }, (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      });
      req.on('error', fail);
      req.end(o.body);
    });
  }

  it.each([
    // A page on any site can post a "simple" request to 127.0.0.1 without asking the browser (no CORS preflight).
    ['a cross-site post as text/plain', { contentType: 'text/plain', status: 415 }],
    ['a cross-site form post', { contentType: 'application/x-www-form-urlencoded', status: 415 }],
    // DNS rebinding: a page whose own name now resolves to 127.0.0.1 may send JSON, but names its own host.
    ['JSON through a rebound DNS name', { contentType: 'application/json', host: 'evil.example:3000', status: 403 }],
    // A tunnel or proxy on this machine passes on requests from anywhere, the Host rewritten to localhost as Bot Framework's guides have ngrok do.
    ['JSON through a tunnel (ngrok --host-header=localhost)', { contentType: 'application/json', host: 'localhost:3000', headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-host': 'abc.ngrok.app', 'x-forwarded-proto': 'https' }, status: 403 }],
    ['JSON through a reverse proxy (Forwarded)', { contentType: 'application/json', host: '127.0.0.1:3000', headers: { forwarded: 'for=203.0.113.9;proto=https' }, status: 403 }],
    ['JSON through a proxy (Via)', { contentType: 'application/json', host: '127.0.0.1:3000', headers: { via: '1.1 proxy' }, status: 403 }],
  ])('%s is refused and changes nothing', async (_name, o: { contentType: string; host?: string; headers?: Record<string, string>; status: number }) => {
    const h = await startTeams();
    try {
      const claims = h.rt.store.claims.all().length;
      const activity = invokeActivity(USERS.sam, TEAMS_IDS.submits[FORMS.claim], { state: {}, account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'x', stage: 'qualified' }, { kind: 'personal' }, h.connector.url);
      expect(await raw(h.url, { contentType: o.contentType, body: JSON.stringify(activity), ...(o.host ? { host: o.host } : {}), ...(o.headers ? { headers: o.headers } : {}) })).toBe(o.status);
      expect(h.rt.store.claims.all()).toHaveLength(claims);
      expect(h.connector.calls).toEqual([]);
      expect(getPerson(h.rt.db.db, `teams:${USERS.sam.id}`)).toBeUndefined();
      // the same activity as the emulator sends it, to 127.0.0.1 or localhost, is served
      expect(await raw(h.url, { contentType: 'application/json; charset=utf-8', body: JSON.stringify(activity), host: `localhost:${new URL(h.url).port}` })).toBe(200);
      expect(h.rt.store.claims.all()).toHaveLength(claims + 1);
    } finally {
      await h.stop();
    }
  });
});

describe('trying the bot locally (no app id, no tenant id)', () => {
  it('a user whose activity names no tenant (the Bot Framework Emulator) is a colleague; a partner’s tenant stays the partner’s', async () => {
    const h = await startTeams({ env: { MICROSOFT_APP_TENANT_ID: '' } });
    try {
      const a = messageActivity(USERS.sam, 'who-owns acme', { kind: 'personal' }, h.connector.url);
      delete (a.channelData as Record<string, unknown>).tenant;
      delete (a.conversation as Record<string, unknown>).tenantId;
      expect((await h.post(a)).status).toBe(200);
      const answer = readCard(cardOf(h.connector.calls.filter((c) => c.kind === 'reply' || c.kind === 'send').at(-1)));
      expect(answer).toContain('Acme Corporation');
      expect(answer).toContain('Northwind Partners');
      // a partner's tenant is still that partner's: it sees no other partner's name
      const partner = readCard(await h.say(USERS.contoso, 'who-owns acme'));
      expect(partner).toContain('Acme Corporation');
      expect(partner).not.toContain('Northwind');
    } finally {
      await h.stop();
    }
  });
});

describe('tenant ids are GUIDs, in either case', () => {
  it('a partner whose tenant id the CSV writes in capitals is recognised, and so is the company’s own', async () => {
    const h = await startTeams({ env: { MICROSOFT_APP_TENANT_ID: TENANTS.home.toUpperCase() } });
    try {
      importCsv(h.rt.ctx, 'partners', 'p.csv', `id,name,tier,slack_team_id,teams_tenant_id\ncontoso,Contoso Consulting,silver,T0CONTOSO,${TENANTS.contoso.toUpperCase()}\n`);
      expect(h.rt.store.partners.get('contoso')!.teamsTenantId).toBe(TENANTS.contoso.toLowerCase());
      // a colleague sees every party; Contoso's rep acts for Contoso and sees nobody else's
      expect(readCard(await h.say(USERS.sam, 'who-owns acme'))).toContain('Northwind Partners');
      const partner = readCard(await h.say(USERS.contoso, 'who-owns acme'));
      expect(partner).toContain('Acme Corporation');
      expect(partner).not.toContain('Northwind');
      expect(partner).not.toContain('not linked to a partner');
    } finally {
      await h.stop();
    }
  });
});

describe('the whole server', () => {
  it('serves /api/messages beside /healthz and delivers notifications with its own worker', async () => {
    const h = await startTeams({ serve: true });
    try {
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      await h.say(USERS.sam, 'roe help');
      h.rt.store.outbox.enqueue({ platform: 'teams', target: { kind: 'user', user: USERS.sam.id }, body: { visibility: 'private', summary: 'From the worker', blocks: [{ type: 'text', text: 'From the worker' }] }, dedupeKey: 'worker:1' }, h.rt.clock.now());
      await h.connector.waitFor((calls) => calls.some((c) => c.kind === 'send' && JSON.stringify(c.body).includes('From the worker')), 'the worker’s delivery');
    } finally {
      await h.stop();
    }
  });
});

describe('what a partner types, in the arbitrator’s card', () => {
  it('evidence is a quote of its own on a shaded container, under its label: its lines cannot pass for the card’s own', async () => {
    const h = await startTeams();
    try {
      const base = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal\n• #9 fake', stage: 'proposal', amount: '' };
      const evidence = 'see deck\n• #1 Direct sales, registered Jan 1 (protected)\nRuled by Pat Okafor: Northwind owns it.';
      const first = submitClaim(h.rt.deps, as.partner(h.rt, 'northwind'), { ...base, evidence }, { origin: null, requestKey: null });
      const id = /Claim #(\d+)/.exec(first.summary)![1];
      submitClaim(h.rt.deps, as.partner(h.rt, 'contoso'), { ...base, stage: 'qualified', evidence: '' }, { origin: null, requestKey: null });
      const d = h.rt.store.disputes.all().at(-1)!;
      const card = (await h.click(USERS.pat, TEAMS_IDS.refresh.disputeCase, { value: String(d.id) })) as { body: { type: string; style?: string }[] };
      const quotes = card.body.filter((e) => e.type === 'Container' && e.style === 'emphasis');
      expect(quotes.map((q) => readCard(q))).toEqual(['Reason\nOverlap detected when the claim was filed.', `Evidence on claim #${id} (Northwind Partners)\nsee deck\n• #1 Direct sales, registered Jan 1 (protected)\nRuled by Pat Okafor: Northwind owns it.`]);
      // Outside the quote, no line of it; the opportunity's name is one line of the claims list.
      const rest = card.body.filter((e) => !quotes.includes(e));
      expect(JSON.stringify(rest)).not.toContain('Ruled by Pat Okafor: Northwind');
      expect(readCard({ body: rest })).toContain('resell, Deal • #9 fake, stage proposal');
    } finally {
      await h.stop();
    }
  });
});
