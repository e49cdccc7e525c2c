import { afterEach, beforeEach, expect, it } from 'vitest';
import { claimForm } from '../../handlers/claim.js';
import { disputeForm } from '../../handlers/dispute.js';
import { askForm, awardForm, submitAward } from '../../handlers/rule.js';
import { outcomeText } from '../../handlers/dispute-card.js';
import { submitClaim } from '../../handlers/claim.js';
import type { Form } from '../../handlers/replies/model.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { openArbitratedCase } from '../support/cases.js';
import { importCsv } from '../../src/core/import/import.service.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const meta = { origin: { platform: 'console' as const, channel: 'general', thread: null }, requestKey: null };

// `required: false` is the one place a field is optional: the console prompt appends "(optional)"
// and Slack's input block shows it, so a label that says so too reads "(optional) (optional)".
it('no form label says "optional"; the required flag does', () => {
  const claim = { route: 'resell', product: 'Analytics', opportunity: 'Soylent pilot', amount: '1000', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), { ...claim, account: 'soylent', stage: 'proposal' }, meta);
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claim, account: 'soylent', stage: 'commit' }, meta);
  const d = rt.store.disputes.all().at(-1)!;
  expect(d.status).toBe('open');
  const sam = as.person(rt, 'sam');
  const pat = as.person(rt, d.arbitrator);
  const forms: Form[] = [claimForm(rt.deps, sam), disputeForm(rt.deps, sam, 'acme', 'a link'), awardForm(rt.deps, pat, String(d.id)), askForm(rt.deps, pat, String(d.id))];
  const labels = forms.flatMap((f) => f.fields.map((x) => `${f.id}.${x.id}: ${x.label}`));
  expect(labels.filter((l) => /optional/i.test(l))).toEqual([]);
  expect(disputeForm(rt.deps, sam).fields.find((f) => f.id === 'against')).toMatchObject({ label: 'Claim disputed (number)', required: false, hint: expect.stringContaining('Leave it empty to dispute whoever holds the account') });
});

it('the dispute form’s claim number says what a number does: it is only checked, and the dispute weighs every live claim either way', () => {
  const hint = disputeForm(rt.deps, as.partner(rt, 'contoso'), 'acme').fields.find((f) => f.id === 'against')?.hint;
  expect(hint).toBe('Leave it empty to dispute whoever holds the account for this product line. A number is only checked (it must be another party’s live claim there): the dispute weighs every live claim on the line either way.');
});

it("the award form tells the arbitrator that every party reads the rationale as written (it is shown to them unmasked)", () => {
  const claim = { route: 'resell', product: 'Analytics', opportunity: 'Soylent pilot', amount: '1000', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), { ...claim, account: 'soylent', stage: 'proposal' }, meta);
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claim, account: 'soylent', stage: 'commit' }, meta);
  const d = rt.store.disputes.all().at(-1)!;
  const form = awardForm(rt.deps, as.person(rt, d.arbitrator), String(d.id));
  expect(form.intro).toContain('shown to every party of the case as written: name no partner, deal size or evidence');
  expect(form.fields.find((f) => f.id === 'rationale')).toMatchObject({ hint: 'Every party of the case reads it as written.' });
});

it('the award form of a claim waiting for approval (reached by "Reject") says it approves or rejects, and submits as "Rule", not "Award"', () => {
  const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
  importCsv(rt.ctx, 'claims', 'claims.csv', `${header}\nP1,muller,contoso,resell,Analytics,Deal,qualified,,,pending,2026-11-20,`);
  const approval = rt.store.disputes.all().at(-1)!;
  expect(approval.parties).toEqual(['contoso']);
  const form = awardForm(rt.deps, as.person(rt, approval.arbitrator), String(approval.id));
  expect(form.submitLabel).toBe('Rule');
  // Its one party reads the rationale: the form names the claim, its party and its case.
  expect(form.intro).toMatch(new RegExp(`^Approve or reject claim #${approval.claimIds[0]} of Contoso Consulting \\(case #${approval.id}\\) on Müller Logistik AG \\(Analytics\\): award it to Contoso Consulting to approve, or to Nobody to reject\\. The rationale is shown to Contoso Consulting as written`));
  // Refused (to nobody), the one claim reads as one.
  submitAward(rt.deps, as.person(rt, approval.arbitrator), { dispute: String(approval.id), party: 'none', rationale: 'Not a qualified opportunity yet.' });
  expect(outcomeText(rt.deps, as.person(rt, 'sam'), rt.store.disputes.get(approval.id)!)).toMatch(/no party gets the account; the claim was rejected\.$/);
  // An overlap's form awards, as before.
  const overlap = openArbitratedCase(rt);
  expect(awardForm(rt.deps, as.person(rt, overlap.arbitrator), String(overlap.id))).toMatchObject({ submitLabel: 'Award', intro: expect.stringMatching(/^Award the account to a party\./) });
});

it('the ask form tells the arbitrator that the thread and every party read the question as written', () => {
  const d = openArbitratedCase(rt);
  const form = askForm(rt.deps, as.person(rt, d.arbitrator), String(d.id));
  expect(form.intro).toContain("goes as written to the dispute's thread, which people of several partners may read, and to every party: name no partner, deal size or evidence");
  expect(form.fields.find((f) => f.id === 'question')).toMatchObject({ hint: "The dispute's thread and every party read it as written." });
});
