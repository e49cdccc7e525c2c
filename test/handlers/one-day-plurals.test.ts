/**
 * A policy counting in ones (a protection, a dormancy or a violations' window of one day, one
 * violation to flag): every lifecycle notice, `/roe policy` line and import problem that names
 * such a count says `1 day` or `1 violation`, never `1 days`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import type { Reply } from '../../handlers/replies/model.js';
import { roe } from '../../handlers/roe.js';
import { submitAward } from '../../handlers/rule.js';
import { tick } from '../../src/app/scheduler.js';
import { approvalReasons } from '../../src/core/claims/claims.service.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-one-day-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let rt: TestRuntime | undefined;
afterEach(() => rt?.close());

/** Protection, the violations' window and the violations that flag: one each. */
const ONES: [string, string][] = [
  ['protection_days: 90', 'protection_days: 1'],
  ['window_days: 180', 'window_days: 1'],
  ['violations_to_flag: 3', 'violations_to_flag: 1'],
];
/** Dormant after a day, with no warning before. */
const DAILY: [string, string][] = [
  ['dormant_after_days: 30', 'dormant_after_days: 1'],
  ['dormancy_warning_days: 7', 'dormancy_warning_days: 0'],
];
function runtimeWith(replace: [string, string][]): TestRuntime {
  const path = join(dir, `policy-${replace.map(([, to]) => to.replace(/\W+/g, '-')).join('')}.yaml`);
  writeFileSync(path, policyTextWith(replace));
  return testRuntime({ policyPath: path });
}

const meta = { origin: consoleOrigin, requestKey: null };
const claimValues = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '1000', evidence: 'ev' });
const texts = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
const fact = (r: TestRuntime, label: string) => roe(r.deps, as.partner(r, 'contoso'), 'policy').blocks.flatMap((b) => (b.type === 'facts' ? b.facts : [])).find((f) => f.label === label)!.value;
/** Every text the outbox holds, in order. */
const outbox = (r: TestRuntime) => (r.db.sqlite.prepare("select body from outbox where status != 'withdrawn' order by id").all() as { body: string }[]).flatMap((m) => texts(JSON.parse(m.body) as Reply));
const run = (r: TestRuntime) => tick(r.db, r.deps, r.clock.now(), r.logger);
/** Northwind holds Soylent (Analytics); Contoso files over it further along and the arbitrator awards it to Northwind: a violation of Contoso's. */
function violation(r: TestRuntime) {
  submitClaim(r.deps, as.partner(r, 'northwind'), claimValues('soylent', 'qualified'), meta);
  r.clock.advance(60_000);
  submitClaim(r.deps, as.partner(r, 'contoso'), claimValues('soylent', 'proposal'), meta);
  const d = r.store.disputes.all().at(-1)!;
  submitAward(r.deps, as.person(r, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
}
const HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
const importProblem = (r: TestRuntime, row: string) => {
  try {
    importCsv(r.ctx, 'claims', 'claims.csv', [HEADER, row].join('\n'));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the import went through');
};

describe('a count of one is said in the singular', () => {
  it.each<[string, [string, string][], (r: TestRuntime) => string, string]>([
    ['/roe policy, Protection', ONES, (r) => fact(r, 'Protection'), '1 day (logged activity does not extend it); dormant after 30 days without activity (warning 7 days before)'],
    ['/roe policy, Rulings', ONES, (r) => fact(r, 'Rulings'), 'a ruling stands for 1 day on its account and product line: until then a new claim there by a party it went against needs an arbitrator’s approval'],
    [
      '/roe policy, Violations',
      ONES,
      (r) => fact(r, 'Violations'),
      'a claim filed against another party’s protection that an arbitrator rules against is a violation (a claim the criteria reject on their own is not); a partner with 1 violation within 1 day is flagged: its claims then need an arbitrator’s approval',
    ],
    [
      'partner.flagged, in the escalation channel',
      ONES,
      (r) => {
        violation(r);
        return outbox(r).find((t) => t.includes(' is flagged'))!;
      },
      'Contoso Consulting is flagged after 1 violation: its new claims wait for an arbitrator’s approval. The flag lifts by itself on Dec 1, 2026, when none of its violations is within the last day, unless more follow.',
    ],
    [
      'partner.unflagged, in the escalation channel',
      ONES,
      (r) => {
        violation(r);
        r.clock.advance(2 * 86_400_000);
        run(r);
        return outbox(r).find((t) => t.includes('no longer flagged'))!;
      },
      'Contoso Consulting is no longer flagged: 0 violations within 1 day, under the 1 that flags a partner.',
    ],
    [
      'a claim of a party a ruling went against, waiting for approval',
      ONES,
      (r) => {
        violation(r);
        return approvalReasons(r.ctx, r.store.accounts.get('soylent')!, 'Analytics', 'contoso', r.clock.now()).reasons[0]!;
      },
      'A ruling on dispute #1 went against this party on Soylent Corp (Analytics) within the last day.',
    ],
    [
      'import: a claim of a party a ruling went against',
      ONES,
      (r) => {
        violation(r);
        return importProblem(r, 'CRM-1,soylent,contoso,resell,Analytics,Deal,qualified,,,protected,2026-11-30,');
      },
      'claims.csv: 1 problem, nothing imported:\n  line 2: status: a ruling on dispute #1 went against contoso on soylent (Analytics) within the last day; import this one as pending (an arbitrator then approves it or not), rejected or expired',
    ],
    [
      'import: a pending claim past its protection',
      ONES,
      (r) => importProblem(r, 'CRM-1,wayne,contoso,resell,Analytics,Deal,qualified,,,pending,2026-11-20,'),
      'claims.csv: 1 problem, nothing imported:\n  line 2: status: pending, but its protection would have ended on 2026-11-21 (registered 2026-11-20, 1 day of protection): import it as expired (or with its real status)',
    ],
    [
      '/roe mine of a partner flagged after one violation, the violation its flag counts',
      ONES,
      (r) => {
        violation(r);
        return texts(roe(r.deps, as.partner(r, 'contoso'), 'mine')).find((t) => t.startsWith('The flag counts'))!;
      },
      'The flag counts this violation within the last day, a claim filed against another party’s protection and lost in an arbitrator’s ruling: #5 Soylent Corp (Analytics).',
    ],
    ['/roe policy, Protection, with no dormancy warning (none is sent)', DAILY, (r) => fact(r, 'Protection'), '90 days (logged activity does not extend it); dormant after 1 day without activity (no warning before)'],
    [
      'the answer to a claim dormant after a day, with no warning before (none is sent)',
      DAILY,
      (r) => texts(submitClaim(r.deps, r.resolve({ platform: 'slack', userId: 'U0CO1', displayName: 'carl', orgId: 'T0CONTOSO', home: false }), claimValues('soylent', 'qualified'), meta)).slice(1).join('\n'),
      'Log activity at least every day to keep it from going dormant. No warning comes before it would go dormant: /roe mine has a Log activity button, for the claims going dormant soonest; or type /roe activity 4.',
    ],
  ])('%s', (_what, policy, said, expected) => {
    rt = runtimeWith(policy);
    expect(said(rt)).toBe(expected);
  });
});
