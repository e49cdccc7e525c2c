import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { tick } from '../../src/app/scheduler.js';
import type { Principal } from '../../src/core/authz.js';
import { ROOT } from '../support/builders.js';
import { as, testRuntime } from '../support/runtime.js';

/**
 * An auditor's read of the ledger of cases recusal touched (Default coverage: Pat Okafor, then
 * Dana Reyes, then Morgan Lee), one account each, all on Analytics:
 * - soylent: Pat files a claim: the case opens with Dana (Pat recused);
 * - muller: Dana files a claim that joins Pat's case; the breach skips her to Morgan;
 * - acme-analytics: Pat files a claim that joins his own case: it moves to Dana (reassigned);
 * - wayne: everybody of the chain filed a claim: it stays with Pat, and the breach escalates as ever;
 * - initech: Dana and Morgan filed claims in Pat's case: the breach hands it to nobody above him.
 * Then the whole ledger is read as the README's table says each entry reads, exported, verified.
 */
type Entry = { seq: number; kind: string; subject: string; actor: string; payload: Record<string, unknown>; prevHash: string; hash: string };
type Dispute = { id: number; accountId: string; arbitrator: string; escalationLevel: number; dueAt: Date | null };

const dir = mkdtempSync(join(tmpdir(), 'roe-ledger-audit-'));
const db = join(dir, 'audit.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function roe(args: string[]) {
  const r = spawnSync(join(ROOT, 'bin/roe.js'), args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' }, timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

let entries: Entry[] = [];
let disputes: Dispute[] = [];
const claimOf: Record<string, number> = {};
const caseOn = (account: string) => disputes.find((d) => d.accountId === account)!;
const about = (account: string, kind: string) => entries.filter((e) => e.subject === `dispute:${caseOn(account).id}` && e.kind === kind).map((e) => e.payload);

beforeAll(() => {
  const rt = testRuntime({ at: '2026-12-07T14:00:00Z', databasePath: db }); // Monday 09:00 in New York
  try {
    const slack = { origin: { platform: 'slack' as const, channel: 'C0SHARED', thread: null }, requestKey: null };
    const file = (who: Principal, account: string, over: Record<string, string> = {}) => {
      submitClaim(rt.deps, who, { account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over }, slack);
      return rt.store.claims.forAccount(account).at(-1)!.id;
    };
    const [northwind, contoso] = [as.partner(rt, 'northwind'), as.partner(rt, 'contoso')];
    const [pat, dana, vp] = ['pat', 'dana', 'vp'].map((k) => as.person(rt, k));
    file(northwind, 'soylent');
    claimOf['soylent:pat'] = file(pat!, 'soylent', { stage: 'proposal' });
    file(northwind, 'muller', { stage: 'proposal' });
    file(contoso, 'muller');
    claimOf['muller:dana'] = file(dana!, 'muller', { claimant: 'fabrikam' });
    file(northwind, 'acme-analytics', { stage: 'proposal' });
    file(contoso, 'acme-analytics');
    claimOf['acme-analytics:pat'] = file(pat!, 'acme-analytics');
    file(northwind, 'wayne', { stage: 'proposal' });
    claimOf['wayne:dana'] = file(dana!, 'wayne', { claimant: 'fabrikam' });
    claimOf['wayne:vp'] = file(vp!, 'wayne', { claimant: 'contoso' });
    claimOf['wayne:pat'] = file(pat!, 'wayne', { stage: 'commit' });
    file(northwind, 'initech', { stage: 'proposal' });
    file(contoso, 'initech');
    claimOf['initech:dana'] = file(dana!, 'initech', { claimant: 'fabrikam' });
    claimOf['initech:vp'] = file(vp!, 'initech');
    // Reminders, then every case's breach (all due at the same moment).
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    rt.clock.set(rt.store.disputes.all()[0]!.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    disputes = rt.store.disputes.all();
    entries = [...rt.store.ledger.entries()] as Entry[];
  } finally {
    rt.close();
  }
});

/** The README's table of what each ledger entry records: kind → the actor and payload cells. */
function readmeTable(): Map<string, { actor: string; payload: string }> {
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('| kind | actor | payload |');
  const rows = readme.slice(start).split('\n').slice(2);
  const table = new Map<string, { actor: string; payload: string }>();
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [kinds, actor, payload] = row.slice(1, -1).split(' | ');
    for (const [, kind] of kinds!.matchAll(/`([^`]+)`/g)) table.set(kind!, { actor: actor!, payload: payload! });
  }
  return table;
}
const named = (cell: string) => new Set([...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
const PEOPLE = ['pat', 'dana', 'vp', 'sam'];

describe('the ledger of cases recusal touched, as an auditor reads it', () => {
  it('every entry is of a kind the README lists, by the actor it says, with only the payload fields it names', () => {
    const table = readmeTable();
    expect(table.size).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const e of entries) {
      const row = table.get(e.kind);
      if (!row) {
        problems.push(`${e.seq} ${e.kind}: not in the README's table`);
        continue;
      }
      // An actor cell of the bot's own names alone (`criteria`, `sla`) admits only those; one that speaks of a person, a person too.
      const actors = named(row.actor);
      const person = row.actor.replace(/`[^`]+`/g, '').replace(/[\s,;()]|for an import/g, '').length > 0;
      if (!actors.has(e.actor) && !(person && (/^user-[0-9a-f-]+$/.test(e.actor) || PEOPLE.includes(e.actor)))) problems.push(`${e.seq} ${e.kind}: actor ${e.actor} (README: ${row.actor})`);
      const fields = named(row.payload);
      for (const key of Object.keys(e.payload)) if (!fields.has(key)) problems.push(`${e.seq} ${e.kind}: payload field ${key} (README: ${row.payload})`);
    }
    expect(problems).toEqual([]);
  });

  it("every change of a case's arbitrator, level and deadline is an entry: replayed, the entries give each case as stored", () => {
    for (const d of disputes) {
      let state: { arbitrator?: unknown; level?: unknown; dueAt?: unknown } = {};
      for (const e of entries.filter((x) => x.subject === `dispute:${d.id}`)) {
        if (e.kind === 'dispute.assigned') state = { arbitrator: e.payload.arbitrator, level: 0, dueAt: e.payload.dueAt };
        if (e.kind === 'dispute.escalated' || e.kind === 'dispute.reassigned') state = { arbitrator: e.payload.to, level: e.payload.level, dueAt: e.payload.dueAt };
      }
      // The opening entry names no level: a case opened past those recused is at the level of its arbitrator on the chain.
      const level = state.level === 0 ? ['pat', 'dana', 'vp'].indexOf(state.arbitrator as string) : state.level;
      expect({ id: d.id, arbitrator: state.arbitrator, level, dueAt: state.dueAt }).toEqual({ id: d.id, arbitrator: d.arbitrator, level: d.escalationLevel, dueAt: d.dueAt?.toISOString() });
    }
  });

  it('each entry that passed someone over names them and the claim that was their part', () => {
    expect(about('soylent', 'dispute.assigned')).toEqual([expect.objectContaining({ arbitrator: 'dana', recused: [{ person: 'pat', claim: claimOf['soylent:pat'] }] })]);
    expect(about('muller', 'dispute.escalated')).toEqual([expect.objectContaining({ from: 'pat', to: 'vp', level: 2, recused: [{ person: 'dana', claim: claimOf['muller:dana'] }] })]);
    expect(about('acme-analytics', 'dispute.reassigned')).toEqual([expect.objectContaining({ from: 'pat', to: 'dana', level: 1, recused: [{ person: 'pat', claim: claimOf['acme-analytics:pat'] }] })]);
    // Everybody of the chain has a part: nobody was passed over, and it escalates as it would without recusal.
    expect(about('wayne', 'dispute.assigned')).toEqual([expect.not.objectContaining({ recused: expect.anything() })]);
    expect(about('wayne', 'dispute.reassigned')).toEqual([]);
    // Pat's own claim joined the case he had, and nobody was free to take it: the entry says he keeps it, and his part.
    expect(about('wayne', 'dispute.kept')).toEqual([{ arbitrator: 'pat', involved: { person: 'pat', claim: claimOf['wayne:pat'] } }]);
    // The breach hands it to Dana, who has a part in it too: the entry names it.
    expect(about('wayne', 'dispute.escalated')).toEqual([{ from: 'pat', to: 'dana', level: 1, dueAt: expect.any(String), involved: { person: 'dana', claim: claimOf['wayne:dana'] } }]);
    // Pat is not the last of the chain: those above him were passed over, and the entry says for which claims.
    expect(about('initech', 'dispute.escalated')).toEqual([]);
    expect(about('initech', 'dispute.escalated_to_channel')).toEqual([
      {
        last: 'pat',
        recused: [
          { person: 'dana', claim: claimOf['initech:dana'] },
          { person: 'vp', claim: claimOf['initech:vp'] },
        ],
      },
    ]);
  });

  it('the CSV export carries the recused lists as JSON a reader can parse, and verify passes on the JSON export', () => {
    const rows = parse(roe(['ledger', 'export', '--format', 'csv']).out, { columns: true }) as { seq: string; kind: string; payload: string }[];
    expect(rows.map((r) => Number(r.seq))).toEqual(entries.map((e) => e.seq));
    for (const r of rows) expect(JSON.parse(r.payload)).toEqual(entries[Number(r.seq) - 1]!.payload);
    const reassigned = rows.find((r) => r.kind === 'dispute.reassigned')!;
    expect(reassigned.payload).toContain(`"recused":[{"person":"pat","claim":${claimOf['acme-analytics:pat']}}]`);
    const ok = roe(['ledger', 'verify']);
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/^ledger OK: \d+ entries, head [0-9a-f]{16}\n$/) });
    const exported = join(dir, 'export.json');
    writeFileSync(exported, roe(['ledger', 'export']).out);
    expect(roe(['ledger', 'verify', '--file', exported])).toEqual({ code: 0, out: ok.out, err: '' });
  });

  it('roe stats counts a breach per escalation, and a case moved for a recusal as none', () => {
    const stats = JSON.parse(roe(['stats', '--format', 'json']).out) as { parties: { party: string; slaBreaches: number }[] };
    // Direct sales is a party of every case but Müller's: soylent, acme-analytics, wayne and initech breached once each.
    expect(about('acme-analytics', 'dispute.reassigned')).toHaveLength(1);
    expect(about('acme-analytics', 'dispute.escalated')).toHaveLength(1);
    expect(stats.parties.find((p) => p.party === 'direct')?.slaBreaches).toBe(4);
  });

  it("roe forget of one of the company's people who filed a claim in a recused case: the recused lists name them by their policy key alone, and the ledger verifies", () => {
    const recused = entries.filter((e) => 'recused' in e.payload);
    expect(recused.length).toBeGreaterThan(0);
    // No chat identity is ever in the ledger: the lists hold policy keys and claim numbers.
    expect(JSON.stringify(entries)).not.toMatch(/console:|slack:|teams:|U0PAT|U0DANA/);
    expect(roe(['forget', 'console:pat'])).toMatchObject({ code: 0 });
    const after = JSON.parse(roe(['ledger', 'export']).out) as Entry[];
    expect(after.slice(0, entries.length)).toEqual(entries);
    expect(after.at(-1)).toMatchObject({ kind: 'user.forgotten', actor: 'forget' });
    expect(roe(['ledger', 'verify'])).toMatchObject({ code: 0 });
  });
});
