import { refuseClosedParty } from './close-partner.js';
import { authorizeActingFor, ownParty, userKeysOfPerson, type Principal } from '../authz.js';
import type { DomainContext } from '../context.js';
import { applyOutcome, isOverlapCase, joinCase, liveClaims, openCase, otherClaimOfParty, outOfProgramme, partyName, recentRulingAgainst, rulingHolding } from '../disputes/settle.js';
import { DomainError } from '../errors.js';
import type { PolicyBook, PolicyVersion } from '../policy/versions.js';
import type { DomainEvent } from '../events.js';
import { coverageFor } from '../ownership/coverage.js';
import { DIRECT, filedByNobodyInChat, sameProductLine, type Account, type Claim, type Dispute, type Opportunity, type PartyId, type Route, type ThreadRef } from '../types.js';
import { dormancyAt, effectiveStatus, isLive, termsOf } from './lifecycle.js';
import { collisionReason, findConflicts, partyOf, type ConflictReason } from './overlap.js';
import { FLAGGED_REASON, requiresApproval } from './consequences.js';
import { routeProblem } from './route.js';
import { lastDays } from '../words.js';
import { planLifecycle } from './lifecycle.service.js';

export interface FileClaimInput {
  accountId: string;
  /** The account, when the caller has just read it (saves reading it again). */
  account?: Account;
  /** Partner id or `direct`; defaults to the principal's own party. */
  claimant?: PartyId | undefined;
  route: Route;
  productLine: string;
  opportunity: Opportunity;
  evidence: string;
  origin: ThreadRef | null;
  /** Same key, same claim: a retried or double-submitted form files nothing twice. */
  requestKey: string | null;
}

export interface FileClaimResult {
  claim: Claim;
  outcome: 'protected' | 'pending' | 'rejected';
  disputeId: number | null;
  events: DomainEvent[];
  /** True when this request was a repeat of one already filed. */
  repeated: boolean;
  /** Protected at once by a ruling standing for its party on the line: that ruling's dispute. */
  ruling?: number;
  /**
   * Why a pending claim waits: it collides with another party (`overlap`: see `conflicts`), it joined a case already
   * deciding the account and line (`case`), or nothing collides but it needs an arbitrator's
   * approval (`approval`, with `approval` saying why).
   */
  waits?: 'overlap' | 'case' | 'approval';
  /** What a pending claim collides with: other parties' live claims, or what the account's facts give another party (its named owner, incumbent, direct-led coverage). */
  conflicts?: readonly ConflictReason[];
  approval?: string[];
}

/**
 * Why a claim by `claimant` on this account and product line must wait for an arbitrator's
 * approval whatever it collides with, each as a case's reason says it; none when it need not:
 * a party that lost a ruling there does not get the line back by filing again at once, a
 * flagged partner's claims need approval, and so may the account's coverage.
 */
export function approvalReasons(ctx: DomainContext, account: Account, productLine: string, claimant: PartyId, now: Date): { reasons: string[]; flagged: boolean } {
  const policy = ctx.policies().inForceAt(now).policy;
  const lostRuling = recentRulingAgainst(ctx, account.id, productLine, claimant, termsOf(policy), now);
  const flagged = claimant !== DIRECT && requiresApproval(ctx, claimant, now);
  const reasons = [
    lostRuling ? `A ruling on dispute #${lostRuling.id} went against this party on ${account.name} (${productLine}) within the ${lastDays(policy.registration.protection_days)}.` : null,
    flagged ? FLAGGED_REASON : null,
    coverageFor(account, policy).requires_approval ? 'Claims under this coverage need approval.' : null,
  ].filter((r) => r !== null);
  // Whether the partner's flag is one of them, as the case keeps it (filedFlagged), not read back from its words.
  return { reasons, flagged };
}

/**
 * An account id the store does not know. The message names no command (the core knows no chat
 * platform): handlers add how the person looks the account up where they read it.
 */
export class UnknownAccount extends DomainError {
  constructor(accountId: string) {
    super('not_found', `No account with id "${accountId}".`, { account: 'Pick an account from the list' });
  }
}

/**
 * A request key already used by someone else (a form's key is its person's own: this is never a
 * double click). Says nothing of what was filed under it, and nothing is filed.
 */
export class RequestKeyTaken extends DomainError {
  constructor(what: 'claim' | 'dispute') {
    super('conflict', `This form was already sent by someone else, so nothing was filed. Open a new form to ${what === 'claim' ? 'file your claim' : 'raise your dispute'}.`);
  }
}

/**
 * The canonical product line name as the version in force (`inForce`) spells it, or a clear
 * error. A line another version of the `book` has is named for what it is: one the policy in
 * force dropped (a form opened before it took effect still offers it), or one a version loaded
 * ahead of its date adds.
 */
export function canonicalProductLine(book: PolicyBook, inForce: PolicyVersion, given: string): string {
  const productLines = inForce.policy.product_lines;
  const found = productLines.find((p) => sameProductLine(p, given.trim()));
  if (found) return found;
  const choose = `Choose one of: ${productLines.join(', ')}`;
  const other = [...book.all].reverse().find((v) => v.version !== inForce.version && v.policy.product_lines.some((p) => sameProductLine(p, given.trim())));
  if (other) {
    const line = other.policy.product_lines.find((p) => sameProductLine(p, given.trim()))!;
    const why =
      other.effectiveAt.getTime() > inForce.effectiveAt.getTime()
        ? `"${line}" is a product line only from ${other.policy.effective} (policy version ${other.version})`
        : `"${line}" is no longer one of the policy's product lines (policy version ${inForce.version}, in force since ${inForce.policy.effective}): claims already on it hold it until they end, but nothing new can be filed on it`;
    throw new DomainError('invalid_input', `${why}. ${choose}.`, { product: `${why}. ${choose}` });
  }
  throw new DomainError('invalid_input', `Unknown product line "${given}". ${choose}.`, { product: choose });
}

/**
 * Files a claim (deal registration): stores it, checks overlaps and either protects it,
 * leaves it pending approval, or opens a dispute that the criteria settle or an arbitrator
 * rules. A claim whose only overlaps are what a ruling standing for its party already decided
 * is protected at once, as one with no overlap. Must run inside a transaction.
 */
export function fileClaim(ctx: DomainContext, principal: Principal, input: FileClaimInput): FileClaimResult {
  const { store } = ctx;
  const now = ctx.clock.now();
  if (input.requestKey) {
    const prior = store.claims.byRequestKey(input.requestKey);
    // A key is one person's (a form they were shown): another's claim under it is not theirs to
    // be answered with, and nothing new can be filed under it either.
    if (prior && prior.createdBy !== principal.userKey) throw new RequestKeyTaken('claim');
    if (prior) return { claim: prior, outcome: prior.status === 'rejected' ? 'rejected' : prior.status === 'protected' ? 'protected' : 'pending', disputeId: null, events: [], repeated: true };
  }
  const claimant = input.claimant ?? ownParty(principal);
  if (!claimant) throw new DomainError('unknown_user', 'You are not linked to a partner of ours, so you cannot register deals.');
  authorizeActingFor(principal, claimant);
  if (claimant !== DIRECT && !store.partners.get(claimant)) throw new DomainError('invalid_input', `Unknown partner "${claimant}".`, { claimant: 'Pick a partner from the list' });
  // One of the company's people filing for a partner that left the programme (a read of the cached partners table).
  refuseClosedParty(ctx, claimant, 'claim');
  // A partner's claim goes to market through the partner: route direct is the direct team's own.
  const wrongRoute = routeProblem(claimant, input.route);
  if (wrongRoute) throw new DomainError('invalid_input', wrongRoute, { route: wrongRoute });
  const account = input.account?.id === input.accountId ? input.account : store.accounts.get(input.accountId);
  if (!account) throw new UnknownAccount(input.accountId);
  const version = ctx.policies().inForceAt(now);
  const policy = version.policy;
  const productLine = canonicalProductLine(ctx.policies(), version, input.productLine);
  const live = liveClaims(ctx, account.id, productLine, now);
  const mine = live.find((c) => c.claimant === claimant);
  if (mine) throw new DuplicateClaim(mine, account, productLine);

  const coverage = coverageFor(account, policy);
  // A named owner or incumbent out of the programme is none (the cached partners table, read above).
  const conflicts = findConflicts({ account, coverage, claimant, liveClaims: live, outOfProgramme: outOfProgramme(ctx) });
  const claim = store.claims.insert({
    accountId: account.id,
    claimant,
    route: input.route,
    productLine,
    opportunity: input.opportunity,
    evidence: input.evidence,
    status: 'pending',
    registeredAt: now,
    lastActivityAt: now,
    protectedUntil: null,
    policyVersion: version.version,
    createdBy: principal.userKey,
    // The party the filer acted from, which the notices about the claim are read as: one of the
    // company's people filing for a partner reads them as the company's people do.
    filedAs: ownParty(principal) ?? claimant,
    contested: live.some((c) => c.claimant !== claimant && ctx.policies().statusOf(c, now) === 'protected'),
    violation: false,
    requestKey: input.requestKey,
  });
  // A ruling for this party on the line within protection_days stands: what it decided (the
  // parties it went against: a named owner, the incumbent, the direct team) is no overlap to
  // settle again. A live claim of another party is not among them: the ruling closed every
  // claim it was over, so that one came after it.
  const ruling = conflicts.length > 0 ? rulingHolding(ctx, account.id, [claim]) : undefined;
  const upheldBy = ruling && conflicts.every((c) => c.code !== 'claimed' && ruling.parties.includes(partyOf(c))) ? ruling : undefined;
  store.ledger.append({
    at: now,
    kind: 'claim.filed',
    subject: `claim:${claim.id}`,
    actor: principal.userKey,
    policyVersion: version.version,
    payload: { account: account.id, claimant, route: input.route, productLine, stage: input.opportunity.stage, conflicts: conflicts.map((c) => c.code), ...(upheldBy ? { ruling: upheldBy.id } : {}) },
  });

  const { reasons: approval, flagged } = approvalReasons(ctx, account, productLine, claimant, now);
  const needsApproval = approval.length > 0;
  // A case running on this account and product line is deciding it: a new claim joins it, even
  // one that collides with nothing (the named owner or incumbent the case was raised against).
  const open = store.disputes.forAccount(account.id).find((d) => d.status === 'open' && sameProductLine(d.productLine, productLine));
  if ((conflicts.length === 0 || upheldBy) && !needsApproval && !open) {
    const events = applyOutcome(ctx, [claim.id], upheldBy?.id ?? null, claimant, upheldBy ? 'ruling' : 'criteria', now, { fresh: [claim] });
    const protectedClaim = events.find((e) => e.type === 'claim.protected')?.claim ?? store.claims.get(claim.id)!;
    return { claim: protectedClaim, outcome: 'protected', disputeId: null, events, repeated: false, ...(upheldBy ? { ruling: upheldBy.id } : {}) };
  }
  const parties = [...new Set<PartyId>([claimant, ...conflicts.map(partyOf)])];
  if (open) {
    // Whether its partner is flagged is known already (approvalReasons, above): no read more.
    const joined = joinCase(ctx, open, account, claim, parties, now, input.origin, principal.kind === 'internal' ? principal.personKey : null, flagged);
    return { claim: store.claims.get(claim.id)!, outcome: 'pending', disputeId: open.id, events: joined.events, repeated: false, waits: conflicts.length > 0 ? 'overlap' : 'case', conflicts };
  }
  const { dispute, events } = openCase(
    ctx,
    {
      account,
      productLine,
      claims: [...live, claim],
      parties,
      raisedBy: principal.userKey,
      raisedAs: ownParty(principal) ?? claimant,
      reason: [collisionReason(conflicts, 'filed'), ...approval].filter((r) => r !== null).join(' '),
      filedFlagged: flagged,
      evidence: '',
      origin: input.origin,
      requestKey: null,
      approvalOnly: conflicts.length === 0,
      // A claim that needs approval waits for the arbitrator even when it overlaps and the
      // criteria would settle the overlap at once (for it or against it). A ruling holding the
      // account (for another party, or for this one with something new in play) is openCase's
      // to see: it forces arbitration there.
      forceArbitration: needsApproval,
      fresh: [claim],
    },
    now,
  );
  const after = store.claims.get(claim.id)!;
  const outcome = after.status === 'protected' ? 'protected' : after.status === 'rejected' ? 'rejected' : 'pending';
  return { claim: after, outcome, disputeId: dispute.id, events, repeated: false, waits: conflicts.length > 0 ? 'overlap' : 'approval', approval, conflicts };
}

/**
 * The case that rejected a claim: the latest ruled or settled against its party among those it
 * was in (one it won before may hold it too); none when the CRM's file rejected it.
 */
export function caseThatRejected(ctx: DomainContext, claim: Claim): Dispute | undefined {
  return ctx.store.disputes.forAccount(claim.accountId).filter((x) => (x.status === 'ruled' || x.status === 'settled') && x.winner !== claim.claimant && x.claimIds.includes(claim.id)).at(-1);
}

/**
 * Why activity cannot be logged on a closed claim, as its owner reads it (after clicking the Log
 * activity button of a warning that reached them before the claim closed): what closed it.
 */
function closedReason(ctx: DomainContext, claim: Claim, status: Claim['status']): string {
  const nothing = 'there is nothing to log activity on';
  if (status === 'rejected') {
    const d = caseThatRejected(ctx, claim);
    // Rejected by the CRM's file, in no case.
    if (!d) return `Claim #${claim.id} was rejected; ${nothing}.`;
    if (d.status === 'settled') return `Claim #${claim.id} lost dispute #${d.id}, which the criteria settled; ${nothing}.`;
    // Its owner (its party's, or one of the company's people) is told an approval was one, as
    // while it waited ("awaiting approval in case #7").
    return isOverlapCase(d) ? `Claim #${claim.id} was ruled lost in dispute #${d.id}; ${nothing}.` : `Claim #${claim.id} was not approved in case #${d.id}; ${nothing}.`;
  }
  // The CRM closed it with its deal.
  if (status === 'won' || status === 'lost') return `Claim #${claim.id} is closed: its deal was ${status}; ${nothing}.`;
  return `Claim #${claim.id} is ${status}; file a new claim instead.`;
}

/**
 * The user keys that are a principal's own: theirs and, for a person of the policy in force, their
 * ids on every platform it names (someone on both Slack and Teams files claims under either),
 * with `more` a handler knows of (a Teams user id the bot met under the Entra object id the policy
 * names). A partner's people are no persons of the policy: only the key they act under.
 */
function ownUserKeys(ctx: DomainContext, principal: Principal, now: Date, more: readonly string[]): Set<string> {
  const person = principal.kind === 'internal' && principal.personKey !== null ? userKeysOfPerson(ctx.policies().inForceAt(now).policy.people, principal.personKey) : [];
  return new Set([principal.userKey, ...person, ...(principal.kind === 'internal' ? more : [])]);
}

/**
 * A claim refused because its party already holds the line with `held`. Said on the product line:
 * the field to change to file on another line (the account is usually the one meant). A handler
 * may say it as its reader knows the party and that claim (see the claim form's).
 */
export class DuplicateClaim extends DomainError {
  constructor(
    readonly held: Claim,
    readonly account: Account,
    readonly productLine: string,
  ) {
    const message = `There is already a live claim #${held.id} for this party on ${account.name} (${productLine}). Log activity on it instead of filing again.`;
    super('duplicate_claim', message, { product: message });
  }
}

/**
 * Activity refused on a dormant claim. The message names no date (the core formats none); a
 * handler says when it went dormant with {@link ClaimDormant.dated}, in the reader's own terms.
 */
export class ClaimDormant extends DomainError {
  constructor(
    readonly claimId: number,
    /** When it went dormant; null when it was marked dormant (by the CRM) before its own dormancy moment. */
    readonly since: Date | null,
    /** What to do instead: the party's other claim on the line, or a new claim. */
    readonly advice: string,
  ) {
    super('conflict', `Claim #${claimId} went dormant and no longer protects the account; ${advice}`);
  }

  /** The message with the day it went dormant, as `date` writes it. */
  dated(date: (at: Date) => string): string {
    return `Claim #${this.claimId} went dormant${this.since ? ` on ${date(this.since)}` : ''} and no longer protects the account; ${this.advice}`;
  }
}

/**
 * Why activity cannot be logged on a dormant claim, as the one who clicked reads it. A claim of
 * the same party live on the line (one filed once this one had lapsed, before its timer said so)
 * holds the account for them: that one is named, not a new claim to file ("your other claim"
 * when the one who clicked filed it, from whichever platform). Only the claimant's own party is
 * named, which whoever may act for the claim may read.
 */
function dormantRefusal(ctx: DomainContext, principal: Principal, claim: Claim, now: Date, alsoMine: readonly string[]): ClaimDormant {
  const at = dormancyAt(claim, ctx.policies().termsFor(claim));
  const since = at.getTime() <= now.getTime() ? at : null;
  const ours = otherClaimOfParty(liveClaims(ctx, claim.accountId, claim.productLine, now), claim);
  if (!ours) return new ClaimDormant(claim.id, since, 'file a new claim.');
  const whose = ownUserKeys(ctx, principal, now, alsoMine).has(ours.createdBy) ? `your other claim on it, #${ours.id},` : `another claim of ${partyName(ctx, claim.claimant)} on it, #${ours.id},`;
  return new ClaimDormant(claim.id, since, ours.status === 'protected' ? `${whose} still protects it: log activity on that one instead.` : `${whose} is waiting for a decision.`);
}

/**
 * Logs activity on a live claim, renewing its protection against dormancy. `ownUserKeys`: user
 * keys of the principal's beyond those the policy gives their person, which only a handler can
 * tell (see {@link ownUserKeys}); a refusal on a dormant claim calls a claim filed under any of them theirs.
 */
export function logActivity(ctx: DomainContext, principal: Principal, claimId: number, opts: { ownUserKeys?: readonly string[] } = {}): Claim & { adopted?: 'import' | 'forgotten' } {
  const now = ctx.clock.now();
  const claim = ctx.store.claims.get(claimId);
  // A partner's user (or a user of no partner) is refused a claim that does not exist as one that
  // is not theirs (no party of theirs is DIRECT): numbers tried one by one tell them nothing of other parties' claims.
  // A partner's user is told the number is not one of theirs (a slip of a digit, most likely), not that they may act only for their own organisation.
  if (principal.kind === 'external' && claim?.claimant !== principal.partnerId) throw new DomainError('forbidden', `Claim #${claimId} is not one of your organisation’s claims.`);
  if (!claim && principal.kind !== 'internal') authorizeActingFor(principal, DIRECT);
  if (!claim) throw new DomainError('not_found', `No claim #${claimId}.`);
  authorizeActingFor(principal, claim.claimant);
  const terms = ctx.policies().termsFor(claim);
  const status = effectiveStatus(claim, terms, now);
  if (!isLive(status) && status !== 'dormant') throw new DomainError('conflict', closedReason(ctx, claim, status));
  if (status === 'dormant') throw dormantRefusal(ctx, principal, claim, now, opts.ownUserKeys ?? []);
  // A claim the CRM's import brought, or one whose filer was forgotten (they left), has nobody
  // in chat to warn before it lapses: whoever logs activity on it takes it on, and its warnings
  // and notices come to them from then on. They read its notices from their own party, as its
  // filer would. (authorizeActingFor above let no one through who may only ask for help.)
  const adopted = filedByNobodyInChat(claim.createdBy);
  const takenOn = adopted ? { createdBy: principal.userKey, filedAs: ownParty(principal) ?? claim.claimant } : {};
  ctx.store.claims.update(claimId, { lastActivityAt: now, ...takenOn });
  const renewed = { ...claim, lastActivityAt: now, ...takenOn };
  // A pending claim has no lifecycle yet: it gets one when it is protected.
  if (status === 'protected') planLifecycle(ctx, renewed, terms, now, { activity: true });
  ctx.store.ledger.append({ at: now, kind: 'claim.activity', subject: `claim:${claimId}`, actor: principal.userKey, policyVersion: claim.policyVersion, payload: adopted ? { adopted: true } : {} });
  return adopted ? { ...renewed, adopted } : renewed;
}
