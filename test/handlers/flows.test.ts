import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { catchErr } from '../support/replies.js';
import { logClaimActivity } from '../../handlers/activity.js';
import { claimForm, claimStatus, submitClaim } from '../../handlers/claim.js';
import { disputeForm, submitDispute } from '../../handlers/dispute.js';
import { approve, askForm, caseCard, submitAsk, submitAward } from '../../handlers/rule.js';
import { answerForm, submitAnswer } from '../../handlers/answer.js';
import { showAccount, whoOwns } from '../../handlers/who-owns.js';
import { roe } from '../../handlers/roe.js';
import { csvText, importCsv } from '../../src/core/import/import.service.js';
import type { Reply } from '../../handlers/replies/model.js';
import type { Principal } from '../../src/core/authz.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { openArbitratedCase } from '../support/cases.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

const origin = { platform: 'console' as const, channel: 'general', thread: null };
const meta = (key: string | null = null) => ({ origin, requestKey: key });
const claimValues = (over: Record<string, string> = {}) => ({ account: 'acme', route: 'resell', product: 'Analytics', opportunity: 'Acme rollout', stage: 'qualified', amount: '25000', evidence: 'Met the CIO', ...over });
/** Everything a person would read in a reply, as one string. */
const read = (r: Reply) => momentsAsText(JSON.stringify(r));
const ledgerCount = (rt: TestRuntime) => [...rt.store.ledger.entries()].length;

/**
 * The dispute-thread posts as the channel gets them. (A post also carries its copy for the
 * raiser, sent to the raiser's DM only when the bot may not post in the channel.)
 */
const threadRows = (rt: TestRuntime) =>
  (rt.db.sqlite.prepare("select body from outbox where target like '%dispute-thread%' order by id").all() as { body: string }[]).map(({ body }) => {
    const { raiserCopy: _copy, ...channel } = JSON.parse(body) as Record<string, unknown>;
    return { body: JSON.stringify(channel) };
  });

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

describe('who-owns', () => {
  it('answers from the demo data with model, owner and why, claims and arbitrator', () => {
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'acme corp');
    const text = read(r);
    expect(r.title).toBe('Acme Corporation');
    expect(text).toContain('Partner-led');
    expect(text).toContain('Northwind Partners (First registration)');
    expect(text).toContain('Pat Okafor');
    expect(text).toMatch(/protected until/);
  });

  it.each([
    ['a zero-width space after it', 'acme.com\u200b'],
    ['a soft hyphen in it', 'acme\u00ad.com'],
    ['direction marks around it', '\u202aacme.com\u202c'],
    ['full-width letters', 'ａｃｍｅ．ｃｏｍ'],
  ])('a web domain pasted with %s is answered as typed plainly', (_, typed) => {
    expect(whoOwns(rt.deps, as.person(rt, 'sam'), typed).title).toBe('Acme Corporation');
  });

  it('accounts imported from a UTF-8 file with a byte order mark, names written decomposed (NFD) and internationalised domains, are found as people type them', () => {
    const file = `\uFEFFid,name,domains\nswm,${'Stadtwerke München'.normalize('NFD')},xn--mnchen-3ya.de\nprimer,Пример Групп,пример.рф|xn--e1afmkfd.xn--80asehdb\nrecruit,株式会社リクルート,recruit.co.jp\n`;
    importCsv(rt.ctx, 'accounts', 'accounts.csv', csvText('accounts.csv', new TextEncoder().encode(file)));
    rt.reindex();
    const sam = as.person(rt, 'sam');
    for (const typed of ['Stadtwerke München', 'stadtwerke munchen', 'münchen.de', 'info@xn--mnchen-3ya.de']) expect(whoOwns(rt.deps, sam, typed).title, typed).toBe('Stadtwerke München'.normalize('NFD'));
    for (const typed of ['пример групп', 'xn--e1afmkfd.xn--p1ai', 'пример.онлайн']) expect(whoOwns(rt.deps, sam, typed).title, typed).toBe('Пример Групп');
    expect(whoOwns(rt.deps, sam, 'リクルート').title).toBe('株式会社リクルート');
  });

  it('ownership is per product line: a claim on another line does not change who holds the first', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'acme', product: 'Core Platform', stage: 'commit' }), meta());
    const text = read(showAccount(rt.deps, as.person(rt, 'sam'), 'acme'));
    expect(text).toContain('Owner (Analytics)');
    expect(text).toContain('Northwind Partners (First registration)');
    expect(text).toContain('Owner (Core Platform)');
    expect(text).toContain('Contoso Consulting (First registration)');
    expect(text).not.toContain('recommendation: an arbitrator decides');
    const northwind = read(showAccount(rt.deps, as.partner(rt, 'northwind'), 'acme'));
    expect(northwind).toContain('Northwind Partners (First registration)');
  });

  it('a named owner owns the whole account', () => {
    const text = read(showAccount(rt.deps, as.person(rt, 'sam'), 'umbrella'));
    expect(text).toContain('Direct sales (Named account)');
  });

  it('offers a choice when several accounts match', () => {
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'acm');
    const actions = r.blocks.find((b) => b.type === 'actions');
    expect(actions && actions.type === 'actions' ? actions.actions.map((a) => a.label) : []).toEqual(expect.arrayContaining(['Acme Corporation', 'Acme Analytics GmbH']));
  });

  it('a result that matches only some words of the query is offered, never answered for', () => {
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'Acme Holdings');
    expect(r.summary).not.toMatch(/^Umbrella Holdings plc:/);
    expect(read(r)).toContain('Did you mean');
    // nor filed on: the claim form is not prefilled, and an inline claim is refused on the account field
    const e = catchErr(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'Acme Holdings' }), meta()));
    expect(e.fields?.account).toMatch(/Did you mean/);
  });

  it('a last word that reads as a legal form but may start a word of another name ("zenith co": Zenith Consulting) is a choice, not an answer', () => {
    for (const [id, name] of [['zenith-inc', 'Zenith Inc.'], ['zenith-consulting', 'Zenith Consulting Group']] as const) rt.store.accounts.upsert({ id, name, aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    rt.reindex();
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'zenith co');
    expect(r.title).toBeUndefined();
    const actions = r.blocks.find((b) => b.type === 'actions');
    expect(actions && actions.type === 'actions' ? actions.actions.map((a) => a.label) : []).toEqual(expect.arrayContaining(['Zenith Inc.', 'Zenith Consulting Group']));
    // Nor is a claim filed on one of them from the text alone.
    expect(catchErr(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'zenith co' }), meta())).fields?.account).toMatch(/Several accounts match/);
    // Typed as the name is written, it is that name.
    expect(whoOwns(rt.deps, as.person(rt, 'sam'), 'zenith inc').title).toBe('Zenith Inc.');
  });

  it('a query whose extra word starts another account’s alias offers the account its name names too, not that other one alone', () => {
    rt.store.accounts.upsert({ id: 'usaa', name: 'United Services Automobile Association', aliases: ['USAA'], domains: ['usaa.com'], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    rt.reindex();
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'acme usa');
    expect(r.summary).toBe('No account matches "acme usa" in full');
    const actions = r.blocks.find((b) => b.type === 'actions');
    expect(actions && actions.type === 'actions' ? actions.actions.map((a) => a.label) : []).toEqual(expect.arrayContaining(['Acme Corporation', 'United Services Automobile Association']));
  });

  it("another of an account's domains, by its own name, is offered, not answered for", () => {
    rt.store.accounts.upsert({ id: 'initrode', name: 'Initrode Inc', aliases: [], domains: ['initrode.com', 'swingline.com'], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    rt.reindex();
    const r = whoOwns(rt.deps, as.person(rt, 'sam'), 'swingline');
    expect(r.summary).toBe('No account matches "swingline"');
    expect(read(r)).toContain('Did you mean');
    const actions = r.blocks.find((b) => b.type === 'actions');
    expect(actions && actions.type === 'actions' ? actions.actions.map((a) => a.label) : []).toEqual(['Initrode Inc']);
    // Its domain itself is the account.
    expect(whoOwns(rt.deps, as.person(rt, 'sam'), 'swingline.com').summary).toMatch(/^Initrode Inc/);
  });

  it('two accounts of one name: typed, the name is refused with what tells them apart; their domains find each', () => {
    const vandelay = (id: string, domains: string[]) => ({ id, name: 'Vandelay', aliases: [], domains, segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    rt.store.accounts.upsert(vandelay('vandelay-us', ['vandelay.com']));
    rt.store.accounts.upsert(vandelay('vandelay-de', ['vandelay.de']));
    rt.reindex();
    const e = catchErr(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'Vandelay' }), meta()));
    expect(e.fields?.account).toMatch(/Vandelay \(vandelay\.(com|de)\), Vandelay \(vandelay\.(com|de)\)/);
    expect(e.message).toContain('the web domain');
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'vandelay.de' }), meta());
    expect(r.summary).toContain('Vandelay');
    expect(rt.store.claims.forAccount('vandelay-de')).toHaveLength(1);
  });

  it('names that differ only by a leading "The" or a legal form are told apart by what was typed, word for word', () => {
    const acct = (id: string, name: string) => ({ id, name, aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    rt.store.accounts.upsert(acct('the-standard', 'The Standard'));
    rt.store.accounts.upsert(acct('standard', 'Standard'));
    rt.store.accounts.upsert(acct('acme-se', 'Acme SE'));
    rt.reindex();
    const title = (q: string) => whoOwns(rt.deps, as.person(rt, 'sam'), q).summary;
    expect(title('The Standard')).toMatch(/^The Standard:/);
    expect(title('standard')).toMatch(/^Standard:/);
    expect(title('Acme SE')).toMatch(/^Acme SE:/);
    expect(title('Acme')).toMatch(/^Acme Corporation:/); // its alias "Acme"
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'The Standard' }), meta());
    expect(rt.store.claims.forAccount('the-standard')).toHaveLength(1);
  });

  it('gives suggestions, not an error, when nothing matches', () => {
    expect(read(whoOwns(rt.deps, as.person(rt, 'sam'), 'zzqx'))).toContain('No account matches');
  });

  it('someone of no known organisation may only ask for help', () => {
    expect(catchErr(() => whoOwns(rt.deps, as.stranger(rt), 'acme')).code).toBe('unknown_user');
    expect(read(roe(rt.deps, as.stranger(rt), 'stats'))).toContain('this help is all I can offer');
  });

  it('"help" gets how to use the command, unless an account is called that', () => {
    for (const q of ['help', 'HELP', '--help', '?']) {
      const r = whoOwns(rt.deps, as.person(rt, 'sam'), q);
      expect(r.summary).toBe('How to use /who-owns');
      expect(read(r)).toContain('/who-owns acme.com');
    }
    rt.store.accounts.upsert({ id: 'help-inc', name: 'Help', aliases: [], domains: ['help.example'], segment: 'smb', region: 'NA', tier: 'standard', isCustomer: true, incumbentPartnerId: null, namedOwner: null });
    rt.reindex();
    expect(whoOwns(rt.deps, as.person(rt, 'sam'), 'help').title).toBe('Help');
  });

  it('rejects an empty query with how to fix it', () => {
    expect(catchErr(() => whoOwns(rt.deps, as.person(rt, 'sam'), '  ')).message).toContain('/who-owns acme');
  });

  it('an external partner never sees another partner’s name, deal size or evidence', () => {
    const contoso = as.partner(rt, 'contoso');
    const text = read(showAccount(rt.deps, contoso, 'acme'));
    expect(text).not.toContain('Northwind');
    expect(text).not.toContain('48,000');
    expect(text).not.toContain('CIO');
    expect(text).toContain('protected by another party until');
    const own = read(showAccount(rt.deps, as.partner(rt, 'northwind'), 'acme'));
    expect(own).toContain('Northwind Partners');
    expect(own).toContain('48,000');
  });
});

describe('claim', () => {
  it('a form opened with an account that names none says so above the field, which keeps the text as typed; "help" says what the form does', () => {
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'zzzzqqq').intro).toBe('No account matches "zzzzqqq": search for it in the Account field (a name, alias or web domain).');
    // The text is kept in the field as typed, to be corrected, not taken for an account.
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'zzzzqqq').fields[0]).toMatchObject({ initial: { value: 'zzzzqqq', label: 'zzzzqqq' }, asTyped: true });
    expect(disputeForm(rt.deps, as.person(rt, 'sam'), 'zzzzqqq').fields[0]).toMatchObject({ initial: { value: 'zzzzqqq', label: 'zzzzqqq' }, asTyped: true });
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'help').fields[0]!.initial).toBeUndefined();
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'help').intro).toContain('/claim acme opens this form with the account filled in');
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'acme').intro).toBeUndefined();
    expect(claimForm(rt.deps, as.person(rt, 'sam'), 'acme').fields[0]!.initial).toMatchObject({ value: 'acme' });
    expect(disputeForm(rt.deps, as.person(rt, 'sam'), 'zzzzqqq').intro).toMatch(/^No account matches "zzzzqqq": search for it in the Account field .*The ownership criteria run first/);
    expect(disputeForm(rt.deps, as.person(rt, 'sam'), 'acme').intro).toBe('The ownership criteria run first; if they do not settle it, the arbitrator rules.');
  });

  it('"help" names the policy as the company\'s people read it ("your policy") and as a partner\'s user does ("the policy"): it is the company\'s', () => {
    const what = (v: Principal) => claimForm(rt.deps, v, 'help').intro;
    expect(what(as.person(rt, 'sam'))).toBe('Register a deal on an account (/claim acme opens this form with the account filled in). With nobody else on it, the claim protects the account for your policy’s protection period; an overlap goes to the ownership criteria, then to the arbitrator.');
    expect(what(as.partner(rt, 'contoso'))).toBe('Register a deal on an account (/claim acme opens this form with the account filled in). With nobody else on it, the claim protects the account for the policy’s protection period; an overlap goes to the ownership criteria, then to the arbitrator.');
  });

  it('protects a claim without overlap and records it in the ledger', () => {
    const before = ledgerCount(rt);
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'Soylent Corp' }), meta());
    expect(r.summary).toMatch(/Claim #\d+ on Soylent Corp is protected until/);
    const kinds = [...rt.store.ledger.entries()].slice(before).map((e) => e.kind);
    expect(kinds).toEqual(['claim.filed', 'claim.protected']);
  });

  it('text direction controls typed into a form are taken out: a name never reads the bot’s words after it backwards', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'globex', opportunity: 'Globex \u202Edeal\u202C rollout', evidence: 'Met \u2067the CIO\u2069' }), meta());
    const c = rt.store.claims.forAccount('globex').find((x) => x.claimant === 'contoso')!;
    expect(c.opportunity.name).toBe('Globex deal rollout');
    expect(c.evidence).toBe('Met the CIO');
  });

  it('validates with clear field errors and writes nothing', () => {
    const before = ledgerCount(rt);
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ route: 'carrier-pigeon', opportunity: '', amount: '-3' }), meta()));
    expect(e.fields).toMatchObject({ route: expect.stringContaining('resell'), opportunity: 'Required', amount: expect.stringContaining('positive') });
    expect(ledgerCount(rt)).toBe(before);
  });

  it.each(['0x10', '0b11', 'Infinity', '1e400', '12abc', '€5k'])('amount %s is refused as not a number, and nothing is written', (amount) => {
    const before = ledgerCount(rt);
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent', amount }), meta()));
    expect(e.fields).toEqual({ amount: 'A positive number, e.g. 50000' });
    expect(ledgerCount(rt)).toBe(before);
  });

  it.each([
    ['$50,000', 50000],
    ['1 200.50', 1200.5],
    ['€75_000', 75000],
    ['1,000,000.50', 1000000.5],
    ['12.50', 12.5],
    ['1e9', 1e9],
  ])('amount %s is read as %d', (amount, read) => {
    submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent', amount }), meta());
    expect(rt.store.claims.all().at(-1)!.opportunity.amount).toBe(read);
  });

  // Read as 1250, 50 and 100 before: a comma is taken only where it groups thousands by three.
  it.each(['12,50', '50.000,00', '1,00', '1 000,50 €', '1,2345', '12,5000'])('amount %s (a decimal comma) is refused on its field, saying how to write it, and nothing is written', (amount) => {
    const before = ledgerCount(rt);
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent', amount }), meta()));
    expect(e.fields).toEqual({ amount: 'A comma may only separate thousands, in groups of three (1,000,000.50): write decimals with a point, e.g. 12.50 or 50000.00' });
    expect(ledgerCount(rt)).toBe(before);
    expect(rt.store.claims.forAccount('soylent')).toHaveLength(0);
  });

  it('a claim its party already holds live on the account and product line is refused on the product line, with the whole message', () => {
    const e = catchErr(() => submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues(), meta()));
    expect(e.message).toMatch(/^There is already a live claim #\d+ for this party on Acme Corporation \(Analytics\)\. Log activity on it instead of filing again\.$/);
    expect(e.fields).toEqual({ product: e.message });
  });

  it('an unknown product line is refused naming the choices', () => {
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ product: 'Hardware' }), meta()));
    expect(e.fields.product).toContain('Core Platform, Analytics, Services');
  });

  it('an overlap settled by first-registration rejects the later claim and tells why', () => {
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues(), meta());
    expect(r.summary).toMatch(/was not accepted/);
    // What could change the outcome is a fact, not a dispute over the same facts (settled the same way).
    expect(read(r)).toContain("a dispute over the same facts is settled the same way. If a fact they used is wrong (the account's incumbent partner, named owner or coverage), ask your partner manager to correct it.");
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('settled');
    expect(d.winner).toBe('northwind');
    expect(d.recommendationRule).toBe('first-registration');
    const rejected = rt.store.claims.all().at(-1)!;
    expect(rejected.status).toBe('rejected');
    // A violation is a claim lost in an arbitrator's ruling; the criteria settling it is none.
    expect(rejected.violation).toBe(false);
  });

  it('a claim filed against another party\'s protection and lost in an arbitrator\'s ruling is a violation', () => {
    const d = openArbitratedCase(rt, 'muller'); // Northwind (proposal) first, then Contoso: furthest-stage recommends Northwind
    approve(rt.deps, as.person(rt, d.arbitrator), d.id);
    const lost = rt.store.claims.forAccount('muller').find((c) => c.claimant === 'contoso')!;
    expect(lost).toMatchObject({ status: 'rejected', violation: true });
  });

  it('the same request key files one claim', () => {
    const a = submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent' }), meta('view-1'));
    const b = submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent' }), meta('view-1'));
    expect(a.summary).toBe(b.summary);
    expect(rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(1);
  });

  it('a request key someone else filed under is refused, naming nothing of their claim', () => {
    const theirs = submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent' }), meta('view-1'));
    expect(theirs.summary).toMatch(/^Claim #\d+ on Soylent/);
    const e = catchErr(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent', opportunity: 'Contoso deal' }), meta('view-1')));
    expect(e.message).toBe('This form was already sent by someone else, so nothing was filed. Open a new form to file your claim.');
    expect(rt.store.claims.all().filter((c) => c.accountId === 'soylent')).toHaveLength(1);
  });

  it('a second live claim by the same party is refused', () => {
    expect(catchErr(() => submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues(), meta())).code).toBe('duplicate_claim');
  });

  it('an external user claims only for their own partner; an unknown one not at all', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent', claimant: 'northwind' }), meta());
    expect(rt.store.claims.all().at(-1)!.claimant).toBe('contoso');
    expect(catchErr(() => submitClaim(rt.deps, as.stranger(rt), claimValues({ account: 'soylent' }), meta())).code).toBe('unknown_user');
  });

  it('a dispute form sent by a guest (a card they could not have been given) is refused as its opening is, with the guest’s reason', () => {
    const guest = rt.resolve({ platform: 'teams', userId: '29:guest', displayName: 'guest', orgId: null, home: false, guest: true });
    const e = catchErr(() => submitDispute(rt.deps, guest, { account: 'soylent', product: 'Analytics', reason: 'We were there first, months ago.' }, meta()));
    expect(e.code).toBe('unknown_user');
    expect(e.message).toMatch(/^Guest accounts cannot use roe-bot, since it cannot tell whom a guest works for, so you cannot raise disputes/);
    expect(rt.store.disputes.forAccount('soylent')).toEqual([]);
  });
});

describe('dispute, arbitration and rulings', () => {
  /** Two claims at the same moment: first-registration passes, furthest-stage only recommends. */
  function openArbitratedCase() {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal', evidence: 'secret northwind notes' }), meta());
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent', stage: 'qualified' }), meta());
    const d = rt.store.disputes.all().at(-1)!;
    return d;
  }

  it('goes to the coverage arbitrator with a recommendation, an SLA due time and timers', () => {
    const d = openArbitratedCase();
    expect(d.status).toBe('open');
    expect(d.arbitrator).toBe('pat');
    expect(d.recommendation).toBe('northwind');
    expect(d.recommendationRule).toBe('furthest-stage');
    // 16 business hours from Monday 10:00 New York = Wednesday 10:00 (15:00 UTC).
    expect(d.dueAt?.toISOString()).toBe('2026-12-02T15:00:00.000Z');
    const dm = rt.db.sqlite.prepare("select body from outbox where target like '%\"user\"%'").all() as { body: string }[];
    expect(dm.some((m) => m.body.includes('Approve: Northwind Partners'))).toBe(true);
  });

  it('a dispute raised on a line where one is open says what the raiser can do: a party has its claim in it; another files a claim, which joins it', () => {
    const d = openArbitratedCase();
    const raise = (partner: string) => catchErr(() => submitDispute(rt.deps, as.partner(rt, partner), { account: 'soylent', product: 'Analytics', reason: 'We have worked Soylent for a year' }, meta()));
    const northwindClaim = rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'northwind')!;
    expect(raise('northwind').message).toBe(`Dispute #${d.id} is already open on Soylent Corp (Analytics); your claim #${northwindClaim.id} is in it, and its arbitrator decides between the parties.`);
    expect(raise('fabrikam').message).toBe(`Dispute #${d.id} is already open on Soylent Corp (Analytics); to take part, file a claim on Soylent Corp (Analytics): it joins that dispute, with your evidence.`);
    // As it says: Fabrikam's claim joins the case, its evidence with it.
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent', evidence: 'Fabrikam ran the pilot' }), meta());
    const joined = rt.store.disputes.get(d.id)!;
    expect(joined.parties).toContain('fabrikam');
    const fabrikamClaim = rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'fabrikam')!;
    expect(joined.claimIds).toContain(fabrikamClaim.id);
    expect(fabrikamClaim.evidence).toBe('Fabrikam ran the pilot');
  });

  it('only the assigned arbitrator or someone above them can rule; others are refused and nothing changes', () => {
    const d = openArbitratedCase();
    const before = ledgerCount(rt);
    for (const who of [as.person(rt, 'sam'), as.partner(rt, 'northwind'), as.stranger(rt)]) {
      expect(catchErr(() => approve(rt.deps, who, d.id)).code).toBe('forbidden');
    }
    expect(ledgerCount(rt)).toBe(before);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // dana is above pat in the Default chain [pat, dana, vp]
    const card = approve(rt.deps, as.person(rt, 'dana'), d.id);
    expect(read(card)).toContain('Ruled by Dana Reyes');
  });

  it('after a ruling, who-owns credits the ruling, not the criteria over the claims left', () => {
    const d = openArbitratedCase();
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const internal = read(whoOwns(rt.deps, as.person(rt, 'sam'), 'soylent'));
    expect(internal).toMatch(new RegExp(`Northwind[^"]* \\(ruled by Pat Okafor in dispute #${d.id}\\)`));
    expect(internal).toMatch(new RegExp(`Pat Okafor ruled dispute #${d.id} for Northwind[^"]*, as the criteria recommended \\(Furthest stage\\)`));
    expect(internal).not.toContain('holds the only live registration');
    // a partner sees who decided it, and not the other party's name
    const contoso = read(whoOwns(rt.deps, as.partner(rt, 'contoso'), 'soylent'));
    expect(contoso).toContain(`(ruled by Pat Okafor in dispute #${d.id})`);
    expect(contoso).not.toContain('Northwind');
  });

  it('the ask form names the case in full, with a title that fits a Slack modal even for dispute #123456', () => {
    const d = openArbitratedCase();
    rt.db.sqlite.prepare('UPDATE disputes SET id = 123456 WHERE id = ?').run(d.id);
    const form = askForm(rt.deps, as.person(rt, 'pat'), '123456');
    expect(form.title).toBe('Ask on dispute #123456');
    expect(form.title.length).toBeLessThanOrEqual(24);
    expect(form.intro).toContain('dispute #123456 on Soylent Corp (Analytics)');
  });

  it('activity logged on a claim waiting in a case says so, and plans no lifecycle for it', () => {
    const d = openArbitratedCase();
    const pending = rt.store.claims.get(d.claimIds.at(-1)!)!;
    expect(pending.status).toBe('pending');
    const r = read(logClaimActivity(rt.deps, as.partner(rt, pending.claimant), pending.id));
    expect(r).toContain('It is still waiting for a decision');
    expect(r).not.toContain('stays protected');
    expect(rt.db.sqlite.prepare("select count(*) as n from timers where subject = ? and status = 'pending'").get(`claim:${pending.id}`)).toEqual({ n: 0 });
  });

  it('activity on a claim a case or the CRM closed is refused saying what closed it, not to file a new claim', () => {
    const d = openArbitratedCase();
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const lost = rt.store.claims.get(d.claimIds.at(-1)!)!;
    expect([lost.claimant, lost.status]).toEqual(['contoso', 'rejected']);
    expect(catchErr(() => logClaimActivity(rt.deps, as.partner(rt, 'contoso'), lost.id)).message).toBe(`Claim #${lost.id} was ruled lost in dispute #${d.id}; there is nothing to log activity on.`);
    // The CRM closes two claims it imported protected, with their deals.
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    const rows = (won: string, lost: string) => `${header}\nX1,stark,northwind,resell,Analytics,D,qualified,,,${won},2026-11-20,\nX2,hooli,contoso,resell,Analytics,D,qualified,,,${lost},2026-11-20,\n`;
    importCsv(rt.ctx, 'claims', 'c.csv', rows('protected', 'protected'));
    importCsv(rt.ctx, 'claims', 'c.csv', rows('won', 'lost'));
    const [won, closed] = [rt.store.claims.byRequestKey('import:X1')!, rt.store.claims.byRequestKey('import:X2')!];
    expect([won.status, closed.status]).toEqual(['won', 'lost']);
    expect(catchErr(() => logClaimActivity(rt.deps, as.partner(rt, 'northwind'), won.id)).message).toBe(`Claim #${won.id} is closed: its deal was won; there is nothing to log activity on.`);
    expect(catchErr(() => logClaimActivity(rt.deps, as.partner(rt, 'contoso'), closed.id)).message).toBe(`Claim #${closed.id} is closed: its deal was lost; there is nothing to log activity on.`);
  });

  it('a second ruling is refused with who ruled and when', () => {
    const d = openArbitratedCase();
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const before = ledgerCount(rt);
    const e = catchErr(() => approve(rt.deps, as.person(rt, 'vp'), d.id));
    expect(e.code).toBe('already_ruled');
    expect(e.message).toMatch(/already ruled by Pat Okafor on Nov 30, 2026, 10:00 AM EST/);
    expect(ledgerCount(rt)).toBe(before);
  });

  it.each([
    ['approve, then approve', 'approve', 'approve', true],
    ['award, then the same award', 'award', 'award', true],
    ['reject, then the same rejection', 'reject', 'reject', true],
    ['award, then an award with another rationale', 'award', 'award-other', false],
    ['award, then approve', 'award', 'approve', false],
    ['approve, then an award to the same party', 'approve', 'award', false],
  ] as const)('the arbitrator rules twice, %s: a repeat changes nothing and shows the ruling; another ruling is refused', (_, first, second, repeat) => {
    const d = openArbitratedCase();
    const pat = as.person(rt, 'pat');
    const winner = d.recommendation!;
    const send = (kind: typeof first | typeof second) => {
      if (kind === 'approve') return approve(rt.deps, pat, `${d.id}:${winner}`);
      const rationale = kind === 'award-other' ? 'On second thoughts, the other evidence.' : 'The customer asked for this partner.';
      return submitAward(rt.deps, pat, { dispute: String(d.id), party: kind === 'reject' ? 'none' : winner, rationale });
    };
    send(first);
    const ruled = rt.store.disputes.get(d.id)!;
    const before = ledgerCount(rt);
    if (repeat) {
      expect(read(send(second))).toMatch(/Ruled by Pat Okafor on Nov 30, 2026, 10:00 AM EST: /);
    } else {
      const e = catchErr(() => send(second));
      expect(e.code).toBe('already_ruled');
      expect(e.message).toMatch(/already ruled by Pat Okafor/);
    }
    expect(ledgerCount(rt)).toBe(before);
    expect(rt.store.disputes.get(d.id)).toEqual(ruled);
  });

  it('approving protects the winner and rejects the others', () => {
    const d = openArbitratedCase();
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const statuses = d.claimIds.map((id) => [rt.store.claims.get(id)!.claimant, rt.store.claims.get(id)!.status]);
    expect(statuses).toEqual([
      ['northwind', 'protected'],
      ['contoso', 'rejected'],
    ]);
    expect([...rt.store.ledger.entries()].at(-3)!.kind).toBe('dispute.ruled');
  });

  it('awarding against the recommendation needs a rationale', () => {
    const d = openArbitratedCase();
    const e = catchErr(() => submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'no' }));
    expect(e.fields.rationale).toMatch(/at least 10/);
    const card = submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso sourced the lead at the trade show.' });
    expect(read(card)).toContain('Contoso Consulting owns it');
    expect(rt.store.disputes.get(d.id)!.winner).toBe('contoso');
  });

  it("a party answers a question with its DM's button: the answer reaches the arbitrator alone, and the ledger records that it answered, not what", () => {
    const d = openArbitratedCase();
    const rows = () => rt.db.sqlite.prepare('select body, target from outbox order by id').all() as { body: string; target: string }[];
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    const before = rows().length;
    const form = answerForm(rt.deps, as.partner(rt, 'northwind'), String(d.id));
    expect(form.title).toBe(`Answer on dispute #${d.id}`);
    expect(form.intro).toBe(`Your answer on dispute #${d.id} over Soylent Corp (Analytics) goes only to Pat Okafor, who rules on it; no other party sees it.`);
    // From the DM's button, whose value carries the question: the form shows it (in Teams it replaces the DM), and so does what it answers.
    const fromButton = answerForm(rt.deps, as.partner(rt, 'northwind'), `${d.id}:Who met the customer first?`);
    expect(fromButton.intro).toBe(`Question: Who met the customer first?\n\nYour answer on dispute #${d.id} over Soylent Corp (Analytics) goes only to Pat Okafor, who rules on it; no other party sees it.`);
    expect(fromButton.state).toEqual({ dispute: String(d.id), question: 'Who met the customer first?' });
    const done = submitAnswer(rt.deps, as.partner(rt, 'northwind'), { ...fromButton.state, answer: 'Our rep met the CIO on *May 3*, <!channel>' }, { requestKey: 'k1' });
    expect(done.summary).toBe(`Your answer on dispute #${d.id} went to Pat Okafor, and to no other party.`);
    expect(done.blocks.filter((b) => b.type === 'quote')).toEqual([
      { type: 'quote', label: 'The question', text: 'Who met the customer first?' },
      { type: 'quote', label: 'Your answer', text: 'Our rep met the CIO on *May 3*, <!channel>' },
    ]);
    const sent = rows().slice(before);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.target)).toEqual({ kind: 'user', user: 'pat' });
    const toPat = JSON.parse(sent[0]!.body) as Reply;
    expect(toPat.summary).toBe(`Answer from Northwind Partners on dispute #${d.id}: Soylent Corp (Analytics)`);
    expect(toPat.blocks).toContainEqual({ type: 'quote', label: 'Answer from northwind-user (Northwind Partners)', text: 'Our rep met the CIO on *May 3*, <!channel>' });
    expect(toPat.blocks).toContainEqual({ type: 'actions', actions: [{ action: 'open_case', label: 'Show the case', value: String(d.id), keep: true }] });
    // The same form sent again (a double click) sends nothing more.
    submitAnswer(rt.deps, as.partner(rt, 'northwind'), { dispute: String(d.id), answer: 'Our rep met the CIO on *May 3*, <!channel>' }, { requestKey: 'k1' });
    expect(rows().length).toBe(before + 1);
    const entries = [...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_answered');
    expect(entries.map((e) => [e.subject, e.payload])).toEqual([[`dispute:${d.id}`, { party: 'northwind' }]]);
    expect(verifyChain(rt.store.ledger.entries()).ok).toBe(true);
    // A partner of no party of the case learns nothing of it; nor is anything sent.
    expect(catchErr(() => answerForm(rt.deps, as.partner(rt, 'fabrikam'), String(d.id))).message).toBe(`Only the parties of dispute #${d.id} can answer its questions.`);
    expect(catchErr(() => submitAnswer(rt.deps, as.partner(rt, 'fabrikam'), { dispute: String(d.id), answer: 'We were there first' })).message).toBe(`Only the parties of dispute #${d.id} can answer its questions.`);
    expect(catchErr(() => answerForm(rt.deps, as.partner(rt, 'fabrikam'), '9999')).message).toBe('Only the parties of dispute #9999 can answer its questions.');
    // An empty answer is refused on its field.
    expect(catchErr(() => submitAnswer(rt.deps, as.partner(rt, 'contoso'), { dispute: String(d.id), answer: '  ' })).fields.answer).toBe('Write your answer');
    // Once ruled, an answer is refused, saying it was not sent.
    approve(rt.deps, as.person(rt, 'pat'), `${d.id}:northwind`);
    expect(catchErr(() => submitAnswer(rt.deps, as.partner(rt, 'contoso'), { dispute: String(d.id), answer: 'We met them in April' })).message).toMatch(new RegExp(`^Dispute #${d.id} was already ruled by Pat Okafor on .*\\. Your answer was not sent\\.$`));
    expect(rows().filter((r) => r.body.includes('We met them in April'))).toHaveLength(0);
  });

  it('every other party hears of a case when it opens, and each DM names the account and product line on its own', () => {
    const d = openArbitratedCase();
    const dms = (who: string) => (rt.db.sqlite.prepare('select body, target from outbox order by id').all() as { body: string; target: string }[]).filter((m) => m.target.includes(who)).map((m) => JSON.parse(m.body) as Reply);
    // Northwind filed first; Contoso's claim opened the case: Northwind is told, with the case.
    const opened = dms('northwind-user');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.summary).toBe(`Dispute #${d.id} raised on Soylent Corp (Analytics)`);
    expect(read(opened[0]!)).toContain('Pat Okafor rules on it');
    expect(read(opened[0]!)).toMatch(/Parties","value":"(Northwind Partners vs another party|another party vs Northwind Partners)"/);
    expect(read(opened[0]!)).not.toContain('Contoso');
    // Contoso raised it and was answered in its own reply: no DM.
    expect(dms('contoso-user')).toHaveLength(0);
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    const asked = dms('northwind-user').at(-1)!;
    expect(asked.summary).toBe(`Question on dispute #${d.id}: Soylent Corp (Analytics)`);
    // Answered with the DM's button, to the arbitrator alone (a party whose claim was filed in
    // another channel may not be in the dispute's thread, and every party reads it).
    expect(read(asked)).toContain('Answer with the button below: your answer goes only to Pat Okafor, who rules on it; no other party sees it.');
    // The question rides with the button, for the form to show it.
    expect(asked.blocks).toContainEqual({ type: 'actions', actions: [{ action: 'answer_question', label: 'Answer', value: `${d.id}:Who met the customer first?` }] });
    approve(rt.deps, as.person(rt, 'pat'), `${d.id}:northwind`);
    const ruled = dms('contoso-user').at(-1)!;
    expect(ruled.summary).toBe(`Ruling on dispute #${d.id}: Soylent Corp (Analytics)`);
    expect(read(ruled)).toContain('another party owns it');
    expect(read(ruled)).toContain('Soylent Corp (Analytics)');
    expect(read(ruled)).not.toContain('Northwind');
  });

  it('a channel that may see no partner reads a case of two partners as two parties', () => {
    const d = openArbitratedCase();
    const opened = threadRows(rt)[0]!.body;
    expect(opened).toContain('"Parties","value":"another party vs another party"');
    expect(d.parties).toHaveLength(2);
  });

  it('asking for information posts the question to the thread and keeps the case open', () => {
    const d = openArbitratedCase();
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    const thread = threadRows(rt);
    expect(thread.some((m) => m.body.includes('Who met the customer first?'))).toBe(true);
  });

  it('a case sent to the arbitrator although a rule would decide (a flagged partner) shows that rule as recommending, not deciding', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent' }), meta());
    rt.clock.advance(3_600_000);
    rt.store.transaction(() => rt.store.partners.setFlagged('contoso', rt.clock.now()));
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent' }), meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'northwind', recommendationRule: 'first-registration' });
    const card = read(caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)));
    expect(card).toContain('First registration: recommends');
    expect(card).not.toContain(': decides');
    // So does /who-owns while the case is open.
    const answer = read(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'));
    expect(answer).toContain('First registration: recommends');
    expect(answer).not.toContain('First registration: decides');
  });

  it('a dispute by hand on an account someone else holds is settled by the criteria: the raiser is told why, and what can change it', () => {
    const r = submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'acme', product: 'Analytics', reason: 'We have worked Acme for a year' }, meta());
    expect(read(r)).toContain('settled at once by the criteria: another party owns it');
    const lines = r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContain('Why: another party holds the only live registration (Nov 15, 2026).');
    expect(lines).toContain("The criteria apply the policy's rules (/roe policy): a dispute over the same facts is settled the same way. If a fact they used is wrong (the account's incumbent partner, named owner or coverage), ask your partner manager to correct it.");
    expect(read(r)).not.toContain('Northwind');
  });

  it('a dispute raised by the company is announced in its channel without any partner’s name, deal or evidence (the channel may be shared)', () => {
    submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'acme', product: 'Analytics', reason: 'Direct has been working Acme' }, meta());
    const thread = threadRows(rt).map((m) => m.body).join('\n');
    expect(thread).toContain('Acme Corporation');
    for (const secret of ['Northwind', '48,000', 'CIO']) expect(thread).not.toContain(secret);
  });

  const threadPosts = () => threadRows(rt).map((m) => m.body).join('\n');

  it('a claim the company files for a partner opens a case announced in the channel without that partner’s name, deal or evidence', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal', amount: '48000', evidence: 'secret northwind notes' }), meta());
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claimValues({ account: 'soylent', claimant: 'contoso', opportunity: 'Contoso secret deal', amount: '999000', evidence: 'CONTOSO PRIVATE EVIDENCE' }), meta());
    expect(read(r)).toMatch(/Dispute #\d+ is with the arbitrator/);
    const thread = threadPosts();
    expect(thread).toContain('Soylent');
    for (const secret of ['Contoso', '999,000', 'secret deal', 'PRIVATE EVIDENCE', 'Northwind', '48,000', 'secret northwind notes']) expect(thread).not.toContain(secret);
  });

  it('a claim a partner files opens a case whose channel posts show no partner’s deal, not even the raiser’s (the channel may hold other partners)', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal', amount: '48000', evidence: 'secret northwind notes' }), meta());
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent', opportunity: 'Contoso own deal', amount: '777000', evidence: 'secret contoso notes' }), meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    approve(rt.deps, as.person(rt, d.arbitrator), `${d.id}:${d.recommendation}`);
    const thread = threadPosts();
    expect(thread).toContain(`Dispute #${d.id}`);
    for (const secret of ['Northwind', '48,000', 'secret northwind notes', 'Contoso', 'Contoso own deal', '777,000', 'secret contoso notes', 'Reason:']) expect(thread).not.toContain(secret);
    // the other party's DMs have neither the raiser's deal nor its reason
    const dm = (who: string) => (rt.db.sqlite.prepare('select body, target from outbox').all() as { body: string; target: string }[]).filter((m) => m.target.includes(who)).map((m) => m.body).join('\n');
    expect(dm('northwind-user')).not.toBe('');
    expect(dm('northwind-user')).not.toContain('Contoso own deal');
    expect(dm('northwind-user')).not.toContain('Reason:');
  });

  it('a partner recorded on a prospect is no incumbent: a dispute by hand finds nobody on the other side', () => {
    rt.store.accounts.upsert({ id: 'prospect-x', name: 'Prospect X', aliases: [], domains: [], segment: 'smb', region: 'emea', tier: 'standard', isCustomer: false, incumbentPartnerId: 'fabrikam', namedOwner: null });
    expect(catchErr(() => submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'prospect-x', product: 'Analytics', reason: 'We are working this prospect' }, meta())).message).toMatch(/Nothing to dispute/);
  });

  it('a dispute with nobody on the other side is refused', () => {
    expect(catchErr(() => submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'soylent', product: 'Analytics', reason: 'Just checking' }, meta())).message).toMatch(/Nothing to dispute/);
  });

  it('a dispute on a line the raiser’s own party holds by a claim names the claim, and says not to file one; held by the account’s facts alone (a named owner), a claim is still the advice', () => {
    const own = rt.store.claims.forAccount('initech').find((c) => c.claimant === 'contoso')!;
    const held = catchErr(() => submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'initech', product: 'Core Platform', reason: 'Initech is ours, surely' }, meta()));
    expect(held.message).toBe(`Nothing to dispute: Initech LLC (Core Platform) is already yours (claim #${own.id}), and no other party holds it.`);
    expect(held).toMatchObject({ fields: { account: `Already yours for Core Platform (claim #${own.id}): nothing to dispute` } });
    // Stark's named owner is Northwind: a claim of Northwind's there collides with nothing, and is protected.
    const owner = catchErr(() => submitDispute(rt.deps, as.partner(rt, 'northwind'), { account: 'stark', product: 'Analytics', reason: 'Stark is ours, surely' }, meta()));
    expect(owner.message).toBe('Nothing to dispute: no other party holds Stark Industries (Analytics). File a claim with /claim instead.');
  });

  it('evidence of only spaces given with a dispute is none: the case card quotes no empty evidence; other evidence is kept, trimmed', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal' }), meta());
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', product: 'Analytics', reason: 'We ran the workshops', evidence: '  \n\t  ' }, meta());
    const blank = rt.store.disputes.all().at(-1)!;
    expect(blank.evidence).toBe('');
    expect(read(caseCard(rt.deps, as.person(rt, 'sam'), String(blank.id)))).not.toContain('Evidence given with the dispute');
    submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'acme', product: 'Analytics', reason: 'Direct has been working Acme', evidence: '\n  Workshop notes of March  \n' }, meta());
    const given = rt.store.disputes.all().at(-1)!;
    expect(given.evidence).toBe('Workshop notes of March');
    expect(caseCard(rt.deps, as.person(rt, 'sam'), String(given.id)).blocks).toContainEqual(expect.objectContaining({ label: 'Evidence given with the dispute', text: 'Workshop notes of March' }));
  });

  it('the claim number of the raiser’s own claim (its party’s) is refused on its field, and nothing is raised; another party’s is taken', () => {
    const northwinds = rt.store.claims.forAccount('acme').find((c) => c.claimant === 'northwind')!;
    const wayne = rt.store.claims.forAccount('wayne').find((c) => c.claimant === 'direct')!;
    const before = ledgerCount(rt);
    const own = catchErr(() => submitDispute(rt.deps, as.partner(rt, 'northwind'), { account: 'acme', product: 'Analytics', against: `#${northwinds.id}`, reason: 'We have worked Acme for a year' }, meta()));
    expect(own.message).toBe(`Claim #${northwinds.id} is a claim of your own (Northwind Partners): a dispute is raised against another party. Give another party’s claim number, or leave the field empty.`);
    expect(own.fields).toEqual({ against: `Claim #${northwinds.id} is your own: give another party’s claim number, or leave it empty` });
    // The direct team's, for a colleague of the company.
    const direct = catchErr(() => submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'wayne', product: 'Services', against: String(wayne.id), reason: 'Direct has been working Wayne' }, meta()));
    expect(direct.fields).toEqual({ against: `Claim #${wayne.id} is your own: give another party’s claim number, or leave it empty` });
    expect(direct.message).toContain('a claim of your own (Direct sales)');
    expect(ledgerCount(rt)).toBe(before);
    expect(rt.store.disputes.all()).toHaveLength(0);
    expect(read(submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'acme', product: 'Analytics', against: String(northwinds.id), reason: 'We have worked Acme for a year' }, meta()))).toContain('settled at once by the criteria');
  });

  it('a dispute’s reason is for the company and the party that raised it, never another party', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal' }), meta());
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', product: 'Analytics', reason: 'Contoso has a 250,000 proposal with the CFO since October' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    const card = (viewer: Parameters<typeof caseCard>[1]) => JSON.stringify(caseCard(rt.deps, viewer, String(d.id)));
    expect(card(as.partner(rt, 'contoso'))).toContain('Contoso has a 250,000 proposal');
    expect(card(as.person(rt, d.arbitrator))).toContain('Contoso has a 250,000 proposal');
    expect(card(as.partner(rt, 'northwind'))).not.toContain('250,000');
    const northwindDms = (rt.db.sqlite.prepare('select body, target from outbox').all() as { body: string; target: string }[]).filter((m) => m.target.includes('northwind-user')).map((m) => m.body).join('\n');
    expect(northwindDms).not.toContain('250,000');
    expect(threadPosts()).not.toContain('250,000');
  });

  it('the parties’ view of a case hides other partners’ deal details', () => {
    const d = openArbitratedCase();
    const dms = rt.db.sqlite.prepare('select body, target from outbox').all() as { body: string; target: string }[];
    const contosoMsgs = dms.filter((m) => m.target.includes('contoso-user')).map((m) => m.body);
    for (const m of contosoMsgs) {
      expect(m).not.toContain('Northwind');
      expect(m).not.toContain('secret northwind notes');
    }
    expect(d.id).toBeGreaterThan(0);
  });

  it('a third claim on an open case joins it: one dispute per overlap', () => {
    const d = openArbitratedCase();
    const r = submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent', stage: 'negotiation' }), meta());
    expect(r.summary).toMatch(/is pending/);
    const open = rt.store.disputes.all().filter((x) => x.accountId === 'soylent' && x.status === 'open');
    expect(open.map((x) => x.id)).toEqual([d.id]);
    expect(open[0]!.parties).toContain('fabrikam');
    expect(open[0]!.claimIds).toHaveLength(3);
    expect(open[0]!.recommendation).toBe('fabrikam');
  });

  it('an approve button sent before a claim joined the case is refused: it would approve someone else', () => {
    const d = openArbitratedCase();
    const stale = `${d.id}:${d.recommendation}`;
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent', stage: 'commit' }), meta());
    expect(rt.store.disputes.get(d.id)!.recommendation).toBe('fabrikam');
    const before = ledgerCount(rt);
    const e = catchErr(() => approve(rt.deps, as.person(rt, 'pat'), stale));
    expect(e.message).toMatch(/recommendation on dispute #\d+ changed since this card was sent \(a claim joined the case, or the recommended party.s claim closed\): the criteria now recommend Fabrikam Systems\./);
    expect(ledgerCount(rt)).toBe(before);
    // the arbitrator was sent the case as it now stands
    const dms = rt.db.sqlite.prepare("select body from outbox where target like '%\"user\":\"pat\"%'").all() as { body: string }[];
    expect(dms.some((m) => m.body.includes('Approve: Fabrikam Systems'))).toBe(true);
    expect(read(approve(rt.deps, as.person(rt, 'pat'), `${d.id}:fabrikam`))).toContain('Fabrikam Systems owns it');
  });

  it('every action keeps the ledger verifiable', () => {
    const d = openArbitratedCase();
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
  });
});

describe('/roe', () => {
  it('case N: the dispute as it stands to those who may see it; one the viewer may rule on comes with an Open button in Slack and Teams, its ruling buttons in the console', () => {
    const d = openArbitratedCase(rt);
    const slackPat = { kind: 'internal' as const, userKey: 'slack:U0PAT', personKey: 'pat', displayName: 'pat' };
    const teamsPat = { kind: 'internal' as const, userKey: 'teams:29:pat', personKey: 'pat', displayName: 'pat' };
    const actionsOf = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => `${a.action}:${a.value}`) : []));
    for (const viewer of [slackPat, teamsPat]) expect(actionsOf(roe(rt.deps, viewer, `case ${d.id}`))).toEqual([`open_case:${d.id}`]);
    // The console has no DM to post to: the buttons come at once.
    expect(actionsOf(roe(rt.deps, as.person(rt, 'pat'), `case #${d.id}`)).some((a) => a.startsWith('rule_approve'))).toBe(true);
    // A party's people see it, without buttons; another partner's do not.
    const party = roe(rt.deps, as.partner(rt, d.parties[0]!), `case ${d.id}`);
    expect(read(party)).toContain(`#${d.id}`);
    expect(actionsOf(party)).toEqual([]);
    expect(catchErr(() => roe(rt.deps, as.partner(rt, 'fabrikam'), `case ${d.id}`)).code).toBe('forbidden');
    expect(catchErr(() => roe(rt.deps, as.person(rt, 'sam'), 'case 9999')).code).toBe('not_found');
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'case'))).toContain("Give the dispute's number: /roe case 12");
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'case twelve'))).toContain("Give the dispute's number");
  });

  it('help lists every command: in Slack its shortcut and Home too; in the console where its own commands are', () => {
    const inSlack = read(roe(rt.deps, rt.resolve({ platform: 'slack', userId: 'U0SAM', displayName: 'sam', orgId: 'T0HOME', home: true }), 'help'));
    const inConsole = read(roe(rt.deps, as.person(rt, 'sam'), 'help'));
    for (const text of [inSlack, inConsole]) {
      for (const c of ['/who-owns', '/claim', '/dispute', '/roe mine', '/roe queue', '/roe stats', '/roe policy', '/who-owns acme.com', 'Approve the recommendation']) expect(text).toContain(c);
    }
    expect(inSlack).toContain('Dispute ownership (message shortcut)');
    expect(inSlack).toContain('Your claims, and for arbitrators the queue');
    // The console has neither: its own commands are in its /help.
    expect(inConsole).not.toContain('message shortcut');
    expect(inConsole).toContain('/help lists its own commands too: /rule, /case, /activity, /answer');
    // Where Slack has buttons: logging activity (on any claim by its command too), answering a question.
    expect(inSlack).toContain('A claim goes dormant without activity: log it with the Log activity button of the warning that comes before, or of /roe mine, or with /roe activity <number>.');
    expect(inSlack).toContain('answer it with its Answer button. Only the arbitrator reads your answer.');
    expect(inConsole).not.toContain('Log activity button');
    // A partner's stats are their own organisation's alone: help says so, not "per partner".
    expect(inConsole).toContain('Claims, disputes, rulings and open cases per partner; open cases per arbitrator.');
    const forPartner = read(roe(rt.deps, as.partner(rt, 'contoso'), 'help'));
    expect(forPartner).toContain('Your organisation’s claims, disputes, rulings and open cases.');
    expect(forPartner).not.toContain('per partner');
  });
  it('mine lists live claims first, newest first, counts what it leaves out, and offers activity for the claims going dormant soonest', () => {
    const day = 86_400_000;
    const base = rt.deps.ctx.clock.now().getTime() - 60 * day;
    const add = (i: number, status: 'protected' | 'rejected', lastActivityDaysAgo: number) =>
      rt.store.claims.insert({
        accountId: 'acme', claimant: 'fabrikam', route: 'resell', productLine: 'Analytics', opportunity: { name: `Deal ${i}`, stage: 'qualified', amount: null }, evidence: '', status,
        registeredAt: new Date(base + i * 3_600_000), lastActivityAt: new Date(rt.deps.ctx.clock.now().getTime() - lastActivityDaysAgo * day), protectedUntil: status === 'protected' ? new Date(base + 90 * day) : null,
        policyVersion: rt.deps.ctx.policies().inForceAt(new Date(base)).version, createdBy: 'import', filedAs: null, contested: false, violation: false, requestKey: null,
      });
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(add(i, i % 4 === 0 ? 'protected' : 'rejected', i % 4 === 0 ? 25 - i / 4 : 0).id);
    const r = roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine');
    expect(r.summary).toBe('40 claims');
    const list = r.blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>;
    expect(list.title).toBe('Claims of Fabrikam Systems: 10 live claims, 30 closed');
    expect(list.items).toHaveLength(25);
    // The ten protected ones (newest first), then the newest closed ones.
    const protectedIds = ids.filter((_, i) => i % 4 === 0).reverse();
    expect(list.items.slice(0, 10).map((it) => Number(/^#(\d+)/.exec(it.text)![1]))).toEqual(protectedIds);
    expect(list.items[10]!.text).toContain(`#${ids[39]} `);
    expect(read(r)).toContain('…and 15 more claims not listed (0 live, 15 closed).');
    // Activity buttons for the five that go dormant soonest: the least recent activity.
    const actions = r.blocks.find((b) => b.type === 'actions') as Extract<Reply['blocks'][number], { type: 'actions' }>;
    // Each value is the claim and the page of the list it was on (`12:mine:1`).
    expect(actions.actions.map((a) => a.value)).toEqual(ids.filter((_, i) => i % 4 === 0).slice(0, 5).map((id) => `${id}:mine:1`));
  });
  it('mine N: page 2 and on list the next claims in the order of page 1, say which of how many, and name the command for the next', () => {
    const day = 86_400_000;
    const base = rt.deps.ctx.clock.now().getTime() - 60 * day;
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) {
      const status = i % 4 === 0 ? 'protected' : 'rejected';
      ids.push(rt.store.claims.insert({
        accountId: 'acme', claimant: 'fabrikam', route: 'resell', productLine: 'Analytics', opportunity: { name: `Deal ${i}`, stage: 'qualified', amount: null }, evidence: '', status,
        registeredAt: new Date(base + i * 3_600_000), lastActivityAt: rt.deps.ctx.clock.now(), protectedUntil: status === 'protected' ? new Date(base + 90 * day) : null,
        policyVersion: rt.deps.ctx.policies().inForceAt(new Date(base)).version, createdBy: 'import', filedAs: null, contested: false, violation: false, requestKey: null,
      }).id);
    }
    const fabrikam = as.partner(rt, 'fabrikam');
    const listOf = (r: Reply) => r.blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>;
    const numbers = (r: Reply) => listOf(r).items.map((it) => Number(/^#(\d+)/.exec(it.text)![1]));
    const [p1, p2, p3] = ['mine', 'mine 2', 'mine 3'].map((args) => roe(rt.deps, fabrikam, args));
    // Live ones first, newest first in each, as page 1 has always listed them: 25, 25, then the last 10.
    const order = [...ids.filter((_, i) => i % 4 === 0).reverse(), ...ids.filter((_, i) => i % 4 !== 0).reverse()];
    expect(numbers(p1!)).toEqual(order.slice(0, 25));
    expect(numbers(p2!)).toEqual(order.slice(25, 50));
    expect(numbers(p3!)).toEqual(order.slice(50));
    for (const r of [p1!, p2!, p3!]) expect(listOf(r).title).toBe('Claims of Fabrikam Systems: 15 live claims, 45 closed');
    // Page 1 counts the rest, and now says how to see them; the others say which they are.
    expect(read(p1!)).toContain('…and 35 more claims not listed (0 live, 35 closed). /roe mine 2 shows the next 25.');
    expect(read(p2!)).toContain('Claims 26–50 of 60. /roe mine 3 shows the next 10.');
    expect(read(p3!)).toContain('Claims 51–60 of 60: the last page.');
    expect(read(p3!)).not.toContain('/roe mine 4');
    expect(roe(rt.deps, fabrikam, 'mine 1')).toEqual(p1);
  });

  it('mine N past the last page says so and which page shows the last claims; a word that is no page number gets the help, saying so', () => {
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent' }), meta());
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'wayne' }), meta());
    const fabrikam = as.partner(rt, 'fabrikam');
    const past = roe(rt.deps, fabrikam, 'mine 3');
    expect(past.summary).toBe('Page 3 is empty');
    expect(read(past)).toContain('Fabrikam Systems has 2 claims: page 3 is empty; /roe mine shows them all.');
    expect(read(past)).not.toContain('#');
    for (const bad of ['two', 'page', '0', '-1', '2.5', '#2']) {
      const r = roe(rt.deps, fabrikam, `mine ${bad}`);
      expect(r.blocks[0]).toEqual({ type: 'text', text: `"${bad}" is not a page number: /roe mine shows the first 25, /roe mine 2 the next 25. Here is what I can do:`, tone: 'warning' });
      expect(read(r)).toContain('/roe mine [page]');
    }
  });

  it('queue N: page 2 lists the next disputes, soonest due first as on page 1, with Open buttons for its own; past the last page says so', () => {
    importCsv(rt.ctx, 'accounts', 'queue.csv', `id,name\n${Array.from({ length: 30 }, (_, i) => `queue-${i},Queue Corp ${i}`).join('\n')}\n`);
    rt.reindex();
    const before = Number(/^(\d+) dispute/.exec(roe(rt.deps, as.person(rt, 'pat'), 'queue').summary)?.[1] ?? 0);
    for (let i = 0; i < 30; i++) {
      openArbitratedCase(rt, `queue-${i}`);
      rt.clock.advance(60_000); // each due a minute after the one before
    }
    const pat = as.person(rt, 'pat');
    const total = before + 30;
    expect(total).toBeLessThanOrEqual(50);
    const listOf = (r: Reply) => r.blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>;
    const numbers = (r: Reply) => listOf(r).items.map((it) => Number(/^#(\d+)/.exec(it.text)![1]));
    const opens = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => Number(a.value)) : []));
    const p1 = roe(rt.deps, pat, 'queue');
    const p2 = roe(rt.deps, pat, 'queue 2');
    const due = (id: number) => rt.store.disputes.get(id)!.dueAt!.getTime();
    const all = [...numbers(p1), ...numbers(p2)];
    expect(numbers(p1)).toHaveLength(25);
    expect(numbers(p2)).toHaveLength(total - 25);
    expect(new Set(all).size).toBe(total);
    expect(all.map(due)).toEqual(all.map(due).sort((a, b) => a - b));
    expect(read(p2)).toContain(`Queue Corp 29 (Analytics): due`);
    expect(opens(p2)).toEqual(numbers(p2).slice(0, 10));
    expect(read(p1)).toContain(`…and ${total - 25} more disputes not listed. /roe queue 2 shows the next ${total - 25}.`);
    expect(read(p2)).toContain(`Disputes 26–${total} of ${total}: the last page.`);
    const past = roe(rt.deps, pat, 'queue 3');
    expect(past.summary).toBe('Page 3 is empty');
    expect(read(past)).toContain(`You have ${total} disputes waiting: page 3 is empty; /roe queue 2 shows the last ones.`);
    expect(roe(rt.deps, pat, 'queue next').blocks[0]).toEqual({ type: 'text', text: '"next" is not a page number: /roe queue shows the first 25, /roe queue 2 the next 25. Here is what I can do:', tone: 'warning' });
  });
  it('mine: a claim going dormant soonest but older than the claims listed is named on its Log activity button, not by its number alone', () => {
    const day = 86_400_000;
    const now = rt.deps.ctx.clock.now().getTime();
    const accounts = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
    // 40 protected claims, one a day: the older the claim, the older its last activity.
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(rt.store.claims.insert({
        accountId: accounts[i % accounts.length]!, claimant: 'fabrikam', route: 'resell', productLine: ['Analytics', 'Services', 'Core Platform'][i % 3]!, opportunity: { name: `Deal ${i}`, stage: 'qualified', amount: null }, evidence: '', status: 'protected',
        registeredAt: new Date(now - (40 - i) * day), lastActivityAt: new Date(now - (29 - i / 2) * day), protectedUntil: new Date(now + (50 + i) * day),
        policyVersion: rt.deps.ctx.policies().inForceAt(new Date(now)).version, createdBy: 'import', filedAs: null, contested: false, violation: false, requestKey: null,
      }).id);
    }
    const r = roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine');
    const list = r.blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>;
    const listed = new Set(list.items.map((it) => Number(/^#(\d+)/.exec(it.text)![1])));
    expect(listed.size).toBe(25);
    const actions = r.blocks.find((b) => b.type === 'actions') as Extract<Reply['blocks'][number], { type: 'actions' }>;
    // The five going dormant soonest are the oldest: none of them is listed, so each button says which claim it is.
    expect(actions.actions.map((a) => Number(a.value.split(':')[0]))).toEqual(ids.slice(0, 5));
    for (const [i, a] of actions.actions.entries()) {
      expect(listed.has(Number(a.value.split(':')[0]))).toBe(false);
      const c = rt.store.claims.get(ids[i]!)!;
      expect(a.label).toBe(`Log activity on #${c.id} ${rt.store.accounts.get(c.accountId)!.name} (${c.productLine})`);
    }
  });
  it('a dormant claim is no live claim and says it protects nothing, not "protected until"', () => {
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent' }), meta());
    const claim = rt.store.claims.all().at(-1)!;
    // 30 days without activity (dormant_after_days): dormant on Dec 30, 2026.
    rt.clock.advance(31 * 86_400_000);
    const r = roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine');
    const list = r.blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>;
    expect(list.title).toBe('Claims of Fabrikam Systems: 0 live claims, 1 closed');
    expect(list.items[0]!.text).toBe(`#${claim.id} Soylent Corp (Analytics): dormant since Dec 30, 2026: it protects nothing (file a new claim to hold the account again)`);
    expect(read(claimStatus(rt.deps, as.partner(rt, 'fabrikam'), claim))).toContain('is dormant since Dec 30, 2026: it protects nothing.');
  });
  it('a protection counted from a CRM date ends at midnight: it reads "through" its last day, not "until" the day it no longer holds', () => {
    importCsv(rt.ctx, 'claims', 'claims.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-7,soylent,fabrikam,resell,Analytics,Deal,qualified,,,protected,2026-11-20,2026-11-29\n');
    // Registered Nov 20 (midnight in New York): 90 days of protection end at midnight on Feb 18, 2027.
    expect(read(roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine'))).toContain('Soylent Corp (Analytics): protected through Feb 17, 2027');
    expect(read(whoOwns(rt.deps, as.partner(rt, 'contoso'), 'soylent'))).toContain('Analytics: protected by another party through Feb 17, 2027');
    // A claim filed in chat ends at the time it was filed, on its last day: "until" that day.
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'wayne' }), meta());
    expect(read(roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine'))).toContain('Wayne Enterprises (Analytics): protected until Feb 28, 2027');
  });
  it('a protected claim says when it goes dormant without logged activity, and the date moves with activity', () => {
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent' }), meta());
    const claim = rt.store.claims.all().at(-1)!;
    // Filed Nov 30, 2026: 90 days of protection, dormant after 30 days without activity.
    const item = () => ((roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine').blocks[0] as Extract<Reply['blocks'][number], { type: 'list' }>).items[0]!.text);
    expect(item()).toBe(`#${claim.id} Soylent Corp (Analytics): protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged)`);
    expect(read(claimStatus(rt.deps, as.partner(rt, 'fabrikam'), claim))).toContain('is protected until Feb 28, 2027 (goes dormant on Dec 30, 2026 unless activity is logged).');
    rt.clock.advance(10 * 86_400_000);
    logClaimActivity(rt.deps, as.partner(rt, 'fabrikam'), String(claim.id));
    expect(item()).toContain('(goes dormant on Jan 9, 2027 unless activity is logged)');
  });
  it('counts read in the singular for one', () => {
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claimValues({ account: 'soylent' }), meta());
    expect(roe(rt.deps, as.partner(rt, 'fabrikam'), 'mine').summary).toBe('1 claim');
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'stats'))).toMatch(/Fabrikam Systems","detail":"1 claim, 0 disputes/);
  });
  it('an unknown subcommand gets help with a warning', () => {
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'frobnicate'))).toContain('Unknown command \\"frobnicate\\"');
  });
  it('queue shows the arbitrator’s open cases; stats and policy answer', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues({ account: 'soylent', stage: 'proposal' }), meta());
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues({ account: 'soylent' }), meta());
    // Monday 10:00 New York; due Wednesday 10:00: 16 h of business time left, then overdue.
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).toMatch(/Soylent Corp \(Analytics\): due Dec 2, 2026, 10:00 AM EST \(16 h of business time left\)/);
    rt.clock.set(new Date('2026-12-01T21:30:00Z')); // Tuesday 16:30
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).toContain('(1 h 30 min of business time left)');
    rt.clock.set(new Date('2026-12-02T15:00:00Z'));
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).toContain('Soylent Corp (Analytics): OVERDUE since Dec 2, 2026, 10:00 AM EST');
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).toContain('were sent to your direct messages, each with its ruling buttons');
    expect(read(roe(rt.deps, as.person(rt, 'pat'), 'queue'))).toContain('Open #');
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'queue'))).toContain('No cases are waiting');
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), 'queue'))).toContain('Only arbitrators');
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'stats'))).toContain('Settled automatically');
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'policy'))).toContain('first-registration');
    // The criteria by the names who-owns and the case card give them, with the policy file's own.
    expect(read(roe(rt.deps, as.person(rt, 'sam'), 'policy'))).toContain('1. Named account (named-account)');
  });
  it('policy tells a partner the rule that would send its claims for approval', () => {
    const text = read(roe(rt.deps, as.partner(rt, 'contoso'), 'policy'));
    // And the one a ruling against it leaves behind.
    expect(text).toContain('a ruling stands for 90 days on its account and product line: until then a new claim there by a party it went against needs an arbitrator’s approval');
    expect(text).toContain('a claim filed against another party’s protection that an arbitrator rules against is a violation (a claim the criteria reject on their own is not); a partner with 3 violations within 180 days is flagged: its claims then need an arbitrator’s approval');
  });
  it('mine lists a partner’s own claims only', () => {
    const text = read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'));
    expect(text).toContain('Initech');
    expect(text).not.toContain('Acme');
  });
});
