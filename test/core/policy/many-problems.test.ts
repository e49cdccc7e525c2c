import { afterEach, describe, expect, it, vi } from 'vitest';
import { YAMLMap } from 'yaml';
import type { z } from 'zod';
import { PolicyError, parsePolicy } from '../../../src/core/policy/load.js';
import { policyLint, ProblemIndex } from '../../../src/core/policy/schema.js';
import { policyTextWith } from '../../support/builders.js';

// A file with thousands of problems in one list took minutes to check: every question a check
// asked about an entry ("is coverage[i].arbitrator fine?") read every problem found so far, and
// every problem's line was looked up through every key of its mapping. These tests count those
// reads rather than time them.

type Issue = z.core.$ZodRawIssue;

/** Problems at these paths whose `path` counts its reads in `reads.count`. */
function counted(paths: PropertyKey[][], code: Issue['code'] = 'custom'): { issues: Issue[]; reads: { count: number } } {
  const reads = { count: 0 };
  const issues = paths.map((path) => {
    const issue = { code, message: 'wrong', input: undefined } as unknown as Issue;
    Object.defineProperty(issue, 'path', { get: () => (reads.count++, path), enumerable: true });
    return issue;
  });
  return { issues, reads };
}

/** present and fine as a scan of every problem answers them (what ProblemIndex must agree with). */
const prefixOf = (a: readonly PropertyKey[], b: readonly PropertyKey[]) => a.length <= b.length && a.every((part, k) => part === b[k]);
const blocking = (issues: readonly Issue[]) => issues.filter((i) => i.code !== 'unrecognized_keys');
const scanPresent = (issues: readonly Issue[], path: PropertyKey[]) => !blocking(issues).some((i) => prefixOf(i.path ?? [], path));
const scanFine = (issues: readonly Issue[], path: PropertyKey[]) => !blocking(issues).some((i) => prefixOf(i.path ?? [], path) || prefixOf(path, i.path ?? []));

describe('ProblemIndex', () => {
  const issue = (path: PropertyKey[], code: Issue['code'] = 'custom') => ({ code, message: 'wrong', input: undefined, path }) as unknown as Issue;

  it('answers as reading every problem would, for problems about a value, inside it, around it, elsewhere, and unknown fields', () => {
    const issues = [issue(['coverage', 1, 'arbitrator']), issue(['people', 'dana']), issue(['sla'], 'unrecognized_keys'), issue(['coverage', 3]), issue(['criteria', 0, 'rule'])];
    const questions: PropertyKey[][] = [
      [], ['coverage'], ['coverage', 1], ['coverage', 1, 'arbitrator'], ['coverage', 1, 'escalation'], ['coverage', 2, 'arbitrator'], ['coverage', 3, 'when', 'tier'],
      ['coverage', '1'], ['people'], ['people', 'dana', 'email'], ['people', 'pat'], ['sla'], ['sla', 'arbitration'], ['criteria', 0], ['criteria', 1, 'rule'], ['version'],
    ];
    const index = new ProblemIndex(issues);
    for (const q of questions) {
      expect([q, index.present(...q)]).toEqual([q, scanPresent(issues, q)]);
      expect([q, index.fine(...q)]).toEqual([q, scanFine(issues, q)]);
    }
    expect(new ProblemIndex([issue([])]).present('version')).toBe(false);
    expect(new ProblemIndex([]).fine()).toBe(true);
  });

  it('sees the problems added to the list after it was made, as a check adds them', () => {
    const issues: Issue[] = [];
    const index = new ProblemIndex(issues);
    expect(index.fine('coverage', 0, 'arbitrator')).toBe(true);
    issues.push(issue(['coverage', 0, 'arbitrator']));
    expect(index.fine('coverage', 0, 'arbitrator')).toBe(false);
    expect(index.present('coverage', 0, 'escalation')).toBe(true);
    expect(index.fine('coverage', 0)).toBe(false);
  });

  it('reads each problem once, however many questions are asked', () => {
    const n = 2000;
    const { issues, reads } = counted(Array.from({ length: n }, (_, i) => ['coverage', i, 'arbitrator']));
    const index = new ProblemIndex(issues);
    for (let i = 0; i < n; i++) {
      expect(index.fine('coverage', i, 'arbitrator')).toBe(false);
      expect(index.present('coverage', i, 'escalation')).toBe(true);
      expect(index.fine('coverage', i, 'name')).toBe(true);
    }
    expect(reads.count).toBe(n);
  });
});

describe('a policy with thousands of problems', () => {
  afterEach(() => vi.restoreAllMocks());
  const n = 2000;
  const rules = (rule: (i: number) => string) =>
    policyTextWith([[/coverage:\n(?: {2}.*\n)+/, `coverage:\n${Array.from({ length: n }, (_, i) => rule(i)).join('\n')}\n  - { name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }\n`]]);
  const problems = (text: string) => {
    try {
      parsePolicy(text, 'p.yaml');
    } catch (e) {
      if (e instanceof PolicyError) return e.problems;
      throw e;
    }
    return [];
  };

  it('the file checks read each problem once per check, not once per entry asked about', () => {
    const policy = parsePolicy(rules((i) => `  - { name: R${i}, when: { tier: t${i} }, model: co-sell, arbitrator: dana, escalation: [vp] }`));
    const { issues, reads } = counted(Array.from({ length: n }, (_, i) => ['coverage', i, 'arbitrator']));
    expect(policyLint(policy, issues)).toEqual([]);
    expect(reads.count).toBe(n);
  });

  it('each problem is read a few times in all, with an unknown arbitrator in each of 2,000 rules', () => {
    const add = vi.spyOn(ProblemIndex.prototype as unknown as { add: (issue: Issue) => void }, 'add');
    const found = problems(rules((i) => `  - { name: R${i}, when: { tier: t${i} }, model: co-sell, arbitrator: nobody${i} }`));
    expect(found).toHaveLength(n);
    expect(found[0]).toBe('p.yaml: line 25: coverage[0].arbitrator: unknown person "nobody0"');
    expect(found[n - 1]).toBe(`p.yaml: line ${25 + n - 1}: coverage[${n - 1}].arbitrator: unknown person "nobody${n - 1}"`);
    // The policy's check across fields, the file's own checks and its warnings each index the problems once.
    expect(add.mock.calls.length).toBeLessThanOrEqual(3 * n);
  });

  it('the line of each problem is found without reading every key of its mapping', () => {
    const text = policyTextWith([[/people:\n/, `people:\n${Array.from({ length: n }, (_, i) => `  p${i}: { name: P ${i}, email: nope${i} }`).join('\n')}\n`]]);
    const get = vi.spyOn(YAMLMap.prototype, 'get');
    const found = problems(text);
    expect(found).toHaveLength(n);
    expect(found[0]).toBe('p.yaml: line 16: people.p0.email: expected an email address like dana@example.com, got "nope0"');
    expect(found[n - 1]).toBe(`p.yaml: line ${16 + n - 1}: people.p${n - 1}.email: expected an email address like dana@example.com, got "nope${n - 1}"`);
    // The YAML library's own look-up reads a mapping's keys one by one: it is not asked per problem.
    expect(get.mock.calls.length).toBeLessThan(n);
  });
});
