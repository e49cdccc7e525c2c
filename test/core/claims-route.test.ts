import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileClaim } from '../../src/core/claims/claims.service.js';
import { PARTNER_ROUTES, routeProblem } from '../../src/core/claims/route.js';
import { DomainError } from '../../src/core/errors.js';
import { ROUTES, type PartyId, type Route } from '../../src/core/types.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const REFUSED = "Route direct is for the direct team's own deals: a partner's claim goes to market by resell, referral, co-sell or marketplace.";

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

/** Files a claim on Hooli (Services) by `by` (a partner's own user, or Sam of the direct team claiming for `claimant`). */
function file(by: 'partner' | 'sam', claimant: PartyId, route: Route) {
  const principal = by === 'sam' ? as.person(rt, 'sam') : as.partner(rt, claimant);
  return rt.store.transaction(() =>
    fileClaim(rt.ctx, principal, {
      accountId: 'hooli',
      ...(by === 'sam' ? { claimant } : {}),
      route,
      productLine: 'Services',
      opportunity: { name: 'Hooli services', stage: 'qualified', amount: null },
      evidence: '',
      origin: null,
      requestKey: null,
    }),
  );
}

interface Row {
  name: string;
  by: 'partner' | 'sam';
  claimant: PartyId;
  route: Route;
  refused: boolean;
}

describe("fileClaim: a claim's route to market fits its claimant", () => {
  const rows: Row[] = [
    // A partner's claim goes to market through the partner: route direct is refused, whoever files it.
    { name: "a partner's own user, route direct", by: 'partner', claimant: 'northwind', route: 'direct', refused: true },
    { name: 'a colleague filing for a partner, route direct', by: 'sam', claimant: 'contoso', route: 'direct', refused: true },
    ...PARTNER_ROUTES.map((route): Row => ({ name: `a partner's own user, route ${route}`, by: 'partner', claimant: 'northwind', route, refused: false })),
    ...PARTNER_ROUTES.map((route): Row => ({ name: `a colleague filing for a partner, route ${route}`, by: 'sam', claimant: 'contoso', route, refused: false })),
    // The direct team's own claims may take any route.
    ...ROUTES.map((route): Row => ({ name: `the direct team, route ${route}`, by: 'sam', claimant: 'direct', route, refused: false })),
  ];
  it.each(rows)('$name: refused $refused', ({ by, claimant, route, refused }) => {
    const claims = rt.store.claims.all().length;
    const entries = [...rt.store.ledger.entries()].length;
    if (refused) {
      let error: unknown;
      try {
        file(by, claimant, route);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'invalid_input', message: REFUSED, fields: { route: REFUSED } });
      expect(rt.store.claims.all()).toHaveLength(claims);
      expect([...rt.store.ledger.entries()]).toHaveLength(entries);
    } else {
      expect(file(by, claimant, route).claim).toMatchObject({ accountId: 'hooli', claimant, route });
    }
  });

  it('routeProblem says the same of every route and party', () => {
    expect(ROUTES.map((r) => routeProblem('northwind', r))).toEqual([null, null, null, null, REFUSED]);
    expect(ROUTES.map((r) => routeProblem('direct', r))).toEqual([null, null, null, null, null]);
  });
});
