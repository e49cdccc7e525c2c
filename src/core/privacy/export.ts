import type { LedgerContent, LedgerEntry } from '../ledger/chain.js';
import type { Account, Claim, Dispute, Partner } from '../types.js';
import type { PartnerClosure } from '../ports.js';
import { DIRECT } from '../types.js';

const OTHER = 'another party';
/** Payload fields that name a party. */
const PARTY_FIELDS = new Set(['winner', 'claimant', 'recommendation', 'parties', 'party', 'from', 'to', 'owner', 'partner', 'next']);

/** A ledger payload with every party other than the partner itself shown as "another party". */
function hideParties(value: unknown, show: (party: string | null) => string | null, key: string | null = null): unknown {
  if (key !== null && PARTY_FIELDS.has(key)) {
    if (typeof value === 'string') return show(value);
    if (Array.isArray(value)) return [...new Set(value.map((v) => (typeof v === 'string' ? show(v) : v)))];
  }
  if (Array.isArray(value)) return value.map((v) => hideParties(v, show));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hideParties(v, show, k)]));
  return value;
}

/**
 * The subjects of the ledger entries a partner's export holds: its claims' entries, and its
 * own (flagged for violations, and no longer). Only the partner's own claims are taken.
 */
export function partnerLedgerSubjects(partnerId: string, claims: readonly Pick<Claim, 'id' | 'claimant'>[]): string[] {
  return [...claims.filter((c) => c.claimant === partnerId).map((c) => `claim:${c.id}`), `partner:${partnerId}`];
}

/**
 * Everything roe-bot holds about one partner, and nothing about anyone else: its own
 * claims in full, the disputes it is a party to with every other party shown as
 * "another party" (no names, deals or evidence of others), and the ledger entries about
 * its own claims (actors are pseudonyms), without their hashes: with the hash of an entry (or the
 * next entry's link to it), a name guessed for "another party" could be put back, hashed, and
 * checked.
 *
 * Given more than that (every claim, every dispute, the whole ledger), it still takes only
 * the partner's own: a caller may read just those (its claims, its disputes, the accounts
 * they name, the entries about {@link partnerLedgerSubjects}), and the export is the same.
 */
export function partnerExport(input: { partner: Partner; claims: Claim[]; disputes: Dispute[]; accounts: ReadonlyMap<string, Pick<Account, 'name'>>; ledger: Iterable<LedgerEntry>; at: Date; flaggedAt?: Date | null; closure?: PartnerClosure | null }) {
  const { partner } = input;
  const own = input.claims.filter((c) => c.claimant === partner.id);
  const ownIds = new Set(own.map((c) => c.id));
  const show = (party: string | null) => (party === null ? null : party === partner.id ? partner.id : party === DIRECT ? DIRECT : OTHER);
  const subjects = new Set(partnerLedgerSubjects(partner.id, own));
  const ledger: LedgerContent[] = [];
  for (const { prevHash: _prev, hash: _hash, ...e } of input.ledger) if (subjects.has(e.subject)) ledger.push({ ...e, payload: hideParties(e.payload, show) });
  return {
    exportedAt: input.at.toISOString(),
    partner: { id: partner.id, name: partner.name, tier: partner.tier, slackTeamId: partner.slackTeamId, teamsTenantId: partner.teamsTenantId, flaggedSince: input.flaggedAt?.toISOString() ?? null, closed: input.closure ? { at: input.closure.at.toISOString(), slackTeamId: input.closure.slackTeamId, teamsTenantId: input.closure.teamsTenantId } : null },
    claims: own.map((c) => ({
      id: c.id,
      account: { id: c.accountId, name: input.accounts.get(c.accountId)?.name ?? c.accountId },
      route: c.route,
      productLine: c.productLine,
      opportunity: c.opportunity,
      evidence: c.evidence,
      status: c.status,
      registeredAt: c.registeredAt.toISOString(),
      lastActivityAt: c.lastActivityAt.toISOString(),
      protectedUntil: c.protectedUntil?.toISOString() ?? null,
      policyVersion: c.policyVersion,
      // Filed by the partner's own people (its id) or for it by the company's (direct); null when the CRM's import brought it, or filed before it was kept.
      filedAs: show(c.filedAs),
      // Filed against another party's protection, and lost in a ruling so: what flags a partner.
      contested: c.contested,
      violation: c.violation,
    })),
    disputes: input.disputes
      .filter((d) => d.parties.includes(partner.id))
      .map((d) => ({
        id: d.id,
        account: { id: d.accountId, name: input.accounts.get(d.accountId)?.name ?? d.accountId },
        productLine: d.productLine,
        status: d.status,
        parties: [...new Set(d.parties.map(show))],
        ownClaims: d.claimIds.filter((id) => ownIds.has(id)),
        recommendation: show(d.recommendation),
        winner: show(d.winner),
        rationale: d.rationale,
        createdAt: d.createdAt.toISOString(),
        ruledAt: d.ruledAt?.toISOString() ?? null,
      })),
    ledger,
  };
}
