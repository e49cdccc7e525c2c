import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDb } from '../../db/client.js';
import { createStore } from '../../db/repos/store.js';
import type { Store } from '../../src/core/ports.js';
import { breachesFromLedger, computeStats, countByClaimant, readStats, statsPeriod } from '../../src/core/stats.js';
import type { Dispute } from '../../src/core/types.js';
import { aClaim, anAccount, examplePolicy } from '../support/builders.js';
import { windowStart as flagWindowStart } from '../../src/core/claims/consequences.js';

const open: OpenDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const DAY = 86_400_000;
const now = new Date('2026-12-01T15:00:00Z');
const policy = examplePolicy();
// Where the consequences window ending now begins: its days before, in the policy's time zone (one of them an hour short, the clocks going back).
const windowStart = flagWindowStart(policy, now).getTime();

/**
 * A store holding claims of several claimants (first claims in no sorted order; violations
 * inside, outside and exactly at the edge of the consequences window), cases of one, two and
 * three parties (one naming a party twice) in every status, open ones overdue and not with two
 * arbitrators, SLA breaches, and a partner with nothing.
 */
function filled(): { db: OpenDb; store: Store } {
  const db = openDatabase(':memory:');
  open.push(db);
  const store = createStore(db);
  store.accounts.upsert(anAccount());
  for (const id of ['northwind', 'contoso', 'fabrikam', 'adatum', 'zenith']) store.partners.upsert({ id, name: `${id} Partners`, tier: null, slackTeamId: null, teamsTenantId: null });
  const claim = (claimant: string, registeredAt: number, violation = false) => {
    const { id: _id, ...c } = aClaim({ claimant, registeredAt: new Date(registeredAt), violation, status: violation ? 'lost' : 'protected', evidence: 'Call with the CIO' });
    store.claims.insert({ ...c, requestKey: null });
  };
  claim('zenith', now.getTime() - 3 * DAY);
  claim('contoso', windowStart, true); // exactly at the window's start: outside
  claim('contoso', windowStart + 1, true);
  claim('direct', now.getTime() - DAY);
  claim('contoso', now.getTime() - 10 * DAY, true);
  claim('northwind', windowStart - DAY, true); // before the window
  claim('contoso', now.getTime() - 2 * DAY, true);
  claim('northwind', now.getTime() - DAY);
  claim('zenith', now.getTime() - DAY, true);
  const at = (d: number, h = 0) => new Date(now.getTime() - d * DAY + h * 3_600_000);
  const cases: Partial<Dispute>[] = [
    { status: 'settled', parties: ['northwind', 'contoso'], createdAt: at(9), ruledAt: at(9) },
    { status: 'ruled', parties: ['contoso', 'northwind'], createdAt: at(8), ruledAt: at(8, 10), dueAt: at(8, 5) },
    { status: 'ruled', parties: ['contoso', 'fabrikam', 'direct'], createdAt: at(7), ruledAt: at(7, 21) },
    { status: 'open', parties: ['fabrikam', 'northwind'], arbitrator: 'dana', escalationLevel: 1, dueAt: at(1) }, // overdue
    { status: 'withdrawn', parties: ['northwind', 'zenith'] },
    { status: 'ruled', parties: ['zenith'], createdAt: at(5), ruledAt: at(5, 2) }, // an approval
    { status: 'open', parties: ['contoso'], dueAt: new Date(now.getTime() + DAY) },
    { status: 'ruled', parties: ['contoso', 'contoso'], createdAt: at(4), ruledAt: at(4, 3) }, // one party, named twice
  ];
  for (const over of cases) {
    store.disputes.insert({
      accountId: 'acme', productLine: 'Analytics', status: 'open', claimIds: [1, 2], parties: [], raisedBy: 'slack:U1', raisedAs: null, reason: 'First to register', filedFlagged: false, joinedFlagged: [], evidence: 'Signed NDA', origin: null,
      coverageName: 'Default', arbitrator: 'pat', escalationLevel: 0, recommendation: null, recommendationRule: null, trace: [], policyVersion: '2026.1', createdAt: at(6), dueAt: null,
      ruledBy: null, ruledAt: null, winner: null, rationale: null, requestKey: null, ...over,
    });
  }
  for (const [kind, subject] of [['dispute.escalated', 'dispute:4'], ['dispute.escalated_to_channel', 'dispute:4'], ['dispute.escalated', 'dispute:6'], ['dispute.reminded', 'dispute:2']]) {
    store.ledger.append({ at: now, kind: kind!, subject: subject!, actor: 'sla', policyVersion: null, payload: {} });
  }
  return { db, store };
}

describe('what the stats read of the store', () => {
  it('the claims counted per claimant by the database are those the core counts from every claim, at every edge of the window', () => {
    const { store } = filled();
    const claims = store.claims.all();
    const edges = [...new Set(claims.flatMap((c) => [c.registeredAt.getTime() - 1, c.registeredAt.getTime(), c.registeredAt.getTime() + 1])), 0, now.getTime()];
    for (const since of edges.map((t) => new Date(t))) expect(store.claims.countsByClaimant(since)).toEqual(countByClaimant(claims, since));
    // In the order of each claimant's first claim, as computeStats has always met them.
    expect(store.claims.countsByClaimant(new Date(windowStart))).toEqual([
      { claimant: 'zenith', claims: 2, violations: 1 },
      { claimant: 'contoso', claims: 4, violations: 3 },
      { claimant: 'direct', claims: 1, violations: 0 },
      { claimant: 'northwind', claims: 2, violations: 0 },
    ]);
  });

  it('over a period: the claims registered in it counted by the database as the core counts them, at every edge of the period', () => {
    const { store } = filled();
    const claims = store.claims.all();
    const edges = [...new Set(claims.flatMap((c) => [c.registeredAt.getTime() - 1, c.registeredAt.getTime(), c.registeredAt.getTime() + 1]))];
    for (const from of edges) {
      for (const to of [from, from + 1, now.getTime(), now.getTime() + 1]) {
        const period = { from: new Date(from), to: new Date(to) };
        expect(store.claims.countsByClaimant(new Date(windowStart), period)).toEqual(countByClaimant(claims, new Date(windowStart), period));
      }
    }
    // From ten days ago up to (not at) yesterday: Contoso's two, Zenith's one; nobody else's.
    expect(store.claims.countsByClaimant(new Date(windowStart), { from: new Date(now.getTime() - 10 * DAY), to: new Date(now.getTime() - DAY) })).toEqual([
      { claimant: 'zenith', claims: 1, violations: 0 },
      { claimant: 'contoso', claims: 2, violations: 2 },
    ]);
  });

  it('up to a day (--until alone): the violations of the claims registered up to it are counted, by the database as by the core', () => {
    const { store } = filled();
    const period = statsPeriod(undefined, '2026-12-01', policy.timezone, now);
    if (!period || 'error' in period) throw new Error(`no period: ${JSON.stringify(period)}`);
    const claims = store.claims.all();
    // Every claim is registered up to that day: each of the six violations counts, as it would from the first day there is.
    const expected = [
      { claimant: 'zenith', claims: 2, violations: 1 },
      { claimant: 'contoso', claims: 4, violations: 4 },
      { claimant: 'direct', claims: 1, violations: 0 },
      { claimant: 'northwind', claims: 2, violations: 1 },
    ];
    expect(countByClaimant(claims, new Date(0), period)).toEqual(expected);
    expect(readStats(store, policy, now, period).stats.overall).toMatchObject({ claims: 9, violations: 6 });
    expect(computeStats({ claims, disputes: store.disputes.all(), breachesByDispute: new Map(), policy, now, partners: [], period }).overall).toMatchObject({ claims: 9, violations: 6 });
  });

  it('a case’s outline is the case, less what the stats do not read', () => {
    const { store } = filled();
    expect([...store.disputes.outlines()]).toEqual(store.disputes.all().map(({ id, parties, status, createdAt, ruledAt, arbitrator, dueAt }) => ({ id, parties, status, createdAt, ruledAt, arbitrator, dueAt })));
  });

  it('/roe stats and roe stats give exactly what computeStats gives from every claim and case, inside one read transaction, reading neither whole', () => {
    const { db, store } = filled();
    const expected = computeStats({ claims: store.claims.all(), disputes: store.disputes.all(), breachesByDispute: breachesFromLedger(store.ledger.entries()), policy, now, partners: store.partners.all().map((p) => p.id) });
    // Every read checked to run in the read transaction, streamed rows too; a claim or a case read whole fails.
    const inside = <T>(x: T): T => {
      if (!db.sqlite.inTransaction) throw new Error('read outside the read transaction');
      return x;
    };
    const watched = <R extends object>(repo: R, refused: string[]): R =>
      new Proxy(repo, {
        get(target, key, receiver) {
          const v = Reflect.get(target, key, receiver) as unknown;
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (refused.includes(String(key))) throw new Error(`stats read ${String(key)}()`);
            const out = inside((v as (...a: unknown[]) => unknown).apply(target, args));
            return out && typeof out === 'object' && !Array.isArray(out) && Symbol.iterator in out ? (function* () { for (const x of out as Iterable<unknown>) yield inside(x); })() : out;
          };
        },
      });
    const whole = ['all', 'get', 'forAccount', 'forClaimant', 'forParty', 'open', 'createdBy'];
    const probe = { reading: store.reading, partners: watched(store.partners, []), claims: watched(store.claims, whole), disputes: watched(store.disputes, whole), ledger: watched(store.ledger, ['entries']) };
    const read = readStats(probe, policy, now);
    expect(read.stats).toEqual(expected);
    expect(JSON.stringify(read.stats)).toBe(JSON.stringify(expected));
    expect(read.partners).toEqual(store.partners.all());
    // The data holds what it should exercise.
    expect(expected.parties.map((p) => p.party)).toEqual(['direct', 'contoso', 'fabrikam', 'northwind', 'zenith', 'adatum']);
    expect(expected.overall).toMatchObject({ claims: 9, disputes: 5, autoSettled: 1, slaBreaches: 3, violations: 4, flaggedPartners: ['contoso'], openCases: 2, overdueCases: 1 });
    expect(expected.arbitrators).toEqual([{ arbitrator: 'dana', openCases: 1, overdueCases: 1 }, { arbitrator: 'pat', openCases: 1, overdueCases: 0 }, { arbitrator: 'vp', openCases: 0, overdueCases: 0 }]);
  });

  it('over a period: the claims registered and the cases opened in it, the flag as it stands now, every open case in the arbitrators’ rows; the same from the store as from every claim and case', () => {
    const { store } = filled();
    // From 8.5 days ago up to (not at) 3.5 days ago: of the claims, Contoso's of 10 days ago is out, Zenith's of 3 days ago too.
    const period = { from: new Date(now.getTime() - 8.5 * DAY), to: new Date(now.getTime() - 3.5 * DAY) };
    const all = computeStats({ claims: store.claims.all(), disputes: store.disputes.all(), breachesByDispute: breachesFromLedger(store.ledger.entries()), policy, now, partners: store.partners.all().map((p) => p.id) });
    const expected = computeStats({ claims: store.claims.all(), disputes: store.disputes.all(), breachesByDispute: breachesFromLedger(store.ledger.entries()), policy, now, partners: store.partners.all().map((p) => p.id), period });
    expect(readStats(store, policy, now, period).stats).toEqual(expected);
    // No claim was registered in it; every case but the settled one (9 days ago) was opened in it: both open ones among them.
    expect(expected.overall).toMatchObject({ claims: 0, disputes: 4, autoSettled: 0, violations: 0, openCases: 2, overdueCases: 1, flaggedPartners: ['contoso'] });
    // Contoso is flagged as it stands now (three violations in the window), though it has none in the period.
    expect(expected.parties.find((p) => p.party === 'contoso')).toMatchObject({ claims: 0, violations: 0, flagged: true });
    // The arbitrators hold what they hold now, whenever it was opened.
    expect(expected.arbitrators).toEqual(all.arbitrators);
    const later = computeStats({ claims: store.claims.all(), disputes: store.disputes.all(), breachesByDispute: breachesFromLedger(store.ledger.entries()), policy, now, partners: [], period: { from: new Date(now.getTime() - 2 * DAY), to: new Date(now.getTime() + 1) } });
    // The last two days, their first moment included: Contoso's violation of two days ago, and yesterday's three (Zenith's a violation).
    expect(later.overall).toMatchObject({ claims: 4, disputes: 0, openCases: 0, violations: 2 });
    expect(later.arbitrators).toEqual(all.arbitrators);
  });
});
