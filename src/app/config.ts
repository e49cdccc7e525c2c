import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/** The project root, whatever the working directory. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE_POLICY = resolve(PROJECT_ROOT, 'examples/policy.yaml');

const optional = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/** An empty (or blank) value means unset, as `KEY=` in `.env` is read: the default applies. */
function emptyIsUnset(v: unknown): unknown {
  return typeof v === 'string' && v.trim() === '' ? undefined : v;
}

/** A word in any letter case (and spacing) as its lower-case form; empty or blank is unset, as for {@link emptyIsUnset}. */
function anyCase(v: unknown): unknown {
  const set = emptyIsUnset(v);
  return typeof set === 'string' ? set.trim().toLowerCase() : set;
}

/** An Entra (Azure AD) id: an app id or a tenant id. */
const GUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;
const guid = (what: string, where = '') => optional.refine((v) => v === undefined || GUID.test(v), `must be ${what}, a GUID like 00000000-0000-0000-0000-000000000000${where}`);

/**
 * A list of ids, separated by commas or spaces (empty or blank is unset), each checked by `valid`
 * (the message names the first that is not).
 */
function idList(valid: RegExp, what: string) {
  return optional
    .transform((v) => (v === undefined ? [] : [...new Set(v.split(/[\s,]+/).filter((id) => id !== ''))]))
    .superRefine((ids, ctx) => {
      const bad = ids.find((id) => !valid.test(id));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `"${bad}" is not ${what}` });
    });
}

/** A Slack team id: a workspace's (T…) or an Enterprise Grid org's (E…), as the partners CSV takes them. */
const SLACK_TEAM_ID = /^[TE][A-Z0-9]{2,}$/;

/** Bot Framework's app types, as botbuilder reads them. */
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** A variable that takes one of a few words; the message lists them, as `.env.example` does. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be ${values.slice(0, -1).join(', ')} or ${values.at(-1)}` });
}

/** Exactly the keys of `.env.example`. */
export const configSchema = z
  .object({
    SLACK_BOT_TOKEN: optional.refine((v) => v === undefined || v.startsWith('xoxb-'), 'must be a bot token starting with xoxb-'),
    SLACK_SIGNING_SECRET: optional,
    SLACK_APP_TOKEN: optional.refine((v) => v === undefined || v.startsWith('xapp-'), 'must be an app-level token starting with xapp-'),
    SLACK_API_URL: optional.refine((v) => v === undefined || URL.canParse(v), 'must be a URL like https://slack.com/api/'),
    // The company's other workspaces and Enterprise Grid orgs, whose members are internal too (Slack Connect).
    SLACK_INTERNAL_TEAM_IDS: idList(SLACK_TEAM_ID, 'a Slack team id: a workspace\'s (T…, such as T0123ABCD) or an Enterprise Grid org\'s (E…), in capitals, separated by commas'),
    // GUIDs, as Teams names them: the tenant's domain name (contoso.onmicrosoft.com) would sign the bot in all
    // the same, and then match no colleague's tenant (each would be told to ask for a partner link), nor open a 1:1 chat.
    MICROSOFT_APP_ID: guid("the bot's app (client) id"),
    MICROSOFT_APP_PASSWORD: optional,
    MICROSOFT_APP_TENANT_ID: guid('your tenant id', ' (Entra admin center > Overview > Tenant ID), not a domain name'),
    // The company's other tenants, whose members are internal too.
    MICROSOFT_INTERNAL_TENANT_IDS: idList(GUID, 'a tenant id, a GUID like 00000000-0000-0000-0000-000000000000 (not a domain name), separated by commas'),
    // Empty means unset, as for the other optional keys; any letter case (singletenant) reads as written in the list.
    MICROSOFT_APP_TYPE: optional.transform((v) => (v === undefined ? v : (APP_TYPES.find((t) => t.toLowerCase() === v.toLowerCase()) ?? v))).pipe(oneOf(APP_TYPES).optional()),
    // Empty means unset (3000), not port 0 (a random port).
    PORT: z.preprocess(emptyIsUnset, z.coerce.number({ error: 'must be a port number (0-65535)' }).int('must be a port number (0-65535)').min(0, 'must be a port number (0-65535)').max(65535, 'must be a port number (0-65535)').default(3000)),
    DATABASE_PATH: z.preprocess(emptyIsUnset, z.string().trim().default('./data/roe.db')),
    ROE_POLICY: optional,
    // In any letter case (INFO, Debug), as the stack-trace switch reads it.
    LOG_LEVEL: z.preprocess(anyCase, oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
    NODE_ENV: optional,
  })
  .superRefine((c, ctx) => {
    if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'is required with SLACK_BOT_TOKEN (or set SLACK_APP_TOKEN for Socket Mode)' });
    if ((c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN) && !c.SLACK_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set' });
    // A client secret without the app id it belongs to would leave Teams unauthenticated (or the console opened) without a word.
    if (c.MICROSOFT_APP_PASSWORD && !c.MICROSOFT_APP_ID) ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_ID'], message: 'is required when MICROSOFT_APP_PASSWORD is set' });
    // Bot Framework signs a single-tenant bot or a managed identity in only with the app id and the
    // tenant id (and a managed identity with no secret): without them its adapter fails to load,
    // and the server would listen with Teams answering nothing.
    const tenantBound = c.MICROSOFT_APP_TYPE === 'SingleTenant' || c.MICROSOFT_APP_TYPE === 'UserAssignedMSI';
    if (tenantBound && !c.MICROSOFT_APP_ID) ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_ID'], message: `is required when MICROSOFT_APP_TYPE is ${c.MICROSOFT_APP_TYPE}` });
    if (c.MICROSOFT_APP_ID && !c.MICROSOFT_APP_PASSWORD && c.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_PASSWORD'], message: 'is required with MICROSOFT_APP_ID, unless MICROSOFT_APP_TYPE is UserAssignedMSI (a managed identity, which has none)' });
    if (c.MICROSOFT_APP_PASSWORD && c.MICROSOFT_APP_TYPE === 'UserAssignedMSI') ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_PASSWORD'], message: 'must not be set when MICROSOFT_APP_TYPE is UserAssignedMSI (a managed identity signs in without a client secret)' });
    // Listed without the platform (or the company's main tenant) they add to, they would change nothing, without a word.
    if (c.SLACK_INTERNAL_TEAM_IDS.length > 0 && !c.SLACK_BOT_TOKEN) ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'is required when SLACK_INTERNAL_TEAM_IDS is set' });
    if (c.MICROSOFT_INTERNAL_TENANT_IDS.length > 0 && !c.MICROSOFT_APP_TENANT_ID) ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: 'is required when MICROSOFT_INTERNAL_TENANT_IDS is set (your main tenant, beside which those count as internal)' });
    if (tenantBound && !c.MICROSOFT_APP_TENANT_ID) ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: `is required when MICROSOFT_APP_TYPE is ${c.MICROSOFT_APP_TYPE}` });
  });

export type RawConfig = z.output<typeof configSchema>;

export interface Config {
  port: number;
  databasePath: string;
  policyPath: string;
  logLevel: RawConfig['LOG_LEVEL'];
  production: boolean;
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string | undefined;
    /** The company's other Slack workspaces and Enterprise Grid orgs (SLACK_INTERNAL_TEAM_IDS): their members are internal. */
    internalTeamIds: readonly string[];
  } | null;
  teams: {
    appId: string | undefined;
    appPassword: string | undefined;
    tenantId: string | undefined;
    appType: string | undefined;
    /** The company's other tenants (MICROSOFT_INTERNAL_TENANT_IDS), in lower case: their members are internal. */
    internalTenantIds: readonly string[];
  };
}

export class ConfigError extends Error {}

/**
 * Parses the environment once (and `.env` when present). A bad value throws ConfigError with
 * one line naming the variable and the problem; so does a policy file that cannot be read
 * (its content is checked when it is loaded, and those errors name the file and line).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const i = result.error.issues[0]!;
    const name = String(i.path[0] ?? 'environment');
    const value = env[name];
    throw new ConfigError(`${name}: ${i.message}${value !== undefined && !/TOKEN|SECRET|PASSWORD/.test(name) ? ` (got "${value}")` : ''}`);
  }
  const c = result.data;
  const policyPath = c.ROE_POLICY ?? EXAMPLE_POLICY;
  const unreadable = unreadableFile(policyPath);
  if (unreadable) throw new ConfigError(c.ROE_POLICY ? `ROE_POLICY: cannot read ${c.ROE_POLICY} (${unreadable})` : `ROE_POLICY: not set, and the shipped example ${EXAMPLE_POLICY} cannot be read (${unreadable})`);
  return {
    port: c.PORT,
    databasePath: c.DATABASE_PATH,
    policyPath,
    logLevel: c.LOG_LEVEL,
    // In any letter case: production is where Teams is never served unauthenticated, so a "Production" is taken at its word.
    production: c.NODE_ENV?.trim().toLowerCase() === 'production',
    slack: c.SLACK_BOT_TOKEN ? { botToken: c.SLACK_BOT_TOKEN, signingSecret: c.SLACK_SIGNING_SECRET, appToken: c.SLACK_APP_TOKEN, apiUrl: c.SLACK_API_URL, internalTeamIds: c.SLACK_INTERNAL_TEAM_IDS } : null,
    teams: { appId: c.MICROSOFT_APP_ID, appPassword: c.MICROSOFT_APP_PASSWORD, tenantId: c.MICROSOFT_APP_TENANT_ID, appType: c.MICROSOFT_APP_TYPE, internalTenantIds: [...new Set(c.MICROSOFT_INTERNAL_TENANT_IDS.map((t) => t.toLowerCase()))] },
  };
}

/** Why a file cannot be read (an error code such as ENOENT), or null when it can. */
function unreadableFile(path: string): string | null {
  try {
    if (statSync(path).isDirectory()) return whyUnreadable({ code: 'EISDIR' });
    accessSync(path, constants.R_OK);
    return null;
  } catch (e) {
    return whyUnreadable(e);
  }
}

/** Why a file could not be read, in words (the system's code for anything else). */
export function whyUnreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'a folder, not a file' };
  return (code && words[code]) ?? code ?? (e as Error).message;
}

/**
 * The variables of a `.env` text that look meant for the bot but are none of its own (a misspelt
 * `SLACK_TOKEN`, a `DATABASE`), each as a line saying what the bot reads instead: they would be
 * ignored without a word. Those of other programs (`NODE_OPTIONS`, `TZ`) are let be.
 */
export function strayEnvKeys(text: string): string[] {
  const known = Object.keys(configSchema.shape);
  const group = (key: string) => key.split('_')[0]!;
  // Written another way (Azure's templates write MicrosoftAppId): the same letters, other case and underscores.
  const letters = (key: string) => key.replaceAll('_', '').toUpperCase();
  const values = parseEnv(text);
  const keys = Object.keys(values);
  // A line of one of roe-bot's variables without its "=" (`SLACK_BOT_TOKEN xoxb-…`, `PORT: 3000`) is no variable to the loader.
  const unset = text.split(/\r?\n|\r/).flatMap((raw, i) => {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#') || line.includes('=')) return [];
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line)?.[0];
    const meant = name ? known.find((k) => letters(k) === letters(name)) : undefined;
    return meant ? [`.env: line ${i + 1} has no "=" and is ignored: write it ${meant}=value`] : [];
  });
  // Node's loader reads such a line, and those after it up to the next "=", as one name: the variable of that "=" is lost too.
  const swallowed = keys.filter((key) => /\s/.test(key)).flatMap((key) => {
    const last = key.split(/\s+/).at(-1) ?? '';
    return known.includes(last) ? [`.env: ${last} is ignored too: a line before it has no "=", and the lines up to ${last} are read as one name`] : [];
  });
  return [...unset, ...swallowed, ...keys
    .filter((key) => !known.includes(key) && !/\s/.test(key))
    .flatMap((key) => {
      const same = known.find((k) => letters(k) === letters(key));
      if (same) {
        // Beside the variable written as roe-bot reads it (a file shared with an Azure template's bot): nothing to say.
        if (values[same]) return [];
        // Beside it left empty (as .env.example has it), while this one has the value: roe-bot reads the empty one.
        if (keys.includes(same)) return values[key] ? [`.env: ${key} is not a roe-bot variable, and is ignored: ${same} is empty; give it the value instead`] : [];
        return [`.env: ${key} is not a roe-bot variable, and is ignored: write it ${same}`];
      }
      const near = known.filter((k) => group(k) === group(key.toUpperCase()) && k !== 'NODE_ENV');
      return near.length ? [`.env: ${key} is not a roe-bot variable, and is ignored (roe-bot reads ${near.join(', ')})`] : [];
    })];
}

/**
 * Loads `.env` from the working directory into process.env when the file exists (Node's own
 * loader). Returns what is wrong with it that the bot would otherwise ignore (see strayEnvKeys).
 * A `.env` there that cannot be read (its permissions, a folder) throws ConfigError naming it.
 */
export function loadDotEnv(path = '.env'): string[] {
  if (!existsSync(path)) return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`.env: cannot read ${resolve(path)} (${whyUnreadable(e)})`);
  }
  process.loadEnvFile(path);
  return strayEnvKeys(text);
}

/**
 * {@link loadDotEnv} at a process's start: each warning written as a line. A `.env` that cannot
 * be read is one line naming it, as a bad variable is, and false: the process stops (exit 1)
 * rather than run without the configuration the file holds (another database, the console
 * instead of Slack).
 */
export function loadDotEnvAtStart(write: (line: string) => void, path = '.env'): boolean {
  try {
    for (const warning of loadDotEnv(path)) write(warning);
    return true;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    write(`configuration: ${e.message}`);
    return false;
  }
}

/**
 * The chat platforms the config serves: Slack when it is configured; Teams when MICROSOFT_APP_ID
 * is set, or unauthenticated (trying the bot locally) when no other platform is configured. What
 * `roe serve` starts (configuredPlatforms) and where a person may be reached (HandlerDeps.platforms).
 */
export function servedChatPlatforms(config: Pick<Config, 'slack' | 'teams'>): ('slack' | 'teams')[] {
  return [...(config.slack ? (['slack'] as const) : []), ...(config.teams.appId || !config.slack ? (['teams'] as const) : [])];
}

/**
 * A warning when the policy's escalation channels (`channels`, its sla.escalation_channel) are
 * all for platforms the configuration does not serve: a case nobody of its chain may take is then
 * posted to no channel (see escalationChannel in handlers/notify.ts, which falls back to the
 * other served platform's). None named at all is the policy check's own warning (policyWarnings).
 */
export function escalationChannelsUnserved(channels: { slack?: string | undefined; teams?: string | undefined }, config: Pick<Config, 'slack' | 'teams'>): string[] {
  const named = (['slack', 'teams'] as const).filter((p) => channels[p]?.trim());
  const served = servedChatPlatforms(config);
  if (named.length === 0 || named.some((p) => served.includes(p))) return [];
  const words = (ps: readonly ('slack' | 'teams')[]) => ps.map((p) => (p === 'slack' ? 'Slack' : 'Teams')).join(' and ');
  return [
    `sla.escalation_channel names a channel for ${words(named)} only, which this bot does not serve (it serves ${words(served)}): a case past the end of its escalation chain is told to its last arbitrator alone, and one whose last arbitrator cannot be reached to nobody in chat, only to this log as an error; name a channel for ${words(served)} in the policy's sla.escalation_channel`,
  ];
}

/**
 * A warning for each partner whose Slack team or Teams tenant the configuration names as the
 * company's own (SLACK_INTERNAL_TEAM_IDS; MICROSOFT_APP_TENANT_ID, MICROSOFT_INTERNAL_TENANT_IDS):
 * its people count as colleagues, seeing every partner's deals, not as that partner's.
 */
export function partnersNamedInternal(partners: readonly { id: string; slackTeamId: string | null; teamsTenantId: string | null }[], config: Pick<Config, 'slack' | 'teams'>): string[] {
  const teams = new Set(config.slack?.internalTeamIds ?? []);
  const tenants = new Set([...(config.teams.tenantId ? [config.teams.tenantId.toLowerCase()] : []), ...config.teams.internalTenantIds]);
  return partners.flatMap((p) => [
    ...(p.slackTeamId && teams.has(p.slackTeamId) ? [`partner "${p.id}": its slack_team_id ${p.slackTeamId} is your company's (SLACK_INTERNAL_TEAM_IDS), so its people count as your colleagues and see every partner's deals, not as ${p.id}'s: correct one or the other`] : []),
    ...(p.teamsTenantId && tenants.has(p.teamsTenantId.toLowerCase())
      ? [`partner "${p.id}": its teams_tenant_id ${p.teamsTenantId} is your company's (${config.teams.tenantId?.toLowerCase() === p.teamsTenantId.toLowerCase() ? 'MICROSOFT_APP_TENANT_ID' : 'MICROSOFT_INTERNAL_TENANT_IDS'}), so its people count as your colleagues and see every partner's deals, not as ${p.id}'s: correct one or the other`]
      : []),
  ]);
}
