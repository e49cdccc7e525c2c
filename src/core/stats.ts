import { DateTime } from 'luxon';
import { windowStart } from './claims/consequences.js';
import { isOverlapCase } from './disputes/settle.js';
import { pastDue } from './sla/sla.service.js';
import type { Policy } from './policy/schema.js';
import type { CaseOutline, ClaimantCounts, Period, Store } from './ports.js';
import { DIRECT, type Claim, type Dispute, type Partner, type PartyId } from './types.js';
import { lastDays as lastDaysOf } from './words.js';

/** Why the rows per party add up to more than the totals, said under them. */
export const PER_PARTY_NOTE = 'A dispute, its SLA breaches and an open or overdue case count for each of its parties: the rows add up to more than the totals.';

/** What a flag does, as the policy names it: said where the flag is (`/roe policy`, the stats). */
export function flagConsequence(policy: Policy): string {
  return policy.consequences.flagged === 'require-approval' ? 'its claims then need an arbitrator’s approval' : 'partner ops are told';
}

/** The violations' window, as a label says it: "last 180 days" (the flag counts the same). */
export function lastDays(policy: Policy): string {
  return lastDaysOf(policy.consequences.window_days);
}

/**
 * What the figures count, said under them (`roe stats`, `/roe stats`): they mix periods (all
 * time, the violations' window, now) and kinds of time, which the numbers alone do not tell.
 */
export function statsBasis(policy: Policy, period?: StatsPeriod): string {
  const n = policy.consequences.violations_to_flag;
  const flag = `${n} ${n === 1 ? 'flags' : 'flag'} a partner: ${flagConsequence(policy)}`;
  const time = 'Time to ruling: the median over the disputes an arbitrator ruled, in calendar time from opening to ruling (the SLA counts business hours). SLA breaches: one per escalation. ';
  if (period) {
    return (
      `Counted over the claims registered and the cases opened ${period.label}; those cases' outcomes, and which of them are open or overdue, as they stand now. ` +
      time +
      `Violations: those of the claims registered in the period. Flagged: as the flag stands now, on the violations of the ${lastDays(policy)}; ${flag}. ` +
      'The arbitrators’ open cases: all of them, as they stand now.'
    );
  }
  return 'Counted over all time; open and overdue cases as they stand now. ' + time + `Violations: those of claims registered in the ${lastDays(policy)}, as the flag counts them; ${flag}.`;
}

/** The earliest moment a Date holds: where a period with no first day starts. */
const EARLIEST = -8.64e15;

/** A period of the stats (`roe stats --since … --until …`): its span, and how the figures' note says it. */
export interface StatsPeriod extends Period {
  /** "from 2026-10-01 to 2026-12-31 (America/New_York)", "up to 2026-06-30 …", "from 2026-10-01 to now …". */
  label: string;
  /** The days given, as given (YYYY-MM-DD), or null. */
  since: string | null;
  until: string | null;
}

/**
 * The period of `--since DAY` and `--until DAY` (YYYY-MM-DD, both days included, in the
 * policy's time zone, as the policy's own days are), or what is wrong with them. Neither: null
 * (all time). Without `--until` the period runs to `now`.
 */
export function statsPeriod(since: string | undefined, until: string | undefined, zone: string, now: Date, names = { since: '--since', until: '--until' }): StatsPeriod | null | { error: string } {
  if (since === undefined && until === undefined) return null;
  const day = (name: string, value: string): DateTime | { error: string } => {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }) : null;
    return d?.isValid ? d.startOf('day') : { error: `${name}: expected a day as YYYY-MM-DD (2026-10-01), got "${value}"` };
  };
  const from = since === undefined ? null : day(names.since, since);
  if (from && 'error' in from) return from;
  const last = until === undefined ? null : day(names.until, until);
  if (last && 'error' in last) return last;
  if (from && last && last < from) return { error: `${names.until} ${until} is before ${names.since} ${since}: the period would hold no day` };
  if (from && !last && from.toMillis() > now.getTime()) return { error: `${names.since} ${since} is after today: the period would hold nothing yet` };
  const label = from && last ? `from ${since} to ${until}` : from ? `from ${since} to now` : `up to ${until}`;
  return {
    from: from ? from.toJSDate() : new Date(EARLIEST),
    to: last ? last.plus({ days: 1 }).startOf('day').toJSDate() : new Date(now.getTime() + 1),
    label: `${label} (${zone})`,
    since: since ?? null,
    until: until ?? null,
  };
}

/**
 * What `roe stats --format json` says of its figures beside them: when they were counted, under
 * which version, over what period, in what units, and the violations' window and flag.
 */
export function statsBasisFields(policy: Policy, policyVersion: string, now: Date, period?: StatsPeriod) {
  const { window_days, violations_to_flag, flagged } = policy.consequences;
  return {
    asOf: now.toISOString(),
    policyVersion,
    period: period
      ? {
          since: period.since,
          until: period.until,
          from: period.since === null ? null : period.from.toISOString(),
          to: period.to.toISOString(),
          counts: 'claims registered and cases opened from `from` up to (not at) `to`; those cases as they stand at asOf; violations of the claims registered in the period; flagged as the flag stands at asOf; arbitrators: every open case at asOf',
        }
      : 'all time; openCases and overdueCases as they stand at asOf',
    autoShare: 'share of the disputes settled by the criteria, 0 to 1',
    medianHoursToRuling: 'median over the disputes an arbitrator ruled, in hours of calendar time from opening to ruling',
    slaBreaches: 'one per escalation',
    // Over a period the figures count the period's violations; the window is the flag's alone, and says so.
    violations: { windowDays: window_days, registeredAfter: windowStart(policy, now).toISOString(), toFlag: violations_to_flag, consequence: flagged, ...(period ? { counted: 'those of the claims registered in the period; windowDays and registeredAfter are the flag\'s window, which flagged counts' } : {}) },
  };
}

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
  /** Cases open now, waiting for an arbitrator (disputes and approvals alike). */
  openCases: number;
  /** Of those, the ones past their SLA's due time. */
  overdueCases: number;
}

/** The cases an arbitrator holds now (person key, as the policy names them): open, and of those overdue. */
export interface ArbitratorStats {
  arbitrator: string;
  openCases: number;
  overdueCases: number;
}

export interface Stats {
  overall: Omit<PartyStats, 'party' | 'flagged' | 'violations'> & { violations: number; flaggedPartners: PartyId[] };
  parties: PartyStats[];
  /**
   * Per arbitrator, the open cases assigned to them: every person the policy names as an
   * arbitrator or in an escalation chain (zeros for one with none), and anyone else still
   * holding a case. The most overdue first, then the most open, then by person key. Each open
   * case has one assignee: these rows add up to the totals. For the company's people only.
   */
  arbitrators: ArbitratorStats[];
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}


/** A party's cases, or all of them, counted one at a time as they are read: no case is kept. */
interface CaseTally {
  disputes: number;
  autoSettled: number;
  /** The time to ruling of each dispute ruled, in hours. */
  hours: number[];
  slaBreaches: number;
  openCases: number;
  overdueCases: number;
}

const noCases = (): CaseTally => ({ disputes: 0, autoSettled: 0, hours: [], slaBreaches: 0, openCases: 0, overdueCases: 0 });

/** Whether a case is open and past its SLA's due time at `now` (due exactly now: overdue, as the queue and the case card say). */
function isOverdue(d: Pick<CaseOutline, 'status' | 'dueAt'>, now: Date): boolean {
  return d.status === 'open' && pastDue(d, now);
}

function addCase(t: CaseTally, d: CaseOutline, breaches: number, now: Date): void {
  // SLA breaches count on every case an arbitrator had to decide, approvals too.
  t.slaBreaches += breaches;
  // So do the cases waiting for one now: an approval waits for an arbitrator as a dispute does.
  if (d.status === 'open') t.openCases++;
  if (isOverdue(d, now)) t.overdueCases++;
  // An approval is no dispute: it is left out of the count, the auto-settled share and the time to ruling.
  if (!isOverlapCase(d)) return;
  t.disputes++;
  // Settled by the criteria when it opened, or not at all: every dispute counts, open ones too.
  if (d.status === 'settled') t.autoSettled++;
  if (d.status === 'ruled' && d.ruledAt) t.hours.push((d.ruledAt.getTime() - d.createdAt.getTime()) / 3_600_000);
}

function summarise(claims: number, t: CaseTally) {
  return {
    claims,
    disputes: t.disputes,
    autoSettled: t.autoSettled,
    autoShare: t.disputes ? t.autoSettled / t.disputes : null,
    medianHoursToRuling: median(t.hours),
    slaBreaches: t.slaBreaches,
    openCases: t.openCases,
    overdueCases: t.overdueCases,
  };
}


const within = (at: Date, p: Period) => at.getTime() >= p.from.getTime() && at.getTime() < p.to.getTime();

/**
 * The moment just before a period's start: its violations are those registered after it. A period
 * with no first day (`--until` alone) starts at the earliest Date there is, before which there is
 * none (a Date before it is invalid, and would count no violation at all).
 */
const justBefore = (p: Period) => new Date(Math.max(p.from.getTime() - 1, EARLIEST));

/**
 * Per claimant, in the order of their first claim: their claims, and their violations registered
 * after `since`; with `registered`, of the claims registered in that period only. The store counts the same in SQL (ClaimsRepo.countsByClaimant), without reading
 * the claims; a test holds the two to the same answers.
 */
export function countByClaimant(claims: Iterable<Pick<Claim, 'claimant' | 'violation' | 'registeredAt'>>, since: Date, registered?: Period): ClaimantCounts[] {
  const out = new Map<PartyId, ClaimantCounts>();
  for (const c of claims) {
    if (registered && !within(c.registeredAt, registered)) continue;
    let n = out.get(c.claimant);
    if (!n) out.set(c.claimant, (n = { claimant: c.claimant, claims: 0, violations: 0 }));
    n.claims++;
    if (c.violation && c.registeredAt.getTime() > since.getTime()) n.violations++;
  }
  return [...out.values()];
}

/**
 * KPIs per party and overall. Disputes, the auto-settled share and the time to ruling count
 * only cases with two parties or more (approval-only cases are not disputes); SLA breaches
 * count every case an arbitrator had to decide. A violation is a claim filed against another
 * party's protection and lost in an arbitrator's ruling; a partner with `violations_to_flag` of them inside the
 * policy's window is flagged with the policy's consequence. Open and overdue cases are what
 * stands at `now`: every case still waiting for an arbitrator (approvals too), and of those the
 * ones whose SLA due time is `now` or before; per party, and per assigned arbitrator.
 *
 * Every partner of `partners` (the known ones) has its row: one with no claims and no cases a
 * row of zeros, so that "had nothing" reads otherwise than "not there". The parties with a claim
 * or a case come first (direct sales, then by id), then those zero rows (by id).
 */
export function computeStats(input: { claims: Claim[]; disputes: Dispute[]; breachesByDispute: Map<number, number>; policy: Policy; now: Date; partners: PartyId[]; period?: Period }): Stats {
  const { claims, disputes, breachesByDispute, policy, now, partners, period } = input;
  const window = windowStart(policy, now);
  if (!period) return statsOf({ claimants: countByClaimant(claims, window), cases: disputes, breachesByDispute, policy, now, partners });
  return statsOf({ claimants: countByClaimant(claims, justBefore(period), period), flags: countByClaimant(claims, window), cases: disputes, breachesByDispute, policy, now, partners, period });
}

/**
 * {@link computeStats} from what the store counts and outlines: the claims counted per claimant
 * (violations inside the policy's window, {@link countByClaimant}), and the cases, each taken
 * once as it comes and not kept.
 */
export function statsOf(input: { claimants: Iterable<ClaimantCounts>; flags?: Iterable<ClaimantCounts>; cases: Iterable<CaseOutline>; breachesByDispute: Map<number, number>; policy: Policy; now: Date; partners: PartyId[]; period?: Period }): Stats {
  const { policy, now, period } = input;
  const claimsOf = new Map<PartyId, ClaimantCounts>();
  for (const c of input.claimants) claimsOf.set(c.claimant, c);
  // The flag as it stands now, on the violations of the policy's window (those counted, without a period).
  const flagViolations = new Map<PartyId, number>();
  for (const c of input.flags ?? claimsOf.values()) flagViolations.set(c.claimant, c.violations);
  // The claimants in the order of their first claim, then the parties of the cases in theirs.
  const active = new Set(claimsOf.keys());
  const overall = noCases();
  const casesOf = new Map<PartyId, CaseTally>();
  // Everyone who can be assigned a case under the policy has a row, with none too.
  const held = new Map<string, ArbitratorStats>();
  const holder = (arbitrator: string) => {
    let a = held.get(arbitrator);
    if (!a) held.set(arbitrator, (a = { arbitrator, openCases: 0, overdueCases: 0 }));
    return a;
  };
  for (const c of policy.coverage) for (const person of [c.arbitrator, ...c.escalation]) holder(person);
  for (const d of input.cases) {
    // Who holds what now, whenever it was opened.
    if (d.status === 'open') {
      const a = holder(d.arbitrator);
      a.openCases++;
      if (isOverdue(d, now)) a.overdueCases++;
    }
    if (period && !within(d.createdAt, period)) continue;
    const breaches = input.breachesByDispute.get(d.id) ?? 0;
    addCase(overall, d, breaches, now);
    // One of several parties counts it once, however often it is named.
    for (const party of new Set(d.parties)) {
      active.add(party);
      let t = casesOf.get(party);
      if (!t) casesOf.set(party, (t = noCases()));
      addCase(t, d, breaches, now);
    }
  }
  const idle = [...new Set(input.partners)].filter((p) => !active.has(p)).sort((a, b) => a.localeCompare(b));
  const parties = [...[...active].sort((a, b) => (a === DIRECT ? -1 : b === DIRECT ? 1 : a.localeCompare(b))), ...idle];
  const rows = parties.map((party): PartyStats => {
    const pc = claimsOf.get(party);
    const violations = pc?.violations ?? 0;
    return { party, ...summarise(pc?.claims ?? 0, casesOf.get(party) ?? noCases()), violations, flagged: party !== DIRECT && (flagViolations.get(party) ?? 0) >= policy.consequences.violations_to_flag };
  });
  const claims = [...claimsOf.values()].reduce((n, c) => n + c.claims, 0);
  return {
    overall: { ...summarise(claims, overall), violations: rows.reduce((n, r) => n + r.violations, 0), flaggedPartners: rows.filter((r) => r.flagged).map((r) => r.party) },
    parties: rows,
    arbitrators: [...held.values()].sort((a, b) => b.overdueCases - a.overdueCases || b.openCases - a.openCases || a.arbitrator.localeCompare(b.arbitrator)),
  };
}

/**
 * The KPIs of what the store holds, as `/roe stats` and `roe stats` show them, with the partners
 * read (for their names). One read transaction: another process may write between two reads,
 * and figures from before and after a write would not add up (a dispute and not its claims).
 * Only what the figures need is read: the claims counted per claimant by the database, each
 * case's outline (streamed, not kept), and the ledger's escalation entries. Claims and cases by
 * the hundred thousand are never held whole: the server answering this has other requests to serve.
 */
export function readStats(store: Pick<Store, 'reading' | 'claims' | 'disputes' | 'ledger' | 'partners'>, policy: Policy, now: Date, period?: Period): { stats: Stats; partners: Partner[] } {
  return store.reading(() => {
    const partners = store.partners.all();
    const window = windowStart(policy, now);
    // In a period: its claims, their violations (all of them, registered in it), and the flag's own count beside.
    const claimants = period ? store.claims.countsByClaimant(justBefore(period), period) : store.claims.countsByClaimant(window);
    const flags = period ? store.claims.countsByClaimant(window) : undefined;
    const breachesByDispute = breachesFromLedger(store.ledger.ofKinds(SLA_BREACH_KINDS));
    const stats = statsOf({ claimants, ...(flags ? { flags } : {}), cases: store.disputes.outlines(), breachesByDispute, policy, now, partners: partners.map((p) => p.id), ...(period ? { period } : {}) });
    return { stats, partners };
  });
}
