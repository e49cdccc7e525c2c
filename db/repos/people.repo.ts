import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { people } from '../schema.js';

/**
 * A chat user the bot has met: who they are to roe-bot and, as opaque JSON the platform adapter
 * defines, where to reach them (for Teams, the conversation reference of their 1:1 chat).
 */
export interface PersonRecord {
  userKey: string;
  platform: string;
  displayName: string;
  partnerId: string | null;
  personKey: string | null;
  conversationRef: unknown;
  updatedAt: Date;
}

/** Inserts or updates the person with this user key. */
export function savePerson(db: Db, p: PersonRecord): void {
  const { userKey, ...rest } = p;
  db.insert(people)
    .values(p)
    .onConflictDoUpdate({ target: people.userKey, set: rest })
    .run();
}

export function getPerson(db: Db, userKey: string): PersonRecord | undefined {
  return db.select().from(people).where(eq(people.userKey, userKey)).get();
}

/** The person of a platform whose stored reference has `value` at the JSON `path` (e.g. `$.user.aadObjectId`). */
export function findPersonByRef(db: Db, platform: string, path: string, value: string): PersonRecord | undefined {
  return db
    .select()
    .from(people)
    .where(and(eq(people.platform, platform), sql`json_extract(${people.conversationRef}, ${path}) = ${value}`))
    .orderBy(desc(people.updatedAt))
    .get();
}

/** The person of a platform with a stored reference seen most recently. */
export function latestPerson(db: Db, platform: string): PersonRecord | undefined {
  return db
    .select()
    .from(people)
    .where(and(eq(people.platform, platform), isNotNull(people.conversationRef)))
    .orderBy(desc(people.updatedAt), desc(sql`rowid`))
    .get();
}
