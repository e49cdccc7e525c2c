import { afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { awardForm, NOBODY, submitAward } from '../../handlers/rule.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { tick } from '../../src/app/scheduler.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
afterEach(() => rt?.close());
const meta = { origin: consoleOrigin, requestKey: null };

describe('the award form and a claim that lapsed by the clock', () => {
  /** Contoso files on Acme (Analytics) further along than Northwind's protected CRM claim: Pat rules. */
  function openCase() {
    rt = testRuntime({ at: '2026-11-30T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'acme', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'negotiation', amount: '', evidence: '' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'contoso' });
    expect(d.parties).toContain('northwind');
    const northwind = rt.store.claims.forAccount('acme').find((c) => c.claimant === 'northwind')!;
    expect(northwind.status).toBe('protected');
    return { d, northwind };
  }
  const choices = (d: { id: number }, who = 'pat') => awardForm(rt.deps, as.person(rt, who), String(d.id)).fields[0]!.options!.map((o) => o.label);

  it('a party whose only claim expired while the case waited is neither listed nor awarded, whether or not its expiry timer has fired yet', () => {
    const { d, northwind } = openCase();
    // Past the end of Northwind's protection; the scheduler has not run (the bot was down).
    rt.clock.set(new Date(northwind.protectedUntil!.getTime() + 86_400_000).toISOString());
    expect(rt.store.claims.get(northwind.id)!.status).toBe('protected');
    const form = awardForm(rt.deps, as.person(rt, 'pat'), String(d.id));
    expect(choices(d)).toEqual(['Contoso Consulting', 'Nobody: reject the claims']);
    expect(() => submitAward(rt.deps, as.person(rt, 'pat'), { ...form.state, party: 'party:northwind', rationale: 'Northwind worked Acme for a year.' })).toThrow(/no longer holds a claim/);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // Once the timer fired, the same is refused as it is above.
    for (let i = 0; i < 10 && rt.store.claims.get(northwind.id)!.status !== 'expired'; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.claims.get(northwind.id)!.status).toBe('expired');
    // (The case escalated meanwhile: the top of the chain rules.)
    expect(choices(d, 'vp')).toEqual(['Contoso Consulting', 'Nobody: reject the claims']);
  });

  it('a party whose claim went dormant by the clock (still stored protected) is listed and may be awarded, as one stored dormant is', () => {
    const { d, northwind } = openCase();
    // Dormant by the clock (no activity for 30 days), its protection not over.
    rt.clock.set(new Date(northwind.lastActivityAt.getTime() + 31 * 86_400_000).toISOString());
    expect(rt.store.claims.get(northwind.id)!.status).toBe('protected');
    expect(choices(d)).toEqual(['Contoso Consulting', 'Northwind Partners', 'Nobody: reject the claims']);
    const form = awardForm(rt.deps, as.person(rt, 'pat'), String(d.id));
    submitAward(rt.deps, as.person(rt, 'pat'), { ...form.state, party: 'party:northwind', rationale: 'Northwind worked Acme for a year.' });
    expect(rt.store.claims.get(northwind.id)!.status).toBe('protected');
  });
});

describe('the award form and a claim that joined the case since it was opened', () => {
  const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
  const fabrikam = (status: string) => `${header}\nX9,soylent,fabrikam,resell,Analytics,Deal,qualified,,,${status},2026-11-29T15:00:00Z,\n`;

  it('one that closed again before the ruling changes nothing the ruling does: the ruling is made', () => {
    rt = testRuntime({ at: '2026-11-30T15:00:00Z' });
    const d = openArbitratedCase(rt);
    const form = awardForm(rt.deps, as.person(rt, 'pat'), String(d.id));
    // Fabrikam's CRM registration joins the case, then the CRM closes it (the deal was lost).
    importCsv(rt.ctx, 'claims', 'c.csv', fabrikam('pending'));
    const joined = rt.store.claims.byRequestKey('import:X9')!;
    expect(rt.store.disputes.get(d.id)!.claimIds).toContain(joined.id);
    importCsv(rt.ctx, 'claims', 'c.csv', fabrikam('lost'));
    expect(rt.store.claims.get(joined.id)!.status).toBe('lost');
    submitAward(rt.deps, as.person(rt, 'pat'), { ...form.state, party: 'party:northwind', rationale: 'Northwind ran the workshop with the CFO.' });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
    expect(rt.store.claims.get(joined.id)!.status).toBe('lost');
  });

  it('one still live is refused, naming it', () => {
    rt = testRuntime({ at: '2026-11-30T15:00:00Z' });
    const d = openArbitratedCase(rt);
    const form = awardForm(rt.deps, as.person(rt, 'pat'), String(d.id));
    importCsv(rt.ctx, 'claims', 'c.csv', fabrikam('pending'));
    const joined = rt.store.claims.byRequestKey('import:X9')!;
    expect(() => submitAward(rt.deps, as.person(rt, 'pat'), { ...form.state, party: NOBODY, rationale: 'Neither showed the customer a plan.' })).toThrow(new RegExp(`Claim #${joined.id} \\(Fabrikam Systems\\) joined`));
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
  });
});

describe('the award form and a named owner', () => {
  const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
  it('a named owner whose own claim in the case closed is still the recommendation: the form lists it and awards it', () => {
    rt = testRuntime({ at: '2026-11-30T15:00:00Z' });
    // Stark is Northwind's by name. Its CRM claim there is protected; Contoso's, imported pending, goes to the arbitrator.
    const rows = (status: string) => `${header}\nX1,stark,northwind,resell,Analytics,Deal,qualified,,,${status},2026-11-20T15:00:00Z,\nX2,stark,contoso,resell,Analytics,Deal,proposal,,,pending,2026-11-29T15:00:00Z,\n`;
    importCsv(rt.ctx, 'claims', 'c.csv', rows('protected'));
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'northwind' });
    expect(new Set(d.parties)).toEqual(new Set(['contoso', 'northwind']));
    // Northwind's deal there was lost in the CRM: Stark is still Northwind's by name.
    importCsv(rt.ctx, 'claims', 'c.csv', rows('lost'));
    for (let i = 0; i < 3; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const now = rt.store.disputes.get(d.id)!;
    expect(now).toMatchObject({ status: 'open', recommendation: 'northwind' });
    const ruler = now.arbitrator;
    const form = awardForm(rt.deps, as.person(rt, ruler), String(d.id));
    expect(form.fields[0]!.options!.map((o) => o.value)).toContain('party:northwind');
    submitAward(rt.deps, as.person(rt, ruler), { ...form.state, party: 'party:northwind', rationale: 'Stark is Northwind’s named account.' });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
  });
});
