import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reviewPartner } from '../../src/core/claims/consequences.js';
import { aClaim, policyTextWith } from '../support/builders.js';
import { submitClaim } from '../../handlers/claim.js';
import { roe } from '../../handlers/roe.js';
import * as rule from '../../handlers/rule.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import { consoleOrigin, ledgerKinds } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const read = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
const values = (account: string, stage = 'qualified') => ({ account, route: 'resell', product: 'Services', opportunity: 'Deal', stage, amount: '', evidence: '' });
const meta = { origin: consoleOrigin, requestKey: null };

let rt: TestRuntime;
/**
 * Contoso is flagged late in the evening of Nov 30, 2026 in New York (the policy's time zone,
 * standard time then): three of its claims, filed at 11:30 PM against Northwind's protection,
 * lost in a ruling. 180 days on is May 29, 2027, in summer time.
 */
beforeEach(() => {
  rt = testRuntime({ at: '2026-12-01T04:00:00Z' });
  for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'proposal'), meta);
  rt.clock.set('2026-12-01T04:30:00Z');
  for (const a of ['soylent', 'initech', 'muller']) {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a), meta);
    const d = rt.store.disputes.all().at(-1)!;
    rule.approve(rt.deps, as.person(rt, d.arbitrator), d.id);
  }
  expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged']);
});
afterEach(() => rt.close());

describe('the day a flag lifts, across a change of the clocks', () => {
  it('is 180 calendar days in the policy’s time zone: May 29 at 11:30 PM, not an hour later on May 30', () => {
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'))).toContain('The flag lifts by itself on May 29, 2027, unless more violations follow.');
    // The escalation channel was told the same day.
    const told = (rt.db.sqlite.prepare("select body from outbox where dedupe_key like 'partner.flagged:%'").pluck().all() as string[]).map((b) => read(JSON.parse(b) as Reply));
    expect(told.length).toBeGreaterThan(0);
    for (const t of told) expect(t).toContain('The flag lifts by itself on May 29, 2027,');
    // And it lifts then: still flagged a minute before, lifted at 11:30 PM (EDT) that day.
    rt.clock.set('2027-05-30T03:29:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged']);
    rt.clock.set('2027-05-30T03:30:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'))).not.toContain('is flagged');
  });
});

describe('a flag reviewed in the hour the clocks go back', () => {
  it('whose lifting came on the clock while the window still holds its violation: looked at again an hour on, not at once again and again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-flag-'));
    try {
      const policyPath = join(dir, 'policy.yaml');
      writeFileSync(policyPath, policyTextWith([['window_days: 180', 'window_days: 1'], ['violations_to_flag: 3', 'violations_to_flag: 1']]));
      const other = testRuntime({ at: '2027-11-07T06:00:00Z', policyPath });
      try {
        // Registered at 1:10 AM (EDT) on Nov 6; at 1:00 AM (EST, the second of the night) on Nov 7 the
        // day's window reaches back to 1:00 AM (EDT) on Nov 6 and still holds it, though 1:10 AM came once.
        const { id: _id, ...c } = aClaim({ claimant: 'contoso', registeredAt: new Date('2027-11-06T05:10:00Z'), violation: true, status: 'rejected' });
        other.store.claims.insert({ ...c, requestKey: null });
        other.store.transaction(() => reviewPartner(other.ctx, 'contoso', other.clock.now()));
        expect(other.store.partners.flaggedAt('contoso')).not.toBeNull();
        const due = () => other.db.sqlite.prepare("select due_at from timers where kind = 'partner.flag_review' and subject = 'partner:contoso' and status = 'pending'").pluck().all() as number[];
        expect(due()).toEqual([Date.parse('2027-11-07T07:00:00Z')]);
        other.clock.set('2027-11-07T07:00:00Z');
        tick(other.db, other.deps, other.clock.now(), other.logger);
        expect(ledgerKinds(other, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
        expect(due()).toEqual([]);
      } finally {
        other.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
