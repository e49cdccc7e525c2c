import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { policyTextWith, ROOT } from '../../support/builders.js';
import { NOBODY } from '../../../handlers/rule.js';
import { decodeCsv, RESERVED_PARTNER_IDS } from '../../../src/core/import/csv.js';
import { csvText, importCsv, ImportError } from '../../../src/core/import/import.service.js';
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
const CLAIM_HEADER = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
/** One rejected claim on acme (no lifecycle, no overlap) with the given dates. */
const claimLine = (id: string, registered: string, lastActivity = '') => `${id},acme,contoso,resell,Analytics,D,qualified,,,rejected,${registered},${lastActivity}`;

describe('CSV import', () => {
  it('ids are at most 150 characters (Slack menus carry them), names, aliases and other values up to 200', () => {
    const id150 = 'a'.repeat(150);
    expect(errorsOf('accounts', [ACC_HEADER, `${'b'.repeat(151)},Long Id,,,,,,false,,`, `${id150},${'N'.repeat(201)},,,,,,false,,`].join('\n'))).toEqual([
      'line 2: id: is longer than 150 characters',
      'line 3: name: is longer than 200 characters',
    ]);
    expect(errorsOf('partners', ['id,name,tier,slack_team_id,teams_tenant_id', `${'p'.repeat(151)},Long Partner,,,`].join('\n'))).toEqual(['line 2: id: is longer than 150 characters']);
    expect(errorsOf('accounts', [ACC_HEADER, `long-alias,Long Alias,Short|${'a'.repeat(201)},,${'s'.repeat(201)},,,false,,`].join('\n'))).toEqual([
      'line 2: aliases: holds a value longer than 200 characters',
      'line 2: segment: is longer than 200 characters',
    ]);
    importCsv(rt.ctx, 'accounts', 'accounts.csv', [ACC_HEADER, `${id150},${'N'.repeat(200)},,,,,,false,,`].join('\n'));
    expect(rt.store.accounts.get(id150)?.name).toHaveLength(200);
  });

  it('a column wrong in every row of a large file lists its first 100 problems and counts the rest, and imports nothing', () => {
    const before = rt.store.accounts.count();
    const rows = Array.from({ length: 1234 }, (_, i) => `w${i},Wahr ${i},,,,,,WAHR,,`);
    let thrown: unknown;
    try {
      importCsv(rt.ctx, 'accounts', 'accounts.csv', [ACC_HEADER, ...rows].join('\n'));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ImportError);
    const error = thrown as ImportError;
    expect(error.errors).toHaveLength(1234);
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('accounts.csv: 1,234 problems, nothing imported:');
    expect(lines.slice(1, 101)).toEqual(Array.from({ length: 100 }, (_, i) => `  line ${i + 2}: is_customer: expected true or false (or yes/no, y/n, 1/0), got "WAHR"`));
    expect(lines.slice(101)).toEqual(['  and 1,134 more, not listed (fix those above and import again)']);
    expect(rt.store.accounts.count()).toBe(before);
  });

  it('lists every bad row with its line number and imports nothing', () => {
    const before = rt.store.accounts.count();
    const errs = errorsOf(
      'accounts',
      [ACC_HEADER, 'ok1,Good Co,,good.com,,,,false,,', ',No Id,,,,,,,,', 'bad2,Bad Domain,,not a domain,,,,false,,', 'ok3,Fine,,,,,,maybe,,', 'ok4,Ghost Owner,,,,,,,,ghost-partner', 'ok1,Twice,,,,,,,,'].join('\n'),
    );
    expect(errs).toEqual([
      'line 3: id: is required',
      'line 4: domains: domains look like acme.com',
      'line 5: is_customer: expected true or false (or yes/no, y/n, 1/0), got "maybe"',
      'line 6: named_owner: unknown partner "ghost-partner" (import partners first, or "direct" for direct sales)',
      'line 7: id "ok1" repeats line 2',
    ]);
    expect(rt.store.accounts.count()).toBe(before);
  });

  it('reports references to unknown partners after the row checks', () => {
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,Ghost,,,,,,,nobody,', 'x2,Ghost2,,,,,,,,someone'].join('\n'))).toEqual([
      'line 2: incumbent_partner: unknown partner "nobody" (import partners first)',
      'line 3: named_owner: unknown partner "someone" (import partners first, or "direct" for direct sales)',
    ]);
  });

  it('a partner id written in another letter case names the partner it differs from, rather than asking to import partners first', () => {
    // The demo's partners are imported already (northwind, contoso…): a CRM writes them capitalised.
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,Cased,,,,,,true,Fabrikam,', 'x2,Cased Too,,,,,,,,NORTHWIND'].join('\n'))).toEqual([
      'line 2: incumbent_partner: unknown partner "Fabrikam": partner ids match letter case; did you mean "fabrikam"?',
      'line 3: named_owner: unknown partner "NORTHWIND": partner ids match letter case; did you mean "northwind"?',
    ]);
    expect(errorsOf('claims', [CLAIM_HEADER, 'C1,acme,Contoso,resell,Analytics,D,qualified,,,rejected,2026-11-20,'].join('\n'))).toEqual([
      'line 2: claimant: unknown partner "Contoso": partner ids match letter case; did you mean "contoso"?',
    ]);
  });

  it('one run lists every problem: bad values, repeated ids and the references of the rows that passed their checks', () => {
    // Partners: a bad id, a repeated id (on a row that is bad too) and a Slack team taken twice.
    const partners = ['id,name,tier,slack_team_id,teams_tenant_id', 'p1,One,,T0SAME,', 'p 2,Two,,,', 'p2,Two,,T0SAME,', 'p 2,,,,'];
    expect(errorsOf('partners', partners.join('\n'))).toEqual([
      'line 3: id: use letters, digits, - and _ only',
      'line 4: slack_team_id: Slack team "T0SAME" is already One (p1)\'s on line 2; each partner needs its own, since its people are recognised by it',
      'line 5: id: use letters, digits, - and _ only',
      'line 5: name: is required',
      'line 5: id "p 2" repeats line 3',
    ]);
    // Claims: a bad date on one row, an unknown account and claimant on another.
    expect(errorsOf('claims', [CLAIM_HEADER, claimLine('B1', '2026-02-30'), 'G1,nowhere,nobody,resell,Analytics,D,qualified,,,rejected,2026-11-20,'].join('\n'))).toEqual([
      'line 2: registered_at: "2026-02-30" is not a real date',
      'line 3: account_id: unknown account "nowhere" (import accounts first)',
      'line 3: claimant: unknown partner "nobody" (import partners first, or "direct" for direct sales)',
    ]);
    expect(rt.store.partners.get('p1')).toBeUndefined();
  });

  it('incumbent_partner "direct" is refused with what to write instead', () => {
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,Served Direct,,,,,,true,direct,', 'x2,Served Direct Too,,,,,,true,Direct,'].join('\n'))).toEqual([
      'line 2: incumbent_partner: "direct" is not a partner; leave it empty for a customer served directly (named_owner "direct" reserves the account for direct sales)',
      'line 3: incumbent_partner: "direct" is not a partner; leave it empty for a customer served directly (named_owner "direct" reserves the account for direct sales)',
    ]);
  });

  it('a Teams tenant that is no GUID (a domain name) is refused, naming what to write: none of the partner\'s people would match it', () => {
    const header = 'id,name,tier,slack_team_id,teams_tenant_id';
    expect(errorsOf('partners', [header, 'aaa,AAA Services,silver,,aaa.onmicrosoft.com', 'bbb,BBB,silver,,5B1F3C1E-0000-4000-8000-00000000B00B'].join('\n'))).toEqual([
      'line 2: teams_tenant_id: a Teams tenant id is a GUID like 00000000-0000-0000-0000-000000000000 (the partner\'s Entra tenant id, not a domain name), got "aaa.onmicrosoft.com"',
    ]);
  });

  it('a Slack team id that is no workspace (T…) or org (E…) id is refused, naming what to write: none of the partner\'s people would match it', () => {
    const header = 'id,name,tier,slack_team_id,teams_tenant_id';
    expect(errorsOf('partners', [header, 'aaa,AAA Services,silver,aaa.slack.com,', 'bbb,BBB,silver,t0bbb,', 'ccc,CCC,silver,T0CCC,', 'ddd,DDD,silver,E0DDDGRID,'].join('\n'))).toEqual([
      'line 2: slack_team_id: a Slack team id is the partner\'s workspace id (T…, such as T0123ABCD) or its Enterprise Grid org\'s (E…), in capitals, not a name or domain, got "aaa.slack.com"',
      'line 3: slack_team_id: a Slack team id is the partner\'s workspace id (T…, such as T0123ABCD) or its Enterprise Grid org\'s (E…), in capitals, not a name or domain, got "t0bbb"',
    ]);
  });

  it('a Slack team or Teams tenant that another partner has is refused: its people would become the other partner\'s', () => {
    const header = 'id,name,tier,slack_team_id,teams_tenant_id';
    const before = rt.store.partners.all();
    expect(
      errorsOf('partners', [header, 'aaa,AAA Services,silver,,5b1f3c1e-0000-4000-8000-00000000a002', 'bbb,BBB,silver,T0NEW,', 'ccc,CCC,silver,T0NEW,', 'ddd,DDD,silver,T0CONTOSO,'].join('\n')),
    ).toEqual([
      `line 2: teams_tenant_id: Teams tenant "5b1f3c1e-0000-4000-8000-00000000a002" is already Contoso Consulting (contoso)'s; each partner needs its own, since its people are recognised by it`,
      `line 4: slack_team_id: Slack team "T0NEW" is already BBB (bbb)'s on line 3; each partner needs its own, since its people are recognised by it`,
      `line 5: slack_team_id: Slack team "T0CONTOSO" is already Contoso Consulting (contoso)'s; each partner needs its own, since its people are recognised by it`,
    ]);
    expect(rt.store.partners.all()).toEqual(before);
    // A partner keeps its own ids when updated, and two partners may trade them in one file.
    expect(importCsv(rt.ctx, 'partners', 'p.csv', [header, 'contoso,Contoso Consulting,gold,T0FABRIKAM,5b1f3c1e-0000-4000-8000-00000000a003', 'fabrikam,Fabrikam Systems,platinum,T0CONTOSO,5b1f3c1e-0000-4000-8000-00000000a002'].join('\n'))).toMatchObject({ updated: 2 });
    expect(rt.store.partners.get('contoso')).toMatchObject({ slackTeamId: 'T0FABRIKAM' });
  });

  it('a file saved with semicolons (Excel in many locales) is refused with how to save it', () => {
    expect(errorsOf('accounts', 'id;name;aliases\nacme;Acme, Inc.;Acme\n')).toEqual([
      'line 1: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, aliases, domains, segment, region, tier, is_customer, incumbent_partner, named_owner',
    ]);
    expect(errorsOf('partners', 'id;name;tier\np1;Partner;gold\n')).toEqual([
      'line 1: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id',
    ]);
  });

  it('domains separated by ; or , are refused with the separator to use', () => {
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,X,,"x.com, x.io",,,,,,', 'x2,Y,,y.com; y.io,,,,,,'].join('\n'))).toEqual([
      'line 2: domains: separate domains with | (acme.com|acme.io), got "x.com, x.io"',
      'line 3: domains: separate domains with | (acme.com|acme.io), got "y.com; y.io"',
    ]);
  });

  it('aliases joined with ; (as some CRMs join lists) are refused with the separator to use, never kept as one alias; a comma may be part of an alias', () => {
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,X,Acme; ACME Corp,,,,,,,', 'x2,Y,"Why Inc;",,,,,,,'].join('\n'))).toEqual([
      'line 2: aliases: separate aliases with | (Acme|ACME Corp), got "Acme; ACME Corp"',
      'line 3: aliases: separate aliases with | (Acme|ACME Corp), got "Why Inc;"',
    ]);
    expect(rt.store.accounts.get('x1')).toBeUndefined();
    importCsv(rt.ctx, 'accounts', 'a.csv', [ACC_HEADER, 'x1,X,Acme|ACME Corp,,,,,,,', 'x3,Z,"Smith, Jones & Co|SJ",,,,,,,'].join('\n'));
    expect(rt.store.accounts.get('x1')!.aliases).toEqual(['Acme', 'ACME Corp']);
    expect(rt.store.accounts.get('x3')!.aliases).toEqual(['Smith, Jones & Co', 'SJ']);
  });

  it('direct, routes and statuses are read in any letter case, as stages are', () => {
    importCsv(rt.ctx, 'accounts', 'a.csv', [ACC_HEADER, 'case1,Case One,,,,,,false,,Direct'].join('\n'));
    expect(rt.store.accounts.get('case1')!.namedOwner).toBe('direct');
    importCsv(rt.ctx, 'claims', 'c.csv', [CLAIM_HEADER, 'crm-case,acme,DIRECT,Resell,Analytics,D,Qualified,,,Rejected,2026-11-01,'].join('\n'));
    expect(rt.store.claims.all().find((c) => c.accountId === 'acme' && c.claimant === 'direct' && c.route === 'resell' && c.status === 'rejected')).toBeDefined();
  });

  it('reports unknown and missing columns', () => {
    expect(errorsOf('partners', 'id,nme,colour\np1,Partner,red')).toEqual(['line 1: unknown columns "nme", "colour" (expected: id, name, tier, slack_team_id, teams_tenant_id)', 'line 1: missing column "name"']);
  });

  it.each([
    ['the policy file', readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8'), 1],
    ['a file with no header', 'CRM-9,acme,northwind,resell,Analytics,Deal,qualified,,,protected,2026-11-12\n', 1],
    ['a file with no header, after an empty line', '\nCRM-9,acme,northwind,resell,Analytics,Deal,qualified,,,protected,2026-11-12\n', 2],
  ])('%s imported as claims is told once to be no claims file, with the header expected', (_n, text, line) => {
    expect(errorsOf('claims', text)).toEqual([`line ${line}: the first line names none of the claims columns, so it is no claims header: is this the claims file? Its first line must be the header: id, account_id, claimant, route, product_line, opportunity, stage, amount, evidence, status, registered_at, last_activity_at`]);
  });

  it('a header that is clearly another kind\'s is told as that kind\'s file, once; one that fits no other kind better is read as the kind asked for', () => {
    const wrong = (kind: 'accounts' | 'partners' | 'claims', text: string) => {
      try {
        importCsv(rt.ctx, kind, 'f.csv', text);
      } catch (e) {
        if (e instanceof ImportError) return e.message;
        throw e;
      }
      return null;
    };
    expect(wrong('claims', `${ACC_HEADER}\nzeta,Zeta Corp,,,,,,false,,\n`)).toBe('f.csv: this is an accounts file (its header is the accounts header, not the claims one); import it with npx roe import accounts');
    expect(wrong('accounts', `${CLAIM_HEADER}\nK1,acme,contoso,resell,Analytics,D,qualified,,,rejected,2026-11-01,\n`)).toBe('f.csv: this is a claims file (its header is the claims header, not the accounts one); import it with npx roe import claims');
    // In any letter case, in quotes, and with only the columns that kind requires.
    expect(wrong('partners', '"ID","Account_ID",claimant,route,product_line,opportunity,stage,status,registered_at\n')).toBe('f.csv: this is a claims file (its header is the claims header, not the partners one); import it with npx roe import claims');
    // A misspelt column of the kind asked for is that kind's problem, not another kind's file.
    expect(errorsOf('partners', 'id,nme,colour\np1,Partner,red')).toEqual(['line 1: unknown columns "nme", "colour" (expected: id, name, tier, slack_team_id, teams_tenant_id)', 'line 1: missing column "name"']);
    // Columns of two other kinds as many (accounts' segment, partners' slack_team_id): neither is clearly it.
    expect(errorsOf('claims', 'id,name,segment,slack_team_id\nx,X,smb,T1\n')[0]).toMatch(/^line 1: unknown columns "name", "segment", "slack_team_id"/);
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

  it('a column the file leaves out keeps what is stored there; an empty cell clears it', () => {
    // Partners: a file of ids and names alone does not unlink their Slack teams or Teams tenants.
    const before = rt.store.partners.get('northwind')!;
    expect(before.slackTeamId).toBe('T0NORTHWIND');
    expect(importCsv(rt.ctx, 'partners', 'p.csv', 'id,name\nnorthwind,Northwind Partners Ltd\n')).toMatchObject({ updated: 1 });
    expect(rt.store.partners.get('northwind')).toEqual({ ...before, name: 'Northwind Partners Ltd' });
    importCsv(rt.ctx, 'partners', 'p.csv', 'id,name,tier\nnorthwind,Northwind Partners Ltd,\n');
    expect(rt.store.partners.get('northwind')).toEqual({ ...before, name: 'Northwind Partners Ltd', tier: null });
    // Accounts: a file without named_owner or domains does not take them away; a new row gets none.
    importCsv(rt.ctx, 'accounts', 'a.csv', `${ACC_HEADER}\nz1,Zeta,,zeta.com,,,,true,northwind,direct\n`);
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', 'id,name,segment\nz1,Zeta Labs,enterprise\nz2,Zed,\n')).toMatchObject({ inserted: 1, updated: 1 });
    expect(rt.store.accounts.get('z1')).toMatchObject({ name: 'Zeta Labs', segment: 'enterprise', domains: ['zeta.com'], isCustomer: true, incumbentPartnerId: 'northwind', namedOwner: 'direct' });
    expect(rt.store.accounts.get('z2')).toMatchObject({ name: 'Zed', domains: [], namedOwner: null, incumbentPartnerId: null });
    // Claims: no evidence or amount column, no change to them; an empty cell empties them.
    const file = (rest: string) => `id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at${rest}`;
    importCsv(rt.ctx, 'claims', 'c.csv', `${file(',amount,evidence')}\nCRM-7,z2,contoso,resell,Analytics,Zed deal,proposal,protected,2026-11-20T10:00:00Z,25000,Met the CTO\n`);
    importCsv(rt.ctx, 'claims', 'c.csv', `${file('')}\nCRM-7,z2,contoso,resell,Analytics,Zed big deal,proposal,protected,2026-11-20T10:00:00Z\n`);
    expect(rt.store.claims.byRequestKey('import:CRM-7')).toMatchObject({ evidence: 'Met the CTO', opportunity: { name: 'Zed big deal', amount: 25000 } });
    importCsv(rt.ctx, 'claims', 'c.csv', `${file(',amount,evidence')}\nCRM-7,z2,contoso,resell,Analytics,Zed big deal,proposal,protected,2026-11-20T10:00:00Z,,\n`);
    expect(rt.store.claims.byRequestKey('import:CRM-7')).toMatchObject({ evidence: '', opportunity: { amount: null } });
  });

  it('an amount written with thousands separators or a currency sign (as a spreadsheet formats it) is refused saying so, not as "not a positive number"', () => {
    const row = (id: string, amount: string) => `${id},acme,contoso,resell,Analytics,D,qualified,"${amount}",,rejected,2026-11-20,`;
    const plain = 'is not a plain number: write it with digits and a decimal point only, without thousands separators or a currency sign or code (50000, 1234.50)';
    expect(errorsOf('claims', [CLAIM_HEADER, row('A1', '50,000'), row('A2', '$48,000.00'), row('A3', '48.000,00'), row('A4', '1 200'), row('A5', 'abc'), row('A6', '-5')].join('\n'))).toEqual([
      `line 2: amount: "50,000" ${plain}`,
      `line 3: amount: "$48,000.00" ${plain}`,
      `line 4: amount: "48.000,00" ${plain}`,
      `line 5: amount: "1 200" ${plain}`,
      'line 6: amount: expected a positive number, got "abc"',
      'line 7: amount: expected a positive number, got "-5"',
    ]);
  });

  it('an amount with its currency code (as a multi-currency CRM report writes it) is refused saying so, naming the value; nothing is imported', () => {
    const before = rt.store.claims.all().length;
    const row = (id: string, amount: string) => `${id},acme,contoso,resell,Analytics,D,qualified,"${amount}",,rejected,2026-11-20,`;
    const plain = 'is not a plain number: write it with digits and a decimal point only, without thousands separators or a currency sign or code (50000, 1234.50)';
    expect(errorsOf('claims', [CLAIM_HEADER, row('U1', 'USD 48,000.00'), row('U2', '48000 USD'), row('U3', 'EUR 1.200,50'), row('U4', '1200.50'), row('U5', 'usd 48,000'), row('U6', '48000 eur'), ''].join('\n'))).toEqual([
      `line 2: amount: "USD 48,000.00" ${plain}`,
      `line 3: amount: "48000 USD" ${plain}`,
      `line 4: amount: "EUR 1.200,50" ${plain}`,
      `line 6: amount: "usd 48,000" ${plain}`,
      `line 7: amount: "48000 eur" ${plain}`,
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it('claims are checked against accounts, partners, product lines and dates', () => {
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    expect(
      errorsOf('claims', [header, 'c1,nope,contoso,resell,Analytics,D,qualified,,,protected,2026-11-20,', 'c2,acme,ghost,resell,Toasters,D,qualified,,,protected,2026-11-20,2026-11-01', 'c3,acme,contoso,teleport,Analytics,D,qualified,abc,,sleeping,yesterday,'].join('\n')),
    ).toEqual([
      'line 2: account_id: unknown account "nope" (import accounts first)',
      'line 3: claimant: unknown partner "ghost" (import partners first, or "direct" for direct sales)',
      'line 3: product_line: "Toasters" is not one of Core Platform, Analytics, Services',
      'line 3: last_activity_at: is before registered_at',
      'line 4: route: "teleport" is not one of resell, referral, co-sell, marketplace, direct',
      'line 4: amount: expected a positive number, got "abc"',
      'line 4: status: "sleeping" is not one of pending, protected, rejected, dormant, expired, lost, won',
      'line 4: registered_at: expected a date like 2026-11-12 or 2026-11-12T15:00:00Z',
    ]);
    expect(errorsOf('claims', [header, 'c1,nope,contoso,resell,Analytics,D,qualified,,,protected,2026-11-20,', 'c2,acme,ghost,resell,Toasters,D,qualified,,,protected,2026-11-20,2026-11-01'].join('\n'))).toEqual([
      'line 2: account_id: unknown account "nope" (import accounts first)',
      'line 3: claimant: unknown partner "ghost" (import partners first, or "direct" for direct sales)',
      'line 3: product_line: "Toasters" is not one of Core Platform, Analytics, Services',
      'line 3: last_activity_at: is before registered_at',
    ]);
    expect(as.person(rt, 'sam').kind).toBe('internal');
  });
});

describe('CSV import: every problem of a row at once', () => {
  it('a row with bad values of its own still has its product line, stage, account and claimant checked', () => {
    const before = rt.store.claims.all().length;
    expect(errorsOf('claims', [CLAIM_HEADER, 'c1,nowhere,ghost,Resale,Toasters,D,Closed Won,abc,,Sleeping,2026-11-20,2026-11-01', 'c2,acme,contoso,resell,Toasters,D,discovery,,,rejected,2026-02-30,'].join('\n'))).toEqual([
      'line 2: route: "Resale" is not one of resell, referral, co-sell, marketplace, direct',
      'line 2: amount: expected a positive number, got "abc"',
      'line 2: status: "Sleeping" is not one of pending, protected, rejected, dormant, expired, lost, won',
      'line 2: account_id: unknown account "nowhere" (import accounts first)',
      'line 2: claimant: unknown partner "ghost" (import partners first, or "direct" for direct sales)',
      'line 2: product_line: "Toasters" is not one of Core Platform, Analytics, Services',
      'line 2: stage: "Closed Won" is not one of prospecting, qualified, proposal, negotiation, commit',
      'line 2: last_activity_at: is before registered_at',
      // Its registration date is wrong too: a product line or stage no version knows is still named.
      'line 3: registered_at: "2026-02-30" is not a real date',
      'line 3: product_line: "Toasters" is not one of Core Platform, Analytics, Services',
      'line 3: stage: "discovery" is not one of prospecting, qualified, proposal, negotiation, commit',
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it('so does a row whose id repeats an earlier one, and a partner or account row with a bad value', () => {
    expect(errorsOf('claims', [CLAIM_HEADER, claimLine('R1', '2026-11-20'), 'R1,nowhere,contoso,resell,Analytics,D,qualified,,,rejected,2026-11-20,'].join('\n'))).toEqual([
      'line 3: id "R1" repeats line 2',
      'line 3: account_id: unknown account "nowhere" (import accounts first)',
    ]);
    expect(errorsOf('partners', ['id,name,tier,slack_team_id,teams_tenant_id', 'p1,,gold,T0CONTOSO,'].join('\n'))).toEqual([
      'line 2: name: is required',
      `line 2: slack_team_id: Slack team "T0CONTOSO" is already Contoso Consulting (contoso)'s; each partner needs its own, since its people are recognised by it`,
    ]);
    expect(errorsOf('accounts', [ACC_HEADER, 'x1,X,,not a domain,,,,maybe,ghost,someone'].join('\n'))).toEqual([
      'line 2: domains: domains look like acme.com',
      'line 2: is_customer: expected true or false (or yes/no, y/n, 1/0), got "maybe"',
      'line 2: incumbent_partner: unknown partner "ghost" (import partners first)',
      'line 2: named_owner: unknown partner "someone" (import partners first, or "direct" for direct sales)',
    ]);
    // A protected claim where another party holds one: told whatever else the row gets wrong.
    expect(errorsOf('claims', [CLAIM_HEADER, 'P1,acme,contoso,resell,Analytics,D,qualified,lots,,protected,2026-11-20,'].join('\n'))).toEqual([
      'line 2: amount: expected a positive number, got "lots"',
      'line 2: status: northwind already holds a protected claim on acme (Analytics); import this one as pending (a case then decides between them), rejected or expired',
    ]);
  });

  it("a partner's row with route direct is named on its route, with its other problems, and nothing is imported; the direct team's is imported", () => {
    const before = rt.store.claims.all().length;
    const direct = 'd1,acme,direct,direct,Services,D,qualified,,,rejected,2026-11-20,';
    expect(errorsOf('claims', [CLAIM_HEADER, direct, 'd2,acme,contoso,Direct,Analytics,D,qualified,,,rejected,2026-11-20,', 'd3,acme,ghost,direct,Analytics,D,qualified,abc,,rejected,2026-11-20,'].join('\n'))).toEqual([
      `line 3: route: "direct" is for the direct team's own deals; contoso is a partner, whose claims go to market by resell, referral, co-sell or marketplace`,
      'line 4: amount: expected a positive number, got "abc"',
      'line 4: claimant: unknown partner "ghost" (import partners first, or "direct" for direct sales)',
      `line 4: route: "direct" is for the direct team's own deals; ghost is a partner, whose claims go to market by resell, referral, co-sell or marketplace`,
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
    expect(importCsv(rt.ctx, 'claims', 'c.csv', [CLAIM_HEADER, direct, 'd2,acme,contoso,referral,Analytics,D,qualified,,,rejected,2026-11-20,'].join('\n'))).toMatchObject({ inserted: 2 });
    expect(rt.store.claims.byRequestKey('import:d1')).toMatchObject({ claimant: 'direct', route: 'direct' });
  });

  it('a route or status outside the list is named as written; an empty one is required', () => {
    expect(errorsOf('claims', [CLAIM_HEADER, 'e1,acme,contoso,,Analytics,D,qualified,,,,2026-11-20,'].join('\n'))).toEqual([
      'line 2: route: is required: one of resell, referral, co-sell, marketplace, direct',
      'line 2: status: is required: one of pending, protected, rejected, dormant, expired, lost, won',
    ]);
  });
});

describe('CSV import: dates later than now', () => {
  // The test runtime's clock: 2026-11-30T15:00:00Z (10:00 in New York).
  it('a registered_at or last_activity_at in the future is refused, naming the line and the column, with the other problems of the file', () => {
    const before = rt.store.claims.all().length;
    const future = 'F1,acme,contoso,resell,Analytics,D,qualified,,,rejected,2027-06-01,2027-06-02';
    expect(errorsOf('claims', [CLAIM_HEADER, future, claimLine('F2', '2026-11-20', '2026-11-30T15:00:01Z'), claimLine('F3', '2026-12-01'), 'F4,nowhere,contoso,resell,Analytics,D,qualified,,,rejected,2026-11-20,'].join('\n'))).toEqual([
      'line 2: registered_at: "2027-06-01" is in the future (it is now 2026-11-30T15:00:00Z)',
      'line 2: last_activity_at: "2027-06-02" is in the future (it is now 2026-11-30T15:00:00Z)',
      'line 3: last_activity_at: "2026-11-30T15:00:01Z" is in the future (it is now 2026-11-30T15:00:00Z)',
      // Midnight in New York on Dec 1 is still to come.
      'line 4: registered_at: "2026-12-01" is in the future (it is now 2026-11-30T15:00:00Z)',
      'line 5: account_id: unknown account "nowhere" (import accounts first)',
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it('today and this very moment are not the future', () => {
    importCsv(rt.ctx, 'claims', 'c.csv', [CLAIM_HEADER, claimLine('T1', '2026-11-30', '2026-11-30T15:00:00Z'), claimLine('T2', '2026-11-30T10:00:00-05:00')].join('\n'));
    expect(rt.store.claims.byRequestKey('import:T1')).toMatchObject({ registeredAt: new Date('2026-11-30T05:00:00Z'), lastActivityAt: new Date('2026-11-30T15:00:00Z') });
    expect(rt.store.claims.byRequestKey('import:T2')).toMatchObject({ registeredAt: new Date('2026-11-30T15:00:00Z') });
  });
});

describe('CSV import: reserved partner ids', () => {
  it('direct and none, in any letter case, are refused as partner ids, naming the line; nothing is imported', () => {
    const before = rt.store.partners.all();
    const direct = 'is reserved: it means the direct sales team wherever a party is named; give the partner another id';
    const none = 'is reserved: it means nobody when an arbitrator awards a case; give the partner another id';
    expect(errorsOf('partners', ['id,name', 'ok1,Fine', 'Direct,Direct Partners', 'DIRECT,Shouting', 'direct,Lower', 'none,Nobody Inc', 'None,Nobody Ltd', 'nonesuch,Fine Too', 'directly,Fine Three'].join('\n'))).toEqual([
      `line 3: id: "Direct" ${direct}`,
      `line 4: id: "DIRECT" ${direct}`,
      `line 5: id: "direct" ${direct}`,
      `line 6: id: "none" ${none}`,
      `line 7: id: "None" ${none}`,
    ]);
    expect(rt.store.partners.all()).toEqual(before);
    expect(importCsv(rt.ctx, 'partners', 'p.csv', 'id,name\nnonesuch,Fine Too\ndirectly,Fine Three\n')).toMatchObject({ inserted: 2 });
    // The award form's "nobody" is the id reserved here.
    expect(Object.keys(RESERVED_PARTNER_IDS)).toContain(NOBODY);
  });
});

describe('CSV import: the direct team\'s name', () => {
  it('a partner named "Direct sales", in any letter case or spacing, is refused naming the line (the forms, replies and stats name the direct team so); nothing is imported', () => {
    const before = rt.store.partners.all();
    expect(errorsOf('partners', ['id,name', 'ok1,Fine', 'ds,Direct sales', 'ds2,  DIRECT   Sales ', 'ds3,Direct Sales Group'].join('\n'))).toEqual([
      'line 3: name: "Direct sales" is how the direct sales team is named; give the partner another name',
      'line 4: name: "DIRECT   Sales" is how the direct sales team is named; give the partner another name',
    ]);
    expect(rt.store.partners.all()).toEqual(before);
  });
});

describe('CSV import: stages', () => {
  const STAGES = 'prospecting, qualified, proposal, negotiation, commit';
  const stageLine = (id: string, stage: string) => `${id},acme,contoso,resell,Analytics,D,${stage},,,rejected,2026-11-20,`;

  it.each([
    ['Negotiation/Review', `line 3: stage: "Negotiation/Review" is not one of ${STAGES}`],
    ['Closed Won', `line 3: stage: "Closed Won" is not one of ${STAGES}`],
    ['discovery', `line 3: stage: "discovery" is not one of ${STAGES}`],
  ])('a stage outside the policy (%s) is refused, naming the line, the field and the stages, and nothing is imported', (stage, message) => {
    const before = rt.store.claims.all().length;
    expect(errorsOf('claims', [CLAIM_HEADER, stageLine('G1', 'qualified'), stageLine('B1', stage)].join('\n'))).toEqual([message]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it.each([
    ['proposal', 'proposal'],
    ['PROPOSAL', 'proposal'],
    ['Negotiation', 'negotiation'],
    [' commit ', 'commit'],
  ])('stage %j is stored in the policy\'s spelling: %s', (written, stored) => {
    importCsv(rt.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\n${stageLine('S1', written)}\n`);
    expect(rt.store.claims.byRequestKey('import:S1')!.opportunity.stage).toBe(stored);
  });
});

describe('CSV import: dates in the zone of the policy in force on them', () => {
  it('a date alone is midnight where the version in force that day says, and falls under that version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-import-zones-'));
    try {
      const db = join(dir, 'zones.db');
      testRuntime({ databasePath: db }).close(); // 2026.1: New York, from 2026-01-01, with the demo data
      const la = join(dir, 'la.yaml');
      writeFileSync(la, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], [/^effective: .*$/m, 'effective: 2026-06-01'], ['America/New_York', 'America/Los_Angeles']]));
      const zones = testRuntime({ databasePath: db, policyPath: la, demo: false, at: '2026-12-10T15:00:00Z' });
      try {
        importCsv(zones.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\n${claimLine('Z1', '2026-05-31')}\n${claimLine('Z2', '2026-06-01')}\n${claimLine('Z3', '2026-11-15')}\n`);
        const got = (id: string) => {
          const c = zones.store.claims.byRequestKey(`import:${id}`)!;
          return { at: c.registeredAt.toISOString(), version: c.policyVersion };
        };
        expect(got('Z1')).toEqual({ at: '2026-05-31T04:00:00.000Z', version: '2026.1' }); // midnight in New York (EDT)
        expect(got('Z2')).toEqual({ at: '2026-06-01T07:00:00.000Z', version: '2026.2' }); // midnight in Los Angeles (PDT), the day 2026.2 took effect
        expect(got('Z3')).toEqual({ at: '2026-11-15T08:00:00.000Z', version: '2026.2' }); // PST
      } finally {
        zones.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV import: dates', () => {
  it.each([
    ['a date is midnight in the policy\'s time zone (New York)', '2026-11-20', '2026-11-20T05:00:00.000Z'],
    ['a date in summer time', '2026-07-01', '2026-07-01T04:00:00.000Z'],
    ['a leap day', '2024-02-29', '2024-02-29T05:00:00.000Z'],
    ['a UTC timestamp', '2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
    ['an offset', '2026-11-20T10:00+01:00', '2026-11-20T09:00:00.000Z'],
    ['an offset without a colon', '2026-11-20T10:00:30.250-0500', '2026-11-20T15:00:30.250Z'],
    ['a space for the T', '2026-11-20 10:00Z', '2026-11-20T10:00:00.000Z'],
  ])('%s: %s is %s', (_, written, stored) => {
    importCsv(rt.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\n${claimLine('D1', written, written)}\n`);
    expect(rt.store.claims.byRequestKey('import:D1')).toMatchObject({ registeredAt: new Date(stored), lastActivityAt: new Date(stored) });
  });

  it.each([
    ['2026-02-30', 'registered_at: "2026-02-30" is not a real date'],
    ['2026-02-29', 'registered_at: "2026-02-29" is not a real date'],
    ['2026-04-31', 'registered_at: "2026-04-31" is not a real date'],
    ['2026-13-01', 'registered_at: "2026-13-01" is not a real date'],
    ['2026-11-12T25:00Z', 'registered_at: "2026-11-12T25:00Z" is not a real date and time'],
    ['2026-11-12T24:00Z', 'registered_at: "2026-11-12T24:00Z" is not a real date and time'],
    ['2026-11-12T15:61Z', 'registered_at: "2026-11-12T15:61Z" is not a real date and time'],
    ['2026-11-12T15:00+99:99', 'registered_at: "2026-11-12T15:00+99:99" is not a real date and time'],
    ['2026-11-12T15:00', 'registered_at: "2026-11-12T15:00" has no time zone: add Z for UTC or an offset like +01:00 (2026-11-12T15:00:00Z)'],
    ['2026-11-12 15:00:00', 'registered_at: "2026-11-12 15:00:00" has no time zone: add Z for UTC or an offset like +01:00 (2026-11-12T15:00:00Z)'],
    // A spreadsheet's own date formats are named as written, with how to save them (which of 12/11 is the month is never guessed).
    ['12/11/2026', 'registered_at: "12/11/2026" is not written year-month-day: write it as 2026-11-12, or 2026-11-12T15:00:00Z with a time (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['12/31/2026', 'registered_at: "12/31/2026" is not written year-month-day: write it as 2026-11-12, or 2026-11-12T15:00:00Z with a time (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['31.12.2026', 'registered_at: "31.12.2026" is not written year-month-day: write it as 2026-11-12, or 2026-11-12T15:00:00Z with a time (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['11/20/2026 3:00 PM', 'registered_at: "11/20/2026 3:00 PM" is not written year-month-day: write it as 2026-11-12, or 2026-11-12T15:00:00Z with a time (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['46338', 'registered_at: "46338" is a spreadsheet\'s date serial number, not a date: write it as 2026-11-12 (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['46338.625', 'registered_at: "46338.625" is a spreadsheet\'s date serial number, not a date: write it as 2026-11-12 (in the spreadsheet, format the column as yyyy-mm-dd before saving)'],
    ['soon', 'registered_at: expected a date like 2026-11-12 or 2026-11-12T15:00:00Z'],
  ])('registered_at %s is refused, naming the line and the field, and nothing is imported', (written, message) => {
    const before = rt.store.claims.all().length;
    expect(errorsOf('claims', [CLAIM_HEADER, claimLine('G1', '2026-11-20'), claimLine('B1', written)].join('\n'))).toEqual([`line 3: ${message}`]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it('an impossible last_activity_at is refused too', () => {
    expect(errorsOf('claims', [CLAIM_HEADER, claimLine('B1', '2026-11-20', '2026-11-31')].join('\n'))).toEqual(['line 2: last_activity_at: "2026-11-31" is not a real date']);
  });
});

describe('CSV import: line numbers as an editor shows them', () => {
  const evidenceLine = (id: string, amount: string, evidence: string) => `${id},acme,contoso,resell,Analytics,D,qualified,${amount},"${evidence}",rejected,2026-11-20,`;

  it.each([
    ['LF', '\n'],
    ['CRLF (Excel)', '\r\n'],
    ['CR (old Mac)', '\r'],
  ])('%s: a row after a value spanning lines, and a bad row spanning lines, are named by the line they start on', (_, eol) => {
    const file = [CLAIM_HEADER, evidenceLine('A1', '1', `one${eol}two${eol}three`), evidenceLine('A2', 'lots', 'x'), evidenceLine('A3', 'many', `four${eol}five`), ''].join(eol);
    expect(errorsOf('claims', file)).toEqual(['line 5: amount: expected a positive number, got "lots"', 'line 6: amount: expected a positive number, got "many"']);
  });

  it.each([
    ['never closed', [], 'line 5: a quoted value that starts in this row is never closed (a " is missing), so the rest of the file would be read into it'],
    ['closed by a quote rows later', [evidenceLine('B3', '1', 'x')], 'line 5: a quoted value that starts in this row runs on to line 7 (a " is missing?)'],
  ])('an unterminated quote (%s) is named by the line of the row it starts in', (_, after, message) => {
    const before = rt.store.claims.all().length;
    const file = [CLAIM_HEADER, evidenceLine('B1', '1', 'fine\r\nnotes'), '', 'B2,acme,contoso,resell,Analytics,"Acme rollout,qualified,,,rejected,2026-11-20,', 'B4,acme,contoso,resell,Analytics,D,qualified,,,rejected,2026-11-20,', ...after, ''].join('\r\n');
    expect(errorsOf('claims', file)).toEqual([message]);
    expect(rt.store.claims.all()).toHaveLength(before);
  });

  it.each([
    ['the first row', 2, [CLAIM_HEADER, 'Q1,acme,contoso,resell,Analytics,"Acme" rollout,qualified,,,rejected,2026-11-20,']],
    ['a row after the first', 3, [CLAIM_HEADER, evidenceLine('Q0', '1', 'x'), 'Q1,acme,contoso,resell,Analytics,"Acme" rollout,qualified,,,rejected,2026-11-20,']],
  ])('a quote closed too early, in %s, is named by its line', (_, line, rows) => {
    expect(errorsOf('claims', rows.join('\n'))).toEqual([`line ${line}: a closing quote is followed by " " instead of a comma (inside a quoted value, write a quote as "")`]);
  });

  it.each([
    ['too few', 'C2,acme,contoso', 'line 5: has 3 columns, the header has 12 (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)'],
    ['too few (one)', 'C2', 'line 5: has 1 column, the header has 12 (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)'],
    ['too many', 'C2,acme,contoso,resell,Analytics,Acme, Inc. rollout,qualified,,,rejected,2026-11-20,', 'line 5: has 13 columns, the header has 12 (a value holding a comma must be in double quotes; or, should the row end with commas the header does not have, remove them)'],
    ['too many, the extra ones empty (commas at the end)', 'C2,acme,contoso,resell,Analytics,Acme rollout,qualified,,,rejected,2026-11-20,,,', 'line 5: has 14 columns, the header has 12 (a value holding a comma must be in double quotes; or, should the row end with commas the header does not have, remove them)'],
    ['too many, a value split by its comma', 'C2,acme,contoso,resell,Analytics,Acme, Inc. rollout,qualified,,,rejected,2026-11-20,2026-11-21', 'line 5: has 13 columns, the header has 12 (a value holding a comma must be in double quotes)'],
  ])('a row with %s columns is named by its line', (_, row, message) => {
    expect(errorsOf('claims', [CLAIM_HEADER, evidenceLine('C1', '1', 'a\r\nb\r\nc'), row, ''].join('\r\n'))).toEqual([message]);
  });

  it('blank rows with fewer commas than the header (cleared before columns were added) are skipped; a short row that holds values is named with the others, in file order', () => {
    const before = rt.store.claims.all().length;
    expect(errorsOf('claims', [CLAIM_HEADER, evidenceLine('S1', '1', 'x'), ',,,', ' , ', 'S2,acme', evidenceLine('S3', 'lots', 'x'), 'S4,acme,contoso', ''].join('\r\n'))).toEqual([
      'line 5: has 2 columns, the header has 12 (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)',
      'line 6: amount: expected a positive number, got "lots"',
      'line 7: has 3 columns, the header has 12 (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)',
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
    expect(errorsOf('claims', [CLAIM_HEADER, evidenceLine('S5', '1', 'x'), ',,,', ',', ''].join('\n'))).toEqual([]);
    expect(rt.store.claims.byRequestKey('import:S5')).toBeDefined();
  });

  it.each(['', '\n\n', '\uFEFF\r\n  \r\n'])('an empty file (%j) is refused as empty, naming the header it needs', (text) => {
    expect(errorsOf('partners', text)).toEqual(['line 1: the file is empty; it needs a header line: id, name, tier, slack_team_id, teams_tenant_id']);
  });

  it('a JSON file is refused as JSON', () => {
    expect(errorsOf('accounts', '[{"id":"acme","name":"Acme"}]\n')).toEqual([`line 1: the file is JSON, not CSV; export it as CSV with the header: ${ACC_HEADER.split(',').join(', ')}`]);
  });

  it.each([
    ['0x10', false],
    ['0b11', false],
    ['-5', false],
    ['NaN', false],
    ['1.2E+06', true],
    ['1200.50', true],
  ])('amount %s is read as a decimal number or refused', (amount, ok) => {
    const errs = errorsOf('claims', `${CLAIM_HEADER}\n${evidenceLine('N1', amount, '')}\n`);
    expect(errs).toEqual(ok ? [] : [`line 2: amount: expected a positive number, got "${amount}"`]);
    if (ok) expect(rt.store.claims.byRequestKey('import:N1')!.opportunity.amount).toBe(Number(amount));
  });
});

describe('CSV import: headers', () => {
  const PARTNER_COLUMNS = '(expected: id, name, tier, slack_team_id, teams_tenant_id)';
  it.each([
    ['a repeated column', 'id,name,name\np1,A,B', ['line 1: column "name" appears more than once']],
    ['a repeat differing in case', 'id,Name,NAME\np1,A,B', ['line 1: column "name" appears more than once']],
    ['two repeated columns', 'id,name,id,tier,name\np1,A,p2,gold,B', ['line 1: columns "id", "name" appear more than once']],
    ['a repeated unknown column', 'id,name,x,x\np1,A,1,2', [`line 1: unknown column "x" ${PARTNER_COLUMNS}`, 'line 1: column "x" appears more than once']],
    ['a quoted name holding a comma', 'id,"name,tier"\np1,A', [`line 1: unknown column "name,tier" ${PARTNER_COLUMNS}`, 'line 1: missing column "name"']],
    ['a quoted name holding a newline', 'id,"na\nme"\np1,A', [`line 1: unknown column "na\nme" ${PARTNER_COLUMNS}`, 'line 1: missing column "name"']],
  ])('%s is refused', (_, text, errors) => {
    const before = rt.store.partners.all().length;
    expect(errorsOf('partners', text)).toEqual(errors);
    expect(rt.store.partners.all()).toHaveLength(before);
  });

  it.each([
    ['a column with no name holding a value', 'id,name,,tier\np1,A,,gold\np2,B,IMPORTANT DATA,silver', [`line 1: column 3 has no name, yet line 3 holds a value there ("IMPORTANT DATA"); name it ${PARTNER_COLUMNS} or delete the column`]],
    ['a header after empty lines, with an unknown column', '\n\nid,name,foo\np1,A,1', [`line 3: unknown column "foo" ${PARTNER_COLUMNS}`]],
    ['a header after an empty line, in semicolons', '\nid;name;tier\np1;A;gold', ['line 2: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id']],
    ['a header after an empty line, and no rows', '\nid,name\n', ['line 3: the file has a header but no rows']],
    ['a first line sep=; (a spreadsheet tool\'s), then a header in semicolons', 'sep=;\r\nid;name;tier\r\np1;A;gold\r\n', ['line 1: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id']],
    ['a first line sep=; before a header in commas', 'sep=;\nid,name,tier\np1,A,gold\n', ['line 1: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id']],
    ['a first line sep=| (another separator declared)', 'sep=|\nid|name|tier\np1|A|gold\n', ['line 1: the columns are separated by "|"; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id']],
    ['a first line sep=, and a bad row', 'sep=,\nid,name,tier\np1,A,gold\np2,B,gold,extra\n', ['line 4: has 4 columns, the header has 3 (a value holding a comma must be in double quotes)']],
    ['a first line sep=, and no header', 'sep=,\np1,A,gold\n', ['line 2: the first line names none of the partners columns, so it is no partners header: is this the partners file? Its first line must be the header: id, name, tier, slack_team_id, teams_tenant_id']],
  ])('%s is refused, naming the line', (_, text, errors) => {
    const before = rt.store.partners.all().length;
    expect(errorsOf('partners', text)).toEqual(errors);
    expect(rt.store.partners.all()).toHaveLength(before);
  });

  it('empty columns with no name (a spreadsheet\'s stray ones) are let be, and so are empty lines before the header', () => {
    expect(importCsv(rt.ctx, 'partners', 'p.csv', '\nid,name,,tier,\nq2,Stray,,gold,\n')).toMatchObject({ inserted: 1 });
    expect(rt.store.partners.get('q2')).toMatchObject({ name: 'Stray', tier: 'gold' });
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('a first line sep=, (as spreadsheet tools write it) only declares the separator: it is skipped (%s)', (_, eol) => {
    expect(importCsv(rt.ctx, 'partners', 'p.csv', ['sep=,', 'id,name,tier', 'q4,Sep,gold', ''].join(eol))).toMatchObject({ inserted: 1 });
    expect(rt.store.partners.get('q4')).toMatchObject({ name: 'Sep', tier: 'gold' });
  });

  it('quoted header names are read by the CSV parser', () => {
    expect(importCsv(rt.ctx, 'partners', 'p.csv', '"id"," Name ","tier"\nq1,Quoted,gold\n')).toMatchObject({ inserted: 1 });
    expect(rt.store.partners.get('q1')).toMatchObject({ name: 'Quoted', tier: 'gold' });
  });
});

describe('CSV import: encoding', () => {
  const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  const NOT_UTF8 = 'the file is not valid UTF-8 (is it Latin-1 or Windows-1252?); save it as UTF-8 (in Excel: "CSV UTF-8") and import it again';

  it.each([
    ['Latin-1 é in a row', 2, bytes('id,name\np1,Caf', [0xe9], '\n')],
    ['Windows-1252 quotes in the header', 1, bytes('id,', [0x93], 'name', [0x94], '\np1,A\n')],
    ['CRLF lines, the third bad', 3, bytes('id,name\r\np1,Caf\u00e9\r\np2,M', [0xfc], 'nchen\r\n')],
    ['a sequence cut at the end of the file', 3, bytes('id,name\np1,A\np2,', [0xe2, 0x82])],
  ])('%s: refused, naming the file and line %i', (_, line, file) => {
    expect(decodeCsv(file)).toEqual({ ok: false, errors: [{ line, message: NOT_UTF8 }] });
    expect(() => csvText('export.csv', file)).toThrow(`export.csv: 1 problem, nothing imported:\n  line ${line}: ${NOT_UTF8}`);
  });

  // Excel's "Unicode Text": not Latin-1, and without a byte order mark it is valid UTF-8 full of NULs.
  const UTF16 = 'the file is UTF-16 (Excel\'s "Unicode Text"), not UTF-8; save it as UTF-8 (in Excel: "CSV UTF-8") and import it again';
  const csv16 = 'id,name\r\np1,Caf\u00e9\r\n';
  it.each([
    ['UTF-16 LE with its byte order mark', bytes([0xff, 0xfe]), Buffer.from(csv16, 'utf16le')],
    ['UTF-16 BE with its byte order mark', bytes([0xfe, 0xff]), Buffer.from(csv16, 'utf16le').swap16()],
    ['UTF-16 LE without one', bytes(), Buffer.from(csv16, 'utf16le')],
    ['UTF-16 BE without one', bytes(), Buffer.from(csv16, 'utf16le').swap16()],
  ])('%s is refused as UTF-16, with how to save it', (_, bom, text) => {
    const file = Buffer.concat([bom, text]);
    expect(decodeCsv(file)).toEqual({ ok: false, errors: [{ line: 1, message: UTF16 }] });
  });

  // A workbook under a .csv name (or picked instead of its export) is no text in another encoding: it is named for what it is.
  it.each([
    ['an .xlsx workbook (a zip archive)', bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00], '[Content_Types].xml', [0x8d, 0xfe, 0x0a, 0xc3]), 'a spreadsheet workbook (.xlsx, or another zip archive)'],
    ['an Excel 97-2003 .xls workbook', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x0a, 0xfe, 0xff]), 'an Excel 97-2003 workbook (.xls)'],
  ])('%s is refused in one line, saying to save it as CSV', (_, file, what) => {
    let thrown: unknown;
    try {
      csvText('accounts.csv', file);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ImportError);
    expect((thrown as ImportError).message).toBe(`accounts.csv: the file is ${what}, not CSV; open it in the spreadsheet and save it as "CSV UTF-8 (Comma delimited)", then import that file`);
  });

  it('a NUL or another control character in a value is refused on its line; evidence may span lines', () => {
    const before = rt.store.accounts.count();
    const file = bytes(`${ACC_HEADER}\nok1,Fine Co,,,,,,false,,\n`, [0], [0], `,Nul Co,,,,,,false,,\nesc,Esc\u001b[31mCo,,,,,,false,,\nnl,"Two\nLines Co",,,,,,false,,\n`);
    expect(errorsOf('accounts', csvText('a.csv', file))).toEqual([
      'line 3: id: holds a control character; keep the value on one line of plain text',
      'line 4: name: holds a control character; keep the value on one line of plain text',
      'line 5: name: holds a line break or tab; keep the value on one line of plain text',
    ]);
    expect(rt.store.accounts.count()).toBe(before);
    expect(errorsOf('claims', `${CLAIM_HEADER}\nBEL1,acme,contoso,resell,Analytics,D,qualified,,"Rang\u0007 twice",rejected,2026-11-20,\n`)).toEqual(['line 2: evidence: holds a control character (line breaks and tabs are fine)']);
    importCsv(rt.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\nML1,acme,contoso,resell,Analytics,D,qualified,,"Call notes:\n\tmet the CIO",rejected,2026-11-20,\n`);
    expect(rt.store.claims.byRequestKey('import:ML1')!.evidence).toBe('Call notes:\n\tmet the CIO');
  });

  it('a C1 control character (a terminal escape) or a text direction control in a value is refused on its line', () => {
    const before = rt.store.accounts.count();
    const file = `${ACC_HEADER}\nc1,Csi\u009b31mCo,,,,,,false,,\nrlo,Evil \u202Eoc.emca,,,,,,false,,\niso,Fine Co,Fine\u2066 alias,,,,,false,,\nok2,Fine Two Co,,,,,,false,,\n`;
    expect(errorsOf('accounts', file)).toEqual([
      'line 2: name: holds a control character; keep the value on one line of plain text',
      'line 3: name: holds a text direction control (U+202E), which makes what follows it read backwards; remove it',
      'line 4: aliases: holds a text direction control (U+2066), which makes what follows it read backwards; remove it',
    ]);
    expect(rt.store.accounts.count()).toBe(before);
    expect(errorsOf('claims', `${CLAIM_HEADER}\nRLO1,acme,contoso,resell,Analytics,D,qualified,,"Met \u202Ethe CIO",rejected,2026-11-20,\n`)).toEqual(['line 2: evidence: holds a text direction control (U+202E), which makes what follows it read backwards; remove it']);
  });

  it.each([
    ['plain UTF-8', bytes('id,name\np1,Caf\u00e9 M\u00fcnchen \u2013 \u{1f600}\n')],
    ['UTF-8 with a byte order mark', bytes([0xef, 0xbb, 0xbf], 'id,name\np1,Caf\u00e9 M\u00fcnchen \u2013 \u{1f600}\n')],
  ])('%s imports', (_, file) => {
    importCsv(rt.ctx, 'partners', 'p.csv', csvText('p.csv', file));
    expect(rt.store.partners.get('p1')!.name).toBe('Caf\u00e9 M\u00fcnchen \u2013 \u{1f600}');
  });
});

describe('CSV import: blank rows as Excel saves them', () => {
  const PARTNER_HEADER = 'id,name,tier,slack_team_id,teams_tenant_id';
  const claim = (id: string, amount: string, evidence: string) => `${id},acme,contoso,resell,Analytics,D,qualified,${amount},"${evidence}",rejected,2026-11-20,`;

  it('a row of empty or blank cells (a row cleared, not deleted) is skipped like an empty line; the rows after it keep their line numbers', () => {
    const before = rt.store.accounts.count();
    const file = [ACC_HEADER, 'b1,One Co,,,,,,false,,', ',,,,,,,,,', '  ,, ,\t,,,,,,', 'b2,Two Co,,,,,,false,,', ',"",,,,,," ",,', ''].join('\r\n');
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', file)).toMatchObject({ inserted: 2, updated: 0 });
    expect(rt.store.accounts.count()).toBe(before + 2);
    expect(rt.store.accounts.get('b2')).toMatchObject({ name: 'Two Co' });
    // A value spanning lines, then blank rows: the bad rows after them are named by their own line.
    const claims = [CLAIM_HEADER, claim('E1', '1', 'one\r\ntwo'), ',,,,,,,,,,,', claim('E2', 'lots', 'x'), '', ',,,,,,,,,,,', claim('E3', 'many', 'y'), ''].join('\r\n');
    expect(errorsOf('claims', claims)).toEqual(['line 5: amount: expected a positive number, got "lots"', 'line 8: amount: expected a positive number, got "many"']);
  });

  it.each([
    ['after the last line break', '\r\n\u001a'],
    ['right after the last value', '\u001a'],
    ['followed by a line break', '\r\n\u001a\r\n'],
  ])('an old DOS end-of-file mark (Ctrl-Z) %s is no row', (_, end) => {
    expect(importCsv(rt.ctx, 'partners', 'p.csv', `${[PARTNER_HEADER, 'z1,Zed One,gold,,', 'z2,Zed Two,silver,,'].join('\r\n')}${end}`)).toMatchObject({ inserted: 2 });
    expect(rt.store.partners.get('z2')).toMatchObject({ name: 'Zed Two', tier: 'silver' });
    // Anywhere else it is a control character in a value.
    expect(errorsOf('partners', [PARTNER_HEADER, 'z3,Zed\u001a Three,,,', ''].join('\n'))).toEqual(['line 2: name: holds a control character; keep the value on one line of plain text']);
  });

  it('a file of blank rows alone has no rows', () => {
    expect(errorsOf('partners', [PARTNER_HEADER, ',,,,', ',,,,', ''].join('\r\n'))).toEqual(['line 2: the file has a header but no rows']);
  });

  it('a quote never closed after several rows and blank rows is named by the line its row starts on', () => {
    const file = [PARTNER_HEADER, 'p1,One,,,', 'p2,Two,,,', ',,,,', 'p3,Three,,,', ',,,,', '', 'p4,"Four,,,', 'p5,Five,,,', ''].join('\n');
    expect(errorsOf('partners', file)).toEqual(['line 8: a quoted value that starts in this row is never closed (a " is missing), so the rest of the file would be read into it']);
    const runsOn = [PARTNER_HEADER, 'p1,One,,,', 'p2,Two,,,', ',,,,', 'p4,"Four,,,', 'p5,"Five",,,', ''].join('\n');
    expect(errorsOf('partners', runsOn)).toEqual(['line 5: a quoted value that starts in this row runs on to line 6 (a " is missing?)']);
  });
});

describe('CSV import: evidence at most as long as in chat', () => {
  const row = (id: string, evidence: string) => `${id},acme,contoso,resell,Analytics,D,qualified,,${evidence},rejected,2026-11-20,`;

  it('3,000 characters are taken; more are refused, naming the line, the column and the limit; nothing is imported', () => {
    importCsv(rt.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\n${row('L1', 'x'.repeat(3000))}\n`);
    expect(rt.store.claims.byRequestKey('import:L1')!.evidence).toHaveLength(3000);
    const before = rt.store.claims.all().length;
    const file = [CLAIM_HEADER, row('L2', 'fine'), row('L3', 'y'.repeat(3001)), row('L4', 'z'.repeat(5 * 1024 * 1024)), ''].join('\n');
    expect(errorsOf('claims', file)).toEqual([
      'line 3: evidence: is longer than 3,000 characters (it has 3,001); shorten it, or link to the full notes',
      'line 4: evidence: is longer than 3,000 characters (it has 5,242,880); shorten it, or link to the full notes',
    ]);
    expect(rt.store.claims.all()).toHaveLength(before);
    expect(rt.store.claims.byRequestKey('import:L2')).toBeUndefined();
  });

  it('spaces and line breaks around the evidence are trimmed off, as around every value (inside it they stay); so 3,000 characters and a trailing newline are taken', () => {
    importCsv(rt.ctx, 'claims', 'c.csv', `${CLAIM_HEADER}\n${row('T1', '"  \nCall notes:\n\tmet the CIO  \n\n"')}\n${row('T2', `"${'x'.repeat(3000)}\r\n"`)}\n${row('T3', '" \n "')}\n`);
    expect(rt.store.claims.byRequestKey('import:T1')!.evidence).toBe('Call notes:\n\tmet the CIO');
    expect(rt.store.claims.byRequestKey('import:T2')!.evidence).toBe('x'.repeat(3000));
    expect(rt.store.claims.byRequestKey('import:T3')!.evidence).toBe('');
  });

  it('a row with evidence too long still has its other columns checked', () => {
    expect(errorsOf('claims', `${CLAIM_HEADER}\nL5,nowhere,contoso,resell,Analytics,D,qualified,,${'y'.repeat(3001)},rejected,2026-11-20,\n`)).toEqual([
      'line 2: evidence: is longer than 3,000 characters (it has 3,001); shorten it, or link to the full notes',
      'line 2: account_id: unknown account "nowhere" (import accounts first)',
    ]);
  });
});

describe('CSV import: a quote inside a value not in quotes', () => {
  const PARTNER_HEADER = 'id,name,tier,slack_team_id,teams_tenant_id';

  it('is refused in one line naming the line and the column, with the value as it must be written; written so, it imports', () => {
    const file = [PARTNER_HEADER, 'p1,"One\nLtd",,,', 'p2,Two,,,', ',,,,', 'zeta,Zeta "The Best" Corp,gold,,', ''].join('\n');
    expect(errorsOf('partners', file)).toEqual(['line 6: name: Zeta "The Best" Corp has a quote inside but is not in double quotes; write it as "Zeta ""The Best"" Corp" (the value in double quotes, each quote inside it doubled)']);
    expect(rt.store.partners.get('zeta')).toBeUndefined();
    importCsv(rt.ctx, 'partners', 'p.csv', `${PARTNER_HEADER}\nzeta,"Zeta ""The Best"" Corp",gold,,\n`);
    expect(rt.store.partners.get('zeta')).toMatchObject({ name: 'Zeta "The Best" Corp', tier: 'gold' });
  });

  it.each([
    ['in the first column, after multi-byte text', 'id,name\np1,Caf\u00e9 M\u00fcnchen\nZ\u00e9ta "1",Zeta\n', 'line 3: id: Z\u00e9ta "1" has a quote inside but is not in double quotes; write it as "Z\u00e9ta ""1""" (the value in double quotes, each quote inside it doubled)'],
    ['in a row whose quoted value spans lines', 'id,name,tier\n"p\n1",Zeta "X" Corp,gold\n', 'line 2: name (on line 3): Zeta "X" Corp has a quote inside but is not in double quotes; write it as "Zeta ""X"" Corp" (the value in double quotes, each quote inside it doubled)'],
    ['holding a comma too', 'id,name\nzeta,Zeta "Best, Inc" Corp\n', 'line 2: name: a quote follows "Zeta " in a value that is not in double quotes; put the whole value in double quotes and double each quote inside it (Zeta "The Best" Corp is written "Zeta ""The Best"" Corp")'],
    ['after a space before the opening quote', 'id,name\nzeta, "Zeta Corp"\n', 'line 2: name: a space comes before the opening quote; remove it, so that the value starts with its quote'],
  ])('%s', (_, file, message) => {
    expect(errorsOf('partners', file)).toEqual([message]);
  });
});

describe('re-importing partners and accounts as stored (a nightly sync)', () => {
  const PARTNERS = 'id,name,tier,slack_team_id,teams_tenant_id\nzeta,Zeta Partners,gold,T0ZETA,\nomega,Omega Ltd,,,';
  const ACCOUNTS = [ACC_HEADER, 'z1,Zeta Works,"ZW|Zeta",zeta.example,enterprise,EMEA,gold,true,zeta,', 'z2,Zulu Corp,,,,,,false,,'].join('\n');
  const ledger = () => [...rt.store.ledger.entries()].map((e) => e.kind);

  it('rows given exactly as stored are unchanged: nothing written, no ledger entry; a changed row is updated and recorded', () => {
    expect(importCsv(rt.ctx, 'partners', 'p.csv', PARTNERS)).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', ACCOUNTS)).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    const entries = ledger();
    const accountsBefore = rt.store.accounts.fingerprint();
    const updatedAt = () => rt.db.sqlite.prepare('SELECT updated_at FROM accounts WHERE id = ?').pluck().get('z1');
    const stamp = updatedAt();
    expect(stamp).toEqual(expect.any(Number));
    rt.clock.advance(60_000);
    expect(importCsv(rt.ctx, 'partners', 'p.csv', PARTNERS)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', ACCOUNTS)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    expect(ledger()).toEqual(entries);
    // Not written at all: the server sees no change of the accounts (no new index).
    expect(rt.store.accounts.fingerprint()).toBe(accountsBefore);
    expect(updatedAt()).toBe(stamp);

    // One field changed: that row is updated, the other unchanged, and the import recorded.
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', ACCOUNTS.replace('Zulu Corp', 'Zulu Corporation'))).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect(rt.store.accounts.get('z2')!.name).toBe('Zulu Corporation');
    expect(ledger()).toEqual([...entries, 'import.accounts']);
    expect(importCsv(rt.ctx, 'partners', 'p.csv', PARTNERS.replace('gold', 'silver'))).toMatchObject({ updated: 1, unchanged: 1 });
    expect(rt.store.partners.get('zeta')!.tier).toBe('silver');
    // A column the file leaves out keeps what is stored, and is no change.
    expect(importCsv(rt.ctx, 'partners', 'p.csv', 'id,name\nzeta,Zeta Partners\nomega,Omega Ltd')).toMatchObject({ updated: 0, unchanged: 2 });
    expect(rt.store.partners.get('zeta')).toMatchObject({ tier: 'silver', slackTeamId: 'T0ZETA' });
  });
});

describe('a nightly sync of many accounts that changes few', () => {
  it('compares the rows before taking the write lock, and writes under it only the rows that changed', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `n${i},Nightly ${i} Corp,,n${i}.example,,,,false,,`);
    const file = [ACC_HEADER, ...rows].join('\n');
    expect(importCsv(rt.ctx, 'accounts', 'a.csv', file)).toMatchObject({ inserted: 40 });
    const upserted: { id: string; locked: boolean }[] = [];
    const { accounts } = rt.store;
    const ctx = { ...rt.ctx, store: { ...rt.store, accounts: { ...accounts, upsert: (a: Parameters<typeof accounts.upsert>[0], keep?: Parameters<typeof accounts.upsert>[1]) => (upserted.push({ id: a.id, locked: rt.db.sqlite.inTransaction }), accounts.upsert(a, keep)) } } };
    expect(importCsv(ctx, 'accounts', 'a.csv', file.replace('Nightly 7 Corp', 'Nightly Seven Corp'))).toMatchObject({ inserted: 0, updated: 1, unchanged: 39 });
    expect(upserted).toEqual([{ id: 'n7', locked: true }]);
    expect(rt.store.accounts.get('n7')!.name).toBe('Nightly Seven Corp');
    // A file of rows all as stored takes the lock for nothing but to see that.
    upserted.length = 0;
    expect(importCsv(ctx, 'accounts', 'a.csv', file.replace('Nightly 7 Corp', 'Nightly Seven Corp'))).toMatchObject({ inserted: 0, updated: 0, unchanged: 40 });
    expect(upserted).toEqual([]);
  });
});

describe('what an import writes comes after what beforeWrite wrote, in time as in order', () => {
  it.each(['partners', 'accounts', 'claims'] as const)('%s', (kind) => {
    const text = {
      partners: 'id,name\nzeta,Zeta Partners',
      accounts: [ACC_HEADER, 'z1,Zeta Works,,,,,,false,,'].join('\n'),
      claims: [CLAIM_HEADER, claimLine('Z-1', '2026-11-02')].join('\n'),
    }[kind];
    // As the CLI's does: record something (the policy version) just before the import writes.
    const beforeWrite = () => {
      rt.clock.advance(5);
      rt.store.ledger.append({ at: rt.clock.now(), kind: 'policy.recorded', subject: 'policy:test', actor: 'policy', policyVersion: null, payload: {} });
    };
    importCsv(rt.ctx, kind, 'f.csv', text, { beforeWrite });
    const entries = [...rt.store.ledger.entries()];
    const marker = entries.findIndex((e) => e.subject === 'policy:test');
    expect(entries.length).toBeGreaterThan(marker + 1);
    const times = entries.slice(marker).map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
