import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { announce } from '../../handlers/notify.js';
import { approve, submitAsk, submitAward } from '../../handlers/rule.js';
import { submitAnswer } from '../../handlers/answer.js';
import { forgetUser } from '../../db/repos/privacy.repo.js';
import { savePerson } from '../../db/repos/people.repo.js';
import { DeliveryError } from '../../src/core/errors.js';
import { main } from '../../src/app/cli.js';
import { drainOutbox } from '../../src/app/outbox-worker.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { entryHash, verifyChain } from '../../src/core/ledger/chain.js';
import { partnerExport } from '../../src/core/privacy/export.js';
import { ROOT } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-dp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const roe = (db: string, args: string[]) => spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' } });

describe('backups', () => {
  it('roe backup takes a consistent copy while the bot has the database open, and the copy verifies', () => {
    const db = join(dir, 'live.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt);
    const values = { account: 'muller', route: 'resell', product: 'Services', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values, { origin: consoleOrigin, requestKey: null });
    const claims = rt.store.claims.all().length;
    const entries = [...rt.store.ledger.entries()].length;

    const copy = join(dir, 'backup.db');
    const r = roe(db, ['backup', copy]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/backup written to .*backup\.db/);
    // the bot goes on writing after the backup
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { ...values, account: 'initech' }, { origin: consoleOrigin, requestKey: null });
    rt.close();

    // restore = point DATABASE_PATH at the copy
    expect(roe(copy, ['ledger', 'verify']).stdout).toContain(`ledger OK: ${entries} entries`);
    const restored = testRuntime({ databasePath: copy, demo: false });
    expect(restored.store.claims.all()).toHaveLength(claims);
    expect(verifyChain(restored.store.ledger.entries())).toMatchObject({ ok: true, count: entries });
    restored.close();
    expect(roe(db, ['backup', copy]).stderr).toContain('exists');
  });
  it('roe backup of a database larger than one step of the backup API finishes while the bot goes on writing, and the copy verifies', async () => {
    const db = join(dir, 'busy.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const values = { account: 'muller', route: 'resell', product: 'Services', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values, { origin: consoleOrigin, requestKey: null });
    const claim = rt.store.claims.all().at(-1)!;
    expect(claim.status).toBe('protected');
    const fabrikam = as.partner(rt, 'fabrikam');
    // A ledger of a few thousand entries: hundreds of pages, several steps of SQLite's backup.
    rt.store.transaction(() => {
      for (let i = 0; i < 3000; i++) logClaimActivity(rt.deps, fabrikam, claim.id);
    });
    expect(rt.db.sqlite.pragma('page_count', { simple: true })).toBeGreaterThan(300);

    // The bot writes between every two turns of the event loop (a busy bot, at its most), up to a bound.
    const BOUND = 300;
    let writes = 0;
    let backedUp = false;
    const write = () => {
      if (backedUp || writes >= BOUND) return;
      logClaimActivity(rt.deps, fabrikam, claim.id);
      writes += 1;
      setImmediate(write);
    };
    setImmediate(write);
    const copy = join(dir, 'busy-backup.db');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['backup', copy], { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE_PATH: db, LOG_LEVEL: 'warn' }, stdin: process.stdin, stdout: process.stdout });
    backedUp = true;
    expect(err).toEqual([]);
    expect(code).toBe(0);
    // It did not need the bot to stop writing (each write made SQLite start the copy again).
    expect(writes).toBeLessThan(BOUND);
    const entries = [...rt.store.ledger.entries()].length;
    rt.close();
    const restored = testRuntime({ databasePath: copy, demo: false });
    const verified = verifyChain(restored.store.ledger.entries());
    expect(verified.ok).toBe(true);
    expect(verified.count).toBeLessThanOrEqual(entries);
    expect(verified.count).toBeGreaterThan(3000);
    restored.close();
  });
});

describe('partner export', () => {
  it('gives a partner exactly their own data and nobody else’s', () => {
    const db = join(dir, 'export.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(rt); // northwind (proposal) vs contoso (qualified) on Soylent, evidence ''
    approve(rt.deps, as.person(rt, 'pat'), d.id); // Contoso's claim is rejected: its ledger entry names the winner
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'muller', route: 'resell', product: 'Services', opportunity: 'Northwind secret deal', stage: 'qualified', amount: '777777', evidence: 'northwind private notes' }, { origin: consoleOrigin, requestKey: null });
    rt.close();
    const out = roe(db, ['export', '--partner', 'contoso']);
    const data = JSON.parse(out.stdout) as { partner: { id: string }; claims: { account: { id: string } }[]; disputes: { parties: string[] }[]; ledger: { subject: string }[] };
    expect(data.partner.id).toBe('contoso');
    expect(data.claims.map((c) => c.account.id).sort()).toEqual(['initech', 'soylent']);
    expect(data.disputes[0]!.parties.sort()).toEqual(['another party', 'contoso']);
    expect(out.stdout).toContain('"kind": "claim.rejected"');
    const text = out.stdout;
    for (const secret of ['northwind', 'Northwind', '777777', 'northwind private notes', 'T0NORTHWIND']) expect(text).not.toContain(secret);
    // A mistyped id is told which ids there are (the operator of the command line sees them all).
    expect(roe(db, ['export', '--partner', 'nobody']).stderr).toMatch(/^no partner "nobody"; partner ids: (\w+, )*contoso, (\w+, )*northwind\b/);
  });

  it('lets no guess at a party it hides be checked: its ledger entries carry no hashes to test a name against', () => {
    const db = join(dir, 'export-hashes.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(rt); // northwind (proposal) vs contoso (qualified) on Soylent
    approve(rt.deps, as.person(rt, 'pat'), d.id); // Contoso's claim is rejected, for Northwind
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Contoso deal', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    rt.close();
    type Entry = { seq: number; at: string; kind: string; subject: string; actor: string; policyVersion: string | null; payload: Record<string, unknown>; hash?: string; prevHash?: string };
    const { ledger } = JSON.parse(roe(db, ['export', '--partner', 'contoso']).stdout) as { ledger: Entry[] };
    const rejected = ledger.find((e) => e.kind === 'claim.rejected')!;
    expect(rejected.payload.winner).toBe('another party');
    // With an entry's hash (or the next entry's link to it), a partner could put a name it guesses
    // back in place of "another party", hash the entry again and see whether it was the one.
    const links = new Set(ledger.flatMap((e) => [e.hash, e.prevHash]).filter((h) => h !== undefined));
    const { hash: _h, prevHash: _p, ...content } = rejected;
    const previous = ledger.find((e) => e.seq === rejected.seq - 1)?.hash ?? rejected.prevHash ?? '';
    expect(links.has(entryHash(previous, { ...content, payload: { ...content.payload, winner: 'northwind' } }))).toBe(false);
    for (const e of ledger) {
      expect(e).not.toHaveProperty('hash');
      expect(e).not.toHaveProperty('prevHash');
    }
  });

  it('gives each claim in full: filed against another party’s protection, and a violation once it lost the ruling', () => {
    const db = join(dir, 'export-violation.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: consoleOrigin, requestKey: null }); // protected
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'proposal' }, { origin: consoleOrigin, requestKey: null }); // against it
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'northwind', rationale: 'Northwind was there first and protected.' });
    const lost = rt.store.claims.forClaimant('contoso').find((c) => c.accountId === 'soylent')!;
    expect(lost).toMatchObject({ status: 'rejected', contested: true, violation: true });
    rt.close();
    const data = JSON.parse(roe(db, ['export', '--partner', 'contoso']).stdout) as { claims: { id: number; contested: boolean; violation: boolean }[] };
    expect(data.claims.find((c) => c.id === lost.id)).toMatchObject({ contested: true, violation: true });
  });

  it('says of each claim whether the partner’s own people filed it or the company’s people filed it for the partner', () => {
    const db = join(dir, 'export-filed-as.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const values = { route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, account: 'soylent' }, { origin: consoleOrigin, requestKey: null });
    const own = rt.store.claims.all().at(-1)!;
    submitClaim(rt.deps, as.person(rt, 'sam'), { ...values, account: 'wayne', claimant: 'contoso' }, { origin: consoleOrigin, requestKey: null });
    const forIt = rt.store.claims.all().at(-1)!;
    rt.close();
    const data = JSON.parse(roe(db, ['export', '--partner', 'contoso']).stdout) as { claims: { id: number; filedAs: string | null }[] };
    expect(data.claims.find((c) => c.id === own.id)?.filedAs).toBe('contoso');
    expect(data.claims.find((c) => c.id === forIt.id)?.filedAs).toBe('direct');
    // The CRM's claims of Contoso say nobody filed them in chat.
    expect(data.claims.filter((c) => c.id !== own.id && c.id !== forIt.id).map((c) => c.filedAs)).toEqual(data.claims.filter((c) => c.id !== own.id && c.id !== forIt.id).map(() => null));
  });

  it('reads only the partner’s own rows: other partners’ claims, cases, accounts and ledger entries (their flags too) are not in it', () => {
    const db = join(dir, 'export-others.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const meta = { origin: consoleOrigin, requestKey: null };
    /** Northwind holds the line; `who` files over it further along and loses the ruling: a violation of `who`. */
    const violation = (account: string, who: string, product = 'Analytics') => {
      const values = { account, route: 'resell', product, opportunity: `${who} deal at ${account}`, stage: 'qualified', amount: '4242', evidence: `${who} notes on ${account}` };
      submitClaim(rt.deps, as.partner(rt, 'northwind'), values, meta);
      rt.clock.advance(60_000);
      submitClaim(rt.deps, as.partner(rt, who), { ...values, stage: 'proposal' }, meta);
      const d = rt.store.disputes.all().at(-1)!;
      submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
      rt.clock.advance(60_000);
    };
    // Fabrikam is flagged (entries about partner:fabrikam) over cases Contoso has no part in.
    for (const [a, product] of [['acme-analytics', 'Analytics'], ['acme-analytics', 'Services'], ['acme', 'Services']] as const) violation(a, 'fabrikam', product);
    for (const a of ['soylent', 'wayne', 'muller']) violation(a, 'contoso');
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'acme-analytics', route: 'resell', product: 'Core Platform', opportunity: 'Northwind own deal', stage: 'qualified', amount: '', evidence: '' }, meta);
    expect(rt.store.partners.flaggedAt('fabrikam')).not.toBeNull();
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    // The same partner's export made from every row of the database.
    const partner = rt.store.partners.get('contoso')!;
    const everything = partnerExport({ partner, claims: rt.store.claims.all(), disputes: rt.store.disputes.all(), accounts: new Map(rt.store.accounts.all().map((a) => [a.id, a])), ledger: [...rt.store.ledger.entries()], at: rt.clock.now(), flaggedAt: rt.store.partners.flaggedAt('contoso') });
    const own = new Set(rt.store.claims.forClaimant('contoso').map((c) => c.id));
    rt.close();

    const out = roe(db, ['export', '--partner', 'contoso']);
    expect(out.stderr).toBe('');
    const data = JSON.parse(out.stdout) as typeof everything;
    expect({ ...data, exportedAt: null }).toEqual(JSON.parse(JSON.stringify({ ...everything, exportedAt: null })));
    expect(data.claims.map((c) => c.id).sort((a, b) => a - b)).toEqual([...own].sort((a, b) => a - b));
    expect(data.claims.map((c) => c.account.id).sort()).toEqual(['initech', 'muller', 'soylent', 'wayne']);
    expect(data.disputes).toHaveLength(3);
    for (const d of data.disputes) expect(d.ownClaims.length).toBeGreaterThan(0);
    expect(new Set(data.ledger.map((e) => e.subject))).toEqual(new Set([...[...own].map((id) => `claim:${id}`), 'partner:contoso']));
    expect(data.ledger.filter((e) => e.kind === 'partner.flagged')).toHaveLength(1);
    for (const secret of ['fabrikam', 'Fabrikam', 'northwind', 'Northwind', 'acme', 'Acme']) expect(out.stdout).not.toContain(secret);
  });
});

describe('forget', () => {
  it('removes a person’s personal data while the ledger still verifies', () => {
    const db = join(dir, 'forget.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(rt); // filed by console:northwind-user and console:contoso-user
    // The ruling sends each party a DM; one of them is being sent when the user is forgotten.
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const dms = rt.db.sqlite.prepare("select id from outbox where target like '%northwind-user%'").all() as { id: number }[];
    expect(dms.length).toBeGreaterThan(0);
    rt.db.sqlite.prepare("update outbox set status = 'sending' where id = ?").run(dms[0]!.id);
    const before = [...rt.store.ledger.entries()];
    const northwindActor = before.find((e) => e.kind === 'claim.filed')!.actor;
    expect(northwindActor).toMatch(/^user-/);
    expect(JSON.stringify(before)).not.toContain('northwind-user');
    rt.close();

    const r = roe(db, ['forget', 'console:northwind-user']);
    expect(r.stdout).toMatch(/forgot console:northwind-user: 1 claim and 0 disputes now name user-/);
    expect(roe(db, ['ledger', 'verify']).stdout).toContain('ledger OK');
    const after = testRuntime({ databasePath: db, demo: false });
    const everything = JSON.stringify({ claims: after.store.claims.all(), disputes: after.store.disputes.all(), ledger: [...after.store.ledger.entries()], actors: after.db.sqlite.prepare('select * from actors').all(), outbox: after.db.sqlite.prepare('select * from outbox').all() });
    expect(everything).not.toContain('northwind-user');
    expect(everything).toContain('contoso-user');
    after.close();
    expect(roe(db, ['forget', 'console:northwind-user']).stderr).toContain('nothing is known of console:northwind-user');
  });

  it('a claim the forgotten person filed for a partner keeps the party it was filed as, which names nobody, and its notices reach nobody', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-filed-as.db') });
    const sam = as.person(rt, 'sam');
    submitClaim(rt.deps, sam, { account: 'soylent', claimant: 'contoso', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const c = rt.store.claims.all().at(-1)!;
    expect(c.filedAs).toBe('direct');
    const report = forgetUser(rt.db, sam.userKey);
    expect(rt.store.claims.get(c.id)).toMatchObject({ createdBy: report.actorId, filedAs: 'direct' });
    const before = (rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n;
    announce(rt.deps, [{ type: 'claim.dormancy_warning', claim: rt.store.claims.get(c.id)!, dormantAt: new Date('2027-01-06T14:00:00Z') }], null);
    expect((rt.db.sqlite.prepare('select count(*) as n from outbox').get() as { n: number }).n).toBe(before);
    rt.close();
  });

  it('a forget is an entry of the ledger: the pseudonym and what was removed, never the person', () => {
    const db = join(dir, 'forget-entry.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt); // filed by console:northwind-user and console:contoso-user
    const pseudonym = [...rt.store.ledger.entries()].find((e) => e.kind === 'claim.filed')!.actor;
    const count = [...rt.store.ledger.entries()].length;
    rt.close();

    expect(roe(db, ['forget', 'console:northwind-user']).status).toBe(0);
    const verify = roe(db, ['ledger', 'verify']);
    expect(verify.stdout).toContain(`ledger OK: ${count + 1} entries`);
    const ledger = JSON.parse(roe(db, ['ledger', 'export']).stdout) as { seq: number; kind: string; subject: string; actor: string; payload: unknown }[];
    expect(ledger.at(-1)).toMatchObject({ seq: count + 1, kind: 'user.forgotten', subject: 'privacy', actor: 'forget', payload: { pseudonym, claims: 1, disputes: 0, profiles: 0 } });
    expect(JSON.stringify(ledger)).not.toContain('northwind-user');
  });

  it('where a forgotten Slack user’s case cards are (their DM) is forgotten too; others’ cards are kept', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-cards.db') });
    const d = openArbitratedCase(rt);
    rt.store.transaction(() => {
      rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1.000100', user: 'U0PAT', person: 'pat' });
      rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0DANA', ts: '2.000100', user: 'U0DANA', person: 'dana' });
    });
    forgetUser(rt.db, 'slack:U0PAT');
    expect(rt.store.caseCards.of(d.id).map((c) => c.user)).toEqual(['U0DANA']);
    rt.close();
  });

  it('updates of a forgotten Slack user’s case cards are dropped while queued, and name nothing of them once sent', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-card-updates.db') });
    const d = openArbitratedCase(rt);
    rt.store.transaction(() => {
      rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1.000100', user: 'U0PAT', person: 'pat' });
      rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '2.000100', user: 'U0PAT', person: 'pat' });
    });
    approve(rt.deps, as.person(rt, 'pat'), d.id);
    const updates = () => rt.db.sqlite.prepare("SELECT id, status, target, dedupe_key AS k FROM outbox WHERE json_extract(target, '$.kind') = 'message' OR k LIKE 'forgotten:%'").all() as { id: number; status: string; target: string; k: string }[];
    expect(updates().map((u) => JSON.parse(u.target).ts)).toEqual(['1.000100', '2.000100']);
    rt.db.sqlite.prepare("UPDATE outbox SET status = 'delivered' WHERE id = ?").run(updates()[0]!.id);
    forgetUser(rt.db, 'slack:U0PAT');
    const left = updates();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ status: 'delivered', target: '{"kind":"user","user":"forgotten"}', k: `forgotten:${left[0]!.id}` });
    expect(JSON.stringify(rt.db.sqlite.prepare('SELECT * FROM outbox').all())).not.toMatch(/U0PAT|D0PAT/);
    rt.close();
  });

  it('a dispute the person raised from their 1:1 chat with the bot is no longer followed there; one raised in a channel still is', () => {
    const db = join(dir, 'forget-dm.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const values = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
    const dm = { platform: 'slack' as const, channel: 'D0CONTOSOUSER', thread: null };
    const channel = { platform: 'slack' as const, channel: 'C0DEALS', thread: null };
    for (const [account, origin] of [['soylent', dm], ['muller', channel]] as const) {
      submitClaim(rt.deps, as.partner(rt, 'northwind'), values(account, 'proposal'), { origin: channel, requestKey: null });
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values(account, 'qualified'), { origin, requestKey: null });
    }
    const [fromDm, fromChannel] = rt.store.disputes.all().slice(-2);
    expect(fromDm!.origin).toEqual(dm);
    rt.close();
    expect(roe(db, ['forget', 'console:contoso-user']).status).toBe(0);
    const after = testRuntime({ databasePath: db, demo: false });
    expect(after.store.disputes.get(fromDm!.id)!.origin).toBeNull();
    expect(after.store.disputes.get(fromChannel!.id)!.origin).toEqual(channel);
    after.close();
  });

  it('a case an import opened, which took the person’s 1:1 chat as its thread when their claim joined it, is no longer followed there', () => {
    const db = join(dir, 'forget-adopted.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    const imported = ['P1,soylent,contoso,resell,Analytics,Deal,qualified,,,pending,2026-12-01,', 'P2,muller,contoso,resell,Analytics,Deal,qualified,,,pending,2026-12-01,', 'P3,initech,contoso,resell,Analytics,Deal,qualified,,,pending,2026-12-01,'];
    importCsv(rt.ctx, 'claims', 'claims.csv', [header, ...imported].join('\n'), { announce: (events) => announce(rt.deps, events, null) });
    const values = (account: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' });
    const slackDm = { platform: 'slack' as const, channel: 'D0NORADM', thread: null };
    const teamsChat = { platform: 'teams' as const, channel: 'a:1on1-tomas', thread: null };
    const channel = { platform: 'slack' as const, channel: 'C0DEALS', thread: null };
    const nora = rt.resolve({ platform: 'slack', userId: 'U0NORA', displayName: 'nora', orgId: 'T0NORTHWIND', home: false });
    const tomas = rt.resolve({ platform: 'teams', userId: '29:tomas', displayName: 'Tomas', orgId: '5b1f3c1e-0000-4000-8000-00000000a003', home: false });
    submitClaim(rt.deps, nora, values('soylent'), { origin: slackDm, requestKey: null });
    submitClaim(rt.deps, tomas, values('muller'), { origin: teamsChat, requestKey: null });
    submitClaim(rt.deps, nora, values('initech'), { origin: channel, requestKey: null });
    const [soylent, muller, initech] = ['soylent', 'muller', 'initech'].map((a) => rt.store.disputes.forAccount(a).at(-1)!);
    expect([soylent!.raisedBy, soylent!.origin, muller!.origin, initech!.origin]).toEqual(['import', slackDm, teamsChat, channel]);
    rt.close();

    expect(roe(db, ['forget', 'slack:U0NORA']).status).toBe(0);
    expect(roe(db, ['forget', 'teams:29:tomas']).status).toBe(0);
    const after = testRuntime({ databasePath: db, demo: false });
    expect([soylent, muller, initech].map((d) => after.store.disputes.get(d!.id)!.origin)).toEqual([null, null, channel]);
    after.close();
  });

  it('a message kept once delivered names the person in the error it met before no more', async () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-last-error.db') });
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
    const tomas = rt.resolve({ platform: 'teams', userId: '29:tomas', displayName: 'Tomas', orgId: '5b1f3c1e-0000-4000-8000-00000000a003', home: false });
    submitClaim(rt.deps, tomas, values, { origin: consoleOrigin, requestKey: null });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin: consoleOrigin, requestKey: null });
    approve(rt.deps, as.person(rt, 'pat'), rt.store.disputes.all().at(-1)!.id);
    // The first try at each message to them fails naming them; the next goes through.
    const tried = new Set<number>();
    const deliver = async (m: { id: number; target: unknown }) => {
      const user = (m.target as { user?: string }).user;
      if (user !== '29:tomas' || tried.has(m.id)) return;
      tried.add(m.id);
      throw new DeliveryError(`no Teams tenant known for ${user}: set MICROSOFT_APP_TENANT_ID or have them message the bot once`);
    };
    for (let i = 0; i < 10 && rt.db.sqlite.prepare("SELECT 1 FROM outbox WHERE status <> 'delivered'").get(); i++) {
      await drainOutbox(rt.db.db, { teams: deliver, console: async () => undefined }, () => rt.clock.now(), rt.logger, 1);
      rt.clock.advance(60_000);
    }
    const rows = () => rt.db.sqlite.prepare('SELECT status, target, last_error AS lastError FROM outbox WHERE last_error IS NOT NULL').all() as { status: string; target: string; lastError: string }[];
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().every((r) => r.status === 'delivered' && r.lastError.includes('29:tomas'))).toBe(true);
    forgetUser(rt.db, 'teams:29:tomas');
    expect(rows().map((r) => r.lastError)).toEqual(rows().map(() => 'no Teams tenant known for a forgotten user: set MICROSOFT_APP_TENANT_ID or have them message the bot once'));
    expect(JSON.stringify(rt.db.sqlite.prepare('SELECT * FROM outbox').all())).not.toContain('tomas');
    rt.close();
  });

  it('an answer the person sent an arbitrator is not sent once they are forgotten, and one already sent is kept without their name or words', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-answers.db') });
    const d = openArbitratedCase(rt);
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    // Nora, of Northwind (a party), answers twice: the first answer is delivered, the second still waits.
    const nora = rt.resolve({ platform: 'console', userId: 'nora-7Q9xK2', displayName: 'Nora Quixotic', orgId: 'northwind', home: false });
    submitAnswer(rt.deps, nora, { dispute: String(d.id), answer: 'Our rep met the CIO in March.' }, { requestKey: 'a1' });
    rt.db.sqlite.prepare("UPDATE outbox SET status = 'delivered', delivered_at = 1 WHERE body LIKE '%in March%'").run();
    rt.clock.advance(1000);
    submitAnswer(rt.deps, nora, { dispute: String(d.id), answer: 'And again at the May summit.' }, { requestKey: 'a2' });
    submitAnswer(rt.deps, as.partner(rt, 'contoso'), { dispute: String(d.id), answer: 'We met them in April.' }, { requestKey: 'a3' });
    const outboxText = () => JSON.stringify(rt.db.sqlite.prepare('SELECT * FROM outbox').all());
    expect(outboxText()).toContain('Nora Quixotic');
    const report = forgetUser(rt.db, 'console:nora-7Q9xK2');
    expect(outboxText()).not.toMatch(/Nora Quixotic|nora-7Q9xK2|in March|May summit/);
    // Pat is still sent Contoso's answer; of Nora's, only the one delivered is kept (a message Pat was sent), saying nothing.
    const toPat = rt.db.sqlite.prepare("SELECT status, body FROM outbox WHERE target = '{\"kind\":\"user\",\"user\":\"pat\"}' AND (body LIKE '%Answer from%' OR body = '{}') ORDER BY id").all();
    expect(toPat).toEqual([{ status: 'delivered', body: '{}' }, { status: 'pending', body: expect.stringContaining('We met them in April.') }]);
    expect(report).toMatchObject({ outbox: 1, past: 1 });
    rt.close();
  });

  it('the keys that make each of the person’s answers count once name them no more; another user’s (console:nora-7 of console:nora-7Q9xK2) are kept', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-answer-keys.db') });
    const d = openArbitratedCase(rt);
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    const answerAs = (userId: string, requestKey: string) => {
      const who = rt.resolve({ platform: 'console', userId, displayName: userId, orgId: 'northwind', home: false });
      submitAnswer(rt.deps, who, { dispute: String(d.id), answer: 'Our rep met the CIO in March.' }, { requestKey });
    };
    answerAs('nora-7Q9xK2', 'slack:view:V0NORA');
    answerAs('nora-7', 'slack:view:V0OTHER');
    const keys = () => (rt.db.sqlite.prepare("SELECT key FROM request_keys WHERE key LIKE 'answer:%' ORDER BY key").pluck().all() as string[]).join('\n');
    expect(keys()).toContain('nora-7Q9xK2');
    forgetUser(rt.db, 'console:nora-7Q9xK2');
    expect(keys()).not.toContain('nora-7Q9xK2');
    expect(keys()).toBe('answer:console:nora-7:slack:view:V0OTHER');
    rt.close();
  });

  it('another user whose id the person’s id starts (U0PAT of U0PAT2, console:pat of console:patricia) keeps their dedupe keys and errors', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-prefix.db') });
    const insert = rt.db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at, status, last_error) VALUES (?, ?, '{}', ?, 0, 0, 'delivered', ?)");
    insert.run('slack', JSON.stringify({ kind: 'user', user: 'U0PAT' }), 'dm:1:ruled:slack:U0PAT:100', 'conversations.open gave no channel for U0PAT');
    insert.run('slack', JSON.stringify({ kind: 'user', user: 'U0PAT2' }), 'dm:1:ruled:slack:U0PAT2:100', 'conversations.open gave no channel for U0PAT2');
    insert.run('console', JSON.stringify({ kind: 'user', user: 'patricia' }), 'dm:1:ruled:console:patricia:100', null);
    forgetUser(rt.db, 'slack:U0PAT');
    forgetUser(rt.db, 'console:pat');
    const rows = rt.db.sqlite.prepare('SELECT dedupe_key AS k, last_error AS e FROM outbox ORDER BY id').all() as { k: string; e: string | null }[];
    expect(rows.slice(1)).toEqual([
      { k: 'dm:1:ruled:slack:U0PAT2:100', e: 'conversations.open gave no channel for U0PAT2' },
      { k: 'dm:1:ruled:console:patricia:100', e: null },
    ]);
    expect(rows[0]!.k).toMatch(/^forgotten:/);
    expect(rows[0]!.e).toBe('conversations.open gave no channel for a forgotten user');
    rt.close();
  });

  it('a Teams user given by their Entra object id (teams:<GUID>) is found by the contact that holds it, and forgotten', () => {
    const db = join(dir, 'forget-entra.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const aad = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f';
    savePerson(rt.db.db, { userKey: 'teams:29:tomas', platform: 'teams', displayName: 'Tomas', partnerId: 'contoso', personKey: null, conversationRef: { user: { id: '29:tomas', aadObjectId: aad } }, updatedAt: rt.clock.now() });
    rt.close();
    const r = roe(db, ['forget', `teams:${aad.toUpperCase()}`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`teams:${aad.toUpperCase()} is the Entra object id of Teams user teams:29:tomas`);
    expect(r.stdout).toMatch(/forgot teams:29:tomas: .*1 profile removed/);
    const after = testRuntime({ databasePath: db, demo: false });
    expect(after.db.sqlite.prepare("SELECT 1 FROM people WHERE user_key = 'teams:29:tomas'").get()).toBeUndefined();
    after.close();
    // A GUID no contact holds is still nothing known.
    expect(roe(db, ['forget', 'teams:00000000-0000-4000-8000-000000000000']).stderr).toContain('nothing is known of teams:00000000-0000-4000-8000-000000000000');
  });

  it('a Teams arbitrator given by their Entra object id, which the policy names them by (messages went to it), loses their profile too', () => {
    const db = join(dir, 'forget-entra-arbitrator.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const aad = '7a2b3c4d-8d3b-4c5a-9e7f-0a1b2c3d4e5f';
    savePerson(rt.db.db, { userKey: 'teams:29:dana', platform: 'teams', displayName: 'Dana', partnerId: null, personKey: 'dana', conversationRef: { user: { id: '29:dana', aadObjectId: aad } }, updatedAt: rt.clock.now() });
    // A case card to the policy's id for them (their Entra object id), as personTarget addresses it.
    rt.db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at) VALUES ('teams', ?, '{}', 'arbitrator:probe', 0, 0)").run(JSON.stringify({ kind: 'user', user: aad }));
    rt.close();
    const r = roe(db, ['forget', `teams:${aad}`]);
    expect(r.status).toBe(0);
    const after = testRuntime({ databasePath: db, demo: false });
    expect(after.db.sqlite.prepare("SELECT 1 FROM people WHERE user_key = 'teams:29:dana'").get()).toBeUndefined();
    expect(JSON.stringify(after.db.sqlite.prepare('SELECT * FROM outbox').all())).not.toContain(aad);
    after.close();
  });

  it('a channel post that would go to the person by DM should the channel refuse it names them no more', () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-fallback.db') });
    const insert = rt.db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at) VALUES ('slack', ?, '{}', ?, 0, 0)");
    insert.run(JSON.stringify({ kind: 'channel', channel: 'C0ESCAL', fallbackUser: 'U0PAT' }), 'escalation:1');
    insert.run(JSON.stringify({ kind: 'channel', channel: 'C0ESCAL', fallbackUser: 'U0SAM' }), 'escalation:2');
    forgetUser(rt.db, 'slack:U0PAT');
    const targets = (rt.db.sqlite.prepare('SELECT target FROM outbox ORDER BY id').all() as { target: string }[]).map((r) => JSON.parse(r.target) as unknown);
    expect(targets).toEqual([
      { kind: 'channel', channel: 'C0ESCAL' },
      { kind: 'channel', channel: 'C0ESCAL', fallbackUser: 'U0SAM' },
    ]);
    rt.close();
  });

  it('someone known only as the one messages go to (an arbitrator on Slack: case cards, DMs) is forgotten too', () => {
    const db = join(dir, 'forget-arbitrator.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const d = openArbitratedCase(rt);
    rt.db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at) VALUES ('slack', '{\"kind\":\"user\",\"user\":\"U0PAT\"}', '{}', 'arbitrator:probe', 0, 0)").run();
    rt.store.transaction(() => rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1.000100', user: 'U0PAT', person: 'pat' }));
    rt.close();
    const r = roe(db, ['forget', 'slack:U0PAT']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^forgot slack:U0PAT: 0 claims and 0 disputes now name nobody, 0 profiles removed, 1 undelivered message dropped/);
    const after = testRuntime({ databasePath: db, demo: false });
    expect(JSON.stringify({ cards: after.db.sqlite.prepare('SELECT * FROM case_cards').all(), outbox: after.db.sqlite.prepare('SELECT * FROM outbox').all() })).not.toMatch(/U0PAT|D0PAT/);
    after.close();
  });

  it('a case card being sent to the person as they are forgotten is not remembered once it lands', async () => {
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: join(dir, 'forget-in-flight.db') });
    const d = openArbitratedCase(rt);
    rt.db.sqlite.prepare("INSERT INTO outbox (platform, target, body, dedupe_key, next_attempt_at, created_at) VALUES ('slack', '{\"kind\":\"user\",\"user\":\"U0PAT\"}', '{}', 'arbitrator:in-flight', 0, 0)").run();
    // Slack's deliverer: the card goes out, and where it landed is remembered with the delivery.
    const deliver = async () => {
      forgetUser(rt.db, 'slack:U0PAT'); // `roe forget` meanwhile, from another process
      return () => rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1.000100', user: 'U0PAT', person: 'pat' });
    };
    await drainOutbox(rt.db.db, { slack: deliver }, () => rt.clock.now(), rt.logger, 1);
    expect(rt.store.caseCards.of(d.id)).toEqual([]);
    expect(JSON.stringify(rt.db.sqlite.prepare('SELECT * FROM outbox').all())).not.toContain('U0PAT');
    rt.close();
  });

  it('a key that names no platform (a Teams id without teams:) is a wrong command line, not someone unknown', () => {
    const r = roe(join(dir, 'forget.db'), ['forget', '29:1abc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^roe forget: "29:1abc" is not a chat user key: it starts with slack:, teams: or console: \(a Teams user is teams:29:1abc\)\n/);
  });
});
