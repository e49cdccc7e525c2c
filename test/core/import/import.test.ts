import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importCsv, ImportError } from '../../../src/core/import/import.service.js';
import { as, testRuntime, type TestRuntime } from '../../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
});
afterEach(() => rt.close());

function errorsOf(kind: 'accounts' | 'partners' | 'claims', text: string): string[] {
  try {
    importCsv(rt.ctx, kind, 'f.csv', text);
  } catch (e) {
    if (e instanceof ImportError) return e.errors.map((x) => `line ${x.line}: ${x.message}`);
    throw e;
  }
  return [];
}

const ACC_HEADER = 'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner';

describe('CSV import', () => {
  it('lists every bad row with its line number and imports nothing', () => {
    const before = rt.store.accounts.count();
    const errs = errorsOf(
      'accounts',
      [ACC_HEADER, 'ok1,Good Co,,good.com,,,,false,,', ',No Id,,,,,,,,', 'bad2,Bad Domain,,not a domain,,,,false,,', 'ok3,Fine,,,,,,maybe,,', 'ok4,Ghost Owner,,,,,,,,ghost-partner', 'ok1,Twice,,,,,,,,'].join('\n'),
    );
    expect(errs).toEqual([
      'line 3: id: is required',
      'line 4: domains: domains look like acme.com',
      'line 5: is_customer: expected true or false, got "maybe"',
      'line 7: id "ok1" repeats line 2',
    ]);
    expect(rt.store.accounts.count()).toBe(before);
  });

  it('reports references to unknown partners after the row checks', () => {
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,Ghost,,,,,,,nobody,', 'x2,Ghost2,,,,,,,,someone'].join('\n'))).toEqual([
      'line 2: incumbent_partner: unknown partner "nobody" (import partners first)',
      'line 3: named_owner: unknown partner "someone" (a partner id or "direct")',
    ]);
  });

  it('reports unknown and missing columns', () => {
    expect(errorsOf('partners', 'id,nme,colour\np1,Partner,red')).toEqual(['line 1: unknown columns "nme", "colour" (expected: id, name, tier, slack_team_id, teams_tenant_id)', 'line 1: missing column "name"']);
  });

  it('reports a malformed CSV row with its line', () => {
    const errs = errorsOf('partners', 'id,name\np1,"unterminated\n');
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^line \d+: .*quote/i);
  });

  it('quoted fields with commas and newlines are parsed by the CSV library', () => {
    importCsv(rt.ctx, 'accounts', 'a.csv', `${ACC_HEADER}\nq1,"Smith, Jones & Co","S&J|""Smithy""",sj.com,,,,true,,\n`);
    expect(rt.store.accounts.get('q1')).toMatchObject({ name: 'Smith, Jones & Co', aliases: ['S&J', '"Smithy"'], isCustomer: true });
  });

  it('importing again updates instead of duplicating', () => {
    const file = `${ACC_HEADER}\nz1,Zeta,,zeta.com,,,,false,,\n`;
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', file)).toMatchObject({ inserted: 1, updated: 0 });
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', file.replace('Zeta,', 'Zeta Labs,'))).toMatchObject({ inserted: 0, updated: 1 });
    expect(rt.store.accounts.get('z1')!.name).toBe('Zeta Labs');
    const claims = rt.store.claims.all().length;
    const claimFile = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-9,z1,contoso,resell,analytics,Zeta deal,proposal,10,,protected,2026-11-20T10:00:00Z,\n';
    importCsv(rt.ctx, 'claims', 'c.csv', claimFile);
    importCsv(rt.ctx, 'claims', 'c.csv', claimFile.replace('Zeta deal', 'Zeta big deal'));
    expect(rt.store.claims.all()).toHaveLength(claims + 1);
    expect(rt.store.claims.all().at(-1)).toMatchObject({ productLine: 'Analytics', opportunity: { name: 'Zeta big deal', stage: 'proposal', amount: 10 } });
  });

  it('claims are checked against accounts, partners, product lines and dates', () => {
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    expect(
      errorsOf('claims', [header, 'c1,nope,contoso,resell,Analytics,D,qualified,,,protected,2026-11-20,', 'c2,acme,ghost,resell,Toasters,D,qualified,,,protected,2026-11-20,2026-11-01', 'c3,acme,contoso,teleport,Analytics,D,qualified,abc,,sleeping,yesterday,'].join('\n')),
    ).toEqual([
      'line 4: route: expected one of resell, referral, co-sell, marketplace, direct',
      'line 4: amount: amount must be a positive number, got "abc"',
      'line 4: status: expected one of pending, protected, rejected, dormant, expired, lost, won',
      'line 4: registered_at: expected a date like 2026-11-12 or 2026-11-12T15:00:00Z',
    ]);
    expect(errorsOf('claims', [header, 'c1,nope,contoso,resell,Analytics,D,qualified,,,protected,2026-11-20,', 'c2,acme,ghost,resell,Toasters,D,qualified,,,protected,2026-11-20,2026-11-01'].join('\n'))).toEqual([
      'line 2: account_id: unknown account "nope" (import accounts first)',
      'line 3: claimant: unknown partner "ghost" (a partner id or "direct")',
      'line 3: product_line: "Toasters" is not one of Core Platform, Analytics, Services',
      'line 3: last_activity_at: is before registered_at',
    ]);
    expect(as.person(rt, 'sam').kind).toBe('internal');
  });
});
