import { describe, expect, it } from 'vitest';
import { breachesFromLedger, computeStats, percent } from '../../src/core/stats.js';
import type { Dispute } from '../../src/core/types.js';
import { aClaim, examplePolicy } from '../support/builders.js';

const at = (d: number, h = 0) => new Date(Date.UTC(2026, 10, d, h));
function aDispute(over: Partial<Dispute>): Dispute {
  return {
    id: 1, accountId: 'acme', productLine: 'Analytics', status: 'open', claimIds: [], parties: ['northwind', 'contoso'], raisedBy: 'x', raisedAs: 'northwind', reason: '', evidence: '', origin: null, coverageName: 'Default',
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
    expect(st.parties.find((p) => p.party === 'adatum')).toEqual({ party: 'adatum', claims: 0, disputes: 0, autoSettled: 0, autoShare: null, medianHoursToRuling: null, slaBreaches: 0, violations: 0, flagged: false });
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
