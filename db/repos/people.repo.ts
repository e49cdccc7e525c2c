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

/**
 * The Teams person whose stored contact holds this Entra object id (`user.aadObjectId`, as
 * Teams sends it), compared without case: a policy file or an admin may write the GUID in capitals.
 */
export function teamsPersonByEntraId(db: Db, aadObjectId: string): PersonRecord | undefined {
  return entraIdQuery(db, aadObjectId).get();
}

/** The query of {@link teamsPersonByEntraId}, not yet run. */
export function entraIdQuery(db: Db, aadObjectId: string) {
  return db
    .select()
    .from(people)
    .where(and(eq(people.platform, 'teams'), sql`lower(json_extract(${people.conversationRef}, '$.user.aadObjectId')) = ${aadObjectId.toLowerCase()}`))
    .orderBy(desc(people.updatedAt));
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
