import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getPerson } from '../../../db/repos/people.repo.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { readCard } from '../../support/fake-connector.js';
import { startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Teams while another process holds the database’s write lock (an account import)', () => {
  it('answers questions, refuses a claim saying nothing was saved, and keeps everything once the lock is free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-teams-busy-'));
    dirs.push(dir);
    const path = join(dir, 'roe.db');
    h = await startTeams({ databasePath: path });
    const newcomer = { ...USERS.sam, id: '29:nora', name: 'Nora New', aadObjectId: 'a0000000-0000-4000-8000-000000000077' };
    h.connector.memberTenants.set(newcomer.id, newcomer.tenant);
    const claims = h.rt.store.claims.all().length;
    const importer = new Database(path);
    importer.exec('BEGIN IMMEDIATE');
    const claim = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent rollout', stage: 'qualified', amount: '25000', evidence: '' };
    let answer: string;
    let refusal: string;
    try {
      // A question is answered (the contact it would save waits for the next message)…
      answer = readCard(await h.say(newcomer, 'who-owns acme corp'));
      // …and a claim is refused, the refusal replacing the form.
      refusal = readCard(await h.click(newcomer, TEAMS_IDS.submits.claim, claim));
    } finally {
      importer.exec('COMMIT');
      importer.close();
    }
    expect(answer).toContain('Northwind Partners');
    expect(refusal).toContain('Nothing was saved: the database is busy');
    expect(refusal).toContain('Please try again in a minute.');
    expect(h.rt.store.claims.all()).toHaveLength(claims);
    expect(getPerson(h.rt.db.db, `teams:${newcomer.id}`)).toBeUndefined();
    expect(h.rt.logs.lines.join('\n')).toContain('this Teams contact is not saved now');
    expect(h.rt.logs.lines.join('\n')).toContain('a write was refused: another process holds the database write lock');

    // The lock is free: the same claim sent again is filed, and the contact saved.
    expect(readCard(await h.click(newcomer, TEAMS_IDS.submits.claim, claim))).toMatch(/Claim #\d+ on Soylent Corp \(Analytics\)/);
    expect(h.rt.store.claims.all()).toHaveLength(claims + 1);
    expect(getPerson(h.rt.db.db, `teams:${newcomer.id}`)).toBeDefined();
  });
});
