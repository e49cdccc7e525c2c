import type { CoverageRule } from '../policy/schema.js';
import { incumbentOf } from '../ownership/engine.js';
import { DIRECT, type Account, type PartyId } from '../types.js';

export type ConflictReason =
  | { code: 'claimed'; party: PartyId; claimId: number }
  | { code: 'named-owner'; party: PartyId }
  | { code: 'direct-led'; coverage: string }
  | { code: 'incumbent'; party: PartyId };

/** The party a conflict is with (direct-led coverage: the direct team). */
export function partyOf(c: ConflictReason): PartyId {
  return c.code === 'direct-led' ? DIRECT : c.party;
}

/**
 * What a new claim by `claimant` collides with: other parties' live claims on the same
 * account and product line, a named owner, direct-led coverage, or the incumbent partner of
 * a customer (a partner recorded on a prospect is not an incumbent).
 * An empty list means no overlap.
 */
export function findConflicts(input: {
  account: Account;
  coverage: CoverageRule;
  claimant: PartyId;
  liveClaims: readonly { id: number; claimant: PartyId }[];
}): ConflictReason[] {
  const { account, coverage, claimant } = input;
  const out: ConflictReason[] = [];
  if (account.namedOwner && account.namedOwner !== claimant) out.push({ code: 'named-owner', party: account.namedOwner });
  if (coverage.model === 'direct-led' && claimant !== DIRECT) out.push({ code: 'direct-led', coverage: coverage.name });
  const incumbent = incumbentOf(account);
  if (incumbent && incumbent !== claimant) out.push({ code: 'incumbent', party: incumbent });
  for (const c of input.liveClaims) if (c.claimant !== claimant) out.push({ code: 'claimed', party: c.claimant, claimId: c.id });
  return out;
}
