import { describe, expect, it } from 'vitest';
import { effectiveStatus, isLive, protectionEnd } from '../../src/core/claims/lifecycle.js';
import { findConflicts } from '../../src/core/claims/overlap.js';
import { coverageFor } from '../../src/core/ownership/coverage.js';
import { aClaim, anAccount, examplePolicy } from '../support/builders.js';

const terms = { protection_days: 90, dormant_after_days: 30, dormancy_warning_days: 7 };
const reg = new Date('2026-01-10T12:00:00Z');
const day = (n: number) => new Date(reg.getTime() + n * 86_400_000);

describe('effectiveStatus', () => {
  it.each([
    ['fresh protected claim', { status: 'protected' as const }, day(1), 'protected'],
    ['activity keeps it protected', { status: 'protected' as const, lastActivityAt: day(25) }, day(50), 'protected'],
    ['30 days without activity: dormant', { status: 'protected' as const }, day(30), 'dormant'],
    ['just before dormancy', { status: 'protected' as const }, new Date(day(30).getTime() - 1), 'protected'],
    ['protection ends: expired', { status: 'protected' as const, lastActivityAt: day(89) }, day(90), 'expired'],
    ['a dormant claim expires at the end of protection', { status: 'dormant' as const }, day(91), 'expired'],
    ['stored dormant stays dormant', { status: 'dormant' as const, lastActivityAt: day(40) }, day(45), 'dormant'],
    ['pending is untouched by time', { status: 'pending' as const }, day(200), 'pending'],
    ['rejected stays rejected', { status: 'rejected' as const }, day(1), 'rejected'],
    ['won stays won', { status: 'won' as const }, day(300), 'won'],
  ])('%s', (_name, over, now, expected) => {
    const claim = aClaim({ registeredAt: reg, lastActivityAt: reg, ...over });
    expect(effectiveStatus(claim, terms, now)).toBe(expected);
  });

  it('only pending and protected claims are live (dormant and expired lose protection)', () => {
    expect(['pending', 'protected', 'dormant', 'expired', 'rejected', 'won', 'lost'].filter((s) => isLive(s as never))).toEqual(['pending', 'protected']);
  });

  it('protection ends protection_days after registration unless set', () => {
    expect(protectionEnd(aClaim({ registeredAt: reg, protectedUntil: null }), terms)).toEqual(day(90));
    expect(protectionEnd(aClaim({ registeredAt: reg, protectedUntil: day(10) }), terms)).toEqual(day(10));
  });
});

describe('findConflicts', () => {
  const policy = examplePolicy();
  it.each([
    ['no other claim, partner-led: no overlap', {}, 'northwind', [], []],
    ['another party holds a live claim', {}, 'northwind', [{ id: 4, claimant: 'contoso' }], ['claimed']],
    ['own earlier claim is not an overlap', {}, 'northwind', [{ id: 4, claimant: 'northwind' }], []],
    ['named owner other than the claimant', { namedOwner: 'direct' }, 'northwind', [], ['named-owner']],
    ['the named owner itself claims', { namedOwner: 'northwind' }, 'northwind', [], []],
    ['a partner on direct-led coverage', { tier: 'strategic' }, 'northwind', [], ['direct-led']],
    ['direct on direct-led coverage', { tier: 'strategic' }, 'direct', [], []],
    ['the incumbent of a customer, other than the claimant', { incumbentPartnerId: 'fabrikam', isCustomer: true }, 'northwind', [], ['incumbent']],
    ['the incumbent of a customer claims itself', { incumbentPartnerId: 'fabrikam', isCustomer: true }, 'fabrikam', [], []],
    ['a partner recorded on a prospect is not an incumbent', { incumbentPartnerId: 'fabrikam', isCustomer: false }, 'northwind', [], []],
  ] as const)('%s', (_n, over, claimant, live, codes) => {
    const account = anAccount(over);
    expect(findConflicts({ account, coverage: coverageFor(account, policy), claimant, liveClaims: live }).map((c) => c.code)).toEqual(codes);
  });
});
