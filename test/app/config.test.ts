import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, configSchema, escalationChannelsUnserved, EXAMPLE_POLICY, loadConfig, partnersNamedInternal, type Config } from '../../src/app/config.js';
import { botFrameworkOptions } from '../../src/app/teams.js';
import { ROOT } from '../support/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-config-'));
const TENANT = '11111111-1111-4111-8111-111111111111';
const APP_ID = '0f6a1c2e-1111-4222-8333-444455556666';
/** Teams settings Bot Framework will not sign in with, and the one line each is refused with. */
const REFUSED_SIGN_INS: [NodeJS.ProcessEnv, string][] = [
  // A managed identity is named by its app id in its tenant, and has no client secret.
  [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: 'UserAssignedMSI' }, 'MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is UserAssignedMSI'],
  [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' }, 'MICROSOFT_APP_PASSWORD: must not be set when MICROSOFT_APP_TYPE is UserAssignedMSI (a managed identity signs in without a client secret)'],
  [{ MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'userassignedmsi' }, 'MICROSOFT_APP_ID: is required when MICROSOFT_APP_TYPE is UserAssignedMSI'],
  // A single-tenant bot signs in with its app id, in its tenant.
  [{ MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' }, 'MICROSOFT_APP_ID: is required when MICROSOFT_APP_TYPE is SingleTenant'],
  [{ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TYPE: 'SingleTenant' }, 'MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is SingleTenant'],
];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The one line a bad environment gives. */
function problem(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('the environment was accepted');
}

describe('configuration', () => {
  it.each([
    [{ MICROSOFT_APP_TYPE: 'single' }, 'MICROSOFT_APP_TYPE: must be MultiTenant, SingleTenant or UserAssignedMSI (got "single")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: must be fatal, error, warn, info, debug, trace or silent (got "loud")'],
    [{ ROE_POLICY: 'nope.yaml' }, 'ROE_POLICY: cannot read nope.yaml (no such file)'],
    [{ ROE_POLICY: dir }, `ROE_POLICY: cannot read ${dir} (a folder, not a file)`],
    // A client secret alone would leave Teams unauthenticated (roe serve) or open the console (npm start) without a word.
    [{ MICROSOFT_APP_PASSWORD: 's3cret-value' }, 'MICROSOFT_APP_ID: is required when MICROSOFT_APP_PASSWORD is set'],
    // The client secret is what a new registration misses most; a managed identity has none.
    [{ MICROSOFT_APP_ID: '0f6a1c2e-1111-4222-8333-444455556666' }, 'MICROSOFT_APP_PASSWORD: is required with MICROSOFT_APP_ID, unless MICROSOFT_APP_TYPE is UserAssignedMSI (a managed identity, which has none)'],
    // Entra ids are GUIDs: the bot's name, or the tenant's domain (which would sign in, and then match no colleague's tenant).
    [{ MICROSOFT_APP_ID: 'roe-bot', MICROSOFT_APP_PASSWORD: 's3cret-value' }, 'MICROSOFT_APP_ID: must be the bot\'s app (client) id, a GUID like 00000000-0000-0000-0000-000000000000 (got "roe-bot")'],
    [{ MICROSOFT_APP_TENANT_ID: 'contoso.onmicrosoft.com' }, 'MICROSOFT_APP_TENANT_ID: must be your tenant id, a GUID like 00000000-0000-0000-0000-000000000000 (Entra admin center > Overview > Tenant ID), not a domain name (got "contoso.onmicrosoft.com")'],
    // The company's other workspaces and tenants: ids, as Slack and Entra write them, beside what they add to.
    [{ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_INTERNAL_TEAM_IDS: 'T0EMEA, emea.slack.com' }, 'SLACK_INTERNAL_TEAM_IDS: "emea.slack.com" is not a Slack team id: a workspace\'s (T…, such as T0123ABCD) or an Enterprise Grid org\'s (E…), in capitals, separated by commas (got "T0EMEA, emea.slack.com")'],
    [{ SLACK_INTERNAL_TEAM_IDS: 'T0EMEA' }, 'SLACK_BOT_TOKEN: is required when SLACK_INTERNAL_TEAM_IDS is set'],
    [{ MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_INTERNAL_TENANT_IDS: 'emea.onmicrosoft.com' }, 'MICROSOFT_INTERNAL_TENANT_IDS: "emea.onmicrosoft.com" is not a tenant id, a GUID like 00000000-0000-0000-0000-000000000000 (not a domain name), separated by commas (got "emea.onmicrosoft.com")'],
    [{ MICROSOFT_INTERNAL_TENANT_IDS: TENANT }, 'MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_INTERNAL_TENANT_IDS is set (your main tenant, beside which those count as internal)'],
  ])('%j is refused in one line naming the variable', (env, line) => {
    expect(problem(env)).toBe(line);
  });

  it('an empty MICROSOFT_APP_TYPE is unset; the listed values are accepted', () => {
    expect(loadConfig({ MICROSOFT_APP_TYPE: '' }).teams.appType).toBeUndefined();
    expect(loadConfig({ MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TENANT_ID: TENANT }).teams.appType).toBe('UserAssignedMSI');
    expect(loadConfig({ MICROSOFT_APP_TYPE: 'SingleTenant', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TENANT_ID: TENANT }).teams.appType).toBe('SingleTenant');
    // In any letter case, as LOG_LEVEL: read as the list writes it (botbuilder compares them so).
    expect(loadConfig({ MICROSOFT_APP_TYPE: 'singletenant', MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TENANT_ID: TENANT }).teams.appType).toBe('SingleTenant');
    expect(loadConfig({ MICROSOFT_APP_TYPE: ' MULTITENANT ' }).teams.appType).toBe('MultiTenant');
  });

  describe('Teams sign-in: what the configuration takes, Bot Framework signs in with', () => {
    /** Bot Framework's authentication, made as the Teams host makes it: it throws on settings botbuilder will not take. */
    const signIn = (teams: Config['teams']) => new ConfigurationBotFrameworkAuthentication(botFrameworkOptions(teams));

    it.each<NodeJS.ProcessEnv>([
      {},
      { MICROSOFT_APP_TYPE: 'MultiTenant' },
      { MICROSOFT_APP_TENANT_ID: TENANT },
      { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value' },
      { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'MultiTenant' },
      { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 's3cret-value', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'SingleTenant' },
      { MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_APP_TYPE: 'UserAssignedMSI' },
    ])('%j is accepted, and Bot Framework takes it', (env) => {
      expect(() => signIn(loadConfig(env).teams)).not.toThrow();
    });

    // Taken, these would start a server whose Teams adapter fails to load: listening, and answering no one in Teams.
    it.each(REFUSED_SIGN_INS)('%j is refused in one line before the start, as Bot Framework would refuse it', (env, line) => {
      expect(problem(env)).toBe(line);
      expect(() => signIn({ appId: env.MICROSOFT_APP_ID, appPassword: env.MICROSOFT_APP_PASSWORD, tenantId: env.MICROSOFT_APP_TENANT_ID, appType: env.MICROSOFT_APP_TYPE, internalTenantIds: [] })).toThrow();
    });
  });

  it("the company's other Slack teams and tenants are read as lists, by commas or spaces; empty is none", () => {
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
    expect(loadConfig({ ...slack, SLACK_INTERNAL_TEAM_IDS: ' T0EMEA,E0SUBSID  T0APAC,, T0EMEA ' }).slack?.internalTeamIds).toEqual(['T0EMEA', 'E0SUBSID', 'T0APAC']);
    expect(loadConfig({ ...slack, SLACK_INTERNAL_TEAM_IDS: '' }).slack?.internalTeamIds).toEqual([]);
    expect(loadConfig({ SLACK_INTERNAL_TEAM_IDS: ' ' }).slack).toBeNull();
    // Tenant ids in lower case, however written: Teams names them so.
    expect(loadConfig({ MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_INTERNAL_TENANT_IDS: '5B1F3C1E-0000-4000-8000-00000000A001, 5b1f3c1e-0000-4000-8000-00000000a002' }).teams.internalTenantIds).toEqual(['5b1f3c1e-0000-4000-8000-00000000a001', '5b1f3c1e-0000-4000-8000-00000000a002']);
    expect(loadConfig({}).teams.internalTenantIds).toEqual([]);
  });

  it("names each partner whose Slack team or Teams tenant is the company's own, as configured", () => {
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_INTERNAL_TEAM_IDS: 'T0EMEA', MICROSOFT_APP_TENANT_ID: TENANT, MICROSOFT_INTERNAL_TENANT_IDS: '22222222-2222-4222-8222-222222222222' });
    const partners = [
      { id: 'emea', slackTeamId: 'T0EMEA', teamsTenantId: '22222222-2222-4222-8222-222222222222' },
      { id: 'northwind', slackTeamId: 'T0NORTHWIND', teamsTenantId: '5b1f3c1e-0000-4000-8000-00000000a001' },
      { id: 'none', slackTeamId: null, teamsTenantId: null },
    ];
    expect(partnersNamedInternal(partners, config).map((w) => w.split(':')[0] + ': ' + /\(([A-Z_]+)\)/.exec(w)![1])).toEqual(['partner "emea": SLACK_INTERNAL_TEAM_IDS', 'partner "emea": MICROSOFT_INTERNAL_TENANT_IDS']);
    expect(partnersNamedInternal(partners, loadConfig({}))).toEqual([]);
  });

  it('warns when the policy names escalation channels only for platforms the bot does not serve; nothing when it serves one named, or none is named (the policy check says that)', () => {
    const slackOnly = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    const teamsOnly = loadConfig({});
    const both = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', MICROSOFT_APP_ID: TENANT, MICROSOFT_APP_PASSWORD: 'p' });
    expect(escalationChannelsUnserved({ slack: 'C0ESCAL' }, teamsOnly)).toEqual([
      "sla.escalation_channel names a channel for Slack only, which this bot does not serve (it serves Teams): a case past the end of its escalation chain is told to its last arbitrator alone, and one whose last arbitrator cannot be reached to nobody in chat, only to this log as an error; name a channel for Teams in the policy's sla.escalation_channel",
    ]);
    expect(escalationChannelsUnserved({ teams: '19:escal@thread.tacv2', slack: '  ' }, slackOnly)).toEqual([
      "sla.escalation_channel names a channel for Teams only, which this bot does not serve (it serves Slack): a case past the end of its escalation chain is told to its last arbitrator alone, and one whose last arbitrator cannot be reached to nobody in chat, only to this log as an error; name a channel for Slack in the policy's sla.escalation_channel",
    ]);
    // Cases of either platform go to the one channel named for a platform it serves.
    expect(escalationChannelsUnserved({ slack: 'C0ESCAL' }, both)).toEqual([]);
    expect(escalationChannelsUnserved({ teams: '19:escal@thread.tacv2' }, both)).toEqual([]);
    expect(escalationChannelsUnserved({ slack: 'C0ESCAL' }, slackOnly)).toEqual([]);
    expect(escalationChannelsUnserved({}, slackOnly)).toEqual([]);
  });

  it('a tenant id is taken in capitals too, with spaces around it', () => {
    expect(loadConfig({ MICROSOFT_APP_TENANT_ID: ' 5B1F3C1E-0000-4000-8000-00000000A001 ' }).teams.tenantId).toBe('5B1F3C1E-0000-4000-8000-00000000A001');
  });

  it('an empty or blank LOG_LEVEL or DATABASE_PATH is unset, as `KEY=` in .env reads: the default applies', () => {
    for (const empty of ['', '  ']) {
      expect(loadConfig({ LOG_LEVEL: empty }).logLevel).toBe('info');
      expect(loadConfig({ DATABASE_PATH: empty }).databasePath).toBe('./data/roe.db');
    }
    expect(loadConfig({ LOG_LEVEL: 'warn', DATABASE_PATH: ' /tmp/x.db ' })).toMatchObject({ logLevel: 'warn', databasePath: '/tmp/x.db' });
  });

  it('LOG_LEVEL is read in any letter case (INFO as info); an unknown word is still refused', () => {
    for (const [given, level] of [['INFO', 'info'], ['Debug', 'debug'], [' WARN ', 'warn'], ['silent', 'silent']] as const) {
      expect(loadConfig({ LOG_LEVEL: given }).logLevel, given).toBe(level);
    }
    expect(problem({ LOG_LEVEL: 'LOUD' })).toBe('LOG_LEVEL: must be fatal, error, warn, info, debug, trace or silent (got "LOUD")');
  });

  it('uses the shipped example policy when ROE_POLICY is unset or empty', () => {
    expect(loadConfig({}).policyPath).toBe(EXAMPLE_POLICY);
    expect(loadConfig({ ROE_POLICY: '' }).policyPath).toBe(EXAMPLE_POLICY);
    expect(loadConfig({ ROE_POLICY: EXAMPLE_POLICY }).policyPath).toBe(EXAMPLE_POLICY);
  });
});

describe('PORT', () => {
  it.each([
    [undefined, 3000],
    ['', 3000],
    ['  ', 3000],
    ['8080', 8080],
    ['0', 0],
  ])('%j listens on %d (empty is unset, not a random port)', (value, port) => {
    expect(loadConfig({ PORT: value }).port).toBe(port);
  });

  it('a value that is no port is refused in one line', () => {
    expect(problem({ PORT: 'abc' })).toBe('PORT: must be a port number (0-65535) (got "abc")');
    expect(problem({ PORT: '70000' })).toBe('PORT: must be a port number (0-65535) (got "70000")');
  });
});

describe('.env.example and the README', () => {
  const variables = Object.keys(configSchema.shape).sort();
  const example = parseEnv(readFileSync(resolve(ROOT, '.env.example'), 'utf8'));

  it('.env.example names every variable the bot reads, and no other', () => {
    expect(Object.keys(example).sort()).toEqual(variables);
  });

  it('.env.example copied as it is configures the defaults', () => {
    expect(loadConfig(example)).toEqual(loadConfig({}));
  });

  it("the README's Configuration table names every variable the bot reads, and no other", () => {
    const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
    const section = /^## Configuration\n([\s\S]*?)^## /m.exec(readme)![1]!;
    const named = section.split('\n').filter((line) => line.startsWith('| `')).flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!));
    expect(named.sort()).toEqual(variables);
  });
});

describe('NODE_ENV', () => {
  it('production in any letter case is production (Teams is then never served unauthenticated); anything else is not', () => {
    for (const value of ['production', 'Production', 'PRODUCTION', ' production ']) expect(loadConfig({ NODE_ENV: value }).production, value).toBe(true);
    for (const value of ['', 'development', 'prod', 'test']) expect(loadConfig({ NODE_ENV: value }).production, value).toBe(false);
  });
});
