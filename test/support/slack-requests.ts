import { createHmac } from 'node:crypto';

/**
 * Requests exactly as Slack sends them: slash commands as form posts, interactivity as a form
 * post with one `payload` field of JSON, events as JSON; each signed with HMAC SHA256 over
 * `v0:{timestamp}:{body}` (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface SlackRequest {
  body: string;
  contentType: typeof FORM | typeof JSON_TYPE;
}

/** A Slack user as payloads show them; `team` is the user's own team. */
export interface SlackUser {
  id: string;
  name: string;
  team: string;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  secret: string;
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Replaces the computed signature (a forgery). */
  signature?: string;
  headers?: Record<string, string>;
}

export interface SlackResponse {
  status: number;
  text: string;
  json(): unknown;
}

/** Posts a signed request to the app. */
export async function sendSigned(url: string, req: SlackRequest, o: SendOptions): Promise<SlackResponse> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': req.contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': o.signature ?? signature(o.secret, ts, req.body),
      ...o.headers,
    },
    body: req.body,
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as unknown };
}

const form = (fields: Record<string, string>): SlackRequest => ({ body: new URLSearchParams(fields).toString(), contentType: FORM });
const interactive = (payload: Record<string, unknown>): SlackRequest => form({ payload: JSON.stringify(payload) });

export interface Workspace {
  team: string;
  domain: string;
  appId: string;
  /** The Enterprise Grid org the workspace is in. */
  enterprise?: string;
  /** The app is installed across that org: interactive payloads carry no `team` (null), and say `is_enterprise_install`. */
  orgWide?: boolean;
}

/** How payloads name the org and the install: `enterprise`, `is_enterprise_install`. */
function grid(ws: Workspace) {
  return { enterprise: ws.enterprise ? { id: ws.enterprise, name: 'Home Org' } : null, is_enterprise_install: ws.orgWide === true };
}

export const WORKSPACE: Workspace = { team: 'T0HOME', domain: 'home', appId: 'A0ROEBOT' };

function userOf(u: SlackUser) {
  return { id: u.id, username: u.name, name: u.name, team_id: u.team };
}

/** A slash command. Slack Connect: `team_id` is the workspace's; `user_team` only when `withUserTeam`. */
export function slashCommand(o: { command: string; text?: string; user: SlackUser; channel?: string; responseUrl: string; triggerId?: string; withUserTeam?: boolean; ws?: Workspace }): SlackRequest {
  const ws = o.ws ?? WORKSPACE;
  return form({
    token: 'legacy-verification-token',
    team_id: ws.team,
    team_domain: ws.domain,
    channel_id: o.channel ?? 'C0SALES',
    channel_name: 'sales',
    user_id: o.user.id,
    user_name: o.user.name,
    command: o.command,
    text: o.text ?? '',
    api_app_id: ws.appId,
    ...(ws.enterprise ? { enterprise_id: ws.enterprise, enterprise_name: 'Home Org' } : {}),
    is_enterprise_install: String(ws.orgWide === true),
    response_url: o.responseUrl,
    trigger_id: o.triggerId ?? `${Date.now()}.trigger`,
    ...(o.withUserTeam ? { user_team: o.user.team } : {}),
  });
}

/** A button click (block_actions) on a message, in App Home (`inHome`) or in a modal. */
export function blockActions(o: {
  user: SlackUser;
  actionId: string;
  value: string;
  responseUrl?: string;
  channel?: string;
  messageTs?: string;
  /** The blocks of the message the button is on, as Slack sends them with the click. */
  messageBlocks?: unknown[];
  inHome?: boolean;
  ws?: Workspace;
}): SlackRequest {
  const ws = o.ws ?? WORKSPACE;
  const ts = o.messageTs ?? '1764000000.000100';
  const onMessage = !o.inHome;
  return interactive({
    type: 'block_actions',
    user: userOf(o.user),
    api_app_id: ws.appId,
    token: 'legacy-verification-token',
    container: onMessage ? { type: 'message', message_ts: ts, channel_id: o.channel ?? 'C0SALES', is_ephemeral: false } : { type: 'view', view_id: 'VHOME' },
    trigger_id: `${Date.now()}.trigger`,
    team: ws.orgWide ? null : { id: ws.team, domain: ws.domain },
    ...grid(ws),
    ...(onMessage ? { channel: { id: o.channel ?? 'C0SALES', name: 'sales' }, message: { type: 'message', user: 'U0BOT', ts, text: 'card', ...(o.messageBlocks ? { blocks: o.messageBlocks } : {}) }, response_url: o.responseUrl ?? '' } : { view: { id: 'VHOME', type: 'home', blocks: [], state: { values: {} } } }),
    state: { values: {} },
    actions: [{ type: 'button', action_id: o.actionId, block_id: 'b1', text: { type: 'plain_text', text: 'x', emoji: true }, value: o.value, action_ts: '1764000001.000001' }],
  });
}

interface OpenedBlock {
  type: string;
  block_id?: string;
  element?: { type: string; action_id: string; options?: { text: { text: string }; value: string }[] };
}

/** A view as the app opened it (the fake's record of views.open) plus the id Slack gave it. */
export interface OpenedView {
  id: string;
  callback_id: string;
  private_metadata: string;
  blocks: OpenedBlock[];
}

/**
 * A view_submission of an opened modal with `values` keyed by field id; selects get the
 * option with that value (external selects any value). Fields not given are submitted empty.
 */
export function viewSubmission(o: { user: SlackUser; view: OpenedView; values: Record<string, string>; ws?: Workspace }): SlackRequest {
  const ws = o.ws ?? WORKSPACE;
  const values: Record<string, Record<string, unknown>> = {};
  for (const b of o.view.blocks) {
    if (b.type !== 'input' || !b.block_id || !b.element) continue;
    const v = o.values[b.block_id];
    const el = b.element;
    if (el.type === 'static_select' || el.type === 'external_select') {
      const opt = el.options?.find((x) => x.value === v);
      values[b.block_id] = { [el.action_id]: { type: el.type, selected_option: v === undefined ? null : { text: { type: 'plain_text', text: opt?.text.text ?? v, emoji: true }, value: v } } };
    } else {
      values[b.block_id] = { [el.action_id]: { type: el.type, value: v ?? null } };
    }
  }
  return interactive({
    type: 'view_submission',
    team: ws.orgWide ? null : { id: ws.team, domain: ws.domain },
    user: userOf(o.user),
    api_app_id: ws.appId,
    token: 'legacy-verification-token',
    trigger_id: `${Date.now()}.trigger`,
    view: {
      id: o.view.id,
      team_id: ws.team,
      type: 'modal',
      blocks: o.view.blocks,
      private_metadata: o.view.private_metadata,
      callback_id: o.view.callback_id,
      state: { values },
      hash: '1764000000.abcdef',
      title: { type: 'plain_text', text: 'Form', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: o.view.id,
      app_id: ws.appId,
      external_id: '',
      app_installed_team_id: ws.orgWide && ws.enterprise ? ws.enterprise : ws.team,
      bot_id: 'B0BOT',
    },
    response_urls: [],
    ...grid(ws),
  });
}

/** The message shortcut ("Dispute ownership") on a message. */
export function messageAction(o: { user: SlackUser; callbackId: string; channel: string; message: { ts: string; text: string; user: string; thread_ts?: string }; responseUrl: string; ws?: Workspace }): SlackRequest {
  const ws = o.ws ?? WORKSPACE;
  return interactive({
    type: 'message_action',
    token: 'legacy-verification-token',
    action_ts: '1764000002.000001',
    team: { id: ws.team, domain: ws.domain },
    user: userOf(o.user),
    channel: { id: o.channel, name: 'deals' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId,
    trigger_id: `${Date.now()}.trigger`,
    response_url: o.responseUrl,
    message_ts: o.message.ts,
    message: { type: 'message', user: o.message.user, ts: o.message.ts, text: o.message.text, ...(o.message.thread_ts ? { thread_ts: o.message.thread_ts } : {}) },
  });
}

/** A typeahead query of an external_select in a modal. */
export function blockSuggestion(o: { user: SlackUser; actionId: string; blockId: string; value: string; ws?: Workspace }): SlackRequest {
  const ws = o.ws ?? WORKSPACE;
  return interactive({
    type: 'block_suggestion',
    user: userOf(o.user),
    container: { type: 'view', view_id: 'V000001' },
    api_app_id: ws.appId,
    token: 'legacy-verification-token',
    action_id: o.actionId,
    block_id: o.blockId,
    value: o.value,
    team: { id: ws.team, domain: ws.domain },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: 'V000001', type: 'modal', blocks: [], state: { values: {} }, private_metadata: '', callback_id: 'x', hash: 'h' },
  });
}

/** The Events API envelope around one event. */
export function eventCallback(event: Record<string, unknown>, ws: Workspace = WORKSPACE): SlackRequest {
  return {
    contentType: JSON_TYPE,
    body: JSON.stringify({
      token: 'legacy-verification-token',
      team_id: ws.team,
      api_app_id: ws.appId,
      event,
      type: 'event_callback',
      event_id: `Ev${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: ws.team, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    }),
  };
}

export function appHomeOpened(o: { user: string; tab?: 'home' | 'messages'; ws?: Workspace }): SlackRequest {
  return eventCallback({ type: 'app_home_opened', user: o.user, channel: `D${o.user}`, tab: o.tab ?? 'home', event_ts: '1764000003.000001' }, o.ws);
}

export function urlVerification(challenge: string): SlackRequest {
  return { contentType: JSON_TYPE, body: JSON.stringify({ token: 'legacy-verification-token', challenge, type: 'url_verification' }) };
}
