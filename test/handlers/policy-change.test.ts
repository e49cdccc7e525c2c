import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, awardForm, caseCard } from '../../handlers/rule.js';
import { roe } from '../../handlers/roe.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { showAccount } from '../../handlers/who-owns.js';
import { tick } from '../../src/app/scheduler.js';
import { queueFor, raiseDispute, rule } from '../../src/core/disputes/disputes.service.js';
import { policyTextWith } from '../support/builders.js';
import { ledgerKinds, openArbitratedCase, outbox } from '../support/cases.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-pchange-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const meta = { origin: consoleOrigin, requestKey: null };
const claimOn = (product: string) => ({ account: 'soylent', route: 'resell', product, opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' });

/** A database where Northwind's claim on Soylent (Core Platform) is protected under 2026.1, then 2026.2 spells the line `Core platform`. */
function recased(name: string) {
  const db = join(dir, `${name}.db`);
  const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
  submitClaim(v1.deps, as.partner(v1, 'northwind'), claimOn('Core Platform'), meta);
  const held = v1.store.claims.forAccount('soylent').at(-1)!;
  v1.close();
  expect(held).toMatchObject({ status: 'protected', productLine: 'Core Platform' });
  const v2 = join(dir, `${name}.yaml`);
  writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['product_lines: [Core Platform,', 'product_lines: [Core platform,']]));
  return { rt: testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2, demo: false }), held };
}

describe('a version that re-cases a product line: it is the same line', () => {
  it('a new claim on it meets the older claims there: one party holds it, never two', () => {
    const { rt, held } = recased('overlap');
    try {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('core platform'), meta);
      const protectedBy = rt.store.claims.forAccount('soylent').filter((c) => c.status === 'protected').map((c) => c.claimant);
      expect(protectedBy).toEqual(['northwind']);
      expect(rt.store.disputes.all().at(-1)).toMatchObject({ accountId: 'soylent', parties: expect.arrayContaining(['contoso', 'northwind']), claimIds: expect.arrayContaining([held.id]) });
      // /who-owns shows the one line, spelled as the policy in force spells it (a claim keeps its own spelling).
      const answer = JSON.stringify(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'));
      // (and the lines nobody claimed, open)
      expect(answer.match(/"Owner \([^)]*\)"/g)).toEqual(['"Owner (Core platform)"', '"Owner (other product lines)"']);
    } finally {
      rt.close();
    }
  });

  it('a dispute against an older claim on it can be raised', () => {
    const { rt, held } = recased('dispute');
    try {
      const r = rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'soylent', productLine: 'Core platform', againstClaimId: held.id, reason: 'We were there first.', evidence: '', origin: consoleOrigin, requestKey: null }));
      expect(rt.store.disputes.get(r.dispute.id)).toMatchObject({ productLine: 'Core platform', claimIds: [held.id] });
    } finally {
      rt.close();
    }
  });
});


/** The scheduler's ticks at this moment, until nothing more is due (a version taking effect has each case it concerns checked in the tick after). */
function settle(rt: TestRuntime) {
  for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
}

describe('people who leave the policy while their cases run', () => {
  const PAT = '  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n';
  const VP = 'vp: { name: Morgan Lee, slack: U0VP, teams: "29:vp", email: morgan@example.com }';

  /** Pat's case over Soylent (Default coverage: pat, then dana, then vp), filed in Slack; then 2026.2 from Dec 8 without Pat, Sam arbitrating Default. */
  function patLeft(name: string, platform: 'slack' | 'console' = 'slack') {
    const db = join(dir, `${name}.db`);
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db }); // Mon 09:00 New York
    const where = { origin: platform === 'slack' ? { platform: 'slack' as const, channel: 'C1', thread: null } : consoleOrigin, requestKey: null };
    submitClaim(v1.deps, as.partner(v1, 'northwind'), { ...claimOn('Analytics'), stage: 'proposal' }, where);
    submitClaim(v1.deps, as.partner(v1, 'contoso'), claimOn('Analytics'), where);
    const d = v1.store.disputes.all().at(-1)!;
    // Pat's case card in their Slack DM, as the outbox worker records it once delivered.
    if (platform === 'slack') v1.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1700000000.000100', user: 'U0PAT', person: 'pat' });
    v1.close();
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', escalationLevel: 0 });
    const v2 = join(dir, `${name}.yaml`);
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], [PAT, ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    return { d, rt: testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, policyPath: v2, demo: false }) };
  }

  it('the next person of the chain may rule at once, and at the next reminder the case is handed to them with a fresh SLA (no reminder to nobody)', () => {
    const { d, rt } = patLeft('pat-left');
    try {
      expect(queueFor(rt.ctx, 'dana').map((x) => x.id)).toEqual([d.id]);
      const before = outbox(rt).at(-1)?.id ?? 0;
      rt.clock.set('2026-12-08T15:00:00Z'); // past the 50% reminder
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      const moved = rt.store.disputes.get(d.id)!;
      expect(moved).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 1 });
      expect(moved.dueAt!.getTime()).toBeGreaterThan(d.dueAt!.getTime());
      const kinds = ledgerKinds(rt, `dispute:${d.id}`);
      expect(kinds).toContain('dispute.reassigned');
      expect(kinds).not.toContain('dispute.reminded');
      // Dana is sent the case, saying why; the thread hears it too, naming Pat by name.
      const sent = rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(before) as { target: string; body: string }[];
      expect(sent.some((m) => m.target.includes('"user":"U0DANA"') && m.body.includes('Yours to rule now: Pat Okafor is no longer among the policy') && m.body.includes('rule_approve'))).toBe(true);
      expect(sent.some((m) => m.target === `{"kind":"dispute-thread","disputeId":${d.id}}` && m.body.includes(`"summary":"Dispute #${d.id} moved to Dana Reyes"`))).toBe(true);
      // Not an SLA breach: the stats count none.
      expect(kinds).not.toContain('dispute.escalated');
      approve(rt.deps, as.person(rt, 'dana'), d.id);
      expect(rt.store.disputes.get(d.id)!.status).toBe('ruled');
    } finally {
      rt.close();
    }
  });

  it.each(['slack', 'console'] as const)('in %s, the one who left hears of no SLA breach: their case card says why the case moved, and no DM is sent to them', (platform) => {
    const { d, rt } = patLeft(`left-${platform}`, platform);
    try {
      const before = outbox(rt).at(-1)?.id ?? 0;
      rt.clock.set('2026-12-08T15:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      const toPat = rt.db.sqlite.prepare("select body from outbox where id > ? and (target like '%D0PAT%' or target like '%\"user\":\"pat\"%')").all(before) as { body: string }[];
      expect(toPat.map((m) => m.body).join('\n')).not.toContain('breached');
      if (platform === 'slack') expect(toPat.map((m) => m.body)).toEqual([expect.stringContaining("Pat Okafor is no longer among the policy's people: this case moved to Dana Reyes, who rules on it now.")]);
      else expect(toPat).toEqual([]);
    } finally {
      rt.close();
    }
  });

  /** Pat's case over Soylent, opened Mon 09:00 New York (16 business hours: reminders Mon 17:00 and Tue 13:48, breach Tue 17:00). */
  function patCase(name: string) {
    const db = join(dir, `${name}.db`);
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), { ...claimOn('Analytics'), stage: 'proposal' }, meta);
    submitClaim(v1.deps, as.partner(v1, 'contoso'), claimOn('Analytics'), meta);
    const d = v1.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ arbitrator: 'pat' });
    return { db, d, v1 };
  }
  const withoutPat = (name: string, effective: string) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', `effective: ${effective}`], [PAT, ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    return path;
  };

  it('past its last reminder, the case is handed on when the version is loaded, not at its breach (which would count as one)', () => {
    const { db, d, v1 } = patCase('pat-late');
    // Mon 17:00, then Tue 15:00 New York: both reminders have gone to Pat.
    v1.clock.set('2026-12-07T22:00:00Z');
    tick(v1.db, v1.deps, v1.clock.now(), v1.logger);
    v1.clock.set('2026-12-08T20:00:00Z');
    tick(v1.db, v1.deps, v1.clock.now(), v1.logger);
    expect(ledgerKinds(v1, `dispute:${d.id}`).filter((k) => k === 'dispute.reminded')).toHaveLength(2);
    v1.close();
    const rt = testRuntime({ at: '2026-12-08T20:30:00Z', databasePath: db, policyPath: withoutPat('pat-late', '2026-12-08'), demo: false });
    try {
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 1 });
      const kinds = ledgerKinds(rt, `dispute:${d.id}`);
      expect(kinds).toContain('dispute.reassigned');
      expect(kinds).not.toContain('dispute.escalated');
    } finally {
      rt.close();
    }
  });

  it('a version loaded ahead of its effective date hands the case on when it takes effect', () => {
    const { db, d, v1 } = patCase('pat-ahead');
    v1.close();
    const rt = testRuntime({ at: '2026-12-07T16:00:00Z', databasePath: db, policyPath: withoutPat('pat-ahead', '2026-12-08'), demo: false });
    try {
      // Mon 18:00 New York: the first reminder goes to Pat, who is still in the policy in force.
      rt.clock.set('2026-12-07T23:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
      expect(ledgerKinds(rt, `dispute:${d.id}`)).toContain('dispute.reminded');
      // Midnight in New York: 2026.2 is in force.
      rt.clock.set('2026-12-08T05:00:00Z');
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 1 });
      expect(ledgerKinds(rt, `dispute:${d.id}`)).toContain('dispute.reassigned');
    } finally {
      rt.close();
    }
  });

  it('a version recorded by another process (an import with a new ROE_POLICY) is checked once this one has taken it in', () => {
    const { db, d, v1: server } = patCase('pat-elsewhere');
    try {
      // Another process records 2026.2, in force already, without Pat.
      server.clock.set('2026-12-08T14:00:00Z');
      testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, policyPath: withoutPat('pat-elsewhere', '2026-12-08'), demo: false }).close();
      // The server has not taken 2026.2 in yet: its check waits for it rather than passing.
      tick(server.db, server.deps, server.clock.now(), server.logger);
      expect(server.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat' });
      expect(server.refreshPolicies()).toBe(true);
      server.clock.set('2026-12-08T14:00:20Z');
      settle(server);
      expect(server.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      expect(ledgerKinds(server, `dispute:${d.id}`)).toContain('dispute.reassigned');
    } finally {
      server.close();
    }
  });

  it('a process that never takes the version in says so after ten minutes (a timer failure naming the version), and hands the case on once it has', () => {
    const { db, d, v1: server } = patCase('pat-never');
    try {
      server.clock.set('2026-12-08T14:00:00Z');
      testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, policyPath: withoutPat('pat-never', '2026-12-08'), demo: false }).close();
      const failures: string[] = [];
      for (let s = 0; s <= 10.5 * 60; s += 15) {
        server.clock.set(new Date(Date.parse('2026-12-08T14:00:00Z') + s * 1000));
        const r = tick(server.db, server.deps, server.clock.now(), server.logger);
        failures.push(...r.failed.map((f) => `${f.kind}: ${f.error}`));
      }
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(/^policy\.effective: policy version "2026\.2" is recorded in the database but this process has not loaded it/);
      expect(server.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat' });
      // Taken in at last: the timer's next try (a minute after its failure) hands the case on.
      expect(server.refreshPolicies()).toBe(true);
      server.clock.set('2026-12-08T14:13:00Z');
      settle(server);
      expect(server.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    } finally {
      server.close();
    }
  });

  it('two servers on one database: the one that has not taken the version in yet leaves a case it would find still named for later', () => {
    const { db, d, v1: behind } = patCase('pat-two-servers');
    try {
      behind.clock.set('2026-12-07T15:00:00Z');
      // The other server starts with 2026.2, in force already, and looks for the cases it concerns.
      const ahead = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: db, policyPath: withoutPat('pat-two-servers', '2026-12-07'), demo: false });
      tick(ahead.db, ahead.deps, ahead.clock.now(), ahead.logger);
      ahead.close();
      // This one, still on 2026.1, fires the case's check first: it waits.
      settle(behind);
      expect(behind.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat' });
      expect(behind.refreshPolicies()).toBe(true);
      behind.clock.set('2026-12-07T15:00:20Z');
      settle(behind);
      // 2026.2 is dated from the day the case opened: it goes to the arbitrator 2026.2 names, at its level.
      expect(behind.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'sam', escalationLevel: 0 });
    } finally {
      behind.close();
    }
  });

  it('a version dated back to before the case opened hands it to the arbitrator that version names, not one level up', () => {
    const { db, d, v1 } = patCase('pat-backdated');
    v1.close();
    const v2 = join(dir, 'pat-backdated.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-07'], [PAT, ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: dana, escalation: [vp]']]));
    const rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    try {
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana', escalationLevel: 0 });
      expect(ledgerKinds(rt, `dispute:${d.id}`)).toContain('dispute.reassigned');
    } finally {
      rt.close();
    }
  });

  it('a case opened after a version was loaded ahead of its date, while Pat still arbitrated, is handed on when it takes effect', () => {
    const db = join(dir, 'pat-opened-later.db');
    testRuntime({ at: '2026-12-07T13:00:00Z', databasePath: db }).close();
    const rt = testRuntime({ at: '2026-12-07T13:00:00Z', databasePath: db, policyPath: withoutPat('pat-opened-later', '2026-12-09'), demo: false });
    try {
      // Mon 12:00 New York: reminders Tue 12:00 and 16:48, breach Wed 12:00.
      rt.clock.set('2026-12-07T17:00:00Z');
      submitClaim(rt.deps, as.partner(rt, 'northwind'), { ...claimOn('Analytics'), stage: 'proposal' }, meta);
      submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('Analytics'), meta);
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ arbitrator: 'pat' });
      rt.clock.set('2026-12-08T17:30:00Z'); // the first reminder
      settle(rt);
      rt.clock.set('2026-12-08T23:00:00Z'); // the second
      settle(rt);
      // Wed 00:30 New York: 2026.2, without Pat, is in force; the breach is hours away.
      rt.clock.set('2026-12-09T05:30:00Z');
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      expect(ledgerKinds(rt, `dispute:${d.id}`)).toEqual(['dispute.opened', 'dispute.assigned', 'dispute.reminded', 'dispute.reminded', 'dispute.reassigned']);
    } finally {
      rt.close();
    }
  });

  it('a case with nothing left to rule (its claims closed) is closed when its assignee leaves, not handed on', () => {
    const { db, d, v1 } = patCase('pat-nothing-left');
    for (const id of d.claimIds) v1.store.claims.update(id, { status: 'lost' });
    v1.close();
    const rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: db, policyPath: withoutPat('pat-nothing-left', '2026-12-07'), demo: false });
    try {
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'withdrawn', arbitrator: 'pat' });
      expect(ledgerKinds(rt, `dispute:${d.id}`)).not.toContain('dispute.reassigned');
    } finally {
      rt.close();
    }
  });

  it('a version yet to take effect, loaded by a release that set no timer for it, gets one at the next start', () => {
    const { db, d, v1 } = patCase('pat-upgrade');
    v1.close();
    const v2 = withoutPat('pat-upgrade', '2026-12-08');
    testRuntime({ at: '2026-12-07T16:00:00Z', databasePath: db, policyPath: v2, demo: false }).close();
    // As an earlier release left it: the version recorded, no timer for it.
    const raw = new Database(db);
    expect(raw.prepare("delete from timers where kind = 'policy.effective' and subject = 'policy:2026.2'").run().changes).toBe(1);
    raw.close();
    testRuntime({ at: '2026-12-07T17:00:00Z', databasePath: db, policyPath: v2, demo: false }).close();
    // Started again, nothing is scheduled twice.
    const rt = testRuntime({ at: '2026-12-07T17:30:00Z', databasePath: db, policyPath: v2, demo: false });
    try {
      expect((rt.db.sqlite.prepare("select count(*) as n from timers where kind = 'policy.effective' and subject = 'policy:2026.2' and status = 'pending'").get() as { n: number }).n).toBe(1);
      rt.clock.set('2026-12-07T23:00:00Z');
      settle(rt);
      rt.clock.set('2026-12-08T05:00:00Z');
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    } finally {
      rt.close();
    }
  });

  it('a case past its whole chain, handed to the VP who replaced the last person, is posted to the escalation channel again when that SLA runs out too', () => {
    const db = join(dir, 'exhausted-twice.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(v1);
    for (let day = 8; day <= 18; day++) {
      v1.clock.set(`2026-12-${String(day).padStart(2, '0')}T22:30:00Z`);
      settle(v1);
    }
    expect(ledgerKinds(v1, `dispute:${d.id}`)).toContain('dispute.escalated_to_channel');
    v1.close();
    const v2 = join(dir, 'exhausted-twice.yaml');
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-18'], [VP, 'vp2: { name: Robin Vale, slack: U0VP2, teams: "29:vp2", email: robin@example.com }'], [/escalation: \[vp\]/g, 'escalation: [vp2]'], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana, vp2]']]));
    const rt = testRuntime({ at: '2026-12-18T23:00:00Z', databasePath: db, policyPath: v2, demo: false });
    try {
      settle(rt);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'vp2' });
      for (let day = 21; day <= 31; day++) {
        rt.clock.set(`2026-12-${day}T22:30:00Z`);
        settle(rt);
      }
      expect(ledgerKinds(rt, `dispute:${d.id}`).filter((k) => k === 'dispute.escalated_to_channel')).toHaveLength(2);
      const posts = rt.db.sqlite.prepare("select target from outbox where target like '%\"kind\":\"channel\"%'").all() as { target: string }[];
      expect(posts.map((p) => JSON.parse(p.target).fallbackUser)).toEqual(['vp', 'vp2']);
    } finally {
      rt.close();
    }
  });

  it('a start that cannot add such a timer while another process holds the database starts anyway, and says so', () => {
    const { db, v1 } = patCase('pat-upgrade-busy');
    v1.close();
    const v2 = withoutPat('pat-upgrade-busy', '2026-12-08');
    testRuntime({ at: '2026-12-07T16:00:00Z', databasePath: db, policyPath: v2, demo: false }).close();
    const other = new Database(db);
    other.prepare("delete from timers where kind = 'policy.effective' and subject = 'policy:2026.2'").run();
    other.exec('BEGIN IMMEDIATE');
    try {
      const rt = testRuntime({ at: '2026-12-07T17:00:00Z', databasePath: db, policyPath: v2, demo: false });
      expect(rt.logs.lines.some((l) => l.includes('the policy versions yet to take effect get their timer at the next start') && l.includes('2026.2'))).toBe(true);
      rt.close();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const rt = testRuntime({ at: '2026-12-07T17:30:00Z', databasePath: db, policyPath: v2, demo: false });
    try {
      expect(rt.store.timers.pending('policy:2026.2', 'policy.effective')).toBe(true);
    } finally {
      rt.close();
    }
  });

  it('the one who left, clicking a button of their case card or reminder, is told they left the policy, not refused as a stranger', () => {
    const { d, rt } = patLeft('pat-clicks');
    try {
      // The version is in force; the case is handed on at the next tick: Pat's card still shows the buttons.
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat' });
      const slackPat = rt.resolve({ platform: 'slack', userId: 'U0PAT', displayName: 'Pat', orgId: null, home: true });
      for (const pat of [slackPat, as.person(rt, 'pat')]) {
        expect(() => approve(rt.deps, pat, d.id)).toThrow(`You (Pat Okafor) are no longer among the policy's people. Only Dana Reyes or someone above them in the escalation chain can rule on dispute #${d.id} now.`);
        expect(() => awardForm(rt.deps, pat, d.id)).toThrow("You (Pat Okafor) are no longer among the policy's people");
        expect(() => snoozeReminder(rt.deps, pat, `${d.id}:1h`)).toThrow(`You (Pat Okafor) are no longer among the policy's people, so there is no reminder of dispute #${d.id} for you to snooze.`);
      }
      // Anyone else is refused as before.
      expect(() => approve(rt.deps, as.person(rt, 'sam'), d.id)).toThrow(`Only Dana Reyes or someone above them in the escalation chain can rule on dispute #${d.id}.`);
    } finally {
      rt.close();
    }
  });

  it('/who-owns names an arbitrator who left by the name they had', () => {
    const { d, rt } = patLeft('pat-named');
    try {
      const answer = JSON.stringify(showAccount(rt.deps, as.person(rt, 'sam'), d.accountId));
      expect(answer).toContain('with Pat Okafor');
      expect(answer).not.toMatch(/with pat\b/);
    } finally {
      rt.close();
    }
  });

  it('a case at the end of its chain whose last person left goes to the coverage rule in force, at its level: the new VP may rule at once, and has it at the next reminder', () => {
    const db = join(dir, 'vp-left.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d0 = openArbitratedCase(v1); // Default: pat, dana, vp
    for (let i = 0; i < 2; i++) {
      v1.clock.set(v1.store.disputes.get(d0.id)!.dueAt!.toISOString());
      tick(v1.db, v1.deps, v1.clock.now(), v1.logger);
    }
    expect(v1.store.disputes.get(d0.id)).toMatchObject({ status: 'open', arbitrator: 'vp', escalationLevel: 2 });
    const at = v1.store.disputes.get(d0.id)!.createdAt;
    v1.close();
    // 2026.2: Morgan Lee (vp) left; Casey Wu is the VP of every chain.
    const v2 = join(dir, 'vp-left.yaml');
    writeFileSync(v2, policyTextWith([
      ['version: "2026.1"', 'version: "2026.2"'],
      ['effective: 2026-01-01', 'effective: 2026-12-11'],
      [VP, 'casey: { name: Casey Wu, slack: U0CASEY, teams: "29:casey", email: casey@example.com }'],
      ['arbitrator: dana, escalation: [vp] }\n  - { name: Enterprise', 'arbitrator: dana, escalation: [casey] }\n  - { name: Enterprise'],
      ['model: co-sell, arbitrator: dana, escalation: [vp]', 'model: co-sell, arbitrator: dana, escalation: [casey]'],
      ['escalation: [dana, vp]', 'escalation: [dana, casey]'],
    ]));
    const rt = testRuntime({ at: '2026-12-11T15:00:00Z', databasePath: db, policyPath: v2, demo: false });
    try {
      expect(at.getTime()).toBeLessThan(rt.clock.now().getTime());
      // Pat and Dana were passed over for the SLA: only the VP in force may rule.
      expect(queueFor(rt.ctx, 'casey').map((x) => x.id)).toEqual([d0.id]);
      expect(queueFor(rt.ctx, 'dana')).toEqual([]);
      expect(() => approve(rt.deps, as.person(rt, 'dana'), d0.id)).toThrow(/Only Casey Wu or someone above them/);
      // Its next timer hands it to Casey.
      const next = (rt.db.sqlite.prepare("select min(due_at) as t from timers where subject = ? and status = 'pending'").get(`dispute:${d0.id}`) as { t: number }).t;
      rt.clock.set(new Date(Math.max(next, rt.clock.now().getTime())).toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d0.id)).toMatchObject({ status: 'open', arbitrator: 'casey', escalationLevel: 2 });
      approve(rt.deps, as.person(rt, 'casey'), d0.id);
      expect(rt.store.disputes.get(d0.id)).toMatchObject({ status: 'ruled', ruledBy: 'casey' });
    } finally {
      rt.close();
    }
  });
});

describe('a version that changes the consequences applies from its first day', () => {
  /** Contoso files against Northwind's protection on `accounts` and loses each ruling: one violation each, under 2026.1 (3 to flag). */
  function violations(name: string, accounts: string[]) {
    const db = join(dir, `${name}.db`);
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    for (const account of accounts) {
      submitClaim(v1.deps, as.partner(v1, 'northwind'), { ...claimOn('Analytics'), account }, meta);
      v1.clock.advance(60_000);
      submitClaim(v1.deps, as.partner(v1, 'contoso'), { ...claimOn('Analytics'), account, stage: 'proposal' }, meta);
      const d = v1.store.disputes.all().at(-1)!;
      v1.store.transaction(() => rule(v1.ctx, as.person(v1, 'pat'), d.id, { kind: 'award', party: 'northwind', rationale: 'Northwind registered first and is working it.' }));
    }
    const flagged = v1.store.partners.flaggedAt('contoso') !== null;
    v1.close();
    return { db, flagged };
  }
  const next = (name: string, flagAt: number) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['violations_to_flag: 3', `violations_to_flag: ${flagAt}`]]));
    return path;
  };

  it('a partner flagged under a lower threshold is not held once the version in force asks for more violations', () => {
    const { db, flagged } = violations('raised', ['soylent', 'wayne', 'muller']);
    expect(flagged).toBe(true);
    const rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: next('raised', 5), demo: false });
    try {
      expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta).summary).toMatch(/is protected/);
    } finally {
      rt.close();
    }
  });

  it('nor told by /roe mine and /roe stats that its new claims wait for approval', () => {
    const { db, flagged } = violations('raised-told', ['soylent', 'wayne', 'muller']);
    expect(flagged).toBe(true);
    const rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: next('raised-told', 5), demo: false });
    try {
      for (const sub of ['mine', 'stats']) expect(JSON.stringify(roe(rt.deps, as.partner(rt, 'contoso'), sub).blocks), `/roe ${sub}`).not.toContain('new claims wait for an arbitrator’s approval');
      expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta).summary).toMatch(/is protected/);
    } finally {
      rt.close();
    }
  });

  it('a claim filed while it was held: its case says the flag has since lifted once the version in force holds its claims no more', () => {
    const { db, flagged } = violations('raised-case', ['soylent', 'wayne', 'muller']);
    expect(flagged).toBe(true);
    const v1 = testRuntime({ at: '2026-12-02T15:00:00Z', databasePath: db, demo: false });
    let caseId: number;
    try {
      expect(submitClaim(v1.deps, as.partner(v1, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta).summary).toMatch(/is pending/);
      caseId = v1.store.disputes.all().at(-1)!.id;
    } finally {
      v1.close();
    }
    const rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: next('raised-case', 5), demo: false });
    try {
      const card = JSON.stringify(caseCard(rt.deps, as.person(rt, 'pat'), String(caseId)).blocks);
      expect(card).toContain('The partner’s flag has since lifted');
      expect(card).not.toContain('lifts by itself');
    } finally {
      rt.close();
    }
  });

  it('so is one flagged earlier on the day the new version takes effect, before the bot loaded it', () => {
    // Flagged on Dec 1 at 15:03 under 2026.1; 2026.2 (5 to flag) takes effect on Dec 1 and is loaded that evening.
    const { db, flagged } = violations('same-day', ['soylent', 'wayne', 'muller']);
    expect(flagged).toBe(true);
    const path = join(dir, 'same-day.yaml');
    writeFileSync(path, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-01'], ['violations_to_flag: 3', 'violations_to_flag: 5']]));
    const rt = testRuntime({ at: '2026-12-01T22:00:00Z', databasePath: db, policyPath: path, demo: false });
    try {
      expect(rt.policies.inForceAt(rt.clock.now()).version).toBe('2026.2');
      expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta).summary).toMatch(/is protected/);
    } finally {
      rt.close();
    }
  });

  it('a partner not flagged under a higher threshold is held at once when the version in force asks for fewer', () => {
    const { db, flagged } = violations('lowered', ['soylent', 'wayne']);
    expect(flagged).toBe(false);
    const rt = testRuntime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: next('lowered', 2), demo: false });
    try {
      const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta);
      expect(r.summary).toMatch(/is pending/);
      expect(rt.store.disputes.all().at(-1)!.reason).toContain('Filed while the partner was flagged for repeated violations');
    } finally {
      rt.close();
    }
  });
});

describe('a product line a version drops, or one a version loaded ahead adds, is named for what it is', () => {
  /** Northwind's claim on Soylent (Services) under 2026.1; 2026.2, from Dec 8, drops Services; 2026.3, from Jan 4, adds Insights. */
  function dropped(name: string) {
    const db = join(dir, `${name}.db`);
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), claimOn('Services'), meta);
    v1.close();
    const v2 = join(dir, `${name}-2.yaml`);
    writeFileSync(v2, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics]']]));
    testRuntime({ at: '2026-12-08T14:00:00Z', databasePath: db, policyPath: v2, demo: false }).close();
    const v3 = join(dir, `${name}-3.yaml`);
    writeFileSync(v3, policyTextWith([['version: "2026.1"', 'version: "2026.3"'], ['effective: 2026-01-01', 'effective: 2027-01-04'], ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Insights]']]));
    return testRuntime({ at: '2026-12-09T15:00:00Z', databasePath: db, policyPath: v3, demo: false });
  }

  it('a claim or a dispute on the dropped line (from a form opened before, say) is told the line was dropped, and that the claims on it still hold it', () => {
    const rt = dropped('dropped-line');
    try {
      const droppedWords = /"Services" is no longer one of the policy's product lines \(policy version 2026\.2, in force since 2026-12-08\): claims already on it hold it until they end, but nothing new can be filed on it\. Choose one of: Core Platform, Analytics/;
      expect(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('Services'), meta)).toThrow(droppedWords);
      // Who-owns shows Northwind's claim there, with a Dispute button: the refusal says why.
      expect(JSON.stringify(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'))).toContain('Owner (Services)');
      expect(() => submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'soylent', product: 'services', reason: 'Direct owns this one.' }, meta)).toThrow(droppedWords);
      expect(() => rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'soylent', productLine: 'Services', reason: 'We were there first.', evidence: '', origin: consoleOrigin, requestKey: null }))).toThrow(droppedWords);
      // A line no version has is unknown, as before.
      expect(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('Hardware'), meta)).toThrow(/product: Choose one of: Core Platform, Analytics$/);
    } finally {
      rt.close();
    }
  });

  it('a claim on a line of a version yet to take effect is told from when it can be claimed', () => {
    const rt = dropped('ahead-line');
    try {
      expect(() => submitClaim(rt.deps, as.partner(rt, 'contoso'), claimOn('Insights'), meta)).toThrow(/"Insights" is a product line only from 2027-01-04 \(policy version 2026\.3\)\. Choose one of: Core Platform, Analytics/);
    } finally {
      rt.close();
    }
  });
});

describe('the start that records a version says what running claims and cases it leaves behind', () => {
  it('a product line dropped while claims and a case hold it, and a person dropped while they have open cases, are each a warning', () => {
    const db = join(dir, 'dropped.db');
    const v1 = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    // Northwind holds Soylent (Services); Contoso's claim on Initech (Analytics) meets Northwind's: Pat's case.
    submitClaim(v1.deps, as.partner(v1, 'northwind'), claimOn('Services'), meta);
    submitClaim(v1.deps, as.partner(v1, 'northwind'), { ...claimOn('Analytics'), account: 'initech', stage: 'proposal' }, meta);
    submitClaim(v1.deps, as.partner(v1, 'contoso'), { ...claimOn('Analytics'), account: 'initech' }, meta);
    const d = v1.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', productLine: 'Analytics' });
    v1.close();
    const path = join(dir, 'dropped.yaml');
    // 2026.2 renames Analytics, drops Services, and no longer names Pat.
    writeFileSync(path, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-08'], ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Insights]'], ['  pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }\n', ''], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    const rt = testRuntime({ at: '2026-12-07T15:00:00Z', databasePath: db, policyPath: path, demo: false });
    try {
      const warned = rt.logs.lines.join('\n');
      // (the demo data's claims among them)
      expect(warned).toMatch(new RegExp(`policy version \\\\"2026.2\\\\" has no product line \\\\"Analytics\\\\", yet \\d+ live claims \\(on \\d+ accounts?\\) and 1 open case \\(#${d.id}\\) are on it`));
      expect(warned).toMatch(/policy version \\"2026.2\\" has no product line \\"Services\\", yet \d+ live claims? \(on \d+ accounts?\) (is|are) on it/);
      expect(warned).not.toContain('no product line \\"Core Platform\\"');
      expect(warned).toContain('a line renamed is a new line');
      expect(warned).toContain(`policy version \\"2026.2\\" no longer names Pat Okafor (pat), who has 1 open case (#${d.id}): from 2026-12-08 they move`);
    } finally {
      rt.close();
    }
    // Said once, as the version is recorded: a restart on the same file does not repeat it.
    const again = testRuntime({ at: '2026-12-07T16:00:00Z', databasePath: db, policyPath: path, demo: false });
    try {
      expect(again.logs.lines.join('\n')).not.toContain('has no product line');
    } finally {
      again.close();
    }
  });
});
