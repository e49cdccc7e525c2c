import type { Activity, CloudAdapter, ConversationParameters, ConversationReference } from 'botbuilder';
import { DeliveryError } from '../../../src/core/errors.js';
import type { DisputesRepo, OutboxMessage } from '../../../src/core/ports.js';
import { isPrivateChat } from '../../notify.js';
import { caseCardOf, departedAdvice, fallbackCopyOf, isReply, placeOf, raiserCopyOf, text, type CaseCardRef, type Reply, type ThreadPost } from '../../replies/model.js';
import type { TeamsLog } from './bot.js';
import type { TeamsContact, TeamsContacts } from './contacts.js';
import { TEAMS_IDS } from './ids.js';
import { cardAttachment, plain, renderReply } from './render.js';

/** The calls of Bot Framework's connector the deliverer makes. */
interface Connector {
  conversations: {
    sendToConversation(conversationId: string, activity: Partial<Activity>, options?: { abortSignal?: AbortSignal }): Promise<{ id?: string }>;
    createConversation(parameters: ConversationParameters, options?: { abortSignal?: AbortSignal }): Promise<{ id?: string }>;
  };
}

export interface TeamsDelivererOptions {
  adapter: Pick<CloudAdapter, 'continueConversationAsync'>;
  /** The bot's Microsoft app id ('' when unauthenticated). */
  appId: string;
  contacts: TeamsContacts;
  /** Where a dispute raised in Teams was raised (its channel and thread). */
  disputes: Pick<DisputesRepo, 'get'>;
  /** The company's tenant: new 1:1 chats with people never met are created there. */
  homeTenantId: string | null;
  /** Bot Framework's service URL for a tenant never heard from (the public Teams one). */
  defaultServiceUrl: string;
  now: () => Date;
  log: TeamsLog;
  /** How long one delivery may take before it is given up and retried later (default 30 s). */
  timeoutMs?: number;
  /** Whether a case card for `person` on a case would still let them rule (a card that would not is not sent). */
  caseCardLive?: (disputeId: number, person: string) => boolean;
  /**
   * A case card (or reminder) that bounced because Teams refused its person's 1:1 chat: a write
   * made with the message's parking (see unreachable in the SLA service).
   */
  departed?: (card: CaseCardRef) => void;
}

/**
 * A connector call that hangs is given up after this long and retried later, and the worker
 * moves on (the message's lease is renewed meanwhile, so no other worker takes it).
 */
export const TEAMS_DELIVERY_TIMEOUT_MS = 30_000;

/** Retry-After as milliseconds: delta seconds or an HTTP date. */
function retryAfterMs(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}

/**
 * A connector failure as a delivery failure: 429 is throttling (the queue waits, its
 * Retry-After if any); 5xx and network errors are retried by the outbox; 403 (the bot was removed or blocked) and 404 (no such
 * conversation) and any other 4xx would fail the same way again.
 */
/** The HTTP status of a connector failure, when it has one. */
function connectorStatus(e: unknown): number | undefined {
  const status = typeof e === 'object' && e !== null ? (e as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === 'number' ? status : undefined;
}

/**
 * What Microsoft Entra ID's token service answers when it refuses the bot's own credentials, as
 * MSAL throws it (a `ServerError` with its `errorCode`) while botbuilder signs a connector request,
 * before anything reaches Teams: `invalid_client` (MICROSOFT_APP_PASSWORD wrong, or a client
 * secret that expired), `unauthorized_client` (MICROSOFT_APP_ID unknown in that tenant) or
 * `invalid_request` (MICROSOFT_APP_TENANT_ID names no tenant). Its other answers (the service
 * unavailable, a network failure) pass, as any outage does.
 */
const CREDENTIALS_REFUSED = new Set(['invalid_client', 'unauthorized_client', 'invalid_request']);

/** The token service's refusal of the bot's credentials, as `code: AADSTS…: first sentence`, or null for any other failure. */
function credentialsRefused(e: unknown): string | null {
  if (typeof e !== 'object' || e === null) return null;
  const { name, errorCode, errorMessage } = e as { name?: unknown; errorCode?: unknown; errorMessage?: unknown };
  if (name !== 'ServerError' || typeof errorCode !== 'string' || !CREDENTIALS_REFUSED.has(errorCode)) return null;
  const said = typeof errorMessage === 'string' ? /AADSTS\d+:[^.]*\./.exec(errorMessage)?.[0] : undefined;
  return said ? `${errorCode}: ${said}` : errorCode;
}

/**
 * Teams refused to open a 1:1 chat with `user`, or a post in the one stored (`posting`): 403, the
 * app is not installed for them (or is blocked), or they left the tenant; 404, Teams does not
 * know them (they left). Parked, saying so: for a case card, the person of the policy and their
 * case, which moves on (see departedAdvice): the bounce is recorded with the parking (`departed`).
 */
function personRefused(status: 403 | 404, user: string, card: CaseCardRef | undefined, o: Pick<TeamsDelivererOptions, 'departed' | 'disputes'>, posting = false): DeliveryError {
  const why = status === 403 ? 'the app is not installed for them (pre-install it with a setup policy) or is blocked, or they left the tenant' : 'they left the tenant, or Teams does not know them';
  const { departed } = o;
  const followUp = card && departed ? () => departed(card) : undefined;
  return new DeliveryError(`Teams answered HTTP ${status} ${posting ? 'posting in the 1:1 chat' : 'opening a 1:1 chat'} with ${user}: ${why}; ${departedAdvice(card, card && o.disputes.get(card.disputeId))}`, { permanent: true, ...(followUp ? { followUp } : {}) });
}

export function classifyConnectorError(e: unknown, now: Date): DeliveryError {
  const err = (typeof e === 'object' && e !== null ? e : {}) as { message?: unknown; response?: { headers?: { get?: (name: string) => string | undefined } } };
  const status = connectorStatus(e);
  // The bot's credentials refused before the call was made (no HTTP status from Teams): the queue
  // waits for them to be put right, as for a 401, rather than each message being parked in hours.
  const refused = status === undefined ? credentialsRefused(e) : null;
  if (refused) return new DeliveryError(`Microsoft Entra ID refused the bot's credentials (${refused}); check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (notifications wait until they are accepted)`, { throttled: true, untilFixed: true });
  if (status === undefined) return new DeliveryError(`could not reach Teams: ${typeof err.message === 'string' ? err.message : String(e)}`);
  const retryAfter = retryAfterMs(err.response?.headers?.get?.('retry-after'), now);
  if (status === 429) return new DeliveryError('Teams answered HTTP 429: throttled', { retryAfterMs: retryAfter, throttled: true });
  if (status >= 500) return new DeliveryError(`Teams answered HTTP ${status}`, { retryAfterMs: retryAfter });
  // A request that timed out, or met another operation on the conversation under way (412):
  // the same call later goes through.
  if (status === 408 || status === 412) return new DeliveryError(`Teams answered HTTP ${status}`, { retryAfterMs: retryAfter });
  // The bot's credentials refused: nothing goes out until they are put right. The whole queue
  // waits, in order, as for a rate limit, rather than each message being parked (later ones
  // would then go out first once the credentials work again).
  if (status === 401) return new DeliveryError('Teams answered HTTP 401: the bot\'s credentials were refused; check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID (notifications wait until they are accepted)', { retryAfterMs: retryAfter, throttled: true, untilFixed: true });
  if (status === 403) return new DeliveryError('Teams answered HTTP 403: the app is not installed for that user or team (pre-install it with a setup policy), or it was removed or blocked', { permanent: true });
  if (status === 404) return new DeliveryError('Teams answered HTTP 404: the conversation does not exist', { permanent: true });
  return new DeliveryError(`Teams answered HTTP ${status}`, { permanent: true });
}

/** Teams refused a post in a channel or group chat: the bot is not (or no longer) in its team or chat (403), or it is gone (404). */
type NotThere = 403 | 404;

/**
 * Why a post could not go to a channel (or a group chat), as the 1:1 message carrying it says, as
 * Slack's does: Teams has no mention of a channel to show in a card, so `place` names it in words.
 * `notIn` (403) and `gone` (404) say why, `instead` what comes to the 1:1 chat, and `add` what
 * would help when the bot is not in there.
 */
function whyNotIn(status: NotThere, o: { what: string; place: string; notIn: string; gone: string; instead: string; add: string }): string {
  return `I could not post ${o.what} in ${o.place}: ${status === 404 ? o.gone : o.notIn}, so ${o.instead} here instead${status === 403 ? o.add : ''}. Here it is:`;
}

/**
 * The outbox retries with backoff and parks what keeps failing; the connector's own retry policy
 * (up to three retries, waiting out each Retry-After) would hold the worker and multiply the
 * attempts. Its pipeline is not public in botbuilder 4.23, hence the guarded reach: when the
 * shape is not there the connector keeps its retries, which is slower but still correct.
 */
function removeSdkRetries(connector: Connector): boolean {
  const inner = (connector as unknown as { client?: { pipeline?: { removePolicy?: (o: { phase: 'Retry' }) => unknown } } }).client;
  if (typeof inner?.pipeline?.removePolicy !== 'function') return false;
  inner.pipeline.removePolicy({ phase: 'Retry' });
  return true;
}

/**
 * The outbox deliverer for Teams: a DM goes to the person's 1:1 chat with the bot (created
 * through the connector for someone the bot has never met, then remembered); a dispute's updates
 * go to the channel thread where it was raised, or to the chat it was raised in. A 1:1 chat it
 * created is remembered by the write it returns, for the outbox to make with the delivery's
 * record, and only if the message is still there as it was taken: `roe forget` run while it was
 * being sent deletes it (or takes its person off a channel post's fallback), and the person
 * forgotten then has no contact saved again.
 */
export function createTeamsDeliverer(o: TeamsDelivererOptions): (message: OutboxMessage) => Promise<void | (() => void)> {
  let warned = false;
  const withoutSdkRetries = (connector: Connector): void => {
    if (removeSdkRetries(connector) || warned) return;
    warned = true;
    o.log.warn({}, 'botbuilder connector has no pipeline to remove its retry policy from; deliveries also retry inside the SDK');
  };
  /** Failures of a conversation the bot is not in (403) or that is gone (404), by their status. */
  const notThere = new WeakMap<object, NotThere>();
  const refusedThere = (e: unknown): NotThere | undefined => (typeof e === 'object' && e !== null ? notThere.get(e) : undefined);
  /**
   * Runs `fn` with a connector for `serviceUrl` (the adapter's proactive turn), failures
   * classified. `fn` passes `call` to each connector request: a request given up at the timeout
   * is aborted, not left running, so a late answer cannot post the message beside its retry.
   */
  const withConnector = async (serviceUrl: string, bot: TeamsContact['bot'], conversationId: string, fn: (c: Connector, call: { abortSignal: AbortSignal }) => Promise<void>): Promise<void> => {
    const reference: ConversationReference = { channelId: TEAMS_IDS.channelId, serviceUrl, bot, conversation: { id: conversationId, isGroup: false, conversationType: '', name: '' } };
    // A failure inside the turn would go to the adapter's onTurnError (meant for users' turns):
    // it is carried out of the turn instead and thrown here, to the outbox worker.
    let failure: { error: unknown } | null = null;
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = o.timeoutMs ?? TEAMS_DELIVERY_TIMEOUT_MS;
    const abort = new AbortController();
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no answer from Teams within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    try {
      await Promise.race([timedOut, o.adapter.continueConversationAsync(o.appId, reference, async (ctx) => {
        try {
          const connector = ctx.turnState.get<Connector | undefined>(ctx.adapter.ConnectorClientKey);
          if (!connector) throw new Error('botbuilder gave the proactive turn no connector');
          withoutSdkRetries(connector);
          await fn(connector, { abortSignal: abort.signal });
        } catch (error) {
          failure = { error };
        }
      })]);
    } catch (error) {
      failure ??= { error };
    } finally {
      clearTimeout(timer);
    }
    if (failure) {
      const { error } = failure;
      // Failures this deliverer decided on itself pass through the connector's error mapping unchanged.
      if (error instanceof DeliveryError) throw error;
      const classified = classifyConnectorError(error, o.now());
      const status = connectorStatus(error);
      if (status === 403 || status === 404) notThere.set(classified, status);
      throw classified;
    }
  };

  const bestGuess = (): { serviceUrl: string; bot: TeamsContact['bot']; tenantId: string | null } => {
    const last = o.contacts.latest();
    return { serviceUrl: last?.serviceUrl ?? o.defaultServiceUrl, bot: last?.bot ?? { id: `28:${o.appId}`, name: 'roe-bot' }, tenantId: last?.tenantId ?? null };
  };

  /**
   * Sends to `user`'s 1:1 chat; a chat created for it comes back as the write that remembers it.
   * `card`: the case card it is, named should Teams refuse to open the chat (its person left).
   */
  const toUser = async (user: string, activity: Partial<Activity>, card?: CaseCardRef): Promise<void | (() => void)> => {
    const known = o.contacts.get(user);
    const personal = known?.personal;
    if (personal) {
      // Teams answers 404 for a 1:1 chat it no longer knows (the person removed its history):
      // it is opened again below, rather than every later message to them being parked.
      let gone = false;
      try {
        await withConnector(personal.serviceUrl, personal.bot, personal.conversation.id, async (c, call) => {
          try {
            await c.conversations.sendToConversation(personal.conversation.id, activity, call);
          } catch (e) {
            if ((e as { statusCode?: unknown } | null)?.statusCode !== 404) throw e;
            gone = true;
          }
        });
      } catch (e) {
        // The bot is no longer in their 1:1 chat (they removed the app, or left the tenant): named, as when it cannot be opened.
        if (refusedThere(e) === 403) throw personRefused(403, user, card, o, true);
        throw e;
      }
      if (!gone) return;
      o.log.info({ conversation: 'personal' }, 'teams: the stored 1:1 chat is gone (404); opening it again');
    }
    // Never met in a 1:1 (or that chat is gone): open one. Someone met in a channel is reached through their tenant's
    // service URL; someone never met at all (an arbitrator named in the policy) through the last one seen.
    const guess = bestGuess();
    const serviceUrl = known?.serviceUrl ?? guess.serviceUrl;
    const bot = known?.bot ?? guess.bot;
    const tenantId = known?.tenantId ?? o.homeTenantId ?? guess.tenantId;
    if (!tenantId) throw new DeliveryError(`no Teams tenant known for ${user}: set MICROSOFT_APP_TENANT_ID or have them message the bot once`);
    let remember: (() => void) | undefined;
    try {
      await withConnector(serviceUrl, bot, '', async (c, call) => {
        const created = await c.conversations.createConversation({ isGroup: false, bot, members: [{ id: user, name: known?.user.name ?? '' }], tenantId, channelData: { tenant: { id: tenantId } } } as ConversationParameters, call);
        if (!created.id) throw new DeliveryError('Teams created a conversation without an id');
        const conversation = { id: created.id, isGroup: false, conversationType: 'personal', name: '', tenantId };
        const contact: TeamsContact = {
          user: known?.user ?? { id: user, name: '' },
          bot,
          serviceUrl,
          tenantId,
          personal: { channelId: TEAMS_IDS.channelId, serviceUrl, bot, conversation, user: known?.user ?? { id: user, name: '' } },
        };
        // Not saved here: the person may be forgotten while the message is sent (see above).
        remember = () => o.contacts.save(contact, { displayName: known?.user.name || user, partnerId: null, personKey: null });
        await c.conversations.sendToConversation(created.id, activity, call);
      });
    } catch (e) {
      // The chat was opened and the message failed: the chat is remembered all the same (with the
      // failure's record, as with a delivery's), so the retry goes there rather than opening another.
      if (remember) throw DeliveryError.withFollowUp(e, remember);
      // Teams would not open a 1:1 with them at all: the app not installed for them, or they left.
      const status = refusedThere(e);
      if (status !== undefined) throw personRefused(status, user, card, o);
      throw e;
    }
    return remember;
  };

  /** `shown` to `user`'s 1:1 chat, under `note` (why it came there rather than where it was for). */
  const toUserInstead = (user: string, shown: Reply, note: string): Promise<void | (() => void)> =>
    toUser(user, { type: 'message', attachments: [cardAttachment(renderReply(shown, { note: text(note, 'warning') }))], summary: plain(shown.summary) });

  /** A post in a conversation: a channel's thread (`;messageid=ROOT`) or a group or 1:1 chat. */
  const toConversation = async (channel: string, thread: string | null, via: string | null, activity: Partial<Activity>): Promise<void> => {
    const known = via ? o.contacts.get(via) : undefined;
    const guess = bestGuess();
    const conversationId = thread ? `${channel};messageid=${thread}` : channel;
    await withConnector(known?.serviceUrl ?? guess.serviceUrl, known?.bot ?? guess.bot, conversationId, async (c, call) => {
      await c.conversations.sendToConversation(conversationId, activity, call);
    });
  };

  return async (m) => {
    if (!isReply(m.body)) throw new DeliveryError('the message body is not a reply', { permanent: true });
    const t = m.target;
    // A case card refreshes (caseRefreshOf) without a list of users: a 1:1 chat has fewer than 60
    // members, so Teams refreshes it for everyone in it. (`t.user` is the policy's id, which may be
    // an Entra object id and not the Teams user id the list would need.)
    const card = renderReply(m.body);
    const activity: Partial<Activity> = { type: 'message', attachments: [cardAttachment(card)], summary: plain(m.body.summary) };
    switch (t.kind) {
      case 'user': {
        // A case card (or reminder) whose case was ruled, closed or moved on while it waited
        // (Teams was slow or down): nothing for its person to do any more, and they were told how it went.
        const caseCard = caseCardOf(m.body);
        if (caseCard && o.caseCardLive && !o.caseCardLive(caseCard.disputeId, caseCard.person)) return;
        return toUser(t.user, activity, caseCard);
      }
      case 'channel':
        try {
          await toConversation(t.channel, t.thread ?? null, null, activity);
        } catch (e) {
          // Only a channel the bot is not in (403) or that is gone (404): a message too big, or a
          // refused token, would fail in the 1:1 chat too, and "add me to that team" would be wrong.
          const status = refusedThere(e);
          if (!t.fallbackUser || status === undefined) throw e;
          // A channel the bot cannot post in (not installed in that team, or deleted): the person
          // the message names gets it in a 1:1 chat, told why, rather than nobody at all (as made
          // for them, when it has their copy). Nothing went to the channel: it is sent once.
          const note = whyNotIn(status, { what: 'this', place: placeOf(m.body) ?? 'the channel it is for', notIn: 'I am not in its team (or may not post there)', gone: 'that channel no longer exists', instead: 'it comes', add: ' (add me to that team)' });
          return toUserInstead(t.fallbackUser, fallbackCopyOf(m.body) ?? m.body, note);
        }
        return;
      case 'message':
        // Teams case cards bring themselves up to date (their refresh); only Slack's are updated so.
        throw new DeliveryError('updating a posted message is for Slack case cards', { permanent: true });
      case 'dispute-thread': {
        const d = o.disputes.get(t.disputeId);
        if (!d) throw new DeliveryError(`no dispute #${t.disputeId}`, { permanent: true });
        const origin = d.origin;
        if (!origin || origin.platform !== 'teams') throw new DeliveryError(`dispute #${d.id} was not raised in Teams`, { permanent: true });
        const raiser = d.raisedBy.startsWith('teams:') ? d.raisedBy.slice('teams:'.length) : null;
        // Raised in the raiser's own 1:1 chat with the bot: the updates there are made for the
        // raiser (their own name), not for a channel of many partners; none when a message of
        // their own already says it.
        const personal = raiser ? o.contacts.get(raiser)?.personal?.conversation.id : undefined;
        if (personal !== undefined && personal === origin.channel) {
          const copy = raiserCopyOf(m.body);
          if (copy === null) return;
          if (copy) {
            await toConversation(origin.channel, origin.thread, raiser, { type: 'message', attachments: [cardAttachment(renderReply(copy))], summary: plain(copy.summary) });
            return;
          }
        }
        try {
          await toConversation(origin.channel, origin.thread, raiser, activity);
        } catch (e) {
          // A channel the bot was removed from (403: out of its team), or that was deleted (404),
          // or a group chat it was taken out of: the raiser gets the update in their 1:1 chat,
          // told why, as made for them (not for a channel that may hold other partners), unless a
          // message of their own already says it. The place stays the dispute's: once the bot is
          // back there, updates go to it. A 1:1 chat refused is not one to leave for another.
          const status = refusedThere(e);
          if (!raiser || status === undefined || isPrivateChat(origin)) throw e;
          const copy = raiserCopyOf(m.body);
          if (copy === null) return;
          // A group chat has no threads (a channel's case always has one).
          const what = `this update on ${(m.body as ThreadPost).raiserCase ?? `dispute #${d.id}`}`;
          const note = origin.thread === null
            ? whyNotIn(status, { what, place: 'the chat where it was raised', notIn: 'I am no longer in that chat', gone: 'that chat no longer exists', instead: 'the updates come', add: '; add me to that chat again and the next updates go there' })
            : whyNotIn(status, { what, place: 'the channel where it was raised', notIn: 'I am no longer in its team (or may not post there)', gone: 'that channel no longer exists', instead: 'the updates come', add: '; add me to that team again and the next updates go to the channel' });
          return toUserInstead(raiser, copy ?? m.body, note);
        }
        return;
      }
    }
  };
}
