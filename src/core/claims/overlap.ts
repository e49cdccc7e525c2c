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
 * a customer (a partner recorded on a prospect is not an incumbent). A named owner or incumbent
 * taken out of the programme (`outOfProgramme`: see decide) is none.
 * An empty list means no overlap.
 */
export function findConflicts(input: {
  account: Account;
  coverage: CoverageRule;
  claimant: PartyId;
  liveClaims: readonly { id: number; claimant: PartyId }[];
  outOfProgramme?: ReadonlySet<PartyId>;
}): ConflictReason[] {
  const { account, coverage, claimant } = input;
  const out: ConflictReason[] = [];
  const holds = (party: PartyId | null): party is PartyId => !!party && party !== claimant && !input.outOfProgramme?.has(party);
  if (holds(account.namedOwner)) out.push({ code: 'named-owner', party: account.namedOwner });
  if (coverage.model === 'direct-led' && claimant !== DIRECT) out.push({ code: 'direct-led', coverage: coverage.name });
  const incumbent = incumbentOf(account);
  if (holds(incumbent)) out.push({ code: 'incumbent', party: incumbent });
  for (const c of input.liveClaims) if (c.claimant !== claimant) out.push({ code: 'claimed', party: c.claimant, claimId: c.id });
  return out;
}

/** Words joined as a sentence lists them: "a", "a and b", "a, b and c". */
const AND_LIST = new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' });

/**
 * What a claim goes against besides other claims, as a phrase: the account's facts that give
 * another party the line (claims among `conflicts` are left out). `nameOf` names that party for
 * a reader who may see it (null: unnamed).
 */
export function againstFacts(conflicts: readonly ConflictReason[], nameOf: (party: PartyId) => string | null = () => null): string {
  return AND_LIST.format(
    conflicts.flatMap((c) => {
      if (c.code === 'claimed') return [];
      if (c.code === 'direct-led') return [`direct-led coverage "${c.coverage}"`];
      const name = nameOf(c.party);
      return [`the account's ${c.code === 'named-owner' ? 'named owner' : 'incumbent partner'}${name ? ` (${name})` : ''}`];
    }),
  );
}

/**
 * A case's reason for a claim that collides, as every party may read it (no names): an overlap
 * with other claims, or what the account's facts give another party.
 */
export function collisionReason(conflicts: readonly ConflictReason[], how: 'filed' | 'imported'): string | null {
  if (conflicts.length === 0) return null;
  if (conflicts.some((c) => c.code === 'claimed')) return `Overlap detected when the claim was ${how}.`;
  return `The ${how === 'imported' ? 'imported ' : ''}claim goes against ${againstFacts(conflicts)}.`;
}
