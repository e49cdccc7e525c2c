/**
 * A claim one of the company's people files for a partner keeps the party its filer acted from
 * (filed as direct): the notices sent later about it are read as the company's people read them
 * (the claim's partner named, other partners by name), while a partner's own user reads them as
 * before (every other partner "another party").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { submitAward } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import type { Principal } from '../../src/core/authz.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
afterEach(() => rt?.close());

const DAY = 86_400_000;
const meta = { origin: consoleOrigin, requestKey: null };
const values = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over });

/** The messages in the outbox to `who` (a console user key's user), as they read them: summary and text lines. */
function toldTo(who: Principal): { summary: string; lines: string[] }[] {
  const user = who.userKey.split(':').slice(1).join(':');
  return (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[])
    .filter((m) => (JSON.parse(m.target) as { user?: string }).user === user)
    .map((m) => JSON.parse(m.body) as { summary: string; blocks: { text?: string }[] })
    .map((b) => ({ summary: b.summary, lines: b.blocks.flatMap((x) => (typeof x.text === 'string' ? [x.text] : [])) }));
}

/** Runs the timers up to `days` days from now. */
function runDays(days: number): void {
  rt.clock.advance(days * DAY);
  for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
}

const warnings = (who: Principal) => toldTo(who).filter((m) => m.summary.includes('goes dormant'));

describe('the dormancy warning of a claim', () => {
  it('filed by one of the company’s people for a partner names that partner, as the claim’s answer and /roe mine do', () => {
    rt = testRuntime();
    const sam = as.person(rt, 'sam');
    submitClaim(rt.deps, sam, values({ claimant: 'contoso' }), meta);
    const c = rt.store.claims.all().at(-1)!;
    expect(c).toMatchObject({ claimant: 'contoso', status: 'protected', createdBy: sam.userKey, filedAs: 'direct' });
    runDays(25);
    const [warning] = warnings(sam);
    expect(warning?.summary).toMatch(new RegExp(`^Claim #${c.id} on Soylent Corp for Contoso Consulting goes dormant on `));
    expect(warning?.lines[0]).toMatch(new RegExp(`^Claim #${c.id} on Soylent Corp \\(Analytics\\) for Contoso Consulting goes dormant on .* unless you log activity before then\\.`));
  });

  it('filed by the partner’s own user reads as theirs, naming no party', () => {
    rt = testRuntime();
    const carl = as.partner(rt, 'contoso');
    submitClaim(rt.deps, carl, values(), meta);
    const c = rt.store.claims.all().at(-1)!;
    expect(c).toMatchObject({ claimant: 'contoso', filedAs: 'contoso' });
    runDays(25);
    const [warning] = warnings(carl);
    expect(warning?.summary).toMatch(new RegExp(`^Claim #${c.id} on Soylent Corp goes dormant on `));
    expect(JSON.stringify(warning)).not.toContain('Contoso Consulting');
  });

  it('of a CRM claim one of the company’s people took on (logged activity on it) names the partner too', () => {
    rt = testRuntime();
    const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    const importClaims = () => importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-7,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,protected,2026-11-20T15:00:00Z,'].join('\n'));
    importClaims();
    const imported = () => rt.store.claims.byRequestKey('import:CRM-7')!;
    expect(imported().filedAs).toBeNull();
    const sam = as.person(rt, 'sam');
    logClaimActivity(rt.deps, sam, String(imported().id));
    expect(imported()).toMatchObject({ createdBy: sam.userKey, filedAs: 'direct' });
    // A re-import keeps who took it on, and the party they took it on from.
    importClaims();
    expect(imported()).toMatchObject({ createdBy: sam.userKey, filedAs: 'direct' });
    runDays(25);
    expect(warnings(sam)[0]?.summary).toMatch(new RegExp(`^Claim #${imported().id} on Soylent Corp for Contoso Consulting goes dormant on `));
  });
});

describe('the ruling on a case a claim filed for a partner is in', () => {
  /** Northwind holds Soylent's Analytics line; `filer` files for Contoso further along, and the arbitrator gives the line to Northwind: what `filer` is told. */
  const ruledAgainst = (filer: (rt: TestRuntime) => Principal) => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values(), meta);
    const who = filer(rt);
    submitClaim(rt.deps, who, values({ stage: 'proposal', ...(who.kind === 'internal' ? { claimant: 'contoso' } : {}) }), meta);
    // Filed as the party the filer acts from: the company's people's (direct), or the partner's own.
    expect(rt.store.claims.all().at(-1)).toMatchObject({ claimant: 'contoso', filedAs: who.kind === 'internal' ? 'direct' : 'contoso' });
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration holds.' });
    const ruling = toldTo(who).find((m) => m.summary.startsWith('Ruling on '));
    expect(ruling).toBeDefined();
    return { d, ruling: ruling! };
  };

  it('tells one of the company’s people who filed it which partner owns the account now, and names the partner it went against', () => {
    const { d, ruling } = ruledAgainst((r) => as.person(r, 'sam'));
    expect(ruling.lines[0]).toMatch(new RegExp(`^Dispute #${d.id} over Soylent Corp \\(Analytics\\) is ruled: Northwind Partners owns it\\. Until .*, a new claim of Contoso Consulting on it needs an arbitrator's approval\\.$`));
  });

  it('tells the partner’s own user "another party", and nowhere names the other partner', () => {
    const { d, ruling } = ruledAgainst((r) => as.partner(r, 'contoso'));
    expect(ruling.lines[0]).toMatch(new RegExp(`^Dispute #${d.id} over Soylent Corp \\(Analytics\\) is ruled: another party owns it\\. Until .*, a new claim of yours on it needs an arbitrator's approval\\.$`));
    expect(JSON.stringify(ruling)).not.toMatch(/northwind/i);
  });
});

describe('the same claim form sent again (a double submit)', () => {
  /** Northwind holds Soylent's Analytics line; `filer` files with one form key twice (for Contoso, when one of the company's people): what the second answer says. */
  const sentTwice = (filer: (rt: TestRuntime) => Principal) => {
    rt = testRuntime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values(), meta);
    const who = filer(rt);
    const form = { origin: consoleOrigin, requestKey: 'form-1' };
    const typed = values(who.kind === 'internal' ? { claimant: 'contoso' } : {});
    const first = submitClaim(rt.deps, who, typed, form);
    const again = submitClaim(rt.deps, who, typed, form);
    const c = rt.store.claims.all().at(-1)!;
    expect(rt.store.claims.all().filter((x) => x.claimant === 'contoso' && x.accountId === c.accountId)).toHaveLength(1);
    return { c, first, again };
  };

  it('tells one of the company’s people whose claim it is, "for Contoso Consulting", as the first answer did', () => {
    const { c, first, again } = sentTwice((r) => as.person(r, 'sam'));
    expect(first.summary).toBe(`Claim #${c.id} on Soylent Corp for Contoso Consulting is pending`);
    expect(again.summary).toBe(`Claim #${c.id} on Soylent Corp (Analytics) for Contoso Consulting`);
    expect(again.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(new RegExp(`^Claim #${c.id} on Soylent Corp \\(Analytics\\) for Contoso Consulting, filed from this form on .*, is pending\\.$`)) });
  });

  it('tells the partner’s own user of their claim naming no party', () => {
    const { c, again } = sentTwice((r) => as.partner(r, 'contoso'));
    expect(again.summary).toBe(`Claim #${c.id} on Soylent Corp (Analytics)`);
    expect(again.blocks[0]).toMatchObject({ type: 'text', text: expect.stringMatching(new RegExp(`^Claim #${c.id} on Soylent Corp \\(Analytics\\), filed from this form on .*, is pending\\.$`)) });
  });
});
