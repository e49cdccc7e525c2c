/**
 * An account the CRM still gives a partner taken out of the programme (roe partner close) as its
 * incumbent or named owner, not imported again without it yet: the line does not go to that
 * partner. /who-owns says it left and gives the account as the criteria then find it; a new claim
 * does not collide with it (nor lose to it), and a dispute cannot be raised against it.
 * Globex's incumbent is Fabrikam (examples/accounts.csv); Stark's named owner is Northwind.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import type { Reply } from '../../handlers/replies/model.js';
import { whoOwns } from '../../handlers/who-owns.js';
import { closePartner } from '../../src/core/claims/close-partner.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { consoleOrigin } from '../support/cases.js';
import { catchErr, facts } from '../support/replies.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { statementsRun } from '../support/statements.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const meta = { origin: consoleOrigin, requestKey: null };
const deal = (account: string, over: Record<string, string> = {}) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over });
/** The criteria as the company's people read them in the answer: title → explanation. */
const criteria = (r: Reply) => Object.fromEntries(r.blocks.flatMap((b) => (b.type === 'list' && b.title === 'Criteria' ? b.items.map((i) => [i.text, i.detail]) : [])));

describe('a partner out of the programme that an account still names', () => {
  it('before it leaves, Globex is its incumbent’s (the case as it stood)', () => {
    expect(facts(whoOwns(rt.deps, as.person(rt, 'sam'), 'globex')).Owner).toBe('Fabrikam Systems (Incumbent partner)');
  });

  it('/who-owns: to a sales rep, nobody owns the account, and the criteria say its incumbent left; a partner reads nothing of it', () => {
    closePartner(rt.ctx, 'fabrikam');
    const sam = whoOwns(rt.deps, as.person(rt, 'sam'), 'globex');
    expect(facts(sam).Owner).toBe('Nobody: open to registration');
    expect(criteria(sam)['Incumbent partner: does not decide']).toBe('Fabrikam Systems is recorded as the incumbent partner of this customer, but left the partner programme: the account has no incumbent partner.');
    const carl = whoOwns(rt.deps, as.partner(rt, 'contoso'), 'globex');
    expect(facts(carl).Owner).toBe('Nobody: open to registration');
    expect(JSON.stringify(carl)).not.toMatch(/Fabrikam|left the partner programme/);
  });

  it('a new claim on it, a partner’s or one the company’s people file for a partner, is protected at once: no case, nothing given to the partner that left', () => {
    closePartner(rt.ctx, 'fabrikam');
    const reply = submitClaim(rt.deps, as.partner(rt, 'contoso'), deal('globex'), meta);
    expect(rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'contoso', status: 'protected' });
    expect(JSON.stringify(reply)).not.toMatch(/Fabrikam|another party|rejected/);
    submitClaim(rt.deps, as.person(rt, 'sam'), deal('globex', { product: 'Services', claimant: 'northwind' }), meta);
    expect(rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'northwind', status: 'protected' });
    expect(rt.store.disputes.all()).toEqual([]);
    expect(facts(whoOwns(rt.deps, as.person(rt, 'sam'), 'globex'))).toMatchObject({ 'Owner (Analytics)': 'Contoso Consulting (First registration)', 'Owner (Services)': 'Northwind Partners (First registration)' });
  });

  it('a claims file’s pending claim on it collides with nothing: its case only approves it', () => {
    closePartner(rt.ctx, 'fabrikam');
    importCsv(rt.ctx, 'claims', 'claims.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-1,globex,contoso,resell,Analytics,Globex deal,qualified,,,pending,2026-11-29,2026-11-29\n');
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: ['contoso'] });
    expect(d.reason).toContain('Nobody else holds the account: the claim needs an approval.');
  });

  it('a named owner out of the programme is none either', () => {
    closePartner(rt.ctx, 'northwind');
    expect(facts(whoOwns(rt.deps, as.person(rt, 'sam'), 'stark')).Owner).toBe('Nobody: open to registration');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), deal('stark'), meta);
    expect(rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'contoso', status: 'protected' });
    expect(rt.store.disputes.all()).toEqual([]);
  });

  it('a dispute raised against it alone finds nobody to dispute', () => {
    closePartner(rt.ctx, 'fabrikam');
    const refused = catchErr(() => submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.', evidence: '' }, meta));
    expect(refused.message).toBe('Nothing to dispute: no other party holds Globex Inc. (Analytics). File a claim with /claim instead.');
    expect(rt.store.disputes.all()).toEqual([]);
  });

  it('the who-owns answer costs no statement more: the partners out of the programme come from the partners it reads for names', () => {
    const answer = () => statementsRun(rt.db.sqlite, () => whoOwns(rt.deps, as.person(rt, 'sam'), 'globex')).statements.length;
    answer();
    const before = answer();
    closePartner(rt.ctx, 'fabrikam');
    answer();
    expect(answer()).toBe(before);
  });

  it('the claim costs no statement more: the partners out of the programme come from the partners already read', () => {
    // A claim on an account with no incumbent, before and after a partner left: as many statements.
    // Contoso's user known already (their first claim records them), and the partners table read
    // (and cached) before each, as a running bot has it.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), deal('acme'), meta);
    rt.store.partners.all();
    const before = statementsRun(rt.db.sqlite, () => submitClaim(rt.deps, as.partner(rt, 'contoso'), deal('wayne'), meta)).statements.length;
    closePartner(rt.ctx, 'fabrikam');
    rt.store.partners.all();
    const after = statementsRun(rt.db.sqlite, () => submitClaim(rt.deps, as.partner(rt, 'contoso'), deal('soylent'), meta)).statements.length;
    expect(after).toBe(before);
  });
});
