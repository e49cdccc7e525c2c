import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import type { Principal } from '../../src/core/authz.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, awardForm, NOBODY, submitAward } from '../../handlers/rule.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { mine, queue } from '../../handlers/roe.js';
import { tick } from '../../src/app/scheduler.js';
import { importCsv, ImportError } from '../../src/core/import/import.service.js';
import { ROOT, policyTextWith } from '../support/builders.js';
import { consoleOrigin, ledgerKinds, openArbitratedCase } from '../support/cases.js';
import { planLifecycle } from '../../src/core/claims/lifecycle.service.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { savePerson } from '../../db/repos/people.repo.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-fix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime;
afterEach(() => rt?.close());
const meta = { origin: consoleOrigin, requestKey: null };
const claim = (account: string, stage = 'qualified', product = 'Analytics') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });

describe('re-importing the CRM file', () => {
  it.each([
    ['under the policy it was imported under', false],
    // 2026.2, loaded since and dated back to Nov 1, would have it dormant on Dec 15 and protected until Jan 19.
    ['once a version dated back to before its registration is loaded, with other terms: it keeps its own version', true],
  ])('as it was (a nightly sync) keeps a claim\'s planned lifecycle: its dormancy warning is not recorded again, %s', (_n, backDated) => {
    const databasePath = join(dir, `sync-${backDated}.db`);
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    const row = `${header}\nX1,soylent,northwind,resell,Services,Deal,qualified,,,protected,2026-11-20T15:00:00Z,2026-11-20T15:00:00Z\n`;
    importCsv(rt.ctx, 'claims', 'c.csv', row);
    const c = rt.store.claims.byRequestKey('import:X1')!;
    const warnings = () => [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${c.id}` && e.kind === 'claim.dormancy_warning').length;
    rt.clock.set('2026-12-13T15:00:00Z'); // dormant Dec 20, warned Dec 13
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(warnings()).toBe(1);
    if (backDated) {
      rt.close();
      const v2 = join(dir, 'sync-2026.2.yaml');
      writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-11-01'], ['protection_days: 90', 'protection_days: 60'], ['dormant_after_days: 30', 'dormant_after_days: 25']]));
      rt = testRuntime({ at: '2026-12-13T15:00:00Z', databasePath, policyPath: v2, demo: false });
    }
    rt.clock.set('2026-12-14T07:00:00Z');
    expect(importCsv(rt.ctx, 'claims', 'c.csv', row).unchanged).toBe(1);
    expect(rt.store.claims.get(c.id)).toMatchObject({ policyVersion: '2026.1', protectedUntil: c.protectedUntil });
    rt.clock.set('2026-12-14T07:00:01Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(warnings()).toBe(1);
    rt.clock.set('2026-12-19T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.claims.get(c.id)!.status).toBe('protected');
    rt.clock.set('2026-12-20T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.claims.get(c.id)!.status).toBe('dormant');
  });

  it('never undoes a ruling: a claim that lost stays rejected', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const acme = rt.store.claims.all().find((c) => c.accountId === 'acme')!; // Northwind's imported claim
    // Contoso files further along: furthest-stage recommends Contoso; Pat approves.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('acme', 'negotiation'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    expect(rt.store.claims.get(acme.id)!.status).toBe('rejected');
    importCsv(rt.ctx, 'claims', 'claims.csv', readFileSync(join(ROOT, 'examples/claims.csv'), 'utf8'));
    expect(rt.store.claims.get(acme.id)!.status).toBe('rejected');
    const protectedParties = rt.store.claims.forAccount('acme').filter((c) => c.status === 'protected' && c.productLine === 'Analytics').map((c) => c.claimant);
    expect(protectedParties).toEqual(['contoso']);
  });

  it('refuses a new protected claim where another party is already protected, naming the line', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    try {
      importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nX1,acme,contoso,resell,Analytics,D,qualified,,,protected,2026-12-01,\nX2,soylent,contoso,resell,Analytics,D,qualified,,,protected,2026-12-01,\nX3,soylent,fabrikam,resell,Analytics,D,qualified,,,protected,2026-12-01,\n`);
      throw new Error('expected an ImportError');
    } catch (e) {
      expect(e).toBeInstanceOf(ImportError);
      expect((e as ImportError).errors.map((x) => x.line)).toEqual([2, 4]);
      expect((e as ImportError).errors[1]!.message).toContain('contoso already holds a protected claim on soylent (Analytics) (line 3)');
    }
  });
});

describe('a claim waiting for approval can be refused', () => {
  it('activity logged on a claim whose approval was refused is refused saying so, naming the case', () => {
    const policy = join(dir, 'approval.yaml');
    writeFileSync(policy, policyTextWith([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: policy });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'Soylent is handled by the direct team this year.' });
    expect(rt.store.claims.get(c.id)!.status).toBe('rejected');
    expect(() => logClaimActivity(rt.deps, as.partner(rt, 'contoso'), c.id)).toThrow(`Claim #${c.id} was not approved in case #${d.id}; there is nothing to log activity on.`);
  });

  it('the arbitrator awards it to nobody: the claim is rejected, and it is no violation', () => {
    const policy = join(dir, 'approval.yaml');
    writeFileSync(policy, policyTextWith([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: policy });
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    expect(r.summary).toMatch(/pending/);
    const d = rt.store.disputes.all().at(-1)!;
    // Nobody else is on the line: the claimant is told why it waits, not of an overlap.
    expect(JSON.stringify(r.blocks)).not.toContain('overlaps');
    expect(r.blocks.map((b) => (b.type === 'text' ? { ...b, text: momentsAsText(b.text) } : b))).toContainEqual(expect.objectContaining({ text: `Claim #${rt.store.claims.all().at(-1)!.id} on Soylent Corp (Analytics) collides with no other claim, but needs an arbitrator's approval. It is awaiting approval by Pat Okafor in case #${d.id}, due Dec 8, 2026, 5:00 PM EST; you will be told the ruling.` }));
    expect(r.blocks).toContainEqual(expect.objectContaining({ text: 'Why: Claims under this coverage need approval.' }));
    const form = awardForm(rt.deps, as.person(rt, 'pat'), d.id);
    expect(form.fields[0]!.options!.map((o) => o.value)).toEqual(['party:contoso', NOBODY]);
    const card = submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'Soylent is handled by the direct team this year.' });
    expect(JSON.stringify(card)).toContain('no party gets the account');
    expect(rt.store.claims.all().at(-1)).toMatchObject({ status: 'rejected', violation: false });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: null });
  });
});

describe('a pending claim says what it waits on', () => {
  const pendingText = (r: { blocks: unknown[] }) => (r.blocks[0] as { text: string }).text;
  /** A runtime whose incumbent rule only recommends (its cases wait for the arbitrator), on a policy file of its own. */
  let files = 0;
  const incumbentRecommends = (): TestRuntime => {
    const policy = join(dir, `incumbent-recommends-${++files}.yaml`);
    writeFileSync(policy, policyTextWith([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]));
    return testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
  };
  /** Contoso disputes Globex's Analytics line, which Fabrikam holds as incumbent: the case waits for Dana. */
  const contosoDisputesGlobex = () => {
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', product: 'Analytics', reason: 'Fabrikam has not engaged Globex in two years.' }, meta);
    return rt.store.disputes.all().at(-1)!;
  };

  it('against the incumbent, with no other claim: it goes against the incumbent partner (named to colleagues only), not "another claim"; then one or two claims of others', () => {
    rt = incumbentRecommends();
    const d = contosoDisputesGlobex();
    expect(d).toMatchObject({ status: 'open', claimIds: [] });
    const lastId = () => rt.store.claims.all().at(-1)!.id;

    // Contoso's claim collides with no claim: with what the account's facts give Fabrikam, whose name a partner does not see.
    const contoso = submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('globex'), meta);
    expect(pendingText(contoso)).toBe(`Claim #${lastId()} on Globex Inc. (Analytics) goes against the account's incumbent partner. Dispute #${d.id} is with the arbitrator; you will be told the ruling.`);
    // The incumbent itself collides with nothing of its own account but Contoso's claim now.
    const fabrikam = submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('globex'), meta);
    expect(pendingText(fabrikam)).toBe(`Claim #${lastId()} on Globex Inc. (Analytics) overlaps another claim. Dispute #${d.id} is with the arbitrator; you will be told the ruling.`);
    // Two claims of other parties on the line.
    const northwind = submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('globex'), meta);
    expect(pendingText(northwind)).toBe(`Claim #${lastId()} on Globex Inc. (Analytics) overlaps 2 other claims. Dispute #${d.id} is with the arbitrator; you will be told the ruling.`);
    expect(rt.store.disputes.all()).toHaveLength(1);
  });

  it('the incumbent files first while the case runs: its claim collides with nothing, and joins the case deciding the line', () => {
    rt = incumbentRecommends();
    const d = contosoDisputesGlobex();
    const r = submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('globex'), meta);
    const c = rt.store.claims.all().at(-1)!;
    expect(r.summary).toBe(`Claim #${c.id} on Globex Inc. is pending`);
    expect(pendingText(r)).toBe(`Claim #${c.id} on Globex Inc. (Analytics) joins dispute #${d.id}, which is deciding this account and product line; you will be told the ruling.`);
    expect(rt.store.disputes.get(d.id)!.claimIds).toEqual([c.id]);
  });

  it('a colleague filing for the direct team against the incumbent reads its name', () => {
    rt = incumbentRecommends();
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), claim('globex'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(pendingText(r)).toBe(`Claim #${rt.store.claims.all().at(-1)!.id} on Globex Inc. (Analytics) goes against the account's incumbent partner (Fabrikam Systems). Dispute #${d.id} is with the arbitrator; you will be told the ruling.`);
    // The case's reason, which every party reads, names nobody.
    expect(d.reason).toBe("The claim goes against the account's incumbent partner.");
  });
});

describe('violations are judged when the claim was filed', () => {
  it('a claim filed while only a dormant claim existed is no violation, even if it loses', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    // 31 days without activity: Northwind's claim is dormant (and protects nothing)
    rt.clock.set('2027-01-02T15:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta);
    const contoso = rt.store.claims.all().at(-1)!;
    expect(contoso).toMatchObject({ status: 'protected', contested: false });
    // Fabrikam files against Contoso's protection, further along, and wins the ruling
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('soylent', 'commit'), meta);
    const fabrikam = rt.store.claims.all().at(-1)!;
    expect(fabrikam.contested).toBe(true);
    approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id);
    expect(rt.store.claims.get(contoso.id)).toMatchObject({ status: 'rejected', violation: false });
  });

  it('a loser is charged nothing when the protection it was filed against lapsed before the ruling, for a party that joined the case later', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta); // protected
    rt.clock.set('2026-12-01T16:00:00Z');
    // Contoso files against Northwind's protection, further along: the case goes to the arbitrator.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent', 'proposal'), meta);
    const contoso = rt.store.claims.all().at(-1)!;
    expect(contoso.contested).toBe(true);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    // The case waits; Northwind logs nothing and goes dormant.
    for (let day = 1; day <= 32; day++) {
      rt.clock.set(new Date(Date.parse('2026-12-01T16:00:00Z') + day * 86_400_000).toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    expect(rt.store.claims.forAccount('soylent')[0]!.status).toBe('dormant');
    // Fabrikam files over no protection, joins the case, and the arbitrator approves it.
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('soylent', 'commit'), meta);
    const fabrikam = rt.store.claims.all().at(-1)!;
    expect(fabrikam.contested).toBe(false);
    expect(rt.store.disputes.get(d.id)!.recommendation).toBe('fabrikam');
    approve(rt.deps, as.person(rt, rt.store.disputes.get(d.id)!.arbitrator), `${d.id}:fabrikam`); // escalated while it waited
    expect(rt.store.claims.get(fabrikam.id)!.status).toBe('protected');
    expect(rt.store.claims.get(contoso.id)).toMatchObject({ status: 'rejected', violation: false });
  });
});

describe('snooze', () => {
  it('keeps the reminders due after the snooze', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00; reminders Mon 17:00 and Tue 13:48
    const d = openArbitratedCase(rt);
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:1h`);
    const pending = rt.db.sqlite.prepare("select kind, due_at from timers where subject = ? and status = 'pending' order by due_at").all(`dispute:${d.id}`) as { kind: string; due_at: number }[];
    expect(pending.map((t) => [t.kind, new Date(t.due_at).toISOString()])).toEqual([
      ['sla.reminder', '2026-12-08T15:00:00.000Z'], // snoozed: 1 business hour after Monday 17:00 = Tuesday 10:00
      ['sla.reminder', '2026-12-08T18:48:00.000Z'], // the 0.8 reminder, kept
      ['sla.breach', '2026-12-08T22:00:00.000Z'],
    ]);
  });

  it('for a new arbitrator at the same level, before any reminder of theirs, brings no reminder sooner', () => {
    const db = join(dir, 'snooze-handon.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(v1);
    v1.clock.set('2026-12-07T22:00:00Z'); // Monday 17:00: Pat's first reminder
    tick(v1.db, v1.deps, v1.clock.now(), v1.logger);
    v1.close();
    // 2026.2, dated back, names Sam instead of Pat: the case moves to Sam at the same level, with a fresh SLA.
    const p = join(dir, 'snooze-handon.yaml');
    writeFileSync(p, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-07'], ['  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n', ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    rt = testRuntime({ at: '2026-12-07T22:30:00Z', databasePath: db, policyPath: p, demo: false });
    for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'sam', escalationLevel: 0 });
    const planned = () => rt.db.sqlite.prepare("select kind, due_at from timers where subject = ? and status = 'pending' order by due_at").all(`dispute:${d.id}`);
    const before = planned();
    rt.clock.set('2026-12-08T15:00:00Z'); // Tuesday 10:00: no reminder of Sam's yet
    const r = snoozeReminder(rt.deps, as.person(rt, 'sam'), `${d.id}:1h`);
    expect(planned()).toEqual(before);
    expect(r.summary).toBe('Nothing to snooze');
  });

  it.each([
    ['America/Los_Angeles', '1h', '2026-12-08T16:00:00.000Z'],
    ['Asia/Kolkata', '1h', '2026-12-08T16:00:00.000Z'],
    ['Europe/Berlin', '4h', '2026-12-08T19:00:00.000Z'],
  ])('is counted in the calendar of the case’s SLA, not of a version since: a new time zone (%s) changes no snooze of a running case', (timezone, option, until) => {
    const db = join(dir, `snooze-zone-${timezone.replace('/', '-')}.db`);
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db }); // Monday 09:00 New York
    const d = openArbitratedCase(v1);
    v1.clock.set('2026-12-07T22:00:00Z'); // Monday 17:00: the first reminder rings
    tick(v1.db, v1.deps, v1.clock.now(), v1.logger);
    v1.close();
    const p = join(dir, `snooze-zone-${timezone.replace('/', '-')}.yaml`);
    writeFileSync(p, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], ['timezone: America/New_York', `timezone: ${timezone}`]]));
    rt = testRuntime({ at: '2026-12-08T15:00:00Z', databasePath: db, policyPath: p, demo: false }); // Tuesday 10:00 New York
    const r = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:${option}`);
    expect(r.summary).toMatch(/^Reminder snoozed until/);
    const snoozed = rt.db.sqlite.prepare("select due_at from timers where subject = ? and kind = 'sla.reminder' and status = 'pending' and json_extract(payload, '$.snoozed') = 1").get(`dispute:${d.id}`) as { due_at: number };
    expect(new Date(snoozed.due_at).toISOString()).toBe(until);
  });

  it('before any reminder, with none due during it, brings no reminder sooner: nothing to snooze', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00; reminders Mon 17:00 and Tue 13:48
    const d = openArbitratedCase(rt);
    const planned = () => (rt.db.sqlite.prepare("select kind, due_at from timers where subject = ? and status = 'pending' order by due_at").all(`dispute:${d.id}`) as { kind: string; due_at: number }[]).map((t) => [t.kind, new Date(t.due_at).toISOString()]);
    const before = planned();
    const snoozes = () => [...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.reminder_snoozed').length;
    const r = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:1h`); // to Monday 10:00
    expect(planned()).toEqual(before);
    expect(r.summary).toBe('Nothing to snooze');
    expect(JSON.stringify(r.blocks)).toContain(`No reminder for dispute #${d.id} has rung or rings before`);
    // Nothing was snoozed, and the ledger says nothing was.
    expect(snoozes()).toBe(0);
    // One due during the snooze is moved to its end.
    const r4 = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:next-business-day`); // to Tuesday 09:00, past Monday 17:00
    expect(r4.summary).toMatch(/^Reminder snoozed until/);
    expect(snoozes()).toBe(1);
    expect(planned()).toEqual([
      ['sla.reminder', '2026-12-08T14:00:00.000Z'],
      ['sla.reminder', '2026-12-08T18:48:00.000Z'],
      ['sla.breach', '2026-12-08T22:00:00.000Z'],
    ]);
  });
});

describe('reminders after downtime', () => {
  it('two reminders that fell due while the bot was down ring once, the later', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00; reminders Mon 17:00 and Tue 13:48, due Tue 17:00
    const d = openArbitratedCase(rt);
    rt.clock.set('2026-12-08T19:00:00Z'); // back Tuesday 14:00: both reminders fell due, the deadline has not
    // A real clock moves on between two timers of one tick.
    const base = rt.clock.now().getTime();
    let n = 0;
    (rt.clock as { now: () => Date }).now = () => new Date(base + n++);
    tick(rt.db, rt.deps, new Date(base), rt.logger);
    const reminders = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).filter((m) => (JSON.parse(m.body) as { summary: string }).summary.startsWith('Reminder: dispute'));
    expect(reminders).toHaveLength(1);
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.reminded' && e.subject === `dispute:${d.id}`)).toHaveLength(1);
  });
});

describe('what a case past its deadline says', () => {
  /** Fires every pending timer of the case in order, moving the clock to each. */
  function runOut(id: number) {
    for (let i = 0; i < 20; i++) {
      const next = rt.db.sqlite.prepare("select due_at from timers where status = 'pending' and subject = ? order by due_at limit 1").get(`dispute:${id}`) as { due_at: number } | undefined;
      if (!next) return;
      rt.clock.set(new Date(next.due_at).toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
  }
  const said = (from = 0) => (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[]).slice(from).map((m) => ({ target: m.target, body: JSON.parse(m.body) as { summary: string; blocks: { text?: string }[] } }));

  it('a claim joining a case past its whole chain: overdue since its last deadline, not "will rule by" a day gone by', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00 New York
    const d = openArbitratedCase(rt);
    runOut(d.id); // pat → dana → vp, then the escalation channel: vp's SLA ran out Monday Dec 14, 17:00
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'vp' });
    rt.clock.set('2026-12-17T15:00:00Z'); // Thursday
    const before = said().length;
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), claim('soylent', 'commit'), meta);
    const text = momentsAsText(said(before).map((m) => `${m.body.summary} | ${m.body.blocks[0]?.text ?? ''}`).join('\n'));
    expect(text).toContain('Morgan Lee will rule (overdue since Dec 14, 2026, 5:00 PM EST).');
    expect(text).toContain('yours to rule (overdue since Dec 14, 2026, 5:00 PM EST)');
    expect(text).not.toMatch(/rule (on )?by Dec 14/);
  });

  it('a reminder says what its breach does: escalate, or for the last of the chain, stay with them when no escalation channel is named', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const teams = { origin: { platform: 'teams' as const, channel: '19:abc@thread.tacv2', thread: null }, requestKey: null };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'proposal'), teams);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), teams);
    runOut(rt.store.disputes.all().at(-1)!.id); // the example policy names no Teams escalation channel
    const reminders = (who: string) => said().filter((m) => m.target.includes(who) && m.body.summary.startsWith('Reminder:')).map((m) => m.body.blocks[0]!.text!);
    expect(reminders('29:pat').every((t) => t.endsWith('After that it escalates to Dana Reyes.'))).toBe(true);
    expect(reminders('29:vp').length).toBeGreaterThan(0);
    expect(reminders('29:vp').every((t) => t.endsWith('You are the last in its escalation chain: it stays with you, overdue.'))).toBe(true);
  });

  it('the last of the chain, reached on Slack for a Teams case, is told what the breach does for a Teams case', () => {
    const p = join(dir, 'vp-slack-only.yaml');
    writeFileSync(p, policyTextWith([['vp: { name: Morgan Lee, slack: U0VP, teams: "29:vp",', 'vp: { name: Morgan Lee, slack: U0VP,']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: p });
    const teams = { origin: { platform: 'teams' as const, channel: '19:abc@thread.tacv2', thread: null }, requestKey: null };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'proposal'), teams);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), teams);
    runOut(rt.store.disputes.all().at(-1)!.id); // no Teams escalation channel: the case stays with the VP
    const toVp = said().filter((m) => m.target.includes('U0VP'));
    expect(toVp.some((m) => (m.body.blocks[0]?.text ?? '').includes('so it stays with you'))).toBe(true);
    const reminders = toVp.filter((m) => m.body.summary.startsWith('Reminder:')).map((m) => m.body.blocks[0]!.text!);
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((t) => t.endsWith('it stays with you, overdue.'))).toBe(true);
  });
});

describe('a deadline at a "24:00" closing', () => {
  it('is named as the end of its day, not as the next day\'s 12:00 AM', () => {
    const p = join(dir, 'midnight.yaml');
    writeFileSync(p, policyTextWith([['start: "09:00"', 'start: "08:00"'], ['end: "17:00"', 'end: "24:00"']]));
    rt = testRuntime({ at: '2026-12-10T13:00:00Z', policyPath: p }); // Thursday 08:00; 16 business hours end Thursday at midnight
    const d = openArbitratedCase(rt);
    expect(d.dueAt).toEqual(new Date('2026-12-11T05:00:00Z'));
    const summaries = (rt.db.sqlite.prepare('select body from outbox').all() as { body: string }[]).map((m) => (JSON.parse(m.body) as { summary: string }).summary);
    expect(summaries).toContain(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule by end of Dec 10, 2026 (midnight EST)`);
    expect(JSON.stringify(queue(rt.deps, as.person(rt, 'pat')))).toContain('due end of Dec 10, 2026 (midnight EST)');
  });

  it('on a day whose midnight the clocks skip, is named with the zone of that midnight (the offset before the change)', () => {
    const p = join(dir, 'midnight-santiago.yaml');
    writeFileSync(p, policyTextWith([['timezone: America/New_York', 'timezone: America/Santiago'], ['days: [mon, tue, wed, thu, fri]', 'days: [mon, tue, wed, thu, fri, sat]'], ['end: "17:00"', 'end: "24:00"'], ['arbitration: 16h', 'arbitration: 12h']]));
    rt = testRuntime({ at: '2026-09-05T16:00:00Z', policyPath: p }); // Saturday 12:00 in Santiago (GMT-4); clocks go to GMT-3 at midnight
    const d = openArbitratedCase(rt);
    expect(d.dueAt).toEqual(new Date('2026-09-06T04:00:00Z')); // midnight GMT-4, which Santiago's clocks show as 01:00 GMT-3
    expect(JSON.stringify(queue(rt.deps, as.person(rt, 'pat')))).toContain('due end of Sep 5, 2026 (midnight GMT-4)');
  });

  it('a midnight that starts a working day after a day off is that day: a snooze to Monday does not read as the end of Sunday', () => {
    const p = join(dir, 'wall.yaml');
    writeFileSync(p, policyTextWith([['start: "09:00"', 'start: "00:00"'], ['end: "17:00"', 'end: "24:00"'], ['arbitration: 16h', 'arbitration: 48h'], ['reminders: [0.5, 0.8]', 'reminders: [0.1, 0.8]']]));
    rt = testRuntime({ at: '2026-12-11T13:00:00Z', policyPath: p }); // Friday 08:00
    const d = openArbitratedCase(rt);
    rt.clock.set('2026-12-11T18:00:00Z'); // Friday 13:00: the first reminder has rung
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const r = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:next-business-day`);
    expect(r.summary).toBe('Reminder snoozed until Dec 14, 2026, 12:00 AM EST');
  });
});

describe('/roe queue', () => {
  it.each([
    ['later', '2026-12-08'],
    ['dated back to the day the case opened', '2026-12-07'],
  ])('counts the business time left in the calendar the SLA was counted in, not that of a version loaded since (%s)', (_n, effective) => {
    const db = join(dir, `queue-${effective}.db`);
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(v1); // due Tuesday Dec 8, 17:00 EST under 2026.1
    v1.close();
    // 2026.2 makes Dec 8 a holiday: the running case keeps its deadline.
    const v2 = join(dir, `queue-v2-${effective}.yaml`);
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', `effective: ${effective}`], ['2026-12-25]', '2026-12-08, 2026-12-25]']]));
    rt = testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, policyPath: v2, demo: false }); // Tuesday 09:00
    expect(rt.store.disputes.get(d.id)!.dueAt).toEqual(new Date('2026-12-08T22:00:00Z'));
    const line = momentsAsText(JSON.stringify(queue(rt.deps, as.person(rt, 'pat'))));
    expect(line).toContain('due Dec 8, 2026, 5:00 PM EST (8 h of business time left)');
  });
});

describe('the claim lifecycle after downtime', () => {
  it('down across dormancy and the end of protection: the claim expired, and its owner is told that alone', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const c = rt.store.claims.all().at(-1)!;
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    // Down until March 5: the warning (Dec 24), dormancy (Dec 31) and the end of protection (Mar 1) all passed.
    rt.clock.set('2027-03-05T15:00:00Z');
    for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    expect(rt.store.claims.get(c.id)!.status).toBe('expired');
    const summaries = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { summary: string }).summary);
    expect(summaries).toEqual([`Claim #${c.id} on Soylent Corp expired`]);
    expect([...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${c.id}`).map((e) => e.kind)).not.toContain('claim.dormant');
  });
});

describe('what a claimant is told of dormancy', () => {
  /** The clock set to `at`, and the scheduler ticked until nothing more fires (each step plans the next). */
  const runTo = (at: string) => {
    rt.clock.set(at);
    for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
  };
  it('a claim that went dormant while another party took the line: its owner, told then, is told nothing more when its protection ends', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const c = rt.store.claims.all().at(-1)!;
    runTo('2026-12-24T15:00:00Z');
    runTo('2026-12-31T15:00:00Z');
    expect(rt.store.claims.get(c.id)!.status).toBe('dormant');
    rt.clock.set('2027-02-10T15:00:00Z');
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), claim('soylent'), meta).summary).toMatch(/is protected/);
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    runTo('2027-03-01T15:00:00Z');
    expect(rt.store.claims.get(c.id)!.status).toBe('expired');
    const told = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);
    // Told once, when it went dormant (it protected nothing from then on): its expiry, weeks later, is the ledger's alone.
    expect(told).toEqual([]);
    expect(ledgerKinds(rt, `claim:${c.id}`).slice(-2)).toEqual(['claim.dormant', 'claim.expired']);
  });

  it('the owner of a claim that went dormant is told so once: not again at the end of its protection', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const c = rt.store.claims.all().at(-1)!;
    runTo('2026-12-31T15:00:00Z');
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    runTo('2027-03-01T15:00:00Z');
    expect(rt.store.claims.get(c.id)!.status).toBe('expired');
    const told = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);
    expect(told).toEqual([]);
  });

  it('a claim the CRM marked dormant (its owner told nothing then) is told when its protection ends', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const c = rt.store.claims.all().at(-1)!;
    // As a re-import leaves it: dormant, its expiry planned, with no step of its lifecycle said to its owner.
    rt.store.claims.update(c.id, { status: 'dormant' });
    const dormant = rt.store.claims.get(c.id)!;
    planLifecycle(rt.ctx, dormant, rt.ctx.policies().termsFor(dormant), rt.clock.now());
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    runTo('2027-03-01T15:00:00Z');
    expect(rt.store.claims.get(c.id)!.status).toBe('expired');
    const told = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);
    expect(told.at(-1)).toBe(`Claim #${c.id} on Soylent Corp (Analytics) has expired: its protection period is over. The account is open to other registrations; file a new claim to protect it again.`);
  });

  /**
   * Files `first` on Soylent, lets it lapse unticked to Jan 2 (dormant since Dec 31), files `then` on the line
   * (and `pending`, left waiting against it, if given: at `pendingStage`, qualified unless said), and returns what
   * `first`'s claimant is told as its timer catches up; under the policy at `policyPath`, if given.
   */
  const dormantBeside = (first: () => Principal, then: () => Principal, pending?: () => Principal, opts: { pendingStage?: string; policyPath?: string } = {}) => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', ...(opts.policyPath ? { policyPath: opts.policyPath } : {}) });
    submitClaim(rt.deps, first(), claim('soylent'), meta);
    const lapsed = rt.store.claims.all().at(-1)!;
    rt.clock.set('2027-01-02T15:00:00Z');
    expect(submitClaim(rt.deps, then(), claim('soylent'), meta).summary).toMatch(/is protected/);
    const newer = rt.store.claims.all().at(-1)!;
    if (pending) submitClaim(rt.deps, pending(), claim('soylent', opts.pendingStage), meta);
    const waiting = pending ? rt.store.claims.all().at(-1)! : undefined;
    if (waiting) expect(waiting.status).toBe('pending');
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    expect(rt.store.claims.get(lapsed.id)!.status).toBe('dormant');
    const told = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);
    return { lapsed, newer, waiting, told };
  };
  const gone = (c: { id: number }) => `Claim #${c.id} on Soylent Corp (Analytics) went dormant: no activity was logged, and it no longer protects the account.`;
  /** Why Log activity on `c` (clicked by `who`) is refused. */
  const refused = (who: Principal, c: { id: number }) => {
    try {
      logClaimActivity(rt.deps, who, c.id);
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected Log activity to be refused');
  };

  it('a claim gone dormant beside its own party’s newer claim on the line says that claim still protects the account, not to file one to be weighed against it', () => {
    const mineToo = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'northwind'));
    // Filed Jan 2: protected until Apr 2, and dormant on Feb 1 unless activity is logged on it.
    expect(mineToo.told).toEqual([`${gone(mineToo.lapsed)} Your other claim on it, #${mineToo.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged).`]);
    rt.close();
    // The direct team's claim filed by a colleague is the team's too.
    const team = dormantBeside(() => as.person(rt, 'sam'), () => as.person(rt, 'riley'));
    expect(team.told).toEqual([`${gone(team.lapsed)} Another claim of Direct sales on it, #${team.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged).`]);
  });

  it('a claim gone dormant beside its own party’s claim whose protection ends before it could lapse names no dormancy date for that one', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    const lapsed = rt.store.claims.all().at(-1)!;
    rt.clock.set('2027-01-02T15:00:00Z');
    // The CRM's claim of Northwind, registered Oct 10 (protected through Jan 7), last active Dec 20 (dormant on Jan 19 at the earliest).
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nX1,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-10-10,2026-12-20\n`);
    const crm = rt.store.claims.byRequestKey('import:X1')!;
    expect(crm.status).toBe('protected');
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    for (let i = 0; i < 10 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    const told = (rt.db.sqlite.prepare('select body from outbox order by id').all() as { body: string }[]).slice(before).map((m) => (JSON.parse(m.body) as { blocks: { text?: string }[] }).blocks[0]!.text!);
    expect(told).toEqual([`${gone(lapsed)} Another claim of Northwind Partners on it, #${crm.id}, still protects the account through Jan 7, 2027 EST.`]);
  });

  it('a claim gone dormant beside its own party’s claim waiting against another party’s protected one says both: theirs waits, the other party’s is live', () => {
    // Northwind's first claim lapses, Contoso takes the line, Northwind files again against it.
    const waits = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'), () => as.partner(rt, 'northwind'));
    // A partner is not told who holds it.
    expect(waits.told).toEqual([`${gone(waits.lapsed)} Your other claim on it, #${waits.waiting!.id}, is waiting for a decision; a claim of another party is live on it meanwhile.`]);
    rt.close();
    // The direct team may read the partner's name.
    const team = dormantBeside(() => as.person(rt, 'sam'), () => as.partner(rt, 'contoso'), () => as.person(rt, 'sam'));
    expect(team.told).toEqual([`${gone(team.lapsed)} Your other claim on it, #${team.waiting!.id}, is waiting for a decision; a claim of Contoso Consulting is live on it meanwhile.`]);
  });

  /** Sam Patel, a person of the policy, on Slack; and on Teams, under the Teams user id `teamsId`. */
  const samOnSlack = (): Principal => rt.resolve({ platform: 'slack', userId: 'U0SAM', displayName: 'Sam Patel', orgId: 'T0HOME', home: true });
  const samOnTeams = (teamsId = '29:sam'): Principal => ({ kind: 'internal', userKey: `teams:${teamsId}`, personKey: 'sam', displayName: 'Sam Patel' });
  /** A policy naming Sam in Teams by his Entra object id, and the Teams user the bot met under it (29:sam-chat). */
  const SAM_AAD = '6f1c1a4e-9b3d-4c1e-8a57-2d0f4b9e7c11';
  const entraPolicy = () => {
    const path = join(dir, 'sam-by-entra-id.yaml');
    writeFileSync(path, policyTextWith([['teams: "29:sam"', `teams: "${SAM_AAD}"`]]));
    return path;
  };
  const samMetOnTeams = (): Principal => {
    savePerson(rt.db.db, { userKey: 'teams:29:sam-chat', platform: 'teams', displayName: 'Sam Patel', partnerId: null, personKey: 'sam', conversationRef: { user: { id: '29:sam-chat', aadObjectId: SAM_AAD } }, updatedAt: rt.clock.now() });
    return samOnTeams('29:sam-chat');
  };

  it('a claim gone dormant beside a claim its claimant filed from their other platform calls that claim theirs', () => {
    // Sam filed from Slack, then from Teams: the policy names him on both.
    const fromTeams = dormantBeside(samOnSlack, () => samOnTeams());
    expect(fromTeams.told).toEqual([`${gone(fromTeams.lapsed)} Your other claim on it, #${fromTeams.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged).`]);
    rt.close();
    // The policy names him in Teams by his Entra object id: the Teams user the bot met under it is him.
    const byEntra = dormantBeside(samOnSlack, samMetOnTeams, undefined, { policyPath: entraPolicy() });
    expect(byEntra.told).toEqual([`${gone(byEntra.lapsed)} Your other claim on it, #${byEntra.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged).`]);
    rt.close();
    // The console signs him in by his key.
    const fromConsole = dormantBeside(samOnSlack, () => as.person(rt, 'sam'));
    expect(fromConsole.told).toEqual([`${gone(fromConsole.lapsed)} Your other claim on it, #${fromConsole.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged).`]);
  });

  it('Log activity on a claim gone dormant beside a claim the one who clicks filed from another platform calls that claim theirs', () => {
    const mineToo = (c: { lapsed: { id: number }; newer: { id: number } }) => `Claim #${c.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; your other claim on it, #${c.newer.id}, still protects it: log activity on that one instead.`;
    const fromTeams = dormantBeside(samOnSlack, () => samOnTeams());
    expect(refused(samOnSlack(), fromTeams.lapsed)).toBe(mineToo(fromTeams));
    expect(refused(as.person(rt, 'sam'), fromTeams.lapsed)).toBe(mineToo(fromTeams));
    // Still a colleague's claim to someone else of the direct team.
    expect(refused(as.person(rt, 'dana'), fromTeams.lapsed)).toBe(`Claim #${fromTeams.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; another claim of Direct sales on it, #${fromTeams.newer.id}, still protects it: log activity on that one instead.`);
    rt.close();
    // Named in Teams by his Entra object id: his claim from Teams, clicked from Slack.
    const byEntra = dormantBeside(samOnSlack, samMetOnTeams, undefined, { policyPath: entraPolicy() });
    expect(refused(samOnSlack(), byEntra.lapsed)).toBe(mineToo(byEntra));
  });

  it('a claim gone dormant beside its own party’s protected claim that another party’s claim waits against says so, naming that party only to whom may read it', () => {
    // Contoso files further along the pipeline: the criteria recommend it, and the arbitrator decides.
    const contested = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'), { pendingStage: 'proposal' });
    expect(contested.told).toEqual([`${gone(contested.lapsed)} Your other claim on it, #${contested.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged); a claim of another party is waiting for a decision against it.`]);
    rt.close();
    const team = dormantBeside(() => as.person(rt, 'sam'), () => as.person(rt, 'riley'), () => as.partner(rt, 'contoso'), { pendingStage: 'proposal' });
    expect(team.told).toEqual([`${gone(team.lapsed)} Another claim of Direct sales on it, #${team.newer.id}, still protects the account until Apr 2, 2027 (goes dormant on Feb 1, 2027 unless activity is logged); a claim of Contoso Consulting is waiting for a decision against it.`]);
  });

  it('/roe mine lists a claim gone dormant beside its own party’s live claim as held by that claim, not to be filed again', () => {
    const dormantItem = (who: Principal, c: { id: number }) => {
      const list = mine(rt.deps, who).blocks[0] as { items: { text: string }[] };
      return list.items.find((i) => i.text.startsWith(`#${c.id} `))!.text;
    };
    const mineToo = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'northwind'));
    expect(dormantItem(as.partner(rt, 'northwind'), mineToo.lapsed)).toBe(`#${mineToo.lapsed.id} Soylent Corp (Analytics): dormant since Dec 31, 2026: it protects nothing (claim #${mineToo.newer.id} of Northwind Partners holds the account)`);
    rt.close();
    const waits = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'), () => as.partner(rt, 'northwind'));
    expect(dormantItem(as.partner(rt, 'northwind'), waits.lapsed)).toBe(`#${waits.lapsed.id} Soylent Corp (Analytics): dormant since Dec 31, 2026: it protects nothing (claim #${waits.waiting!.id} of Northwind Partners is waiting for a decision)`);
    rt.close();
    // Another party's claim on the line: a new claim of theirs would be weighed against it.
    const theirs = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'));
    expect(dormantItem(as.partner(rt, 'northwind'), theirs.lapsed)).toBe(`#${theirs.lapsed.id} Soylent Corp (Analytics): dormant since Dec 31, 2026: it protects nothing (file a new claim to hold the account again)`);
  });

  it('a claim gone dormant beside another party’s claim on the line says to file a new claim to be weighed against it', () => {
    const theirs = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'));
    expect(theirs.told).toEqual([`Claim #${theirs.lapsed.id} on Soylent Corp (Analytics) went dormant: no activity was logged, and it no longer protects the account. Another claim is live on it: file a new claim to be weighed against it.`]);
  });

  it('Log activity on a claim gone dormant beside its own party’s live claim names that claim, not to file a new one', () => {
    const mineToo = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'northwind'));
    expect(refused(as.partner(rt, 'northwind'), mineToo.lapsed)).toBe(`Claim #${mineToo.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; your other claim on it, #${mineToo.newer.id}, still protects it: log activity on that one instead.`);
    // A colleague of the partner's, and someone of the direct team acting for the partner: the partner's claim, by its name.
    expect(refused(as.partner(rt, 'northwind', 'northwind-colleague'), mineToo.lapsed)).toBe(`Claim #${mineToo.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; another claim of Northwind Partners on it, #${mineToo.newer.id}, still protects it: log activity on that one instead.`);
    expect(refused(as.person(rt, 'pat'), mineToo.lapsed)).toBe(`Claim #${mineToo.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; another claim of Northwind Partners on it, #${mineToo.newer.id}, still protects it: log activity on that one instead.`);
    rt.close();
    const team = dormantBeside(() => as.person(rt, 'sam'), () => as.person(rt, 'riley'));
    expect(refused(as.person(rt, 'sam'), team.lapsed)).toBe(`Claim #${team.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; another claim of Direct sales on it, #${team.newer.id}, still protects it: log activity on that one instead.`);
  });

  it('Log activity on a claim gone dormant beside its own party’s claim waiting for a decision says it waits', () => {
    const waits = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'), () => as.partner(rt, 'northwind'));
    const told = refused(as.partner(rt, 'northwind'), waits.lapsed);
    expect(told).toBe(`Claim #${waits.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; your other claim on it, #${waits.waiting!.id}, is waiting for a decision.`);
    expect(told).not.toContain('Contoso');
  });

  it('Log activity on a claim gone dormant with no claim of its party live on the line still says to file a new claim, naming no other party', () => {
    const theirs = dormantBeside(() => as.partner(rt, 'northwind'), () => as.partner(rt, 'contoso'));
    expect(refused(as.partner(rt, 'northwind'), theirs.lapsed)).toBe(`Claim #${theirs.lapsed.id} went dormant on Dec 31, 2026 and no longer protects the account; file a new claim.`);
  });

  it('a claim the CRM marked dormant before its dormancy moment: /roe mine names no date still to come', () => {
    rt = testRuntime({ at: '2026-12-07T15:00:00Z' });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nD1,soylent,northwind,resell,Services,Deal,qualified,,,dormant,2026-11-01,2026-11-25\n`);
    const c = rt.store.claims.byRequestKey('import:D1')!;
    expect(c.status).toBe('dormant');
    // Its last activity plus 30 days is Dec 25: not yet.
    expect(JSON.stringify(mine(rt.deps, as.partner(rt, 'northwind')))).toContain(`#${c.id} Soylent Corp (Services): dormant: it protects nothing`);
    // Log activity on it names no date either.
    expect(refused(as.partner(rt, 'northwind'), c)).toBe(`Claim #${c.id} went dormant and no longer protects the account; file a new claim.`);
  });

  it('under terms where protection ends before dormancy could come, the reply does not ask for activity against it', () => {
    const p = join(dir, 'never-dormant.yaml');
    writeFileSync(p, policyTextWith([['protection_days: 90', 'protection_days: 30'], ['dormant_after_days: 30', 'dormant_after_days: 45']]));
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', policyPath: p });
    const r = submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    expect(r.summary).toMatch(/is protected/);
    expect(JSON.stringify(r)).not.toContain('to keep it from going dormant');
  });

  it('under the usual terms it does', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    expect(JSON.stringify(submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta))).toContain('Log activity at least every 30 days to keep it from going dormant.');
  });

  it('and says where activity is logged: the console’s command, or the Log activity button of roe mine and of the warning', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const onConsole = submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent'), meta);
    expect(JSON.stringify(onConsole)).toContain(`to keep it from going dormant. Log it with /activity ${rt.store.claims.all().at(-1)!.id}.`);
    const slack = rt.resolve({ platform: 'slack', userId: 'U0CO1', displayName: 'carl', orgId: 'T0CONTOSO', home: false });
    const filed = submitClaim(rt.deps, slack, claim('initech'), meta);
    expect(JSON.stringify(filed)).toContain(`to keep it from going dormant. A warning with a Log activity button comes 7 days before it would go dormant (/roe mine has the button too, for the claims going dormant soonest; or type /roe activity ${rt.store.claims.all().at(-1)!.id}).`);
  });
});

describe('the award form with a party typed by name (Teams, with parties too long to list)', () => {
  const award = (d: { id: number }, party: string) => submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party, rationale: 'Sourced the deal first, with the CIO.' });

  it('a name as shown wins over an id that reads the same', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt); // Northwind and Contoso
    rt.store.partners.upsert({ ...rt.store.partners.get('contoso')!, name: 'northwind' });
    award(d, 'northwind'); // Contoso's name, and Northwind's id
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
  });

  it('a party picked from the list is that party, whatever another is named', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    rt.store.partners.upsert({ ...rt.store.partners.get('contoso')!, name: 'northwind' });
    const picked = awardForm(rt.deps, as.person(rt, 'pat'), d.id).fields[0]!.options!.find((o) => o.label === 'Northwind Partners')!;
    award(d, picked.value);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
  });

  it('two parties shown with one name: refused, naming the ids to type', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    const name = rt.store.partners.get('northwind')!.name;
    rt.store.partners.upsert({ ...rt.store.partners.get('contoso')!, name });
    expect(() => award(d, name)).toThrow(`Several parties of dispute #${d.id} are named "${name}": type the id of the one you mean (contoso, northwind).`);
    award(d, 'contoso');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
  });

  it('a party whose id is too long for the list\'s marker is listed by its bare id, and awarded by it', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const long = `p${'x'.repeat(148)}9`; // 150 characters, the import's limit
    importCsv(rt.ctx, 'partners', 'p.csv', `id,name\n${long},Longid Partners\n`);
    submitClaim(rt.deps, as.partner(rt, 'northwind'), claim('soylent', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, long), claim('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const values = awardForm(rt.deps, as.person(rt, 'pat'), d.id).fields[0]!.options!.map((o) => o.value);
    expect(values).toContain(long);
    expect(values.every((v) => v.length <= 150)).toBe(true);
    award(d, long);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: long });
  });

  it('two parties of one name, one of whose id is that name: the id typed, as asked, is that party', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    rt.store.partners.upsert({ ...rt.store.partners.get('contoso')!, name: 'northwind' });
    rt.store.partners.upsert({ ...rt.store.partners.get('northwind')!, name: 'northwind' });
    award(d, 'northwind');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
  });
});

describe('who may rule', () => {
  it('follows the coverage rule the case was opened under, even if the account changes coverage since', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt); // Default coverage: pat → dana → vp
    const account = rt.store.accounts.get('soylent')!;
    rt.store.accounts.upsert({ ...account, tier: 'strategic' }); // now Strategic: dana → vp
    expect(() => approve(rt.deps, as.person(rt, 'pat'), d.id)).not.toThrow();
  });
});
