import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitAward } from '../../handlers/rule.js';
import { roeOn } from '../support/cli.js';
import { as, testRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-cli-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


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
  expect(lines[overall + 1]).toBe('A dispute, and its SLA breaches, count for each of its parties: the rows add up to more than the totals.');
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
