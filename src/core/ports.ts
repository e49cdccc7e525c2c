/**
 * The interfaces the core needs from the outside world. `db/` implements the stores;
 * every method is synchronous and runs inside `Store.transaction` for a user action.
 */
import type { LedgerEntry } from './ledger/chain.js';
import type { MatchableAccount } from './matching/matcher.js';
import type { Account, Claim, Dispute, Partner, PartyId } from './types.js';

export type NewClaim = Omit<Claim, 'id'> & { requestKey: string | null };
export type NewDispute = Omit<Dispute, 'id'> & { requestKey: string | null };
export type ClaimPatch = Partial<Pick<Claim, 'status' | 'protectedUntil' | 'lastActivityAt' | 'contested' | 'violation' | 'createdBy' | 'filedAs'>>;
export type DisputePatch = Partial<
  Pick<Dispute, 'claimIds' | 'parties' | 'status' | 'arbitrator' | 'escalationLevel' | 'dueAt' | 'ruledBy' | 'ruledAt' | 'winner' | 'rationale' | 'origin' | 'recommendation' | 'recommendationRule' | 'trace' | 'policyVersion' | 'joinedFlagged'>
>;

/** A claimant's claims as the stats count them: how many, and how many violations inside the consequences window. */
export interface ClaimantCounts {
  claimant: PartyId;
  claims: number;
  violations: number;
}
/** A span of time: from `from` up to (not at) `to`. */
export interface Period {
  from: Date;
  to: Date;
}
/** What the stats read of a case: not its trace, evidence or reasons. */
export type CaseOutline = Pick<Dispute, 'id' | 'parties' | 'status' | 'createdAt' | 'ruledAt' | 'arbitrator' | 'dueAt'>;

export interface AccountsRepo {
  get(id: string): Account | undefined;
  /** What a list to pick from shows of these accounts (those that exist), by id: in one read. */
  labels(ids: readonly string[]): Map<string, Pick<Account, 'id' | 'name' | 'domains' | 'region'>>;
  all(): Account[];
  count(): number;
  /**
   * The accounts that name this party as their incumbent partner or named owner: how many, and
   * the ids of the first `shown` of them (by id). Reads every account: for an operator's command.
   */
  namingParty(party: string, shown: number): { count: number; ids: string[] };
  /** Changes whenever accounts are added or updated (count and latest update), to refresh indexes. */
  fingerprint(): string;
  /**
   * Every account's id, name, aliases and domains, by name, streamed one at a time: what the
   * matcher indexes, without the other fields or a million-row array (start-up at scale).
   */
  matchable(): Iterable<MatchableAccount>;
  /**
   * Inserts or updates by id, and says which; an update leaves the fields in `keep` as stored.
   * An account given exactly as stored is written not at all (its update time stays): `unchanged`.
   */
  upsert(account: Account, keep?: readonly (keyof Account)[]): 'inserted' | 'updated' | 'unchanged';
  /** Whether {@link upsert} would find the account exactly as stored (and write nothing). Only reads. */
  asStored(account: Account, keep?: readonly (keyof Account)[]): boolean;
}

export interface PartnersRepo {
  get(id: string): Partner | undefined;
  all(): Partner[];
  /** The partners in the programme: all but those taken out of it (see closure). One read, as all's. */
  inProgramme(): Partner[];
  /** As {@link AccountsRepo.upsert}: inserted, updated (but for the fields in `keep`), or unchanged and not written. */
  upsert(partner: Partner, keep?: readonly (keyof Partner)[]): 'inserted' | 'updated' | 'unchanged';
  /** When the partner was flagged by the consequences rule, or null. */
  flaggedAt(id: string): Date | null;
  setFlagged(id: string, at: Date | null): void;
  /** When the partner was taken out of the programme (`roe partner close`), and the workspaces it had then; null while it is in. */
  closure(id: string): PartnerClosure | null;
  /** The partners taken out of the programme, by id. */
  closed(): (PartnerClosure & { id: string })[];
  /** Records the partner closed (with the workspaces it had), or in the programme again (null). */
  setClosed(id: string, closure: PartnerClosure | null): void;
}

/** A partner taken out of the programme: when, and the Slack team and Teams tenant it had then (its own are cleared). */
export interface PartnerClosure {
  at: Date;
  slackTeamId: string | null;
  teamsTenantId: string | null;
}

export interface ClaimsRepo {
  get(id: number): Claim | undefined;
  insert(claim: NewClaim): Claim;
  update(id: number, patch: ClaimPatch): void;
  /** Overwrites every field of a claim (re-import of the same CRM record). */
  replace(id: number, claim: NewClaim): void;
  forAccount(accountId: string): Claim[];
  forClaimant(party: PartyId): Claim[];
  /** The claims filed by any of these users (user keys: `slack:U123`, `teams:29:abc`). */
  createdBy(userKeys: readonly string[]): Claim[];
  /**
   * Who filed each of these claims (their `createdBy`) and, for those users and the user keys
   * `users` besides (a case's raiser), the person key each was resolved to when the bot last met
   * them (a Teams user whose policy `teams` id is their Entra object id is known so): in one query
   * and no more of them, what recusal asks of a case. Ids with no claim, and users resolved to no
   * person, are left out; in no particular order.
   */
  filers(ids: readonly number[], users?: readonly string[]): { claims: Pick<Claim, 'id' | 'createdBy'>[]; persons: { userKey: string; personKey: string }[] };
  /** When each of the party's claims marked as a violation was registered, if after `since`; oldest first. */
  violationsSince(party: PartyId, since: Date): Date[];
  /** The party's claims marked as a violation and registered after `since`, oldest first: read by the index of violations alone, not the party's every claim. */
  violationClaimsSince(party: PartyId, since: Date): Claim[];
  byRequestKey(key: string): Claim | undefined;
  /**
   * Per claimant, in the order of their first claim: their claims, and those of them marked as a
   * violation and registered after `since`; with `registered`, only the claims registered from
   * its `from` up to (not at) its `to`. Counted by the database, no claim read (stats at scale);
   * the rule is the core's countByClaimant (stats.ts).
   */
  countsByClaimant(since: Date, registered?: Period): ClaimantCounts[];
  /**
   * Per product line as stored, the claims that hold it at `now` (pending, or protected with
   * their protection not yet over) and on how many accounts. Counted by the database: for the
   * operator recording a version, never on a request's path.
   */
  liveByProductLine(now: Date): { productLine: string; claims: number; accounts: number }[];
  all(): Claim[];
}

export interface DisputesRepo {
  get(id: number): Dispute | undefined;
  insert(dispute: NewDispute): Dispute;
  update(id: number, patch: DisputePatch): void;
  forAccount(accountId: string): Dispute[];
  open(): Dispute[];
  /** The disputes this party is one of the parties to, by id. */
  forParty(party: PartyId): Dispute[];
  byRequestKey(key: string): Dispute | undefined;
  /** Every case's outline, by id, streamed: what the stats count, without the rest of each case. */
  outlines(): Iterable<CaseOutline>;
  all(): Dispute[];
}

export interface NewLedgerEntry {
  at: Date;
  kind: string;
  subject: string;
  actor: string;
  policyVersion: string | null;
  payload: Record<string, unknown>;
}

export interface LedgerRepo {
  /** Appends after the current head, computing the chained hash. */
  append(entry: NewLedgerEntry): LedgerEntry;
  entries(): Iterable<LedgerEntry>;
  /**
   * The entries about any of these subjects (`claim:12`, `partner:p1`), in order, of these kinds
   * only when given. Of the kinds a request looks up (a claim's rejection, a case's opening, the
   * escalations) they are found by their own index; otherwise the ledger is read through.
   */
  about(subjects: readonly string[], kinds?: readonly string[]): Iterable<LedgerEntry>;
  /** The entries of any of these kinds (`dispute.escalated`), in order: only those are read. */
  ofKinds(kinds: readonly string[]): Iterable<LedgerEntry>;
  /**
   * A case's questions, answers and hand-ons (`dispute.info_requested`, `dispute.info_answered`,
   * `dispute.escalated`, `dispute.reassigned` about `dispute:7`), in order, found by their own
   * index: not the whole ledger read.
   */
  caseHistory(subject: string): LedgerEntry[];
  /** The number of the last entry (0: none yet). */
  headSeq(): number;
  /** Whether an entry of this kind was appended after entry `seq`. */
  appendedSince(seq: number, kind: string): boolean;
}

/** A message to deliver later, written in the same transaction as the change causing it. */
export interface OutboxMessage {
  platform: 'slack' | 'teams' | 'console';
  /**
   * Where: a user (`user`), a channel, or a thread in a channel. Messages to one target are
   * delivered in the order they were queued, so anything that is not where (how to post) goes
   * in the body.
   */
  target:
    | { kind: 'user'; user: string }
    | { kind: 'channel'; channel: string; thread?: string | null; fallbackUser?: string }
    | { kind: 'dispute-thread'; disputeId: number }
    /** A message posted earlier to `user` (a Slack case card: its channel and ts), updated in place. */
    | { kind: 'message'; channel: string; ts: string; user: string };
  /** The neutral reply, as JSON. */
  body: unknown;
  dedupeKey: string;
}

export interface OutboxRepo {
  enqueue(message: OutboxMessage, at: Date): void;
  /**
   * Withdraws the messages not delivered yet (waiting, being sent, or parked) whose key starts
   * with `keyPrefix`, as what they say no longer holds: none of them goes out, after a restart
   * neither (one a sender has in hand may still land). Returns how many.
   */
  withdraw(keyPrefix: string): number;
}

export interface TimerSpec {
  kind: string;
  subject: string;
  dueAt: Date;
  payload: Record<string, unknown>;
}

export interface TimersRepo {
  schedule(timer: TimerSpec, at: Date): void;
  /** Cancels pending timers of a subject (all kinds, or those whose kind starts with `kindPrefix`). */
  cancel(subject: string, kindPrefix?: string): void;
  /** Cancels pending timers of a subject and kind due before `before`; returns how many. */
  cancelDueBefore(subject: string, kind: string, before: Date): number;
  /** Whether a timer of this subject and kind is pending. */
  pending(subject: string, kind: string): boolean;
  /** The subjects with a timer of `kind` pending, due after `dueAfter`, and no other pending timer whose kind starts with `family`. */
  pendingAlone(kind: string, family: string, dueAfter: Date): string[];
  /** Whether a timer of this subject and kind set at or after `since` has fired. */
  firedSince(subject: string, kind: string, since: Date): boolean;
  /** The latest pending timer of this subject and kind: when it was set, and its payload (null: none pending). */
  latestPending(subject: string, kind: string): { createdAt: Date; payload: Record<string, unknown> } | null;
  /** Whether a timer of this subject and kind, with this `level` in its payload, is pending and due at `now`. */
  dueNow(subject: string, kind: string, level: number, now: Date): boolean;
}

/** A Slack message showing a case with its ruling buttons, posted to the person who rules. */
export interface CaseCard {
  disputeId: number;
  channel: string;
  ts: string;
  /** The Slack user it was posted to. */
  user: string;
  /** The person of the policy it was for. */
  person: string;
}

/** The case cards out there, so that they show the case as it stands once it moves on. */
export interface CaseCardsRepo {
  remember(card: CaseCard): void;
  /** The cards of a case still to be brought up to date. */
  of(disputeId: number): CaseCard[];
  /** Forgets cards brought up to date for good (their updates are queued). */
  forget(cards: readonly CaseCard[]): void;
}

/** Requests carried out, by their key (see {@link Store.requests}). */
export interface RequestsRepo {
  /** Records the key; false when it was recorded before (the request is a repeat). */
  first(key: string, at: Date): boolean;
}

export interface Store {
  accounts: AccountsRepo;
  partners: PartnersRepo;
  claims: ClaimsRepo;
  disputes: DisputesRepo;
  ledger: LedgerRepo;
  outbox: OutboxRepo;
  timers: TimersRepo;
  /** Keys of requests that leave no row of their own (a question asked on a case), so a repeat does nothing. */
  requests: RequestsRepo;
  caseCards: CaseCardsRepo;
  /**
   * Runs `fn` as one transaction: all of it is written, or none. Never await inside.
   * `background`: a write no user asked for (the scheduler's): refused as busy, it is the
   * caller's to report, not the store's (see createStore's onBusy).
   */
  transaction<T>(fn: () => T, options?: { background?: boolean }): T;
  /**
   * Runs `fn`, which only reads, in one read transaction: what it reads is one snapshot, and many
   * reads cost one read lock. It takes no write lock: another process may write meanwhile.
   */
  reading<T>(fn: () => T): T;
  /** A mark that changes whenever another connection (a second process) commits a write: equal marks, nobody else wrote in between. */
  writesByOthers(): number;
}
