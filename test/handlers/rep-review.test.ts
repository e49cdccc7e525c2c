import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { submitAward } from '../../handlers/rule.js';
import { catchErr } from '../support/replies.js';
import type { Principal } from '../../src/core/authz.js';
import { tick } from '../../src/app/scheduler.js';
import { planLifecycle } from '../../src/core/claims/lifecycle.service.js';
import { importCsv } from '../../src/core/import/import.service.js';
import type { Reply } from '../../handlers/replies/model.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

/** What a sales rep reads, from the company's own workspace: the findings of a review from their seat. */

const dir = mkdtempSync(join(tmpdir(), 'roe-rep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime;
afterEach(() => rt?.close());

const meta = { origin: consoleOrigin, requestKey: null };
const claim = (account: string, over: Record<string, string> = {}) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '', ...over });
/** The reply's lines, as the rep reads them. */
const lines = (r: Reply) => r.blocks.flatMap((b) => ('text' in b && typeof b.text === 'string' ? [momentsAsText(b.text)] : []));
const CLAIMS_HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';

describe('a colleague filing a claim for a partner', () => {
  it('is told the criteria settled the case for that partner, not "in your favour"', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    // Contoso holds Stark's Analytics line from the CRM; Stark's named owner is Northwind.
    importCsv(rt.ctx, 'claims', 'claims.csv', `${CLAIMS_HEADER}\nCRM-9,stark,contoso,resell,Analytics,Stark deal,qualified,,,protected,2026-11-25T15:00:00Z,2026-11-25T15:00:00Z\n`);
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claim('stark', { claimant: 'northwind' }), meta);
    const c = rt.store.claims.all().at(-1)!;
    expect(c).toMatchObject({ claimant: 'northwind', status: 'protected' });
    expect(r.summary).toBe(`Claim #${c.id} on Stark Industries for Northwind Partners is protected until Mar 1, 2027`);
    expect(lines(r)).toContain(`Claim #${c.id} on Stark Industries (Analytics) for Northwind Partners is protected until Mar 1, 2027.`);
    expect(lines(r)).toContain(`The criteria settled dispute #${rt.store.disputes.all().at(-1)!.id} in favour of Northwind Partners.`);
    expect(JSON.stringify(r)).not.toContain('your favour');
  });

  it('is told a ruling that stands gave the line to that partner, not "gave you"', () => {
    const policy = join(dir, 'incumbent-recommends.yaml');
    writeFileSync(policy, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.' }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'dana'), { dispute: String(d.id), party: 'contoso', rationale: 'Fabrikam has not engaged this customer in two years; Contoso sourced the deal.' });
    rt.clock.advance(3_600_000);
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claim('globex', { claimant: 'contoso' }), meta);
    expect(r.summary).toMatch(/ for Contoso Consulting is protected until /);
    expect(lines(r)).toContain(`The ruling on dispute #${d.id} gave Contoso Consulting this account and product line: it still stands, so nothing it decided is weighed again.`);
    // The partner's own user still reads it as theirs.
    rt.close();
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.' }, meta);
    submitAward(rt.deps, as.person(rt, 'dana'), { dispute: String(d.id), party: 'contoso', rationale: 'Fabrikam has not engaged this customer in two years; Contoso sourced the deal.' });
    rt.clock.advance(3_600_000);
    expect(lines(submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('globex'), meta))).toContain(`The ruling on dispute #${d.id} gave you this account and product line: it still stands, so nothing it decided is weighed again.`);
  });

  it('a pending claim filed for a partner names the partner', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claim('acme', { claimant: 'contoso' }), meta);
    const c = rt.store.claims.all().at(-1)!;
    expect(lines(r)[0]).toBe(`Claim #${c.id} on Acme Corporation (Analytics) for Contoso Consulting overlaps another claim. Dispute #${rt.store.disputes.all().at(-1)!.id} is with the arbitrator; you will be told the ruling.`);
  });
});

describe('a claim that goes to the arbitrator', () => {
  it('names who rules on it and by when, as a dispute raised by hand does', () => {
    rt = testRuntime(); // Monday Nov 30, 10:00 in New York
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claim('acme', { route: 'direct' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
    // 16 business hours from Monday 10:00: Wednesday 10:00.
    expect(lines(r)).toEqual([
      `Claim #${rt.store.claims.all().at(-1)!.id} on Acme Corporation (Analytics) overlaps another claim. Dispute #${d.id} is with the arbitrator; you will be told the ruling.`,
      'Pat Okafor rules on it by Dec 2, 2026, 10:00 AM EST.',
    ]);
  });

  it('a claim that joins a running case names its arbitrator and due time too', () => {
    rt = testRuntime();
    submitClaim(rt.deps, as.person(rt, 'sam'), claim('acme', { route: 'direct' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    rt.clock.advance(3_600_000);
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('acme', { stage: 'qualified' }), meta);
    expect(rt.store.disputes.all().at(-1)!.id).toBe(d.id);
    expect(lines(r).at(-1)).toBe('Pat Okafor rules on it by Dec 2, 2026, 10:00 AM EST.');
  });
});

describe('a claim its party already holds the line with, refused to one of the company\'s people', () => {
  it('names the direct team, and a claim someone else filed is no claim to log activity on: nothing to file', () => {
    rt = testRuntime();
    // Wayne's Services line is held by the direct team's claim from the CRM, which no rep filed.
    const held = rt.store.claims.forAccount('wayne')[0]!;
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claim('wayne', { route: 'direct', product: 'Services' }), meta));
    const said = `Direct sales already has a live claim #${held.id} on Wayne Enterprises (Services), filed by someone else: it holds the line for Direct sales, so there is nothing to file (/who-owns Wayne Enterprises shows it).`;
    expect(e).toMatchObject({ code: 'duplicate_claim', message: said, fields: { product: said } });
  });

  it('their own claim is theirs to log activity on, and one filed for a partner names the partner', () => {
    rt = testRuntime();
    submitClaim(rt.deps, as.person(rt, 'sam'), claim('soylent', { claimant: 'fabrikam' }), meta);
    const mine = rt.store.claims.all().at(-1)!;
    const e = catchErr(() => submitClaim(rt.deps, as.person(rt, 'sam'), claim('soylent', { claimant: 'fabrikam', opportunity: 'Again' }), meta));
    expect(e.message).toBe(`You already have a live claim #${mine.id} on Soylent Corp (Analytics) for Fabrikam Systems. Log activity on it instead of filing again (/activity ${mine.id}).`);
    // Another colleague filing for Fabrikam there is told it is someone else's.
    const other = catchErr(() => submitClaim(rt.deps, as.person(rt, 'dana'), claim('soylent', { claimant: 'fabrikam' }), meta));
    expect(other.message).toMatch(/^Fabrikam Systems already has a live claim #\d+ on Soylent Corp \(Analytics\), filed by someone else: /);
    // Fabrikam's own user reads it as before: every claim of their party is theirs.
    expect(catchErr(() => submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('soylent'), meta)).message).toBe(`There is already a live claim #${mine.id} for this party on Soylent Corp (Analytics). Log activity on it instead of filing again.`);
  });
});

describe('the expiry of a rep\'s claim the CRM made dormant, with another claim live on the line', () => {
  /**
   * Sam's claim on Soylent lapses (dormant Dec 31: by its lifecycle, which tells Sam, or by the CRM's
   * file, which tells nobody), `then` files on the line on Feb 10, and Sam's claim expires on Mar 1:
   * what Sam is told then.
   */
  const expiryBeside = (then: () => Principal, { byCrm = true } = {}) => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.person(rt, 'sam'), claim('soylent', { route: 'direct' }), meta);
    const lapsed = rt.store.claims.all().at(-1)!;
    if (byCrm) {
      // As a re-import leaves it: dormant, its expiry planned.
      rt.clock.set('2026-12-31T15:00:00Z');
      rt.store.claims.update(lapsed.id, { status: 'dormant' });
      const dormant = rt.store.claims.get(lapsed.id)!;
      planLifecycle(rt.ctx, dormant, rt.ctx.policies().termsFor(dormant), rt.clock.now());
    }
    runTo('2027-02-10T15:00:00Z');
    submitClaim(rt.deps, then(), claim('soylent', { route: then().kind === 'internal' ? 'direct' : 'resell' }), meta);
    const newer = rt.store.claims.all().at(-1)!;
    expect(newer.status).toBe('protected');
    const before = outboxCount();
    runTo('2027-03-01T15:00:00Z');
    expect(rt.store.claims.get(lapsed.id)!.status).toBe('expired');
    return { lapsed, newer, told: toldSince(before) };
  };
  const runTo = (at: string) => {
    rt.clock.set(at);
    for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
  };
  const outboxCount = () => (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  const toldSince = (before: number) => (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);

  it('another party holds the line: the notice says what to do, as the dormancy notice does', () => {
    const { lapsed, told } = expiryBeside(() => as.partner(rt, 'contoso'));
    expect(told).toEqual([`Claim #${lapsed.id} on Soylent Corp (Analytics) has expired: its protection period is over. Another claim is live on it: file a new claim to be weighed against it.`]);
  });

  it('a colleague holds the line for the direct team: the notice names that claim, with nothing to file', () => {
    const { lapsed, newer, told } = expiryBeside(() => as.person(rt, 'riley'));
    expect(told).toEqual([`Claim #${lapsed.id} on Soylent Corp (Analytics) has expired: its protection period is over. Another claim of Direct sales on it, #${newer.id}, still protects the account until May 11, 2027 (goes dormant on Mar 12, 2027 unless activity is logged).`]);
  });

  it('told when it went dormant, Sam is told nothing more when its protection ends, whoever holds the line since', () => {
    expect(expiryBeside(() => as.partner(rt, 'contoso'), { byCrm: false }).told).toEqual([]);
    rt.close();
    expect(expiryBeside(() => as.person(rt, 'riley'), { byCrm: false }).told).toEqual([]);
  });
});
