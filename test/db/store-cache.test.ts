import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { createStore } from '../../db/repos/store.js';

const open: OpenDb[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function twoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'roe-cache-'));
  dirs.push(dir);
  const a = openDatabase(join(dir, 'roe.db'));
  const b = openDatabase(join(dir, 'roe.db'));
  open.push(a, b);
  return { a: createStore(a), b: createStore(b) };
}

const partner = { id: 'northwind', name: 'Northwind Partners', tier: 'gold', slackTeamId: 'T0NORTH', teamsTenantId: null };

describe('the partners a store keeps in memory', () => {
  it('sees what another process committed: a new partner, a renamed one, a flag', () => {
    const { a, b } = twoConnections();
    expect(a.partners.get('northwind')).toBeUndefined();
    b.transaction(() => b.partners.upsert(partner));
    expect(a.partners.get('northwind')?.name).toBe('Northwind Partners');
    b.transaction(() => b.partners.upsert({ ...partner, name: 'Northwind Group' }));
    expect(a.partners.all().map((p) => p.name)).toEqual(['Northwind Group']);
    expect(a.partners.flaggedAt('northwind')).toBeNull();
    b.transaction(() => b.partners.setFlagged('northwind', new Date('2026-12-01T00:00:00Z')));
    // inside a transaction too
    expect(a.transaction(() => a.partners.flaggedAt('northwind'))?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('forgets its own change when the transaction rolls back', () => {
    const { a } = twoConnections();
    a.transaction(() => a.partners.upsert(partner));
    expect(() =>
      a.transaction(() => {
        a.partners.setFlagged('northwind', new Date('2026-12-01T00:00:00Z'));
        expect(a.partners.flaggedAt('northwind')).not.toBeNull();
        throw new Error('abandoned');
      }),
    ).toThrow('abandoned');
    expect(a.partners.flaggedAt('northwind')).toBeNull();
  });

  it('hands out copies: changing one does not change the store', () => {
    const { a } = twoConnections();
    a.transaction(() => a.partners.upsert(partner));
    const p = a.partners.get('northwind')!;
    p.name = 'Changed';
    expect(a.partners.get('northwind')?.name).toBe('Northwind Partners');
  });
});
