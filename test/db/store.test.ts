import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { savePerson } from '../../db/repos/people.repo.js';
import { createStore } from '../../db/repos/store.js';

const open: OpenDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe('claims as the store hands them back', () => {
  it('the claim an insert returns is the claim a read returns', () => {
    const db = openDatabase(':memory:');
    open.push(db);
    const store = createStore(db);
    store.accounts.upsert({ id: 'acme', name: 'Acme Corp', aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    const base = {
      accountId: 'acme',
      claimant: 'northwind',
      route: 'resell' as const,
      productLine: 'Analytics',
      evidence: 'Call with the CIO',
      status: 'pending' as const,
      registeredAt: new Date('2026-12-01T15:00:00.123Z'),
      lastActivityAt: new Date('2026-12-01T15:00:00.123Z'),
      policyVersion: '2026.1',
      createdBy: 'slack:U0NORTH',
      filedAs: 'northwind',
      contested: true,
      violation: false,
    };
    const cases = [
      { ...base, opportunity: { name: 'Rollout', stage: 'qualified', amount: 50000.5 }, protectedUntil: null, requestKey: 'k1' },
      { ...base, opportunity: { name: 'Renewal', stage: 'proposal', amount: null }, protectedUntil: new Date('2027-03-01T15:00:00Z'), requestKey: null, contested: false, violation: true, status: 'protected' as const },
    ];
    for (const c of cases) {
      const inserted = store.claims.insert(c);
      expect(inserted).toEqual(store.claims.get(inserted.id));
    }
    // Who filed them, as a full read gives it, for the ids that have a claim; none for none.
    const ids = store.claims.all().map((c) => c.id);
    expect(store.claims.filers([ids[1]!, 999, ids[0]!]).claims.sort((a, b) => a.id - b.id)).toEqual(ids.map((id) => ({ id, createdBy: store.claims.get(id)!.createdBy })));
    expect(store.claims.filers([])).toEqual({ claims: [], persons: [] });
    // Whom the bot knows them as (the people it met), and the users asked about besides: those it resolved to a person.
    expect(store.claims.filers(ids, ['teams:29:pat', 'teams:29:nobody']).persons).toEqual([]);
    const met = (userKey: string, personKey: string | null) => savePerson(db.db, { userKey, platform: userKey.split(':')[0]!, displayName: userKey, partnerId: null, personKey, conversationRef: null, updatedAt: new Date() });
    met('slack:U0NORTH', 'sam');
    met('teams:29:pat', 'pat');
    met('teams:29:nobody', null);
    const read = store.claims.filers([ids[0]!], ['teams:29:pat', 'teams:29:nobody', 'teams:29:never']);
    expect(read.claims).toEqual([{ id: ids[0], createdBy: 'slack:U0NORTH' }]);
    expect(read.persons.sort((a, b) => a.userKey.localeCompare(b.userKey))).toEqual([
      { userKey: 'slack:U0NORTH', personKey: 'sam' },
      { userKey: 'teams:29:pat', personKey: 'pat' },
    ]);
  });
});

describe('accounts as a list to pick from shows them', () => {
  it('labels are what a full read gives of each account that exists, in one read', () => {
    const db = openDatabase(':memory:');
    open.push(db);
    const store = createStore(db);
    const base = { aliases: ['GX'], segment: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null };
    store.accounts.upsert({ ...base, id: 'globex-us', name: 'Globex', domains: ['globex.com', 'globex.us'], region: 'NA' });
    store.accounts.upsert({ ...base, id: 'globex-de', name: 'Globex', domains: [], region: 'EMEA' });
    const labels = store.accounts.labels(['globex-de', 'gone', 'globex-us']);
    expect([...labels.keys()].sort()).toEqual(['globex-de', 'globex-us']);
    for (const id of ['globex-us', 'globex-de']) {
      const { name, domains, region } = store.accounts.get(id)!;
      expect(labels.get(id)).toEqual({ id, name, domains, region });
    }
    expect(store.accounts.labels([]).size).toBe(0);
  });
});

describe('a read transaction (store.reading)', () => {
  it('reads one snapshot and holds no write lock: another process writes meanwhile, and is seen after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-reading-'));
    try {
      const path = join(dir, 'roe.db');
      const db = openDatabase(path);
      const other = openDatabase(path);
      open.push(db, other);
      const store = createStore(db);
      const account = (id: string) => ({ id, name: `Account ${id}`, aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
      store.accounts.upsert(account('a1'));
      const seen = store.reading(() => {
        const first = store.accounts.count();
        // Another process adds an account while the reads go on: it does not wait for them.
        createStore(other).accounts.upsert(account('a2'));
        return [first, store.accounts.count(), store.accounts.get('a2')?.id ?? null];
      });
      expect(seen).toEqual([1, 1, null]);
      expect(store.accounts.count()).toBe(2);
    } finally {
      for (const db of open.splice(0)) db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what one partner’s export reads', () => {
  it('the disputes a party is one of the parties to, and the ledger entries about given subjects: exactly those, in order', () => {
    const db = openDatabase(':memory:');
    open.push(db);
    const store = createStore(db);
    store.accounts.upsert({ id: 'acme', name: 'Acme Corp', aliases: [], domains: [], segment: null, region: null, tier: null, isCustomer: false, incumbentPartnerId: null, namedOwner: null });
    const at = new Date('2026-12-01T15:00:00Z');
    const dispute = (parties: string[]) =>
      store.disputes.insert({
        accountId: 'acme', productLine: 'Analytics', status: 'open', claimIds: [], parties, raisedBy: 'slack:U0P1', raisedAs: parties[0]!, reason: '', filedFlagged: false, joinedFlagged: [], evidence: '', origin: null, coverageName: 'Default', arbitrator: 'pat', escalationLevel: 0,
        recommendation: null, recommendationRule: null, trace: [], policyVersion: '2026.1', createdAt: at, dueAt: null, ruledBy: null, ruledAt: null, winner: null, rationale: null, requestKey: null,
      }).id;
    // Ids that hold one another ("p1" in "p10", "claim:1" in "claim:10") match only themselves.
    const ids = [dispute(['p1', 'p2']), dispute(['p10', 'p2']), dispute(['p2', 'p1']), dispute(['direct', 'p10'])];
    expect(store.disputes.forParty('p1').map((d) => d.id)).toEqual([ids[0], ids[2]]);
    expect(store.disputes.forParty('p10')).toEqual([store.disputes.get(ids[1]!), store.disputes.get(ids[3]!)]);
    expect(store.disputes.forParty('p')).toEqual([]);
    for (const subject of ['claim:1', 'claim:10', 'partner:p1', 'claim:1', 'partner:p10', 'claim:2']) store.ledger.append({ at, kind: 'test', subject, actor: 'criteria', policyVersion: null, payload: { subject } });
    const all = [...store.ledger.entries()];
    expect([...store.ledger.about(['claim:1', 'partner:p1'])]).toEqual(all.filter((e) => e.subject === 'claim:1' || e.subject === 'partner:p1'));
    expect([...store.ledger.about(['claim:1', 'partner:p1'])].map((e) => e.seq)).toEqual([1, 3, 4]);
    expect([...store.ledger.about([])]).toEqual([]);
  });
});

describe('what the stats read of the ledger', () => {
  it('the entries of given kinds: exactly those kinds, in order', () => {
    const db = openDatabase(':memory:');
    open.push(db);
    const store = createStore(db);
    const at = new Date('2026-12-01T15:00:00Z');
    // Kinds that hold one another ("dispute.escalated" in "dispute.escalated_to_channel") or differ in case match only themselves.
    const kinds = ['dispute.opened', 'dispute.escalated', 'dispute.escalated_to_channel', 'dispute.escalated_later', 'Dispute.Escalated', 'dispute.escalated', 'dispute_escalated', 'dispute.reminded'];
    kinds.forEach((kind, i) => store.ledger.append({ at, kind, subject: `dispute:${i + 1}`, actor: 'sla', policyVersion: null, payload: { i } }));
    const all = [...store.ledger.entries()];
    const read = [...store.ledger.ofKinds(['dispute.escalated', 'dispute.escalated_to_channel'])];
    expect(read).toEqual(all.filter((e) => e.kind === 'dispute.escalated' || e.kind === 'dispute.escalated_to_channel'));
    expect(read.map((e) => [e.seq, e.kind])).toEqual([[2, 'dispute.escalated'], [3, 'dispute.escalated_to_channel'], [6, 'dispute.escalated']]);
    expect([...store.ledger.ofKinds(['dispute.escalated%'])]).toEqual([]);
    expect([...store.ledger.ofKinds([])]).toEqual([]);
  });
});
