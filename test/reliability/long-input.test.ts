/**
 * Input as long as the endpoints and files accept, shaped to make a search start over at every
 * character: each is read in one pass, and answered as any other input. (Each case here took
 * from half a minute to minutes when a step was quadratic in the input's length; no timing is
 * asserted, the test's own time limit stands for it.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { claimForm, submitClaim } from '../../handlers/claim.js';
import { parseCommand } from '../../handlers/platforms/teams/bot.js';
import { DomainError } from '../../src/core/errors.js';
import { importCsv, ImportError } from '../../src/core/import/import.service.js';
import { PolicyError, parsePolicy } from '../../src/core/policy/load.js';
import { examplePolicyText } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});
const CLAIM_HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';

/** The problems an import refuses `text` with. */
function importProblems(r: TestRuntime, kind: 'accounts' | 'claims', text: string): string[] {
  try {
    importCsv(r.ctx, kind, 'f.csv', text);
  } catch (e) {
    if (e instanceof ImportError) return e.errors.map((x) => `line ${x.line}: ${x.message}`);
    throw e;
  }
  return [];
}

describe('long input is read in one pass', () => {
  it('a Teams command ending in a run of "?" that is not the end', () => {
    const rest = `acme ${'?'.repeat(300_000)}x`;
    expect(parseCommand(`who owns ${rest}`)).toEqual({ command: 'who-owns', rest });
    expect(parseCommand('who owns acme???')).toEqual({ command: 'who-owns', rest: 'acme' });
  });

  it('an account typed as a domain of 60,000 labels (a claim form opened with it)', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const typed = `${'a.'.repeat(60_000)}com`;
    // Quoted back cut to 100 characters.
    expect(claimForm(rt.deps, as.partner(rt, 'contoso'), typed).intro).toBe(`No account matches "${typed.slice(0, 99)}…": search for it in the Account field (a name, alias or web domain).`);
  });

  it('an amount of 200,000 digits and a letter, on the claim form', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: `${'1'.repeat(200_000)}x`, evidence: '' };
    let refused: unknown;
    try {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values, { origin: consoleOrigin, requestKey: null });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).fields).toMatchObject({ amount: 'A positive number, e.g. 50000' });
    expect(rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
  });

  it('an amount of 100,000 digits and a letter, in a claims file', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const amount = `${'1'.repeat(100_000)}x`;
    expect(importProblems(rt, 'claims', `${CLAIM_HEADER}\nL1,soylent,contoso,resell,Analytics,D,qualified,${amount},,rejected,2026-11-20,\n`)).toEqual([`line 2: amount: expected a positive number, got "${amount}"`]);
  });

  it('a header of 200,000 columns, each named once', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const extra = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
    const problems = importProblems(rt, 'accounts', `id,name,${extra.join(',')}\nq1,Q\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^line 1: unknown columns "c0", "c1", .*"c199999" \(expected: id, name, /);
  });
});

describe('a large claims file is checked in one pass', () => {
  it('60,000 pending rows of one party on one account and line: every row after the first is refused, and nothing is imported', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const rows = Array.from({ length: 60_000 }, (_, i) => `P${i},soylent,contoso,resell,Analytics,D,qualified,,,pending,2026-11-20,`);
    const problems = importProblems(rt, 'claims', `${CLAIM_HEADER}\n${rows.join('\n')}\n`);
    expect(problems).toHaveLength(59_999);
    expect(problems[0]).toMatch(/^line 3: /);
    expect(problems.at(-1)).toMatch(/^line 60001: /);
    expect(rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
  });
});

describe('a long policy file is checked in one pass', () => {
  it('1,000 coverage rules, each naming an arbitrator the file does not have: each is named', () => {
    const rules = Array.from({ length: 1000 }, (_, i) => `  - { name: R${i}, when: { region: r${i} }, model: partner-led, arbitrator: nobody${i} }`).join('\n');
    const text = examplePolicyText().replace(/^coverage:\n/m, `coverage:\n${rules}\n`);
    let problems: string[] = [];
    try {
      parsePolicy(text);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      problems = e.problems;
    }
    expect(problems).toHaveLength(1000);
    expect(problems[999]).toBe('coverage[999].arbitrator: unknown person "nobody999"');
  });
});
