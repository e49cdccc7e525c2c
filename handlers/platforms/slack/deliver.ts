import { webApi, type types } from '@slack/bolt';
import { asError, DeliveryError } from '../../../src/core/errors.js';
import type { CaseCardsRepo, DisputesRepo, OutboxMessage } from '../../../src/core/ports.js';
import { caseCardOf, cardUpdateOf, departedAdvice, fallbackCopyOf, isReply, raiserCopyOf, TONE_MARK, type CaseCardRef, type ThreadPost } from '../../replies/model.js';
import type { SlackLog } from './context.js';
import { renderReply } from './render.js';

export interface SlackDelivererOptions {
  /** A Web API client that does not retry by itself (the outbox retries): retries 0, rate-limited calls rejected. */
  client: webApi.WebClient;
  /** Where dispute threads are remembered: the first message in a dispute's channel becomes its thread. */
  disputes: Pick<DisputesRepo, 'get' | 'update'>;
  /**
   * Case cards with ruling buttons: whether one would still let its person rule (one whose case
   * moved on before it could be posted is not sent), and where one landed, to be updated once
   * the case moves on (`remember` also updates it at once should the case have moved on meanwhile).
   */
  caseCards: Pick<CaseCardsRepo, 'remember'> & { live(disputeId: number, person: string): boolean };
  /** What was given up without failing (a case card gone before its update) is said here. */
  log: Pick<SlackLog, 'info'>;
  /**
   * A case card (or reminder) that bounced because its person's user is deactivated or gone: a
   * write made with the message's parking (see unreachable in the SLA service).
   */
  departed?: (card: CaseCardRef) => void;
}

/** Web API client options for delivery: fail fast and let the outbox decide when to retry. */
/**
 * The outbox retries (with backoff), so the client does not; a call that hangs is given up
 * after 30 s without an answer and retried later. A delivery may make several calls in a row
 * (a dispute's thread post, its channel post, conversations.open and a DM): the outbox renews
 * the message's lease for as long as it takes, so that no other worker takes the message and
 * sends it again meanwhile.
 */
export const DELIVERY_CLIENT_OPTIONS = { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 30_000 } as const;

/**
 * Slack errors worth retrying; any other platform error will fail the same way again. Some say
 * the bot (or the workspace) posts too much: they throttle the queue, as a 429 does.
 */
export const TRANSIENT = new Set(['ratelimited', 'rate_limited', 'message_limit_exceeded', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org', 'org_login_required', 'update_failed', 'external_channel_migrating']);
const THROTTLED = new Set(['ratelimited', 'rate_limited', 'message_limit_exceeded']);
/**
 * Slack refused the bot's token: no message goes out until it is put right (SLACK_BOT_TOKEN,
 * the app reinstalled). The whole queue waits, in order, as for a rate limit; parking each
 * message instead would let the later ones out first once the token works again (a ruling
 * before the case it closes) and leave the earlier ones to `roe outbox retry`.
 */
const TOKEN_REFUSED = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive']);

/**
 * What Slack said of a refused message beyond its error code (`invalid_blocks`, `msg_too_long`:
 * which block, which limit), from the answer's `response_metadata.messages`, for the log and
 * `roe outbox`; empty when it said nothing more.
 */
function slackSays(e: webApi.WebAPIPlatformError): string {
  const said = (e.data.response_metadata as { messages?: unknown } | undefined)?.messages;
  const lines = Array.isArray(said) ? said.filter((m): m is string => typeof m === 'string' && m.length > 0).slice(0, 3) : [];
  return lines.length ? ` (${lines.join('; ').slice(0, 500)})` : '';
}

/** A Web API failure as a delivery failure: 429 with its Retry-After, and a refused token, hold the queue; 5xx, 408 and network errors retryable; the rest permanent. */
export function classifySlackError(e: unknown): DeliveryError {
  if (e instanceof webApi.WebAPIRateLimitedError) return new DeliveryError(`rate limited by Slack, retry after ${e.retryAfter} s`, { retryAfterMs: e.retryAfter * 1000, throttled: true });
  if (e instanceof webApi.WebAPIHTTPError) {
    if (e.statusCode === 429) {
      const retryAfter = Number(e.headers['retry-after']);
      return new DeliveryError('rate limited by Slack', { retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined, throttled: true });
    }
    // 408: a request that timed out (a proxy's); the same call later goes through.
    return new DeliveryError(`Slack answered HTTP ${e.statusCode}`, { permanent: e.statusCode < 500 && e.statusCode !== 408 });
  }
  if (e instanceof webApi.WebAPIPlatformError && TOKEN_REFUSED.has(e.data.error)) {
    return new DeliveryError(`Slack error: ${e.data.error}: Slack refused the bot's token; check SLACK_BOT_TOKEN (notifications wait until it is accepted)`, { throttled: true, untilFixed: true });
  }
  if (e instanceof webApi.WebAPIPlatformError && e.data.error === 'missing_scope') {
    // The app lacks a permission (its manifest changed, or an old install): every message would
    // fail alike until the app is reinstalled with it, so the queue waits, in order, as for a
    // refused token, rather than each message being parked and sent out of order later.
    const { needed, provided } = e.data as { needed?: unknown; provided?: unknown };
    const scope = typeof needed === 'string' && needed ? `the scope ${needed}` : 'a scope it needs';
    const has = typeof provided === 'string' && provided ? ` (it has ${provided})` : '';
    return new DeliveryError(`Slack error: missing_scope: the app lacks ${scope}${has}; add it from manifests/slack/manifest.yaml and reinstall the app (notifications wait until it is granted)`, { throttled: true, untilFixed: true });
  }
  if (e instanceof webApi.WebAPIPlatformError) return new DeliveryError(`Slack error: ${e.data.error}${slackSays(e)}`, { permanent: !TRANSIENT.has(e.data.error), throttled: THROTTLED.has(e.data.error) });
  if (e instanceof webApi.WebAPIRequestError) return new DeliveryError(`could not reach Slack: ${e.original.message}`);
  // A 429 whose Retry-After is missing or not a number: the Web API client throws a plain Error
  // for it (no WebAPIRateLimitedError, no WebAPIHTTPError), which still means "throttled".
  if (e instanceof Error && /^Retry header did not contain a valid timeout/.test(e.message)) return new DeliveryError('rate limited by Slack (no Retry-After)', { throttled: true });
  return new DeliveryError(asError(e).message);
}

/**
 * Slack refused the post because the bot is not in that conversation, it was archived, or a
 * setting of the channel or workspace does not let the bot post there (or in that thread).
 */
const CANNOT_POST = ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'restricted_action_read_only_channel', 'restricted_action_thread_only_channel', 'restricted_action_thread_locked'];
function cannotPostIn(e: unknown): boolean {
  return e instanceof webApi.WebAPIPlatformError && CANNOT_POST.includes(e.data.error);
}

/**
 * Slack's answers for a person the bot can no longer DM: conversations.open for a deactivated user
 * (`user_disabled`), or one gone from the workspace, as a Slack Connect user whose channel was
 * disconnected (`user_not_found`); a post in a DM opened before, archived or gone with its user
 * (`is_archived`, `channel_not_found`).
 */
const USER_GONE = ['user_disabled', 'user_not_found'];
const DM_GONE = ['is_archived', 'channel_not_found'];

/**
 * A DM that cannot reach its person because they left: parked (retrying cannot help), its error
 * naming the user and what an admin does: for a case card, the person of the policy and their
 * case, which moves on (see departedAdvice): the bounce is recorded with the parking (`departed`).
 */
function personGone(error: string, user: string, card: CaseCardRef | undefined, o: Pick<SlackDelivererOptions, 'departed' | 'disputes'>): DeliveryError {
  const { departed } = o;
  const followUp = card && departed ? () => departed(card) : undefined;
  return new DeliveryError(`Slack error: ${error}: the Slack user ${user} is deactivated or no longer in the workspace; ${departedAdvice(card, card && o.disputes.get(card.disputeId))} (roe outbox retry reaches them only once their user is reactivated)`, { permanent: true, ...(followUp ? { followUp } : {}) });
}

/** Slack's word for a case card that cannot be updated any more: deleted, not editable, or its DM gone. */
const CARD_GONE = ['message_not_found', 'cant_update_message', 'channel_not_found'];

/**
 * Slack refused the thread, not the channel: its first message is gone (`thread_not_found`, not
 * a documented answer of chat.postMessage, but conversations.replies' word for it), it cannot
 * have replies, or the channel takes none. The post goes to the channel instead.
 */
function threadGone(e: unknown): boolean {
  return e instanceof webApi.WebAPIPlatformError && ['thread_not_found', 'cannot_reply_to_message', 'restricted_action_non_threadable_channel'].includes(e.data.error);
}

/**
 * Why a post could not go to a channel, as the DM carrying it says: the channel is archived, or
 * does not let the bot post (so `instead` comes to the DM), or the bot is not in it (`invite`
 * says what would help). A direct message between people (a `D…` id other than the bot's own
 * DM with someone) takes no bot and cannot be joined: it is named in words (`dm`), as a `<#D…>`
 * mention shows as a broken channel link, and nothing is advised.
 */
function whyNotIn(e: unknown, channel: string, o: { what: string; dm: string; invite: string; instead: string }): string {
  // A warning's mark first, as the same note in Teams (and every toned line) starts with it.
  const mark = TONE_MARK.warning;
  if (channel.startsWith('D')) return `${mark}I could not post ${o.what} in ${o.dm}: I cannot post in a direct message between people, so ${o.instead} here instead. Here it is:`;
  const error = e instanceof webApi.WebAPIPlatformError ? e.data.error : '';
  const why = error === 'is_archived' ? 'that channel is archived' : error === 'restricted_action_thread_locked' ? 'its thread is locked' : error.startsWith('restricted_action') ? 'a setting of that channel or workspace does not let me post there' : null;
  return `${mark}I could not post ${o.what} in <#${channel}>${why ? `: ${why}, so ${o.instead} here instead` : o.invite}. Here it is:`;
}

/**
 * The outbox deliverer for Slack: DMs (the DM channel opened with conversations.open),
 * dispute threads (the first message in the dispute's channel becomes the thread, remembered
 * on the dispute), channel messages, and updates of case cards posted before. A first thread
 * post (or a case card) returns the write that remembers its thread (or where the card landed),
 * for the outbox to make with the delivery's record: the post went out, so that write must
 * never fail the delivery (it would be posted again, a second thread).
 */
export function createSlackDeliverer(o: SlackDelivererOptions): (message: OutboxMessage) => Promise<void | (() => void)> {
  const dmChannels = new Map<string, string>();
  /** `card`: the case card the DM is for, named should its person have left. */
  const dmChannel = async (user: string, card?: CaseCardRef): Promise<string> => {
    const known = dmChannels.get(user);
    if (known) return known;
    let r: Awaited<ReturnType<typeof o.client.conversations.open>>;
    try {
      r = await o.client.conversations.open({ users: user });
    } catch (e) {
      if (e instanceof webApi.WebAPIPlatformError && USER_GONE.includes(e.data.error)) throw personGone(e.data.error, user, card, o);
      throw classifySlackError(e);
    }
    const id = r.channel?.id;
    if (!id) throw new DeliveryError(`conversations.open gave no channel for ${user}`);
    dmChannels.set(user, id);
    return id;
  };

  /** Posts in `user`'s DM with the bot; a DM archived or gone with its user (they left) says so. */
  const postDm = async (user: string, args: ReturnType<typeof renderReply>, card?: CaseCardRef) => {
    const channel = await dmChannel(user, card);
    try {
      return { channel, posted: await o.client.chat.postMessage({ channel, ...args }) };
    } catch (e) {
      if (e instanceof webApi.WebAPIPlatformError && DM_GONE.includes(e.data.error)) {
        dmChannels.delete(user);
        throw personGone(e.data.error, user, card, o);
      }
      throw classifySlackError(e);
    }
  };

  return async (m) => {
    const reply = m.body;
    if (!isReply(reply)) throw new DeliveryError('the message body is not a reply', { permanent: true });
    const body = renderReply(reply);
    const t = m.target;
    switch (t.kind) {
      case 'user': {
        const card = caseCardOf(m.body);
        // A case card whose case was ruled, closed or moved on while it waited (Slack was down):
        // nothing for its person to do any more, and they were told how it went.
        if (card && !o.caseCards.live(card.disputeId, card.person)) return;
        const { channel, posted } = await postDm(t.user, body, card);
        // A case card: where it landed is remembered, so that it can be updated when the case moves on.
        const ts = posted.ts;
        if (card && ts) return () => o.caseCards.remember({ ...card, channel, ts, user: t.user });
        return;
      }
      case 'message': {
        // An update that keeps a card's ruling buttons, going out once its person may no longer
        // rule (it was parked, then put back in the queue after the case was ruled or moved on):
        // it would bring the buttons back over the update that took them away. Done, unsent.
        const update = cardUpdateOf(m.body);
        if (update?.person !== undefined && reply.blocks.some((b) => b.type === 'actions') && !o.caseCards.live(update.disputeId, update.person)) {
          o.log.info({ disputeId: update.disputeId, channel: t.channel, ts: t.ts }, 'slack: a case card update with ruling buttons came after its case moved on; it is dropped');
          return;
        }
        // A case card brought up to date. One deleted meanwhile (or its DM gone) has nothing
        // left to update: done, not a failure for `roe outbox` to list, and not posted anew
        // (a second card); the log says which card was left as it was, and why.
        try {
          await o.client.chat.update({ channel: t.channel, ts: t.ts, ...body });
        } catch (e) {
          if (e instanceof webApi.WebAPIPlatformError && CARD_GONE.includes(e.data.error)) {
            const disputeId = update?.disputeId;
            o.log.info({ error: e.data.error, kind: t.kind, ...(disputeId !== undefined ? { disputeId } : {}), channel: t.channel, ts: t.ts }, 'slack: the case card to update is gone; its update is dropped');
            return;
          }
          throw classifySlackError(e);
        }
        return;
      }
      case 'channel':
        try {
          await o.client.chat.postMessage({ channel: t.channel, ...(t.thread ? { thread_ts: t.thread } : {}), ...body });
        } catch (e) {
          if (!t.fallbackUser || !cannotPostIn(e)) throw classifySlackError(e);
          // A channel the bot was never invited to (the escalation channel): the person the
          // message names gets it by DM, told why, rather than nobody at all (as made for them, when it has their copy).
          const note: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: whyNotIn(e, t.channel, { what: 'this', dm: 'the direct message it is for', invite: ': invite me to that channel (`/invite @roe-bot`)', instead: 'it comes' }) } };
          await postDm(t.fallbackUser, renderReply(fallbackCopyOf(reply) ?? reply, 'message', note));
        }
        return;
      case 'dispute-thread': {
        const d = o.disputes.get(t.disputeId);
        if (!d) throw new DeliveryError(`no dispute #${t.disputeId}`, { permanent: true });
        const origin = d.origin;
        if (!origin || origin.platform !== 'slack') throw new DeliveryError(`dispute #${d.id} was not raised in Slack`, { permanent: true });
        const raiser = d.raisedBy.startsWith('slack:') ? d.raisedBy.slice('slack:'.length) : null;
        // Raised in the raiser's own DM with the bot (a D… channel, the one conversations.open
        // gives for them): the updates there are made for the raiser (their own party named),
        // not for a channel of many partners; none when a DM of their own already says it.
        let shown = body;
        if (raiser && origin.channel.startsWith('D') && origin.channel === (await dmChannel(raiser))) {
          const copy = raiserCopyOf(m.body);
          if (copy === null) return;
          if (copy) shown = renderReply(copy);
        }
        let posted: { ts?: string; message?: { thread_ts?: string } };
        try {
          // How a case ended is also shown in the channel (reply_broadcast), where its announcement is.
          const where = origin.thread ? ((m.body as ThreadPost).broadcast === true ? { thread_ts: origin.thread, reply_broadcast: true as const } : { thread_ts: origin.thread }) : {};
          posted = await o.client.chat.postMessage({ channel: origin.channel, ...where, ...shown }).catch((e: unknown) => {
            // A thread Slack refuses: posted in the channel instead, which becomes the thread (below).
            if (origin.thread && threadGone(e)) return o.client.chat.postMessage({ channel: origin.channel, ...shown });
            throw e;
          });
        } catch (e) {
          if (!raiser || !cannotPostIn(e)) throw classifySlackError(e);
          // Raised where the bot may not post (a private channel it is not in, or a DM between
          // people, which it can never join): the raiser gets the update in their DM with the
          // bot, told why, as made for them (not for a channel that may hold other partners),
          // unless a DM of their own already says it; a channel stays the dispute's place, so
          // once the bot is invited updates go there.
          const copy = raiserCopyOf(m.body);
          if (copy === null) return;
          const note: types.KnownBlock = { type: 'section', text: { type: 'mrkdwn', text: whyNotIn(e, origin.channel, { what: `this update on ${(m.body as ThreadPost).raiserCase ?? `dispute #${d.id}`}`, dm: 'the direct message where it was raised', invite: ', where it was raised: invite me there and the next updates go to the channel', instead: 'the updates come' }) } };
          await postDm(raiser, renderReply(copy ?? reply, 'message', note));
          return;
        }
        const thread = posted.ts;
        // A thread whose first message was deleted before anything was posted in it: Slack posts
        // in the channel instead, saying so only by the message it gives back being in no thread.
        // That post becomes the dispute's thread, or every later update would land on its own too.
        const unthreaded = !!origin.thread && posted.message !== undefined && !posted.message.thread_ts;
        if ((!origin.thread || unthreaded) && thread) return () => o.disputes.update(d.id, { origin: { ...origin, thread } });
        return;
      }
    }
  };
}
