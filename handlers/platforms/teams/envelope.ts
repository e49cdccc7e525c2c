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
});

/** A card button's invoke (`adaptiveCard/action`): botbuilder reads `value.action` without checking it is there. */
const cardActionEnvelope = z.looseObject({ value: z.looseObject({ action: z.looseObject({}) }) });

function problemOf(schema: z.ZodType, body: unknown): string | null {
  const r = schema.safeParse(body);
  if (r.success) return null;
  const i = r.error.issues[0]!;
  return `activity ${i.path.join('.') || 'body'}: ${i.message}`;
}

/** What is wrong with an activity's envelope, or null. */
export function activityProblem(body: unknown): string | null {
  const problem = problemOf(activityEnvelope, body);
  if (problem) return problem;
  const { type, name } = body as { type: string; name?: string };
  return type === 'invoke' && name === TEAMS_IDS.invoke.adaptiveCardAction ? problemOf(cardActionEnvelope, body) : null;
}
