import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../../handlers/claim.js';
import { tick } from '../../../src/app/scheduler.js';
import { policyTextWith } from '../../support/builders.js';
import { ledgerKinds, openArbitratedCase, outbox } from '../../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-escalation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime | undefined;
afterEach(() => {
  rt?.close();
  rt = undefined;
});

describe('escalation', () => {
  it('skips someone the policy in force no longer names: the case goes to the next person, who is told', () => {
    const db = join(dir, 'removed.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db }); // Mon 09:00 New York
    const slack = { origin: { platform: 'slack' as const, channel: 'C1', thread: null }, requestKey: null };
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
    submitClaim(v1.deps, as.partner(v1, 'northwind'), values, slack);
    submitClaim(v1.deps, as.partner(v1, 'contoso'), { ...values, stage: 'qualified' }, slack);
    const opened = v1.store.disputes.all().at(-1)!; // Default coverage: pat, then dana, then vp
    expect(opened).toMatchObject({ status: 'open', arbitrator: 'pat' });
    v1.close();
    // 2026.2, from Dec 8: Dana has left; her coverage goes to Sam.
    const v2 = join(dir, 'v2.yaml');
    writeFileSync(
      v2,
      policyTextWith([
        ['version: "2026.1"', 'version: "2026.2"'],
        ['effective: 2026-01-01', 'effective: 2026-12-08'],
        ['  dana: { name: Dana Reyes, slack: U0DANA, teams: "29:dana", email: dana@example.com }\n', ''],
        ['model: direct-led, arbitrator: dana', 'model: direct-led, arbitrator: sam'],
        ['model: co-sell, arbitrator: dana', 'model: co-sell, arbitrator: sam'],
        ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [vp]'],
      ]),
    );
    rt = testRuntime({ at: opened.dueAt!.toISOString(), databasePath: db, policyPath: v2, demo: false });
    const before = outbox(rt).length;
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(opened.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2 });
    const told = outbox(rt).slice(before);
    expect(told.some((m) => m.target.includes('U0VP') && m.summary.startsWith(`Dispute #${opened.id} on Soylent`))).toBe(true);
    expect(told.map((m) => m.target).join()).not.toContain('U0DANA');
  });

  it('after downtime, a reminder whose deadline has passed is not sent: the breach moves the case', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Mon 09:00 New York
    const d = openArbitratedCase(rt); // due Tue 17:00
    const before = outbox(rt).length;
    rt.clock.set('2026-12-10T15:00:00Z'); // Thursday: the bot was down since Monday
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(outbox(rt).slice(before).map((m) => m.summary).filter((s) => s.startsWith('Reminder'))).toEqual([]);
    expect(ledgerKinds(rt, `dispute:${d.id}`)).not.toContain('dispute.reminded');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
  });

  it('after downtime, a dormancy warning for a claim already due to go dormant is not sent', () => {
    rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: { platform: 'console', channel: 'console', thread: null }, requestKey: null });
    const claim = rt.store.claims.forAccount('soylent')[0]!;
    rt.clock.set('2027-01-08T15:00:00Z'); // the bot was down through the warning and the dormancy date
    for (let i = 0; i < 3; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, `claim:${claim.id}`)).not.toContain('claim.dormancy_warning');
    expect(rt.store.claims.get(claim.id)!.status).toBe('dormant');
  });

  const claimOn = (stage: string) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
  const consoleMeta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };

  it('a case takes its SLA, business hours and holidays from the version in force when it opens, even over an older claim', () => {
    const db = join(dir, 'sla-version.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), claimOn('qualified'), consoleMeta); // registered under 2026.1 (16h SLA)
    v1.close();
    const v2 = join(dir, 'sla-v2.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['arbitration: 16h', 'arbitration: 8h'], ['2026-12-25]', '2026-12-04, 2026-12-25]']]));
    rt = testRuntime({ at: '2026-12-03T14:00:00Z', databasePath: db, policyPath: v2, demo: false }); // Thu 09:00 New York
    submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('proposal'), consoleMeta);
    const d = rt.store.disputes.all().at(-1)!;
    // judged under the claim's 2026.1, due under 2026.2: 8 business hours, Thu 17:00
    expect(d).toMatchObject({ status: 'open', policyVersion: '2026.1', dueAt: new Date('2026-12-03T22:00:00Z') });
  });

  // A reminder whose fraction of the SLA lands on a closing time rings at that closing, not at
  // the next opening, and names the deadline as the case card does.
  it.each<[string, [string, string][], string, string, string]>([
    // 16h from Monday 09:00: halfway is Monday 17:00 (an opening would be Tuesday 09:00, 14:00Z).
    ['09:00-17:00: halfway rings at Monday 17:00', [], '2026-12-07T22:00:00Z', '2026-12-08T22:00:00Z', 'Dec 8, 2026, 5:00 PM EST'],
    // 30h of 09:00-24:00 from Monday 09:00: halfway is Monday's midnight; the deadline Tuesday's, read as the end of Tuesday.
    ['09:00-24:00: halfway rings at Monday midnight', [['end: "17:00"', 'end: "24:00"'], ['arbitration: 16h', 'arbitration: 30h']], '2026-12-08T05:00:00Z', '2026-12-09T05:00:00Z', 'end of Dec 8, 2026 (midnight EST)'],
  ])('%s', (name, edits, reminderAt, dueAt, dueWords) => {
    const policy = join(dir, `closing-${name.slice(0, 11).replace(/\W/g, '')}.yaml`);
    writeFileSync(policy, policyTextWith([...edits, ['reminders: [0.5, 0.8]', 'reminders: [0.5]']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: policy }); // Mon 09:00 New York
    const d = openArbitratedCase(rt);
    expect(d.dueAt!.toISOString()).toBe(new Date(dueAt).toISOString());
    const reminders = () => outbox(rt!).filter((m) => m.summary.startsWith('Reminder'));
    rt.clock.set(new Date(new Date(reminderAt).getTime() - 1).toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(reminders()).toEqual([]);
    rt.clock.set(reminderAt);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(reminders().map((m) => m.summary)).toEqual([expect.stringMatching(new RegExp(`is due ${dueWords.replace(/[()]/g, '\\$&')}$`))]);
  });

  it('an escalation starts its SLA under the version in force then: a holiday added meanwhile is no business day', () => {
    const db = join(dir, 'sla-holiday.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db }); // Mon 09:00
    const d0 = openArbitratedCase(v1);
    v1.close();
    const v2 = join(dir, 'sla-holiday.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], ['2026-12-25]', '2026-12-09, 2026-12-25]']]));
    rt = testRuntime({ at: d0.dueAt!.toISOString(), databasePath: db, policyPath: v2, demo: false }); // the breach, Tue 17:00
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    // Wed Dec 9 closed: 16 business hours are Thu and Fri, due Fri 17:00
    expect(rt.store.disputes.get(d0.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1, dueAt: new Date('2026-12-11T22:00:00Z') });
  });
});
