import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import * as rule from '../../handlers/rule.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { tick, timerRetryDelay } from '../../src/app/scheduler.js';
import { retryFailedTimers } from '../../db/repos/timers.repo.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { DomainError } from '../../src/core/errors.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, ledgerKinds, openArbitratedCase, outbox } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime | undefined;
const dirs: string[] = [];
afterEach(() => {
  rt?.close();
  rt = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(r: TestRuntime, at: string) {
  r.clock.set(at);
  return tick(r.db, r.deps, r.clock.now(), r.logger);
}
const kinds = (r: ReturnType<typeof run>) => r.fired.map((f) => f.kind);

describe('SLA reminders and escalation at the right business moments', () => {
  it.each([
    {
      name: 'across a weekend (opened Friday 15:00 New York)',
      opened: '2026-12-04T20:00:00Z',
      // 8h of business time: Fri 2h + Mon 6h → Mon 15:00 EST
      firstReminder: '2026-12-07T20:00:00Z',
      // 12.8h: Fri 2h + Mon 8h + Tue 2h48m → Tue 11:48 EST
      secondReminder: '2026-12-08T16:48:00Z',
      // 16h: Fri 2h + Mon 8h + Tue 6h → Tue 15:00 EST
      due: '2026-12-08T20:00:00Z',
    },
    {
      name: 'across a holiday (Christmas Friday) and a weekend',
      opened: '2026-12-24T15:00:00Z', // Thu 10:00 EST: 7h on Thursday, Friday is a holiday
      firstReminder: '2026-12-28T15:00:00Z', // Mon 10:00: 7h + 1h
      secondReminder: '2026-12-28T19:48:00Z', // Mon 14:48: 7h + 5h48m
      due: '2026-12-29T15:00:00Z', // Tue 10:00: 7h + 8h + 1h
    },
    {
      name: 'across the daylight-saving change (US fall back, 2026-11-01)',
      opened: '2026-10-30T17:00:00Z', // Fri 13:00 EDT: 4h on Friday
      firstReminder: '2026-11-02T18:00:00Z', // Mon 13:00 EST: 4h + 4h
      secondReminder: '2026-11-03T14:48:00Z', // Tue 09:48 EST: 4h + 8h + 48m
      due: '2026-11-03T18:00:00Z', // Tue 13:00 EST: 4h + 8h + 4h
    },
  ])('$name', ({ opened, firstReminder, secondReminder, due }) => {
    rt = testRuntime({ at: opened });
    const d = openArbitratedCase(rt);
    expect(d.dueAt!.toISOString()).toBe(new Date(due).toISOString());
    const before = (iso: string) => new Date(new Date(iso).getTime() - 60_000).toISOString();

    expect(kinds(run(rt, before(firstReminder)))).not.toContain('sla.reminder');
    expect(kinds(run(rt, firstReminder))).toEqual(['sla.reminder']);
    expect(outbox(rt).filter((m) => m.summary.startsWith('Reminder: dispute'))).toHaveLength(1);
    expect(kinds(run(rt, before(secondReminder)))).toEqual([]);
    expect(kinds(run(rt, secondReminder))).toEqual(['sla.reminder']);
    expect(kinds(run(rt, before(due)))).toEqual([]);
    expect(kinds(run(rt, due))).toEqual(['sla.breach']);

    const escalated = rt.store.disputes.get(d.id)!;
    expect(escalated).toMatchObject({ arbitrator: 'dana', escalationLevel: 1, status: 'open' });
    expect(escalated.dueAt!.getTime()).toBeGreaterThan(new Date(due).getTime());
    const told = outbox(rt).map((m) => `${m.target} ${m.summary}`);
    expect(told.some((t) => t.includes('"user":"dana"') && t.includes(`Dispute #${d.id}`))).toBe(true);
    expect(told.some((t) => t.includes('"user":"pat"') && t.includes('moved to Dana Reyes'))).toBe(true);
    expect(told.some((t) => t.includes('dispute-thread') && t.includes('escalated to Dana Reyes'))).toBe(true);
    expect(ledgerKinds(rt, `dispute:${d.id}`)).toEqual(['dispute.opened', 'dispute.assigned', 'dispute.reminded', 'dispute.reminded', 'dispute.escalated']);
  });

  it('escalates along the whole chain, then posts to the escalation channel', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00
    const d = openArbitratedCase(rt);
    for (let i = 0; i < 3; i++) {
      const due = rt.store.disputes.get(d.id)!.dueAt!;
      run(rt, due.toISOString());
    }
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2, status: 'open' });
    expect(ledgerKinds(rt, `dispute:${d.id}`).filter((k) => k.startsWith('dispute.escalated'))).toEqual(['dispute.escalated', 'dispute.escalated', 'dispute.escalated_to_channel']);
    // Should the bot not be in the channel, the last person of the chain gets it by DM.
    expect(outbox(rt).some((m) => m.target.includes('"channel":"escalations"') && m.target.includes('"fallbackUser":"vp"') && m.summary.includes('past its whole escalation chain'))).toBe(true);
    // The chain is exhausted: nothing more is scheduled.
    expect(run(rt, '2027-03-01T15:00:00Z').fired.filter((f) => f.subject === `dispute:${d.id}`)).toEqual([]);
  });

  it('past the whole chain with no escalation channel named for the case’s platform, the last person of the chain is told by DM, and the thread says so', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    // A Teams case: the example policy names an escalation channel for Slack only.
    rt.store.disputes.update(d.id, { origin: { platform: 'teams', channel: '19:deals@thread.tacv2', thread: '1700' } });
    const before = outbox(rt).length;
    for (let i = 0; i < 3; i++) run(rt, rt.store.disputes.get(d.id)!.dueAt!.toISOString());
    const told = outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`);
    expect(told.some((t) => t.includes('"user":"29:vp"') && t.includes(`Dispute #${d.id} is past its whole escalation chain`))).toBe(true);
    expect(told.some((t) => t.includes('dispute-thread') && t.includes(`Dispute #${d.id} is past its escalation chain`))).toBe(true);
    expect(told.some((t) => t.includes('"kind":"channel"'))).toBe(false);
  });

  it('a ruling cancels the pending SLA timers', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    rule.approve(rt.deps, as.person(rt, 'pat'), d.id);
    expect(run(rt, '2026-12-20T15:00:00Z').fired.filter((f) => f.subject === `dispute:${d.id}`)).toEqual([]);
  });
});


describe('durability', () => {
  it('a timer that fell due while the process was down fires once at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-sched-'));
    dirs.push(dir);
    const db = join(dir, 'roe.db');
    let first: TestRuntime | undefined = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(first);
    const due = first.store.disputes.get(d.id)!.dueAt!;
    first.close();
    first = undefined;

    rt = testRuntime({ at: new Date(due.getTime() + 3 * 86_400_000).toISOString(), databasePath: db, demo: false });
    const r1 = tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(r1.fired.filter((f) => f.subject === `dispute:${d.id}`).map((f) => f.kind)).toEqual(['sla.reminder', 'sla.reminder', 'sla.breach']);
    expect(tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired).toEqual([]);
    expect(ledgerKinds(rt, `dispute:${d.id}`).filter((k) => k === 'dispute.escalated')).toHaveLength(1);
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
  });

  it('one failing timer never stops the others; it is retried, then given up', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = openArbitratedCase(rt);
    rt.db.sqlite.prepare("insert into timers (kind, subject, due_at, status, payload, attempts, created_at) values ('no.such.kind', 'x:1', ?, 'pending', '{}', 0, ?)").run(Date.parse('2026-12-07T14:00:00Z'), Date.parse('2026-12-07T14:00:00Z'));
    const r = run(rt, d.dueAt!.toISOString());
    expect(r.failed.map((f) => f.kind)).toEqual(['no.such.kind']);
    expect(r.fired.map((f) => f.kind)).toEqual(['sla.reminder', 'sla.reminder', 'sla.breach']);
    for (let i = 0; i < 6; i++) rt.clock.advance(3_600_000 * 24), tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const row = rt.db.sqlite.prepare("select status, attempts, last_error from timers where kind = 'no.such.kind'").get() as { status: string; attempts: number; last_error: string };
    expect(row).toMatchObject({ status: 'failed', attempts: 5, last_error: 'unknown timer kind "no.such.kind"' });
    expect(rt.logs.lines.some((l) => l.includes('timer failed'))).toBe(true);
  });
  it('a timer that fails half-way leaves nothing of its work; the others in its group fire', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const first = openArbitratedCase(rt, 'soylent');
    const second = openArbitratedCase(rt, 'acme-analytics');
    // The first notification written fails: the ledger entry of that timer's work is already in.
    let failures = 1;
    const store = rt.store;
    const failing = { ...store, outbox: { ...store.outbox, enqueue: (...a: Parameters<typeof store.outbox.enqueue>) => (failures-- > 0 ? (() => { throw new Error('disk full'); })() : store.outbox.enqueue(...a)) } };
    const deps = { ...rt.deps, ctx: { ...rt.deps.ctx, store: failing } };
    const before = outbox(rt).length;
    const r = tick(rt.db, deps, new Date(Math.max(first.dueAt!.getTime(), second.dueAt!.getTime())), rt.logger);
    expect(r.failed).toHaveLength(1);
    const failedSubject = r.failed[0]!.id === undefined ? '' : (rt.db.sqlite.prepare('select subject from timers where id = ?').get(r.failed[0]!.id) as { subject: string }).subject;
    expect([`dispute:${first.id}`, `dispute:${second.id}`]).toContain(failedSubject);
    // every other due timer fired: two reminders and a breach per case, less the one that failed
    expect(r.fired).toHaveLength(5);
    // the failed reminder wrote nothing: one fewer reminder in the ledger than fired reminders would give
    const reminded = (subject: string) => ledgerKinds(rt!, subject).filter((k) => k === 'dispute.reminded').length;
    expect(reminded(`dispute:${first.id}`) + reminded(`dispute:${second.id}`)).toBe(r.fired.filter((f) => f.kind === 'sla.reminder').length);
    expect(outbox(rt).length - before).toBeGreaterThan(0);
    // recorded for a retry (and then cancelled with the case's other SLA timers by its breach), never fired
    const row = rt.db.sqlite.prepare('select status, attempts, last_error from timers where id = ?').get(r.failed[0]!.id) as { status: string };
    expect(row).toMatchObject({ attempts: 1, last_error: 'disk full' });
    expect(row.status).not.toBe('fired');
    expect(verifyChain(rt.store.ledger.entries())).toMatchObject({ ok: true });
  });

  it('retries wait a minute, doubled each time, up to just under an hour', () => {
    expect([0, 1, 2, 3].map(timerRetryDelay)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(timerRetryDelay(12)).toBe(3_540_000);
  });

  it('a clock set back (a host clock corrected, a VM restored) does not hold a failed timer’s retry for as long; timers never tried wait for their moment', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', route: 'resell', product: 'Services', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const claim = rt.store.claims.all().at(-1)!;
    const warned = () => outbox(rt!).filter((m) => m.summary.startsWith(`Claim #${claim.id} on Soylent Corp goes dormant`));
    // Everything due before fires; then the claim's dormancy warning fails once (its notification is not written), and is retried a minute later.
    run(rt, '2026-12-24T14:59:00Z');
    const store = rt.store;
    const failing = { ...store, outbox: { ...store.outbox, enqueue: () => { throw new Error('disk full'); } } };
    rt.clock.set('2026-12-24T15:00:00Z');
    const r = tick(rt.db, { ...rt.deps, ctx: { ...rt.deps.ctx, store: failing } }, rt.clock.now(), rt.logger);
    expect(r.failed.map((f) => f.kind)).toEqual(['claim.dormancy_warning']);
    expect(warned()).toEqual([]);
    // Set back by 20 minutes, the clock holds the retry 20 minutes more: it is still ahead.
    expect(kinds(run(rt, '2026-12-24T14:40:00Z'))).toEqual([]);
    expect(warned()).toEqual([]);
    // Set back by 3 hours: further ahead than any retry is held, so it is due now, and the warning goes out.
    expect(run(rt, '2026-12-24T12:00:00Z').fired).toEqual([{ id: r.failed[0]!.id, kind: 'claim.dormancy_warning', subject: `claim:${claim.id}` }]);
    expect(warned()).toHaveLength(1);
    expect(warned()[0]!.target).toContain('northwind-user');
    // The claim's next step, never tried, waits for its own moment (a week ahead); nothing fires twice.
    const pending = rt.db.sqlite.prepare("SELECT kind, due_at AS due FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`) as { kind: string; due: number }[];
    expect(pending.map((t) => `${t.kind} ${new Date(t.due).toISOString()}`)).toEqual(['claim.dormant 2026-12-31T15:00:00.000Z']);
    expect(kinds(run(rt, '2026-12-24T12:01:00Z'))).toEqual([]);
    expect(rt.store.claims.get(claim.id)!.status).toBe('protected');
  });
});

describe('snooze', () => {
  it('moves the reminder, never past the breach, and only for the assigned arbitrator', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00: due Tuesday 17:00
    const d = openArbitratedCase(rt);
    run(rt, '2026-12-07T22:00:00Z'); // first reminder Monday 17:00
    rt.clock.set('2026-12-07T22:00:00Z');
    const r = snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:4h`);
    expect(r.summary).toMatch(/snoozed until Dec 8, 2026, 1:00 PM EST/);
    expect(kinds(run(rt, '2026-12-08T17:59:00Z'))).toEqual([]);
    expect(kinds(run(rt, '2026-12-08T18:00:00Z'))).toEqual(['sla.reminder']);
    const refuse = (who: ReturnType<typeof as.person>, option: string) => {
      try {
        snoozeReminder(rt!.deps, who, `${d.id}:${option}`);
      } catch (e) {
        return (e as DomainError).message;
      }
      return 'accepted';
    };
    expect(refuse(as.person(rt, 'pat'), 'next-business-day')).toMatch(/past the SLA breach/);
    expect(refuse(as.person(rt, 'sam'), '1h')).toMatch(/Only the assigned arbitrator/);
    expect(refuse(as.person(rt, 'pat'), 'forever')).toMatch(/one of 1h, 4h, next-business-day/);
    expect(refuse(as.person(rt, 'pat'), '1h')).toBe('accepted');
  });
});

describe('registration lifecycle', () => {
  it('warns before dormancy, renews on activity, then goes dormant and expires on time', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z', demo: true });
    const values = { account: 'soylent', route: 'resell', product: 'Services', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: consoleOrigin, requestKey: null });
    const claim = rt.store.claims.all().at(-1)!;
    expect(claim.status).toBe('protected');
    const mine = (r: ReturnType<typeof run>) => r.fired.filter((f) => f.subject === `claim:${claim.id}`).map((f) => f.kind);
    // one lifecycle step is pending at a time, the next one
    const planned = () => rt!.db.sqlite.prepare("SELECT kind, due_at AS due FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`).map((r) => { const t = r as { kind: string; due: number }; return `${t.kind} ${new Date(t.due).toISOString()}`; });
    expect(planned()).toEqual(['claim.dormancy_warning 2026-12-24T15:00:00.000Z']);
    // dormant_after 30 days, warning 7 days before
    expect(mine(run(rt, '2026-12-24T14:59:00Z'))).toEqual([]);
    expect(mine(run(rt, '2026-12-24T15:00:00Z'))).toEqual(['claim.dormancy_warning']);
    expect(planned()).toEqual(['claim.dormant 2026-12-31T15:00:00.000Z']);
    const warning = outbox(rt).find((m) => m.summary.startsWith(`Claim #${claim.id} on Soylent Corp goes dormant`));
    expect(warning?.target).toContain('northwind-user');
    logClaimActivity(rt.deps, as.partner(rt, 'northwind'), claim.id);
    expect(planned()).toEqual(['claim.dormancy_warning 2027-01-16T15:00:00.000Z']);
    expect(mine(run(rt, '2026-12-31T15:00:00Z'))).toEqual([]);
    expect(rt.store.claims.get(claim.id)!.status).toBe('protected');
    // renewed on Dec 24: dormant 30 days later
    expect(mine(run(rt, '2027-01-16T15:00:00Z'))).toEqual(['claim.dormancy_warning']);
    expect(mine(run(rt, '2027-01-23T14:59:00Z'))).toEqual([]);
    expect(mine(run(rt, '2027-01-23T15:00:00Z'))).toEqual(['claim.dormant']);
    expect(rt.store.claims.get(claim.id)!.status).toBe('dormant');
    expect(planned()).toEqual(['claim.expire 2027-03-01T15:00:00.000Z']);
    // protection ends 90 days after registration
    expect(mine(run(rt, '2027-03-01T15:00:00Z'))).toEqual(['claim.expire']);
    expect(rt.store.claims.get(claim.id)!.status).toBe('expired');
    expect(planned()).toEqual([]);
    expect(ledgerKinds(rt, `claim:${claim.id}`)).toEqual(['claim.filed', 'claim.protected', 'claim.dormancy_warning', 'claim.activity', 'claim.dormancy_warning', 'claim.dormant', 'claim.expired']);
    // the account is open to the next claimant
    const next = submitClaim(rt.deps, as.partner(rt, 'contoso'), values, { origin: consoleOrigin, requestKey: null });
    expect(next.summary).toMatch(/is protected/);
  });
});

describe('imported claims', () => {
  it('a claim imported as dormant expires at the end of its protection, once', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', demo: true });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nD1,soylent,northwind,resell,Services,Deal,qualified,,,dormant,2026-11-01,2026-11-01\n`);
    const claim = rt.store.claims.byRequestKey('import:D1')!;
    expect(claim.status).toBe('dormant');
    const planned = () => rt!.db.sqlite.prepare("SELECT kind, due_at AS due FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`).map((r) => { const t = r as { kind: string; due: number }; return `${t.kind} ${new Date(t.due).toISOString()}`; });
    // registered Nov 1 (midnight in New York, the policy's zone: 04:00 UTC, summer time), protection 90 days on
    // New York's calendar: midnight on Jan 30 (05:00 UTC, winter time), not 23:00 on Jan 29
    expect(planned()).toEqual(['claim.expire 2027-01-30T05:00:00.000Z']);
    expect(run(rt, '2027-01-30T04:59:00Z').fired.filter((f) => f.subject === `claim:${claim.id}`)).toEqual([]);
    expect(kinds(run(rt, '2027-01-30T05:00:00Z'))).toContain('claim.expire');
    expect(rt.store.claims.get(claim.id)!.status).toBe('expired');
    expect(planned()).toEqual([]);
    expect(ledgerKinds(rt, `claim:${claim.id}`)).toEqual(['claim.imported', 'claim.expired']);
  });
});

describe('a failed lifecycle timer fired again (roe timers retry) does only what still applies', () => {
  it('an expiry planned for a protection end that a CRM re-import moved later does not expire the claim', () => {
    // Imported within a week of its end of protection: no time left to warn of it.
    rt = testRuntime({ at: '2027-01-25T15:00:00Z', demo: true });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    // Activity late in its protection: the claim's next step is its expiry (Jan 30), before any dormancy.
    const row = (registered: string) => `${header}\nP1,soylent,northwind,resell,Services,Deal,qualified,,,protected,${registered},2027-01-05\n`;
    importCsv(rt.ctx, 'claims', 'c.csv', row('2026-11-01'));
    const claim = rt.store.claims.byRequestKey('import:P1')!;
    const pending = () => rt!.db.sqlite.prepare("SELECT id, kind FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`) as { id: number; kind: string }[];
    const [expire] = pending();
    expect(expire!.kind).toBe('claim.expire');
    // That timer failed every attempt (a fault since fixed): it is given up, and listed by `roe timers`.
    rt.db.sqlite.prepare("UPDATE timers SET status = 'failed', attempts = 5, last_error = 'a fault since fixed' WHERE id = ?").run(expire!.id);
    // The CRM re-dates the registration: protection now ends on Mar 1, and the lifecycle is planned again.
    importCsv(rt.ctx, 'claims', 'c.csv', row('2026-12-01'));
    expect(rt.store.claims.get(claim.id)!.protectedUntil!.getTime()).toBeGreaterThan(new Date('2027-02-28T00:00:00Z').getTime());
    // Once the fault is fixed, every failed timer is fired again, after the old end of protection.
    rt.clock.set('2027-01-31T15:00:00Z');
    expect(retryFailedTimers(rt.db.db, null, rt.clock.now())).toBe(1);
    run(rt, '2027-01-31T15:00:00Z');
    expect(rt.store.claims.get(claim.id)!.status).toBe('protected');
    expect(ledgerKinds(rt, `claim:${claim.id}`)).not.toContain('claim.expired');
    expect(outbox(rt).filter((m) => m.summary.includes('expired'))).toEqual([]);
    expect(pending().length).toBe(1);
  });
  it('an expiry retried early under a clock set back leaves the claim its expiry, at the end of its protection', () => {
    // Imported within a week of its end of protection: no time left to warn of it.
    rt = testRuntime({ at: '2027-01-25T15:00:00Z', demo: true });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nP1,soylent,northwind,resell,Services,Deal,qualified,,,protected,2026-11-01,2027-01-05\n`);
    const claim = rt.store.claims.byRequestKey('import:P1')!;
    const pending = () => (rt!.db.sqlite.prepare("SELECT kind, due_at AS due FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`) as { kind: string; due: number }[]).map((t) => `${t.kind} ${new Date(t.due).toISOString()}`);
    expect(pending()).toEqual(['claim.expire 2027-01-30T05:00:00.000Z']);
    // It failed once at its moment, to be tried again a minute later; then the host's clock is set back by two hours.
    rt.db.sqlite.prepare("UPDATE timers SET attempts = 1, due_at = ? WHERE subject = ? AND status = 'pending'").run(new Date('2027-01-30T05:01:00Z').getTime(), `claim:${claim.id}`);
    run(rt, '2027-01-30T03:01:00Z');
    expect(rt.store.claims.get(claim.id)!.status).toBe('protected');
    expect(pending()).toEqual(['claim.expire 2027-01-30T05:00:00.000Z']);
    run(rt, '2027-01-30T05:00:00Z');
    expect(rt.store.claims.get(claim.id)!.status).toBe('expired');
    expect(ledgerKinds(rt, `claim:${claim.id}`).filter((k) => k === 'claim.expired')).toHaveLength(1);
  });
});

describe('claims imported by another process under a policy version this one has not taken in yet', () => {
  // The server runs 2026.1 (dormant after 30 days). An import run with 2026.2 (in force since
  // Nov 1, with other registration terms) brings a claim registered Nov 2, with no activity since,
  // whose dormancy warning is due at once. The server's next tick comes before it takes 2026.2 in.
  it.each([
    ['dormant after 20 days under its version: gone dormant Nov 22, so no warning (2026.1 would warn of Dec 2)', '20', '5', [], 'dormant', 'claim.expire 2027-01-31T15:00:00.000Z'],
    ['dormant after 40 days under its version: warned of Dec 12 (2026.1 would warn of Dec 2, and make it dormant then)', '40', '30', ['2026-12-12T15:00:00.000Z'], 'protected', 'claim.dormant 2026-12-12T15:00:00.000Z'],
  ] as const)('its lifecycle follows its own version: %s', (_n, dormant, warn, warnedOf, status, next) => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-sched-'));
    dirs.push(dir);
    const databasePath = join(dir, 'roe.db');
    rt = testRuntime({ at: '2026-11-30T15:00:00Z', databasePath });
    const v2 = join(dir, 'policy-2026.2.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-11-01'], ['dormant_after_days: 30', `dormant_after_days: ${dormant}`], ['dormancy_warning_days: 7', `dormancy_warning_days: ${warn}`]]));
    const importer = testRuntime({ at: '2026-11-30T15:00:00Z', databasePath, policyPath: v2, demo: false });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(importer.ctx, 'claims', 'c.csv', `${header}\nV2,soylent,northwind,resell,Services,Deal,qualified,,,protected,2026-11-02T15:00:00Z,\n`);
    importer.close();
    const claim = rt.store.claims.byRequestKey('import:V2')!;
    expect(claim.policyVersion).toBe('2026.2');
    const planned = () => rt!.db.sqlite.prepare("SELECT kind, due_at AS due FROM timers WHERE subject = ? AND status = 'pending'").all(`claim:${claim.id}`).map((r) => { const t = r as { kind: string; due: number }; return `${t.kind} ${new Date(t.due).toISOString()}`; });
    run(rt, '2026-11-30T15:00:01Z');
    expect(ledgerKinds(rt, `claim:${claim.id}`)).toEqual(['claim.imported']);
    expect(rt.refreshPolicies()).toBe(true);
    for (const at of ['2026-11-30T15:00:20Z', '2026-11-30T15:00:21Z', '2026-11-30T15:00:22Z']) run(rt, at);
    const warnings = [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${claim.id}` && e.kind === 'claim.dormancy_warning');
    expect(warnings.map((e) => (e.payload as { dormantAt: string }).dormantAt)).toEqual(warnedOf);
    expect(rt.store.claims.get(claim.id)!.status).toBe(status);
    expect(planned()).toEqual([next]);
  });
});

describe('consequences', () => {
  it('flags a partner at the violation threshold (its claims then wait for approval) and lifts it when the window passes', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const values = (account: string, product = 'Services', stage = 'qualified') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
    for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'Services', 'proposal'), { origin: consoleOrigin, requestKey: null });
    rt.clock.advance(3_600_000);
    // contoso already holds initech Core Platform (demo) — different product line, so no conflict there.
    // Each of its claims meets Northwind's protection further along: furthest-stage only
    // recommends, and the arbitrator rules for Northwind. A violation is a claim lost in a ruling.
    for (const a of ['soylent', 'initech', 'muller']) {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a), { origin: consoleOrigin, requestKey: null });
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ status: 'open', recommendation: 'northwind' });
      expect(rt.store.claims.forClaimant('contoso').filter((c) => c.violation)).toHaveLength(['soylent', 'initech', 'muller'].indexOf(a));
      rule.approve(rt.deps, as.person(rt, d.arbitrator), d.id);
    }
    expect(rt.store.claims.forClaimant('contoso').filter((c) => c.violation)).toHaveLength(3);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged']);
    // partner ops are told in the escalation channel
    expect(outbox(rt).some((m) => m.target.includes('"channel":"escalations"') && m.summary === 'Contoso Consulting is flagged after 3 violations: its new claims wait for an arbitrator’s approval')).toBe(true);
    const flaggedClaim = submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), { origin: consoleOrigin, requestKey: null });
    expect(flaggedClaim.summary).toMatch(/is pending/);
    expect(rt.store.disputes.all().at(-1)!.reason).toMatch(/flagged for repeated violations/);
    // window_days 180 after the violations (11:00 AM in New York on Dec 1): calendar days, 11:00 AM (EDT) on May 30, 15:00 UTC
    expect(run(rt, '2027-05-30T14:59:00Z').fired.filter((f) => f.kind === 'partner.flag_review')).toEqual([]);
    expect(run(rt, '2027-05-30T15:00:00Z').fired.filter((f) => f.kind === 'partner.flag_review')).toHaveLength(1);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), values('wayne', 'Analytics'), { origin: consoleOrigin, requestKey: null }).summary).toMatch(/is protected/);
  });
});

describe('a case with nothing left to rule', () => {
  const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
  /**
   * Both partners' registrations come from the CRM: Northwind's protected, Contoso's later one
   * further along and pending; Contoso disputes, furthest-stage only recommends: Pat rules.
   */
  function importedCase(r: TestRuntime) {
    importCsv(r.ctx, 'claims', 'c.csv', `${header}\nN1,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-11-20,2026-12-01\nC1,soylent,contoso,resell,Analytics,Deal,proposal,,,pending,2026-12-01,2026-12-01\n`);
    const d = r.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
    expect(d.claimIds).toHaveLength(2);
    return d;
  }
  const reimport = (r: TestRuntime, n1: string, c1: string) =>
    importCsv(r.ctx, 'claims', 'c.csv', `${header}\nN1,soylent,northwind,resell,Analytics,Deal,qualified,,,${n1},2026-11-20,2026-12-01\nC1,soylent,contoso,resell,Analytics,Deal,proposal,,,${c1},2026-12-01,2026-12-01\n`);

  it('a CRM re-import that closes every claim of a running case has the server close the case at its next tick, and tells its people; no reminder follows', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    reimport(rt, 'won', 'lost');
    expect(rt.store.disputes.get(d.id)!.status).toBe('open'); // the import itself tells nobody
    const before = outbox(rt).length;
    expect(kinds(run(rt, '2026-12-07T14:00:01Z'))).toContain('dispute.review');
    expect(rt.store.disputes.get(d.id)!.status).toBe('withdrawn');
    expect(ledgerKinds(rt, `dispute:${d.id}`).at(-1)).toBe('dispute.withdrawn');
    const told = outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`);
    // The import opened the case: no thread, no raiser in chat; its arbitrator is told.
    expect(told.some((t) => t.includes('"user":"pat"') && t.includes(`Dispute #${d.id} on Soylent Corp (Analytics) needs no ruling`))).toBe(true);
    // The SLA's reminders and breach are gone: nothing more about this case, ever.
    expect(run(rt, '2027-01-15T15:00:00Z').fired.filter((f) => f.subject === `dispute:${d.id}`)).toEqual([]);
    expect(verifyChain(rt.store.ledger.entries()).ok).toBe(true);
    // A ruling button still on someone's screen says what happened to the case.
    expect(() => rule.approve(rt!.deps, as.person(rt!, 'pat'), `${d.id}:contoso`)).toThrow(`Dispute #${d.id} was closed without a ruling: none of its claims is live any more.`);
  });

  it('an approval sent before the next tick looks at the case again (the recommended party’s claim closed in the CRM meanwhile) never gives the line to that party: it is refused, and the case as it stands is sent', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    expect(d.recommendation).toBe('contoso');
    // The CRM says Contoso's deal is lost: the case is to be recommended again at the server's next tick.
    reimport(rt, 'protected', 'lost');
    const before = outbox(rt).length;
    // Pat approves from the card sent before, in the moment before that tick.
    expect(() => rule.approve(rt!.deps, as.person(rt!, 'pat'), `${d.id}:contoso`)).toThrow(
      `The recommendation on dispute #${d.id} changed since this card was sent (a claim joined the case, or the recommended party's claim closed): the criteria now recommend Northwind Partners. Nothing was ruled: the case as it stands now was sent to you; rule on what it says.`,
    );
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'northwind' });
    expect(rt.store.claims.byRequestKey('import:N1')!.status).toBe('protected');
    expect(ledgerKinds(rt, `dispute:${d.id}`)).not.toContain('dispute.ruled');
    const told = outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`);
    expect(told.filter((t) => t.includes('"user":"pat"') && t.includes('the recommendation changed'))).toHaveLength(1);
    // The tick finds the case as it stands: nothing more to say.
    run(rt, '2026-12-07T14:00:01Z');
    expect(outbox(rt).slice(before).map((m) => m.summary).filter((s) => s.includes('the recommendation changed'))).toHaveLength(1);
    rule.approve(rt.deps, as.person(rt, 'pat'), `${d.id}:northwind`);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
    expect(verifyChain(rt.store.ledger.entries()).ok).toBe(true);
  });

  it('so is an approval typed without the party (the console’s /approve N), and one of a case whose claims all closed meanwhile is told it closed', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    reimport(rt, 'protected', 'lost');
    expect(() => rule.approve(rt!.deps, as.person(rt!, 'pat'), String(d.id))).toThrow(`the criteria now recommend Northwind Partners. Nothing was ruled`);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    const other = testRuntime({ at: '2026-12-07T14:00:00Z' });
    try {
      const e = importedCase(other);
      reimport(other, 'won', 'lost');
      expect(() => rule.approve(other.deps, as.person(other, 'pat'), `${e.id}:contoso`)).toThrow(`Dispute #${e.id} was closed without a ruling: none of its claims is live any more.`);
      expect(other.store.disputes.get(e.id)!.status).toBe('withdrawn');
      expect(other.store.claims.byRequestKey('import:N1')!.status).toBe('won');
    } finally {
      other.close();
    }
  });

  it('a case raised in a channel that a CRM re-import leaves with nothing to rule: its thread and its raiser are told, the raiser once', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const n1 = `${header}\nN1,soylent,northwind,resell,Analytics,Deal,qualified,,,protected,2026-11-20,2026-12-01\n`;
    importCsv(rt.ctx, 'claims', 'c.csv', n1);
    // Contoso files in the channel, further along: the case opens there, Pat rules.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', raisedAs: 'contoso' });
    // Contoso's claim is lost (as a CRM update would have it), then the CRM says Northwind won.
    rt.store.claims.update(d.claimIds.find((id) => rt!.store.claims.get(id)!.claimant === 'contoso')!, { status: 'lost' });
    importCsv(rt.ctx, 'claims', 'c.csv', n1.replace(',protected,', ',won,'));
    const before = outbox(rt).length;
    run(rt, '2026-12-07T14:00:01Z');
    expect(rt.store.disputes.get(d.id)!.status).toBe('withdrawn');
    const told = outbox(rt).slice(before).map((m) => `${m.target} ${m.summary}`);
    expect(told.some((t) => t.includes('dispute-thread') && t.includes(`Dispute #${d.id} closed without a ruling`))).toBe(true);
    expect(told.some((t) => t.includes('"user":"pat"') && t.includes(`Dispute #${d.id} on Soylent Corp (Analytics) needs no ruling`))).toBe(true);
    // Contoso raised it: told once, by DM (the thread's copy for the raiser is left out).
    expect(told.filter((t) => t.includes('contoso-user') && t.includes(`Dispute #${d.id} on Soylent Corp (Analytics) closed`))).toHaveLength(1);
    const thread = rt.db.sqlite.prepare("SELECT body FROM outbox WHERE target LIKE '%dispute-thread%' ORDER BY id DESC LIMIT 1").get() as { body: string };
    expect(JSON.parse(thread.body)).toMatchObject({ raiserCopy: null, broadcast: true });
  });

  it('a case whose claims had all closed with nothing to look at it again (an import before this check) is closed at its next reminder instead of chased', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    for (const id of d.claimIds) rt.store.claims.update(id, { status: 'lost' });
    const fired = run(rt, rt.store.disputes.get(d.id)!.dueAt!.toISOString()).fired.filter((f) => f.subject === `dispute:${d.id}`);
    expect(fired.map((f) => f.kind)[0]).toBe('sla.reminder');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'withdrawn', arbitrator: 'pat', escalationLevel: 0 });
    expect(ledgerKinds(rt, `dispute:${d.id}`)).not.toContain('dispute.reminded');
  });

  it('a case with a claim still live is left to the arbitrator; when that last claim expires while it waits, the case closes', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    reimport(rt, 'protected', 'lost');
    run(rt, '2026-12-07T14:00:01Z');
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // Northwind's protection (90 days from 2026-11-20) ends while the case is still unruled.
    const n1 = rt.store.claims.byRequestKey('import:N1')!;
    rt.store.disputes.update(d.id, { dueAt: new Date('2027-06-01T00:00:00Z') });
    rt.db.sqlite.prepare("UPDATE timers SET status = 'cancelled' WHERE subject = ? AND kind LIKE 'sla.%'").run(`dispute:${d.id}`);
    // Its lifecycle steps fire one tick after another; its dormancy, fired past the end of its protection, expires it.
    const fired = [1, 2, 3, 4].flatMap(() => run(rt!, '2027-02-19T14:00:00Z').fired);
    expect(fired.some((f) => f.subject === `claim:${n1.id}`)).toBe(true);
    expect(rt.store.claims.get(n1.id)!.status).toBe('expired');
    expect(rt.store.disputes.get(d.id)!.status).toBe('withdrawn');
  });

  it('a case with a party that holds no claim in it (an owner by incumbency) is never closed this way', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    const d = importedCase(rt);
    rt.store.disputes.update(d.id, { parties: [...d.parties, 'fabrikam'] });
    reimport(rt, 'won', 'lost');
    run(rt, '2026-12-07T14:00:01Z');
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
  });
});
