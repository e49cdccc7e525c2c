/**
 * A partner taken out of the programme (roe partner close) that an account still names as its
 * incumbent or named owner (the CRM's accounts not imported again without it) is no incumbent
 * and no named owner to the criteria, nor a party a new claim collides with: the parties out of
 * the programme are given to them as data.
 */
import { describe, expect, it } from 'vitest';
import { findConflicts } from '../../../src/core/claims/overlap.js';
import { coverageFor } from '../../../src/core/ownership/coverage.js';
import { decide, type Contender } from '../../../src/core/ownership/engine.js';
import { explainVerdict } from '../../../src/core/ownership/explain.js';
import type { Criterion } from '../../../src/core/policy/schema.js';
import type { Account, RuleName } from '../../../src/core/types.js';
import { anAccount, examplePolicy } from '../../support/builders.js';

const policy = examplePolicy();
const t = (day: number) => new Date(Date.UTC(2026, 10, day, 15));
const c = (claimId: number, party: string, day: number, stage = 'qualified'): Contender => ({ claimId, party, registeredAt: t(day), stage });
const CUSTOMER_OF_FABRIKAM: Partial<Account> = { incumbentPartnerId: 'fabrikam', isCustomer: true };
const NAMED_FABRIKAM: Partial<Account> = { namedOwner: 'fabrikam' };

interface Case {
  name: string;
  account: Partial<Account>;
  out: string[];
  contenders: Contender[];
  criteria?: Criterion[];
  winner: string | null;
  rule: RuleName | null;
  /** The verdict of the rule that looks at the account, and its words to one of the company's people. */
  verdict: { rule: RuleName; outcome: 'picked' | 'passed'; text: string };
}

const cases: Case[] = [
  {
    name: 'an incumbent in the programme decides, as ever',
    account: CUSTOMER_OF_FABRIKAM,
    out: ['initech'],
    contenders: [c(1, 'northwind', 1)],
    winner: 'fabrikam',
    rule: 'incumbent',
    verdict: { rule: 'incumbent', outcome: 'picked', text: 'Fabrikam Systems is the incumbent partner of this customer.' },
  },
  {
    name: 'an incumbent out of the programme is none: the claims decide',
    account: CUSTOMER_OF_FABRIKAM,
    out: ['fabrikam'],
    contenders: [c(1, 'northwind', 1)],
    winner: 'northwind',
    rule: 'first-registration',
    verdict: { rule: 'incumbent', outcome: 'passed', text: 'Fabrikam Systems is recorded as the incumbent partner of this customer, but left the partner programme: the account has no incumbent partner.' },
  },
  {
    name: 'an incumbent out of the programme, and no claim: nobody',
    account: CUSTOMER_OF_FABRIKAM,
    out: ['fabrikam'],
    contenders: [],
    winner: null,
    rule: null,
    verdict: { rule: 'incumbent', outcome: 'passed', text: 'Fabrikam Systems is recorded as the incumbent partner of this customer, but left the partner programme: the account has no incumbent partner.' },
  },
  {
    name: 'a partner out of the programme recorded on a prospect: no incumbent, because no customer (as before)',
    account: { incumbentPartnerId: 'fabrikam', isCustomer: false },
    out: ['fabrikam'],
    contenders: [c(1, 'northwind', 1)],
    winner: 'northwind',
    rule: 'first-registration',
    verdict: { rule: 'incumbent', outcome: 'passed', text: 'The account is not a customer, so no partner is its incumbent.' },
  },
  {
    name: 'a named owner out of the programme is none: the incumbent decides',
    account: { ...NAMED_FABRIKAM, incumbentPartnerId: 'contoso', isCustomer: true },
    out: ['fabrikam'],
    contenders: [c(1, 'northwind', 1)],
    winner: 'contoso',
    rule: 'incumbent',
    verdict: { rule: 'named-account', outcome: 'passed', text: 'Fabrikam Systems is recorded as the named owner of the account, but left the partner programme: the account has no named owner.' },
  },
  {
    name: 'a named owner out of the programme, one rule alone: nobody',
    account: NAMED_FABRIKAM,
    out: ['fabrikam'],
    criteria: [{ rule: 'named-account', auto: true }],
    contenders: [c(1, 'northwind', 1)],
    winner: null,
    rule: null,
    verdict: { rule: 'named-account', outcome: 'passed', text: 'Fabrikam Systems is recorded as the named owner of the account, but left the partner programme: the account has no named owner.' },
  },
  {
    name: 'the direct team as named owner is never out of the programme',
    account: { namedOwner: 'direct' },
    out: ['fabrikam'],
    contenders: [c(1, 'northwind', 1)],
    winner: 'direct',
    rule: 'named-account',
    verdict: { rule: 'named-account', outcome: 'picked', text: 'The account is a named account of the direct team.' },
  },
];

const names: Record<string, string> = { fabrikam: 'Fabrikam Systems', northwind: 'Northwind Partners', contoso: 'Contoso Consulting', direct: 'the direct team' };

describe('decide, with the parties out of the programme', () => {
  it.each(cases)('$name', ({ account, out, contenders, criteria, winner, rule, verdict }) => {
    const a = anAccount(account);
    const d = decide({ account: a, coverage: coverageFor(a, policy), criteria: criteria ?? policy.criteria, stages: policy.stages, contenders, outOfProgramme: new Set(out) });
    expect({ winner: d.winner, rule: d.rule }).toEqual({ winner, rule });
    const v = d.trace.find((x) => x.rule === verdict.rule)!;
    expect(v.outcome).toBe(verdict.outcome);
    expect(explainVerdict(v, { nameOf: (p) => names[p] ?? p, formatDate: (iso) => iso, internal: true })).toBe(verdict.text);
  });

  it('a partner’s user reads only that the account has none: not which party left', () => {
    const read = (account: Partial<Account>, rule: RuleName) => {
      const a = anAccount(account);
      const v = decide({ account: a, coverage: coverageFor(a, policy), criteria: policy.criteria, stages: policy.stages, contenders: [c(1, 'northwind', 1)], outOfProgramme: new Set(['fabrikam']) }).trace.find((x) => x.rule === rule)!;
      return explainVerdict(v, { nameOf: (p) => (p === 'northwind' ? 'Northwind Partners' : 'another party'), formatDate: (iso) => iso });
    };
    expect(read(CUSTOMER_OF_FABRIKAM, 'incumbent')).toBe('The account has no incumbent partner.');
    expect(read(NAMED_FABRIKAM, 'named-account')).toBe('The account has no named owner.');
  });
});

describe('findConflicts, with the parties out of the programme', () => {
  it.each([
    { name: 'an incumbent in the programme is collided with', account: CUSTOMER_OF_FABRIKAM, out: [] as string[], conflicts: [{ code: 'incumbent', party: 'fabrikam' }] },
    { name: 'an incumbent out of the programme is not', account: CUSTOMER_OF_FABRIKAM, out: ['fabrikam'], conflicts: [] },
    { name: 'a named owner in the programme is collided with', account: NAMED_FABRIKAM, out: ['initech'], conflicts: [{ code: 'named-owner', party: 'fabrikam' }] },
    { name: 'a named owner out of the programme is not', account: NAMED_FABRIKAM, out: ['fabrikam'], conflicts: [] },
    { name: 'another party’s live claim still is', account: CUSTOMER_OF_FABRIKAM, out: ['fabrikam'], live: [{ id: 4, claimant: 'contoso' }], conflicts: [{ code: 'claimed', party: 'contoso', claimId: 4 }] },
  ])('$name', ({ account, out, live, conflicts }) => {
    const a = anAccount(account);
    expect(findConflicts({ account: a, coverage: coverageFor(a, policy), claimant: 'northwind', liveClaims: live ?? [], outOfProgramme: new Set(out) })).toEqual(conflicts);
  });
});
