import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitAward } from '../../handlers/rule.js';
import { main } from '../../src/app/cli.js';
import { policyTextWith } from '../support/builders.js';
import { openArbitratedCase } from '../support/cases.js';
import { roeOn } from '../support/cli.js';
import { as, testRuntime } from '../support/runtime.js';

// A write by another process between two of the command's reads, for the snapshot test: set
// `between.reads`, and the next runtime's store runs it as disputes are read (after the claims).
const between = vi.hoisted(() => ({ reads: null as (() => void) | null }));
vi.mock('../../src/app/runtime.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/app/runtime.js')>();
  return {
    ...real,
    createRuntime: (...args: Parameters<typeof real.createRuntime>) => {
      const rt = real.createRuntime(...args);
      const write = between.reads;
      between.reads = null;
      if (write) {
        const outlines = rt.store.disputes.outlines;
        rt.store.disputes.outlines = () => {
          write();
          return outlines();
        };
      }
      return rt;
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `roe ARGS…` run in this process (so that `between.reads` can reach it), on the database at `db`. */
async function roeHere(db: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s), env: { DATABASE_PATH: db, LOG_LEVEL: 'warn', ...env }, stdin: process.stdin, stdout: process.stdout });
  return { code, out: out.map((l) => `${l}\n`).join(''), err: err.map((l) => `${l}\n`).join('') };
}


it('roe stats prints a row per party and the totals, and says why the rows add up to more', () => {
  const path = join(dir, 'roe.db');
  const rt = testRuntime({ databasePath: path });
  // Two partners on one account and line: one dispute, with both of them in it.
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  for (const partner of ['contoso', 'fabrikam']) submitClaim(rt.deps, as.partner(rt, partner), { account: 'globex', route: 'resell', product: 'Analytics', opportunity: 'Globex rollout', stage: 'qualified', amount: '', evidence: '' }, meta);
  rt.close();
  const { code, out } = roeOn(path, ['stats']);
  expect(code).toBe(0);
  const lines = out.trimEnd().split('\n');
  const row = (name: string) => lines.find((l) => l.startsWith(name))?.split(/\s{2,}/);
  expect(lines[0]).toMatch(/^party\s+claims\s+disputes/);
  // The dispute counts for each partner in it, and once in the totals.
  const disputes = (name: string) => Number(row(name)?.[2]);
  expect(disputes('Contoso Consulting')).toBe(disputes('(overall)'));
  expect(disputes('Fabrikam Systems')).toBe(disputes('(overall)'));
  expect(disputes('(overall)')).toBeGreaterThan(0);
  const overall = lines.findIndex((l) => l.startsWith('(overall)'));
  expect(overall).toBeGreaterThan(0);
  expect(lines[overall + 1]).toBe('A dispute, its SLA breaches and an open or overdue case count for each of its parties: the rows add up to more than the totals.');
});

it('roe stats gives every partner its row: one that had nothing, zeros, after those that had something', () => {
  const path = join(dir, 'idle.db');
  // The demo data: claims of Northwind, Contoso and direct sales; Fabrikam has no claim and no case.
  testRuntime({ databasePath: path }).close();
  const { code, out } = roeOn(path, ['stats']);
  expect(code).toBe(0);
  const lines = out.trimEnd().split('\n');
  const at = (name: string) => lines.findIndex((l) => l.startsWith(name));
  expect(lines[at('Fabrikam Systems')]!.split(/\s{2,}/)).toEqual(['Fabrikam Systems', '0', '0', 'n/a', 'n/a', '0', '0', '0', '0']);
  expect(lines.slice(1, at('(overall)')).map((l) => l.split(/\s{2,}/)[0])).toEqual(['Direct sales', 'Contoso Consulting', 'Northwind Partners', 'Fabrikam Systems']);
  const json = JSON.parse(roeOn(path, ['stats', '--format', 'json']).out) as { parties: { party: string }[] };
  expect(json.parties.map((p) => p.party)).toEqual(['direct', 'contoso', 'northwind', 'fabrikam']);
  expect(json.parties.at(-1)).toEqual({ party: 'fabrikam', claims: 0, disputes: 0, autoSettled: 0, autoShare: null, medianHoursToRuling: null, slaBreaches: 0, violations: 0, flagged: false, openCases: 0, overdueCases: 0 });
});

it('roe stats shows the cases open now and those overdue, per party and overall, then per arbitrator by name; JSON holds them as fields', () => {
  const path = join(dir, 'open.db');
  // `roe stats` reads the system clock: one case opened a month ago (long overdue), one an hour ago (not due yet), both with Pat.
  const rt = testRuntime({ databasePath: path, at: new Date(Date.now() - 30 * 86_400_000).toISOString() });
  openArbitratedCase(rt);
  rt.clock.set(new Date(Date.now() - 3_600_000));
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  const values = (stage: string) => ({ account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values('qualified'), meta);
  submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('proposal'), meta);
  expect(rt.store.disputes.open().map((d) => d.arbitrator)).toEqual(['pat', 'pat']);
  rt.close();
  const { code, out } = roeOn(path, ['stats']);
  expect(code).toBe(0);
  const lines = out.trimEnd().split('\n');
  const cells = (name: string) => lines.find((l) => l.startsWith(name))?.split(/\s{2,}/);
  expect(lines[0]!.split(/\s{2,}/)).toEqual(['party', 'claims', 'disputes', 'auto-settled', 'median to ruling (calendar)', 'SLA breaches', 'violations (last 180 days)', 'open cases', 'overdue', 'flagged']);
  const open = (name: string) => cells(name)?.slice(7, 9);
  expect(open('Northwind Partners')).toEqual(['2', '1']);
  expect(open('Contoso Consulting')).toEqual(['1', '1']);
  expect(open('Fabrikam Systems')).toEqual(['1', '0']);
  expect(open('Direct sales')).toEqual(['0', '0']);
  expect(open('(overall)')).toEqual(['2', '1']);
  // Below the parties: every arbitrator and escalation person of the policy, by name, the most overdue first.
  const table = lines.slice(lines.indexOf('') + 1).map((l) => l.split(/\s{2,}/));
  expect(table).toEqual([['arbitrator', 'open cases', 'overdue'], ['Pat Okafor', '2', '1'], ['Dana Reyes', '0', '0'], ['Morgan Lee', '0', '0']]);
  const json = JSON.parse(roeOn(path, ['stats', '--format', 'json']).out) as { overall: Record<string, unknown>; parties: Record<string, unknown>[]; arbitrators: unknown[] };
  expect(json.overall).toMatchObject({ openCases: 2, overdueCases: 1 });
  expect(json.parties.find((p) => p.party === 'contoso')).toMatchObject({ openCases: 1, overdueCases: 1 });
  expect(json.arbitrators).toEqual([
    { arbitrator: 'pat', name: 'Pat Okafor', openCases: 2, overdueCases: 1 },
    { arbitrator: 'dana', name: 'Dana Reyes', openCases: 0, overdueCases: 0 },
    { arbitrator: 'vp', name: 'Morgan Lee', openCases: 0, overdueCases: 0 },
  ]);
});

it('roe stats reads one snapshot: a claim and the dispute it opens, written by the bot between two of its reads, are both left out, never one without the other', async () => {
  const path = join(dir, 'snapshot.db');
  const bot = testRuntime({ databasePath: path });
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  const values = { account: 'globex', route: 'resell', product: 'Analytics', opportunity: 'Globex rollout', stage: 'qualified', amount: '', evidence: '' };
  submitClaim(bot.deps, as.partner(bot, 'fabrikam'), values, meta);
  try {
    const before = await roeHere(path, ['stats']);
    expect(before.code).toBe(0);
    // The bot (another connection) takes Contoso's claim on the same line, which opens a dispute, once the command has read the claims.
    between.reads = () => submitClaim(bot.deps, as.partner(bot, 'contoso'), values, meta);
    const during = await roeHere(path, ['stats']);
    expect(bot.store.disputes.all()).toHaveLength(1);
    expect(during).toEqual(before);
    const cells = (out: string, name: string) => out.split('\n').find((l) => l.startsWith(name))?.split(/\s{2,}/).slice(0, 3);
    expect(cells(during.out, 'Contoso Consulting')).toEqual(['Contoso Consulting', '1', '0']);
    // Read again, both are there.
    expect(cells((await roeHere(path, ['stats'])).out, 'Contoso Consulting')).toEqual(['Contoso Consulting', '2', '1']);
  } finally {
    between.reads = null;
    bot.close();
  }
});

it('the totals name the flagged partners as the rows do, by name', () => {
  const path = join(dir, 'flagged.db');
  // An hour ago by the clock `roe stats` reads: the violations are inside the policy's window.
  const rt = testRuntime({ databasePath: path, at: new Date(Date.now() - 3_600_000).toISOString() });
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  const values = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
  // Three times Contoso files over Northwind's protection and loses the ruling: three violations, flagged.
  for (const account of ['soylent', 'wayne', 'muller']) {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values(account, 'qualified'), meta);
    rt.clock.advance(60_000);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values(account, 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
  }
  expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
  rt.close();
  const { code, out } = roeOn(path, ['stats']);
  expect(code).toBe(0);
  const cells = (name: string) => out.split('\n').find((l) => l.startsWith(name))?.split(/\s{2,}/);
  expect(cells('Contoso Consulting')?.at(-1)).toBe('yes');
  expect(cells('(overall)')?.at(-1)).toBe('Contoso Consulting');
});

it('a partner name holding terminal controls (C1 escapes, a direction override) is printed with them shown as �, never sent to the terminal', () => {
  const path = join(dir, 'controls.db');
  const rt = testRuntime({ databasePath: path });
  rt.store.transaction(() => rt.store.partners.upsert({ id: 'contoso', name: 'Contoso\u009b2J\u009b31mRED \u202Eevil', tier: 'silver', slackTeamId: 'T0CONTOSO', teamsTenantId: null }));
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'globex', route: 'resell', product: 'Analytics', opportunity: 'Globex rollout', stage: 'qualified', amount: '', evidence: '' }, meta);
  rt.close();
  const { code, out } = roeOn(path, ['stats']);
  expect(code).toBe(0);
  expect(out).toContain('Contoso�2J�31mRED �evil');
  expect(out).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
});

it('partner names in Japanese, in full-width letters or with an emoji are lined up with the others, by the columns a terminal gives them (two for a wide character)', async () => {
  const path = join(dir, 'wide.db');
  const rt = testRuntime({ databasePath: path });
  rt.store.transaction(() => {
    rt.store.partners.upsert({ id: 'contoso', name: 'コントソ株式会社', tier: 'silver', slackTeamId: 'T0CONTOSO', teamsTenantId: null });
    rt.store.partners.upsert({ id: 'fabrikam', name: 'ＦＡＢ 🚀 Zoe\u0308', tier: 'silver', slackTeamId: null, teamsTenantId: null });
  });
  rt.close();
  const { code, out } = await roeHere(path, ['stats']);
  expect(code).toBe(0);
  const lines = out.split('\n');
  // The widest name, "Northwind Partners" (18 columns): each name is followed by spaces up to 18 columns, then two more.
  expect(lines.find((l) => l.startsWith('Northwind Partners'))).toMatch(/^Northwind Partners {2}\d/);
  expect(lines.find((l) => l.startsWith('コントソ株式会社'))).toMatch(/^コントソ株式会社 {4}\d/);
  expect(lines.find((l) => l.startsWith('ＦＡＢ'))).toMatch(/^ＦＡＢ 🚀 Zoe\u0308 {7}\d/);
});

// Claims count all time and violations only the policy's window: the table and the JSON say which
// period, which kind of time and what a breach is, and what a flag does, beside the numbers.
// Contoso has the demo's claim on Initech (some 78 days old), files over Northwind's protection
// and loses the ruling 40 days ago and 10 days ago: 3 claims (all time), 2 disputes each ruled 2
// hours after it opened, and 2 violations in a 180-day window, 1 in a 30-day one.
it.each([
  {
    name: 'the example policy: 180 days, 3 to flag, approval',
    replace: [] as [string, string][],
    row: ['Contoso Consulting', '3', '2', '0%', '2.0h', '0', '2', '0', '0'],
    header: 'violations (last 180 days)',
    window: { days: 180 },
    flag: { toFlag: 3, consequence: 'require-approval' },
    note: 'Violations: those of claims registered in the last 180 days, as the flag counts them; 3 flag a partner: its claims then need an arbitrator’s approval.',
  },
  {
    name: '30 days, 1 to flag, partner ops told',
    replace: [['window_days: 180', 'window_days: 30'], ['violations_to_flag: 3', 'violations_to_flag: 1'], ['flagged: require-approval', 'flagged: notify-only']] as [string, string][],
    row: ['Contoso Consulting', '3', '2', '0%', '2.0h', '0', '1', '0', '0', 'yes'],
    header: 'violations (last 30 days)',
    window: { days: 30 },
    flag: { toFlag: 1, consequence: 'notify-only' },
    note: 'Violations: those of claims registered in the last 30 days, as the flag counts them; 1 flags a partner: partner ops are told.',
  },
])('roe stats says what it counts: $name', async ({ name, replace, row, header, window, flag, note }) => {
  const path = join(dir, `basis-${window.days}.db`);
  const policyPath = join(dir, `basis-${window.days}.yaml`);
  writeFileSync(policyPath, policyTextWith(replace));
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  const values = (account: string, stage: string) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
  const rt = testRuntime({ databasePath: path, policyPath, at: new Date(Date.now() - 40 * 86_400_000).toISOString() });
  for (const [account, daysAgo] of [['soylent', 40], ['wayne', 10]] as const) {
    rt.clock.set(new Date(Date.now() - daysAgo * 86_400_000));
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values(account, 'qualified'), meta);
    rt.clock.advance(60_000);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values(account, 'proposal'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    rt.clock.advance(2 * 3_600_000);
    submitAward(rt.deps, as.person(rt, d.arbitrator), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration sourced this deal.' });
  }
  rt.close();
  const env = { ROE_POLICY: policyPath };
  const text = await roeHere(path, ['stats'], env);
  expect(text.code, name).toBe(0);
  const lines = text.out.trimEnd().split('\n');
  const columns = lines[0]!.split(/\s{2,}/);
  expect(columns[4]).toBe('median to ruling (calendar)');
  expect(columns[6]).toBe(header);
  // Each dispute ruled 2 hours after it opened: a median of 2 hours.
  expect(lines.find((l) => l.startsWith('Contoso Consulting'))!.split(/\s{2,}/)).toEqual(row);
  expect(lines).toContain(`Counted over all time; open and overdue cases as they stand now. Time to ruling: the median over the disputes an arbitrator ruled, in calendar time from opening to ruling (the SLA counts business hours). SLA breaches: one per escalation. ${note}`);
  const json = await roeHere(path, ['stats', '--format', 'json'], env);
  const basis = (JSON.parse(json.out) as { basis: { asOf: string; violations: { registeredAfter: string } } & Record<string, unknown> }).basis;
  // The window ends when the figures were counted, and begins its days before: calendar days in the policy's time zone (a change of time between is no hour more or less).
  expect(Date.parse(basis.violations.registeredAfter)).toBe(DateTime.fromISO(basis.asOf, { zone: 'America/New_York' }).minus({ days: window.days }).toMillis());
  expect(basis).toMatchObject({
    policyVersion: '2026.1',
    period: 'all time; openCases and overdueCases as they stand at asOf',
    autoShare: 'share of the disputes settled by the criteria, 0 to 1',
    medianHoursToRuling: 'median over the disputes an arbitrator ruled, in hours of calendar time from opening to ruling',
    slaBreaches: 'one per escalation',
    violations: { windowDays: window.days, toFlag: flag.toFlag, consequence: flag.consequence },
  });
});

it('roe stats --since/--until counts the claims registered and the cases opened in those days (the policy’s time zone); the arbitrators hold what they hold now; a bad day is named', () => {
  const path = join(dir, 'period.db');
  // A case opened a month ago, one an hour ago (both still with Pat), as above; `roe stats` reads the system clock.
  const rt = testRuntime({ databasePath: path, at: new Date(Date.now() - 30 * 86_400_000).toISOString() });
  openArbitratedCase(rt);
  rt.clock.set(new Date(Date.now() - 3_600_000));
  const meta = { origin: { platform: 'console' as const, channel: 'console', thread: null }, requestKey: null };
  const values = (stage: string) => ({ account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '' });
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values('qualified'), meta);
  submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('proposal'), meta);
  rt.close();
  const day = (daysAgo: number) => DateTime.now().setZone('America/New_York').minus({ days: daysAgo }).toISODate()!;
  const all = roeOn(path, ['stats']).out.trimEnd().split('\n');
  const { code, out } = roeOn(path, ['stats', '--since', day(2)]);
  expect(code).toBe(0);
  const lines = out.trimEnd().split('\n');
  const cells = (of: string[], name: string) => of.find((l) => l.startsWith(name))?.split(/\s{2,}/);
  expect(lines[0]!.split(/\s{2,}/)[6]).toBe('violations');
  // The last days: the hour-old case and its two claims; not the month-old case or its claims.
  expect(cells(lines, '(overall)')!.slice(1, 3)).toEqual(['2', '1']);
  expect(Number(cells(all, '(overall)')![1])).toBeGreaterThan(2);
  expect(cells(lines, 'Fabrikam Systems')!.slice(1, 3)).toEqual(['1', '1']);
  expect(cells(lines, 'Contoso Consulting')!.slice(1, 3)).toEqual(['0', '0']);
  expect(cells(lines, '(overall)')!.slice(7, 9)).toEqual(['1', '0']);
  // Pat still holds both cases, the month-old one overdue.
  expect(lines.slice(lines.indexOf('') + 1).map((l) => l.split(/\s{2,}/))[1]).toEqual(['Pat Okafor', '2', '1']);
  expect(out).toContain(`Counted over the claims registered and the cases opened from ${day(2)} to now (America/New_York)`);
  // Up to the day before yesterday: the month-old case alone.
  const before = roeOn(path, ['stats', '--until', day(3), '--format', 'json']);
  const json = JSON.parse(before.out) as { basis: { period: { since: string | null; until: string }; violations: { counted?: string } }; overall: { disputes: number; openCases: number; overdueCases: number } };
  expect(json.basis.period).toMatchObject({ since: null, until: day(3) });
  expect(json.basis.violations.counted).toBe("those of the claims registered in the period; windowDays and registeredAfter are the flag's window, which flagged counts");
  expect((JSON.parse(roeOn(path, ['stats', '--format', 'json']).out) as { basis: { violations: object } }).basis.violations).not.toHaveProperty('counted');
  expect(json.overall).toMatchObject({ disputes: 1, openCases: 1, overdueCases: 1 });
  const bad = roeOn(path, ['stats', '--since', 'last-month']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--since: expected a day as YYYY-MM-DD (2026-10-01), got "last-month"');
  expect(bad.out).toBe('');
});
