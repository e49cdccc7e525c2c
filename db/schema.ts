import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Shared column helpers: instants are stored as integer milliseconds since the epoch. */
const instant = (name: string) => integer(name, { mode: 'timestamp_ms' });
const json = <T>(name: string) => text(name, { mode: 'json' }).$type<T>();
const flag = (name: string) => integer(name, { mode: 'boolean' });

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  aliases: json<string[]>('aliases').notNull().default(sql`'[]'`),
  domains: json<string[]>('domains').notNull().default(sql`'[]'`),
  segment: text('segment'),
  region: text('region'),
  tier: text('tier'),
  isCustomer: flag('is_customer').notNull().default(false),
  incumbentPartnerId: text('incumbent_partner_id'),
  namedOwner: text('named_owner'),
  updatedAt: instant('updated_at').notNull(),
});

export const partners = sqliteTable('partners', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tier: text('tier'),
  slackTeamId: text('slack_team_id'),
  teamsTenantId: text('teams_tenant_id'),
  /** Set while the partner is flagged for violations (policy consequences). */
  flaggedAt: instant('flagged_at'),
  /**
   * Set once the partner is taken out of the programme (`roe partner close`), with the Slack team
   * and Teams tenant it had then (its own columns are cleared): a stranger of one of them is told
   * the partner left, and an import does not link them again by accident.
   */
  closedAt: instant('closed_at'),
  closedSlackTeamId: text('closed_slack_team_id'),
  closedTeamsTenantId: text('closed_teams_tenant_id'),
  updatedAt: instant('updated_at').notNull(),
});

/** Chat users the bot has met: display names and where to reach them (conversation references). */
export const people = sqliteTable(
  'people',
  {
    userKey: text('user_key').primaryKey(),
    platform: text('platform').notNull(),
    displayName: text('display_name').notNull(),
    partnerId: text('partner_id'),
    personKey: text('person_key'),
    conversationRef: json<unknown>('conversation_ref'),
    updatedAt: instant('updated_at').notNull(),
  },
  // A Teams person found by the Entra object id a policy names them by (see teamsPersonByEntraId), without reading every contact.
  (t) => [index('people_person_key_idx').on(t.personKey), index('people_teams_entra_idx').on(sql`lower(json_extract(${t.conversationRef}, '$.user.aadObjectId'))`)],
);

export const policyVersions = sqliteTable(
  'policy_versions',
  {
    id: integer('id').primaryKey(),
    version: text('version').notNull(),
    effective: text('effective').notNull(),
    sourceHash: text('source_hash').notNull(),
    body: text('body').notNull(),
    loadedAt: instant('loaded_at').notNull(),
  },
  (t) => [uniqueIndex('policy_versions_version_idx').on(t.version)],
);

export const claims = sqliteTable(
  'claims',
  {
    id: integer('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    claimant: text('claimant').notNull(),
    route: text('route').notNull(),
    productLine: text('product_line').notNull(),
    oppName: text('opp_name').notNull(),
    oppStage: text('opp_stage').notNull(),
    oppAmount: real('opp_amount'),
    evidence: text('evidence').notNull(),
    status: text('status').notNull(),
    registeredAt: instant('registered_at').notNull(),
    lastActivityAt: instant('last_activity_at').notNull(),
    protectedUntil: instant('protected_until'),
    policyVersion: text('policy_version').notNull(),
    createdBy: text('created_by').notNull(),
    /** The party its filer acted from: direct for the company's own people (also when they filed for a partner), the partner for a partner's user; null for the CRM's import and claims from before it was kept. */
    filedAs: text('filed_as'),
    contested: flag('contested').notNull().default(false),
    violation: flag('violation').notNull().default(false),
    requestKey: text('request_key'),
  },
  // Violations are rare: the partial index holds only them, so filing a claim writes no page of it.
  (t) => [index('claims_account_idx').on(t.accountId, t.productLine), index('claims_violations_idx').on(t.claimant, t.registeredAt).where(sql`violation = 1`), uniqueIndex('claims_request_key_idx').on(t.requestKey)],
);

export const disputes = sqliteTable(
  'disputes',
  {
    id: integer('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    productLine: text('product_line').notNull(),
    status: text('status').notNull(),
    claimIds: json<number[]>('claim_ids').notNull(),
    parties: json<string[]>('parties').notNull(),
    raisedBy: text('raised_by').notNull(),
    /** The party it was raised as: the raiser's own (direct for the company's own people), or the partner one of them raised a dispute for; null on disputes from before it was kept. */
    raisedAs: text('raised_as'),
    reason: text('reason').notNull(),
    /** Whether the claim that opened it was filed while its partner was flagged (its reason says so too): set when the case opens. */
    filedFlagged: flag('filed_flagged').notNull().default(false),
    /** The claims that joined it, already open, while their partner was flagged: set as each joins (none on cases from before it was kept). */
    joinedFlagged: json<number[]>('joined_flagged').notNull().default(sql`'[]'`),
    evidence: text('evidence').notNull(),
    origin: json<unknown>('origin'),
    coverageName: text('coverage_name').notNull(),
    arbitrator: text('arbitrator').notNull(),
    escalationLevel: integer('escalation_level').notNull().default(0),
    recommendation: text('recommendation'),
    recommendationRule: text('recommendation_rule'),
    trace: json<unknown[]>('trace').notNull(),
    policyVersion: text('policy_version').notNull(),
    createdAt: instant('created_at').notNull(),
    dueAt: instant('due_at'),
    ruledBy: text('ruled_by'),
    ruledAt: instant('ruled_at'),
    winner: text('winner'),
    rationale: text('rationale'),
    requestKey: text('request_key'),
  },
  (t) => [index('disputes_account_idx').on(t.accountId), index('disputes_status_idx').on(t.status), uniqueIndex('disputes_request_key_idx').on(t.requestKey)],
);

/**
 * Pseudonyms for chat users in the ledger: the ledger (hashed) holds only `actor_id`, so
 * forgetting a person deletes this row and the ledger still verifies.
 */
export const actors = sqliteTable('actors', {
  actorId: text('actor_id').primaryKey(),
  userKey: text('user_key').notNull().unique(),
  createdAt: instant('created_at').notNull(),
});

/**
 * Requests already carried out that leave no row of their own to recognise them by (a question
 * asked on a case): a repeat of the same key (a double click, a redelivery) does nothing again.
 * Claims and disputes keep their request key on their own rows.
 */
export const requestKeys = sqliteTable('request_keys', {
  key: text('key').primaryKey(),
  at: instant('at').notNull(),
});

/** The ledger entries a case's history of questions is read from (see LedgerRepo.caseHistory): few, so their index costs a claim nothing. */
export const CASE_HISTORY_KINDS = ['dispute.info_requested', 'dispute.info_answered', 'dispute.escalated', 'dispute.reassigned'] as const;
export const CASE_HISTORY_WHERE = `kind IN (${CASE_HISTORY_KINDS.map((k) => `'${k}'`).join(', ')})`;

/**
 * The ledger entries looked up by kind on a request's or a timer's path (see LedgerRepo.about and
 * ofKinds): a ruling's rejection of a claim (a flag's list of violations), a claim's dormancy
 * (whether its owner was told, at its expiry) and expiry warning (at a start, whether it was
 * sent), a case's opening (who raised it, read for each notice about it), the escalations
 * (`/roe stats`) and an assignee found unreachable (at each reminder). Few beside the claims'
 * entries, so their index costs a claim protected at once nothing.
 */
export const LEDGER_LOOKUP_KINDS = ['claim.rejected', 'claim.dormant', 'claim.expiry_warning', 'dispute.opened', 'dispute.escalated', 'dispute.escalated_to_channel', 'dispute.unreachable'] as const;
export const LEDGER_LOOKUP_WHERE = `kind IN (${LEDGER_LOOKUP_KINDS.map((k) => `'${k}'`).join(', ')})`;

/** Append-only and hash-chained; triggers in the migration refuse UPDATE and DELETE. */
export const ledger = sqliteTable(
  'ledger',
  {
    seq: integer('seq').primaryKey(),
    at: text('at').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    actor: text('actor').notNull(),
    policyVersion: text('policy_version'),
    payload: text('payload').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  // A case's questions, answers and hand-ons, found without reading the whole ledger; an index
  // of those kinds alone, so that the appends of claims and rulings write no page more.
  // The kinds a request's path reads by kind (see LEDGER_LOOKUP_KINDS): a case's opening and a
  // ruling's rejections write an entry to it, a claim protected at once nothing.
  (t) => [index('ledger_case_history_idx').on(t.subject, t.seq).where(sql.raw(CASE_HISTORY_WHERE)), index('ledger_lookup_idx').on(t.kind, t.subject, t.seq).where(sql.raw(LEDGER_LOOKUP_WHERE))],
);

export const timers = sqliteTable(
  'timers',
  {
    id: integer('id').primaryKey(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    dueAt: instant('due_at').notNull(),
    status: text('status').notNull().default('pending'),
    payload: json<Record<string, unknown>>('payload').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    firedAt: instant('fired_at'),
  },
  // timers_retry_idx: the few timers waiting to be tried again, for the scheduler to find one a clock set back holds (see MAX_RETRY_HOLD_MS).
  (t) => [index('timers_due_idx').on(t.status, t.dueAt), index('timers_subject_idx').on(t.subject), index('timers_retry_idx').on(t.status, t.dueAt).where(sql`attempts > 0`)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    platform: text('platform').notNull(),
    target: json<unknown>('target').notNull(),
    body: json<unknown>('body').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at').notNull(),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    deliveredAt: instant('delivered_at'),
  },
  (t) => [uniqueIndex('outbox_dedupe_idx').on(t.dedupeKey), index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/**
 * Slack messages showing a case with its ruling buttons, as posted to the person who rules (a
 * DM's channel and the message's ts): when the case moves on (ruled, settled, closed, or moved to
 * someone else), each is updated in place to show the case as it stands, and forgotten.
 */
export const caseCards = sqliteTable(
  'case_cards',
  {
    channel: text('channel').notNull(),
    ts: text('ts').notNull(),
    disputeId: integer('dispute_id').notNull(),
    /** The Slack user the card was posted to. */
    user: text('user').notNull(),
    /** The person of the policy it was for (the arbitrator then). */
    person: text('person').notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.ts] }), index('case_cards_dispute_idx').on(t.disputeId)],
);
