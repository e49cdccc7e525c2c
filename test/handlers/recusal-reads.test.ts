import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import type { Reply } from '../../handlers/replies/model.js';
import { roe } from '../../handlers/roe.js';
import type { Principal } from '../../src/core/authz.js';
import { queueFor } from '../../src/core/disputes/disputes.service.js';
import { rulersOf } from '../../src/core/sla/sla.service.js';
import type { Dispute } from '../../src/core/types.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { statementsRun } from '../support/statements.js';

/**
 * What recusal costs in SQL statements (counted, not timed): who filed a case's claims is read
 * in one query (never claim by claim), the queue reads it for all its cases at once, and a
 * partner's claim joining a case runs no more statements than before recusal (31). Default
 * coverage: Pat Okafor, then Dana Reyes, then Morgan Lee (vp).
 */
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00 in New York
});
afterEach(() => rt.close());

const slack = { origin: { platform: 'slack' as const, channel: 'C0SHARED', thread: null }, requestKey: null };
const deal = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
const file = (who: Principal, over: Record<string, string> = {}) => submitClaim(rt.deps, who, { ...deal, ...over }, slack);
/** The statements `fn` runs, and those of them that read or write claims. */
function counted(fn: () => unknown): { all: string[]; claims: string[] } {
  const { statements } = statementsRun(rt.db.sqlite, fn);
  return { all: statements, claims: statements.filter((s) => /\bclaims\b/.test(s)) };
}
const read = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'list' ? b.items.map((i) => i.text) : [])).join('\n');

/** Northwind and Contoso claim Soylent (Analytics) at different stages: a case for Pat. */
function soylentCase(): Dispute {
  file(as.partner(rt, 'northwind'));
  file(as.partner(rt, 'contoso'), { stage: 'proposal' });
  const d = rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', claimIds: [expect.any(Number), expect.any(Number)] });
  return d;
}

/** Ten open cases of Default coverage, Pat's: three accounts on each product line, and Wayne (Analytics). */
function tenCases(): Dispute[] {
  const where = [...['soylent', 'acme-analytics', 'muller'].flatMap((account) => ['Core Platform', 'Analytics', 'Services'].map((product) => ({ account, product }))), { account: 'wayne', product: 'Analytics' }];
  for (const w of where) {
    file(as.partner(rt, 'northwind'), w);
    file(as.partner(rt, 'contoso'), { ...w, stage: 'proposal' });
  }
  const open = rt.store.disputes.open();
  expect(open.filter((d) => d.arbitrator === 'pat')).toHaveLength(10);
  return open;
}

describe('a claim joining a case', () => {
  it('a partner’s: no more statements than before recusal, the claims read once', () => {
    const d = soylentCase();
    const run = counted(() => file(as.partner(rt, 'fabrikam'), { stage: 'negotiation' }));
    expect(rt.store.disputes.get(d.id)!.claimIds).toHaveLength(3);
    expect(run.all.length, run.all.join('\n')).toBeLessThanOrEqual(31);
  });

  it('its assignee’s: the case moves on, who filed its claims read in one statement (it read every claim before)', () => {
    const d = soylentCase();
    const run = counted(() => file(as.person(rt, 'pat'), { stage: 'negotiation' }));
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    expect(run.all.filter((s) => s.includes('json_each'))).toHaveLength(1);
    expect(run.all.length, run.all.join('\n')).toBeLessThanOrEqual(41);
  });
});

describe('/roe case', () => {
  it('a case with a recusal, shown to who rules on it: who filed its claims is read in a statement, not claim by claim', () => {
    const d = soylentCase();
    file(as.person(rt, 'pat'), { stage: 'negotiation' });
    const claim = rt.store.disputes.get(d.id)!.claimIds.at(-1)!;
    const run = counted(() => {
      const r = roe(rt.deps, as.person(rt, 'dana'), `case ${d.id}`);
      expect(read(r)).toContain(`Pat Okafor filed claim #${claim} in this case, so Dana Reyes rules on it.`);
    });
    // 12, and the cached partners table's check that no other connection changed it, read once for
    // which of the case's parties left the programme (its card says so, and offers none of them).
    expect(run.all.length, run.all.join('\n')).toBeLessThanOrEqual(13);
  });
});

describe('/roe queue', () => {
  it('an arbitrator with 10 open cases: who filed their claims is read in one statement for all of them', () => {
    tenCases();
    for (const person of ['pat', 'dana']) {
      const run = counted(() => {
        const r = roe(rt.deps, as.person(rt, person), 'queue');
        expect(r.summary).toBe('10 disputes waiting');
      });
      expect(run.claims, run.claims.join('\n')).toHaveLength(1);
      expect(run.all.length, run.all.join('\n')).toBeLessThanOrEqual(23);
    }
  });

  it('someone of no case’s chain: no claim is read', () => {
    tenCases();
    const run = counted(() => expect(roe(rt.deps, as.person(rt, 'sam'), 'queue').summary).toBe('Your queue is empty'));
    expect(run.claims).toEqual([]);
  });

  it('lists the cases each person may rule on, as rulersOf says case by case, recusal included', () => {
    const [first, second] = tenCases();
    // Pat files a claim in the first case (it goes to Dana), Dana one in the second (it stays with Pat, below her).
    file(as.person(rt, 'pat'), { account: 'soylent', product: 'Core Platform', stage: 'negotiation' });
    file(as.person(rt, 'dana'), { account: 'soylent', product: 'Analytics', stage: 'negotiation', claimant: 'fabrikam' });
    expect(rt.store.disputes.get(first!.id)).toMatchObject({ arbitrator: 'dana' });
    expect(rt.store.disputes.get(second!.id)).toMatchObject({ arbitrator: 'pat' });
    const open = rt.store.disputes.open();
    for (const person of ['pat', 'dana', 'vp', 'sam']) {
      const expected = open.filter((d) => rulersOf(rt.ctx, d).includes(person)).sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0));
      expect(queueFor(rt.ctx, person).map((d) => d.id), person).toEqual(expected.map((d) => d.id));
    }
    expect(queueFor(rt.ctx, 'pat').map((d) => d.id)).not.toContain(first!.id);
    expect(queueFor(rt.ctx, 'dana').map((d) => d.id)).toContain(first!.id);
    expect(queueFor(rt.ctx, 'dana').map((d) => d.id)).not.toContain(second!.id);
    expect(queueFor(rt.ctx, 'pat').map((d) => d.id)).toContain(second!.id);
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).not.toContain(`#${first!.id} `);
  });
});
