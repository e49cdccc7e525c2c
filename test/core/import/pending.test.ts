import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { announce } from '../../../handlers/notify.js';
import { approve, askForm, caseCard, NOBODY, submitAsk, submitAward } from '../../../handlers/rule.js';
import { whoOwns } from '../../../handlers/who-owns.js';
import { tick } from '../../../src/app/scheduler.js';
import { importCsv, ImportError } from '../../../src/core/import/import.service.js';
import { breachesFromLedger, computeStats } from '../../../src/core/stats.js';
import { consoleOrigin, ledgerKinds, outbox } from '../../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

// The test runtime's clock: 2026-11-30T15:00:00Z, a Monday, 10:00 in New York.
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
const row = (id: string, account: string, claimant: string, stage: string, status: string, registered: string) => `${id},${account},${claimant},resell,Analytics,Deal,${stage},,,${status},${registered},`;
const file = (...rows: string[]) => [HEADER, ...rows].join('\n');
/** Imports as `roe import claims` does: the cases' events announced in the import's transaction. */
const importClaims = (text: string) => importCsv(rt.ctx, 'claims', 'claims.csv', text, { announce: (events) => announce(rt.deps, events, null) });
const claimOf = (ref: string) => rt.store.claims.byRequestKey(`import:${ref}`)!;
const timersOf = (subject: string) => (rt.db.sqlite.prepare("select kind from timers where subject = ? and status = 'pending' order by kind").all(subject) as { kind: string }[]).map((t) => t.kind);
const meta = { origin: consoleOrigin, requestKey: null };

describe('CSV import: a pending claim waits in an open case', () => {
  it('alone on its account and product line: an approval case for the arbitrator, with its SLA running and the arbitrator told', () => {
    const before = outbox(rt).length;
    const r = importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const claim = claimOf('P1');
    expect(claim.status).toBe('pending');
    const d = rt.store.disputes.all().at(-1)!;
    expect(r).toMatchObject({ inserted: 1, inCases: 1, disputes: [d.id] });
    // It waits for approval (its party alone on the line): the report says so.
    expect(r).toMatchObject({ inApprovals: 1, approvals: [d.id] });
    expect(d).toMatchObject({ status: 'open', accountId: 'soylent', productLine: 'Analytics', claimIds: [claim.id], parties: ['contoso'], arbitrator: 'pat', raisedBy: 'import' });
    expect(timersOf(`dispute:${d.id}`)).toEqual(['sla.breach', 'sla.reminder', 'sla.reminder']);
    expect(outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`)).toEqual([expect.stringMatching(new RegExp(`"user":"pat".*Approval of claim #${claim.id} \\(case #${d.id}\\) on Soylent Corp \\(Analytics\\): yours to approve or reject by`))]);
    // What /who-owns shows: the claim waits on that case.
    expect(JSON.stringify(whoOwns(rt.deps, as.person(rt, 'sam'), 'soylent'))).toContain(`#${d.id}`);
    // The arbitrator approves it: the claim is protected, its lifecycle planned.
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    expect(claimOf('P1').status).toBe('protected');
    expect(timersOf(`claim:${claim.id}`)).toEqual(['claim.dormancy_warning']);
  });

  it('over another party’s protected claim: a case over the overlap, which the criteria recommend and the arbitrator rules', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    const before = outbox(rt).length;
    // The message refusing a second protected claim says to import it as pending: that works.
    expect(() => importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'protected', '2026-11-20')))).toThrow(/northwind already holds a protected claim on soylent \(Analytics\); import this one as pending/);
    const r = importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', claimIds: [claimOf('N1').id, claimOf('C1').id], parties: ['contoso', 'northwind'], recommendation: 'contoso', arbitrator: 'pat' });
    expect(r.disputes).toEqual([d.id]);
    expect(outbox(rt).slice(before).some((m) => m.target.includes('"user":"pat"') && m.summary.startsWith(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule`))).toBe(true);
    expect(ledgerKinds(rt, `dispute:${d.id}`)).toEqual(['dispute.opened', 'dispute.assigned']);
  });

  it('a claim of a running case whose stage the CRM moves has the case recommended again: the arbitrator is sent it as it now stands, never the old stages', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'contoso', recommendationRule: 'furthest-stage' });
    const before = outbox(rt).length;
    // Northwind's deal moves past Contoso's in the CRM.
    importClaims(file(row('N1', 'soylent', 'northwind', 'negotiation', 'protected', '2026-11-10')));
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'northwind', recommendationRule: 'furthest-stage' });
    const told = outbox(rt).slice(before).filter((m) => m.target.includes('"user":"pat"'));
    expect(told.map((m) => m.summary)).toEqual([`Dispute #${d.id} on Soylent Corp (Analytics): the recommendation changed`]);
    expect((rt.db.sqlite.prepare('select body from outbox where id = ?').get(told[0]!.id) as { body: string }).body).toContain(`A claim in dispute #${d.id} changed in the CRM (its stage or registration date): the criteria now recommend Northwind Partners (it was Contoso Consulting).`);
    // Moved again, the same party still ahead: the reasons (the stages it cites) are brought up to date without a word to anyone.
    const quiet = outbox(rt).length;
    importClaims(file(row('N1', 'soylent', 'northwind', 'commit', 'protected', '2026-11-10')));
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(JSON.stringify(rt.store.disputes.get(d.id)!.trace)).toContain('commit');
    expect(outbox(rt).length).toBe(quiet);
    // The ledger says what happened each time: the CRM changed the claims, the recommendation moved, then stood.
    const changes = [...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}` && e.kind === 'dispute.recommendation_changed').map((e) => e.payload as { from: string; to: string; why: string });
    expect(changes.map((p) => [p.from, p.to, p.why])).toEqual([['contoso', 'northwind', 'changed'], ['northwind', 'northwind', 'changed']]);
    // A row that changes neither stage nor registration asks for no new look.
    importClaims(file(row('N1', 'soylent', 'northwind', 'commit', 'protected', '2026-11-10')).replace(',Deal,', ',Deal v2,'));
    expect(timersOf(`dispute:${d.id}`)).not.toContain('dispute.review');
  });

  it('over an overlap the criteria would settle at once (an earlier registration): the arbitrator decides, with their recommendation; the holder stays protected meanwhile', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20')));
    const before = outbox(rt).length;
    // Same stage, registered first: first-registration picks the imported claim, and only recommends it.
    const r = importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-10')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', winner: null, ruledBy: null, recommendation: 'contoso', recommendationRule: 'first-registration', arbitrator: 'pat', claimIds: [claimOf('N1').id, claimOf('C1').id] });
    expect(d.reason).toContain('an arbitrator decides an imported claim, the criteria only recommend');
    expect(r.disputes).toEqual([d.id]);
    expect([claimOf('C1').status, claimOf('N1').status]).toEqual(['pending', 'protected']);
    expect(r.events.map((e) => e.type)).toEqual(['dispute.opened', 'claim.pending', 'dispute.assigned']);
    expect(ledgerKinds(rt, `dispute:${d.id}`)).toEqual(['dispute.opened', 'dispute.assigned']);
    expect(outbox(rt).slice(before).some((m) => m.target.includes('"user":"pat"') && m.summary.startsWith(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule`))).toBe(true);
    // The arbitrator follows the recommendation: only then does the line change hands.
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso registered it first in the CRM.' });
    expect([claimOf('C1').status, claimOf('N1').status]).toEqual(['protected', 'rejected']);
  });

  it('over a claim filed in chat that the criteria would give up: the case waits for the arbitrator, the filed claim stays protected', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, meta);
    importClaims(file(row('CRM-9', 'soylent', 'northwind', 'qualified', 'pending', '2026-11-12T15:00:00Z')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'northwind', ruledBy: null });
    expect(rt.store.claims.forAccount('soylent').map((c) => [c.claimant, c.status])).toEqual([
      ['contoso', 'protected'],
      ['northwind', 'pending'],
    ]);
  });

  it('joins the case already open on its account and product line', () => {
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, meta);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, meta);
    const open = rt.store.disputes.all().at(-1)!;
    expect(open.status).toBe('open');
    const r = importClaims(file(row('F1', 'soylent', 'fabrikam', 'negotiation', 'pending', '2026-11-25')));
    expect(r.disputes).toEqual([open.id]);
    expect(rt.store.disputes.all().at(-1)!.id).toBe(open.id);
    expect(rt.store.disputes.get(open.id)).toMatchObject({ status: 'open', claimIds: [...open.claimIds, claimOf('F1').id], parties: expect.arrayContaining(['northwind', 'contoso', 'fabrikam']), recommendation: 'fabrikam' });
    expect(ledgerKinds(rt, `dispute:${open.id}`).at(-1)).toBe('dispute.joined');
  });

  it('two pending claims of one file on one line share a case, whatever their order in the file', () => {
    const r = importClaims(file(row('A1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'), row('B1', 'soylent', 'fabrikam', 'proposal', 'pending', '2026-11-21')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(r).toMatchObject({ inCases: 2, disputes: [d.id] });
    // The case the first opened for approval is a dispute once the second joined it: the report tells it as the import leaves it.
    expect(r).toMatchObject({ inApprovals: 0, approvals: [] });
    expect(d).toMatchObject({ status: 'open', claimIds: [claimOf('B1').id, claimOf('A1').id], recommendation: 'fabrikam' });
    expect(rt.store.disputes.all().filter((x) => x.accountId === 'soylent')).toHaveLength(1);
  });

  it('a pending claim already in an open case is left there: importing the file again opens nothing and tells nobody', () => {
    importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const disputes = rt.store.disputes.all().length;
    const sent = outbox(rt).length;
    expect(importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')))).toMatchObject({ updated: 0, unchanged: 1, inCases: 0, disputes: [], events: [] });
    expect(rt.store.disputes.all()).toHaveLength(disputes);
    expect(outbox(rt)).toHaveLength(sent);
  });

  it('a pending claim in no case (imported before imports opened cases) is put in one when the file is imported again', () => {
    rt.store.transaction(() =>
      rt.store.claims.insert({ accountId: 'soylent', claimant: 'contoso', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage: 'qualified', amount: null }, evidence: '', status: 'pending', registeredAt: new Date('2026-11-20T05:00:00Z'), lastActivityAt: new Date('2026-11-20T05:00:00Z'), protectedUntil: null, policyVersion: '2026.1', createdBy: 'import', filedAs: null, contested: false, violation: false, requestKey: 'import:L1' }),
    );
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
    const r = importClaims(file(row('L1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    expect(r).toMatchObject({ updated: 0, unchanged: 1, inCases: 1 });
    expect(rt.store.disputes.forAccount('soylent')).toMatchObject([{ status: 'open', claimIds: [claimOf('L1').id] }]);
  });

  it('a file refused for a problem opens no case and announces nothing', () => {
    const sent = outbox(rt).length;
    expect(() => importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'), row('P2', 'nowhere', 'contoso', 'qualified', 'pending', '2026-11-20')))).toThrow(ImportError);
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
    expect(claimOf('P1')).toBeUndefined();
    expect(outbox(rt)).toHaveLength(sent);
  });

  it('the announcement is part of the import: should it fail, nothing is imported and no case is left untold', () => {
    const text = file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'));
    expect(() =>
      importCsv(rt.ctx, 'claims', 'claims.csv', text, {
        announce: () => {
          throw new Error('outbox unavailable');
        },
      }),
    ).toThrow('outbox unavailable');
    expect(claimOf('P1')).toBeUndefined();
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
  });
});

describe('CSV import: a violation the CRM dates otherwise', () => {
  // Contoso files over Northwind's protection on three accounts, and loses each ruling: three
  // violations, registered 2026-11-20 (the window of 180 days ends for them on 2027-05-19): flagged.
  // On 2027-05-10 the CRM sends one of them again with another registration date.
  const stats = () => computeStats({ claims: rt.store.claims.all(), disputes: rt.store.disputes.all(), breachesByDispute: breachesFromLedger(rt.store.ledger.entries()), policy: rt.policies.inForceAt(rt.clock.now()).policy, now: rt.clock.now(), partners: rt.store.partners.all().map((p) => p.id) });
  it.each([
    ['dated before the window: the flag is lifted at once, as stats count it', '2026-11-01', { violations: 2, flagged: false }, ['partner.flagged', 'partner.unflagged'], /is protected/],
    ['dated later, still in the window: the flag stays', '2026-11-25', { violations: 3, flagged: true }, ['partner.flagged'], /is pending/],
    ['dated as it was: nothing changes', '2026-11-20', { violations: 3, flagged: true }, ['partner.flagged'], /is pending/],
  ] as [string, string, { violations: number; flagged: boolean }, string[], RegExp][])('%s', (_name, registered, row_, kinds, claim) => {
    ['soylent', 'wayne', 'muller'].forEach((a, i) => {
      importClaims(file(row(`N${i}`, a, 'northwind', 'qualified', 'protected', '2026-11-10')));
      importClaims(file(row(`C${i}`, a, 'contoso', 'qualified', 'pending', '2026-11-20')));
      submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(rt.store.disputes.all().at(-1)!.id), party: 'northwind', rationale: 'Ruled on the evidence.' });
    });
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    rt.clock.set('2027-05-10T15:00:00Z');
    importClaims(file(row('C0', 'soylent', 'contoso', 'qualified', 'lost', registered)));
    expect(claimOf('C0')).toMatchObject({ status: 'rejected', violation: true });
    expect(stats().parties.find((p) => p.party === 'contoso')).toMatchObject(row_);
    expect(rt.store.partners.flaggedAt('contoso') !== null).toBe(row_.flagged);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(kinds);
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'initech', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, meta).summary).toMatch(claim);
  });
});

describe('CSV import: violations the CRM dates otherwise, one out of the window and one into it', () => {
  it('the flag is looked at once the whole file is in: it stays, neither lifted nor set again', () => {
    // Four violations of Contoso: three registered 2026-11-20, one 2026-11-01 (out of the window by 2027-05-10).
    [['soylent', '2026-11-20'], ['wayne', '2026-11-20'], ['muller', '2026-11-20'], ['acme-analytics', '2026-11-01']].forEach(([a, at], i) => {
      // Northwind's claim protected since Oct 25, active lately (not dormant when Contoso's are imported).
      importClaims(file(`${row(`N${i}`, a!, 'northwind', 'qualified', 'protected', '2026-10-25')}2026-11-28`));
      importClaims(file(row(`C${i}`, a!, 'contoso', 'qualified', 'pending', at!)));
      submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(rt.store.disputes.all().at(-1)!.id), party: 'northwind', rationale: 'Ruled on the evidence.' });
    });
    rt.clock.set('2027-05-10T15:00:00Z');
    const before = ledgerKinds(rt, 'partner:contoso');
    expect(before.at(-1)).toBe('partner.flagged');
    // One file: C0 out of the window, C3 into it. Still three in the window.
    importClaims(file(row('C0', 'soylent', 'contoso', 'qualified', 'lost', '2026-11-01'), row('C3', 'acme-analytics', 'contoso', 'qualified', 'lost', '2026-11-25')));
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(before);
  });
});

describe('CSV import: a pending claim registered during another party’s protection', () => {
  const ruleFor = (party: string) => {
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party, rationale: 'Ruled on the evidence.' });
  };

  it('is filed against it, as in chat: losing the ruling counts a violation', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    ruleFor('northwind');
    expect(claimOf('C1')).toMatchObject({ status: 'rejected', contested: true, violation: true });
    expect(rt.store.claims.violationsSince('contoso', new Date('2026-01-01T00:00:00Z'))).toEqual([new Date('2026-11-20T05:00:00Z')]);
  });

  it('one registered before the holder’s claim was there first: losing counts no violation', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-10')));
    ruleFor('northwind');
    expect(claimOf('C1')).toMatchObject({ status: 'rejected', contested: false, violation: false });
    expect(rt.store.claims.violationsSince('contoso', new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  it('one registered the same day as the holder’s claim (a CRM’s dates are midnight) was filed against nothing: losing counts no violation', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    ruleFor('northwind');
    expect(claimOf('C1')).toMatchObject({ status: 'rejected', contested: false, violation: false });
    expect(rt.store.claims.violationsSince('contoso', new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  it('nor does one alone on its line (an approval case) that the arbitrator turns down', () => {
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    ruleFor('none');
    expect(claimOf('C1')).toMatchObject({ status: 'rejected', contested: false, violation: false });
  });

  // Judged at its registration, not at the import. Northwind's claim registered 2026-11-10 (with
  // no activity since: dormant from 2026-12-10, protected until 2027-02-08 no more); Fabrikam's
  // pending claim of 2026-11-25 keeps a case open over it. Each file of `before` is imported at
  // 2026-11-30, Contoso's pending claim at `importedAt`, then the arbitrator rules for `party`.
  const N1 = row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10');
  const F1 = row('F1', 'soylent', 'fabrikam', 'qualified', 'pending', '2026-11-25');
  it.each([
    ['protected then and at the import: filed against it', [[N1]], '2026-11-30T15:00:00Z', '2026-11-20', 'northwind', { contested: true, violation: true }],
    ['protected then, dormant by the import, in the case it joins: still filed against it, and the ruling revives that protection: a violation', [[N1, F1]], '2026-12-20T15:00:00Z', '2026-12-01', 'northwind', { contested: true, violation: true }],
    ['protected then, expired by the import: filed against it, though nothing it was filed against holds at the ruling', [[N1]], '2027-02-10T15:00:00Z', '2026-11-20', 'none', { contested: true, violation: false }],
    ['dormant already when registered: filed against nothing, even when the ruling revives it', [[N1, F1]], '2026-12-20T15:00:00Z', '2026-12-15', 'northwind', { contested: false, violation: false }],
    ['registered before the holder’s claim: there first', [[row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20')]], '2026-11-30T15:00:00Z', '2026-11-15', 'northwind', { contested: false, violation: false }],
    ['registered while the other claim was pending (waiting in its case): no protection', [[F1]], '2026-11-30T15:00:00Z', '2026-11-27', 'fabrikam', { contested: false, violation: false }],
    ['registered while the other claim was protected, which the CRM has closed since (when, the row does not say): no protection', [[N1], [row('N1', 'soylent', 'northwind', 'qualified', 'lost', '2026-11-10')]], '2026-11-30T15:00:00Z', '2026-11-20', 'none', { contested: false, violation: false }],
  ] as [string, string[][], string, string, string, { contested: boolean; violation: boolean }][])('%s', (_name, before, importedAt, registered, party, expected) => {
    for (const rows of before) importClaims(file(...rows));
    rt.clock.set(importedAt);
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', registered)));
    expect(claimOf('C1').contested).toBe(expected.contested);
    ruleFor(party);
    expect(claimOf('C1')).toMatchObject({ status: 'rejected', ...expected });
  });
});

describe('CSV import: the ledger records the claim as stored', () => {
  it('a claim a ruling rejected stays rejected on re-import, and the ledger says rejected, not the file’s protected', () => {
    const text = file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20'));
    importCsv(rt.ctx, 'claims', 'claims.csv', text);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'negotiation', amount: '', evidence: '' }, meta);
    approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id); // furthest-stage: Contoso
    const n1 = claimOf('N1');
    expect(n1.status).toBe('rejected');
    // The CRM renamed the opportunity, and still says protected.
    importCsv(rt.ctx, 'claims', 'claims.csv', text.replace(',Deal,', ',Deal v2,'));
    expect(claimOf('N1')).toMatchObject({ status: 'rejected', opportunity: { name: 'Deal v2' } });
    const entries = [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${n1.id}` && e.kind.startsWith('claim.import'));
    expect(entries.map((e) => [e.kind, (e.payload as { status?: string }).status])).toEqual([
      ['claim.imported', 'protected'],
      ['claim.import_updated', 'rejected'],
    ]);
  });
});

/** The lines of an import's refusal, as `roe import` prints them; [] when the file was imported. */
function refusal(text: string): string[] {
  try {
    importClaims(text);
  } catch (e) {
    if (e instanceof ImportError) return e.errors.map((x) => `line ${x.line}: ${x.message}`);
    throw e;
  }
  return [];
}
const statuses = (account: string) => rt.store.claims.forAccount(account).map((c) => [c.claimant, c.status]);
const protectedOn = (account: string) => rt.store.claims.forAccount(account).filter((c) => c.status === 'protected' && c.productLine === 'Analytics').map((c) => c.claimant);
const importEntries = (claimId: number) => [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${claimId}` && e.kind.startsWith('claim.import')).map((e) => [e.kind, (e.payload as { status?: string }).status]);

describe('CSV import: a pending claim whose protection would already be over', () => {
  it("is refused, naming the line and saying to import it as expired: it never takes the line from a partner's current protected claim", () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, meta);
    const sent = outbox(rt).length;
    // 2026-02-02 + 90 days: protected until 2026-05-03 at best, months ago.
    expect(refusal(file(row('P1', 'soylent', 'fabrikam', 'qualified', 'pending', '2026-11-20'), row('OLD1', 'soylent', 'contoso', 'qualified', 'pending', '2026-02-02')))).toEqual([
      'line 3: status: pending, but its protection would have ended on 2026-05-03 (registered 2026-02-02, 90 days of protection): import it as expired (or with its real status)',
    ]);
    expect(claimOf('OLD1')).toBeUndefined();
    expect(claimOf('P1')).toBeUndefined();
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
    expect(statuses('soylent')).toEqual([['northwind', 'protected']]);
    expect(outbox(rt)).toHaveLength(sent);
    // As the message says: imported as expired, it is history, and Northwind keeps the line.
    expect(importClaims(file(row('OLD1', 'soylent', 'contoso', 'qualified', 'expired', '2026-02-02')))).toMatchObject({ inserted: 1, inCases: 0, disputes: [] });
    expect(statuses('soylent')).toEqual([
      ['northwind', 'protected'],
      ['contoso', 'expired'],
    ]);
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
  });

  it('counts protection_days as the import does, on the policy’s calendar: ending at this very moment is over, a second later is not', () => {
    // Now is 2026-11-30T15:00Z, 10:00 in New York; 90 days before, across the change of the clocks, is 10:00 EDT.
    expect(refusal(file(row('E1', 'soylent', 'contoso', 'qualified', 'pending', '2026-09-01T14:00:00Z')))).toEqual([
      'line 2: status: pending, but its protection would have ended on 2026-11-30 (registered 2026-09-01, 90 days of protection): import it as expired (or with its real status)',
    ]);
    expect(refusal(file(row('E1', 'soylent', 'contoso', 'qualified', 'pending', '2026-09-01T14:00:01Z')))).toEqual([]);
    expect(rt.store.disputes.all().at(-1)).toMatchObject({ status: 'open', claimIds: [claimOf('E1').id] });
  });

  it('a claim decided since is no pending claim of the file: re-importing its old row after its protection ended is not refused', () => {
    const text = file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'));
    importClaims(text);
    approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id);
    rt.clock.set('2027-03-01T15:00:00Z'); // past 2027-02-18, the end of its protection
    expect(refusal(text)).toEqual([]);
    expect(rt.store.disputes.forAccount('soylent').filter((d) => d.status === 'open')).toEqual([]);
    expect(claimOf('P1').status).not.toBe('pending');
  });
});

describe('CSV import: a re-import never moves a claim back to pending', () => {
  it('the same file again after the arbitrator approved the pending claim: it stays protected, with its protection; no second case, nobody told; the ledger says protected', () => {
    const text = file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'));
    importClaims(text);
    const d = rt.store.disputes.all().at(-1)!;
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const approved = claimOf('P1');
    expect(approved.status).toBe('protected');
    const timers = timersOf(`claim:${approved.id}`);
    const sent = outbox(rt).length;
    // The CRM still says pending, with a new opportunity name.
    expect(importClaims(text.replace(',Deal,', ',Deal v2,'))).toMatchObject({ updated: 1, inCases: 0, disputes: [], events: [] });
    expect(claimOf('P1')).toMatchObject({ status: 'protected', protectedUntil: approved.protectedUntil, lastActivityAt: approved.lastActivityAt });
    expect(timersOf(`claim:${approved.id}`)).toEqual(timers);
    expect(rt.store.disputes.forAccount('soylent').map((x) => [x.id, x.status])).toEqual([[d.id, 'ruled']]);
    expect(outbox(rt)).toHaveLength(sent);
    expect(importEntries(approved.id)).toEqual([
      ['claim.imported', 'pending'],
      ['claim.import_updated', 'protected'],
    ]);
  });

  it('nor one the arbitrator turned down: it stays rejected, and is not argued again in a new case', () => {
    const text = file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'));
    importClaims(text);
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'No such deal.' });
    expect(importClaims(text.replace(',Deal,', ',Deal v2,'))).toMatchObject({ updated: 1, inCases: 0, disputes: [] });
    expect(claimOf('P1').status).toBe('rejected');
    expect(rt.store.disputes.forAccount('soylent')).toHaveLength(1);
    expect(importEntries(claimOf('P1').id).at(-1)).toEqual(['claim.import_updated', 'rejected']);
  });
});

describe('CSV import: the same file again (a nightly sync)', () => {
  it('claims it gives exactly as stored are unchanged: nothing is written to the ledger, and the report says so', () => {
    const text = file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20'), row('C1', 'wayne', 'contoso', 'qualified', 'protected', '2026-11-21'));
    expect(importClaims(text)).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    const count = () => [...rt.store.ledger.entries()].length;
    const before = count();
    expect(importClaims(text)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(count()).toBe(before);
    // One row changed: that one is updated and recorded.
    expect(importClaims(text.replace('N1,soylent,northwind,resell,Analytics,Deal,', 'N1,soylent,northwind,resell,Analytics,Deal v2,'))).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect([...rt.store.ledger.entries()].slice(before).map((e) => e.kind)).toEqual(['claim.import_updated']);
  });

  it('each imported claim’s entry records what the criteria weigh of it: its route and stage, and the stage a re-import gives it', () => {
    const text = file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20'));
    importClaims(text);
    const payloads = () => [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${claimOf('N1').id}`).map((e) => [e.kind, e.payload]);
    expect(payloads()).toEqual([['claim.imported', expect.objectContaining({ ref: 'N1', route: 'resell', stage: 'qualified' })]]);
    importClaims(text.replace(',Deal,qualified,', ',Deal,proposal,'));
    expect(payloads().at(-1)).toEqual(['claim.import_updated', expect.objectContaining({ ref: 'N1', route: 'resell', stage: 'proposal' })]);
  });

  it.each([
    ['a corrected registered_at (its protection moves too)', '2026-11-20,', '2026-11-24,'],
    ['a later last_activity_at (the CRM logged activity)', '2026-11-20,2026-11-21', '2026-11-20,2026-11-27'],
  ])('a claim whose dates changed is updated and recorded: %s', (_n, from, to) => {
    const text = `${file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20'))}`.replace(/2026-11-20,$/, from);
    importClaims(text);
    const before = claimOf('N1');
    const count = [...rt.store.ledger.entries()].length;
    expect(importClaims(text.replace(from, to))).toMatchObject({ updated: 1, unchanged: 0 });
    const after = claimOf('N1');
    expect([after.registeredAt.getTime(), after.lastActivityAt.getTime()]).not.toEqual([before.registeredAt.getTime(), before.lastActivityAt.getTime()]);
    expect([...rt.store.ledger.entries()].slice(count).map((e) => [e.kind, (e.payload as { registeredAt: string }).registeredAt])).toEqual([['claim.import_updated', after.registeredAt.toISOString()]]);
  });
});

describe('CSV import: a second live claim of the same party on a line', () => {
  it('a pending row of a party that holds a protected claim there is refused, naming the line, the party and the claim; nothing is imported', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    const n1 = claimOf('N1');
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20')))).toEqual([
      `line 2: status: northwind already holds a live claim on soylent (Analytics): claim #${n1.id} (protected); a second one of the same party is refused, as in chat: import this row with its real status (expired, lost, rejected) or leave it out`,
    ]);
    expect(claimOf('N2')).toBeUndefined();
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
    expect(claimOf('N1').status).toBe('protected');
    // The same claim (same id) imported again is no second claim.
    expect(refusal(file(row('N1', 'soylent', 'northwind', 'proposal', 'protected', '2026-11-10')))).toEqual([]);
  });

  it('so is one of a party whose claim filed in chat is protected, or whose claim waits pending in a case', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, meta);
    const filed = rt.store.claims.forAccount('soylent')[0]!;
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20')))).toEqual([expect.stringContaining(`line 2: status: northwind already holds a live claim on soylent (Analytics): claim #${filed.id} (protected)`)]);
    importClaims(file(row('P1', 'globex', 'contoso', 'qualified', 'pending', '2026-11-20')));
    expect(refusal(file(row('P2', 'globex', 'contoso', 'proposal', 'pending', '2026-11-21')))).toEqual([expect.stringContaining(`line 2: status: contoso already holds a live claim on globex (Analytics): claim #${claimOf('P1').id} (pending)`)]);
    expect(claimOf('P2')).toBeUndefined();
    expect(rt.store.disputes.forAccount('globex')).toMatchObject([{ status: 'open', claimIds: [claimOf('P1').id] }]);
  });

  it('within one file: a second pending row of the party on the line is refused, naming the first; so is one beside a protected row of the party', () => {
    expect(refusal(file(row('N1', 'soylent', 'northwind', 'qualified', 'pending', '2026-11-10'), row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-10'), row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20')))).toEqual([
      'line 4: status: northwind already has a pending claim on soylent (Analytics) on line 2 (id N1); a second one of the same party is refused, as in chat: keep one row for it, or import this one with its real status (expired, lost, rejected)',
    ]);
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20'), row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')))).toEqual([
      'line 2: status: northwind already has a protected claim on soylent (Analytics) on line 3 (id N1); a second one of the same party is refused, as in chat: keep one row for it, or import this one with its real status (expired, lost, rejected)',
    ]);
    expect(rt.store.claims.forAccount('soylent')).toEqual([]);
    // On another product line, or of another party, a pending row is no second claim.
    const other = 'N3,soylent,northwind,resell,Services,Deal,qualified,,,pending,2026-11-20,';
    expect(refusal(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10'), other, row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')))).toEqual([]);
  });

  it('a claim the same file closes is no longer held: the party’s new pending row is taken', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    expect(refusal(file(row('N1', 'soylent', 'northwind', 'qualified', 'lost', '2026-11-10'), row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20')))).toEqual([]);
    expect(statuses('soylent')).toEqual([
      ['northwind', 'lost'],
      ['northwind', 'pending'],
    ]);
    expect(rt.store.disputes.all().at(-1)).toMatchObject({ status: 'open', claimIds: [claimOf('N2').id], parties: ['northwind'] });
  });

  it('as in chat, a dormant claim holds nothing: the party’s new pending row is taken, in a case of its own that leaves the dormant one out', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    rt.clock.set('2026-12-20T15:00:00Z'); // 30 days without activity: dormant, protected until 2027-02-08 no more
    const r = importClaims(file(row('N2', 'soylent', 'northwind', 'proposal', 'pending', '2026-12-19')));
    expect(rt.store.disputes.get(r.disputes[0]!)).toMatchObject({ status: 'open', claimIds: [claimOf('N2').id], parties: ['northwind'] });
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(r.disputes[0]), party: NOBODY, rationale: 'A duplicate of the CRM entry.' });
    expect(claimOf('N2').status).toBe('rejected');
    expect(claimOf('N1').status).not.toBe('rejected');
  });
});

describe('CSV import: a re-import never moves a claim to another account, product line or party', () => {
  it('a row whose id was imported with another account, product line or claimant is refused, naming what it had; nothing changes', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10'), row('C1', 'initech', 'contoso', 'qualified', 'protected', '2026-11-10')));
    const n1 = claimOf('N1');
    // Moved onto a line another party holds: it would make two parties protected there.
    expect(refusal(file(row('N1', 'initech', 'northwind', 'qualified', 'protected', '2026-11-10')))).toEqual([
      `line 2: id "N1" was imported as claim #${n1.id} with account_id soylent; a re-import cannot move a claim: keep its values in this row (with its real status, expired say, once it ended), and import the claim as it is now under a new id`,
    ]);
    expect(refusal(file('N1,soylent,contoso,resell,Services,Deal,qualified,,,protected,2026-11-10,'))).toEqual([
      `line 2: id "N1" was imported as claim #${n1.id} with product_line Analytics, claimant northwind; a re-import cannot move a claim: keep its values in this row (with its real status, expired say, once it ended), and import the claim as it is now under a new id`,
    ]);
    expect(claimOf('N1')).toEqual(n1);
    expect(protectedOn('initech')).toEqual(['contoso']);
    // As the message says: the old one ends, the moved one comes in under its own id (and, on a line another holds, as pending: a case decides).
    expect(refusal(file(row('N1', 'soylent', 'northwind', 'qualified', 'expired', '2026-11-10'), row('N1-moved', 'initech', 'northwind', 'qualified', 'pending', '2026-11-12')))).toEqual([]);
    expect(claimOf('N1').status).toBe('expired');
    expect(rt.store.disputes.forAccount('initech')).toMatchObject([{ status: 'open', claimIds: [claimOf('C1').id, claimOf('N1-moved').id] }]);
  });

  it('a pending claim waiting in a case cannot be moved out of it to another account', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10'), row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(refusal(file(row('C1', 'globex', 'fabrikam', 'proposal', 'pending', '2026-11-20')))).toEqual([expect.stringMatching(/^line 2: id "C1" was imported as claim #\d+ with account_id soylent, claimant contoso; a re-import cannot move a claim/)]);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', claimIds: [claimOf('N1').id, claimOf('C1').id] });
    expect(rt.store.disputes.forAccount('globex')).toEqual([]);
  });
});

describe('CSV import: a protected row never undoes a ruling, nor stretches a party’s protection', () => {
  it('a new protected row of a party a standing ruling went against is refused, as its claim in chat would need approval; as pending, it goes to the arbitrator', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10'), row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso brought the deal to the customer.' });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
    // Contoso's claim ends (the CRM says it expired): the ruling against Northwind still stands.
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'expired', '2026-11-20')));
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'commit', 'protected', '2026-11-30')))).toEqual([
      `line 2: status: a ruling on dispute #${d.id} went against northwind on soylent (Analytics) within the last 90 days; import this one as pending (an arbitrator then approves it or not), rejected or expired`,
    ]);
    expect(protectedOn('soylent')).toEqual([]);
    importClaims(file(row('N2', 'soylent', 'northwind', 'commit', 'pending', '2026-11-30')));
    expect(rt.store.disputes.all().at(-1)).toMatchObject({ status: 'open', claimIds: [claimOf('N2').id], parties: ['northwind'] });
  });

  it('a second protected claim of the party on the line is refused, stored or in the same file', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    const n1 = claimOf('N1');
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'proposal', 'protected', '2026-11-20')))).toEqual([
      `line 2: status: northwind already holds a live claim on soylent (Analytics): claim #${n1.id} (protected); a second one of the same party is refused, as in chat: import this row with its real status (expired, lost, rejected) or leave it out`,
    ]);
    expect(refusal(file(row('G1', 'globex', 'northwind', 'qualified', 'protected', '2026-11-10'), row('G2', 'globex', 'northwind', 'proposal', 'protected', '2026-11-20')))).toEqual([
      'line 3: status: northwind already has a protected claim on globex (Analytics) on line 2 (id G1); a second one of the same party is refused, as in chat: keep one row for it, or import this one with its real status (expired, lost, rejected)',
    ]);
    expect(rt.store.claims.forAccount('soylent')).toHaveLength(1);
    expect(rt.store.claims.forAccount('globex')).toEqual([]);
  });
});

describe('CSV import: a case never holds the party’s own other claims as conflicts', () => {
  it('a re-imported pending claim in no case (imported before imports opened cases) gets a case of its own beside the party’s protected claim: a ruling for nobody rejects only it', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    rt.store.transaction(() =>
      rt.store.claims.insert({ accountId: 'soylent', claimant: 'northwind', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage: 'proposal', amount: null }, evidence: '', status: 'pending', registeredAt: new Date('2026-11-20T05:00:00Z'), lastActivityAt: new Date('2026-11-20T05:00:00Z'), protectedUntil: null, policyVersion: '2026.1', createdBy: 'import', filedAs: null, contested: false, violation: false, requestKey: 'import:L1' }),
    );
    // The same claim (same id) imported again: no second claim, so not refused; it is put in a case.
    const r = importClaims(file(row('L1', 'soylent', 'northwind', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.get(r.disputes[0]!)!;
    expect(d).toMatchObject({ status: 'open', claimIds: [claimOf('L1').id], parties: ['northwind'] });
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'A duplicate of the CRM entry.' });
    expect([claimOf('L1').status, claimOf('N1').status]).toEqual(['rejected', 'protected']);
  });
});

describe('CSV import: a case running on a line is the arbitrator’s to decide', () => {
  const protectedParties = (account: string) => rt.store.claims.forAccount(account).filter((c) => c.status === 'protected' && c.productLine === 'Analytics').map((c) => c.claimant);
  const refusal = (text: string) => {
    try {
      importClaims(text);
    } catch (e) {
      if (e instanceof ImportError) return e.message;
      throw e;
    }
    throw new Error('the file was accepted');
  };

  it('a new protected row on a line where a case is running is refused, naming the case: it can come in as pending and join it', () => {
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: ['contoso'] });
    const night2 = file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20'), row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-25'));
    expect(refusal(night2)).toContain(`line 3: status: dispute #${d.id} is deciding soylent (Analytics); import this one as pending (it joins that case), rejected or expired`);
    expect(claimOf('N1')).toBeUndefined();
    importClaims(night2.replace(',protected,', ',pending,'));
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', claimIds: [claimOf('C1').id, claimOf('N1').id] });
    approve(rt.deps, as.person(rt, 'pat'), `${d.id}:${rt.store.disputes.get(d.id)!.recommendation}`);
    expect(protectedParties('soylent')).toHaveLength(1);
  });

  it('the file may not make a claim waiting in a running case protected: it stays pending for the arbitrator; closing it is taken', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: ['contoso', 'northwind'] });
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10'), row('C1', 'soylent', 'contoso', 'proposal', 'protected', '2026-11-20')));
    expect([claimOf('N1').status, claimOf('C1').status]).toEqual(['protected', 'pending']);
    expect(protectedParties('soylent')).toEqual(['northwind']);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // The CRM saying the deal was lost is taken: the case is looked at again.
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'lost', '2026-11-20')));
    expect(claimOf('C1').status).toBe('lost');
  });

  it('nor dormant: a file saying so leaves a claim waiting in a case pending', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'dormant', '2026-11-20')));
    expect(claimOf('C1')).toMatchObject({ status: 'pending', protectedUntil: null });
  });

  it('a party already in the running case is told to leave its second row out, not to import it as pending (which is refused too)', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-10')));
    importClaims(file(row('C1', 'soylent', 'contoso', 'proposal', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(refusal(file(row('N2', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-25')))).toContain(`line 2: status: dispute #${d.id} is deciding soylent (Analytics); northwind has a claim in it already; leave this one out, or import it as rejected or expired`);
  });

  it('in an approval case too: the claim stays pending until the arbitrator approves it', () => {
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const d = rt.store.disputes.all().at(-1)!;
    importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'protected', '2026-11-20')));
    expect(claimOf('C1').status).toBe('pending');
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    approve(rt.deps, as.person(rt, 'pat'), `${d.id}:contoso`);
    expect(claimOf('C1').status).toBe('protected');
  });
});

describe('asking for information on a case an import opened', () => {
  it('nobody of it is in chat: the card offers no Ask, and a question is refused, saying why; nothing is recorded or sent', () => {
    const r = importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const id = r.disputes[0]!;
    const card = caseCard(rt.deps, as.person(rt, 'pat'), String(id));
    const buttons = card.blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => a.label) : []));
    expect(buttons).toEqual(['Approve: Contoso Consulting', 'Reject (with a rationale)']);
    const before = { ledger: ledgerKinds(rt, `dispute:${id}`), outbox: outbox(rt).length };
    const why = `Nobody of dispute #${id} can be asked here: an import opened it, so it has no thread, and none of its parties (Contoso Consulting) filed a claim of it in chat. Ask them directly; you can still rule. Nothing was sent.`;
    expect(() => askForm(rt.deps, as.person(rt, 'pat'), String(id))).toThrow(why);
    expect(() => submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(id), question: 'Which CRM opportunity is this?' })).toThrow(why);
    expect({ ledger: ledgerKinds(rt, `dispute:${id}`), outbox: outbox(rt).length }).toEqual(before);
    // Someone who may not rule is refused as always, learning nothing of the case.
    expect(() => askForm(rt.deps, as.person(rt, 'sam'), String(id))).toThrow(/Only Pat Okafor/);
  });

  it('the arbitrator filing a claim of it for a partner hands it on (recusal): they ask nothing on it, and the one who has it now can ask them', () => {
    const r = importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const id = r.disputes[0]!;
    submitClaim(rt.deps, as.person(rt, 'pat'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '', claimant: 'northwind' }, { origin: null, requestKey: null });
    expect(rt.store.disputes.get(id)).toMatchObject({ arbitrator: 'dana', parties: expect.arrayContaining(['northwind']) });
    expect(() => submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(id), question: 'Which opportunity?' })).toThrow(/^You filed claim #\d+ in dispute #\d+, so you cannot rule on it: Dana Reyes does\.$/);
    expect(askForm(rt.deps, as.person(rt, 'dana'), String(id)).title).toBe(`Ask on dispute #${id}`);
  });

  it('once a party files in chat on it, that party can be asked', () => {
    const r = importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const id = r.disputes[0]!;
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, meta);
    expect(rt.store.disputes.get(id)!.parties).toContain('northwind');
    expect(askForm(rt.deps, as.person(rt, 'pat'), String(id)).title).toBe(`Ask on dispute #${id}`);
  });
});
