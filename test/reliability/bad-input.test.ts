import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { renderReply } from '../../handlers/platforms/console/render.js';
import type { Reply } from '../../handlers/replies/model.js';
import { roe } from '../../handlers/roe.js';
import { approve, submitAsk, submitAward } from '../../handlers/rule.js';
import { whoOwns } from '../../handlers/who-owns.js';
import { isDomainError } from '../../src/core/errors.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { openArbitratedCase } from '../support/cases.js';
import { NASTY, seeded } from '../support/nasty.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const CASES = Number(process.env.ROE_BAD_INPUT_CASES ?? 3000);
let rt: TestRuntime;
beforeAll(() => {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
  openArbitratedCase(rt);
});
afterAll(() => rt.close());

const VALID = {
  account: ['acme', 'soylent', 'Initech LLC', 'muller'],
  route: ['resell', 'referral', 'co-sell'],
  product: ['Analytics', 'services', 'Core Platform'],
  stage: ['qualified', 'proposal'],
  opportunity: ['Deal'],
  amount: ['1000', ''],
  evidence: ['notes'],
  reason: ['We met them first'],
  question: ['Who met them first?'],
  rationale: ['A good reason for this ruling'],
  party: ['northwind', 'contoso'],
  dispute: ['1'],
};

function value(g: ReturnType<typeof seeded>, field: keyof typeof VALID): unknown {
  if (g.chance(0.5)) return g.pick(VALID[field]);
  if (g.chance(0.1)) return g.pick([undefined, null, 42, true, {}, [], ['a']]);
  return g.pick(NASTY);
}

describe('bad input through every handler', () => {
  it(`${CASES} generated requests: never a crash, a clear answer, and no state change from a refused one`, () => {
    const g = seeded(20261129);
    const people = [as.person(rt, 'sam'), as.person(rt, 'pat'), as.partner(rt, 'northwind'), as.partner(rt, 'contoso'), as.stranger(rt)];
    const tally = { ok: 0, refused: 0 };
    const count = (table: string) => (rt.db.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    for (let i = 0; i < CASES; i++) {
      const who = g.pick(people);
      const ledgerBefore = count('ledger');
      const claimsBefore = count('claims');
      const kind = g.int(7);
      const run = (): Reply => {
        const v = (f: keyof typeof VALID) => value(g, f);
        const meta = { origin: null, requestKey: g.chance(0.3) ? String(v('evidence')) : null };
        switch (kind) {
          case 0:
            return whoOwns(rt.deps, who, v('account') as string);
          case 1:
            return submitClaim(rt.deps, who, { account: v('account'), route: v('route'), product: v('product'), opportunity: v('opportunity'), stage: v('stage'), amount: v('amount'), evidence: v('evidence') } as Record<string, unknown>, meta);
          case 2:
            return submitDispute(rt.deps, who, { account: v('account'), product: v('product'), reason: v('reason'), evidence: v('evidence'), against: g.chance(0.5) ? v('dispute') : undefined } as Record<string, unknown>, meta);
          case 3:
            return approve(rt.deps, who, v('dispute'));
          case 4:
            return submitAward(rt.deps, who, { dispute: v('dispute'), party: v('party'), rationale: v('rationale') } as Record<string, unknown>);
          case 5:
            return submitAsk(rt.deps, who, { dispute: v('dispute'), question: v('question') } as Record<string, unknown>);
          default:
            return roe(rt.deps, who, String(v('evidence')));
        }
      };
      try {
        const reply = run();
        tally.ok += 1;
        // what the person reads has no control characters or terminal escapes
        expect(renderReply(reply)).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      } catch (e) {
        if (!isDomainError(e)) throw new Error(`case ${i} (kind ${kind}) crashed: ${(e as Error).stack}`);
        expect(e.message.length, `case ${i}: an empty error message`).toBeGreaterThan(0);
        expect(count('ledger'), `case ${i}: a refused request changed the ledger`).toBe(ledgerBefore);
        expect(count('claims'), `case ${i}: a refused request filed a claim`).toBe(claimsBefore);
        tally.refused += 1;
      }
    }
    expect(tally.ok).toBeGreaterThan(CASES / 20);
    expect(tally.refused).toBeGreaterThan(CASES / 2);
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
  }, 300_000);
});
