import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { roe } from '../../handlers/roe.js';
import { approve, submitAward } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { partnerExport } from '../../src/core/privacy/export.js';
import { breachesFromLedger, computeStats } from '../../src/core/stats.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

const meta = { origin: consoleOrigin, requestKey: null };
const claimValues = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '1000', evidence: 'ev' });

/** Northwind holds the line; `who` files over it further along, and the arbitrator awards it to Northwind: a violation of `who`. */
function violation(r: TestRuntime, account: string, who = 'contoso') {
  submitClaim(r.deps, as.partner(r, 'northwind'), claimValues(account, 'qualified'), meta);
  r.clock.advance(60_000);
  submitClaim(r.deps, as.partner(r, who), claimValues(account, 'proposal'), meta);
  const d = r.store.disputes.all().at(-1)!;
  submitAward(r.deps, as.person(r, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
  r.clock.advance(60_000);
}

const text = (r: { blocks: unknown[] }) => JSON.stringify(r.blocks);

describe('the ledger records the criteria trace behind each recommendation and ruling', () => {
  it('a claim joining a case changes the recommendation: the joined entry and the ruling hold the trace that produced it', () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    const d = openArbitratedCase(rt);
    expect(d.recommendation).toBe('northwind');
    rt.clock.advance(60_000);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues('soylent', 'commit'), meta);
    const joined = rt.store.disputes.get(d.id)!;
    expect(joined.recommendation).toBe('fabrikam');
    approve(rt.deps, as.person(rt, 'pat'), `${d.id}:fabrikam`);
    const entries = [...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}`);
    const payloadOf = (kind: string) => entries.find((e) => e.kind === kind)!.payload as { trace?: unknown; rule?: unknown };
    expect(JSON.stringify(payloadOf('dispute.joined').trace)).toBe(JSON.stringify(joined.trace));
    expect(payloadOf('dispute.ruled')).toMatchObject({ rule: joined.recommendationRule });
    expect(JSON.stringify(payloadOf('dispute.ruled').trace)).toBe(JSON.stringify(joined.trace));
  });

  it('a ruling on a case the criteria made no recommendation on never records that it followed one', () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    // The same stage, registered at the same moment: no criterion tells the two apart.
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues('soylent', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues('soylent', 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: null });
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'none', rationale: 'Neither party showed a sourced opportunity.' });
    const ruled = [...rt.store.ledger.entries()].find((e) => e.subject === `dispute:${d.id}` && e.kind === 'dispute.ruled')!;
    expect(ruled.payload).toMatchObject({ winner: null, recommendation: null, followedRecommendation: false });
  });
});

describe('/roe stats', () => {
  it('a partner sees its own numbers only, never totals that hold other partners’; the company sees the totals and every party', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    violation(rt, 'soylent', 'fabrikam');
    const forContoso = text(roe(rt.deps, as.partner(rt, 'contoso'), 'stats'));
    expect(forContoso).toContain('Contoso Consulting');
    expect(forContoso).toMatch(/"label":"Violations \(last 180 days\)","value":"0"/);
    expect(forContoso).toMatch(/"label":"Disputes","value":"0"/);
    expect(forContoso).not.toMatch(/Fabrikam|Northwind/);
    const forFabrikam = text(roe(rt.deps, as.partner(rt, 'fabrikam'), 'stats'));
    expect(forFabrikam).toMatch(/"label":"Violations \(last 180 days\)","value":"1"/);
    const forSam = text(roe(rt.deps, as.person(rt, 'sam'), 'stats'));
    expect(forSam).toMatch(/"label":"Violations \(last 180 days\)","value":"1"/);
    expect(forSam).toContain('Fabrikam Systems');
    expect(forSam).toContain('Median time to ruling (calendar time)');
  });

  it('/roe stats FIRST-DAY [LAST-DAY]: the claims and cases of those days (the policy’s time zone), for the company and for a partner its own; a bad day is named, with the usage', () => {
    rt = testRuntime({ at: '2026-11-02T15:00:00Z' });
    // A violation of Fabrikam's on Soylent on Nov 2; then, on Dec 1, Northwind and Fabrikam on Wayne: an open case.
    violation(rt, 'soylent', 'fabrikam');
    rt.clock.set(new Date('2026-12-01T15:00:00Z'));
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues('wayne', 'qualified'), meta);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues('wayne', 'proposal'), meta);
    const december = text(roe(rt.deps, as.person(rt, 'sam'), 'stats 2026-12-01'));
    expect(december).toContain('{"label":"Claims","value":"2"},{"label":"Disputes","value":"1"}');
    expect(december).toContain('{"label":"Violations","value":"0"}');
    expect(december).toContain('Counted over the claims registered and the cases opened from 2026-12-01 to now (America/New_York)');
    expect(december).toMatch(/"text":"Fabrikam Systems","detail":"1 claim, 1 dispute, [^"]*, 0 violations, 1 open case, 0 overdue"/);
    // November alone: the violation's two claims and its case; Fabrikam still reads its violation.
    const november = text(roe(rt.deps, as.partner(rt, 'fabrikam'), 'stats 2026-11-01 2026-11-30'));
    expect(november).toContain('{"label":"Claims","value":"1"},{"label":"Disputes","value":"1"}');
    expect(november).toContain('{"label":"Violations","value":"1"}');
    expect(november).toContain('{"label":"Open cases (waiting for an arbitrator)","value":"0"}');
    expect(november).not.toMatch(/Northwind|Contoso/);
    // All time, as before.
    expect(text(roe(rt.deps, as.partner(rt, 'fabrikam'), 'stats'))).toContain('{"label":"Claims","value":"2"},{"label":"Disputes","value":"2"}');
    const bad = roe(rt.deps, as.person(rt, 'sam'), 'stats <!channel> 2026-12-31');
    expect(text(bad)).toContain('The first day: expected a day as YYYY-MM-DD (2026-10-01), got \\"<!channel>\\". /roe stats counts over all time, /roe stats 2026-10-01 from that day to now, /roe stats 2026-10-01 2026-12-31 over those days (America/New_York).');
    expect(text(bad)).not.toContain('"label":"Claims"');
    expect(text(roe(rt.deps, as.person(rt, 'sam'), 'stats 2026-12-01 2026-11-01'))).toContain('The last day 2026-11-01 is before the first day 2026-12-01: the period would hold no day.');
    expect(text(roe(rt.deps, as.person(rt, 'sam'), 'stats 2026-11-01 2026-11-30 2026-12-31'))).toContain('Give at most two days, the first and the last (got 3).');
  });

  it('the company sees a row for every partner, zeros for one that had nothing, after those that had something; a partner still sees its own organisation only', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    // The demo data: claims of Northwind, Contoso and direct sales; Fabrikam has no claim and no case.
    const forSam = text(roe(rt.deps, as.person(rt, 'sam'), 'stats'));
    expect(forSam).toContain('{"text":"Fabrikam Systems","detail":"0 claims, 0 disputes, n/a settled automatically, median ruling n/a (calendar), 0 SLA breaches, 0 violations, 0 open cases, 0 overdue"}');
    expect(forSam.indexOf('Fabrikam Systems')).toBeGreaterThan(forSam.indexOf('Northwind Partners'));
    const forFabrikam = text(roe(rt.deps, as.partner(rt, 'fabrikam'), 'stats'));
    expect(forFabrikam).toMatch(/"label":"Organisation","value":"Fabrikam Systems".*"label":"Claims","value":"0"/);
    expect(forFabrikam).not.toMatch(/Contoso|Northwind|Direct sales/);
    expect(text(roe(rt.deps, as.partner(rt, 'contoso'), 'stats'))).not.toMatch(/Fabrikam|Northwind|Direct sales/);
  });

  it('the company sees the cases open now and those overdue, overall, per party and per arbitrator by name; a partner sees its own two numbers only', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    // Northwind and Contoso on Soylent, with Pat (Default coverage); left past its due time, not yet escalated.
    const late = openArbitratedCase(rt);
    rt.clock.set(new Date(late.dueAt!.getTime() + 60_000));
    // Then Fabrikam over Northwind on Wayne: with Pat too, due later.
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues('wayne', 'qualified'), meta);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues('wayne', 'proposal'), meta);
    expect(rt.store.disputes.open().map((d) => [d.arbitrator, [...d.parties].sort()])).toEqual([['pat', ['contoso', 'northwind']], ['pat', ['fabrikam', 'northwind']]]);
    const forSam = text(roe(rt.deps, as.person(rt, 'sam'), 'stats'));
    expect(forSam).toContain('{"label":"Open cases (waiting for an arbitrator)","value":"2"},{"label":"Overdue (past their SLA)","value":"1"}');
    expect(forSam).toMatch(/"text":"Northwind Partners","detail":"[^"]*, 2 open cases, 1 overdue"/);
    expect(forSam).toMatch(/"text":"Contoso Consulting","detail":"[^"]*, 1 open case, 1 overdue"/);
    expect(forSam).toMatch(/"text":"Fabrikam Systems","detail":"[^"]*, 1 open case, 0 overdue"/);
    // Every arbitrator and escalation person of the policy, by name, the most overdue first.
    expect(forSam).toContain('{"type":"list","title":"By arbitrator","items":[{"text":"Pat Okafor","detail":"2 open cases, 1 overdue"},{"text":"Dana Reyes","detail":"0 open cases, 0 overdue"},{"text":"Morgan Lee","detail":"0 open cases, 0 overdue"}]}');
    const forContoso = text(roe(rt.deps, as.partner(rt, 'contoso'), 'stats'));
    expect(forContoso).toContain('{"label":"Open cases (waiting for an arbitrator)","value":"1"},{"label":"Overdue (past their SLA)","value":"1"}');
    const forFabrikam = text(roe(rt.deps, as.partner(rt, 'fabrikam'), 'stats'));
    expect(forFabrikam).toContain('{"label":"Open cases (waiting for an arbitrator)","value":"1"},{"label":"Overdue (past their SLA)","value":"0"}');
    // Neither the arbitrators' table nor the totals (two open cases, which would tell another party's).
    for (const partner of [forContoso, forFabrikam]) expect(partner).not.toMatch(/By arbitrator|Pat Okafor|Dana Reyes|Morgan Lee|"Open cases[^}]*"value":"2"/);
    expect(forContoso).not.toMatch(/Fabrikam|Northwind/);
    expect(forFabrikam).not.toMatch(/Contoso|Northwind/);
  });

  // Contoso loses a ruling over Northwind's protection in May (outside the 180-day window by
  // December) and on Dec 1, then is in a case of Muller that breaches its SLA twice (Pat, then
  // Dana) and waits with Morgan. Claims count all time: Contoso's 4 (the demo's Initech, Soylent,
  // Wayne, Muller) of 9 (the demo's 3, and 2 on each account); violations the window only (1);
  // SLA breaches one per escalation (2); the two rulings came at once (0.0 h).
  it.each([
    ['Contoso’s user', 'contoso', [['Organisation', 'Contoso Consulting'], ['Claims', '4']]],
    ['the company', null, [['Claims', '9']]],
  ] as const)('/roe stats for %s says what each number counts: all time, calendar time, one breach per escalation, violations in the window', (_who, partner, head) => {
    rt = testRuntime({ at: '2026-05-01T15:00:00Z' });
    violation(rt, 'soylent');
    rt.clock.set('2026-12-01T15:00:00Z');
    violation(rt, 'wayne');
    const d = openArbitratedCase(rt, 'muller');
    for (const next of ['dana', 'vp']) {
      rt.clock.set(rt.store.disputes.get(d.id)!.dueAt!);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d.id)!.arbitrator).toBe(next);
    }
    const r = roe(rt.deps, partner ? as.partner(rt, partner) : as.person(rt, 'sam'), 'stats');
    const facts = (r.blocks[0] as { facts: { label: string; value: string }[] }).facts.map((f) => [f.label, f.value]);
    expect(facts).toEqual([
      ...head,
      ['Disputes', '3'],
      ['Settled automatically', '0%'],
      ['Median time to ruling (calendar time)', '0.0 h'],
      ['SLA breaches (one per escalation)', '2'],
      ['Violations (last 180 days)', '1'],
      ['Open cases (waiting for an arbitrator)', '1'],
      ['Overdue (past their SLA)', '0'],
    ]);
    expect(text(r)).toContain(
      '"Counted over all time; open and overdue cases as they stand now. Time to ruling: the median over the disputes an arbitrator ruled, in calendar time from opening to ruling (the SLA counts business hours). SLA breaches: one per escalation. Violations: those of claims registered in the last 180 days, as the flag counts them; 3 flag a partner: its claims then need an arbitrator’s approval."',
    );
  });

  it('reads one snapshot: a claim and the dispute it opens, written by another process between two of its reads, are both left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-stats-snapshot-'));
    const path = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: path });
    const other = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: path });
    try {
      submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues('globex', 'qualified'), meta);
      const before = text(roe(rt.deps, as.person(rt, 'sam'), 'stats'));
      // Once the claims are read, another process takes Contoso's claim on the same line, which opens a dispute.
      const outlines = rt.store.disputes.outlines;
      vi.spyOn(rt.store.disputes, 'outlines').mockImplementationOnce(() => {
        submitClaim(other.deps, as.partner(other, 'contoso'), claimValues('globex', 'qualified'), meta);
        return outlines();
      });
      const during = text(roe(rt.deps, as.person(rt, 'sam'), 'stats'));
      expect(other.store.disputes.all()).toHaveLength(1);
      expect(during).toBe(before);
      expect(during).toContain('{"label":"Disputes","value":"0"}');
      expect(text(roe(rt.deps, as.person(rt, 'sam'), 'stats'))).toContain('{"label":"Disputes","value":"1"}');
    } finally {
      other.close();
      rt.close();
      rt = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts a violation in the window exactly as the flag does: at the moment the flag lifts, stats no longer say flagged', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    for (const a of ['soylent', 'wayne', 'muller']) violation(rt, a);
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    const first = rt.store.claims.forClaimant('contoso').filter((c) => c.violation)[0]!;
    const policy = rt.policies.inForceAt(rt.clock.now()).policy;
    const stats = (at: Date) => computeStats({ claims: rt!.store.claims.all(), disputes: rt!.store.disputes.all(), breachesByDispute: breachesFromLedger(rt!.store.ledger.entries()), policy, now: at, partners: rt!.store.partners.all().map((p) => p.id) });
    // window_days calendar days later in the policy's time zone: Dec 1 to May 30, summer time by then, the same time of day on the clock.
    const edge = DateTime.fromJSDate(first.registeredAt, { zone: policy.timezone }).plus({ days: policy.consequences.window_days }).toJSDate();
    expect(edge.getTime()).toBe(first.registeredAt.getTime() + policy.consequences.window_days * 86_400_000 - 3_600_000);
    expect(stats(new Date(edge.getTime() - 1)).parties.find((p) => p.party === 'contoso')).toMatchObject({ violations: 3, flagged: true });
    // Registered exactly window_days ago: outside, for the flag (registered after the window's start) and for stats alike.
    expect(stats(edge).parties.find((p) => p.party === 'contoso')).toMatchObject({ violations: 2, flagged: false });
  });
});

describe('roe export --partner', () => {
  it('holds the partner’s own flag: since when, and its flagged entry', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    for (const a of ['soylent', 'wayne', 'muller']) violation(rt, a);
    const at = rt.store.partners.flaggedAt('contoso');
    expect(at).not.toBeNull();
    const ex = partnerExport({ partner: rt.store.partners.get('contoso')!, claims: rt.store.claims.forClaimant('contoso'), disputes: rt.store.disputes.all(), accounts: new Map(rt.store.accounts.all().map((a) => [a.id, a])), ledger: [...rt.store.ledger.entries()], at: rt.clock.now(), flaggedAt: at });
    expect(ex.partner.flaggedSince).toBe(at!.toISOString());
    expect(ex.ledger.filter((e) => e.kind === 'partner.flagged')).toHaveLength(1);
    expect(JSON.stringify(ex)).not.toMatch(/fabrikam|Fabrikam/);
  });
});
