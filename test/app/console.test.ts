import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-console-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm start` as a user would, with a script piped to stdin. */
function runConsole(script: string, db = join(dir, 'roe.db')) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
    cwd: ROOT,
    input: script,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, DATABASE_PATH: db, LOG_LEVEL: 'warn' },
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
      '/rule 1 approve',
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
    expect(out).toMatch(/Ruled by Pat Okafor on .*: Contoso Consulting owns it\./);
    expect(out).toMatch(/✘ Dispute #1 was already ruled by Pat Okafor at/);
    expect(out).toContain('met them <!channel>');
  });

  it('re-asks a field the handler rejects, and keeps the database consistent', () => {
    const { out } = runConsole('/claim account=initech route=teleport product=Services opportunity=x stage=qualified amount= evidence=\nresell\n/roe mine\n', join(dir, 'retry.db'));
    expect(out).toContain('✘ Route to market: Choose one of: resell, referral, co-sell, marketplace, direct');
    expect(out).toMatch(/Claim #\d+ on Initech LLC \(Services\) is protected/);
  });

  it('a bad environment value stops with one line naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { cwd: ROOT, input: '', encoding: 'utf8', env: { PATH: process.env.PATH, PORT: 'eighty', DATABASE_PATH: join(dir, 'x.db') } });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('configuration: PORT: must be a port number (0-65535) (got "eighty")');
  });
});
