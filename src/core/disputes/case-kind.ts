import type { Dispute } from '../types.js';

/**
 * Whether a case is about an overlap: two parties or more. A case of one party is an approval
 * (a flagged partner's claim, or coverage that requires approval): it settles no overlap.
 */
export function isOverlapCase(d: Pick<Dispute, 'parties'>): boolean {
  return new Set(d.parties).size >= 2;
}

/** "claim #12" or "claims #12, #13": the claims of a case waiting for approval. */
export function approvalClaims(d: Pick<Dispute, 'claimIds'>): string {
  return `${d.claimIds.length === 1 ? 'claim' : 'claims'} ${d.claimIds.map((id) => `#${id}`).join(', ')}`;
}

/**
 * What a case is called to the company's people (who rule on it), who are told which kind it
 * is: "dispute #3", or "approval of claim #12 (case #7)". A partner, or a channel that may hold
 * any, is told less (handlers/dispute-card.ts, caseWords).
 */
export function caseKindWords(d: Pick<Dispute, 'id' | 'parties' | 'claimIds'>): string {
  return isOverlapCase(d) ? `dispute #${d.id}` : `approval of ${approvalClaims(d)} (case #${d.id})`;
}

/** {@link caseKindWords} at the start of a sentence: "Dispute #3", "Approval of claim #12 (case #7)". */
export function caseKindTitle(d: Pick<Dispute, 'id' | 'parties' | 'claimIds'>): string {
  const words = caseKindWords(d);
  return words.charAt(0).toUpperCase() + words.slice(1);
}
