/**
 * A Teams form refused: nothing the person typed is lost. A refusal that names a field comes
 * back under it (a duplicate claim, under its product line); one that names none (a dispute
 * already open) comes back above the same form, filled in as sent; a ruling form refused because the case moved on
 * shows the case as it stands, with what was written quoted under the refusal. Whatever was
 * typed, the card sent back stays within what Teams takes, and refusals name commands as they
 * are typed in Teams.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { submitDispute } from '../../../handlers/dispute.js';
import { commandsAsTyped, submitClaim } from '../../../handlers/claim.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { ACTIONS, FORMS } from '../../../handlers/replies/model.js';
import { UnknownAccount } from '../../../src/core/claims/claims.service.js';
import { NothingToDispute } from '../../../src/core/disputes/disputes.service.js';
import { breach } from '../../../src/core/sla/sla.service.js';
import { as } from '../../support/runtime.js';
import { findIn, readCard, executeOf as submitOf } from '../../support/fake-connector.js';
import { installActivity, startTeams, USERS, type TeamsHarness, type TeamsUser } from '../../support/teams-harness.js';

const V = TEAMS_IDS;
let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

/** A form card's inputs, by field id. */
const inputs = (card: unknown) => new Map(findIn(card, (o) => typeof o.type === 'string' && o.type.startsWith('Input.') && typeof o.id === 'string').map((o) => [o.id as string, o]));
/** The coloured lines of a card: the refusal above a form (Warning, as every refusal), and the problems under its fields (Attention). */
const attention = (card: unknown) => findIn(card, (o) => o.type === 'TextBlock' && (o.color === 'Attention' || o.color === 'Warning')).map((o) => String(o.text));
/** What a form card shows right under the input `id`. */
const under = (card: unknown, id: string) => {
  const body = findIn(card, (o) => Array.isArray(o.body) && (o.body as Record<string, unknown>[]).some((e) => e.id === id))[0]?.body as Record<string, unknown>[] | undefined;
  return body?.[body.findIndex((e) => e.id === id) + 1];
};
/** Types a command in the 1:1 chat, then submits the form it gave with `values`. */
async function submitTyped(u: TeamsUser, typed: string, verb: string, values: Record<string, string>) {
  const s = submitOf(await h.say(u, typed), verb);
  return h.click(u, s.verb, { ...s.data, ...values });
}
const ledgerCount = () => [...h.rt.store.ledger.entries()].length;
const soylentClaim = { account: 'Soylent Corp', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', amount: '25000', evidence: '' };

/** Northwind and Contoso both claim Soylent (Analytics): the case goes to Pat, and stays open. */
async function openCase() {
  await h.post(installActivity(USERS.pat, { kind: 'personal' }, h.connector.url));
  await h.post(installActivity(USERS.dana, { kind: 'personal' }, h.connector.url));
  await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'proposal' });
  await submitTyped(USERS.contoso, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'qualified' });
  await h.drain();
  const d = h.rt.store.disputes.all().at(-1)!;
  expect(d.status).toBe('open');
  return d;
}

describe('a form refused for a reason that names no field, or a claim already filed', () => {
  it('a dispute refused because one is already open comes back filled in as sent, the reason above the fields and no field marked', async () => {
    const d = await openCase();
    const reason = 'Our account team has run workshops with Soylent since March; the CIO asked us to lead the rollout.';
    const evidence = 'Workshop notes 2026-03-14, 2026-04-02; email from the CIO of 2026-05-01.';
    const before = ledgerCount();
    const answer = await submitTyped(USERS.contoso, 'dispute soylent', V.submits[FORMS.dispute], { account: 'Soylent Corp', product: 'Analytics', against: '', reason, evidence });
    expect(attention(answer)).toEqual([expect.stringMatching(new RegExp(`^⚠️ Dispute #${d.id} is already open on Soylent Corp`))]);
    const fields = inputs(answer);
    expect(fields.get('reason')?.value).toBe(reason);
    expect(fields.get('evidence')?.value).toBe(evidence);
    expect(fields.get('product')?.value).toBe('Analytics');
    expect(submitOf(answer, V.submits[FORMS.dispute]).data).toMatchObject({ instance: expect.any(String) });
    expect(ledgerCount()).toBe(before);
  });

  it('a claim refused as a duplicate comes back filled in as sent, so another product line can be chosen and sent from the same card', async () => {
    const evidence = 'Discovery call notes, 3 pages';
    const form = await h.say(USERS.northwind, 'claim acme');
    const s = submitOf(form, V.submits[FORMS.claim]);
    const typed = { account: 'Acme Corporation', route: 'resell', product: 'Analytics', opportunity: 'Acme phase 2', stage: 'qualified', amount: '10000', evidence };
    const answer = await h.click(USERS.northwind, s.verb, { ...s.data, ...typed });
    expect(attention(answer)).toEqual([expect.stringMatching(/^There is already a live claim #\d+ for this party on Acme Corporation \(Analytics\)/)]);
    // Said once, under the product line: the field to change to file on another line.
    expect(under(answer, 'product')).toMatchObject({ type: 'TextBlock', color: 'Attention', text: attention(answer)[0] });
    const fields = inputs(answer);
    expect(fields.get('opportunity')?.value).toBe('Acme phase 2');
    expect(fields.get('evidence')?.value).toBe(evidence);
    // Sent again from the card it came back as, on another line, it files.
    const again = submitOf(answer, V.submits[FORMS.claim]);
    const other = h.rt.deps.ctx.policies().inForceAt(h.rt.clock.now()).policy.product_lines.find((p) => p !== 'Analytics')!;
    expect(readCard(await h.click(USERS.northwind, again.verb, { ...again.data, ...typed, product: other }))).toMatch(/Claim #\d+ on Acme Corporation/);
  });

  it('a failure that is no refusal still reaches the turn’s error handler: an apology, not the form', async () => {
    vi.spyOn(h.rt.store.claims, 'insert').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const answer = await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'proposal' });
    expect(readCard(answer)).toMatch(/^⛔ Sorry, something went wrong on our side/);
    expect(inputs(answer).size).toBe(0);
  });
});

describe('a failure that is no refusal', () => {
  it('is an apology that says what to do, as Slack’s does: try again in a moment', async () => {
    vi.spyOn(h.rt.store.claims, 'insert').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const answer = await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'proposal' });
    expect(readCard(answer)).toBe('⛔ Sorry, something went wrong on our side. It has been logged; please try again in a moment.\nNothing was changed.');
  });
});

describe("route direct on a partner's claim", () => {
  const routes = (card: unknown) => (inputs(card).get('route')?.choices as { value: string }[]).map((c) => c.value);

  it("a partner's user is not offered route direct; a colleague, who may claim for the direct team, is", async () => {
    expect(routes(await h.say(USERS.northwind, 'claim soylent'))).toEqual(['resell', 'referral', 'co-sell', 'marketplace']);
    expect(routes(await h.say(USERS.sam, 'claim soylent'))).toEqual(['resell', 'referral', 'co-sell', 'marketplace', 'direct']);
  });

  it.each([
    ["a partner's user sending route direct all the same", 'northwind', {}],
    ['a colleague claiming for a partner by route direct', 'sam', { claimant: 'contoso' }],
  ] as const)('%s: the form comes back filled in as sent, the refusal under the route; nothing is filed', async (_case, user, over) => {
    const before = ledgerCount();
    const answer = await submitTyped(USERS[user], 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'proposal', route: 'direct', ...over });
    const refused = "Route direct is for the direct team's own deals: a partner's claim goes to market by resell, referral, co-sell or marketplace.";
    expect(attention(answer)).toEqual(['⚠️ Please fix what is marked below (one field).', refused]);
    expect(under(answer, 'route')).toMatchObject({ type: 'TextBlock', color: 'Attention', text: refused });
    expect(inputs(answer).get('opportunity')?.value).toBe('Soylent rollout');
    expect(ledgerCount()).toBe(before);
    expect(h.rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(0);
  });
});

describe('a ruling form submitted after the case moved on', () => {
  it('the award form, after someone above in the chain ruled: the case as it stands with the refusal, and the rationale Pat wrote quoted under it', async () => {
    const d = await openCase();
    const submit = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) }), V.submits[FORMS.award]);
    // Meanwhile Dana (next in the escalation chain) approves the recommendation.
    expect(readCard(await h.click(USERS.dana, V.actions[ACTIONS.approve], { value: `${d.id}:northwind` }))).toMatch(/Northwind Partners owns it/);
    const before = ledgerCount();
    const rationale = 'Contoso ran the discovery workshops in March and brought the CIO to our briefing center; Northwind only joined at proposal.';
    const answer = await h.click(USERS.pat, submit.verb, { ...submit.data, party: 'party:contoso', rationale });
    const text = readCard(answer);
    expect(text).toMatch(new RegExp(`^Dispute #${d.id}: Soylent Corp\n\u26A0\uFE0F Dispute #${d.id} was already ruled by Dana Reyes on .*\nNothing was changed\\.\nWhat you wrote\n${rationale}\n`));
    // The case as it stands: ruled, without ruling buttons, refreshing for Pat.
    expect(text).toMatch(/Ruled by Dana Reyes on .*: Northwind Partners owns it\./);
    expect(findIn(answer, (o) => o.type === 'Action.Execute')).toEqual([]);
    expect(answer.refresh).toMatchObject({ action: { verb: V.refresh.disputeCase, data: { value: String(d.id) } }, userIds: [USERS.pat.id] });
    expect(ledgerCount()).toBe(before);
  });

  it('the ask form, after the case escalated past the arbitrator: the case as it stands with the refusal, and the question quoted, clipped', async () => {
    const d = await openCase();
    const submit = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) }), V.submits[FORMS.ask]);
    h.rt.store.transaction(() => breach(h.rt.ctx, d.id, { level: 0 }, h.rt.clock.now()));
    expect(h.rt.store.disputes.get(d.id)!.arbitrator).toBe('dana');
    const question = `Who met the CIO first? ${'Please send the meeting notes. '.repeat(300)}`;
    const answer = await h.click(USERS.pat, submit.verb, { ...submit.data, question });
    const text = readCard(answer);
    expect(text).toMatch(new RegExp(`Only Dana Reyes .* can rule on dispute #${d.id}\\.\nNothing was changed\\.\nWhat you wrote\nWho met the CIO first\\? Please send`));
    expect(text).toMatch(/The first \d+ of \d+ characters\./);
    expect(JSON.stringify(answer).length).toBeLessThan(40_000);
  });

  it('the award form, after another claim joined the case: the form again, listing the newcomer, the refusal above it and the rationale kept; nothing ruled', async () => {
    const d = await openCase();
    const submit = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) }), V.submits[FORMS.award]);
    // Fabrikam files on the same line meanwhile: its claim joins the case.
    submitClaim(h.rt.deps, as.partner(h.rt, 'fabrikam'), { ...soylentClaim, account: 'soylent', stage: 'commit' }, { origin: null, requestKey: null });
    const joined = h.rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'fabrikam')!;
    const before = ledgerCount();
    const rationale = 'Northwind ran the discovery workshops in March.';
    const answer = await h.click(USERS.pat, submit.verb, { ...submit.data, party: 'party:northwind', rationale });
    expect(attention(answer)[0]).toMatch(new RegExp(`^⚠️ Claim #${joined.id} \\(Fabrikam Systems\\) joined dispute #${d.id} since this form was opened\\. Nothing was ruled`));
    expect((inputs(answer).get('party')?.choices as { title: string }[]).map((c) => c.title)).toEqual(['Contoso Consulting', 'Northwind Partners', 'Fabrikam Systems', 'Nobody: reject the claims']);
    expect(inputs(answer).get('rationale')?.value).toBe(rationale);
    expect(ledgerCount()).toBe(before);
    expect(h.rt.store.claims.get(joined.id)!.status).toBe('pending');
    // Sent again from the card it came back as, it rules.
    const again = submitOf(answer, V.submits[FORMS.award]);
    expect(readCard(await h.click(USERS.pat, again.verb, { ...again.data, party: 'party:northwind', rationale }))).toMatch(/Northwind Partners owns it/);
    expect(h.rt.store.claims.get(joined.id)!.status).toBe('rejected');
  });

  it('other refusals of the award form keep the form, with what was typed', async () => {
    const d = await openCase();
    const submit = submitOf(await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) }), V.submits[FORMS.award]);
    const answer = await h.click(USERS.pat, submit.verb, { ...submit.data, party: 'party:contoso', rationale: 'Too short' });
    expect(readCard(answer)).toContain('Explain the ruling (at least 10 characters)');
    expect(inputs(answer).get('rationale')?.value).toBe('Too short');
  });
});

describe('an amount written with a decimal comma', () => {
  it('comes back marked under the amount, saying how to write it, with no number read from it in the input; nothing is filed', async () => {
    const before = ledgerCount();
    const answer = await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'qualified', amount: '50.000,00' });
    expect(attention(answer)).toEqual(['⚠️ Please fix what is marked below (one field).', 'A comma may only separate thousands, in groups of three (1,000,000.50): write decimals with a point, e.g. 12.50 or 50000.00']);
    // Shown as 50 (or 5000000), it would be sent back as that number.
    expect(inputs(answer).get('amount')).toMatchObject({ type: 'Input.Number' });
    expect(inputs(answer).get('amount')).not.toHaveProperty('value');
    expect(inputs(answer).get('opportunity')?.value).toBe('Soylent rollout');
    expect(ledgerCount()).toBe(before);
    expect(h.rt.store.claims.forAccount('soylent')).toHaveLength(0);
  });

  it('an amount grouped by commas comes back as the number it reads, when another field is refused', async () => {
    const answer = await submitTyped(USERS.northwind, 'claim soylent', V.submits[FORMS.claim], { ...soylentClaim, stage: 'dreaming', amount: '1,000,000.50' });
    expect(inputs(answer).get('amount')?.value).toBe(1000000.5);
  });
});

describe('a refused form stays within what Teams takes', () => {
  it('every text field of every form has a length limit on the card', async () => {
    const d = await openCase();
    const forms = [
      await h.say(USERS.sam, 'claim acme'),
      await h.say(USERS.northwind, 'claim acme'),
      await h.say(USERS.contoso, 'dispute acme'),
      await h.click(USERS.pat, V.actions[ACTIONS.award], { value: String(d.id) }),
      await h.click(USERS.pat, V.actions[ACTIONS.ask], { value: String(d.id) }),
    ];
    for (const form of forms) {
      const texts = findIn(form, (o) => o.type === 'Input.Text');
      expect(texts.length).toBeGreaterThan(0);
      for (const t of texts) expect(t.maxLength, `${String(t.id)} on ${readCard(form).split('\n')[0]}`).toEqual(expect.any(Number));
    }
    expect(inputs(forms[2]).get('against')?.maxLength).toBeLessThanOrEqual(20);
  });

  it('text pasted into "Claim disputed (number)" comes back cut to the field’s limit, in a card Teams can show', async () => {
    const pasted = 'Northwind claimed this in the CRM export of last week, see the attached lines. '.repeat(800); // ~64,000 characters
    const answer = await submitTyped(USERS.contoso, 'dispute acme', V.submits[FORMS.dispute], { account: 'Acme Corporation', product: 'Analytics', against: pasted, reason: 'We met the CIO first', evidence: '' });
    expect(readCard(answer)).toContain('A claim number, e.g. 12');
    const against = inputs(answer).get('against')!;
    expect(String(against.value).length).toBeLessThanOrEqual(against.maxLength as number);
    expect(String(against.value)).toMatch(/^Northwind claimed/);
    // Teams refuses an activity above ~100 KB of UTF-16 (older clients 40 KB).
    expect(JSON.stringify(answer).length * 2).toBeLessThan(40 * 1024);
  });

  it('every field echoed back is cut to its limit, whatever a client sends', async () => {
    const huge = 'x'.repeat(50_000);
    const values = { account: huge, route: huge, product: huge, opportunity: huge, stage: huge, amount: huge, evidence: huge };
    const s = submitOf(await h.say(USERS.sam, 'claim'), V.submits[FORMS.claim]);
    // The account's name and id a filled-in form carries on its button, forged as long as the rest.
    const answer = await h.click(USERS.sam, s.verb, { ...s.data, ...values, [V.data.prefill]: { account: { label: huge, value: huge } } });
    expect(readCard(answer)).toMatch(/Please fix/);
    for (const [id, input] of inputs(answer)) {
      if (typeof input.value === 'string') expect(input.value.length, id).toBeLessThanOrEqual(3_000);
    }
    expect(JSON.stringify(answer).length * 2).toBeLessThan(40 * 1024);
  });
});

describe('an account typed that matches one account only in part', () => {
  it('the form says how to pick it in Teams, where the field is typed, not "pick it from the list", and the full name then files the claim', async () => {
    h.rt.store.accounts.upsert({ id: 'usaa', name: 'United Services Automobile Association', aliases: ['USAA'], domains: ['usaa.com'], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    h.rt.reindex();
    const form = await h.say(USERS.contoso, 'claim acme usa');
    expect(readCard(form)).toContain('No account matches "acme usa" in full. Did you mean United Services Automobile Association?');
    expect(readCard(form)).not.toMatch(/from the list/);
    const s = submitOf(form, V.submits[FORMS.claim]);
    const refused = await h.click(USERS.contoso, s.verb, { ...s.data, ...soylentClaim, account: 'acme usa', stage: 'qualified' });
    expect(attention(refused).join('\n')).toContain('Did you mean United Services Automobile Association?');
    expect(readCard(refused)).not.toMatch(/from the list/);
    expect(inputs(refused).get('account')?.value).toBe('acme usa');
    const again = submitOf(refused, V.submits[FORMS.claim]);
    expect(readCard(await h.click(USERS.contoso, again.verb, { ...again.data, ...soylentClaim, account: 'United Services Automobile Association', stage: 'qualified' }))).toMatch(/Claim #\d+ on United Services Automobile Association \(Analytics\) is protected/);
  });
});

describe('an account typed with the command that names no single account', () => {
  it('`claim zzqx`: the form says no account matches, and its Account field holds what was typed (no account id beside it); sent unchanged, it is refused under the field, still filled in', async () => {
    const form = await h.say(USERS.contoso, 'claim zzqx');
    expect(readCard(form)).toContain('No account matches "zzqx"');
    expect(inputs(form).get('account')?.value).toBe('zzqx');
    const s = submitOf(form, V.submits[FORMS.claim]);
    expect(s.data[V.data.prefill]).toBeUndefined();
    const before = ledgerCount();
    const refused = await h.click(USERS.contoso, s.verb, { ...s.data, ...soylentClaim, account: 'zzqx', stage: 'qualified' });
    expect(String(under(refused, 'account')?.text)).toContain('No account matches "zzqx"');
    expect(inputs(refused).get('account')?.value).toBe('zzqx');
    expect(ledgerCount()).toBe(before);
  });

  it.each([
    ['claim', 'Register a deal'],
    ['dispute', 'Dispute ownership'],
  ])('`%s acm` (several accounts match): the form asks for more of the name, with "acm" in its Account field', async (command, title) => {
    const form = await h.say(USERS.contoso, `${command} acm`);
    expect(readCard(form)).toContain(title);
    expect(readCard(form)).toMatch(/"acm" matches several accounts: .*Give more of the name, or the web domain\./);
    expect(inputs(form).get('account')?.value).toBe('acm');
  });

  it('two accounts of the same name and no web domain: the form tells them apart by region, and the one typed as the form shows it is the one claimed', async () => {
    for (const [id, region] of [['zephyr-emea', 'EMEA'], ['zephyr-na', 'NA']] as const) {
      h.rt.store.accounts.upsert({ id, name: 'Zephyr Labs', aliases: [], domains: [], segment: null, region, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    }
    h.rt.reindex();
    const form = await h.say(USERS.rep, 'claim zephyr');
    expect(readCard(form)).toContain('"zephyr" matches several accounts: Zephyr Labs (EMEA), Zephyr Labs (NA).');
    const s = submitOf(form, V.submits[FORMS.claim]);
    // The name alone still names neither.
    const refused = await h.click(USERS.rep, s.verb, { ...s.data, ...soylentClaim, account: 'Zephyr Labs', claimant: 'direct', route: 'direct', stage: 'qualified' });
    expect(String(under(refused, 'account')?.text)).toContain('Several accounts match: Zephyr Labs (EMEA), Zephyr Labs (NA)');
    const again = submitOf(refused, V.submits[FORMS.claim]);
    const done = await h.click(USERS.rep, again.verb, { ...again.data, ...soylentClaim, account: 'zephyr labs (na)', claimant: 'direct', route: 'direct', stage: 'qualified' });
    expect(readCard(done)).toMatch(/Claim #\d+ on Zephyr Labs \(Analytics\) is protected/);
    expect(h.rt.store.claims.all().at(-1)).toMatchObject({ accountId: 'zephyr-na', claimant: 'direct' });
  });

  it('`claim acme` still fills in the account found: its name shown, its id carried beside it', async () => {
    const form = await h.say(USERS.contoso, 'claim acme');
    expect(inputs(form).get('account')?.value).toBe('Acme Corporation');
    expect(submitOf(form, V.submits[FORMS.claim]).data[V.data.prefill]).toEqual({ account: { label: 'Acme Corporation', value: 'acme' } });
  });
});

describe('refusals name commands as they are typed where they are read', () => {
  it('in Teams, a dispute on an account nobody else holds says to file a claim with `claim`, not Slack’s `/claim`', async () => {
    const answer = await submitTyped(USERS.sam, 'dispute hooli', V.submits[FORMS.dispute], { account: 'Hooli', product: 'Analytics', against: '', reason: 'Nobody should own it yet', evidence: '' });
    const text = readCard(answer);
    expect(text).toMatch(/Nothing to dispute: no other party holds Hooli \(Analytics\)\. File a claim with claim instead\./);
    expect(text).not.toMatch(/\/claim\b/);
  });

  it('in Teams, a dispute on a line the raiser’s own party holds says it is theirs, naming their claim, and sends them to file no claim', async () => {
    // Initech (Core Platform) is Contoso's (the demo claim), and nobody else's.
    const own = h.rt.store.claims.forAccount('initech').find((c) => c.claimant === 'contoso')!;
    const answer = await submitTyped(USERS.contoso, 'dispute initech', V.submits[FORMS.dispute], { account: 'Initech LLC', product: 'Core Platform', against: '', reason: 'We have worked Initech for a year', evidence: '' });
    expect(attention(answer)).toEqual([`⚠️ Nothing to dispute: Initech LLC (Core Platform) is already yours (claim #${own.id}), and no other party holds it.`, `Already yours for Core Platform (claim #${own.id}): nothing to dispute`]);
    expect(readCard(answer)).not.toMatch(/File a claim/);
    expect(h.rt.store.disputes.all()).toHaveLength(0);
  });

  it('in Slack and the console the same refusal names `/claim`', () => {
    let refusal: unknown;
    try {
      submitDispute(h.rt.deps, as.person(h.rt, 'sam'), { account: 'Hooli', product: 'Analytics', reason: 'Nobody should own it yet' }, { origin: null, requestKey: null });
    } catch (e) {
      refusal = e;
    }
    expect((refusal as Error).message).toMatch(/File a claim with \/claim instead\.$/);
  });

  it('an account id the store does not know: looked up with `who-owns` in Teams, `/who-owns` elsewhere; other errors pass unchanged', () => {
    const teams = { userKey: 'teams:29:sam' };
    const slack = { userKey: 'slack:T1:U1' };
    const thrown = (viewer: { userKey: string }, e: Error) => {
      try {
        commandsAsTyped(viewer, () => {
          throw e;
        });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('nothing thrown');
    };
    expect(thrown(teams, new UnknownAccount('acme-x')).message).toBe('No account with id "acme-x". Use who-owns to find it.');
    expect(thrown(slack, new UnknownAccount('acme-x')).message).toBe('No account with id "acme-x". Use /who-owns to find it.');
    expect(thrown(slack, new UnknownAccount('acme-x'))).toMatchObject({ code: 'not_found', fields: { account: 'Pick an account from the list' } });
    expect(thrown(slack, new NothingToDispute('Acme', 'Analytics')).message).toBe('Nothing to dispute: no other party holds Acme (Analytics). File a claim with /claim instead.');
    const other = new Error('boom');
    expect(thrown(teams, other)).toBe(other);
    expect(commandsAsTyped(teams, () => 42)).toBe(42);
  });
});
