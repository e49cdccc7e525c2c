import type { DomainContext } from '../context.js';
import { liveClaims, decideFor } from '../disputes/settle.js';
import { protectionEnd } from '../claims/lifecycle.js';
import { DomainError } from '../errors.js';
import type { Account, Claim, Decision, Dispute, EngagementModel } from '../types.js';
import { coverageFor } from './coverage.js';

export interface OwnershipView {
  account: Account;
  coverageName: string;
  model: EngagementModel;
  arbitrator: string;
  escalation: string[];
  /** The criteria over every live claim on the account: who owns it now, and why. */
  decision: Decision;
  claims: { claim: Claim; protectedUntil: Date }[];
  openDisputes: Dispute[];
  policyVersion: string;
}

/** Who owns an account now, and why. Read only. */
export function viewOwnership(ctx: DomainContext, accountId: string): OwnershipView {
  const now = ctx.clock.now();
  const account = ctx.store.accounts.get(accountId);
  if (!account) throw new DomainError('not_found', `No account with id "${accountId}".`);
  const book = ctx.policies();
  const version = book.inForceAt(now);
  const coverage = coverageFor(account, version.policy);
  const live = liveClaims(ctx, accountId, null, now);
  return {
    account,
    coverageName: coverage.name,
    model: coverage.model,
    arbitrator: coverage.arbitrator,
    escalation: coverage.escalation,
    decision: decideFor(account, version, live),
    claims: live.map((claim) => ({ claim, protectedUntil: protectionEnd(claim, book.forClaim(claim).policy.registration) })),
    openDisputes: ctx.store.disputes.forAccount(accountId).filter((d) => d.status === 'open'),
    policyVersion: version.version,
  };
}
