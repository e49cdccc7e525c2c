import { describe, expect, it } from 'vitest';
import { PolicyError, parsePolicy } from '../../../src/core/policy/load.js';
import { PolicyBook, effectiveInstant } from '../../../src/core/policy/versions.js';
import { examplePolicyText, policyTextWith } from '../../support/builders.js';

function problems(text: string): string[] {
  try {
    parsePolicy(text);
  } catch (e) {
    if (e instanceof PolicyError) return e.problems;
    throw e;
  }
  return [];
}

describe('parsePolicy', () => {
  it('accepts the shipped example', () => {
    const p = parsePolicy(examplePolicyText());
    expect(p.version).toBe('2026.1');
    expect(p.criteria.map((c) => c.rule)).toEqual(['named-account', 'direct-reserved', 'incumbent', 'furthest-stage', 'first-registration']);
    expect(p.people.dana?.name).toBe('Dana Reyes');
  });

  it.each([
    ['an unknown arbitrator', [['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]']], 'coverage[2].arbitrator: unknown person "robin"'],
    ['an unknown person in an escalation chain', [['escalation: [vp] }\n  - { name: Enterprise', 'escalation: [nobody] }\n  - { name: Enterprise']], 'coverage[0].escalation[0]: unknown person "nobody"'],
    ['an unknown rule', [['rule: incumbent', 'rule: loudest-voice']], 'criteria[2].rule:'],
    ['a missing auto', [['{ rule: incumbent, auto: true }', '{ rule: incumbent }']], 'criteria[2].auto: is required'],
    ['a rule listed twice', [['rule: incumbent', 'rule: named-account']], 'criteria[2].rule: rule "named-account" is listed twice'],
    ['an unknown time zone', [['America/New_York', 'Mars/Olympus']], 'timezone: unknown time zone'],
    ['a bad SLA duration', [['arbitration: 16h', 'arbitration: soon']], 'sla.arbitration: invalid duration "soon"'],
    ['hours ending before they start', [['end: "17:00"', 'end: "08:00"']], 'business_hours.end: must be after start'],
    ['an unknown field', [['protection_days: 90', 'protection_days: 90\n  grace_days: 3']], 'registration: unknown field "grace_days"'],
    ['a negative protection', [['protection_days: 90', 'protection_days: -5']], 'registration.protection_days:'],
    ['no catch-all coverage rule', [['when: {}, model: partner-led', 'when: { tier: standard }, model: partner-led']], 'coverage[2].when: the last coverage rule must match every account'],
    ['an unknown model', [['model: co-sell', 'model: freestyle']], 'coverage[1].model:'],
    ['warning not before dormancy', [['dormancy_warning_days: 7', 'dormancy_warning_days: 30']], 'registration.dormancy_warning_days: must be less than dormant_after_days'],
  ] as [string, [string, string][], string][])('names the path of %s', (_n, edits, expected) => {
    const found = problems(policyTextWith(edits));
    expect(found.some((p) => p.startsWith(expected)), `got: ${found.join(' | ')}`).toBe(true);
  });

  it('names the expected type and what it got', () => {
    expect(problems(policyTextWith([['protection_days: 90', 'protection_days: ninety']]))).toContain('registration.protection_days: expected number, got "ninety"');
  });

  it('a file that is not a mapping says so', () => {
    expect(problems('- just\n- a list\n')).toEqual(['(top level): the policy must be a YAML mapping of fields (version, effective, timezone, …); see examples/policy.yaml']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('version: "1"\npeople: [unclosed\n')[0]).toMatch(/^YAML line \d+:/);
  });

  it('lists every problem, not just the first', () => {
    expect(problems(policyTextWith([['America/New_York', 'Nowhere/Land'], ['arbitration: 16h', 'arbitration: x']])).length).toBeGreaterThanOrEqual(2);
  });
});

describe('PolicyBook (grandfathering)', () => {
  const v1 = parsePolicy(examplePolicyText());
  const v2 = parsePolicy(policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-07-01']]));
  const book = new PolicyBook([v2, v1].map((p) => ({ version: p.version, effectiveAt: effectiveInstant(p), policy: p })));
  it.each([
    ['2026-03-01T00:00:00Z', '2026.1'],
    ['2026-06-30T23:59:59Z', '2026.1'],
    ['2026-07-01T00:00:00Z', '2026.2'],
    ['2027-01-01T00:00:00Z', '2026.2'],
    ['2025-01-01T00:00:00Z', '2026.1'],
  ])('at %s the version in force is %s', (at, version) => {
    expect(book.inForceAt(new Date(at)).version).toBe(version);
  });
  it('a claim keeps the version it was registered under', () => {
    expect(book.forClaim({ policyVersion: '2026.1', registeredAt: new Date('2026-08-01T00:00:00Z') }).version).toBe('2026.1');
  });
});
