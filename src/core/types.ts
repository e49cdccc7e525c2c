/**
 * The vocabulary of DESIGN.md as types. Ids are strings; a party is a partner id or
 * the direct sales team.
 */
export const DIRECT = 'direct' as const;
/** The direct sales team's name, wherever a party is named (forms, replies, stats); no partner may have it. */
export const DIRECT_NAME = 'Direct sales';
/** Who a claim imported from the CRM was filed by, and who raised a case the import opened: nobody in chat. */
export const IMPORTED_BY = 'import';

/**
 * Whether a claim's filer (`createdBy`) is nobody the bot can reach in chat: the CRM's import, or
 * a user forgotten since (`roe forget`, as when they left), whose key became their ledger
 * pseudonym. A chat user's key always names its platform (`slack:…`, `teams:…`, `console:…`).
 */
export function filedByNobodyInChat(createdBy: string): 'import' | 'forgotten' | null {
  if (createdBy === IMPORTED_BY) return 'import';
  return createdBy.includes(':') ? null : 'forgotten';
}
/** A partner id, or `direct` for the company's own sales team. */
export type PartyId = string;

export const ROUTES = ['resell', 'referral', 'co-sell', 'marketplace', 'direct'] as const;
export type Route = (typeof ROUTES)[number];

export const MODELS = ['partner-led', 'co-sell', 'direct-led'] as const;
export type EngagementModel = (typeof MODELS)[number];

export const CLAIM_STATUSES = ['pending', 'protected', 'rejected', 'dormant', 'expired', 'lost', 'won'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

export interface Account {
  id: string;
  name: string;
  aliases: string[];
  domains: string[];
  segment: string | null;
  region: string | null;
  tier: string | null;
  isCustomer: boolean;
  incumbentPartnerId: string | null;
  /** A party named as the account's owner (partner id or `direct`). */
  namedOwner: PartyId | null;
}

export interface Partner {
  id: string;
  name: string;
  tier: string | null;
  slackTeamId: string | null;
  teamsTenantId: string | null;
}

export interface Opportunity {
  name: string;
  stage: string;
  amount: number | null;
}

export interface Claim {
  id: number;
  accountId: string;
  claimant: PartyId;
  route: Route;
  productLine: string;
  opportunity: Opportunity;
  evidence: string;
  status: ClaimStatus;
  registeredAt: Date;
  lastActivityAt: Date;
  /** Set when the claim becomes protected: registeredAt + protection_days of its policy version. */
  protectedUntil: Date | null;
  /** The policy version in force when the claim was registered (grandfathering). */
  policyVersion: string;
  /** Chat user who filed it (opaque user key), or `import`. */
  createdBy: string;
  /**
   * The party its filer acted from: direct for the company's own people (even when they filed
   * for a partner), the partner for a partner's user. Null for a claim the CRM's import brought
   * (until someone takes it on) and for claims from before it was kept.
   */
  filedAs: PartyId | null;
  /** Filed while another party held a protected claim on the same account and product line. */
  contested: boolean;
  /** A contested claim that lost: counts against the claimant (policy consequences). */
  violation: boolean;
}

/**
 * Whether two spellings name the same product line: letter case aside, as the policy check and
 * every form read them. A version may re-case a line (`Core platform`); claims and cases stored
 * under the old spelling are still on it.
 */
export function sameProductLine(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

export const DISPUTE_STATUSES = ['open', 'settled', 'ruled', 'withdrawn'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Where a dispute was raised, so later updates go to its thread. */
export interface ThreadRef {
  platform: 'slack' | 'teams' | 'console';
  channel: string;
  /** Slack message ts of the announcement / Teams activity id; null until announced. */
  thread: string | null;
}

export interface Dispute {
  id: number;
  accountId: string;
  productLine: string;
  status: DisputeStatus;
  claimIds: number[];
  /** The party being disputed when raised by hand against an owner without a claim. */
  parties: PartyId[];
  raisedBy: string;
  /**
   * The party it was raised as: a partner for a partner's user; for the company's own people,
   * the partner they raised a dispute for, else direct (even when they filed a claim for a
   * partner). Null on disputes from before it was kept.
   */
  raisedAs: PartyId | null;
  reason: string;
  /**
   * Whether the claim it was opened for was filed while its partner was flagged (its reason says
   * so in words): the case's cards then say how the flag stands. Kept as a fact, never read back
   * from the reason, whose words may be a raiser's own.
   */
  filedFlagged: boolean;
  /**
   * The claims that joined it, open already, while their partner was flagged (the claim that
   * opened it is `filedFlagged`'s): its cards then say how that partner's flag stands. Empty on
   * cases from before it was kept.
   */
  joinedFlagged: number[];
  evidence: string;
  origin: ThreadRef | null;
  coverageName: string;
  /** Person key of the arbitrator now assigned. */
  arbitrator: string;
  /** Index in the chain [arbitrator, ...escalation] of the assignee. */
  escalationLevel: number;
  recommendation: PartyId | null;
  recommendationRule: string | null;
  trace: RuleVerdict[];
  policyVersion: string;
  createdAt: Date;
  dueAt: Date | null;
  ruledBy: string | null;
  ruledAt: Date | null;
  winner: PartyId | null;
  rationale: string | null;
}

export const RULES = ['named-account', 'direct-reserved', 'incumbent', 'first-registration', 'furthest-stage'] as const;
export type RuleName = (typeof RULES)[number];

/** One rule's verdict in a decision trace; `text` is rendered per viewer (see explain). */
export interface RuleVerdict {
  rule: RuleName;
  auto: boolean;
  outcome: 'picked' | 'passed' | 'not-reached';
  winner: PartyId | null;
  /** Structured reason: a code and the parties/values it mentions. */
  reason: VerdictReason;
}

export type VerdictReason =
  | { code: 'named-owner'; owner: PartyId }
  /** `left`: the account names an owner that left the partner programme (`roe partner close`), which is none. */
  | { code: 'no-named-owner'; left?: PartyId }
  | { code: 'direct-led'; coverage: string }
  | { code: 'not-direct-led'; coverage: string; model: EngagementModel }
  | { code: 'incumbent'; partner: PartyId }
  /** `notCustomer`: a partner is recorded on the account, which is no customer, so none is its incumbent. */
  /** `left`: the customer's incumbent left the partner programme (`roe partner close`), so it has none. */
  | { code: 'no-incumbent'; notCustomer?: true; left?: PartyId }
  /**
   * `tied`: among the parties an earlier rule found level at the top, not every party;
   * `levelOn`: that rule, when it is not the one just before (a rule passed in between).
   */
  | { code: 'earliest'; winner: PartyId; at: string; next: PartyId; nextAt: string; tied?: true; levelOn?: RuleName }
  | { code: 'same-time' }
  | { code: 'single-claim'; winner: PartyId; at: string }
  | { code: 'furthest'; winner: PartyId; stage: string; next: PartyId; nextStage: string; tied?: true; levelOn?: RuleName }
  | { code: 'same-stage'; stage: string }
  | { code: 'nothing-to-compare' }
  | { code: 'unknown-stage'; stage: string }
  | { code: 'no-claims' }
  | { code: 'earlier-rule' }
  /**
   * A rule that looks at the account (named owner, direct-led coverage, incumbent) found its
   * party, `owner`, after an earlier rule left other parties level at the top: the rules after a
   * tie choose among those alone, so it passes. `found`: what it found; `levelOn`: the rule that
   * left them level, when it is not the one just before.
   */
  | { code: 'not-among-tied'; owner: PartyId; found: 'named-owner' | 'direct-led' | 'incumbent'; levelOn?: RuleName };

export interface Decision {
  winner: PartyId | null;
  rule: RuleName | null;
  /** True when the deciding rule is `auto`: the decision settles the dispute at once. */
  auto: boolean;
  trace: RuleVerdict[];
}
