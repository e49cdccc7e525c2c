import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { and, asc, eq, getTableColumns, lt, sql } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { LedgerEntry } from '../../src/core/ledger/chain.js';
import { canonicalJson, entryHashWith, GENESIS_HASH } from '../../src/core/ledger/chain.js';
import type {
  AccountsRepo,
  CaseCard,
  CaseCardsRepo,
  ClaimantCounts,
  ClaimPatch,
  ClaimsRepo,
  DisputePatch,
  DisputesRepo,
  LedgerRepo,
  NewClaim,
  NewDispute,
  NewLedgerEntry,
  OutboxMessage,
  OutboxRepo,
  PartnerClosure,
  PartnersRepo,
  Store,
  TimerSpec,
  TimersRepo,
  RequestsRepo,
} from '../../src/core/ports.js';
import type { Account, Claim, Dispute, Partner, RuleVerdict, ThreadRef } from '../../src/core/types.js';
import { DomainError } from '../../src/core/errors.js';
import { dataVersion, isBusy, waitingAtMost, type OpenDb } from '../client.js';
import * as t from '../schema.js';

/**
 * How long a transaction waits for the write lock another process holds (an import writing
 * thousands of accounts in one transaction) before it is refused as busy: the thread that would
 * wait is the one answering every chat request, so it must not wait seconds. The connection's
 * other writers (the outbox recording a delivery) keep its longer wait.
 */
export const WRITE_WAIT_MS = 250;

/** What a request refused as busy tells the user: nothing was done, and it may be sent again. */
export const BUSY_MESSAGE = 'Nothing was saved: the database is busy with a large update (an account import, most likely). Please try again in a minute.';

type AccountRow = typeof t.accounts.$inferSelect;
type ClaimRow = typeof t.claims.$inferSelect;
type DisputeRow = typeof t.disputes.$inferSelect;
type PartnerRow = typeof t.partners.$inferSelect;
type LedgerRow = typeof t.ledger.$inferSelect;

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  aliases: r.aliases,
  domains: r.domains,
  segment: r.segment,
  region: r.region,
  tier: r.tier,
  isCustomer: r.isCustomer,
  incumbentPartnerId: r.incumbentPartnerId,
  namedOwner: r.namedOwner,
});

const toPartner = (r: PartnerRow): Partner => ({ id: r.id, name: r.name, tier: r.tier, slackTeamId: r.slackTeamId, teamsTenantId: r.teamsTenantId });

const toClaim = (r: ClaimRow): Claim => ({
  id: r.id,
  accountId: r.accountId,
  claimant: r.claimant,
  route: r.route as Claim['route'],
  productLine: r.productLine,
  opportunity: { name: r.oppName, stage: r.oppStage, amount: r.oppAmount },
  evidence: r.evidence,
  status: r.status as Claim['status'],
  registeredAt: r.registeredAt,
  lastActivityAt: r.lastActivityAt,
  protectedUntil: r.protectedUntil,
  policyVersion: r.policyVersion,
  createdBy: r.createdBy,
  filedAs: r.filedAs,
  contested: r.contested,
  violation: r.violation,
});

const toDispute = (r: DisputeRow): Dispute => ({
  id: r.id,
  accountId: r.accountId,
  productLine: r.productLine,
  status: r.status as Dispute['status'],
  claimIds: r.claimIds,
  parties: r.parties,
  raisedBy: r.raisedBy,
  raisedAs: r.raisedAs,
  reason: r.reason,
  filedFlagged: r.filedFlagged,
  joinedFlagged: r.joinedFlagged,
  evidence: r.evidence,
  origin: (r.origin as ThreadRef | null) ?? null,
  coverageName: r.coverageName,
  arbitrator: r.arbitrator,
  escalationLevel: r.escalationLevel,
  recommendation: r.recommendation,
  recommendationRule: r.recommendationRule,
  trace: r.trace as RuleVerdict[],
  policyVersion: r.policyVersion,
  createdAt: r.createdAt,
  dueAt: r.dueAt,
  ruledBy: r.ruledBy,
  ruledAt: r.ruledAt,
  winner: r.winner,
  rationale: r.rationale,
});

/**
 * A stored payload. The bot writes only JSON, exactly as JSON.stringify writes it, so text that
 * is not JSON, or not written so, was altered behind the ledger's triggers: it is kept as found,
 * under `notJson`, so that the entry still reads (an export shows it, and `roe ledger verify`
 * names it, its hash no longer holding) instead of every reader of the ledger failing on it.
 * (A key written twice, say: JSON.parse keeps its last value and SQL's json_extract its first,
 * so the hash of the parsed value alone would still hold while a reader of the text sees
 * another ruling.)
 */
function readPayload(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { notJson: text };
  }
  return JSON.stringify(value) === text ? value : { notJson: text };
}

export const toLedgerEntry = (r: LedgerRow): LedgerEntry => ({
  seq: r.seq,
  at: r.at,
  kind: r.kind,
  subject: r.subject,
  actor: r.actor,
  policyVersion: r.policyVersion,
  payload: readPayload(r.payload),
  prevHash: r.prevHash,
  hash: r.hash,
});

const claimValues = (c: NewClaim) => ({
  accountId: c.accountId,
  claimant: c.claimant,
  route: c.route,
  productLine: c.productLine,
  oppName: c.opportunity.name,
  oppStage: c.opportunity.stage,
  oppAmount: c.opportunity.amount,
  evidence: c.evidence,
  status: c.status,
  registeredAt: c.registeredAt,
  lastActivityAt: c.lastActivityAt,
  protectedUntil: c.protectedUntil,
  policyVersion: c.policyVersion,
  createdBy: c.createdBy,
  filedAs: c.filedAs,
  contested: c.contested,
  violation: c.violation,
  requestKey: c.requestKey,
});

const NONE: readonly string[] = Object.freeze([]);

// Hot paths use prepared statements (a claim runs some twenty queries in its transaction, and
// building each through the query builder cost more than running it). The SQL and the value
// conversions come from the drizzle schema itself, so rows read back exactly as drizzle's
// own selects give them, and a column added to the schema is picked up here too.
interface RawTable {
  /** `"column" AS "key"` for every column. */
  select: string;
  /** A raw row (keyed by the schema's keys) as drizzle decodes it. */
  decode(row: Record<string, unknown>): Record<string, unknown>;
  /** Column name and encoded value of each given field (undefined ones are left out, as drizzle does). */
  encode(values: Record<string, unknown>): { columns: string[]; params: unknown[] };
}

function rawTable(table: SQLiteTable): RawTable {
  const cols = Object.entries(getTableColumns(table));
  const byKey = new Map(cols);
  return {
    select: cols.map(([k, c]) => `"${c.name}" AS "${k}"`).join(', '),
    decode: (row) => {
      const out: Record<string, unknown> = {};
      for (const [k, c] of cols) {
        const v = row[k];
        out[k] = v === null || v === undefined ? null : c.mapFromDriverValue(v);
      }
      return out;
    },
    encode: (values) => {
      const columns: string[] = [];
      const params: unknown[] = [];
      for (const [k, v] of Object.entries(values)) {
        const c = byKey.get(k);
        if (v === undefined || !c) continue;
        columns.push(`"${c.name}"`);
        params.push(v === null ? null : c.mapToDriverValue(v));
      }
      return { columns, params };
    },
  };
}

const ACCOUNTS = rawTable(t.accounts);
const PARTNERS = rawTable(t.partners);
const CLAIMS = rawTable(t.claims);
const DISPUTES = rawTable(t.disputes);
const asAccount = (r: Record<string, unknown>) => toAccount(ACCOUNTS.decode(r) as AccountRow);
const asClaim = (r: Record<string, unknown>) => toClaim(CLAIMS.decode(r) as ClaimRow);
const asDispute = (r: Record<string, unknown>) => toDispute(DISPUTES.decode(r) as DisputeRow);

/** A ledger query: the entries `where` keeps, in order. */
const ledgerSql = (where: string): string => `SELECT seq, at, kind, subject, actor, policy_version AS policyVersion, payload, prev_hash AS prevHash, hash FROM ledger ${where} ORDER BY seq`;

/**
 * Whether every kind asked for is one the lookup index holds (ledger_lookup_idx): then the query
 * carries the index's own condition, word for word, so that SQLite reads it, and the kinds as
 * written in the query (ones of that list, nothing a user typed), so that it seeks each of them
 * rather than read the whole index. Otherwise the ledger is read through.
 */
const lookedUp = (kinds: readonly string[] | undefined): kinds is readonly string[] => kinds !== undefined && kinds.length > 0 && kinds.every((k) => (t.LEDGER_LOOKUP_KINDS as readonly string[]).includes(k));
const kindsIn = (kinds: readonly string[]): string => `${t.LEDGER_LOOKUP_WHERE} AND kind IN (${kinds.map((k) => `'${k}'`).join(', ')})`;

/** The query of LedgerRepo.about: its parameters the subjects, then the kinds when given and not looked up (see lookedUp), each as a JSON array. */
export function ledgerAboutSql(kinds?: readonly string[]): string {
  const subjects = 'subject IN (SELECT value FROM json_each(?))';
  if (lookedUp(kinds)) return ledgerSql(`WHERE ${kindsIn(kinds)} AND ${subjects}`);
  return ledgerSql(`WHERE ${subjects}${kinds ? ' AND kind IN (SELECT value FROM json_each(?))' : ''}`);
}

/** The query of LedgerRepo.ofKinds: its parameter the kinds as a JSON array, unless they are looked up (see lookedUp). */
export function ledgerOfKindsSql(kinds: readonly string[]): string {
  return ledgerSql(lookedUp(kinds) ? `WHERE ${kindsIn(kinds)}` : 'WHERE kind IN (SELECT value FROM json_each(?))');
}

/** The parameters of {@link ledgerAboutSql}. */
export const ledgerAboutParams = (subjects: readonly string[], kinds?: readonly string[]): string[] => [JSON.stringify(subjects), ...(kinds && !lookedUp(kinds) ? [JSON.stringify(kinds)] : [])];
/** The parameters of {@link ledgerOfKindsSql}. */
export const ledgerOfKindsParams = (kinds: readonly string[]): string[] => (lookedUp(kinds) ? [] : [JSON.stringify(kinds)]);

/** The SQLite implementation of the core's ports. One instance per open database. */
export function createStore(
  { db, sqlite }: OpenDb,
  options: {
    /** A user's write refused as busy (not one made with `background`). */
    onBusy?: (err: unknown) => void;
    /** How long a transaction waits for the write lock another process holds (default WRITE_WAIT_MS; a command run by hand waits the connection's 5 seconds). */
    writeWaitMs?: number;
  } = {},
  now: () => Date = () => new Date()
): Store {
  const writeWait = options.writeWaitMs ?? WRITE_WAIT_MS;
  const statements = new Map<string, Database.Statement>();
  /** The prepared statement for this SQL, prepared once per store. */
  const q = (text: string): Database.Statement => {
    let st = statements.get(text);
    if (!st) {
      st = sqlite.prepare(text);
      statements.set(text, st);
    }
    return st;
  };
  const one = <R>(text: string, map: (r: Record<string, unknown>) => R, ...args: unknown[]): R | undefined => {
    const r = q(text).get(...args) as Record<string, unknown> | undefined;
    return r ? map(r) : undefined;
  };
  const many = <R>(text: string, map: (r: Record<string, unknown>) => R, ...args: unknown[]): R[] => (q(text).all(...args) as Record<string, unknown>[]).map(map);
  const fingerprintStmt = sqlite.prepare<[], { n: number; at: number | null; total: number }>('SELECT count(*) AS n, max(updated_at) AS at, total(updated_at) AS total FROM accounts');
  /**
   * Inserts or updates a row by id (but for the fields in `keep`), and says which: a row given
   * exactly as stored (its update time aside) is not written, and is `unchanged`. Its statements
   * are prepared once: a large import runs this for every row while it holds the write lock.
   */
  const compareRow = (table: 'accounts' | 'partners', raw: RawTable, row: Record<string, unknown> & { id: string }, keep: readonly string[]) => {
    const { columns, params } = raw.encode(row);
    const kept = new Set(raw.encode(Object.fromEntries(keep.map((k) => [k, null]))).columns);
    const stored = q(`SELECT ${columns.join(', ')} FROM ${table} WHERE id = ?`).raw(true).get(row.id) as unknown[] | undefined;
    const same = stored !== undefined && columns.every((c, i) => c === '"updated_at"' || kept.has(c) || stored[i] === params[i]);
    return { columns, params, kept, stored, same };
  };
  const upsertRow = (table: 'accounts' | 'partners', raw: RawTable, row: Record<string, unknown> & { id: string }, keep: readonly string[]): 'inserted' | 'updated' | 'unchanged' => {
    const { columns, params, kept, stored, same } = compareRow(table, raw, row, keep);
    if (same) return 'unchanged';
    const set = columns.filter((c) => c !== '"id"' && !kept.has(c)).map((c) => `${c} = excluded.${c}`);
    q(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT ("id") DO UPDATE SET ${set.join(', ')}`).run(...params);
    return stored ? 'updated' : 'inserted';
  };

  const accounts: AccountsRepo = {
    get: (id) => one(`SELECT ${ACCOUNTS.select} FROM accounts WHERE id = ?`, asAccount, id),
    labels: (ids) => {
      const out = new Map<string, Pick<Account, 'id' | 'name' | 'domains' | 'region'>>();
      if (ids.length === 0) return out;
      const rows = q(`SELECT id, name, domains, region FROM accounts WHERE id IN (${ids.map(() => '?').join(', ')})`).raw(true).all(...ids) as [string, string, string, string | null][];
      for (const [id, name, domains, region] of rows) out.set(id, { id, name, domains: domains === '[]' ? [] : (JSON.parse(domains) as string[]), region });
      return out;
    },
    all: () => db.select().from(t.accounts).orderBy(asc(t.accounts.name)).all().map(toAccount),
    count: () => db.select({ n: sql<number>`count(*)` }).from(t.accounts).get()!.n,
    namingParty: (party, shown) => {
      const where = 'FROM accounts WHERE incumbent_partner_id = ? OR named_owner = ?';
      const { n } = q(`SELECT count(*) AS n ${where}`).get(party, party) as { n: number };
      const ids = n === 0 ? [] : (q(`SELECT id ${where} ORDER BY id LIMIT ?`).raw(true).all(party, party, shown) as [string][]).map(([id]) => id);
      return { count: n, ids };
    },
    *matchable() {
      // Raw rows of four columns: no row objects, no query builder, JSON parsed only when not empty.
      const rows = sqlite.prepare('SELECT id, name, aliases, domains FROM accounts ORDER BY name').raw(true);
      for (const [id, name, aliases, domains] of rows.iterate() as Iterable<[string, string, string, string]>) {
        yield { id, name, aliases: aliases === '[]' ? NONE : (JSON.parse(aliases) as string[]), domains: domains === '[]' ? NONE : (JSON.parse(domains) as string[]) };
      }
    },
    fingerprint: () => {
      // The sum of update times too: any upsert moves it, even one that leaves count and latest alone.
      const r = fingerprintStmt.get()!;
      return `${r.n}:${r.at ?? 0}:${r.total}`;
    },
    upsert: (a, keep = []) => upsertRow('accounts', ACCOUNTS, { ...a, updatedAt: now() }, keep),
    asStored: (a, keep = []) => compareRow('accounts', ACCOUNTS, { ...a, updatedAt: new Date(0) }, keep).same,
  };

  // Caches of small, often read tables, dropped when this connection writes them, when a
  // transaction rolls back, and when another connection (a CLI run, a second process) has
  // committed since they were read: SQLite's data_version tells.
  let seenVersion: number | null = null;
  let partnerCache: { byId: Map<string, Partner>; flagged: Map<string, number | null>; closed: Map<string, PartnerClosure>; sorted: Partner[] } | null = null;
  const dropCaches = () => {
    partnerCache = null;
  };
  const checkVersion = () => {
    const v = dataVersion(sqlite);
    if (v !== seenVersion) {
      seenVersion = v;
      dropCaches();
    }
  };
  const partnerTable = () => {
    // Inside a transaction the check ran when it began, and nobody else can write until it ends.
    if (!sqlite.inTransaction) checkVersion();
    if (!partnerCache) {
      const rows = q(`SELECT ${PARTNERS.select} FROM partners ORDER BY name`).all() as Record<string, unknown>[];
      const decoded = rows.map((r) => PARTNERS.decode(r) as PartnerRow);
      const sorted = decoded.map(toPartner);
      const closed = new Map(decoded.flatMap((r) => (r.closedAt ? [[r.id, { at: r.closedAt, slackTeamId: r.closedSlackTeamId, teamsTenantId: r.closedTeamsTenantId }] as const] : [])));
      partnerCache = { byId: new Map(sorted.map((p) => [p.id, p])), flagged: new Map(decoded.map((r) => [r.id, r.flaggedAt ? r.flaggedAt.getTime() : null])), closed, sorted };
    }
    return partnerCache;
  };

  const partners: PartnersRepo = {
    get: (id) => {
      const p = partnerTable().byId.get(id);
      return p ? { ...p } : undefined;
    },
    all: () => partnerTable().sorted.map((p) => ({ ...p })),
    inProgramme: () => {
      const { sorted, closed } = partnerTable();
      return sorted.filter((p) => !closed.has(p.id)).map((p) => ({ ...p }));
    },
    upsert: (p, keep = []) => {
      const done = upsertRow('partners', PARTNERS, { ...p, updatedAt: now() }, keep);
      if (done !== 'unchanged') dropCaches();
      return done;
    },
    flaggedAt: (id) => {
      const at = partnerTable().flagged.get(id) ?? null;
      return at === null ? null : new Date(at);
    },
    setFlagged: (id, at) => {
      db.update(t.partners).set({ flaggedAt: at }).where(eq(t.partners.id, id)).run();
      dropCaches();
    },
    closure: (id) => {
      const c = partnerTable().closed.get(id);
      return c ? { ...c, at: new Date(c.at) } : null;
    },
    closed: () => [...partnerTable().closed].map(([id, c]) => ({ id, ...c, at: new Date(c.at) })),
    setClosed: (id, c) => {
      db.update(t.partners).set({ closedAt: c?.at ?? null, closedSlackTeamId: c?.slackTeamId ?? null, closedTeamsTenantId: c?.teamsTenantId ?? null }).where(eq(t.partners.id, id)).run();
      dropCaches();
    },
  };

  const claims: ClaimsRepo = {
    get: (id) => one(`SELECT ${CLAIMS.select} FROM claims WHERE id = ?`, asClaim, id),
    insert: (c: NewClaim) => {
      const { columns, params } = CLAIMS.encode(claimValues(c));
      const id = Number(q(`INSERT INTO claims (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...params).lastInsertRowid);
      // As it was stored: the columns hold exactly these values (times in whole milliseconds).
      const { requestKey: _key, ...claim } = c;
      return { ...claim, id, opportunity: { ...c.opportunity } };
    },
    update: (id, patch: ClaimPatch) => {
      const { columns, params } = CLAIMS.encode(patch);
      if (columns.length === 0) return;
      q(`UPDATE claims SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...params, id);
    },
    replace: (id, c: NewClaim) => {
      const { columns, params } = CLAIMS.encode(claimValues(c));
      q(`UPDATE claims SET ${columns.map((col) => `${col} = ?`).join(', ')} WHERE id = ?`).run(...params, id);
    },
    forAccount: (accountId) => many(`SELECT ${CLAIMS.select} FROM claims WHERE account_id = ? ORDER BY id`, asClaim, accountId),
    forClaimant: (party) => many(`SELECT ${CLAIMS.select} FROM claims WHERE claimant = ? ORDER BY id`, asClaim, party),
    createdBy: (keys) => (keys.length === 0 ? [] : many(`SELECT ${CLAIMS.select} FROM claims WHERE created_by IN (${keys.map(() => '?').join(', ')}) ORDER BY id`, asClaim, ...keys)),
    byRequestKey: (key) => one(`SELECT ${CLAIMS.select} FROM claims WHERE request_key = ?`, asClaim, key),
    // The ids (and users) as JSON arrays: one statement, prepared once, for any number of them;
    // the people the bot met joined in (a row with no claim id is one of `users`).
    filers: (ids, users = []) => {
      if (ids.length === 0 && users.length === 0) return { claims: [], persons: [] };
      const rows = q(
        'SELECT c.id AS id, c.created_by AS userKey, p.person_key AS personKey FROM claims c LEFT JOIN people p ON p.user_key = c.created_by WHERE c.id IN (SELECT value FROM json_each(?)) ' +
          'UNION ALL SELECT NULL, user_key, person_key FROM people WHERE user_key IN (SELECT value FROM json_each(?)) AND person_key IS NOT NULL',
      ).all(JSON.stringify(ids), JSON.stringify(users)) as { id: number | null; userKey: string; personKey: string | null }[];
      return {
        claims: rows.flatMap((r) => (r.id === null ? [] : [{ id: r.id, createdBy: r.userKey }])),
        persons: rows.flatMap((r) => (r.personKey === null ? [] : [{ userKey: r.userKey, personKey: r.personKey }])),
      };
    },
    violationsSince: (party, since) =>
      (q('SELECT registered_at AS at FROM claims WHERE claimant = ? AND violation = 1 AND registered_at > ? ORDER BY registered_at, id').all(party, since.getTime()) as { at: number }[]).map((r) => new Date(r.at)),
    violationClaimsSince: (party, since) => many(`SELECT ${CLAIMS.select} FROM claims WHERE claimant = ? AND violation = 1 AND registered_at > ? ORDER BY registered_at, id`, asClaim, party, since.getTime()),
    // Counted by SQLite: a million claims are never rows in JavaScript. Ordered by each claimant's first claim, as the core counts them.
    countsByClaimant: (since, registered) =>
      q(`SELECT claimant, count(*) AS claims, count(*) FILTER (WHERE violation = 1 AND registered_at > ?) AS violations FROM claims${registered ? ' WHERE registered_at >= ? AND registered_at < ?' : ''} GROUP BY claimant ORDER BY min(id)`).all(
        since.getTime(),
        ...(registered ? [registered.from.getTime(), registered.to.getTime()] : []),
      ) as ClaimantCounts[],
    liveByProductLine: (now) =>
      q("SELECT product_line AS productLine, count(*) AS claims, count(DISTINCT account_id) AS accounts FROM claims WHERE status = 'pending' OR (status = 'protected' AND (protected_until IS NULL OR protected_until > ?)) GROUP BY product_line").all(now.getTime()) as { productLine: string; claims: number; accounts: number }[],
    all: () => db.select().from(t.claims).orderBy(asc(t.claims.id)).all().map(toClaim),
  };

  const disputes: DisputesRepo = {
    get: (id) => one(`SELECT ${DISPUTES.select} FROM disputes WHERE id = ?`, asDispute, id),
    insert: (d: NewDispute) => {
      const { columns, params } = DISPUTES.encode(d as unknown as Record<string, unknown>);
      return asDispute(q(`INSERT INTO disputes (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) RETURNING ${DISPUTES.select}`).get(...params) as Record<string, unknown>);
    },
    update: (id, patch: DisputePatch) => {
      const { columns, params } = DISPUTES.encode(patch);
      if (columns.length === 0) return;
      q(`UPDATE disputes SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...params, id);
    },
    forAccount: (accountId) => many(`SELECT ${DISPUTES.select} FROM disputes WHERE account_id = ? ORDER BY id`, asDispute, accountId),
    open: () => db.select().from(t.disputes).where(eq(t.disputes.status, 'open')).orderBy(asc(t.disputes.id)).all().map(toDispute),
    forParty: (party) => many(`SELECT ${DISPUTES.select} FROM disputes WHERE EXISTS (SELECT 1 FROM json_each(disputes.parties) WHERE value = ?) ORDER BY id`, asDispute, party),
    byRequestKey: (key) => one(`SELECT ${DISPUTES.select} FROM disputes WHERE request_key = ?`, asDispute, key),
    *outlines() {
      // Seven columns, streamed: not the trace, evidence and reasons of every case at once.
      const rows = sqlite.prepare('SELECT id, parties, status, created_at, ruled_at, arbitrator, due_at FROM disputes ORDER BY id').raw(true);
      for (const [id, parties, status, createdAt, ruledAt, arbitrator, dueAt] of rows.iterate() as Iterable<[number, string, string, number, number | null, string, number | null]>) {
        yield { id, parties: JSON.parse(parties) as string[], status: status as Dispute['status'], createdAt: new Date(createdAt), ruledAt: ruledAt === null ? null : new Date(ruledAt), arbitrator, dueAt: dueAt === null ? null : new Date(dueAt) };
      }
    },
    all: () => db.select().from(t.disputes).orderBy(asc(t.disputes.id)).all().map(toDispute),
  };

  /** A chat user's ledger pseudonym, made on first use; system actors (criteria, sla, …) and policy people stay as they are. */
  const actorId = (actor: string): string => {
    if (!actor.includes(':')) return actor;
    const known = q('SELECT actor_id AS id FROM actors WHERE user_key = ?').get(actor) as { id: string } | undefined;
    if (known) return known.id;
    const id = `user-${randomUUID().slice(0, 13)}`;
    q('INSERT INTO actors (actor_id, user_key, created_at) VALUES (?, ?, ?)').run(id, actor, now().getTime());
    return id;
  };

  /** Ledger entries in order, those `where` keeps, streamed: a ledger of millions is never held whole. */
  function* ledgerRows(where: string, ...params: unknown[]): Generator<LedgerEntry> {
    yield* ledgerQuery(ledgerSql(where), ...params);
  }
  function* ledgerQuery(text: string, ...params: unknown[]): Generator<LedgerEntry> {
    // Prepared for each read, as one may be read while another of the same is still open.
    for (const r of sqlite.prepare(text).iterate(...params) as Iterable<LedgerRow>) yield toLedgerEntry(r);
  }
  const ledger: LedgerRepo = {
    append: (e: NewLedgerEntry) => {
      const head = q('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      // The payload as stored and as read back: JSON's own text of it (dates as strings, no undefined).
      const stored = JSON.stringify(e.payload);
      const payload = JSON.parse(stored) as unknown;
      const content = { seq: (head?.seq ?? 0) + 1, at: e.at.toISOString(), kind: e.kind, subject: e.subject, actor: actorId(e.actor), policyVersion: e.policyVersion };
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = entryHashWith(prevHash, content, canonicalJson(payload));
      q('INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(content.seq, content.at, content.kind, content.subject, content.actor, content.policyVersion, stored, prevHash, hash);
      return { ...content, payload, prevHash, hash };
    },
    headSeq: () => (q('SELECT coalesce(max(seq), 0) FROM ledger').pluck().get() as number),
    appendedSince: (seq, kind) => q('SELECT 1 FROM ledger WHERE seq > ? AND kind = ? LIMIT 1').get(seq, kind) !== undefined,
    entries: () => ledgerRows(''),
    // The subjects as one JSON array: any number of them, in one parameter.
    // Of kinds the lookup index holds, read from it (see ledgerAboutSql); of others, every entry is looked at.
    about: (subjects, kinds) => ledgerQuery(ledgerAboutSql(kinds), ...ledgerAboutParams(subjects, kinds)),
    // The other entries are passed over by SQLite, never made into objects.
    ofKinds: (kinds) => ledgerQuery(ledgerOfKindsSql(kinds), ...ledgerOfKindsParams(kinds)),
    // The partial index's own condition, word for word, so that SQLite reads it (ledger_case_history_idx).
    caseHistory: (subject) => [...ledgerRows(`WHERE subject = ? AND ${t.CASE_HISTORY_WHERE}`, subject)],
  };

  const outbox: OutboxRepo = {
    enqueue: (m: OutboxMessage, at: Date) => {
      q('INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(m.platform, JSON.stringify(m.target), JSON.stringify(m.body), m.dedupeKey, at.getTime(), at.getTime());
    },
    // Neither leased again (a sender that died with it in hand) nor retried from parked; a send
    // under way that lands is recorded delivered, as it was.
    // The keys from the prefix up to the prefix followed by U+FFFF: a range of the key's index, not a scan.
    withdraw: (keyPrefix) => q("UPDATE outbox SET status = 'withdrawn' WHERE dedupe_key >= ? AND dedupe_key < ? AND status IN ('pending', 'sending', 'parked')").run(keyPrefix, `${keyPrefix}\uffff`).changes,
  };

  const timers: TimersRepo = {
    schedule: (s: TimerSpec, at: Date) => {
      q('INSERT INTO timers (kind, subject, due_at, payload, created_at) VALUES (?, ?, ?, ?, ?)').run(s.kind, s.subject, s.dueAt.getTime(), JSON.stringify(s.payload), at.getTime());
    },
    cancel: (subject, kindPrefix) => {
      if (kindPrefix) q("UPDATE timers SET status = 'cancelled' WHERE subject = ? AND status = 'pending' AND kind LIKE ?").run(subject, `${kindPrefix}%`);
      else q("UPDATE timers SET status = 'cancelled' WHERE subject = ? AND status = 'pending'").run(subject);
    },
    cancelDueBefore: (subject, kind, before) =>
      db
        .update(t.timers)
        .set({ status: 'cancelled' })
        .where(and(eq(t.timers.subject, subject), eq(t.timers.kind, kind), eq(t.timers.status, 'pending'), lt(t.timers.dueAt, before)))
        .run().changes,
    pending: (subject, kind) => q("SELECT 1 FROM timers WHERE subject = ? AND kind = ? AND status = 'pending' LIMIT 1").get(subject, kind) !== undefined,
    pendingAlone: (kind, family, dueAfter) =>
      q("SELECT DISTINCT t.subject FROM timers t WHERE t.status = 'pending' AND t.due_at > ? AND t.kind = ? AND NOT EXISTS (SELECT 1 FROM timers o WHERE o.subject = t.subject AND o.status = 'pending' AND o.kind LIKE ? AND o.kind != t.kind)")
        .pluck()
        .all(dueAfter.getTime(), kind, `${family}%`) as string[],
    latestPending: (subject, kind) => {
      const r = q("SELECT created_at AS at, payload FROM timers WHERE subject = ? AND kind = ? AND status = 'pending' ORDER BY id DESC LIMIT 1").get(subject, kind) as { at: number; payload: string } | undefined;
      return r ? { createdAt: new Date(r.at), payload: JSON.parse(r.payload) as Record<string, unknown> } : null;
    },
    dueNow: (subject, kind, level, at) =>
      q("SELECT 1 FROM timers WHERE subject = ? AND kind = ? AND status = 'pending' AND due_at <= ? AND json_extract(payload, '$.level') = ? LIMIT 1").get(subject, kind, at.getTime(), level) !== undefined,
    firedSince: (subject, kind, since) => q("SELECT 1 FROM timers WHERE subject = ? AND kind = ? AND status = 'fired' AND created_at >= ? LIMIT 1").get(subject, kind, since.getTime()) !== undefined,
  };

  const requests: RequestsRepo = {
    first: (key, at) => q('INSERT INTO request_keys (key, at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(key, at.getTime()).changes === 1,
  };

  const caseCards: CaseCardsRepo = {
    remember: (c) => {
      q('INSERT INTO case_cards (channel, ts, dispute_id, user, person) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(c.channel, c.ts, c.disputeId, c.user, c.person);
    },
    of: (disputeId) => q('SELECT channel, ts, dispute_id AS disputeId, user, person FROM case_cards WHERE dispute_id = ? ORDER BY rowid').all(disputeId) as CaseCard[],
    forget: (cards) => {
      for (const c of cards) q('DELETE FROM case_cards WHERE channel = ? AND ts = ?').run(c.channel, c.ts);
    },
  };

  // Made once: better-sqlite3 builds four wrapper functions each time transaction() is called.
  const inTransaction = sqlite.transaction((fn: () => unknown) => {
    checkVersion();
    return fn();
  });
  const inReadTransaction = sqlite.transaction((fn: () => unknown) => {
    // Caches are checked as they begin (partners read inside do not check again).
    checkVersion();
    return fn();
  });

  return {
    accounts,
    partners,
    claims,
    disputes,
    ledger,
    outbox,
    timers,
    requests,
    caseCards,
    writesByOthers: () => dataVersion(sqlite),
    reading: <T>(fn: () => T): T => inReadTransaction.deferred(fn) as T,
    // IMMEDIATE: take the write lock up front, so two processes cannot both read "open" and rule.
    transaction: <T>(fn: () => T, { background = false }: { background?: boolean } = {}): T => {
      try {
        return waitingAtMost(sqlite, writeWait, () => inTransaction.immediate(fn) as T);
      } catch (e) {
        dropCaches();
        // The write never began (a nested transaction's refusal passes as it is).
        if (isBusy(e) && !(e instanceof DomainError)) {
          if (!background) options.onBusy?.(e);
          throw new DomainError('busy', BUSY_MESSAGE, {}, e);
        }
        throw e;
      }
    },
  };
}


