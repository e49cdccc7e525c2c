import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { home } from '../../handlers/roe.js';
import type { Reply } from '../../handlers/replies/model.js';
import { openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

/** What a Home shows first: its first block's list title, or its first line. */
const first = (r: Reply) => {
  const b = r.blocks[0]!;
  return b.type === 'list' ? b.title : b.type === 'text' ? b.text : b.type;
};

describe('Home: what comes first', () => {
  it("an arbitrator with cases waiting reads them first, their own claims (often none) below; with none waiting, their claims come first", () => {
    expect(first(home(rt.deps, as.person(rt, 'pat')))).toBe('You have no claims. Register one with /claim.');
    const d = openArbitratedCase(rt);
    expect(d.arbitrator).toBe('pat');
    const pats = home(rt.deps, as.person(rt, 'pat'));
    expect(first(pats)).toBe('Waiting for your ruling');
    expect(JSON.stringify(pats.blocks)).toContain('You have no claims.');
    // Sam, with claims and no case to rule, reads his claims first.
    expect(first(home(rt.deps, as.person(rt, 'sam')))).not.toBe('Waiting for your ruling');
  });
});
