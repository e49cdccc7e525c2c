/**
 * A claim's lifecycle over the months, as its owner reads it: the day to log activity by, and
 * when protection ends, said the same in every place they are read; and a partner's flag, from
 * the violations that set it to the day it lifts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { roe } from '../../handlers/roe.js';
import { submitAward } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { importCsv } from '../../src/core/import/import.service.js';
import type { Reply } from '../../handlers/replies/model.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, ledgerKinds } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

// The test runtime's clock: Monday 2026-11-30T15:00:00Z, 10:00 in New York.
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
const texts = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'list' ? b.items.map((i) => i.text) : [])).map(momentsAsText);

it('a claim the CRM dated by days alone goes dormant at midnight: /roe mine names the last day to log activity, not the day it is already dormant', () => {
  // Last activity on Nov 25 (midnight in New York): dormant from the first moment of Dec 25.
  importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-9,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,protected,2026-11-20,2026-11-25'].join('\n'));
  const id = rt.store.claims.byRequestKey('import:CRM-9')!.id;
  const contoso = as.partner(rt, 'contoso');
  rt.clock.set('2026-12-24T20:00:00Z'); // Dec 24, 3 PM in New York: the last day
  const line = texts(roe(rt.deps, contoso, 'mine')).find((t) => t.startsWith(`#${id} `))!;
  expect(line).toBe(`#${id} Soylent Corp (Analytics): protected through Feb 17, 2027 EST (goes dormant at the end of Dec 24, 2026 EST unless activity is logged)`);
  // Read on the day it names, after midnight, it is dormant already, and says since then.
  rt.clock.set('2026-12-25T07:00:00Z');
  expect(() => logClaimActivity(rt.deps, contoso, String(id))).toThrow(`Claim #${id} went dormant on Dec 25, 2026`);
});

it('a claim with activity logged at a time of day goes dormant on the day named', () => {
  importCsv(rt.ctx, 'claims', 'claims.csv', [HEADER, 'CRM-9,soylent,contoso,resell,Analytics,Soylent BI,qualified,,,protected,2026-11-20,2026-11-25'].join('\n'));
  const id = rt.store.claims.byRequestKey('import:CRM-9')!.id;
  const answer = texts(logClaimActivity(rt.deps, as.partner(rt, 'contoso'), String(id)));
  expect(answer[0]).toBe(`Activity logged on claim #${id} (Nov 30, 2026). It stays protected through Feb 17, 2027 EST (goes dormant on Dec 30, 2026 unless activity is logged).`);
});

describe('the end of protection', () => {
  const DAY = 86_400_000;
  const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent BI', stage: 'qualified', amount: '', evidence: '' };
  const run = () => tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  /** What the outbox holds for a user, as they read it: each message's summary and its texts. */
  const told = (user: string) =>
    (rt.db.sqlite.prepare("select target, body from outbox where status != 'withdrawn' order by id").all() as { target: string; body: string }[])
      .filter((m) => (JSON.parse(m.target) as { user?: string }).user === user)
      .map((m) => JSON.parse(m.body) as Reply)
      .map((b) => ({ summary: b.summary, texts: texts(b) }));

  it('an owner who keeps a claim active is warned a week before its protection ends, which activity does not move, then told it expired', () => {
    const northwind = as.partner(rt, 'northwind');
    submitClaim(rt.deps, northwind, values, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    // Activity every 20 days: it never goes dormant, and runs to the end of its 90 days (Feb 28, 10:00 in New York).
    for (let day = 1; day <= 82; day++) {
      rt.clock.advance(DAY);
      run();
      if (day % 20 === 0) logClaimActivity(rt.deps, northwind, String(id));
    }
    expect(told('northwind-user')).toEqual([]);
    rt.clock.set('2027-02-21T15:00:00Z'); // 7 days before the end
    run();
    expect(told('northwind-user')).toEqual([
      {
        summary: `Claim #${id} on Soylent Corp: its protection ends on Feb 28, 2027, 10:00 AM EST`,
        texts: [`The protection of claim #${id} on Soylent Corp (Analytics) ends on Feb 28, 2027, 10:00 AM EST, 90 days after it was registered: logging activity keeps a claim from going dormant, but does not extend its protection. Once it has ended, the account is open to other registrations: file a new claim then to protect it again.`],
      },
    ]);
    // Activity logged after the warning neither moves the end nor warns again.
    rt.clock.advance(DAY);
    expect(texts(logClaimActivity(rt.deps, northwind, String(id)))[0]).toBe(`Activity logged on claim #${id} (Feb 22, 2027). It stays protected until Feb 28, 2027.`);
    rt.clock.set('2027-02-28T15:00:00Z');
    run();
    expect(told('northwind-user').map((m) => m.summary)).toEqual([`Claim #${id} on Soylent Corp: its protection ends on Feb 28, 2027, 10:00 AM EST`, `Claim #${id} on Soylent Corp expired`]);
    expect(ledgerKinds(rt, `claim:${id}`).filter((k) => k.startsWith('claim.expir'))).toEqual(['claim.expiry_warning', 'claim.expired']);
  });

  it('a claim that goes dormant before its protection ends is warned of the dormancy only', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    for (let day = 1; day <= 91; day++) {
      rt.clock.advance(DAY);
      run();
    }
    // Told once that it went dormant: its expiry at the end of protection tells them nothing new.
    expect(told('northwind-user').map((m) => m.summary)).toEqual([`Claim #${id} on Soylent Corp goes dormant on Dec 30, 2026, 10:00 AM EST`, `Claim #${id} on Soylent Corp is dormant`]);
    expect(ledgerKinds(rt, `claim:${id}`).at(-1)).toBe('claim.expired');
  });

  it('with the bot down from before the warning to past the end, the owner is told only that the claim expired', () => {
    const northwind = as.partner(rt, 'northwind');
    submitClaim(rt.deps, northwind, values, { origin: consoleOrigin, requestKey: null });
    const id = rt.store.claims.all().at(-1)!.id;
    // Activity on days 20, 40 and 60: the claim would go dormant on day 90, as its protection ends.
    for (const day of ['2026-12-20', '2027-01-09', '2027-01-29']) {
      rt.clock.set(`${day}T15:00:00Z`);
      logClaimActivity(rt.deps, northwind, String(id));
    }
    rt.clock.set('2027-03-02T15:00:00Z');
    run();
    expect(rt.store.claims.get(id)!.status).toBe('expired');
    expect(told('northwind-user').map((m) => m.summary)).toEqual([`Claim #${id} on Soylent Corp expired`]);
  });

  it('a claim kept active under a release before expiry warnings, its expiry alone planned, is warned of its end after the upgrade', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-expiry-'));
    try {
      const databasePath = join(dir, 'roe.db');
      rt.close();
      rt = testRuntime({ databasePath });
      const northwind = as.partner(rt, 'northwind');
      submitClaim(rt.deps, northwind, values, { origin: consoleOrigin, requestKey: null });
      const id = rt.store.claims.all().at(-1)!.id;
      // Activity on days 20, 40 and 60: the claim would go dormant on day 90, as its protection ends.
      for (const day of ['2026-12-20', '2027-01-09', '2027-01-29']) {
        rt.clock.set(`${day}T15:00:00Z`);
        logClaimActivity(rt.deps, northwind, String(id));
      }
      // As that release planned it: nothing but the expiry at the end of protection (Feb 28, 2027).
      rt.store.timers.cancel(`claim:${id}`, 'claim.');
      rt.store.timers.schedule({ kind: 'claim.expire', subject: `claim:${id}`, dueAt: new Date('2027-02-28T15:00:00Z'), payload: {} }, rt.clock.now());
      rt.close();
      // The upgraded bot starts on the same database.
      rt = testRuntime({ databasePath, at: '2027-02-01T15:00:00Z' });
      rt.clock.set('2027-02-21T15:00:00Z');
      run();
      expect(told('northwind-user').map((m) => m.summary)).toEqual([`Claim #${id} on Soylent Corp: its protection ends on Feb 28, 2027, 10:00 AM EST`]);
      rt.clock.set('2027-02-28T15:00:00Z');
      run();
      expect(rt.store.claims.get(id)!.status).toBe('expired');
      expect(ledgerKinds(rt, `claim:${id}`).filter((k) => k.startsWith('claim.expir'))).toEqual(['claim.expiry_warning', 'claim.expired']);
      // A later start plans nothing again: warned once.
      rt.close();
      rt = testRuntime({ databasePath, at: '2027-02-22T15:00:00Z' });
      expect(rt.store.timers.pending(`claim:${id}`, 'claim.expiry_warning')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('/roe policy says how long before its end protection is warned of, and that activity does not extend it', () => {
    const facts = roe(rt.deps, as.partner(rt, 'contoso'), 'policy').blocks.flatMap((b) => (b.type === 'facts' ? b.facts : []));
    expect(facts.find((f) => f.label === 'Protection')?.value).toBe('90 days (warning 7 days before it ends; logged activity does not extend it); dormant after 30 days without activity (warning 7 days before)');
  });

  it('/roe policy says a warning of one day as one day', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-expiry-'));
    try {
      const path = join(dir, 'policy.yaml');
      writeFileSync(path, policyTextWith([['dormancy_warning_days: 7', 'dormancy_warning_days: 1\n  expiry_warning_days: 1']]));
      rt.close();
      rt = testRuntime({ policyPath: path });
      const facts = roe(rt.deps, as.partner(rt, 'contoso'), 'policy').blocks.flatMap((b) => (b.type === 'facts' ? b.facts : []));
      expect(facts.find((f) => f.label === 'Protection')?.value).toBe('90 days (warning 1 day before it ends; logged activity does not extend it); dormant after 30 days without activity (warning 1 day before)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['14 days', '14', ['2027-02-14T15:00:00.000Z']],
    ['none', '0', []],
  ])('expiry_warning_days sets when the warning comes (%s)', (_name, days, warnings) => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-expiry-'));
    try {
      const path = join(dir, 'policy.yaml');
      writeFileSync(path, policyTextWith([['dormancy_warning_days: 7', `dormancy_warning_days: 7\n  expiry_warning_days: ${days}`]]));
      rt.close();
      rt = testRuntime({ policyPath: path });
      const northwind = as.partner(rt, 'northwind');
      submitClaim(rt.deps, northwind, values, { origin: consoleOrigin, requestKey: null });
      const id = rt.store.claims.all().at(-1)!.id;
      for (let day = 1; day <= 91; day++) {
        rt.clock.advance(DAY);
        run();
        if (day % 20 === 0) logClaimActivity(rt.deps, northwind, String(id));
      }
      expect([...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${id}` && e.kind === 'claim.expiry_warning').map((e) => new Date(e.at).toISOString())).toEqual(warnings);
      expect(rt.store.claims.get(id)!.status).toBe('expired');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a partner flagged for violations', () => {
  const meta = { origin: consoleOrigin, requestKey: null };
  const claimValues = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '1000', evidence: 'ev' });
  /** Northwind holds the line; Contoso files over it further along, and the arbitrator awards it to Northwind: a violation of Contoso's. */
  function violation(account: string) {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claimValues(account, 'qualified'), meta);
    rt.clock.advance(60_000);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues(account, 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
  }
  const posts = () =>
    (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[])
      .filter((m) => (JSON.parse(m.target) as { kind: string }).kind === 'channel')
      .map((m) => texts(JSON.parse(m.body) as Reply).join(' '));

  it('partner ops are told when the flag lifts by itself; on that day it lifts, and the partner’s next claim is protected at once', () => {
    violation('soylent'); // Nov 30, 2026, 10:01 in New York
    rt.clock.set('2026-12-10T15:00:00Z');
    violation('wayne');
    rt.clock.set('2026-12-20T15:00:00Z');
    violation('initech');
    expect(posts()).toContain('Contoso Consulting is flagged after 3 violations: its new claims wait for an arbitrator’s approval. The flag lifts by itself on May 29, 2027, when fewer than 3 of its violations are within the last 180 days, unless more follow.');
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues('muller', 'qualified'), meta).summary).toMatch(/is pending$/);
    // The first violation leaves the 180-day window on May 29, 2027 at 10:01 in New York (EDT by then: 14:01 UTC, not 15:01).
    rt.clock.set('2027-05-29T14:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    rt.clock.set('2027-05-29T14:01:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.partners.flaggedAt('contoso')).toBeNull();
    expect(posts().at(-1)).toBe('Contoso Consulting is no longer flagged: 2 violations within 180 days, under the 3 that flag a partner.');
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), claimValues('acme-analytics', 'qualified'), meta).summary).toMatch(/is protected/);
  });
});
