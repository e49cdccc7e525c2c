import type { types, webApi } from '@slack/bolt';
import { userFacing } from './errors.js';
import type { HandlerDeps } from '../../deps.js';
import type { Reply } from '../../replies/model.js';
import type { SlackIdentities, SlackUserRef } from './identity.js';
import { renderReply } from './render.js';

/** The log lines the adapter writes (pino's Logger fits). */
export interface SlackLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  /** Whether a level is written (pino's); lines that cost something to build are skipped when not. */
  isLevelEnabled?(level: string): boolean;
}

/** What every listener module gets: the handlers' dependencies and who is who on Slack. */
export interface SlackContext {
  deps: HandlerDeps;
  identities: SlackIdentities;
  log: SlackLog;
}

/** The promise's value if it settles within `ms`; `undefined` when it does not; its error if it fails in time. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((ok) => {
    timer = setTimeout(() => ok(undefined), ms);
  });
  try {
    return await Promise.race([promise.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a modal may wait for what it shows before it opens as "Loading…": a trigger_id is good for 3 seconds. */
export const OPEN_BUDGET_MS = 2_000;

/**
 * Opens the modal `view` will be, within the trigger's 3 seconds: at once when it is ready in
 * time, else as "Loading…" under `title`, brought up to date (views.update) when it is. A
 * refusal in time goes to the caller (the error handler tells the user); a later one fills the
 * open modal with why.
 */
export async function openModal(client: webApi.WebClient, triggerId: string, title: string, view: Promise<types.ModalView>, log: SlackLog): Promise<void> {
  const inTime = await within(view, OPEN_BUDGET_MS);
  if (inTime) {
    await client.views.open({ trigger_id: triggerId, view: inTime.value });
    return;
  }
  const loading: types.ModalView = { type: 'modal', title: { type: 'plain_text', text: title }, close: { type: 'plain_text', text: 'Cancel' }, blocks: [{ type: 'section', text: { type: 'plain_text', text: 'Loading…' } }] };
  view.catch(() => undefined);
  const opened = await client.views.open({ trigger_id: triggerId, view: loading });
  const viewId = opened.view?.id;
  if (!viewId) return;
  let ready: types.ModalView;
  try {
    ready = await view;
  } catch (e) {
    ready = { ...loading, blocks: renderReply(userFacing(e, log, { type: 'modal', title })).blocks };
  }
  try {
    await client.views.update({ view_id: viewId, view: ready });
  } catch (err) {
    // Closed meanwhile (the person cancelled while it loaded): nothing to show, nothing went wrong.
    if ((err as { data?: { error?: unknown } }).data?.error === 'not_found') return;
    log.warn({ err }, 'slack: a modal opened as Loading… could not be filled in');
  }
}

/** The acting user of an interactive payload (block_actions, view_submission, shortcuts). */
export function interactiveUser(user: { id: string; name?: string | undefined; username?: string | undefined; team_id?: string | undefined }): SlackUserRef {
  return { id: user.id, name: user.name ?? user.username, teamId: user.team_id };
}

/**
 * The acting user of a slash command. A command payload's `team_id` is the workspace the
 * command ran in, not necessarily the user's (Slack Connect): only `user_team`, when present,
 * names the user's own team; otherwise users.info is asked.
 */
export function commandUser(command: { user_id: string; user_name: string; [key: string]: unknown }): SlackUserRef {
  const userTeam = command['user_team'];
  return { id: command.user_id, name: command.user_name, teamId: typeof userTeam === 'string' && userTeam ? userTeam : undefined };
}

/** Posts a message to a response_url (Slack's answer channel for commands and message buttons). */
export async function postToResponseUrl(url: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}

/** Where a reply for one user can go, from what an interactive payload carries. */
export interface UserChannel {
  user: string;
  responseUrl?: string | undefined;
  channel?: string | undefined;
}

/**
 * Shows a reply only to this user: through the response_url when there is one (replacing the
 * message the button was on when `replace`), as an ephemeral message in the channel, or else
 * in the user's DM with the bot (App Home clicks have neither).
 */
export async function tellUser(client: webApi.WebClient, to: UserChannel, reply: Reply, opts: { replace?: boolean } = {}): Promise<void> {
  const { blocks, text } = renderReply(reply);
  if (to.responseUrl) {
    await postToResponseUrl(to.responseUrl, { response_type: 'ephemeral', replace_original: opts.replace ?? false, blocks, text });
  } else if (to.channel) {
    await client.chat.postEphemeral({ channel: to.channel, user: to.user, blocks, text });
  } else {
    await client.chat.postMessage({ channel: to.user, blocks, text });
  }
}
