import type { RequestListener } from 'node:http';
import { App, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { ChatIdentity, Principal } from '../../../src/core/authz.js';
import type { HandlerDeps } from '../../deps.js';
import type { SlackLog } from './context.js';
import { DELIVERY_CLIENT_OPTIONS, TRANSIENT } from './deliver.js';
import { registerErrorHandler } from './errors.js';
import { SlackEventsReceiver } from './receiver.js';
import { SlackIdentities } from './identity.js';
import { notingUnlinked } from '../unlinked.js';
import * as actions from './listeners/actions.js';
import * as commands from './listeners/commands.js';
import * as events from './listeners/events.js';
import * as options from './listeners/options.js';
import * as shortcuts from './listeners/shortcuts.js';
import { ListenerTable } from './listeners/table.js';
import * as views from './listeners/views.js';

/** Every listener module, grouped by kind; each registers its listeners once, on a {@link ListenerTable}. */
export const LISTENER_MODULES = [commands, actions, views, shortcuts, options, events] as const;

/** The Slack endpoint on the shared server: commands, interactivity, options and events. */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackAppOptions {
  botToken: string;
  /** HTTP mode: every request's signature is checked with it. */
  signingSecret?: string | undefined;
  /** Socket Mode (local development without a public URL) instead of HTTP. */
  appToken?: string | undefined;
  /** Base URL of the Web API (a proxy, or a fake in tests). */
  apiUrl?: string | undefined;
  /** The company's other workspaces and Enterprise Grid orgs (SLACK_INTERNAL_TEAM_IDS): their members are internal. */
  internalTeamIds?: readonly string[];
  deps: HandlerDeps;
  resolve: (identity: ChatIdentity) => Principal;
  log: SlackLog;
  /** Overrides for the Web API client of the listeners (tests: `retryConfig: { retries: 0 }`). */
  clientOptions?: Pick<webApi.WebClientOptions, 'retryConfig' | 'timeout' | 'rejectRateLimitedCalls'>;
}

export interface SlackApp {
  app: App;
  /** A Web API client with the bot token (listeners get their own from Bolt). */
  client: webApi.WebClient;
  /** A client for the outbox deliverer: no retries of its own (the outbox retries), 429 rejected with its Retry-After. */
  deliveryClient: webApi.WebClient;
  identities: SlackIdentities;
  /** HTTP mode: the listener to mount on `POST /slack/events` of the shared server, signature checks included; null in Socket Mode. */
  requestListener: RequestListener | null;
  start(): Promise<void>;
  /**
   * Stops taking events (Socket Mode), then waits up to `graceMs` for listeners still at work:
   * a request is acknowledged before its listener is done (a form opened, a card updated).
   */
  stop(graceMs?: number): Promise<void>;
}

/** How long a stop waits for listeners still at work, unless told. */
const LISTENER_GRACE_MS = 10_000;

const SECRET_PATTERN = /\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+/g;

/**
 * The Slack libraries' debug lines that carry a whole payload after their label: the Web API
 * client's request body, headers and result (messages as sent, with what users wrote; users.info
 * with their names), Socket Mode's messages received and acknowledged (the user, their form's
 * values, the payload's verification token), and what an acknowledgement answers (Bolt's Socket
 * Mode receiver and the client's message sent: a who-owns answer, a form's result or its errors
 * with what was typed). The label is kept, the payload never logged.
 */
const PAYLOAD_LINE = /^(http request (?:body|headers|result): |Received a message on the WebSocket: |Calling ack\(\) - type: [^,]*, envelope_id: [^,]*, data: |Unable to parse an incoming WebSocket message \(will ignore\): |Sending a WebSocket message: |ack\(\) (?:call begins|response sent|response stored) \(body: )/;

/**
 * Bolt's and the Web API client's log lines, into ours; anything shaped like a token is blanked,
 * and a line carrying a payload keeps only its label (PAYLOAD_LINE).
 */
export function slackLibraryLogger(log: SlackLog): BoltLogger {
  const line = (parts: unknown[]) => {
    const text = parts.map((p) => (typeof p === 'string' ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(' ');
    const label = PAYLOAD_LINE.exec(text);
    // An acknowledgement's body is in brackets: they are closed after the label.
    const kept = label?.[1];
    return kept !== undefined ? `${kept}[payload not logged]${kept.endsWith('(body: ') ? ')' : ''}` : text.replace(SECRET_PATTERN, '[redacted]');
  };
  // Bolt writes several debug lines per request: they are not even formatted unless debug is on.
  const debugOn = () => log.isLevelEnabled?.('debug') ?? true;
  return {
    debug: (...m: unknown[]) => {
      if (debugOn()) log.debug({ source: 'bolt' }, line(m));
    },
    info: (...m: unknown[]) => log.info({ source: 'bolt' }, line(m)),
    warn: (...m: unknown[]) => log.warn({ source: 'bolt' }, line(m)),
    error: (...m: unknown[]) => log.error({ source: 'bolt' }, line(m)),
    // The level is the application's (LOG_LEVEL); Bolt's own setting is ignored.
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: () => undefined,
  };
}

/**
 * The Bolt app: over HTTP through a receiver whose request listener is mounted on the shared
 * server (its guard checks every request's signature: a forged, stale or replayed request gets
 * 401), or over Socket Mode when an app token is given. The bot identity comes from one
 * `auth.test`, which also says which workspace is home.
 */
/**
 * What a failed start-up auth.test means for whoever reads the log: Slack refused the token, or
 * Slack could not be reached at all (the network, a proxy, SLACK_API_URL), which no token fixes.
 */
export function authTestFailure(err: unknown): string {
  const e = err as { code?: string; data?: { error?: string } };
  if (e.code === 'slack_webapi_platform_error') return `slack auth.test refused the token (${e.data?.error ?? 'error'}); check SLACK_BOT_TOKEN`;
  return 'slack auth.test failed: Slack could not be reached (check the network, a proxy, or SLACK_API_URL); requests are served, and Slack is asked again as they need it';
}

/**
 * What a Socket Mode start that failed means, in one line naming what to check: Slack refused the
 * app-level token (`apps.connections.open` is the first call, made with it), or Slack could not
 * be reached at all (the network, a proxy, SLACK_API_URL), which no token fixes. Null for any
 * other failure. Never the token itself.
 */
export function socketModeFailure(err: unknown): string | null {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; original?: Error & { cause?: { code?: string; message?: string } } };
  let line: string | null = null;
  if (e?.code === 'slack_webapi_platform_error') {
    line = `SLACK_APP_TOKEN: Slack refused the app-level token (${e.data?.error ?? 'error'}): check that it is this app's token (Basic Information → App-Level Tokens), with the connections:write scope, and that Socket Mode is on`;
  } else if (e?.code === 'slack_webapi_request_error') {
    const cause = e.original?.cause?.code ?? e.original?.cause?.message ?? e.original?.message ?? 'no answer';
    line = `Slack Socket Mode: could not reach Slack (${cause}): check the network, a proxy, or SLACK_API_URL`;
  } else if (e?.code === 'slack_webapi_http_error') {
    line = `Slack Socket Mode: Slack answered HTTP ${e.statusCode ?? '?'} to apps.connections.open: check SLACK_API_URL or a proxy`;
  }
  return line?.replace(SECRET_PATTERN, '[redacted]') ?? null;
}

/**
 * Asks Slack for a Socket Mode connection with the app-level token once before Socket Mode's
 * client does: that client gives up at once on only five refusals (not_authed, invalid_auth and
 * three of a disabled account or workspace) and retries every other one for ever, so a token
 * without the connections:write scope (`missing_scope`), or another app's of a kind Slack will
 * not take, would leave the server running and connecting, logging, never saying what to fix.
 * Any refusal but a transient one stops the start here; one unanswered or transient is left to
 * the client, which says so (socketModeFailure) or retries as it should. The URL it is given is
 * not used (each expires unused after a while).
 */
async function checkAppToken(appToken: string, clientOptions: webApi.WebClientOptions): Promise<void> {
  try {
    await new webApi.WebClient(appToken, { ...clientOptions, retryConfig: { retries: 0 } }).apps.connections.open({});
  } catch (e) {
    // Slack's answers that say nothing of the token (busy, failing for a moment, a workspace migrating): as the deliverer counts them.
    if (e instanceof webApi.WebAPIPlatformError && !TRANSIENT.has(e.data.error)) throw e;
  }
}

export function createSlackApp(o: SlackAppOptions): SlackApp {
  const logger = slackLibraryLogger(o.log);
  const clientOptions: webApi.WebClientOptions = {
    logger,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1_000 },
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    ...o.clientOptions,
  };
  const client = new webApi.WebClient(o.botToken, clientOptions);
  const deliveryClient = new webApi.WebClient(o.botToken, { ...clientOptions, ...DELIVERY_CLIENT_OPTIONS });
  // Whose team a stranger is of, for the admin who would let its people in.
  const resolve = notingUnlinked(o.resolve, (team, former) =>
    former
      ? o.log.info({ team, partner: former.id }, `slack: a user of a Slack team that was ${former.name}'s until it left the programme (roe partner close) may only ask for help; a partners CSV giving its id again is refused: to bring the partner back in, import it with --reopen ${former.id}`)
      : o.log.info({ team }, 'slack: a user of a Slack team that is neither yours nor a partner\'s may only ask for help; to let its people in, put its id in the partners CSV (slack_team_id), or in SLACK_INTERNAL_TEAM_IDS if the team is your company\'s'),
  );
  const identities = new SlackIdentities(client, resolve, Date.now, (team) => o.deps.ctx.store.partners.all().some((p) => p.slackTeamId === team), new Set(o.internalTeamIds));
  const table = new ListenerTable();
  for (const m of LISTENER_MODULES) m.register(table.app, { deps: o.deps, identities, log: o.log });
  const authorize = async () => {
    const ws = await identities.workspace();
    return { botToken: o.botToken, botId: ws.botId, botUserId: ws.botUserId, ...(ws.teamId ? { teamId: ws.teamId } : {}), ...(ws.enterpriseId ? { enterpriseId: ws.enterpriseId } : {}) };
  };

  // No listener keeps conversation state (Bolt's conversation store would be read on every
  // request), and none listens to messages, the only events of the bot's own that ignoreSelf drops.
  const appOptions = { authorize, logger, clientOptions: { ...clientOptions }, extendedErrorHandler: true, convoStore: false, ignoreSelf: false } as const;
  let app: App;
  let requestListener: RequestListener | null = null;
  if (o.appToken) {
    app = new App({ socketMode: true, appToken: o.appToken, ...appOptions });
  } else {
    if (!o.signingSecret) throw new Error('Slack over HTTP needs the signing secret (SLACK_SIGNING_SECRET)');
    const receiver = new SlackEventsReceiver(o.signingSecret, o.log, logger, (body) => table.unrouted(body));
    app = new App({ receiver, ...appOptions });
    requestListener = receiver.requestListener;
  }

  table.mount(app);
  registerErrorHandler(app, client, o.log);

  return {
    app,
    client,
    deliveryClient,
    identities,
    requestListener,
    start: async () => {
      // Socket Mode connects with the app-level token first: a start that cannot connect stops
      // there (Slack refused that token, or is not reached), and the bot token is checked after.
      if (!requestListener) {
        await checkAppToken(o.appToken!, clientOptions);
        await app.start();
      }
      // Check the bot token at start, so a bad one shows in the log at once; events retry it.
      await identities.workspace().then(
        (ws) => o.log.info({ team: ws.teamId, enterprise: ws.enterpriseId, ...(o.internalTeamIds?.length ? { internalTeams: o.internalTeamIds } : {}) }, requestListener ? 'slack connected over HTTP' : 'slack connected over Socket Mode'),
        (err: unknown) => o.log.error({ err }, authTestFailure(err)),
      );
    },
    stop: async (graceMs = LISTENER_GRACE_MS) => {
      if (!requestListener) await app.stop();
      if (!(await table.settle(graceMs))) o.log.warn({ graceMs }, 'slack listeners still at work when the server stopped');
    },
  };
}
