import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { createStore, ledgerAboutParams, ledgerAboutSql, ledgerOfKindsParams, ledgerOfKindsSql } from '../../db/repos/store.js';
import { CASE_HISTORY_WHERE } from '../../db/schema.js';
import { dueTimers } from '../../db/repos/timers.repo.js';
import { entraIdQuery, teamsPersonByEntraId } from '../../db/repos/people.repo.js';
import { ROOT } from '../support/builders.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A database file with only the first `n` migrations applied, as an older release left it. */
function olderDatabase(dir: string, n: number): string {
  const folder = join(dir, 'migrations');
  cpSync(join(ROOT, 'db/migrations'), folder, { recursive: true });
  const journalPath = join(folder, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, n) }));
  const path = join(dir, 'roe.db');
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return path;
}

/** Opens the database in a child process, as `roe serve` or a CLI command does; resolves with its exit code and output. */
/** A process that opens the database (migrating it); `starting` resolves once its code runs, just before it opens the file. */
function openInChild(path: string): { starting: Promise<void>; done: Promise<{ code: number | null; out: string }> } {
  const code = `import { openDatabase } from ${JSON.stringify(join(ROOT, 'db/client.ts'))}; console.log('starting'); openDatabase(${JSON.stringify(path)}).close(); console.log('opened');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let started: () => void;
  const starting = new Promise<void>((ok) => (started = ok));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('starting\n')) started();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (c) => (started(), resolve({ code: c, out }))));
  return { starting, done };
}

describe('migrations', () => {
  it('a database of an older release is brought up to date, keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 2);
    const before = new Database(path);
    before.prepare("INSERT INTO partners (id, name, tier, updated_at) VALUES ('northwind', 'Northwind', 'gold', 0)").run();
    before.close();
    const db = openDatabase(path);
    const columns = (db.sqlite.prepare("SELECT name FROM pragma_table_info('disputes')").all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('raised_as');
    expect(db.sqlite.prepare('SELECT id FROM partners').all()).toEqual([{ id: 'northwind' }]);
    db.close();
  });

  it('claims, cases and timers keep their ids through the rebuild without AUTOINCREMENT, and new ones follow them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 8);
    const before = new Database(path);
    before.exec(`
      INSERT INTO accounts (id, name, aliases, domains, segment, region, updated_at) VALUES ('acme', 'Acme', '[]', '[]', 'enterprise', 'emea', 0);
      INSERT INTO claims (id, account_id, claimant, route, product_line, opp_name, opp_stage, evidence, status, registered_at, last_activity_at, policy_version, created_by, request_key)
        VALUES (41, 'acme', 'northwind', 'resell', 'Analytics', 'Renewal', 'qualified', '', 'protected', 0, 0, '2026.1', 'u', 'k-41');
      INSERT INTO disputes (id, account_id, product_line, status, claim_ids, parties, raised_by, reason, evidence, coverage_name, arbitrator, trace, policy_version, created_at)
        VALUES (7, 'acme', 'Analytics', 'open', '[41]', '["northwind"]', 'u', 'overlap', '', 'default', 'a', '[]', '2026.1', 0);
      INSERT INTO timers (id, kind, subject, due_at, payload, created_at) VALUES (12, 'claim.expire', 'claim:41', 5, '{}', 0);
    `);
    before.close();
    const db = openDatabase(path);
    const sql = (table: string) => (db.sqlite.prepare("SELECT sql FROM sqlite_schema WHERE name = ?").get(table) as { sql: string }).sql;
    for (const table of ['claims', 'disputes', 'timers']) expect(sql(table)).not.toMatch(/AUTOINCREMENT/);
    expect(sql('outbox')).toMatch(/AUTOINCREMENT/);
    expect(db.sqlite.prepare('SELECT id, request_key AS k FROM claims').all()).toEqual([{ id: 41, k: 'k-41' }]);
    expect(db.sqlite.prepare('SELECT id, claim_ids AS c FROM disputes').all()).toEqual([{ id: 7, c: '[41]' }]);
    expect(db.sqlite.prepare('SELECT id, subject FROM timers').all()).toEqual([{ id: 12, subject: 'claim:41' }]);
    const next = db.sqlite.prepare("INSERT INTO timers (kind, subject, due_at, payload, created_at) VALUES ('claim.expire', 'claim:42', 9, '{}', 0)").run();
    expect(next.lastInsertRowid).toBe(13);
    const indexes = (db.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name IN ('claims', 'disputes', 'timers') AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['claims_account_idx', 'claims_request_key_idx', 'claims_violations_idx', 'disputes_account_idx', 'disputes_request_key_idx', 'disputes_status_idx', 'timers_due_idx', 'timers_retry_idx', 'timers_subject_idx']);
    db.close();
  });

  it('after the upgrade, the timers waiting to be tried again are found from an index that holds only them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 11);
    const before = new Database(path);
    const timer = before.prepare("INSERT INTO timers (kind, subject, due_at, payload, attempts, created_at) VALUES ('claim.expire', ?, ?, '{}', ?, 0)");
    timer.run('claim:1', 1_000, 0);
    timer.run('claim:2', 9_000_000, 2);
    timer.run('claim:3', 9_000_000, 0);
    before.close();
    const db = openDatabase(path);
    // Due: the timer whose moment came, and the retry held further ahead than any retry is (a clock set back); not the timer never tried.
    expect(dueTimers(db.db, new Date(2_000), 10).map((t) => t.subject)).toEqual(['claim:2', 'claim:1']);
    const plan = db.sqlite.prepare("EXPLAIN QUERY PLAN SELECT id FROM timers WHERE status = 'pending' AND attempts > 0 AND due_at > ? ORDER BY id LIMIT ?").all(0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('timers_retry_idx');
    expect((db.sqlite.prepare("SELECT sum(ncell) AS n FROM dbstat WHERE name = 'timers_retry_idx'").get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('after the upgrade, a partner\'s violations are still counted, from an index that holds only them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 10);
    const before = new Database(path);
    before.exec("INSERT INTO accounts (id, name, aliases, domains, updated_at) VALUES ('acme', 'Acme', '[]', '[]', 0)");
    const claim = before.prepare(
      "INSERT INTO claims (account_id, claimant, route, product_line, opp_name, opp_stage, evidence, status, registered_at, last_activity_at, policy_version, created_by, violation) VALUES ('acme', ?, 'resell', 'Analytics', 'Deal', 'qualified', '', 'rejected', ?, ?, '2026.1', 'u', ?)",
    );
    claim.run('contoso', 1_000, 1_000, 1);
    claim.run('contoso', 2_000, 2_000, 0);
    claim.run('contoso', 3_000, 3_000, 1);
    claim.run('northwind', 4_000, 4_000, 1);
    before.close();
    const db = openDatabase(path);
    const store = createStore(db);
    expect(store.claims.violationsSince('contoso', new Date(0))).toEqual([new Date(1_000), new Date(3_000)]);
    expect(store.claims.violationsSince('contoso', new Date(1_000))).toEqual([new Date(3_000)]);
    const plan = db.sqlite.prepare("EXPLAIN QUERY PLAN SELECT registered_at FROM claims WHERE claimant = ? AND violation = 1 AND registered_at > ?").all('contoso', 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('claims_violations_idx');
    // Only the three violations are in it: filing an ordinary claim writes nothing to it.
    expect((db.sqlite.prepare("SELECT sum(ncell) AS n FROM dbstat WHERE name = 'claims_violations_idx'").get() as { n: number }).n).toBe(3);
    db.close();
  });

  it("after the upgrade, a case's questions, answers and hand-ons are read from an index of those alone, not the whole ledger", () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 12);
    const before = new Database(path);
    const entry = before.prepare("INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES (?, '2026-12-01T15:00:00.000Z', ?, ?, 'pat', '2026.1', '{}', 'x', 'y')");
    const rows: [string, string][] = [
      ['dispute.opened', 'dispute:1'],
      ['claim.filed', 'claim:1'],
      ['dispute.info_requested', 'dispute:1'],
      ['dispute.info_answered', 'dispute:2'],
      ['dispute.info_answered', 'dispute:1'],
      ['dispute.escalated', 'dispute:1'],
      ['dispute.ruled', 'dispute:1'],
    ];
    rows.forEach(([kind, subject], i) => entry.run(i + 1, kind, subject));
    before.close();
    const db = openDatabase(path);
    const store = createStore(db);
    expect(store.ledger.caseHistory('dispute:1').map((e) => [e.seq, e.kind])).toEqual([
      [3, 'dispute.info_requested'],
      [5, 'dispute.info_answered'],
      [6, 'dispute.escalated'],
    ]);
    const plan = db.sqlite.prepare(`EXPLAIN QUERY PLAN SELECT seq FROM ledger WHERE subject = ? AND ${CASE_HISTORY_WHERE} ORDER BY seq`).all('dispute:1') as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('ledger_case_history_idx');
    // Only those four entries are in it: a claim's or a ruling's append writes nothing to it.
    expect((db.sqlite.prepare("SELECT sum(ncell) AS n FROM dbstat WHERE name = 'ledger_case_history_idx'").get() as { n: number }).n).toBe(4);
    db.close();
  });

  it('after the upgrade, a ruling\'s rejections, a case\'s opening, the escalations and what timers look up (a dormancy, an expiry warning, an unreachable assignee) are read from an index of those alone, not the whole ledger', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 16);
    const before = new Database(path);
    const entry = before.prepare("INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES (?, '2026-12-01T15:00:00.000Z', ?, ?, 'pat', '2026.1', '{}', 'x', 'y')");
    const rows: [string, string][] = [
      ['claim.filed', 'claim:1'],
      ['claim.protected', 'claim:1'],
      ['claim.filed', 'claim:2'],
      ['dispute.opened', 'dispute:1'],
      ['claim.rejected', 'claim:2'],
      ['dispute.ruled', 'dispute:1'],
      ['dispute.escalated', 'dispute:2'],
      ['claim.rejected', 'claim:3'],
      ['dispute.escalated_to_channel', 'dispute:2'],
      ['claim.dormant', 'claim:1'],
      ['claim.expiry_warning', 'claim:2'],
      ['dispute.unreachable', 'dispute:2'],
    ];
    rows.forEach(([kind, subject], i) => entry.run(i + 1, kind, subject));
    before.close();
    const db = openDatabase(path);
    const store = createStore(db);
    const seqs = (entries: Iterable<{ seq: number }>) => [...entries].map((e) => e.seq);
    expect(seqs(store.ledger.about(['claim:2', 'claim:3'], ['claim.rejected']))).toEqual([5, 8]);
    expect(seqs(store.ledger.about(['dispute:1'], ['dispute.opened']))).toEqual([4]);
    expect(seqs(store.ledger.ofKinds(['dispute.escalated', 'dispute.escalated_to_channel']))).toEqual([7, 9]);
    // What a timer reads: at a claim's expiry, whether its owner was told of its dormancy; at a start, whether its expiry was warned of; at a reminder, whether its assignee was found unreachable.
    expect(seqs(store.ledger.about(['claim:1'], ['claim.dormant']))).toEqual([10]);
    expect(seqs(store.ledger.about(['claim:2'], ['claim.expiry_warning']))).toEqual([11]);
    expect(seqs(store.ledger.about(['dispute:2'], ['dispute.unreachable']))).toEqual([12]);
    // Kinds it does not hold are found as before, by reading the ledger.
    expect(seqs(store.ledger.about(['claim:1'], ['claim.protected']))).toEqual([2]);
    expect(seqs(store.ledger.ofKinds(['dispute.ruled']))).toEqual([6]);
    const plan = (sql: string, ...params: unknown[]) => (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join(' ');
    const escalations = ['dispute.escalated', 'dispute.escalated_to_channel'];
    // Each kind sought in the index (kind=?), not the whole index read through.
    expect(plan(ledgerAboutSql(['claim.rejected']), ...ledgerAboutParams(['claim:2'], ['claim.rejected']))).toMatch(/ledger_lookup_idx \(kind=\? AND subject=\?\)/);
    for (const kind of ['claim.dormant', 'claim.expiry_warning', 'dispute.unreachable']) expect(plan(ledgerAboutSql([kind]), ...ledgerAboutParams(['claim:1'], [kind]))).toMatch(/ledger_lookup_idx \(kind=\? AND subject=\?\)/);
    expect(plan(ledgerOfKindsSql(escalations), ...ledgerOfKindsParams(escalations))).toMatch(/ledger_lookup_idx \(kind=\?\)/);
    expect(plan(ledgerOfKindsSql(escalations), ...ledgerOfKindsParams(escalations))).not.toMatch(/BLOOM/);
    // Only those eight entries are in it: a claim protected at once writes nothing to it.
    expect((db.sqlite.prepare("SELECT sum(ncell) AS n FROM dbstat WHERE name = 'ledger_lookup_idx'").get() as { n: number }).n).toBe(8);
    db.close();
  });

  it('a Teams person is found by their Entra object id from an index, not by reading every stored contact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 16);
    const before = new Database(path);
    const person = before.prepare("INSERT INTO people (user_key, platform, display_name, conversation_ref, updated_at) VALUES (?, ?, 'Pat', ?, ?)");
    person.run('teams:29:1pat', 'teams', JSON.stringify({ user: { id: '29:1pat', aadObjectId: '5B1F3C1E-0000-4000-8000-000000000001' } }), 1_000);
    person.run('teams:29:1sam', 'teams', JSON.stringify({ user: { id: '29:1sam', aadObjectId: '5b1f3c1e-0000-4000-8000-000000000002' } }), 2_000);
    person.run('slack:U0PAT', 'slack', null, 3_000);
    before.close();
    const db = openDatabase(path);
    // As the policy may write it: in capitals or not.
    expect(teamsPersonByEntraId(db.db, '5b1f3c1e-0000-4000-8000-000000000001')?.userKey).toBe('teams:29:1pat');
    expect(teamsPersonByEntraId(db.db, '5B1F3C1E-0000-4000-8000-000000000002')?.userKey).toBe('teams:29:1sam');
    expect(teamsPersonByEntraId(db.db, '5b1f3c1e-0000-4000-8000-000000000003')).toBeUndefined();
    const q = entraIdQuery(db.db, '5b1f3c1e-0000-4000-8000-000000000001').toSQL();
    const plan = (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as unknown[])) as { detail: string }[]).map((p) => p.detail).join(' ');
    expect(plan).toContain('people_teams_entra_idx');
    db.close();
  });

  it('after the upgrade, claims keep the party their filer acted from; those from before say none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 13);
    const before = new Database(path);
    before.exec(`
      INSERT INTO accounts (id, name, aliases, domains, updated_at) VALUES ('acme', 'Acme', '[]', '[]', 0);
      INSERT INTO claims (id, account_id, claimant, route, product_line, opp_name, opp_stage, evidence, status, registered_at, last_activity_at, policy_version, created_by)
        VALUES (41, 'acme', 'contoso', 'resell', 'Analytics', 'Renewal', 'qualified', '', 'protected', 0, 0, '2026.1', 'slack:U0SAM');
    `);
    before.close();
    const db = openDatabase(path);
    const columns = db.sqlite.prepare("SELECT name, type, \"notnull\" AS required FROM pragma_table_info('claims') WHERE name = 'filed_as'").all();
    expect(columns).toEqual([{ name: 'filed_as', type: 'TEXT', required: 0 }]);
    const store = createStore(db);
    // A claim from before does not say whether a partner's user or one of the company's people filed it.
    expect(store.claims.get(41)).toMatchObject({ claimant: 'contoso', createdBy: 'slack:U0SAM', filedAs: null });
    const { id: _id, ...old } = store.claims.get(41)!;
    const filed = store.claims.insert({ ...old, filedAs: 'direct', requestKey: null });
    expect(store.claims.get(filed.id)).toMatchObject({ claimant: 'contoso', filedAs: 'direct' });
    db.close();
  });

  it('after the upgrade, a partner closed before is recorded out of the programme from its partner.closed entry; one linked since, and the others, are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 14);
    const before = new Database(path);
    before.exec(`
      INSERT INTO partners (id, name, tier, slack_team_id, teams_tenant_id, updated_at) VALUES ('fabrikam', 'Fabrikam', 'gold', NULL, NULL, 0), ('contoso', 'Contoso', 'gold', 'T0CONTOSO', NULL, 0), ('northwind', 'Northwind', 'gold', NULL, NULL, 0);
      INSERT INTO ledger (seq, at, kind, subject, actor, policy_version, payload, prev_hash, hash) VALUES
        (1, '2026-12-01T09:30:00.250Z', 'partner.closed', 'partner:fabrikam', 'close', NULL, '{}', 'a', 'b'),
        (2, '2026-12-01T10:00:00.000Z', 'partner.closed', 'partner:contoso', 'close', NULL, '{}', 'b', 'c');
    `);
    before.close();
    const db = openDatabase(path);
    const store = createStore(db);
    expect(store.partners.closure('fabrikam')).toEqual({ at: new Date('2026-12-01T09:30:00.250Z'), slackTeamId: null, teamsTenantId: null });
    expect(store.partners.closure('contoso')).toBeNull();
    expect(store.partners.closure('northwind')).toBeNull();
    expect(store.partners.closed().map((c) => c.id)).toEqual(['fabrikam']);
    db.close();
  });

  it('the upgrade records partners closed before by one read of their partner.closed entries, not one read of the ledger per partner with no workspace', () => {
    const db = openDatabase(':memory:');
    const sql = readFileSync(join(ROOT, 'db/migrations/0014_add_partner_closed.sql'), 'utf8');
    const update = sql.split('--> statement-breakpoint').map((x) => x.replace(/^--.*$/gm, '').trim()).find((x) => x.startsWith('UPDATE'))!;
    const plan = (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${update}`).all() as { detail: string }[]).map((p) => p.detail);
    expect(plan.join('\n')).not.toContain('CORRELATED');
    expect(plan.filter((d) => /\bledger\b/.test(d))).toHaveLength(1);
    db.close();
  });

  it('after the upgrade, a case a flagged partner’s claim opened is known as such; one whose reason only quotes those words by hand is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 15);
    const before = new Database(path);
    const row = (id: number, reason: string) =>
      `INSERT INTO disputes (id, account_id, product_line, status, claim_ids, parties, raised_by, reason, evidence, coverage_name, arbitrator, trace, policy_version, created_at)
        VALUES (${id}, 'acme', 'Analytics', 'open', '[]', '["contoso"]', 'slack:U0SAM', '${reason}', '', 'Default', 'pat', '[]', '2026.1', 0);`;
    before.exec(`
      INSERT INTO accounts (id, name, aliases, domains, updated_at) VALUES ('acme', 'Acme', '[]', '[]', 0);
      ${row(1, 'Filed while the partner was flagged for repeated violations: a flagged partner’s claims need an arbitrator’s approval.')}
      ${row(2, 'The partner is flagged for repeated violations: its claims need approval.')}
      ${row(3, 'Claims under this coverage need approval.')}
    `);
    before.close();
    const db = openDatabase(path);
    const store = createStore(db);
    // Cases from before were known by their words, as they are kept: those written so still are; new ones by the fact.
    expect([1, 2, 3].map((id) => store.disputes.get(id)!.filedFlagged)).toEqual([true, true, false]);
    db.close();
  });

  it('after the upgrade, cases keep which claims joined them while their partner was flagged; those from before hold none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 17);
    const before = new Database(path);
    before.exec(`
      INSERT INTO accounts (id, name, aliases, domains, updated_at) VALUES ('acme', 'Acme', '[]', '[]', 0);
      INSERT INTO disputes (id, account_id, product_line, status, claim_ids, parties, raised_by, reason, filed_flagged, evidence, coverage_name, arbitrator, trace, policy_version, created_at)
        VALUES (1, 'acme', 'Analytics', 'open', '[3, 4]', '["fabrikam", "northwind", "contoso"]', 'slack:U0SAM', '', 0, '', 'Default', 'pat', '[]', '2026.1', 0);
    `);
    before.close();
    const db = openDatabase(path);
    const columns = db.sqlite.prepare("SELECT name, type, \"notnull\" AS required, dflt_value AS fallback FROM pragma_table_info('disputes') WHERE name = 'joined_flagged'").all();
    expect(columns).toEqual([{ name: 'joined_flagged', type: 'TEXT', required: 1, fallback: "'[]'" }]);
    const store = createStore(db);
    expect(store.disputes.get(1)).toMatchObject({ claimIds: [3, 4], filedFlagged: false, joinedFlagged: [] });
    store.disputes.update(1, { claimIds: [3, 4, 5], joinedFlagged: [5] });
    expect(store.disputes.get(1)).toMatchObject({ claimIds: [3, 4, 5], joinedFlagged: [5] });
    db.close();
  });

  it('two processes upgrading the same database at once both start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-migrate-'));
    dirs.push(dir);
    const path = olderDatabase(dir, 2);
    // Hold the write lock while both start, so that both find the same migrations pending.
    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE');
    const children = [openInChild(path), openInChild(path)];
    // Both at the database before the lock is let go (however long a loaded machine takes to start
    // them), then a while for both to be waiting on it.
    await Promise.all(children.map((c) => c.starting));
    await new Promise((r) => setTimeout(r, 500));
    holder.exec('COMMIT');
    holder.close();
    const results = await Promise.all(children.map((c) => c.done));
    for (const r of results) expect(r, r.out).toEqual({ code: 0, out: 'starting\nopened\n' });
    const db = openDatabase(path);
    expect((db.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n).toBe((JSON.parse(readFileSync(join(ROOT, 'db/migrations/meta/_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length);
    db.close();
  });
});
