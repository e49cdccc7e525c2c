import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, like, lt, sql } from 'drizzle-orm';
import type { LedgerEntry } from '../../src/core/ledger/chain.js';
import { entryHash, GENESIS_HASH } from '../../src/core/ledger/chain.js';
import type {
  AccountsRepo,
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
  PartnersRepo,
  Store,
  TimerSpec,
  TimersRepo,
} from '../../src/core/ports.js';
import type { Account, Claim, Dispute, Partner, RuleVerdict, ThreadRef } from '../../src/core/types.js';
import type { OpenDb } from '../client.js';
import * as t from '../schema.js';

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
  reason: r.reason,
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

export const toLedgerEntry = (r: LedgerRow): LedgerEntry => ({
  seq: r.seq,
  at: r.at,
  kind: r.kind,
  subject: r.subject,
  actor: r.actor,
  policyVersion: r.policyVersion,
  payload: JSON.parse(r.payload) as unknown,
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
  contested: c.contested,
  violation: c.violation,
  requestKey: c.requestKey,
});

/** The SQLite implementation of the core's ports. One instance per open database. */
export function createStore({ db, sqlite }: OpenDb, now: () => Date = () => new Date()): Store {
  const accounts: AccountsRepo = {
    get: (id) => {
      const r = db.select().from(t.accounts).where(eq(t.accounts.id, id)).get();
      return r ? toAccount(r) : undefined;
    },
    all: () => db.select().from(t.accounts).orderBy(asc(t.accounts.name)).all().map(toAccount),
    count: () => db.select({ n: sql<number>`count(*)` }).from(t.accounts).get()!.n,
    fingerprint: () => {
      const r = db.select({ n: sql<number>`count(*)`, at: sql<number | null>`max(${t.accounts.updatedAt})` }).from(t.accounts).get()!;
      return `${r.n}:${r.at ?? 0}`;
    },
    upsert: (a) => {
      const exists = db.select({ id: t.accounts.id }).from(t.accounts).where(eq(t.accounts.id, a.id)).get();
      const row = { ...a, updatedAt: now() };
      db.insert(t.accounts).values(row).onConflictDoUpdate({ target: t.accounts.id, set: row }).run();
      return exists ? 'updated' : 'inserted';
    },
  };

  const partners: PartnersRepo = {
    get: (id) => {
      const r = db.select().from(t.partners).where(eq(t.partners.id, id)).get();
      return r ? toPartner(r) : undefined;
    },
    all: () => db.select().from(t.partners).orderBy(asc(t.partners.name)).all().map(toPartner),
    upsert: (p) => {
      const exists = db.select({ id: t.partners.id }).from(t.partners).where(eq(t.partners.id, p.id)).get();
      const row = { ...p, updatedAt: now() };
      db.insert(t.partners).values(row).onConflictDoUpdate({ target: t.partners.id, set: row }).run();
      return exists ? 'updated' : 'inserted';
    },
    flaggedAt: (id) => db.select({ at: t.partners.flaggedAt }).from(t.partners).where(eq(t.partners.id, id)).get()?.at ?? null,
    setFlagged: (id, at) => {
      db.update(t.partners).set({ flaggedAt: at }).where(eq(t.partners.id, id)).run();
    },
  };

  const claims: ClaimsRepo = {
    get: (id) => {
      const r = db.select().from(t.claims).where(eq(t.claims.id, id)).get();
      return r ? toClaim(r) : undefined;
    },
    insert: (c: NewClaim) => {
      return toClaim(db.insert(t.claims).values(claimValues(c)).returning().get());
    },
    update: (id, patch: ClaimPatch) => {
      db.update(t.claims).set(patch).where(eq(t.claims.id, id)).run();
    },
    replace: (id, c: NewClaim) => {
      db.update(t.claims).set(claimValues(c)).where(eq(t.claims.id, id)).run();
    },
    forAccount: (accountId) => db.select().from(t.claims).where(eq(t.claims.accountId, accountId)).orderBy(asc(t.claims.id)).all().map(toClaim),
    forClaimant: (party) => db.select().from(t.claims).where(eq(t.claims.claimant, party)).orderBy(asc(t.claims.id)).all().map(toClaim),
    byRequestKey: (key) => {
      const r = db.select().from(t.claims).where(eq(t.claims.requestKey, key)).get();
      return r ? toClaim(r) : undefined;
    },
    all: () => db.select().from(t.claims).orderBy(asc(t.claims.id)).all().map(toClaim),
  };

  const disputes: DisputesRepo = {
    get: (id) => {
      const r = db.select().from(t.disputes).where(eq(t.disputes.id, id)).get();
      return r ? toDispute(r) : undefined;
    },
    insert: (d: NewDispute) => toDispute(db.insert(t.disputes).values(d).returning().get()),
    update: (id, patch: DisputePatch) => {
      db.update(t.disputes).set(patch).where(eq(t.disputes.id, id)).run();
    },
    forAccount: (accountId) => db.select().from(t.disputes).where(eq(t.disputes.accountId, accountId)).orderBy(asc(t.disputes.id)).all().map(toDispute),
    open: () => db.select().from(t.disputes).where(eq(t.disputes.status, 'open')).orderBy(asc(t.disputes.id)).all().map(toDispute),
    byRequestKey: (key) => {
      const r = db.select().from(t.disputes).where(eq(t.disputes.requestKey, key)).get();
      return r ? toDispute(r) : undefined;
    },
    all: () => db.select().from(t.disputes).orderBy(asc(t.disputes.id)).all().map(toDispute),
  };

  /** A chat user's ledger pseudonym, made on first use; system actors (criteria, sla, …) and policy people stay as they are. */
  const actorId = (actor: string): string => {
    if (!actor.includes(':')) return actor;
    const known = db.select({ id: t.actors.actorId }).from(t.actors).where(eq(t.actors.userKey, actor)).get();
    if (known) return known.id;
    const id = `user-${randomUUID().slice(0, 13)}`;
    db.insert(t.actors).values({ actorId: id, userKey: actor, createdAt: now() }).run();
    return id;
  };

  const ledger: LedgerRepo = {
    append: (e: NewLedgerEntry) => {
      const head = db.select({ seq: t.ledger.seq, hash: t.ledger.hash }).from(t.ledger).orderBy(desc(t.ledger.seq)).limit(1).get();
      const content = { seq: (head?.seq ?? 0) + 1, at: e.at.toISOString(), kind: e.kind, subject: e.subject, actor: actorId(e.actor), policyVersion: e.policyVersion, payload: JSON.parse(JSON.stringify(e.payload)) as unknown };
      const prevHash = head?.hash ?? GENESIS_HASH;
      const entry: LedgerEntry = { ...content, prevHash, hash: entryHash(prevHash, content) };
      db.insert(t.ledger).values({ ...entry, payload: JSON.stringify(entry.payload) }).run();
      return entry;
    },
    *entries() {
      const stmt = sqlite.prepare('SELECT seq, at, kind, subject, actor, policy_version AS policyVersion, payload, prev_hash AS prevHash, hash FROM ledger ORDER BY seq');
      for (const r of stmt.iterate() as Iterable<LedgerRow>) yield toLedgerEntry(r);
    },
  };

  const outbox: OutboxRepo = {
    enqueue: (m: OutboxMessage, at: Date) => {
      db.insert(t.outbox).values({ platform: m.platform, target: m.target, body: m.body, dedupeKey: m.dedupeKey, nextAttemptAt: at, createdAt: at }).onConflictDoNothing().run();
    },
  };

  const timers: TimersRepo = {
    schedule: (s: TimerSpec, at: Date) => {
      db.insert(t.timers).values({ kind: s.kind, subject: s.subject, dueAt: s.dueAt, payload: s.payload, createdAt: at }).run();
    },
    cancel: (subject, kindPrefix) => {
      const where = kindPrefix
        ? and(eq(t.timers.subject, subject), eq(t.timers.status, 'pending'), like(t.timers.kind, `${kindPrefix}%`))
        : and(eq(t.timers.subject, subject), eq(t.timers.status, 'pending'));
      db.update(t.timers).set({ status: 'cancelled' }).where(where).run();
    },
    cancelDueBefore: (subject, kind, before) => {
      db.update(t.timers)
        .set({ status: 'cancelled' })
        .where(and(eq(t.timers.subject, subject), eq(t.timers.kind, kind), eq(t.timers.status, 'pending'), lt(t.timers.dueAt, before)))
        .run();
    },
  };

  return {
    accounts,
    partners,
    claims,
    disputes,
    ledger,
    outbox,
    timers,
    // IMMEDIATE: take the write lock up front, so two processes cannot both read "open" and rule.
    transaction: <T>(fn: () => T): T => sqlite.transaction(fn).immediate(),
  };
}


