import type { webApi } from '@slack/bolt';
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
