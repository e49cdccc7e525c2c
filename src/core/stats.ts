import { isOverlapCase } from './disputes/settle.js';
import type { Policy } from './policy/schema.js';
import type { Store } from './ports.js';
import { DIRECT, type Claim, type Dispute, type Partner, type PartyId } from './types.js';

/** Why the rows per party add up to more than the totals, said under them. */
export const PER_PARTY_NOTE = 'A dispute, and its SLA breaches, count for each of its parties: the rows add up to more than the totals.';

/**
 * A share as a percentage for people to read: rounded to a whole percent, except that a share
 * above none reads no less than "<1%" and one short of all no more than ">99%" (199 of 200
 * settled automatically is not "100%"); null (nothing to count) is "n/a".
 */
export function percent(share: number | null): string {
  if (share === null) return 'n/a';
  const p = share * 100;
  if (p > 0 && p < 0.5) return '<1%';
  if (p < 100 && p >= 99.5) return '>99%';
  return `${Math.round(p)}%`;
}

/** The kinds of the ledger's escalation entries: each one is an SLA breach of its dispute. */
export const SLA_BREACH_KINDS: readonly string[] = ['dispute.escalated', 'dispute.escalated_to_channel'];

/** SLA breaches per dispute, counted from the ledger's escalation entries (any other entry given is passed over). */
export function breachesFromLedger(entries: Iterable<{ kind: string; subject: string }>): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of entries) {
    if (SLA_BREACH_KINDS.includes(e.kind) && e.subject.startsWith('dispute:')) {
      const id = Number(e.subject.slice('dispute:'.length));
      out.set(id, (out.get(id) ?? 0) + 1);
    }
  }
  return out;
}

export interface PartyStats {
  party: PartyId;
  claims: number;
  disputes: number;
  autoSettled: number;
  /**
   * Share of this party's disputes settled by the criteria, 0..1 (null with none). The criteria
   * settle a dispute when it opens, or never: one still open waits for an arbitrator, and counts
   * as not settled by them, as do those ruled or closed without a ruling (withdrawn).
   */
  autoShare: number | null;
  medianHoursToRuling: number | null;
  slaBreaches: number;
  violations: number;
  flagged: boolean;
}

export interface Stats {
  overall: Omit<PartyStats, 'party' | 'flagged' | 'violations'> & { violations: number; flaggedPartners: PartyId[] };
  parties: PartyStats[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}


function summarise(claims: Claim[], cases: Dispute[], breaches: number) {
  // An approval is no dispute: it is left out of the count, the auto-settled share and the time to ruling.
  const disputes = cases.filter(isOverlapCase);
  // Settled by the criteria when it opened, or not at all: every dispute counts, open ones too.
  const auto = disputes.filter((d) => d.status === 'settled').length;
  const hours = disputes.filter((d) => d.status === 'ruled' && d.ruledAt).map((d) => (d.ruledAt!.getTime() - d.createdAt.getTime()) / 3_600_000);
  return {
    claims: claims.length,
    disputes: disputes.length,
    autoSettled: auto,
    autoShare: disputes.length ? auto / disputes.length : null,
    medianHoursToRuling: median(hours),
    slaBreaches: breaches,
  };
}

/** The items of each party, in their order; one of several parties is in the list of each of them, once. */
function byParty<T>(items: readonly T[], partiesOf: (item: T) => readonly PartyId[]): Map<PartyId, T[]> {
  const out = new Map<PartyId, T[]>();
  for (const item of items) {
    for (const party of new Set(partiesOf(item))) {
      const list = out.get(party);
      if (list) list.push(item);
      else out.set(party, [item]);
    }
  }
  return out;
}

/**
 * KPIs per party and overall. Disputes, the auto-settled share and the time to ruling count
 * only cases with two parties or more (approval-only cases are not disputes); SLA breaches
 * count every case an arbitrator had to decide. A violation is a claim filed against another
 * party's protection and lost in an arbitrator's ruling; a partner with `violations_to_flag` of them inside the
 * policy's window is flagged with the policy's consequence.
 *
 * Every partner of `partners` (the known ones) has its row: one with no claims and no cases a
 * row of zeros, so that "had nothing" reads otherwise than "not there". The parties with a claim
 * or a case come first (direct sales, then by id), then those zero rows (by id).
 */
export function computeStats(input: { claims: Claim[]; disputes: Dispute[]; breachesByDispute: Map<number, number>; policy: Policy; now: Date; partners: PartyId[] }): Stats {
  const { claims, disputes, policy, now } = input;
  const windowStart = now.getTime() - policy.consequences.window_days * 86_400_000;
  const active = new Set(claims.map((c) => c.claimant).concat(disputes.flatMap((d) => d.parties)));
  const idle = [...new Set(input.partners)].filter((p) => !active.has(p)).sort((a, b) => a.localeCompare(b));
  const parties = [...[...active].sort((a, b) => (a === DIRECT ? -1 : b === DIRECT ? 1 : a.localeCompare(b))), ...idle];
  const breachesOf = (ds: Dispute[]) => ds.reduce((n, d) => n + (input.breachesByDispute.get(d.id) ?? 0), 0);
  // Grouped once, not searched again for each party: claims and disputes by the hundred thousand, partners by the hundred.
  const claimsOf = byParty(claims, (c) => [c.claimant]);
  const disputesOf = byParty(disputes, (d) => d.parties);
  const rows = parties.map((party): PartyStats => {
    const pc = claimsOf.get(party) ?? [];
    const pd = disputesOf.get(party) ?? [];
    // Inside the window as the flag counts it (consequences.ts): registered after its start.
    const violations = pc.filter((c) => c.violation && c.registeredAt.getTime() > windowStart).length;
    return { party, ...summarise(pc, pd, breachesOf(pd)), violations, flagged: party !== DIRECT && violations >= policy.consequences.violations_to_flag };
  });
  return {
    overall: { ...summarise(claims, disputes, breachesOf(disputes)), violations: rows.reduce((n, r) => n + r.violations, 0), flaggedPartners: rows.filter((r) => r.flagged).map((r) => r.party) },
    parties: rows,
  };
}

/**
 * The KPIs of what the store holds, as `/roe stats` and `roe stats` show them, with the partners
 * read (for their names). One read transaction: another process may write between two reads,
 * and figures from before and after a write would not add up (a dispute and not its claims). Of
 * the ledger, only the escalation entries are read.
 */
export function readStats(store: Pick<Store, 'reading' | 'claims' | 'disputes' | 'ledger' | 'partners'>, policy: Policy, now: Date): { stats: Stats; partners: Partner[] } {
  return store.reading(() => {
    const partners = store.partners.all();
    const stats = computeStats({ claims: store.claims.all(), disputes: store.disputes.all(), breachesByDispute: breachesFromLedger(store.ledger.ofKinds(SLA_BREACH_KINDS)), policy, now, partners: partners.map((p) => p.id) });
    return { stats, partners };
  });
}
