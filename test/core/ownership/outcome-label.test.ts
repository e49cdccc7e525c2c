import { describe, expect, it } from 'vitest';
import { outcomeLabel } from '../../../src/core/ownership/explain.js';
import type { RuleVerdict } from '../../../src/core/types.js';

const verdict = (outcome: RuleVerdict['outcome'], auto: boolean): RuleVerdict => ({ rule: 'first-registration', auto, outcome, winner: outcome === 'picked' ? 'northwind' : null, reason: { code: 'no-claims' } }) as RuleVerdict;

describe('the outcome word of a rule in a trace', () => {
  it.each([
    { outcome: 'picked', auto: true, decided: undefined, label: 'decides' },
    { outcome: 'picked', auto: false, decided: undefined, label: 'recommends' },
    // An auto pick in a case an arbitrator decides all the same (a flagged partner, say): it only recommends.
    { outcome: 'picked', auto: true, decided: false, label: 'recommends' },
    // A rule that picked nobody did not decide: not "passes", which reads as if its condition held.
    { outcome: 'passed', auto: true, decided: undefined, label: 'does not decide' },
    { outcome: 'not-reached', auto: true, decided: undefined, label: 'not reached' },
  ] as const)('$outcome (auto $auto, decided $decided): $label', ({ outcome, auto, decided, label }) => {
    expect(outcomeLabel(verdict(outcome, auto), decided)).toBe(label);
  });
});
