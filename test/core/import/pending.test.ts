import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { announce } from '../../../handlers/notify.js';
import { approve } from '../../../handlers/rule.js';
import { whoOwns } from '../../../handlers/who-owns.js';
import { importCsv, ImportError } from '../../../src/core/import/import.service.js';
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
    expect(d).toMatchObject({ status: 'open', accountId: 'soylent', productLine: 'Analytics', claimIds: [claim.id], parties: ['contoso'], arbitrator: 'pat', raisedBy: 'import' });
    expect(timersOf(`dispute:${d.id}`)).toEqual(['sla.breach', 'sla.reminder', 'sla.reminder']);
    expect(outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`)).toEqual([expect.stringMatching(new RegExp(`"user":"U0PAT".*Dispute #${d.id} on Soylent Corp \\(Analytics\\): yours to rule by`))]);
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
    expect(outbox(rt).slice(before).some((m) => m.target.includes('U0PAT') && m.summary.startsWith(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule`))).toBe(true);
    expect(ledgerKinds(rt, `dispute:${d.id}`)).toEqual(['dispute.opened', 'dispute.assigned']);
  });

  it('over an overlap the criteria settle at once: the case closes as it opens, as for a filed claim', () => {
    importClaims(file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20')));
    // Same stage, registered first: first-registration gives the line to the imported claim.
    const r = importClaims(file(row('C1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-10')));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'settled', winner: 'contoso', ruledBy: 'criteria' });
    expect(r.disputes).toEqual([d.id]);
    expect([claimOf('C1').status, claimOf('N1').status]).toEqual(['protected', 'rejected']);
    // The criteria deciding is no activity of the claim's: it keeps the file's.
    expect(claimOf('C1').lastActivityAt).toEqual(new Date('2026-11-10T05:00:00Z'));
    expect(r.events.map((e) => e.type)).toEqual(['dispute.opened', 'claim.rejected', 'claim.protected', 'dispute.settled']);
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
    expect(d).toMatchObject({ status: 'open', claimIds: [claimOf('B1').id, claimOf('A1').id], recommendation: 'fabrikam' });
    expect(rt.store.disputes.all().filter((x) => x.accountId === 'soylent')).toHaveLength(1);
  });

  it('a pending claim already in an open case is left there: importing the file again opens nothing and tells nobody', () => {
    importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    const disputes = rt.store.disputes.all().length;
    const sent = outbox(rt).length;
    expect(importClaims(file(row('P1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')))).toMatchObject({ updated: 1, inCases: 0, disputes: [], events: [] });
    expect(rt.store.disputes.all()).toHaveLength(disputes);
    expect(outbox(rt)).toHaveLength(sent);
  });

  it('a pending claim in no case (imported before imports opened cases) is put in one when the file is imported again', () => {
    rt.store.transaction(() =>
      rt.store.claims.insert({ accountId: 'soylent', claimant: 'contoso', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage: 'qualified', amount: null }, evidence: '', status: 'pending', registeredAt: new Date('2026-11-20T05:00:00Z'), lastActivityAt: new Date('2026-11-20T05:00:00Z'), protectedUntil: null, policyVersion: '2026.1', createdBy: 'import', contested: false, violation: false, requestKey: 'import:L1' }),
    );
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
    const r = importClaims(file(row('L1', 'soylent', 'contoso', 'qualified', 'pending', '2026-11-20')));
    expect(r).toMatchObject({ updated: 1, inCases: 1 });
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

describe('CSV import: the ledger records the claim as stored', () => {
  it('a claim a ruling rejected stays rejected on re-import, and the ledger says rejected, not the file’s protected', () => {
    const text = file(row('N1', 'soylent', 'northwind', 'qualified', 'protected', '2026-11-20'));
    importCsv(rt.ctx, 'claims', 'claims.csv', text);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'negotiation', amount: '', evidence: '' }, meta);
    approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id); // furthest-stage: Contoso
    const n1 = claimOf('N1');
    expect(n1.status).toBe('rejected');
    importCsv(rt.ctx, 'claims', 'claims.csv', text);
    expect(claimOf('N1').status).toBe('rejected');
    const entries = [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${n1.id}` && e.kind.startsWith('claim.import'));
    expect(entries.map((e) => [e.kind, (e.payload as { status?: string }).status])).toEqual([
      ['claim.imported', 'protected'],
      ['claim.import_updated', 'rejected'],
    ]);
  });
});
