import type { Activity, ConversationReference } from 'botbuilder';

/**
 * What the bot remembers about a Teams user it has met: where Bot Framework reaches their
 * tenant (service URL), the bot's own account there, and their 1:1 chat with the bot once there
 * is one. Stored as the `conversation_ref` of the user's row in `people`.
 */
export interface TeamsContact {
  user: { id: string; name: string; aadObjectId?: string | undefined };
  bot: { id: string; name: string };
  serviceUrl: string;
  tenantId: string | null;
  /** The personal (1:1) conversation with the bot; null until the bot has one with this user. */
  personal: ConversationReference | null;
}

/** Who the contact is in roe-bot's terms, stored beside it. */
export interface ContactFacts {
  displayName: string;
  partnerId: string | null;
  personKey: string | null;
}

/** Where contacts are kept (the `people` table, through the app's wiring). */
export interface TeamsContacts {
  /** A contact by the user's Teams id (`29:…`) or their Entra (AAD) object id. */
  get(userId: string): TeamsContact | undefined;
  save(contact: TeamsContact, facts: ContactFacts): void;
  /** The contact seen last: its service URL and bot account are the best guess for someone never met. */
  latest(): TeamsContact | undefined;
}

/** The tenant of an activity: `channelData.tenant.id`, or the conversation's. */
export function tenantOf(activity: Pick<Activity, 'channelData' | 'conversation'>): string | null {
  const data: unknown = activity.channelData;
  if (typeof data === 'object' && data !== null) {
    const tenant: unknown = (data as { tenant?: unknown }).tenant;
    if (typeof tenant === 'object' && tenant !== null) {
      const id: unknown = (tenant as { id?: unknown }).id;
      if (typeof id === 'string' && id !== '') return id;
    }
  }
  return activity.conversation?.tenantId ?? null;
}

/** Whether an activity comes from a 1:1 chat with the bot. */
export function isPersonal(activity: Pick<Activity, 'conversation'>): boolean {
  const c = activity.conversation;
  return c?.conversationType === 'personal' || (c?.conversationType === undefined && c?.isGroup !== true);
}

/**
 * The contact an incoming activity tells about its sender: the 1:1 conversation when it came
 * from one, else the one known before (`known`), if any; `tenant` is the sender's own (outside a
 * 1:1 chat the activity names the host's).
 */
export function contactFrom(activity: Activity, known: TeamsContact | undefined, tenant: string | null = tenantOf(activity)): TeamsContact {
  const personal: ConversationReference | null = isPersonal(activity)
    ? {
        channelId: activity.channelId,
        serviceUrl: activity.serviceUrl,
        conversation: { id: activity.conversation.id, isGroup: false, conversationType: 'personal', name: '', tenantId: tenantOf(activity) ?? undefined },
        bot: { id: activity.recipient.id, name: activity.recipient.name },
        user: { id: activity.from.id, name: activity.from.name, ...(activity.from.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}) },
      }
    : (known?.personal ?? null);
  return {
    user: { id: activity.from.id, name: activity.from.name ?? known?.user.name ?? '', ...(activity.from.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}) },
    bot: { id: activity.recipient.id, name: activity.recipient.name ?? '' },
    serviceUrl: activity.serviceUrl,
    tenantId: tenant,
    personal,
  };
}

/** A stored value read back: a contact, or undefined when the stored JSON is not one. */
export function asContact(v: unknown): TeamsContact | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const c = v as Partial<TeamsContact>;
  if (typeof c.serviceUrl !== 'string' || typeof c.user?.id !== 'string' || typeof c.bot?.id !== 'string') return undefined;
  return { user: c.user, bot: c.bot, serviceUrl: c.serviceUrl, tenantId: typeof c.tenantId === 'string' ? c.tenantId : null, personal: c.personal ?? null };
}
