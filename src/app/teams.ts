import { activityProblem, channelProblem } from '../../handlers/platforms/teams/envelope.js';
import { ByteBudget, readBody } from '../../handlers/platforms/request-body.js';
import { notingUnlinked } from '../../handlers/platforms/unlinked.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigurationBotFrameworkAuthenticationOptions, Response as BotResponse } from 'botbuilder';
import { asContact, type TeamsContacts } from '../../handlers/platforms/teams/contacts.js';
import { createTeamsDeliverer } from '../../handlers/platforms/teams/deliver.js';
import { caseCardLive } from '../../handlers/notify.js';
import { scheduleUnreachable } from '../core/sla/sla.service.js';
import { isBusy, waitingAtMost } from '../../db/client.js';
import { getPerson, latestPerson, savePerson, teamsPersonByEntraId } from '../../db/repos/people.repo.js';
import { WRITE_WAIT_MS } from '../../db/repos/store.js';
import { userKey } from '../core/authz.js';
import { ConfigError, type Config } from './config.js';
import type { Runtime } from './runtime.js';
import type { PlatformHost } from './serve.js';
import type { RouteHandler } from './server.js';

export const TEAMS_MESSAGES_PATH = '/api/messages';
/** Bot Framework's public service URL for Teams, for a tenant the bot has not heard from yet. */
export const TEAMS_PUBLIC_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';
const MAX_BODY_BYTES = 1_000_000;
/** The channels whose activities are taken: Teams alone; trying the bot locally, the Bot Framework Emulator too. */
const TEAMS_CHANNELS = ['msteams'] as const;
const LOCAL_CHANNELS = ['msteams', 'emulator'] as const;

/**
 * Contacts (conversation references) kept in the `people` table. Saved at every message: while
 * another process holds the write lock (an import), the message is answered all the same, and
 * the contact is saved at the person's next one.
 */
export function peopleContacts(rt: Runtime): TeamsContacts {
  const db = rt.db.db;
  return {
    get: (userId) => asContact(getPerson(db, userKey('teams', userId))?.conversationRef) ?? asContact(teamsPersonByEntraId(db, userId)?.conversationRef),
    save: (contact, facts) => {
      try {
        waitingAtMost(rt.db.sqlite, WRITE_WAIT_MS, () =>
          savePerson(db, { userKey: userKey('teams', contact.user.id), platform: 'teams', displayName: facts.displayName, partnerId: facts.partnerId, personKey: facts.personKey, conversationRef: contact, updatedAt: rt.clock.now() }),
        );
      } catch (err) {
        if (!isBusy(err)) throw err;
        rt.logger.warn({ user: userKey('teams', contact.user.id) }, 'database busy (another process is writing): this Teams contact is not saved now; it is saved the next time the bot hears from or writes to them');
      }
    },
    latest: () => asContact(latestPerson(db, 'teams')?.conversationRef),
  };
}

/** Names of this machine in a Host header: what an emulator on it sends (any port). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a request to `/api/messages` is refused before its body is read, or null. Bot Framework
 * (and every emulator) posts JSON: a body of another type is what a web page can send to any
 * address without the browser asking first (a "simple" cross-site request), 415. Unauthenticated,
 * on 127.0.0.1, the Host must name this machine too: a page whose own DNS name was made to point
 * at 127.0.0.1 (DNS rebinding) can post JSON, but names its own host, 403; and so is a request
 * passed on by a proxy or tunnel on this machine, which says so in its headers.
 */
function wrongType(req: IncomingMessage): { status: number; error: string } | null {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' ? null : { status: 415, error: 'the body must be JSON (content-type application/json)' };
}

/**
 * Headers a proxy or tunnel adds to what it passes on (ngrok, dev tunnels, Cloudflare, a reverse
 * proxy): a request that came from another machine through one on this machine, which may well
 * say `Host: localhost` (tunnels told to rewrite it, as Bot Framework's guides do).
 */
const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'via'];

/** Unauthenticated (local testing): a request from another machine, or one that is not JSON. */
function localRefusal(req: IncomingMessage): { status: number; error: string } | null {
  const type = wrongType(req);
  if (type) return type;
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  const forwarded = FORWARDED_HEADERS.some((h) => req.headers[h] !== undefined);
  return LOOPBACK_HOSTS.has(host) && !forwarded ? null : { status: 403, error: 'unauthenticated (no MICROSOFT_APP_ID): only this machine may post here, as 127.0.0.1 or localhost, not through a proxy or tunnel' };
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A body that never came whole: the client went away, or sent it too slowly and the server cut
 * it off (Node answers that one 408 itself). The client's doing, not the bot's: a warning.
 */
class Unreadable extends Error {}

/** A body that would take the bodies being read past their allowance: answered 503 at once, the rest of it read and dropped. */
class Busy extends Error {}

/** A request's body, whole; or Unreadable, Busy (past what `budget` allows all bodies being read), or a BadRequest (413) past {@link MAX_BODY_BYTES}. */
async function readWhole(req: IncomingMessage, budget: ByteBudget): Promise<Buffer> {
  let body: Awaited<ReturnType<typeof readBody>>;
  try {
    body = await readBody(req, MAX_BODY_BYTES, budget);
  } catch (e) {
    throw new Unreadable((e as Error).message);
  }
  if (body === 'busy') throw new Busy('the bodies being read hold as many bytes as they may');
  if (body === 'too large') throw new BadRequest('request body too large', 413);
  return body;
}

async function readJson(req: IncomingMessage, budget: ByteBudget): Promise<Record<string, unknown>> {
  const raw = await readWhole(req, budget);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new BadRequest('request body is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequest('request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('request body is not an activity');
  return parsed as Record<string, unknown>;
}

/** The Express-like response botbuilder's CloudAdapter.process writes to, over node's own. */
function expressLike(res: ServerResponse): BotResponse {
  let status = 200;
  let payload: string | undefined;
  let type = 'application/json';
  return {
    socket: res.socket,
    header: (name, value) => res.setHeader(name, String(value)),
    status: (code) => {
      status = code;
    },
    send: (body: unknown) => {
      if (body === undefined || body === null) return;
      if (typeof body === 'string') {
        payload = body;
        type = 'text/plain; charset=utf-8';
      } else payload = JSON.stringify(body);
    },
    // A failure is logged by the adapter (teams-adapter.ts), with its cause.
    end: () => {
      if (!res.headersSent) {
        res.statusCode = status;
        if (payload !== undefined) res.setHeader('content-type', type);
      }
      res.end(payload);
    },
  };
}

/**
 * Teams on the shared server: botbuilder's CloudAdapter at `POST /api/messages` and the outbox
 * deliverer. With MICROSOFT_APP_ID set every request must carry Bot Framework's token; without
 * it the endpoint is unauthenticated (an emulator or Agents Playground), which production refuses.
 */
export interface TeamsHostOptions {
  /** How long one delivery may take (tests); see TEAMS_DELIVERY_TIMEOUT_MS. */
  deliveryTimeoutMs?: number;
  /** Bytes of request bodies held at once (tests: fewer); see request-body.ts's MAX_BUFFERED_BYTES. */
  maxBufferedBytes?: number;
}

/** Bot Framework's sign-in settings from the configuration (see config.ts, which refuses those it would not take). */
export function botFrameworkOptions(cfg: Config['teams']): ConfigurationBotFrameworkAuthenticationOptions {
  const options: ConfigurationBotFrameworkAuthenticationOptions = { MicrosoftAppId: cfg.appId ?? '', MicrosoftAppPassword: cfg.appPassword ?? '', MicrosoftAppTenantId: cfg.tenantId ?? '' };
  if (cfg.appType) options.MicrosoftAppType = cfg.appType;
  return options;
}

export function createTeamsHost(rt: Runtime, opts: TeamsHostOptions = {}): PlatformHost {
  const cfg = rt.config.teams;
  if (!cfg.appId && rt.config.production) {
    throw new ConfigError('MICROSOFT_APP_ID: is required when NODE_ENV=production (the Teams endpoint never runs unauthenticated in production)');
  }
  const log = rt.logger.child({ platform: 'teams' });
  // Without MICROSOFT_APP_ID, serve() binds loopback only and says so in one warning line.
  if (cfg.appId && !cfg.tenantId) log.warn({}, 'MICROSOFT_APP_TENANT_ID is not set: no Teams user counts as internal');
  // botbuilder takes an unset app type for MultiTenant, which Azure has created no more of since
  // 31 July 2025: a bot registered since is SingleTenant, and its tokens would be asked of the wrong tenant.
  if (cfg.appId && !cfg.appType) log.warn({}, 'MICROSOFT_APP_TYPE is not set, so the bot signs in as MultiTenant; a bot registered in Azure since 31 July 2025 is SingleTenant: set MICROSOFT_APP_TYPE=SingleTenant (with MICROSOFT_APP_TENANT_ID)');

  const options = botFrameworkOptions(cfg);

  const contacts = peopleContacts(rt);
  // Tenant ids are GUIDs: compared in lower case, however they were written.
  const partnerTenants = () => new Set(rt.store.partners.all().flatMap((p) => (p.teamsTenantId ? [p.teamsTenantId.toLowerCase()] : [])));
  const homeTenant = cfg.tenantId?.toLowerCase();
  const internalTenants = new Set(cfg.internalTenantIds);
  // The company's tenant is MICROSOFT_APP_TENANT_ID, and its other tenants MICROSOFT_INTERNAL_TENANT_IDS.
  // Unauthenticated and without it (trying the bot locally, on 127.0.0.1 only) any tenant that is
  // no partner's counts as the company's, and so does none at all (the Bot Framework Emulator sends none).
  const isHomeTenant = (given: string | null) => {
    const tenant = given?.toLowerCase() ?? null;
    return homeTenant ? tenant === homeTenant || (tenant !== null && internalTenants.has(tenant)) : !cfg.appId && (tenant === null || !partnerTenants().has(tenant));
  };
  // Whose tenant a stranger is of, for the admin who would let its people in.
  const resolve = notingUnlinked(rt.resolve, (tenant, former) =>
    former
      ? log.info({ tenant, partner: former.id }, `teams: a user of a tenant that was ${former.name}'s until it left the programme (roe partner close) may only ask for help; a partners CSV giving its id again is refused: to bring the partner back in, import it with --reopen ${former.id}`)
      : log.info({ tenant }, 'teams: a user of a tenant that is neither yours nor a partner\'s may only ask for help; to let its people in, put its id in the partners CSV (teams_tenant_id), or in MICROSOFT_INTERNAL_TENANT_IDS if the tenant is your company\'s'),
  );
  // botbuilder loads only here, when Teams is served (a Slack-only server never pays for it).
  const ready = import('./teams-adapter.js').then((m) => m.createTeamsAdapter(options, { deps: rt.deps, resolve, isHomeTenant, useRoster: Boolean(cfg.tenantId || cfg.appId), contacts, log }, log));
  ready.catch((err: unknown) => log.error({ err }, 'could not load the Bot Framework adapter'));

  /** A refusal: its status, and the problem named in a JSON body. */
  const answerError = (res: ServerResponse, status: number, error: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error }));
  };
  const buffered = new ByteBudget(opts.maxBufferedBytes);
  const route: RouteHandler = async (req, res) => {
    const refused = cfg.appId ? null : localRefusal(req);
    if (refused) {
      req.resume(); // read and dropped, so the client gets the answer instead of a reset
      log.warn({ status: refused.status, problem: refused.error }, 'teams request refused');
      answerError(res, refused.status, refused.error);
      return;
    }
    const unauthorized = () => {
      log.warn({ status: 401 }, 'teams request refused: no valid Bot Framework token');
      answerError(res, 401, 'unauthorized: Bot Framework’s token is missing or not valid');
    };
    // With an app id, a request without a token is refused before its body is read, one whose
    // token does not hold once it is; only then is a broken body (or one that is not JSON) named.
    if (cfg.appId && !/^Bearer \S/i.test(req.headers.authorization ?? '')) {
      req.resume();
      unauthorized();
      return;
    }
    const notJson = cfg.appId ? wrongType(req) : null;
    if (notJson) {
      req.resume();
      if (!(await (await ready).authenticates({}, req.headers.authorization!))) return unauthorized();
      log.warn({ status: notJson.status, problem: notJson.error }, 'teams request refused');
      answerError(res, notJson.status, notJson.error);
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = await readJson(req, buffered);
    } catch (e) {
      if (e instanceof Busy) {
        log.warn({ status: 503, buffered: buffered.inUse }, 'teams request refused: the server holds as many request bodies as it takes at once (a flood?); try again');
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: 'the server is busy: try again in a moment' }));
        return;
      }
      if (e instanceof Unreadable) {
        // Anyone can do it, token or none: no error line (and no stack) for it.
        log.warn({ problem: e.message }, 'teams request could not be read: the client went away, or sent its body too slowly');
        if (!res.headersSent && !res.destroyed) answerError(res, 400, 'the request could not be read');
        return;
      }
      if (!(e instanceof BadRequest)) throw e;
      if (cfg.appId && !(await (await ready).authenticates({}, req.headers.authorization!))) return unauthorized();
      answerError(res, e.status, e.message);
      return;
    }
    // Checked here as well as by the adapter, which would print a stack trace for every bad token.
    if (cfg.appId && !(await (await ready).authenticates(body, req.headers.authorization!))) return unauthorized();
    const problem = activityProblem(body);
    if (problem) {
      log.warn({ problem }, 'teams request refused: malformed activity');
      answerError(res, 400, problem);
      return;
    }
    const elsewhere = channelProblem(body, cfg.appId ? TEAMS_CHANNELS : LOCAL_CHANNELS);
    if (elsewhere) {
      log.warn({ problem: elsewhere }, 'teams request refused: not from Microsoft Teams');
      answerError(res, 403, elsewhere);
      return;
    }
    const { adapter, bot } = await ready;
    await adapter.process({ body, headers: req.headers, method: req.method ?? 'POST' }, expressLike(res), (ctx) => bot.run(ctx));
  };

  const deliver = createTeamsDeliverer({
    adapter: { continueConversationAsync: async (...args) => (await ready).adapter.continueConversationAsync(...args) },
    appId: cfg.appId ?? '',
    contacts,
    disputes: rt.store.disputes,
    homeTenantId: cfg.tenantId ?? null,
    defaultServiceUrl: TEAMS_PUBLIC_SERVICE_URL,
    now: () => rt.clock.now(),
    log,
    ...(opts.deliveryTimeoutMs ? { timeoutMs: opts.deliveryTimeoutMs } : {}),
    caseCardLive: (disputeId, person) => caseCardLive(rt.deps, disputeId, person),
    departed: (card) => scheduleUnreachable(rt.store, { disputeId: card.disputeId, person: card.person, platform: 'teams' }, rt.clock.now()),
  });

  return { name: 'teams', routes: { [`POST ${TEAMS_MESSAGES_PATH}`]: route }, deliver };
}
