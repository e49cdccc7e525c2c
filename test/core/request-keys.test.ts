/**
 * A request key makes one person's form filed once: sent again (a double click, a redelivery),
 * it answers with what it filed. A key is its person's own (a Slack view id, a Teams key made of
 * the user's id): the same key from anyone else is refused, naming nothing of what was filed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileClaim } from '../../src/core/claims/claims.service.js';
import type { Principal } from '../../src/core/authz.js';
import { raiseDispute } from '../../src/core/disputes/disputes.service.js';
import { DomainError } from '../../src/core/errors.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const KEY = 'slack:view:V0001';

const file = (who: Principal, accountId = 'soylent') =>
  rt.store.transaction(() => fileClaim(rt.ctx, who, { accountId, route: 'resell', productLine: 'Analytics', opportunity: { name: 'Soylent analytics', stage: 'qualified', amount: 5000 }, evidence: '', origin: null, requestKey: KEY }));

const raise = (who: Principal) => rt.store.transaction(() => raiseDispute(rt.ctx, who, { accountId: 'soylent', productLine: 'Analytics', reason: 'We met them first', evidence: '', origin: null, requestKey: KEY }));

/** What refused the call; fails when nothing did. */
function refusal(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('not refused');
}

/** What a refused call may change: nothing. */
const snapshot = () => ({ claims: rt.store.claims.all().length, disputes: rt.store.disputes.all().length, ledger: [...rt.store.ledger.entries()].length });

describe('fileClaim: a request key already used', () => {
  it('by the same person: what it filed, nothing filed again', () => {
    const first = file(as.partner(rt, 'northwind'));
    const before = snapshot();
    const again = file(as.partner(rt, 'northwind'));
    expect(again).toMatchObject({ repeated: true, outcome: 'protected', claim: { id: first.claim.id, accountId: 'soylent' } });
    expect(snapshot()).toEqual(before);
  });

  it.each([
    ['another partner', () => as.partner(rt, 'contoso')],
    ['another user of the same partner', () => as.partner(rt, 'northwind', 'northwind-other')],
    ['a colleague', () => as.person(rt, 'sam')],
  ])('by %s: refused, naming nothing of the claim, and nothing is filed', (_, who) => {
    const first = file(as.partner(rt, 'northwind'));
    const before = snapshot();
    // On another account too: the key alone decides.
    for (const account of ['soylent', 'hooli']) {
      const e = refusal(() => file(who(), account));
      expect(e).toMatchObject({ code: 'conflict', message: 'This form was already sent by someone else, so nothing was filed. Open a new form to file your claim.', fields: {} });
      expect(e.message).not.toContain(String(first.claim.id));
      expect(e.message).not.toMatch(/Soylent|Northwind|protected/i);
    }
    expect(snapshot()).toEqual(before);
  });
});

describe('raiseDispute: a request key already used', () => {
  // Contoso holds Soylent (Analytics): Northwind has something to dispute.
  beforeEach(() => {
    rt.store.transaction(() => fileClaim(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'soylent', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Contoso deal', stage: 'qualified', amount: null }, evidence: '', origin: null, requestKey: null }));
  });

  it('by the same person: the dispute it raised, nothing raised again', () => {
    const first = raise(as.partner(rt, 'northwind'));
    const before = snapshot();
    const again = raise(as.partner(rt, 'northwind'));
    expect(again).toMatchObject({ repeated: true, dispute: { id: first.dispute.id } });
    expect(snapshot()).toEqual(before);
  });

  it.each([
    ['another partner', () => as.partner(rt, 'fabrikam')],
    ['another user of the same partner', () => as.partner(rt, 'northwind', 'northwind-other')],
  ])('by %s: refused, naming nothing of the dispute, and nothing is raised', (_, who) => {
    const first = raise(as.partner(rt, 'northwind'));
    const before = snapshot();
    const e = refusal(() => raise(who()));
    expect(e).toMatchObject({ code: 'conflict', message: 'This form was already sent by someone else, so nothing was filed. Open a new form to raise your dispute.', fields: {} });
    expect(e.message).not.toContain(String(first.dispute.id));
    expect(snapshot()).toEqual(before);
  });
});
