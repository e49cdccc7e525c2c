import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInline } from '../../handlers/platforms/console/console.js';
import { ROE_SUBCOMMANDS } from '../../handlers/roe.js';
import { renderReply } from '../../handlers/platforms/console/render.js';
import { quote, reply } from '../../handlers/replies/model.js';
import { hostConsole } from '../../src/app/console-host.js';
import { closePartner } from '../../src/core/claims/close-partner.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { ROOT } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { headThenClose } from '../support/cli.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { submitClaim } from '../../handlers/claim.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('console rendering of what a person typed', () => {
  it('a quote keeps its lines inside a bar under its label; list items and facts stay one line', () => {
    const out = renderReply(reply('s', [{ type: 'facts', facts: [{ label: 'Account', value: 'Acme\nRuled: yes' }] }, { type: 'list', items: [{ text: 'Deal\n• #1 fake' }] }, quote('Evidence', 'see deck\r\n• #1 Direct sales (protected)\nRuled by Pat')]));
    expect(out.split('\n')).toEqual(['Account  Acme Ruled: yes', '  • Deal • #1 fake', '  Evidence:', '  │ see deck', '  │ • #1 Direct sales (protected)', '  │ Ruled by Pat']);
  });
});

/** Runs `npm start` as a user would, with a script piped to stdin. */
function runConsole(script: string, db = join(dir, 'roe.db'), env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
    cwd: ROOT,
    input: script,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env },
    timeout: 60_000,
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

describe('the local console, end to end (stdin piped from a script)', () => {
  it('answers /who-owns acme from the demo data on first run', () => {
    const { out, code } = runConsole('/who-owns acme\n');
    expect(code).toBe(0);
    expect(out).toContain('Loaded the demo data');
    expect(out).toContain('== Acme Corporation ==');
    expect(out).toMatch(/Owner \(Analytics\)\s+Northwind Partners \(First registration\)/);
  });

  it('the tour the README names (examples/console-tour.txt) runs on a new database: two overlapping claims, a case, its ruling', () => {
    const { out, err, code } = runConsole(readFileSync(join(ROOT, 'examples/console-tour.txt'), 'utf8'), join(dir, 'tour.db'));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toMatch(/✔ Claim #\d+ on Soylent Corp \(Analytics\) is protected until/);
    expect(out).toContain('overlaps another claim. Dispute #1 is with the arbitrator');
    expect(out).toContain('✔ Ruled by Pat Okafor');
    expect(out).not.toMatch(/Unknown command|✘|Sorry/);
  });

  it('a partner name holding terminal controls (C1 escapes, a direction override) reaches the terminal with them shown as �', () => {
    const db = join(dir, 'controls.db');
    const rt = testRuntime({ databasePath: db });
    rt.store.transaction(() => rt.store.partners.upsert({ id: 'northwind', name: 'Northwind\u009b2J\u009b31mRED \u202Eevil', tier: 'gold', slackTeamId: 'T0NORTHWIND', teamsTenantId: null }));
    rt.close();
    const { out, code } = runConsole('/as northwind\n/whoami\n', db);
    expect(code).toBe(0);
    expect(out).toContain('Northwind�2J�31mRED �evil');
    expect(out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('/as a partner taken out of the programme acts as its users do in Slack and Teams: told it left, shown nothing of its cases or deals', () => {
    const db = join(dir, 'closed-partner.db');
    const rt = testRuntime({ databasePath: db });
    const d = openArbitratedCase(rt);
    expect(d.parties).toContain('northwind');
    closePartner(rt.ctx, 'northwind');
    rt.close();
    const { out, code } = runConsole(`/as northwind\n/whoami\n/who-owns acme\n/roe case ${d.id}\n`, db);
    expect(code).toBe(0);
    // What Northwind's user reads (the console first shows what was queued for others before).
    const theirs = out.slice(out.indexOf('You are now northwind-user'));
    expect(theirs).toContain('which left the partner programme');
    expect(theirs).toContain('Your organisation (Northwind Partners) is no longer in our partner programme');
    expect(theirs).not.toContain('(Northwind Partners, external)');
    expect(theirs).not.toContain(`== Dispute #${d.id}`);
    expect(theirs).not.toMatch(/Owner \(/);
  });

  it('a prompt listing a partner name with terminal controls, and the echo of a piped line holding them, show them as �', () => {
    const db = join(dir, 'controls-prompt.db');
    const rt = testRuntime({ databasePath: db });
    rt.store.transaction(() => rt.store.partners.upsert({ id: 'northwind', name: 'Northwind\u009b2J\u001b[31mRED \u202Eevil', tier: 'gold', slackTeamId: 'T0NORTHWIND', teamsTenantId: null }));
    rt.close();
    // "Claim for" lists the partners by name; the account typed is offered back as the default.
    const { out, code } = runConsole('/claim soylent\n/claim \u001b[2Jacme\n', db);
    expect(code).toBe(0);
    expect(out).toContain('4=Northwind�2J�[31mRED �evil) [Direct sales]: /claim �[2Jacme\n');
    expect(out).toContain('Account [�[2Jacme]: ');
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('a reader that stops early (`npm start < script | head`) ends the console quietly: no stack trace, exit 0', async () => {
    // Far more output than a pipe holds (64 KB), so the console is still writing when the reader goes.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_PATH: join(dir, 'head.db'), LOG_LEVEL: 'warn' } });
    child.stdin.end('/roe policy\n'.repeat(300));
    // Like `head -c 100`: read the first chunk, then close the pipe.
    const { err, code } = await headThenClose(child);
    expect(err).toBe('');
    expect(code).toBe(0);
  });

  it('an unexpected error (a table gone) is one line, the stack trace only with LOG_LEVEL=debug; a damaged database is one line naming it', () => {
    const db = join(dir, 'table-gone.db');
    testRuntime({ databasePath: db }).close();
    const sqlite = new Database(db);
    sqlite.exec('DROP TABLE policy_versions');
    sqlite.close();
    expect(runConsole('/quit\n', db)).toMatchObject({ code: 1, err: 'roe: unexpected error: SqliteError: no such table: policy_versions (LOG_LEVEL=debug shows the stack trace)\n' });
    const damaged = join(dir, 'damaged.db');
    testRuntime({ databasePath: damaged }).close();
    const bytes = readFileSync(damaged);
    bytes.fill(0xab, 100, 4096); // the schema, on the first page
    writeFileSync(damaged, bytes);
    expect(runConsole('/quit\n', damaged)).toMatchObject({ code: 1, err: `DATABASE_PATH: ${damaged} is damaged or not a roe database (database disk image is malformed); restore a backup\n` });
  });

  it('with a policy of one’s own the demo data does not fit, none of it is loaded, and it says why', () => {
    const policy = join(dir, 'widgets.yaml');
    writeFileSync(policy, readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8').replace('product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Widgets, Gadgets]').replaceAll(/\b(Core Platform|Analytics|Services)\b/g, 'Widgets'));
    const db = join(dir, 'widgets.db');
    const { out, err, code } = runConsole('/who-owns acme\n', db, { ROE_POLICY: policy });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/The demo data \(examples\/\*\.csv\) does not fit the policy in force, so none of it was loaded \(claims\.csv, line 2: product_line: "\w+" is not one of Widgets, Gadgets/);
    // The way on is a command that runs as written, not `npx roe import` alone (a usage error).
    expect(out).toContain('Import your own partners, accounts and claims: npx roe import partners FILE, then accounts, then claims (headers as in examples/).');
    expect(out).not.toContain('Loaded the demo data');
    const check = testRuntime({ databasePath: db, policyPath: policy, demo: false });
    expect(check.store.partners.all()).toEqual([]);
    expect(check.store.accounts.count()).toBe(0);
    check.close();
  });

  it('leaves a database the user has started importing into alone: no demo data in it', () => {
    const db = join(dir, 'mine.db');
    const rt = testRuntime({ databasePath: db, demo: false });
    importCsv(rt.ctx, 'partners', 'partners.csv', 'id,name,tier\nacme-partners,Acme Partners,gold\n');
    rt.close();
    const { out, code } = runConsole('/who-owns acme\n', db);
    expect(code).toBe(0);
    expect(out).not.toContain('Loaded the demo data');
    expect(out).toContain('No accounts yet: import them with `npx roe import accounts FILE`');
    const check = testRuntime({ databasePath: db, demo: false });
    expect(check.store.partners.all().map((p) => p.id)).toEqual(['acme-partners']);
    expect(check.store.accounts.count()).toBe(0);
    check.close();
  });

  it('shows every message a command caused under it, a thread’s second post included, before the next prompt', () => {
    const script = [
      '/as northwind',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent pilot" stage=proposal',
      '/as contoso',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent x" stage=qualified',
      '/activity',
      '/quit',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'thread.db'));
    expect(code).toBe(0);
    const afterClaim = out.slice(out.lastIndexOf('> /claim'), out.indexOf('> /activity'));
    expect(afterClaim).toContain('thread of dispute #1');
    expect(afterClaim).toContain('Pat Okafor will rule by');
    expect(out.slice(out.indexOf('> /activity'))).toContain('Name the claim by its number (your claims and their numbers are in /roe mine).');
  });

  it('claims, overlaps to the arbitrator, refuses the wrong ruler, rules, and refuses a second ruling', () => {
    const script = [
      '/as northwind',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent pilot" stage=proposal amount=1000',
      '/as sam',
      '/claim soylent',
      '2', // "Claim for": 1=Direct sales, 2=Contoso Consulting (partners by name); the fields are asked one by one
      'referral',
      'Analytics',
      'Contoso soylent',
      'commit', // further along than Northwind: furthest-stage recommends Contoso, an arbitrator decides
      '',
      'met them <!channel>',
      '/as contoso',
      '/rule 1 approve',
      '/as pat',
      '/roe queue',
      '/case 1',
      '/rule 1 approve',
      '/rule 1 approve', // the same ruling again: nothing more is ruled, the case is shown as ruled
      '/as dana',
      '/rule 1 approve',
      '/who-owns soylent.com',
      '/quit',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'flow.db'));
    expect(code).toBe(0);
    expect(out).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\) is protected until/);
    expect(out).toMatch(/overlaps another claim\. Dispute #1 is with the arbitrator/);
    expect(out).toContain('DM to Pat Okafor');
    expect(out).toContain('Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #1.');
    expect(out).toMatch(/Waiting for your ruling:\n {2}• #1 Soylent Corp \(Analytics\): due/);
    // The queue's Open button is a command to type; it shows the case with its ruling buttons.
    expect(out).toContain('[Open #1]  /case 1');
    const opened = out.slice(out.indexOf('> /case 1'), out.indexOf('\n> ', out.indexOf('> /case 1')));
    expect(opened).toContain('== Dispute #1: Soylent Corp ==');
    expect(opened).toContain('[Approve: Contoso Consulting]  /rule 1 approve');
    expect(out).toMatch(/Ruled by Pat Okafor on .*: Contoso Consulting owns it\./);
    const ruled = out.indexOf('> /rule 1 approve', out.indexOf('> /roe queue'));
    const repeat = out.slice(out.indexOf('> /rule 1 approve', ruled + 1), out.indexOf('> /as dana'));
    expect(repeat).toContain('> /rule 1 approve');
    expect(repeat).toMatch(/Ruled by Pat Okafor on .*: Contoso Consulting owns it\./);
    expect(repeat).not.toContain('✘');
    expect(out.slice(out.indexOf('> /as dana'))).toMatch(/✘ Dispute #1 was already ruled by Pat Okafor on /);
    expect(out).toContain('met them <!channel>');
  });

  it('a question asked on a case: its party answers with /answer, and the answer is shown to the arbitrator alone', () => {
    const script = [
      '/as northwind',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent pilot" stage=proposal',
      '/as contoso',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent x" stage=qualified',
      '/as pat',
      '/rule 1 ask question="Who met the CIO first?"',
      '/as contoso',
      '/answer 1 We did, at the May summit.',
      '/as fabrikam',
      '/answer 1 Us!',
      '/answer',
      '/quit',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'answer.db'));
    expect(code).toBe(0);
    // Contoso's DM with the question carries the button as the command to type.
    expect(out).toContain('[Answer]  /answer 1');
    const answered = out.slice(out.indexOf('> /answer 1 We did'), out.indexOf('> /as fabrikam'));
    expect(answered).toContain('Your answer on dispute #1 went to Pat Okafor, and to no other party.');
    expect(answered).toContain('DM to Pat Okafor');
    expect(answered).toContain('Contoso Consulting answered on dispute #1 over Soylent Corp (Analytics), yours to rule.');
    expect(answered).not.toMatch(/DM to northwind/i);
    expect(out.slice(out.indexOf('> /answer 1 Us!'))).toContain('✘ Only the parties of dispute #1 can answer its questions.');
    expect(out).toContain('Usage: /answer <dispute number> [your answer, as the rest of the line]');
  });

  it('/answer sends the rest of the line as typed: its quotes, its words with = and its apostrophes', () => {
    const script = [
      '/as northwind',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent pilot" stage=proposal',
      '/as contoso',
      '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent x" stage=qualified',
      '/as pat',
      '/rule 1 ask question="Who met the CIO first?"',
      '/as contoso',
      `/answer 1 We did: ARR=50k, the CIO said "yes" at the 'May' summit`,
      '/answer 1 answer="Also in June."',
      '/quit',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'answer-as-typed.db'));
    expect(code).toBe(0);
    const answered = out.slice(out.indexOf('> /answer 1 We did'));
    expect(answered).toContain(`  │ We did: ARR=50k, the CIO said "yes" at the 'May' summit`);
    // Given as answer="…", it is the answer alone.
    expect(out.slice(out.indexOf('> /answer 1 answer='))).toContain('  │ Also in June.');
  });

  it('re-asks a field the handler rejects, and keeps the database consistent', () => {
    const { out } = runConsole('/claim account=initech route=teleport product=Services opportunity=x stage=qualified amount= evidence=\nresell\n/roe mine\n', join(dir, 'retry.db'));
    expect(out).toContain('✘ Route to market: Choose one of: resell, referral, co-sell, marketplace, direct');
    expect(out).toMatch(/Claim #\d+ on Initech LLC \(Services\) is protected/);
  });

  it('a choice out of range is asked again at once; a field refused three times gives the form up, naming it; nothing is filed', () => {
    const script = ['/claim soylent', '9', '1', 'referral', 'Analytics', 'Deal', 'closing', '', '', 'closed', 'done', '/roe mine'].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'refused.db'));
    expect(code).toBe(0);
    expect(out).toContain('✘ Claim for: pick a number from 1 to 4, or type the choice.');
    expect(out.match(/✘ Stage: "[a-z]+" is not a stage/g)).toHaveLength(3);
    expect(out).toContain('Giving up on this form: Stage was refused three times.');
    expect(out).toContain('You have no claims.');
  });

  it('each field has its own three tries: two fields refused in turn still end in a claim', () => {
    const script = ['/claim account=soylent route=teleport product=Services opportunity=x stage=closing amount=-4 evidence=', 'resell', 'qualified', '5', '/roe mine'].join('\n');
    const { out } = runConsole(`${script}\n`, join(dir, 'two-fields.db'));
    // The first answer names every problem at once: the route, the stage and the amount.
    expect(out).toMatch(/✘ Route to market: Choose one of[^\n]*\n {2}✘ Stage: "closing" is not a stage[^\n]*\n {2}✘ Amount: A positive number/);
    expect(out).toMatch(/Claim #\d+ on Soylent Corp \(Services\) is protected/);
  });

  it('an amount with a decimal comma is refused on its field, saying how to write it, and asked again: 12,50 is not filed as 1250', () => {
    const db = join(dir, 'decimal-comma.db');
    const { out, code } = runConsole('/claim account=soylent route=resell product=Services opportunity=x stage=qualified amount=12,50 evidence=\n12.50\n', db);
    expect(code).toBe(0);
    expect(out).toContain('  ✘ Amount: A comma may only separate thousands, in groups of three (1,000,000.50): write decimals with a point, e.g. 12.50 or 50000.00\nAmount (optional): 12.50\n');
    expect(out).toMatch(/Claim #\d+ on Soylent Corp \(Services\) is protected/);
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.prepare("select opp_amount from claims where account_id = 'soylent'").all()).toEqual([{ opp_amount: 12.5 }]);
    sqlite.close();
  });

  it('a claim its party already holds is refused on the product line, with its message, which is asked again', () => {
    const script = ['/as northwind', '/claim account=acme route=resell product=Analytics opportunity="Acme phase 2" stage=qualified', 'Services', '/roe mine'].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'duplicate.db'));
    expect(code).toBe(0);
    expect(out).toMatch(/\n {2}✘ Product line: There is already a live claim #\d+ for this party on Acme Corporation \(Analytics\)\. Log activity on it instead of filing again\.\nProduct line \(1=Core Platform, 2=Analytics, 3=Services\): Services\n/);
    expect(out).toMatch(/Claim #\d+ on Acme Corporation \(Services\) is protected/);
  });

  it("route direct on a partner's claim, inline, is refused on the route, which is asked again without it; for a partner's user as for a colleague claiming for one", () => {
    const refused = "\n  ✘ Route to market: Route direct is for the direct team's own deals: a partner's claim goes to market by resell, referral, co-sell or marketplace.\n";
    const script = [
      '/as northwind',
      '/claim account=initech route=direct product=Services opportunity="Initech services" stage=qualified',
      'referral',
      '/as sam',
      '/claim account=hooli claimant=contoso route=direct product=Services opportunity="Hooli services" stage=qualified',
      'co-sell',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'route-direct.db'));
    expect(code).toBe(0);
    expect(out).toContain(`${refused}Route to market (1=resell, 2=referral, 3=co-sell, 4=marketplace): referral\n`);
    expect(out).toContain(`${refused}Route to market (1=resell, 2=referral, 3=co-sell, 4=marketplace, 5=direct): co-sell\n`);
    const sqlite = new Database(join(dir, 'route-direct.db'), { readonly: true });
    expect(sqlite.prepare("select account_id, claimant, route from claims where account_id in ('initech', 'hooli') and opp_name like '% services' order by id").all()).toEqual([
      { account_id: 'initech', claimant: 'northwind', route: 'referral' },
      { account_id: 'hooli', claimant: 'contoso', route: 'co-sell' },
    ]);
    sqlite.close();
  });

  it('a colleague’s /dispute asks whom it is for (Direct sales by default), and takes a partner picked or given inline, by id or by name', () => {
    const script = [
      '/dispute acme',
      '2',
      '2',
      '',
      'Contoso ran the workshops with their CIO',
      '',
      '/dispute account=initech claimant="Fabrikam Systems" product="Core Platform" reason="Fabrikam runs their platform"',
    ].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'dispute-for.db'));
    expect(code).toBe(0);
    expect(out).toContain('Dispute for (1=Direct sales, 2=Contoso Consulting, 3=Fabrikam Systems, 4=Northwind Partners) [Direct sales]: 2\n');
    expect(out).toMatch(/Dispute #1 on Acme Corporation \(Analytics\) for Contoso Consulting was settled at once by the criteria: Northwind Partners owns it\./);
    expect(out).toMatch(/Dispute #2 on Initech LLC \(Core Platform\) for Fabrikam Systems was settled at once by the criteria/);
    const sqlite = new Database(join(dir, 'dispute-for.db'), { readonly: true });
    expect(sqlite.prepare('select id, raised_as as raisedAs from disputes order by id').all()).toEqual([
      { id: 1, raisedAs: 'contoso' },
      { id: 2, raisedAs: 'fabrikam' },
    ]);
    sqlite.close();
  });

  it.each([
    ['a misspelt field', '/claim account=initech route=resell product=Services oportunity="Initech deal" stage=qualified', '✘ Unknown field "oportunity". This form\'s fields: account, claimant, route, product, opportunity, stage, amount, evidence.'],
    ['an unclosed quote', '/claim account="Initech LLC route=resell product=Services opportunity=x stage=qualified', '✘ A quote (") after account= is not closed: put the value between two quotes, e.g. account="Acme Corporation".'],
  ])('%s in an inline form is named, and nothing is asked or filed', (_, line, message) => {
    const { out, code } = runConsole(`${line}\n/roe mine\n`, join(dir, `inline-${line.length}.db`));
    expect(code).toBe(0);
    expect(out).toContain(`> ${line}\n${message}\n> /roe mine\nYou have no claims.`);
    expect(out).not.toContain('Claim #');
  });

  it.each<[string, { pairs: Record<string, string>; rest: string }]>([
    [`'Acme Corporation'`, { pairs: {}, rest: 'Acme Corporation' }],
    [`"Acme \\"Big\\" Corp"`, { pairs: {}, rest: 'Acme "Big" Corp' }],
    [`O'Reilly Media`, { pairs: {}, rest: "O'Reilly Media" }],
    [`account='Soylent Corp' stage=proposal`, { pairs: { account: 'Soylent Corp', stage: 'proposal' }, rest: '' }],
  ])('inline text %s is split as a shell would', (text, expected) => {
    expect(parseInline(text)).toEqual(expected);
  });

  /** Northwind and Contoso claim Soylent; furthest-stage only recommends, so dispute #1 waits for Pat. */
  const openDispute = [
    '/as northwind',
    '/claim account="Soylent Corp" route=resell product=analytics opportunity="Soylent pilot" stage=proposal amount=1000',
    '/as contoso',
    '/claim account="Soylent Corp" route=referral product=analytics opportunity="Contoso soylent" stage=commit amount=2000',
    '/as pat',
  ];

  it('a command typed where a form field is asked cancels the form and runs, instead of becoming the field', () => {
    const script = [...openDispute, '/rule 1 award party=northwind', '/rule 1 award party=northwind rationale="met the buyer first"', '/roe queue'].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'cancel.db'));
    expect(code).toBe(0);
    expect(out).toContain('Rationale: /rule 1 award party=northwind rationale="met the buyer first"\nForm cancelled.\n');
    expect(out).toMatch(/Ruled by Pat Okafor on .*: Northwind Partners owns it\.\n {2}Rationale:\n {2}│ met the buyer first\n/);
    expect(out).not.toMatch(/Rationale: \/rule .*\n(?!Form cancelled)/); // only the echo of the cancelled prompt
    expect(out.match(/Ruled by Pat Okafor/g)).toHaveLength(4); // the card, the thread and two DMs: one ruling
  });

  it.each([
    // One of the company's people is asked first whom the dispute is for: Enter keeps Direct sales.
    ['a pick (numbered choices)', ['/dispute soylent', '', '/who-owns acme'], 'Product line (1=Core Platform, 2=Analytics, 3=Services): /who-owns acme\nForm cancelled.\n'],
    ['an optional field', ['/dispute soylent', '', '2', '/who-owns acme'], 'Claim disputed (number) (optional): /who-owns acme\nForm cancelled.\n'],
    ['a field re-asked after a rejection', ['/rule 1 award party=northwind rationale=short', '/who-owns acme'], 'Rationale: /who-owns acme\nForm cancelled.\n'],
  ])('%s gives way to a command the same way', (_what, lines, expected) => {
    const { out, code } = runConsole(`${[...openDispute, ...lines].join('\n')}\n`, join(dir, `pick-${lines.length}-${lines[0]!.length}.db`));
    expect(code).toBe(0);
    expect(out).toContain(expected);
    expect(out).toContain('== Acme Corporation ==');
    expect(out).not.toMatch(/Dispute #2|Ruled by/);
  });

  it('/cancel only cancels a form; an empty line still keeps the default or skips an optional field', () => {
    const script = [...openDispute, '/rule 1 ask', '/cancel', '/cancel', '/as contoso', '/dispute acme', '2', '', 'we met them first', ''].join('\n');
    const { out, code } = runConsole(`${script}\n`, join(dir, 'cancel-only.db'));
    expect(code).toBe(0);
    expect(out).toContain('Question for the parties: /cancel\nForm cancelled.\n> /cancel\nNothing to cancel: no form is waiting for an answer.\n');
    expect(out).toContain('Claim disputed (number) (optional): \nReason: we met them first\nEvidence (optional): \n');
    expect(out).toMatch(/Dispute #2 on Acme Corporation \(Analytics\)/);
  });

  it.each(['quit', 'exit', '/quit', '/exit', 'QUIT'])('"%s" ends the console cleanly; nothing after it runs', (word) => {
    const { out, code } = runConsole(`${word}\n/who-owns acme\n`, join(dir, 'quit.db'));
    expect(code).toBe(0);
    expect(out).not.toContain('Unknown command');
    expect(out).not.toContain('Acme Corporation');
  });

  it('/roe mine 2 lists the next claims, which of how many, and the next page; a page past the end and a word are answered; /help names the page', () => {
    const db = join(dir, 'pages.db');
    const rt = testRuntime({ databasePath: db });
    importCsv(rt.ctx, 'accounts', 'accounts.csv', `id,name\n${Array.from({ length: 40 }, (_, i) => `page-${i},Pagecorp ${i}`).join('\n')}\n`);
    const rows = Array.from({ length: 40 }, (_, i) => `P-${i},page-${i},northwind,resell,Analytics,Pagecorp ${i} rollout,negotiation,1000,won,2026-06-01T15:${String(i).padStart(2, '0')}:00Z`);
    importCsv(rt.ctx, 'claims', 'claims.csv', `id,account_id,claimant,route,product_line,opportunity,stage,amount,status,registered_at\n${rows.join('\n')}\n`);
    const total = rt.store.claims.forClaimant('northwind').length;
    rt.close();
    expect(total).toBeGreaterThan(25);
    expect(total).toBeLessThanOrEqual(50);
    const { out, code } = runConsole('/as northwind\n/roe mine\n/roe mine 2\n/roe mine 3\n/roe mine two\n/help\n', db);
    expect(code).toBe(0);
    const answer = (typed: string) => out.slice(out.indexOf(`> ${typed}\n`), out.indexOf('\n> ', out.indexOf(`> ${typed}\n`) + 1));
    expect(answer('/roe mine')).toContain(`…and ${total - 25} more claims not listed (`);
    expect(answer('/roe mine')).toContain(`/roe mine 2 shows the next ${total - 25}.`);
    // The oldest of the 40, won in June, come last: on page 2.
    expect(answer('/roe mine 2')).toContain('Pagecorp 0 (Analytics): won');
    expect(answer('/roe mine')).not.toContain('Pagecorp 0 (Analytics)');
    expect(answer('/roe mine 2')).toContain(`Claims 26–${total} of ${total}: the last page.`);
    expect(answer('/roe mine 3')).toContain(`Northwind Partners has ${total} claims: page 3 is empty; /roe mine 2 shows the last ones.`);
    expect(answer('/roe mine two')).toContain('"two" is not a page number: /roe mine shows the first 25, /roe mine 2 the next 25.');
    expect(out).toContain('/roe help|mine [page]|queue [page]|case N|activity N|stats [from [to]]|policy');
  });

  it('/help names every /roe subcommand /roe help lists, activity N among them', () => {
    const { out, code } = runConsole('/help\n', join(dir, 'help.db'));
    expect(code).toBe(0);
    const line = out.split('\n').find((l) => l.trimStart().startsWith('/roe ')) ?? '';
    expect(line.trim().replace(/^\/roe /, '').split('|').map((s) => s.split(' ')[0])).toEqual([...ROE_SUBCOMMANDS]);
    expect(line).toContain('|activity N|');
  });

  it('a choice given inline or typed is the choice in any letter case, as a CSV import reads it (route=Resell, claimant=Contoso)', () => {
    const { out, code } = runConsole('/claim initech route=Resell product=analytics opportunity="Big deal" stage=Proposal claimant=Contoso\n/claim soylent\nNorthwind\nREFERRAL\nSERVICES\nSoylent services\nQualified\n\n\n', join(dir, 'choice-case.db'));
    expect(code).toBe(0);
    expect(out).toContain('✔ Claim #4 on Initech LLC (Analytics) for Contoso Consulting is protected until');
    expect(out).toContain('✔ Claim #5 on Soylent Corp (Services) for Northwind Partners is protected until');
    expect(out).not.toContain('✘');
  });

  it('/as takes a name written in quotes, as /claim takes its values, and names what was typed when nobody has it', () => {
    const { out, code } = runConsole('/as "Pat Okafor"\n/whoami\n/as \'northwind\'\n/whoami\n/as "Robin Smith"\n', join(dir, 'as-quoted.db'));
    expect(code).toBe(0);
    expect(out).toContain('You are now Pat Okafor.');
    expect(out).toContain('You are now northwind-user (Northwind Partners, external).');
    expect(out).toContain('Unknown person or partner "Robin Smith". People: ');
    expect(out).not.toContain('""');
  });

  it('/as takes a person by their name too, in any letter case, as it takes a partner by its name', () => {
    const { out, code } = runConsole('/as Pat Okafor\n/whoami\n/as northwind partners\n/whoami\n', join(dir, 'as-by-name.db'));
    expect(code).toBe(0);
    expect(out).toContain('You are now Pat Okafor');
    expect(out).not.toContain('Unknown person or partner');
  });

  it('/help says how to leave, and an optional field says "optional" once', () => {
    const { out } = runConsole('/help\n/dispute acme\n\n2\n', join(dir, 'help.db'));
    expect(out).toMatch(/\/quit or \/exit +leave the console/);
    // A case, as the README and /roe help call it: a claim waiting for approval is one too.
    expect(out).toMatch(/\/case <dispute> +a case as it stands \(a dispute, or a claim waiting for approval\)/);
    expect(out).toContain('Claim disputed (number) (optional): ');
    expect(out).not.toContain('optional) (optional)');
  });

  it('a bad environment value stops with one line naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { cwd: ROOT, input: '', encoding: 'utf8', env: { PATH: process.env.PATH, PORT: 'eighty', DATABASE_PATH: join(dir, 'x.db') } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('configuration: PORT: must be a port number (0-65535) (got "eighty")');
  });
});

describe('the console, for an account it cannot find and commands given half', () => {
  it('/claim with an account that matches none asks the account first, then the rest; /rule without a number and /as alone show their usage', () => {
    const { out, code } = runConsole(['/as northwind', '/claim nosuchco', 'soylent', '1', '1', 'Soylent pilot', '', '', '', '/rule x approve', '/as', ''].join('\n'), join(dir, 'half.db'));
    expect(code).toBe(0);
    const claim = out.slice(out.indexOf('> /claim nosuchco'), out.indexOf('> /rule'));
    expect(claim).toContain('No account matches "nosuchco"');
    // The account is the first thing asked, and the claim is filed once it is given.
    const asked = [...claim.matchAll(/^(\w[\w ]*?)(?: \[[^\]]*\])?(?: \([^)]*\))?: /gm)].map((m) => m[1]);
    expect(asked[0]).toBe('Account');
    // …offering what was typed as its default, as the platforms' forms keep it in the field.
    expect(claim).toContain('Account [nosuchco]: ');
    expect(claim).not.toContain('✘ Account');
    expect(claim).toMatch(/Claim #\d+ on Soylent Corp \(Core Platform\) is protected/);
    expect(out).toContain('Usage: /rule <dispute number> approve');
    expect(out).not.toContain('refers to no dispute');
    expect(out).toMatch(/Usage: \/as <person or partner>\. People: .*dana/);
  });

  it('a dispute number that is 0 or a word, typed to /case, /rule or /roe case, is asked for as a number, not taken for a button naming no dispute', () => {
    const { out, code } = runConsole(['/case 0', '/case abc', '/rule 0 approve', '/rule #0 ask', '/roe case 0', '/roe case 00'].join('\n'), join(dir, 'zero.db'));
    expect(code).toBe(0);
    expect(out).not.toContain('button');
    const answer = (typed: string) => out.slice(out.indexOf(`> ${typed}\n`) + typed.length + 3, out.indexOf('\n>', out.indexOf(`> ${typed}\n`) + 1));
    expect(answer('/case 0')).toBe('Usage: /case <dispute number>');
    expect(answer('/case abc')).toBe('Usage: /case <dispute number>');
    expect(answer('/rule 0 approve')).toMatch(/^Usage: \/rule <dispute number> approve/);
    expect(answer('/rule #0 ask')).toMatch(/^Usage: \/rule <dispute number> approve/);
    expect(answer('/roe case 0')).toBe("! Give the dispute's number: /roe case 12. /roe queue lists those waiting for your ruling.");
    expect(answer('/roe case 00')).toBe("! Give the dispute's number: /roe case 12. /roe queue lists those waiting for your ruling.");
  });
});

/**
 * The console on a test runtime, its clock driven between commands: each step is a line typed
 * at the prompt (the command prompt, or a form's field's), or a function run before the next
 * line is typed (to move the clock).
 */
async function driveConsole(rt: TestRuntime, steps: (string | (() => void))[]): Promise<string> {
  const input = new PassThrough();
  let out = '';
  const next = () => {
    for (let step = steps.shift(); step !== undefined; step = steps.shift()) {
      if (typeof step === 'function') step();
      else return void input.write(`${step}\n`);
    }
    input.end();
  };
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      // A prompt is written without a newline: the command prompt, or a field a form asks for.
      if (!out.endsWith('\n')) setImmediate(next);
      done();
    },
  });
  await hostConsole(rt, input, output);
  return out;
}

describe('the console, as time passes between commands', () => {
  it('what a timer did before a command (a reminder that rang) shows above its answer, not under it as if it came after', async () => {
    const rt = testRuntime();
    openArbitratedCase(rt); // Pat's, due Dec 2, 10:00 AM EST; its first reminder rings on Dec 1
    const out = await driveConsole(rt, ['/as pat', () => rt.clock.set('2026-12-01T16:00:00Z'), '/snooze 1 1h', '/quit']);
    rt.close();
    const answer = out.slice(out.indexOf('> /snooze 1 1h\n'), out.indexOf('\n> ', out.indexOf('> /snooze 1 1h\n')));
    expect(answer).toContain('┌ DM to Pat Okafor\n  │ ! Reminder: dispute #1 is due Dec 2, 2026, 10:00 AM EST.');
    expect(answer).toContain('Reminder for dispute #1 snoozed until');
    expect(answer.indexOf('! Reminder: dispute #1')).toBeLessThan(answer.indexOf('Reminder for dispute #1 snoozed until'));
  });

  it('a question sent with /rule N ask says where it went and where the answers come, above the case, as Slack and Teams say it', async () => {
    const rt = testRuntime();
    openArbitratedCase(rt);
    const out = await driveConsole(rt, ['/as pat', '/rule 1 ask question="When did you first meet them?"', '/quit']);
    rt.close();
    const answer = out.slice(out.indexOf('> /rule 1 ask'), out.indexOf('\n> ', out.indexOf('> /rule 1 ask')));
    expect(answer).toContain("== Dispute #1: Soylent Corp ==\n✔ Your question is in the dispute’s thread and went to the parties by direct message. Their answers will come to you here, by direct message.\n  Your question:\n  │ When did you first meet them?\nAccount ");
  });

  it("the ask form's warning of what not to write comes before a question asked field by field, not after one given inline", async () => {
    const rt = testRuntime();
    openArbitratedCase(rt);
    const out = await driveConsole(rt, ['/as pat', '/rule 1 ask question="When did you first meet them?"', '/rule 1 ask', 'Who met their CIO first?', '/quit']);
    rt.close();
    const warning = "Ask the parties of dispute #1 on Soylent Corp (Analytics). The question goes as written to the dispute's thread, which people of several partners may read, and to every party: name no partner, deal size or evidence in it that another party should not read.";
    const inline = out.slice(out.indexOf('> /rule 1 ask question='), out.indexOf('> /rule 1 ask\n'));
    expect(inline).toContain('✔ Your question is in the dispute’s thread');
    expect(inline).not.toContain(warning);
    expect(out.slice(out.indexOf('> /rule 1 ask\n'))).toContain(`> /rule 1 ask\n${warning}\nQuestion for the parties: Who met their CIO first?\n`);
  });

  it('a case whose last arbitrator has a part in it too says they are the last of its chain, not that those above them have a part', async () => {
    const rt = testRuntime();
    const acme = (more: string) => `/claim account="Acme Corporation" product=analytics stage=qualified ${more}`;
    const out = await driveConsole(rt, [
      '/as pat', // Acme's chain: Pat, then Dana, then Morgan Lee, the last
      acme('route=direct opportunity="Acme direct" stage=proposal'),
      '/as dana',
      acme('claimant=contoso route=resell opportunity="Acme via Contoso"'),
      '/as vp',
      acme('claimant=fabrikam route=resell opportunity="Acme via Fabrikam"'),
      '/case 1',
      '/quit',
    ]);
    rt.close();
    const card = out.slice(out.indexOf('> /case 1'));
    expect(card).toContain('\n  Morgan Lee filed claim #6 in this case, but they are the last in its escalation chain, so Morgan Lee still rules on it.\n');
    expect(card).not.toContain('nobody above them');
  });

  it("an answer from one of the company's people is signed with their name, as a chat shows it, not their key in the policy", async () => {
    const rt = testRuntime();
    const out = await driveConsole(rt, [
      '/as pat',
      '/claim account="Acme Corporation" product=analytics route=direct opportunity="Acme direct" stage=proposal', // Dana's case: Pat filed a claim of it
      '/as dana',
      '/rule 1 ask question="When did you first meet them?"',
      '/as pat',
      '/answer 1 Last Tuesday.',
      '/quit',
    ]);
    rt.close();
    const answered = out.slice(out.indexOf('> /answer 1'));
    expect(answered).toContain('┌ DM to Dana Reyes');
    expect(answered).toContain('  │   Answer from Pat Okafor (Direct sales):\n  │   │ Last Tuesday.');
  });

  it("a user of a partner taken out of the programme (roe partner close) is told so, as in Slack and Teams: no longer that partner's user, help only", async () => {
    const rt = testRuntime();
    closePartner(rt.ctx, 'fabrikam');
    const out = await driveConsole(rt, ['/as fabrikam', '/who-owns acme', '/claim account="Acme Corporation" product=analytics route=resell opportunity="Acme via Fabrikam"', '/help', '/quit']);
    const live = rt.store.claims.all().filter((c) => c.claimant === 'fabrikam' && c.status !== 'expired');
    rt.close();
    expect(live).toEqual([]);
    const answer = (cmd: string) => out.slice(out.indexOf(`> ${cmd}`), out.indexOf('\n> ', out.indexOf(`> ${cmd}`)));
    expect(answer('/as fabrikam')).toContain('You are now fabrikam-user (of Fabrikam Systems, which left the partner programme: help only).');
    expect(answer('/as fabrikam')).not.toContain('external');
    expect(answer('/who-owns acme')).toContain('Your organisation (Fabrikam Systems) is no longer in our partner programme, so you cannot look up accounts');
    expect(answer('/claim')).toContain('Your organisation (Fabrikam Systems) is no longer in our partner programme, so you cannot register deals');
  });
});

describe('the console: an approval typed from a case card', () => {
  it('the card’s Approve names the party it recommends (/rule N approve PARTY); typed after another claim changed the recommendation, it rules nothing, as a stale button in Slack or Teams', async () => {
    const rt = testRuntime();
    const d = openArbitratedCase(rt); // Northwind recommended over Contoso
    const fabrikam = () =>
      void submitClaim(rt.deps, as.partner(rt, 'fabrikam'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Fabrikam deal', stage: 'negotiation', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const out = await driveConsole(rt, ['/as pat', `/case ${d.id}`, fabrikam, `/rule ${d.id} approve northwind`, '/quit']);
    const shown = out.slice(out.indexOf(`> /case ${d.id}`), out.indexOf('\n> ', out.indexOf(`> /case ${d.id}`)));
    expect(shown).toContain(`[Approve: Northwind Partners]  /rule ${d.id} approve northwind`);
    expect(rt.store.disputes.get(d.id)!.recommendation).toBe('fabrikam');
    const typed = out.slice(out.indexOf(`> /rule ${d.id} approve northwind`));
    expect(typed).toContain(`✘ The recommendation on dispute #${d.id} changed since this card was sent`);
    // Nothing was ruled: Fabrikam, which Pat never saw recommended, did not get the account.
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    rt.close();
  });
});
