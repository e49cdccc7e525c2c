import { z } from 'zod';
import { TEAMS_IDS } from './ids.js';

const account = z.looseObject({ id: z.string().min(1), name: z.string().optional() });

/**
 * The fields of a Bot Framework activity the adapter and the bot rely on. A body without
 * them is answered 400 naming the field, before botbuilder (which would throw on, say, a
 * serviceUrl that is not a string).
 */
const activityEnvelope = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  locale: z.string().optional(),
  serviceUrl: z.url({ protocol: /^https?$/ }),
  channelId: z.string().optional(),
  from: account.extend({ aadObjectId: z.string().optional() }),
  recipient: account,
  conversation: account.extend({ conversationType: z.string().optional(), tenantId: z.string().optional() }),
  text: z.string().optional(),
  replyToId: z.string().optional(),
  name: z.string().optional(),
  entities: z.array(z.looseObject({ type: z.string() })).optional(),
  channelData: z.looseObject({ tenant: z.looseObject({ id: z.string() }).optional() }).nullable().optional(),
  // Who joined or left (a conversationUpdate): the bot looks for itself among them.
  membersAdded: z.array(account).optional(),
  membersRemoved: z.array(account).optional(),
});

/** A mention, as botbuilder reads one to take the bot's name out of a message: whom it names, and its text in the message's. */
const mentionEntity = z.looseObject({ mentioned: account, text: z.string() });

function mentionProblem(body: { entities?: { type: string }[]; text?: string }): string | null {
  const entities = body.entities ?? [];
  for (let i = 0; i < entities.length; i++) {
    if (entities[i]!.type !== 'mention') continue;
    const problem = problemOf(mentionEntity, entities[i], ['entities', i]);
    if (problem) return problem;
    if (body.text === undefined) return 'activity text: a message with a mention has no text';
  }
  return null;
}

/** A card button's invoke (`adaptiveCard/action`): botbuilder reads `value.action` without checking it is there. */
const cardActionEnvelope = z.looseObject({ value: z.looseObject({ action: z.looseObject({}) }) });

/** The first problem of `value` (found at `at` in the activity), named by its path. */
function problemOf(schema: z.ZodType, value: unknown, at: (string | number)[] = []): string | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `activity ${[...at, ...i.path].join('.') || 'body'}: ${i.message}`;
}

/** What is wrong with an activity's envelope, or null. */
export function activityProblem(body: unknown): string | null {
  const problem = problemOf(activityEnvelope, body) ?? mentionProblem(body as { entities?: { type: string }[]; text?: string });
  if (problem) return problem;
  const { type, name } = body as { type: string; name?: string };
  return type === 'invoke' && name === TEAMS_IDS.invoke.adaptiveCardAction ? problemOf(cardActionEnvelope, body) : null;
}

/**
 * What is wrong with the channel an activity comes from, or null. Only Microsoft Teams vouches
 * for who sent an activity (its user and tenant): a Web Chat or Direct Line client, which Bot
 * Framework signs for as well, sets those itself. Unauthenticated (trying the bot locally), the
 * Bot Framework Emulator's channel is taken too.
 */
export function channelProblem(body: { channelId?: string }, allowed: readonly string[]): string | null {
  if (body.channelId !== undefined && allowed.includes(body.channelId)) return null;
  return `activity channelId: roe-bot answers Microsoft Teams only (${allowed.map((c) => `"${c}"`).join(' or ')}), not ${body.channelId === undefined ? 'an activity without a channel' : `"${body.channelId.slice(0, 40)}"`}`;
}
