import { describe, expect, it } from 'vitest';
import { breachesFromLedger, computeStats, percent, statsPeriod } from '../../src/core/stats.js';
import type { Dispute } from '../../src/core/types.js';
import { aClaim, examplePolicy } from '../support/builders.js';

const at = (d: number, h = 0) => new Date(Date.UTC(2026, 10, d, h));
function aDispute(over: Partial<Dispute>): Dispute {
  return {
    id: 1, accountId: 'acme', productLine: 'Analytics', status: 'open', claimIds: [], parties: ['northwind', 'contoso'], raisedBy: 'x', raisedAs: 'northwind', reason: '', filedFlagged: false, joinedFlagged: [], evidence: '', origin: null, coverageName: 'Default',
    arbitrator: 'pat', escalationLevel: 0, recommendation: null, recommendationRule: null, trace: [], policyVersion: '2026.1', createdAt: at(1), dueAt: null, ruledBy: null, ruledAt: null, winner: null, rationale: null, ...over,
  };
}

describe('computeStats', () => {
  const policy = examplePolicy();
  const claims = [
    aClaim({ claimant: 'northwind', registeredAt: at(1) }),
    aClaim({ claimant: 'contoso', registeredAt: at(2), status: 'rejected', violation: true }),
    aClaim({ claimant: 'contoso', registeredAt: at(3), status: 'rejected', violation: true }),
    aClaim({ claimant: 'contoso', registeredAt: at(4), status: 'rejected', violation: true }),
    aClaim({ claimant: 'direct', registeredAt: at(5) }),
  ];
  const disputes = [
    aDispute({ id: 1, status: 'settled', ruledAt: at(1) }),
    aDispute({ id: 2, status: 'ruled', createdAt: at(2), ruledAt: at(2, 10) }),
    aDispute({ id: 3, status: 'ruled', createdAt: at(3), ruledAt: at(3, 20) }),
    aDispute({ id: 4, status: 'open', parties: ['fabrikam', 'northwind'] }),
  ];
  const breaches = breachesFromLedger([
    { kind: 'dispute.escalated', subject: 'dispute:4' },
    { kind: 'dispute.escalated_to_channel', subject: 'dispute:4' },
    { kind: 'dispute.reminded', subject: 'dispute:4' },
  ]);
  const s = computeStats({ claims, disputes, breachesByDispute: breaches, policy, now: at(20), partners: [] });

  it('counts per party and overall, with the auto-settled share and the median time to ruling', () => {
    expect(s.overall).toMatchObject({ claims: 5, disputes: 4, autoSettled: 1, slaBreaches: 2, violations: 3, flaggedPartners: ['contoso'] });
    // Of all 4 disputes, open ones too: the criteria settle a dispute when it opens, or never.
    expect(s.overall.autoShare).toBeCloseTo(1 / 4);
    expect(s.overall.medianHoursToRuling).toBe(15);
    expect(s.parties.map((p) => p.party)).toEqual(['direct', 'contoso', 'fabrikam', 'northwind']);
    expect(s.parties.find((p) => p.party === 'fabrikam')).toMatchObject({ claims: 0, disputes: 1, slaBreaches: 2, autoShare: 0 });
  });

  it('a known partner with no claims and no cases has its row, of zeros, after the parties that had some; it changes no total', () => {
    const st = computeStats({ claims, disputes, breachesByDispute: breaches, policy, now: at(20), partners: ['northwind', 'adatum', 'contoso', 'zenith', 'fabrikam'] });
    expect(st.parties.map((p) => p.party)).toEqual(['direct', 'contoso', 'fabrikam', 'northwind', 'adatum', 'zenith']);
    expect(st.parties.find((p) => p.party === 'adatum')).toEqual({ party: 'adatum', claims: 0, disputes: 0, autoSettled: 0, autoShare: null, medianHoursToRuling: null, slaBreaches: 0, violations: 0, flagged: false, openCases: 0, overdueCases: 0 });
    // The rows of the parties with activity are those computed without the known partners.
    expect(st.parties.slice(0, 4)).toEqual(s.parties);
    expect(st.overall).toEqual(s.overall);
  });

  // A case with a single party is an approval (a flagged partner's claim, coverage with
  // requires_approval), not a dispute: it has no overlap.
  const approval = (over: Partial<Dispute>) => aDispute({ parties: ['contoso'], raisedAs: 'contoso', ...over });
  it.each([
    ['a settled two-party dispute counts', [aDispute({ id: 1, status: 'settled', ruledAt: at(1) })], { disputes: 1, autoSettled: 1, autoShare: 1, medianHoursToRuling: null }],
    ['an approved approval case is not a dispute', [approval({ id: 1, status: 'ruled', createdAt: at(2), ruledAt: at(2, 6) })], { disputes: 0, autoSettled: 0, autoShare: null, medianHoursToRuling: null }],
    ['an open approval case is not a dispute', [approval({ id: 1, status: 'open' })], { disputes: 0, autoShare: null }],
    [
      'approvals change neither the auto-settled share nor the time to ruling',
      [aDispute({ id: 1, status: 'settled', ruledAt: at(1) }), aDispute({ id: 2, status: 'ruled', createdAt: at(2), ruledAt: at(2, 10) }), approval({ id: 3, status: 'ruled', createdAt: at(3), ruledAt: at(3, 1) }), approval({ id: 4, status: 'ruled', createdAt: at(4), ruledAt: at(4, 1) })],
      { disputes: 2, autoSettled: 1, autoShare: 0.5, medianHoursToRuling: 10 },
    ],
    // Closed without a ruling (its claims all closed while it waited): closed, and not settled by the criteria.
    ['a case closed without a ruling counts among the closed disputes, not as settled automatically', [aDispute({ id: 1, status: 'settled', ruledAt: at(1) }), aDispute({ id: 2, status: 'withdrawn', createdAt: at(2) })], { disputes: 2, autoSettled: 1, autoShare: 0.5, medianHoursToRuling: null }],
    ['one settled of ten, nine still with an arbitrator: a tenth settled automatically, not all', [aDispute({ id: 1, status: 'settled', ruledAt: at(1) }), ...Array.from({ length: 9 }, (_, i) => aDispute({ id: i + 2, status: 'open' }))], { disputes: 10, autoSettled: 1, autoShare: 0.1 }],
    ['with every closed dispute closed without a ruling, none was settled automatically', [aDispute({ id: 1, status: 'withdrawn' }), aDispute({ id: 2, status: 'open' })], { disputes: 2, autoSettled: 0, autoShare: 0, medianHoursToRuling: null }],
    ['a party named twice is still one party', [aDispute({ id: 1, status: 'ruled', parties: ['contoso', 'contoso'], createdAt: at(2), ruledAt: at(2, 3) })], { disputes: 0, medianHoursToRuling: null }],
  ] as [string, Dispute[], Record<string, unknown>][])('%s', (_n, cases, expected) => {
    const st = computeStats({ claims: [], disputes: cases, breachesByDispute: new Map(), policy, now: at(20), partners: [] });
    expect(st.overall).toMatchObject(expected);
    expect(st.parties.find((p) => p.party === 'contoso')).toMatchObject(expected);
  });

  it('an SLA breach on an approval case is still an SLA breach', () => {
    const st = computeStats({ claims: [], disputes: [approval({ id: 7, status: 'open' })], breachesByDispute: new Map([[7, 1]]), policy, now: at(20), partners: [] });
    expect(st.overall).toMatchObject({ disputes: 0, slaBreaches: 1 });
    expect(st.parties.find((p) => p.party === 'contoso')).toMatchObject({ disputes: 0, slaBreaches: 1 });
  });

  // What stands now (at(20)): cases waiting for an arbitrator, and of those the ones past their SLA's due time.
  const now = at(20);
  it.each([
    ['an open dispute past its due time is open and overdue', [aDispute({ id: 1, status: 'open', dueAt: at(19) })], { openCases: 1, overdueCases: 1 }, { pat: [1, 1] }],
    ['one due exactly now is overdue, as the queue and the case card say', [aDispute({ id: 1, status: 'open', dueAt: now })], { openCases: 1, overdueCases: 1 }, { pat: [1, 1] }],
    ['one due later is open, not overdue', [aDispute({ id: 1, status: 'open', dueAt: at(21) })], { openCases: 1, overdueCases: 0 }, { pat: [1, 0] }],
    ['one with no due time is open, not overdue', [aDispute({ id: 1, status: 'open', dueAt: null })], { openCases: 1, overdueCases: 0 }, { pat: [1, 0] }],
    [
      'a case ruled, settled or closed is neither, its due time long past',
      [aDispute({ id: 1, status: 'ruled', dueAt: at(2), ruledAt: at(3) }), aDispute({ id: 2, status: 'settled', dueAt: null, ruledAt: at(1) }), aDispute({ id: 3, status: 'withdrawn', dueAt: at(2) })],
      { openCases: 0, overdueCases: 0 },
      { pat: [0, 0] },
    ],
    ['an approval waiting past its due time is an open case and overdue, though no dispute', [approval({ id: 1, status: 'open', dueAt: at(19) })], { disputes: 0, openCases: 1, overdueCases: 1 }, { pat: [1, 1] }],
    ['a party named twice counts the case once', [aDispute({ id: 1, status: 'open', parties: ['contoso', 'northwind', 'contoso'], dueAt: at(19) })], { openCases: 1, overdueCases: 1 }, { pat: [1, 1] }],
    [
      'each case counts for its assigned arbitrator only',
      [aDispute({ id: 1, status: 'open', arbitrator: 'dana', escalationLevel: 1, dueAt: at(19) }), aDispute({ id: 2, status: 'open', dueAt: at(21) }), aDispute({ id: 3, status: 'open', arbitrator: 'dana', dueAt: at(22) })],
      { openCases: 3, overdueCases: 1 },
      { dana: [2, 1], pat: [1, 0], vp: [0, 0] },
    ],
  ] as [string, Dispute[], Record<string, unknown>, Record<string, [number, number]>][])('%s', (_n, cases, expected, byArbitrator) => {
    const st = computeStats({ claims: [], disputes: cases, breachesByDispute: new Map(), policy, now, partners: [] });
    expect(st.overall).toMatchObject(expected);
    expect(st.parties.find((p) => p.party === 'contoso')).toMatchObject(expected);
    for (const [arbitrator, [openCases, overdueCases]] of Object.entries(byArbitrator)) expect(st.arbitrators.find((a) => a.arbitrator === arbitrator)).toEqual({ arbitrator, openCases, overdueCases });
  });

  it('open and overdue cases per party count only that party’s cases', () => {
    const st = computeStats({
      claims: [],
      disputes: [aDispute({ id: 1, status: 'open', parties: ['northwind', 'contoso'], dueAt: at(19) }), aDispute({ id: 2, status: 'open', parties: ['fabrikam', 'northwind'], dueAt: at(21) }), aDispute({ id: 3, status: 'ruled', parties: ['fabrikam', 'contoso'], dueAt: at(2), ruledAt: at(3) })],
      breachesByDispute: new Map(),
      policy,
      now: at(20),
      partners: ['adatum'],
    });
    const row = (party: string) => st.parties.find((p) => p.party === party);
    expect(st.overall).toMatchObject({ openCases: 2, overdueCases: 1 });
    expect(row('northwind')).toMatchObject({ openCases: 2, overdueCases: 1 });
    expect(row('contoso')).toMatchObject({ openCases: 1, overdueCases: 1 });
    expect(row('fabrikam')).toMatchObject({ openCases: 1, overdueCases: 0 });
    expect(row('adatum')).toMatchObject({ openCases: 0, overdueCases: 0 });
  });

  it('every arbitrator and escalation person of the policy has a row, zeros too; one the policy no longer names keeps theirs while holding a case; the most overdue first; the rows add up to the totals', () => {
    const cases = [
      aDispute({ id: 1, status: 'open', arbitrator: 'vp', dueAt: at(19) }),
      aDispute({ id: 2, status: 'open', arbitrator: 'robin', dueAt: at(21) }),
      aDispute({ id: 3, status: 'open', arbitrator: 'robin', dueAt: at(22) }),
      aDispute({ id: 4, status: 'open', arbitrator: 'vp', dueAt: at(21) }),
      aDispute({ id: 5, status: 'ruled', arbitrator: 'sam', dueAt: at(2), ruledAt: at(3) }),
    ];
    const st = computeStats({ claims: [], disputes: cases, breachesByDispute: new Map(), policy, now: at(20), partners: [] });
    expect(st.arbitrators).toEqual([
      { arbitrator: 'vp', openCases: 2, overdueCases: 1 },
      { arbitrator: 'robin', openCases: 2, overdueCases: 0 },
      { arbitrator: 'dana', openCases: 0, overdueCases: 0 },
      { arbitrator: 'pat', openCases: 0, overdueCases: 0 },
    ]);
    expect(st.arbitrators.reduce((n, a) => n + a.openCases, 0)).toBe(st.overall.openCases);
    expect(st.arbitrators.reduce((n, a) => n + a.overdueCases, 0)).toBe(st.overall.overdueCases);
  });

  it('a partner is flagged at the threshold inside the window, and not once the window has passed', () => {
    expect(s.parties.find((p) => p.party === 'contoso')!.flagged).toBe(true);
    // 180 days after the second violation: the first two are out (the one registered exactly at the window's start too, as the flag counts).
    const later = computeStats({ claims, disputes, breachesByDispute: breaches, policy, now: new Date(at(2).getTime() + 181 * 86_400_000), partners: [] });
    expect(later.parties.find((p) => p.party === 'contoso')).toMatchObject({ violations: 1, flagged: false });
  });
});

describe('percent: a share as people read it', () => {
  it.each([
    [null, 'n/a'],
    [0, '0%'],
    [1 / 300, '<1%'],
    [1 / 200, '1%'],
    [1 / 100, '1%'],
    [1 / 3, '33%'],
    [0.5, '50%'],
    [199 / 200, '>99%'],
    [99 / 100, '99%'],
    [1, '100%'],
  ])('%s reads %s', (share, read) => {
    expect(percent(share)).toBe(read);
  });
});

describe('statsPeriod: the days of roe stats --since and --until, in the policy’s time zone', () => {
  const zone = 'America/New_York';
  const now = new Date('2026-12-02T12:00:00Z');
  const cases: [string | undefined, string | undefined, { from: string | null; to: string; label: string } | string | null][] = [
    [undefined, undefined, null],
    // From the first moment of the first day to the first moment after the last, New York time (EDT, then EST).
    ['2026-10-01', '2026-12-01', { from: '2026-10-01T04:00:00.000Z', to: '2026-12-02T05:00:00.000Z', label: 'from 2026-10-01 to 2026-12-01 (America/New_York)' }],
    ['2026-12-01', '2026-12-01', { from: '2026-12-01T05:00:00.000Z', to: '2026-12-02T05:00:00.000Z', label: 'from 2026-12-01 to 2026-12-01 (America/New_York)' }],
    ['2026-11-01', undefined, { from: '2026-11-01T04:00:00.000Z', to: '2026-12-02T12:00:00.001Z', label: 'from 2026-11-01 to now (America/New_York)' }],
    [undefined, '2026-06-30', { from: null, to: '2026-07-01T04:00:00.000Z', label: 'up to 2026-06-30 (America/New_York)' }],
    ['yesterday', undefined, '--since: expected a day as YYYY-MM-DD (2026-10-01), got "yesterday"'],
    ['2026-02-30', undefined, '--since: expected a day as YYYY-MM-DD (2026-10-01), got "2026-02-30"'],
    ['2026-10-01', '10/31/2026', '--until: expected a day as YYYY-MM-DD (2026-10-01), got "10/31/2026"'],
    ['2026-10-01', '2026-09-30', '--until 2026-09-30 is before --since 2026-10-01: the period would hold no day'],
    ['2026-12-03', undefined, '--since 2026-12-03 is after today: the period would hold nothing yet'],
  ];
  it.each(cases)('--since %s --until %s', (since, until, expected) => {
    const p = statsPeriod(since, until, zone, now);
    if (expected === null) return expect(p).toBeNull();
    if (typeof expected === 'string') return expect(p).toEqual({ error: expected });
    if (!p || 'error' in p) throw new Error(`no period: ${JSON.stringify(p)}`);
    expect({ from: expected.from === null ? null : p.from.toISOString(), to: p.to.toISOString(), label: p.label }).toEqual(expected);
    if (expected.from === null) expect(p.from.getTime()).toBeLessThan(Date.parse('1900-01-01'));
  });
});
