import type { App, webApi } from '@slack/bolt';
import { ErrorCode } from '@slack/bolt';
import { asError, isDomainError } from '../../../src/core/errors.js';
import { APOLOGY, reply, text, type Reply } from '../../replies/model.js';
import { tellUser, type SlackLog, type UserChannel } from './context.js';
import { truncate } from './render.js';

/** Bolt wraps errors without a `code` in an UnknownError; the cause is what matters. */
function unwrap(error: Error): Error {
  const original: unknown = (error as Error & { original?: unknown }).original;
  return original instanceof Error ? original : error;
}

/** The one translation of a failure into what the user reads: a DomainError's message, or an apology (logged). */
export function userFacing(error: unknown, log: SlackLog, where: object): Reply {
  const e = unwrap(asError(error));
  if (isDomainError(e)) {
    log.debug({ ...where, code: e.code }, 'request refused');
    return reply(e.message, [text(e.message, 'warning')]);
  }
  log.error({ ...where, err: e }, 'slack request failed');
  return reply(APOLOGY, [text(APOLOGY, 'attention')]);
}

type ViewErrors = { response_action: 'errors'; errors: Record<string, string> };

/**
 * A failed form submission as `response_action: errors`: each field error on its input block
 * (block_id = field id); an error naming no field of this form, or a refusal, on the first block.
 */
export function viewErrors(error: unknown, blockIds: readonly string[], log: SlackLog, where: object): ViewErrors {
  const e = unwrap(asError(error));
  const first = blockIds[0] ?? 'account';
  const errors: Record<string, string> = {};
  const add = (block: string, message: string) => {
    errors[block] = truncate(errors[block] ? `${errors[block]} ${message}` : message, 500);
  };
  if (isDomainError(e)) {
    log.debug({ ...where, code: e.code, fields: Object.keys(e.fields) }, 'form refused');
    const fields = Object.entries(e.fields);
    for (const [field, message] of fields) add(blockIds.includes(field) ? field : first, message);
    if (fields.length === 0) add(first, e.message);
  } else {
    log.error({ ...where, err: e }, 'slack form submission failed');
    add(first, APOLOGY);
  }
  return { response_action: 'errors', errors };
}

function str(o: unknown, ...path: string[]): string | undefined {
  let cur: unknown = o;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return typeof cur === 'string' && cur !== '' ? cur : undefined;
}

/** A payload summarised for a log line: what happened and who, never tokens or typed text. */
export function describePayload(body: unknown): Record<string, string | undefined> {
  return {
    type: str(body, 'type') ?? (str(body, 'command') ? 'slash_command' : undefined),
    command: str(body, 'command'),
    callbackId: str(body, 'callback_id') ?? str(body, 'view', 'callback_id'),
    actionId: str(body, 'actions', '0', 'action_id') ?? str(body, 'action_id'),
    event: str(body, 'event', 'type'),
    user: str(body, 'user_id') ?? str(body, 'user', 'id') ?? str(body, 'event', 'user'),
    team: str(body, 'team_id') ?? str(body, 'team', 'id'),
  };
}

/** Where to tell the user about a failure, from any payload; null where nobody can be told. */
function whereToTell(body: unknown): UserChannel | null {
  const type = str(body, 'type');
  if (type === 'event_callback' || type === 'block_suggestion') return null;
  const user = str(body, 'user_id') ?? str(body, 'user', 'id');
  if (!user) return null;
  return {
    user,
    responseUrl: str(body, 'response_url'),
    channel: str(body, 'channel_id') ?? str(body, 'channel', 'id') ?? str(body, 'container', 'channel_id'),
  };
}

/**
 * The one error handler of the Slack app. Listeners ack first and throw; whatever they throw
 * lands here: a DomainError becomes a message only that user sees, anything else a generic
 * apology and an error log with the cause. (Form submissions answer their errors inline
 * through `viewErrors`, since only their ack can carry them.)
 */
export function registerErrorHandler(app: App, client: webApi.WebClient, log: SlackLog): void {
  app.error(async ({ error, body }: { error: Error & { code?: string }; body: unknown }) => {
    const where = describePayload(body);
    if (error.code === ErrorCode.AuthorizationError) {
      log.error({ ...where, err: unwrap(error) }, 'slack authorization failed (auth.test of the bot token)');
      return;
    }
    const message = userFacing(error, log, where);
    const to = whereToTell(body);
    if (!to) return;
    try {
      await tellUser(client, to, message);
    } catch (e) {
      log.error({ ...where, err: asError(e) }, 'could not tell the user about a failed request');
    }
  });
}
