import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { approve } from '../../handlers/rule.js';
import { forgetUser } from '../../db/repos/privacy.repo.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
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
});
