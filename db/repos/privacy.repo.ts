import type { OpenDb } from '../client.js';

export interface ForgetReport {
  userKey: string;
  actorId: string | null;
  claims: number;
  disputes: number;
  people: number;
  outbox: number;
  /** Messages delivered to them, kept a while (30 days): no longer naming them. */
  past: number;
  /**
   * Whether the -wal file was emptied at the end. False when another process kept reading the
   * database meanwhile (beyond the busy timeout): older copies of the pages changed may stay in
   * the -wal file until every process has closed the database.
   */
  walCleared: boolean;
}

/**
 * Removes a chat user's personal data: their name and conversation reference, the link
 * from their ledger pseudonym to them, their user id on claims and disputes (replaced by
 * the pseudonym), their 1:1 chat as the place a dispute they raised (or joined, taking it for
 * its thread) is followed, messages to them not yet delivered (also those being sent), their
 * answers to an arbitrator's question (not yet delivered: dropped; delivered: emptied), their
 * id on the outbox rows kept (their target, dedupe key and delivery error), and the keys that
 * made a request of theirs count once (request_keys). The party a
 * claim was filed as (`filed_as`) is kept: it names a party (direct, or the claim's own partner),
 * never the person, and with their key gone no notice of the claim reaches anyone.
 * The ledger holds only the pseudonym, so it still verifies. One transaction, in which `record`
 * (given what was done) writes the forget's own ledger entry.
 *
 * What it removes leaves no copy in the database's files either, and so none in later backups:
 * the transaction runs with `secure_delete` on (the space of what it deletes or rewrites is
 * zeroed, not left as free space that still holds the text), and a TRUNCATE checkpoint then
 * writes its pages into the database file and empties the -wal file, which held the pages as
 * they were before.
 */
export function forgetUser({ sqlite }: OpenDb, userKey: string, record?: (report: Omit<ForgetReport, 'walCleared'>) => void): ForgetReport {
  const secureDelete = sqlite.pragma('secure_delete', { simple: true }) as number;
  sqlite.pragma('secure_delete = ON');
  let report: Omit<ForgetReport, 'walCleared'>;
  try {
    report = forgetInTransaction(sqlite, userKey, record);
  } finally {
    // Read back as a number: 2 is FAST, which setting 2 would not give (any non-zero is ON).
    sqlite.pragma(`secure_delete = ${secureDelete === 2 ? 'FAST' : secureDelete}`);
  }
  return { ...report, walCleared: emptyWal(sqlite) };
}

/**
 * Writes the -wal file's pages into the database file and empties it (a TRUNCATE checkpoint),
 * so that it no longer holds pages as they were before a forget. Also what a forget run again
 * does when it finds nothing left to forget: the first run may have been killed between its
 * transaction and this checkpoint, and left their old copies there. False when a reader (the
 * bot) still used older pages after the busy timeout.
 */
export function emptyWal(sqlite: OpenDb['sqlite']): boolean {
  const [checkpoint] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  return checkpoint?.busy === 0;
}

/** A user key's platform and the user's id there (`teams:29:1abc`: teams, 29:1abc). */
function platformAndUser(userKey: string): { platform: string; user: string } {
  const [platform = '', ...rest] = userKey.split(':');
  return { platform, user: rest.join(':') };
}

/** Outbox rows addressed to a user (bound: platform, user id): DMs, and updates of the case cards in their DM. */
const TO_THEM = "platform = ? AND json_extract(target, '$.kind') IN ('user', 'message') AND json_extract(target, '$.user') = ?";

/**
 * Outbox rows carrying a user's answer to an arbitrator's question (bound: user key), under their
 * name: the DM's dedupe key names the answer and its sender (`answer:7:slack:U0NORA:…`, see notify).
 */
const FROM_THEM = "dedupe_key LIKE 'answer:%' AND instr(':' || dedupe_key || ':', ':' || ? || ':') > 0";

function forgetInTransaction(sqlite: OpenDb['sqlite'], userKey: string, record?: (report: Omit<ForgetReport, 'walCleared'>) => void): Omit<ForgetReport, 'walCleared'> {
  return sqlite
    .transaction((): Omit<ForgetReport, 'walCleared'> => {
      const actor = sqlite.prepare('SELECT actor_id AS id FROM actors WHERE user_key = ?').get(userKey) as { id: string } | undefined;
      const replacement = actor?.id ?? 'forgotten';
      const { platform, user } = platformAndUser(userKey);
      // A dispute raised in a 1:1 chat with the bot is followed there: that conversation is theirs.
      // So is the chat of a case raised by no one in chat (an import opened it, or its raiser was
      // forgotten) that took the chat of a claim of theirs joining it as its thread.
      sqlite
        .prepare(
          "UPDATE disputes SET origin = NULL WHERE (raised_by = ? OR (instr(raised_by, ':') = 0 AND EXISTS (SELECT 1 FROM json_each(disputes.claim_ids) j JOIN claims c ON c.id = j.value WHERE c.created_by = ?))) AND ((json_extract(origin, '$.platform') = 'slack' AND json_extract(origin, '$.channel') LIKE 'D%') OR (json_extract(origin, '$.platform') = 'teams' AND json_extract(origin, '$.channel') LIKE 'a:%'))",
        )
        .run(userKey, userKey);
      const report: Omit<ForgetReport, 'walCleared'> = {
        userKey,
        actorId: actor?.id ?? null,
        claims: sqlite.prepare('UPDATE claims SET created_by = ? WHERE created_by = ?').run(replacement, userKey).changes,
        disputes: sqlite.prepare('UPDATE disputes SET raised_by = ? WHERE raised_by = ?').run(replacement, userKey).changes,
        people: sqlite.prepare('DELETE FROM people WHERE user_key = ?').run(userKey).changes,
        outbox: sqlite.prepare(`DELETE FROM outbox WHERE status IN ('pending', 'sending', 'parked') AND ${TO_THEM}`).run(platform, user).changes,
        past: 0,
      };
      // Their answers to an arbitrator's question hold their name and words: not sent once they are
      // forgotten, and those kept (delivered, withdrawn) hold neither (the delivered counted as past messages).
      report.outbox += sqlite.prepare(`DELETE FROM outbox WHERE status IN ('pending', 'sending', 'parked') AND ${FROM_THEM}`).run(userKey).changes;
      report.past += (sqlite.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'delivered' AND ${FROM_THEM}`).get(userKey) as { n: number }).n;
      sqlite.prepare(`UPDATE outbox SET body = '{}' WHERE ${FROM_THEM}`).run(userKey);
      // Rows kept (delivered, dropped) name them no more: not as the recipient, not in the dedupe key.
      // Counted (past): the messages delivered to them, once each (an update of a card is no other message).
      report.past += (sqlite.prepare(`SELECT count(*) AS n FROM outbox WHERE status = 'delivered' AND platform = ? AND json_extract(target, '$.kind') = 'user' AND json_extract(target, '$.user') = ?`).get(platform, user) as { n: number }).n;
      sqlite.prepare(`UPDATE outbox SET target = '{"kind":"user","user":"forgotten"}', body = '{}', dedupe_key = 'forgotten:' || id WHERE ${TO_THEM}`).run(platform, user);
      // Their key as a whole part of the dedupe key (`dm:7:ruled:slack:U0PAT:…`), not the start of another's (slack:U0PAT2).
      sqlite.prepare("UPDATE outbox SET dedupe_key = 'forgotten:' || id WHERE instr(':' || dedupe_key || ':', ':' || ? || ':') > 0").run(userKey);
      // Nor as the person a channel post would go to by DM should the channel refuse it (the last of
      // an escalation chain): such a post, should it be refused, is parked instead.
      sqlite.prepare("UPDATE outbox SET target = json_remove(target, '$.fallbackUser') WHERE platform = ? AND json_extract(target, '$.kind') = 'channel' AND json_extract(target, '$.fallbackUser') = ?").run(platform, user).changes;
      // Nor in the error a delivery met (`conversations.open gave no channel for U0…`), kept once it went out.
      // Their id as a whole word only: U0PAT is not the start of U0PAT2, another user's.
      if (user) {
        const named = new RegExp(`(?<![\\w-])${user.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g');
        const setError = sqlite.prepare('UPDATE outbox SET last_error = ? WHERE id = ?');
        for (const row of sqlite.prepare('SELECT id, last_error AS error FROM outbox WHERE platform = ? AND instr(last_error, ?) > 0').all(platform, user) as { id: number; error: string }[]) {
          const error = row.error.replace(named, 'a forgotten user');
          if (error !== row.error) setError.run(error, row.id);
        }
      }
      // Nor in the keys that make a request of theirs count once (`answer:console:nora:…`, kept a
      // while): their key as a whole part of it, as in the dedupe keys above.
      sqlite.prepare("DELETE FROM request_keys WHERE instr(':' || key || ':', ':' || ? || ':') > 0").run(userKey);
      // Where their case cards are (their DM's channel) is not kept either: those cards stay as they are.
      if (platform === 'slack') sqlite.prepare('DELETE FROM case_cards WHERE user = ?').run(user);
      sqlite.prepare('DELETE FROM actors WHERE user_key = ?').run(userKey);
      record?.(report);
      return report;
    })
    .immediate();
}

/**
 * Whether anything is known of a user key: also of someone known only as the one messages go to
 * (a person of the policy on Slack: the case cards in their DM, messages to them).
 */
export function knowsUser({ sqlite }: OpenDb, userKey: string): boolean {
  const q = (sql: string) => sqlite.prepare(sql).get(userKey) !== undefined;
  const { platform, user } = platformAndUser(userKey);
  return (
    q('SELECT 1 FROM actors WHERE user_key = ?') ||
    q('SELECT 1 FROM people WHERE user_key = ?') ||
    q('SELECT 1 FROM claims WHERE created_by = ? LIMIT 1') ||
    q('SELECT 1 FROM disputes WHERE raised_by = ? LIMIT 1') ||
    sqlite.prepare(`SELECT 1 FROM outbox WHERE ${TO_THEM} LIMIT 1`).get(platform, user) !== undefined ||
    (platform === 'slack' && sqlite.prepare('SELECT 1 FROM case_cards WHERE user = ? LIMIT 1').get(user) !== undefined)
  );
}
