import { describe, expect, it } from 'vitest';
import { coverageFor } from '../../../src/core/ownership/coverage.js';
import { decide, type Contender } from '../../../src/core/ownership/engine.js';
import { explainVerdict } from '../../../src/core/ownership/explain.js';
import type { Criterion } from '../../../src/core/policy/schema.js';
import type { Account, RuleName } from '../../../src/core/types.js';
import { anAccount, examplePolicy } from '../../support/builders.js';

const policy = examplePolicy();
const ALL_AUTO: Criterion[] = (['named-account', 'direct-reserved', 'incumbent', 'first-registration', 'furthest-stage'] as const).map((rule) => ({ rule, auto: true }));
const t = (day: number) => new Date(Date.UTC(2026, 10, day, 15));
const c = (claimId: number, party: string, day: number, stage = 'qualified'): Contender => ({ claimId, party, registeredAt: t(day), stage });

interface Case {
  name: string;
  account?: Partial<Account>;
  contenders: Contender[];
  criteria?: Criterion[];
  winner: string | null;
  rule: RuleName | null;
  auto: boolean;
}

const cases: Case[] = [
  { name: 'named-account decides for the named owner', account: { namedOwner: 'contoso' }, contenders: [c(1, 'northwind', 1), c(2, 'contoso', 5)], winner: 'contoso', rule: 'named-account', auto: true },
  { name: 'named-account decides even without a claim by the owner', account: { namedOwner: 'direct' }, contenders: [c(1, 'northwind', 1)], winner: 'direct', rule: 'named-account', auto: true },
  { name: 'direct-reserved decides on direct-led coverage (strategic tier)', account: { tier: 'strategic' }, contenders: [c(1, 'northwind', 1), c(2, 'direct', 9)], winner: 'direct', rule: 'direct-reserved', auto: true },
  { name: 'incumbent decides for the incumbent partner', account: { incumbentPartnerId: 'fabrikam', isCustomer: true }, contenders: [c(1, 'northwind', 1), c(2, 'fabrikam', 9)], winner: 'fabrikam', rule: 'incumbent', auto: true },
  { name: 'incumbent passes on a prospect: a partner recorded on a non-customer is not an incumbent', account: { incumbentPartnerId: 'fabrikam', isCustomer: false }, contenders: [c(1, 'northwind', 1), c(2, 'fabrikam', 9)], winner: 'northwind', rule: 'first-registration', auto: true },
  { name: 'incumbent on a prospect decides nothing on its own', account: { incumbentPartnerId: 'fabrikam', isCustomer: false }, criteria: [{ rule: 'incumbent', auto: true }], contenders: [c(1, 'contoso', 1)], winner: null, rule: null, auto: false },
  { name: 'first-registration decides for the earliest claim', contenders: [c(1, 'contoso', 7), c(2, 'northwind', 3)], winner: 'northwind', rule: 'first-registration', auto: true },
  { name: 'first-registration with a single claim', contenders: [c(1, 'contoso', 7)], winner: 'contoso', rule: 'first-registration', auto: true },
  { name: 'first-registration uses each party’s earliest claim', contenders: [c(1, 'contoso', 9), c(2, 'contoso', 2), c(3, 'northwind', 4)], winner: 'contoso', rule: 'first-registration', auto: true },
  { name: 'same moment: first-registration passes, furthest-stage recommends', contenders: [c(1, 'contoso', 3, 'proposal'), c(2, 'northwind', 3, 'qualified')], winner: 'contoso', rule: 'furthest-stage', auto: false },
  { name: 'same moment and same stage: nobody is picked', contenders: [c(1, 'contoso', 3, 'proposal'), c(2, 'northwind', 3, 'proposal')], winner: null, rule: null, auto: false },
  { name: 'no claims and no owner: every rule passes', contenders: [], winner: null, rule: null, auto: false },
  {
    name: 'a non-auto rule only recommends',
    criteria: [{ rule: 'furthest-stage', auto: false }, { rule: 'first-registration', auto: true }],
    contenders: [c(1, 'contoso', 3, 'negotiation'), c(2, 'northwind', 1, 'qualified')],
    winner: 'contoso',
    rule: 'furthest-stage',
    auto: false,
  },
  {
    name: 'order matters: first-registration before incumbent',
    account: { incumbentPartnerId: 'fabrikam', isCustomer: true },
    criteria: [{ rule: 'first-registration', auto: true }, { rule: 'incumbent', auto: true }],
    contenders: [c(1, 'northwind', 1), c(2, 'fabrikam', 9)],
    winner: 'northwind',
    rule: 'first-registration',
    auto: true,
  },
  { name: 'named-account passes without a named owner, incumbent passes without incumbent', criteria: [{ rule: 'named-account', auto: true }, { rule: 'incumbent', auto: true }], contenders: [c(1, 'northwind', 1)], winner: null, rule: null, auto: false },
  { name: 'direct-reserved passes on partner-led coverage', criteria: [{ rule: 'direct-reserved', auto: true }], contenders: [c(1, 'northwind', 1)], winner: null, rule: null, auto: false },
  { name: 'furthest-stage passes with a single party (nothing to compare)', criteria: [{ rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'commit')], winner: null, rule: null, auto: false },
  { name: 'furthest-stage matches stages whatever their case', criteria: [{ rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'Proposal'), c(2, 'contoso', 2, 'QUALIFIED')], winner: 'northwind', rule: 'furthest-stage', auto: true },
  { name: 'furthest-stage passes when a leading stage is unknown to the policy', criteria: [{ rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'Negotiation/Review'), c(2, 'contoso', 2, 'prospecting')], winner: null, rule: null, auto: false },
  { name: 'furthest-stage passes when any party has a claim at an unknown stage', criteria: [{ rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'qualified'), c(2, 'northwind', 2, 'whatever'), c(3, 'contoso', 3, 'proposal')], winner: null, rule: null, auto: false },
  { name: 'an unknown stage with one party: nothing to compare', criteria: [{ rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'whatever')], winner: null, rule: null, auto: false },
  // A tie at the top is broken among the tied alone: a party placed behind them is out of the running.
  { name: 'same stage at the top: first registration among the leaders, not a party behind them registered earlier', contenders: [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'northwind', rule: 'first-registration', auto: true },
  { name: 'a third party behind the leaders does not change who the tie-break picks', contenders: [c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'northwind', rule: 'first-registration', auto: true },
  { name: 'same moment at the top: furthest stage among those registered first, not a later party further along', criteria: [{ rule: 'first-registration', auto: true }, { rule: 'furthest-stage', auto: true }], contenders: [c(1, 'northwind', 1, 'qualified'), c(2, 'contoso', 1, 'proposal'), c(3, 'fabrikam', 4, 'commit')], winner: 'contoso', rule: 'furthest-stage', auto: true },
  { name: 'the leaders level on both rules: nobody is picked, even with a party behind them', contenders: [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 5, 'commit')], winner: null, rule: null, auto: false },
  { name: 'an unknown stage leaves the case to the next rule', criteria: [{ rule: 'furthest-stage', auto: true }, { rule: 'first-registration', auto: true }], contenders: [c(1, 'northwind', 1, 'Negotiation/Review'), c(2, 'contoso', 2, 'prospecting')], winner: 'northwind', rule: 'first-registration', auto: true },
  // A rule that looks at the account, after a tie: it chooses among the tied parties alone too.
  ...([
    ['named-account', { namedOwner: 'fabrikam' }],
    ['incumbent', { incumbentPartnerId: 'fabrikam', isCustomer: true }],
  ] as const).flatMap(([rule, account]): Case[] => [
    { name: `${rule} after a tie at the furthest stage passes for a party behind the leaders`, account, criteria: [{ rule: 'furthest-stage', auto: true }, { rule, auto: true }], contenders: [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: null, rule: null, auto: false },
    { name: `${rule} after a tie at the furthest stage passes for a party behind the leaders, and the next rule breaks the tie among them`, account, criteria: [{ rule: 'furthest-stage', auto: true }, { rule, auto: true }, { rule: 'first-registration', auto: false }], contenders: [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'northwind', rule: 'first-registration', auto: false },
    { name: `${rule} after a tie at the furthest stage picks its party when it is one of the leaders`, account, criteria: [{ rule: 'furthest-stage', auto: true }, { rule, auto: true }], contenders: [c(1, 'northwind', 1, 'proposal'), c(2, 'fabrikam', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'fabrikam', rule, auto: true },
    // No tie at all: the account's party decides, with or without a claim of its own.
    { name: `${rule} after a rule with nothing to compare still picks its party`, account, criteria: [{ rule: 'furthest-stage', auto: true }, { rule, auto: true }], contenders: [c(1, 'northwind', 1, 'proposal')], winner: 'fabrikam', rule, auto: true },
  ]),
  // Every claimant level (nobody behind them): the tie still binds the rules after it, so a party with no claim is not picked over them
  // (with a third party behind the two, it would not be either).
  ...([
    ['named-account', { namedOwner: 'fabrikam' }],
    ['incumbent', { incumbentPartnerId: 'fabrikam', isCustomer: true }],
  ] as const).flatMap(([rule, account]): Case[] => [
    { name: `${rule} after every claimant ties at the furthest stage passes for a party with no claim`, account, criteria: [{ rule: 'furthest-stage', auto: true }, { rule, auto: true }, { rule: 'first-registration', auto: false }], contenders: [c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'northwind', rule: 'first-registration', auto: false },
    { name: `${rule} after every claimant registers at one moment passes for a party with no claim`, account, criteria: [{ rule: 'first-registration', auto: true }, { rule, auto: true }, { rule: 'furthest-stage', auto: false }], contenders: [c(2, 'northwind', 5, 'proposal'), c(3, 'contoso', 5, 'commit')], winner: 'contoso', rule: 'furthest-stage', auto: false },
  ]),
  { name: 'named-account after a tie passes for a named owner with no claim at all', account: { namedOwner: 'direct' }, criteria: [{ rule: 'first-registration', auto: true }, { rule: 'named-account', auto: true }], contenders: [c(1, 'northwind', 1), c(2, 'contoso', 1), c(3, 'fabrikam', 4)], winner: null, rule: null, auto: false },
  { name: 'direct-reserved after a tie passes when the direct team is not among the leaders', account: { tier: 'strategic' }, criteria: [{ rule: 'furthest-stage', auto: true }, { rule: 'direct-reserved', auto: true }], contenders: [c(1, 'direct', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: null, rule: null, auto: false },
  { name: 'direct-reserved after a tie picks the direct team when it is one of the leaders', account: { tier: 'strategic' }, criteria: [{ rule: 'furthest-stage', auto: true }, { rule: 'direct-reserved', auto: true }], contenders: [c(1, 'northwind', 1, 'proposal'), c(2, 'direct', 5, 'commit'), c(3, 'contoso', 6, 'commit')], winner: 'direct', rule: 'direct-reserved', auto: true },
];

describe('decide (criteria engine)', () => {
  it.each(cases)('$name', ({ account, contenders, criteria, winner, rule, auto }) => {
    const a = anAccount(account);
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: criteria ?? policy.criteria, stages: policy.stages, contenders });
    expect(d.winner).toBe(winner);
    expect(d.rule).toBe(rule);
    expect(d.auto).toBe(auto);
  });

  it('traces every criterion: the passes before, the pick, and not-reached after', () => {
    const a = anAccount({ incumbentPartnerId: 'fabrikam', isCustomer: true });
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: ALL_AUTO, stages: policy.stages, contenders: [c(1, 'northwind', 1)] });
    expect(d.trace.map((v) => [v.rule, v.outcome])).toEqual([
      ['named-account', 'passed'],
      ['direct-reserved', 'passed'],
      ['incumbent', 'picked'],
      ['first-registration', 'not-reached'],
      ['furthest-stage', 'not-reached'],
    ]);
  });

  it.each([
    [true, 'fabrikam', 'picked', 'Fabrikam is the incumbent partner of this customer.'],
    // A partner recorded on a prospect is no incumbent, and the explanation says why.
    [false, 'fabrikam', 'passed', 'The account is not a customer, so no partner is its incumbent.'],
    [true, null, 'passed', 'The account has no incumbent partner.'],
    [false, null, 'passed', 'The account has no incumbent partner.'],
  ] as const)('the incumbent rule on an account with isCustomer %s and incumbent %s: %s, "%s"', (isCustomer, incumbentPartnerId, outcome, text) => {
    const a = anAccount({ incumbentPartnerId, isCustomer });
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: ALL_AUTO, stages: policy.stages, contenders: [c(1, 'northwind', 1)] });
    const v = d.trace.find((x) => x.rule === 'incumbent')!;
    expect(v.outcome).toBe(outcome);
    expect(explainVerdict(v, { nameOf: (p) => (p === 'fabrikam' ? 'Fabrikam' : p), formatDate: (iso) => iso })).toBe(text);
  });

  it('explains each verdict in words a partner accepts, hiding other partners from a partner', () => {
    const a = anAccount();
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: ALL_AUTO, stages: policy.stages, contenders: [c(1, 'northwind', 2), c(2, 'contoso', 5)] });
    const pick = d.trace.find((v) => v.outcome === 'picked')!;
    const names: Record<string, string> = { northwind: 'Northwind Partners', contoso: 'Contoso Consulting' };
    const fmt = (iso: string) => iso.slice(0, 10);
    expect(explainVerdict(pick, { nameOf: (p) => names[p]!, formatDate: fmt })).toBe('Northwind Partners registered first (2026-11-02), before Contoso Consulting (2026-11-05).');
    expect(explainVerdict(pick, { nameOf: (p) => (p === 'contoso' ? 'Contoso Consulting' : 'another party'), formatDate: fmt })).toBe('another party registered first (2026-11-02), before Contoso Consulting (2026-11-05).');
  });

  it.each([
    ['first registration after a tie at the furthest stage', policy.criteria, [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], 'Of the parties level on the rule before, Northwind Partners registered first (2026-11-05), before Contoso Consulting (2026-11-06).'],
    ['the furthest stage after a tie at the first registration', [{ rule: 'first-registration', auto: true }, { rule: 'furthest-stage', auto: true }] as Criterion[], [c(1, 'northwind', 1, 'qualified'), c(2, 'contoso', 1, 'proposal'), c(3, 'fabrikam', 4, 'commit')], 'Of the parties level on the rule before, the opportunity of Contoso Consulting is furthest along (proposal, against qualified for Northwind Partners).'],
    // Every party level: nobody is out of the running, so there is nothing to qualify.
    ['first registration after two parties tie at the furthest stage', policy.criteria, [c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], 'Northwind Partners registered first (2026-11-05), before Contoso Consulting (2026-11-06).'],
    ['first registration after all three tie at the furthest stage', policy.criteria, [c(1, 'fabrikam', 7, 'commit'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], 'Northwind Partners registered first (2026-11-05), before Contoso Consulting (2026-11-06).'],
    ['the furthest stage after two parties register at one moment', [{ rule: 'first-registration', auto: true }, { rule: 'furthest-stage', auto: true }] as Criterion[], [c(1, 'northwind', 1, 'qualified'), c(2, 'contoso', 1, 'proposal')], 'The opportunity of Contoso Consulting is furthest along (proposal, against qualified for Northwind Partners).'],
    // A rule passed in between (every party is level on it, the one out of the running too): the rule that left them level is named.
    ['first registration after a tie at the furthest stage, the incumbent rule passing in between', [{ rule: 'furthest-stage', auto: true }, { rule: 'incumbent', auto: true }, { rule: 'first-registration', auto: true }] as Criterion[], [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')], 'Of the parties level on an earlier rule (Furthest stage), Northwind Partners registered first (2026-11-05), before Contoso Consulting (2026-11-06).'],
    ['the furthest stage after a tie at the first registration, the named-account rule passing in between', [{ rule: 'first-registration', auto: true }, { rule: 'named-account', auto: true }, { rule: 'furthest-stage', auto: true }] as Criterion[], [c(1, 'northwind', 1, 'qualified'), c(2, 'contoso', 1, 'proposal'), c(3, 'fabrikam', 4, 'commit')], 'Of the parties level on an earlier rule (First registration), the opportunity of Contoso Consulting is furthest along (proposal, against qualified for Northwind Partners).'],
  ])('a tie-break among the leaders says so only when a party is out of the running (it may have registered first): %s', (_n, criteria, contenders, text) => {
    const a = anAccount();
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria, stages: policy.stages, contenders });
    const names: Record<string, string> = { northwind: 'Northwind Partners', contoso: 'Contoso Consulting', fabrikam: 'Fabrikam' };
    expect(explainVerdict(d.trace.find((v) => v.outcome === 'picked')!, { nameOf: (p) => names[p]!, formatDate: (iso) => iso.slice(0, 10) })).toBe(text);
  });
});

describe('explainVerdict: a rule that looks at the account, after a tie that left its party out', () => {
  const names: Record<string, string> = { northwind: 'Northwind Partners', contoso: 'Contoso Consulting', fabrikam: 'Fabrikam', direct: 'Direct sales' };
  const tie = [c(1, 'fabrikam', 1, 'proposal'), c(2, 'northwind', 5, 'commit'), c(3, 'contoso', 6, 'commit')];
  it.each([
    ['named-account', { namedOwner: 'fabrikam' }, [{ rule: 'furthest-stage', auto: true }, { rule: 'named-account', auto: true }], 'The account is a named account of Fabrikam, but that owner is not among the parties level on the rule before, and a tie is broken among those alone.'],
    ['incumbent', { incumbentPartnerId: 'fabrikam', isCustomer: true }, [{ rule: 'furthest-stage', auto: true }, { rule: 'incumbent', auto: true }], 'Fabrikam is the incumbent partner of this customer, but that partner is not among the parties level on the rule before, and a tie is broken among those alone.'],
    ['direct-reserved', { tier: 'strategic' }, [{ rule: 'furthest-stage', auto: true }, { rule: 'named-account', auto: true }, { rule: 'direct-reserved', auto: true }], 'The coverage is direct-led, but the direct team is not among the parties level on an earlier rule (Furthest stage), and a tie is broken among those alone.'],
  ] as const)('%s', (rule, account, criteria, text) => {
    const a = anAccount(account);
    const contenders = rule === 'direct-reserved' ? [c(1, 'direct', 1, 'proposal'), ...tie.slice(1)] : tie;
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: criteria as unknown as Criterion[], stages: policy.stages, contenders });
    const v = d.trace.find((x) => x.rule === rule)!;
    expect(v.outcome).toBe('passed');
    expect(explainVerdict(v, { nameOf: (p) => names[p]!, formatDate: (iso) => iso.slice(0, 10) })).toBe(text);
  });
});

describe('explainVerdict: first registration', () => {
  const names: Record<string, string> = { northwind: 'Northwind Partners', contoso: 'Contoso Consulting' };
  const date = (iso: string) => iso.slice(0, 10);
  const dateTime = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const at = (iso: string): Contender => ({ claimId: 0, party: '', registeredAt: new Date(iso), stage: 'qualified' });
  it.each([
    ['on different dates: the dates', '2026-11-02T15:00:00Z', '2026-11-05T15:00:00Z', 'Northwind Partners registered first (2026-11-02), before Contoso Consulting (2026-11-05).'],
    ['on the same date: the times too, which tell who was first', '2026-11-02T09:00:00Z', '2026-11-02T13:30:00Z', 'Northwind Partners registered first (2026-11-02 09:00), before Contoso Consulting (2026-11-02 13:30).'],
    ['in the same minute: how much earlier', '2026-11-02T09:00:05Z', '2026-11-02T09:00:45Z', 'Northwind Partners registered first (2026-11-02 09:00), 40 seconds before Contoso Consulting.'],
    ['a second apart', '2026-11-02T09:00:05.500Z', '2026-11-02T09:00:06.500Z', 'Northwind Partners registered first (2026-11-02 09:00), 1 second before Contoso Consulting.'],
    ['within the same second', '2026-11-02T09:00:05.100Z', '2026-11-02T09:00:05.900Z', 'Northwind Partners registered first (2026-11-02 09:00), less than a second before Contoso Consulting.'],
  ])('%s', (_n, first, second, expected) => {
    const a = anAccount();
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: [{ rule: 'first-registration', auto: true }], stages: policy.stages, contenders: [{ ...at(second), claimId: 2, party: 'contoso' }, { ...at(first), claimId: 1, party: 'northwind' }] });
    expect(explainVerdict(d.trace[0]!, { nameOf: (p) => names[p]!, formatDate: date, formatDateTime: dateTime })).toBe(expected);
  });
});

describe('coverageFor', () => {
  it.each([
    [{ tier: 'strategic' }, 'Strategic'],
    [{ tier: 'STRATEGIC' }, 'Strategic'],
    [{ segment: 'enterprise' }, 'Enterprise'],
    [{ tier: 'strategic', segment: 'enterprise' }, 'Strategic'],
    [{ segment: 'smb' }, 'Default'],
    [{ tier: null, segment: null }, 'Default'],
  ] as [Partial<Account>, string][])('%o → %s', (over, name) => {
    expect(coverageFor(anAccount(over), policy).name).toBe(name);
  });
});
