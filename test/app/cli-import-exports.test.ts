import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';
import { roeOn } from '../support/cli.js';

/** A date `n` days before today, as a CSV writes it: the CLI runs on the real clock. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-exports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('roe import: CSV files as spreadsheets and CRMs export them', () => {
  it('two exports joined into one file (its header repeated as a row) are refused, naming the line, and no partner "id" is made', () => {
    const db = join(dir, 'joined.db');
    const joined = file('partners-joined.csv', 'id,name,tier\r\np1,Partner One,gold\r\n\uFEFFid,name,tier\r\np2,Partner Two,silver\r\n');
    const r = roeOn(db, ['import', 'partners', joined]);
    expect(r).toMatchObject({ code: 1, err: `${joined}: 1 problem, nothing imported:\n  line 3: repeats the header (were two files joined?); delete the line and import again\n` });
    expect(roeOn(db, ['export', '--partner', 'id'])).toMatchObject({ code: 1, err: 'no partner "id"; no partner is imported yet (npx roe import partners FILE.csv)\n' });
  });

  it('a joined claims file is told once, not as nine bad values of one row', () => {
    const db = join(dir, 'joined-claims.db');
    expect(roeOn(db, ['import', 'partners', join(ROOT, 'examples/partners.csv')]).code).toBe(0);
    expect(roeOn(db, ['import', 'accounts', join(ROOT, 'examples/accounts.csv')]).code).toBe(0);
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at';
    const row = (id: string) => `${id},globex,contoso,referral,Services,Opp,qualified,expired,2025-11-12`;
    const joined = file('claims-joined.csv', [header, row('K1'), header.toUpperCase(), row('K2'), ''].join('\n'));
    expect(roeOn(db, ['import', 'claims', joined])).toMatchObject({ code: 1, err: `${joined}: 1 problem, nothing imported:\n  line 3: repeats the header (were two files joined?); delete the line and import again\n` });
  });

  it('a tab-separated file (Excel\'s "Text (Tab delimited)") is told as such, not as a file of another kind', () => {
    const db = join(dir, 'tabs.db');
    const tabs = file('partners-tabs.txt', 'id\tname\ttier\r\np1\tPartner One\tgold\r\n');
    expect(roeOn(db, ['import', 'partners', tabs])).toMatchObject({
      code: 1,
      err: `${tabs}: 1 problem, nothing imported:\n  line 1: the columns are separated by tabs; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id\n`,
    });
  });

  it('counts of a thousand and more are told with thousands separators, as the import\u2019s problems are: added, updated and unchanged', () => {
    const db = join(dir, 'thousand.db');
    const rows = (name: string) => ['id,name,tier', ...Array.from({ length: 1_000 }, (_, i) => `p${i},${name} ${i},gold`), ''].join('\n');
    const partners = file('partners-thousand.csv', rows('Partner'));
    expect(roeOn(db, ['import', 'partners', partners])).toMatchObject({ code: 0, err: '', out: `${partners}: 1,000 partners added, 0 updated\n` });
    expect(roeOn(db, ['import', 'partners', partners])).toMatchObject({ code: 0, err: '', out: `${partners}: 0 partners added, 0 updated, 1,000 unchanged\n` });
    const renamed = file('partners-thousand-renamed.csv', rows('Renamed'));
    expect(roeOn(db, ['import', 'partners', renamed])).toMatchObject({ code: 0, err: '', out: `${renamed}: 0 partners added, 1,000 updated\n` });
  });

  it('a header that ends with a stray comma its rows do not have is let be, as an empty column with no name is', () => {
    const db = join(dir, 'stray.db');
    const stray = file('partners-stray.csv', 'id,name,tier,\np1,Partner One,gold\np2,Partner Two,silver,\n');
    expect(roeOn(db, ['import', 'partners', stray])).toMatchObject({ code: 0, out: `${stray}: 2 partners added, 0 updated\n` });
    // A row short of a named column is still refused: its values may have shifted.
    expect(roeOn(db, ['import', 'partners', file('partners-short.csv', 'id,name,tier,\np3,Partner Three\n')])).toMatchObject({ code: 1, err: expect.stringContaining('line 2: has 2 columns, the header has 4') });
  });

  it('a first line sep=, (a spreadsheet tool\'s) and an old DOS end-of-file mark (Ctrl-Z) are no rows: the file imports; sep=; is told as semicolons', () => {
    const db = join(dir, 'sep.db');
    const sep = file('partners-sep.csv', 'sep=,\r\nid,name,tier\r\np1,Partner One,gold\r\np2,Partner Two,silver\r\n\u001a');
    expect(roeOn(db, ['import', 'partners', sep])).toMatchObject({ code: 0, err: '', out: `${sep}: 2 partners added, 0 updated\n` });
    const semicolons = file('partners-sep-semicolon.csv', 'sep=;\r\nid;name;tier\r\np3;Partner Three;gold\r\n');
    expect(roeOn(db, ['import', 'partners', semicolons])).toMatchObject({
      code: 1,
      err: `${semicolons}: 1 problem, nothing imported:\n  line 1: the columns are separated by semicolons; separate them with commas (in Excel, save as "CSV UTF-8 (Comma delimited)"). Expected: id, name, tier, slack_team_id, teams_tenant_id\n`,
    });
    // A row of one value is counted in the singular.
    expect(roeOn(db, ['import', 'partners', file('partners-one-value.csv', 'id,name,tier\np4\n')])).toMatchObject({ code: 1, err: expect.stringContaining('line 2: has 1 column, the header has 3 (write a comma for each column, an empty value too; a value holding a line break must be in double quotes)\n') });
  });

  it('a file of another kind (accounts.csv imported as claims) is refused in one line naming what it is and how to import it', () => {
    const db = join(dir, 'wrong-kind.db');
    expect(roeOn(db, ['import', 'partners', join(ROOT, 'examples/partners.csv')]).code).toBe(0);
    const accounts = join(ROOT, 'examples/accounts.csv');
    expect(roeOn(db, ['import', 'claims', accounts])).toEqual({ code: 1, out: '', err: `${accounts}: this is an accounts file (its header is the accounts header, not the claims one); import it with npx roe import accounts\n` });
    const partners = join(ROOT, 'examples/partners.csv');
    expect(roeOn(db, ['import', 'accounts', partners])).toEqual({ code: 1, out: '', err: `${partners}: this is a partners file (its header is the partners header, not the accounts one); import it with npx roe import partners\n` });
    const claims = join(ROOT, 'examples/claims.csv');
    expect(roeOn(db, ['import', 'partners', claims])).toEqual({ code: 1, out: '', err: `${claims}: this is a claims file (its header is the claims header, not the partners one); import it with npx roe import claims\n` });
    // Nothing of them was imported; the right command takes them.
    expect(roeOn(db, ['import', 'accounts', accounts])).toMatchObject({ code: 0, out: `${accounts}: 10 accounts added, 0 updated\n` });
    // A header that fits two kinds as well (id,name) is the kind asked for.
    expect(roeOn(db, ['import', 'accounts', file('id-name.csv', 'id,name\nzeta,Zeta Corp\n')])).toMatchObject({ code: 0, out: expect.stringContaining('1 account added') });
  });

  it('a file that leaves out rows imported before keeps them: an import never deletes', () => {
    const db = join(dir, 'kept.db');
    expect(roeOn(db, ['import', 'partners', file('p-all.csv', 'id,name\np1,One\np2,Two\n')])).toMatchObject({ code: 0, out: expect.stringContaining('2 partners added') });
    expect(roeOn(db, ['import', 'partners', file('p-one.csv', 'id,name\np1,One\n')])).toMatchObject({ code: 0, out: expect.stringContaining('0 partners added, 0 updated, 1 unchanged') });
    expect(roeOn(db, ['export', '--partner', 'p2']).code).toBe(0);
  });

  it('a partners file that leaves out partners imported before says they are kept, and how to take one that left out of the programme', () => {
    const db = join(dir, 'kept-said.db');
    roeOn(db, ['import', 'partners', file('p-three.csv', 'id,name\np1,One\np2,Two\np3,Three\n')]);
    const p1 = file('p1.csv', 'id,name\np1,One\n');
    expect(roeOn(db, ['import', 'partners', p1])).toMatchObject({
      code: 0,
      err: '',
      out: `${p1}: 0 partners added, 0 updated, 1 unchanged\n2 partners are not in the file, and are kept as they were (an import never deletes): p2, p3; to take one that left the programme out of it: npx roe partner close ID\n`,
    });
    // Every partner in the file: nothing more is said.
    const all = file('p-all3.csv', 'id,name\np1,One\np2,Two\np3,Three\n');
    expect(roeOn(db, ['import', 'partners', all])).toMatchObject({ code: 0, out: `${all}: 0 partners added, 0 updated, 3 unchanged\n` });
  });

  it('every row with more values than the header (a name holding a comma, not in quotes) is named in one run, with the other rows\' problems', () => {
    const db = join(dir, 'commas.db');
    const commas = file('partners-commas.csv', 'id,name,tier,slack_team_id\r\np1,Smith, Jones & Co,gold,T0SMITH\r\np2,Two,gold,two.slack.com\r\np3,Bar, Inc.,silver,T0BAR\r\np4,Four,,\r\n');
    const why = '(a value holding a comma must be in double quotes)';
    expect(roeOn(db, ['import', 'partners', commas])).toEqual({
      code: 1,
      out: '',
      err:
        `${commas}: 3 problems, nothing imported:\n` +
        `  line 2: has 5 columns, the header has 4 ${why}\n` +
        '  line 3: slack_team_id: a Slack team id is the partner\'s workspace id (T…, such as T0123ABCD) or its Enterprise Grid org\'s (E…), in capitals, not a name or domain, got "two.slack.com"\n' +
        `  line 4: has 5 columns, the header has 4 ${why}\n`,
    });
    expect(roeOn(db, ['export', '--partner', 'p4'])).toMatchObject({ code: 1 });
  });

  it('a row with fewer values than the header (split by a line break not in quotes) is named with how to write it', () => {
    const db = join(dir, 'split.db');
    const split = file('partners-split.csv', 'id,name,tier\r\np1,Partner\r\nOne,gold\r\np2,Two,silver\r\n');
    const why = '(write a comma for each column, an empty value too; a value holding a line break must be in double quotes)';
    expect(roeOn(db, ['import', 'partners', split])).toEqual({ code: 1, out: '', err: `${split}: 2 problems, nothing imported:\n  line 2: has 2 columns, the header has 3 ${why}\n  line 3: has 2 columns, the header has 3 ${why}\n` });
  });

  it('header names written with spaces for underscores, in any letter case (Product Line, Registered At), are read as the columns', () => {
    const db = join(dir, 'spaced.db');
    expect(roeOn(db, ['import', 'partners', join(ROOT, 'examples/partners.csv')]).code).toBe(0);
    const accounts = file('accounts-spaced.csv', 'ID,Name,Is Customer,Incumbent Partner\r\nzeta,Zeta Corp,TRUE,northwind\r\n');
    expect(roeOn(db, ['import', 'accounts', accounts])).toMatchObject({ code: 0, err: '', out: `${accounts}: 1 account added, 0 updated\n` });
    const claims = file(
      'claims-spaced.csv',
      `ID,Account ID,Claimant,Route,Product Line,Opportunity,Stage,Amount,Status,Registered At,Last Activity At\r\nH1,zeta,contoso,resell,Analytics,Zeta deal,qualified,48000,expired,${daysAgo(30)},${daysAgo(20)}\r\n`,
    );
    expect(roeOn(db, ['import', 'claims', claims])).toMatchObject({ code: 0, err: '', out: `${claims}: 1 claim added, 0 updated\n` });
    // A name that is no column is told as written, with the columns expected.
    const crm = file('accounts-crm.csv', 'Id,Account Name,CreatedDate\r\nzeta,Zeta Corp,2026-01-01\r\n');
    expect(roeOn(db, ['import', 'accounts', crm])).toMatchObject({
      code: 1,
      err: `${crm}: 2 problems, nothing imported:\n  line 1: unknown columns "Account Name", "CreatedDate" (expected: id, name, aliases, domains, segment, region, tier, is_customer, incumbent_partner, named_owner)\n  line 1: missing column "name"\n`,
    });
  });
});

describe('roe import of a file refused for itself, at a new DATABASE_PATH', () => {
  it('is refused as before, and no database (nor its folder) is made', () => {
    const empty = mkdtempSync(join(tmpdir(), 'roe-cli-refused-'));
    try {
      const folder = join(empty, 'data');
      const db = join(folder, 'roe.db');
      const accounts = join(ROOT, 'examples/accounts.csv');
      expect(roeOn(db, ['import', 'claims', accounts])).toEqual({ code: 1, out: '', err: `${accounts}: this is an accounts file (its header is the accounts header, not the claims one); import it with npx roe import accounts\n` });
      // No header of its kind, a broken quote, not UTF-8, no such file: all refused before the database is opened.
      const notes = file('notes.csv', 'hello,world\n1,2\n');
      expect(roeOn(db, ['import', 'claims', notes])).toMatchObject({ code: 1, out: '', err: expect.stringContaining(`${notes}: 1 problem, nothing imported:\n  line 1: the first line names none of the claims columns`) });
      const quote = file('partners-quote.csv', 'id,name\np1,"Partner One\n');
      expect(roeOn(db, ['import', 'partners', quote])).toMatchObject({ code: 1, out: '', err: expect.stringContaining(`${quote}: 1 problem, nothing imported:\n  line 2: `) });
      const latin1 = join(dir, 'partners-latin1.csv');
      writeFileSync(latin1, Buffer.from('id,name\np1,Soci\xe9t\xe9\n', 'latin1'));
      expect(roeOn(db, ['import', 'partners', latin1])).toMatchObject({ code: 1, out: '', err: expect.stringContaining('is not valid UTF-8') });
      expect(roeOn(db, ['import', 'partners', join(empty, 'missing.csv')])).toMatchObject({ code: 1, out: '', err: expect.stringContaining('cannot read the file') });
      // A workbook picked instead of its CSV export, and a file too large to import, are named for what they are, in one line.
      const workbook = join(dir, 'accounts-workbook.csv');
      writeFileSync(workbook, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('[Content_Types].xml'), Buffer.from([0x8d, 0xfe, 0x0a, 0xc3])]));
      expect(roeOn(db, ['import', 'accounts', workbook])).toEqual({ code: 1, out: '', err: `${workbook}: the file is a spreadsheet workbook (.xlsx, or another zip archive), not CSV; open it in the spreadsheet and save it as "CSV UTF-8 (Comma delimited)", then import that file\n` });
      // 300 MB (a sparse file: nothing is written to the disk): refused before it is read, rather
      // than fill the memory part way. What one import takes depends on the memory Node gives it.
      const huge = file('accounts-huge.csv', 'id,name\n');
      truncateSync(huge, 300 * 1024 * 1024);
      const tooLarge = roeOn(db, ['import', 'accounts', huge]);
      expect(tooLarge).toMatchObject({ code: 1, out: '' });
      expect(tooLarge.err).toMatch(/^.*accounts-huge\.csv: the file is 300 MB, more than one import takes \((\d{2}|1\d\d|2[0-5]\d) MB\); split it into smaller files, each with the header line, and import them one after another \(an import adds and updates rows, and never deletes any\)\n$/);
      expect(existsSync(folder)).toBe(false);
      expect(readdirSync(empty)).toEqual([]);
      // A file whose problems need the database (an account it does not hold) is still refused, once it is opened.
      const claims = file('claims-unknown.csv', 'id,account_id,claimant,route,product_line,opportunity,stage,status,registered_at\nK1,nowhere,direct,direct,Analytics,Opp,qualified,expired,2025-11-12\n');
      expect(roeOn(db, ['import', 'claims', claims])).toMatchObject({ code: 1, out: '', err: expect.stringContaining('line 2: account_id: unknown account "nowhere" (import accounts first)') });
      expect(existsSync(db)).toBe(true);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
