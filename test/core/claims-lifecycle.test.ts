import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { tick } from '../../src/app/scheduler.js';
import { fileClaim, logActivity } from '../../src/core/claims/claims.service.js';
import { addDays, effectiveStatus, isLive, protectionEnd } from '../../src/core/claims/lifecycle.js';
import { againstFacts, collisionReason, findConflicts, type ConflictReason } from '../../src/core/claims/overlap.js';
import { raiseDispute, rule } from '../../src/core/disputes/disputes.service.js';
import { coverageFor } from '../../src/core/ownership/coverage.js';
import type { Account, PartyId } from '../../src/core/types.js';
import { aClaim, anAccount, examplePolicy, policyTextWith } from '../support/builders.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const terms = { protection_days: 90, dormant_after_days: 30, dormancy_warning_days: 7 };
const reg = new Date('2026-01-10T12:00:00Z');
const day = (n: number) => new Date(reg.getTime() + n * 86_400_000);

describe('effectiveStatus', () => {
  it.each([
    ['fresh protected claim', { status: 'protected' as const }, day(1), 'protected'],
    ['activity keeps it protected', { status: 'protected' as const, lastActivityAt: day(25) }, day(50), 'protected'],
    ['30 days without activity: dormant', { status: 'protected' as const }, day(30), 'dormant'],
    ['just before dormancy', { status: 'protected' as const }, new Date(day(30).getTime() - 1), 'protected'],
    ['protection ends: expired', { status: 'protected' as const, lastActivityAt: day(89) }, day(90), 'expired'],
    ['a dormant claim expires at the end of protection', { status: 'dormant' as const }, day(91), 'expired'],
    ['stored dormant stays dormant', { status: 'dormant' as const, lastActivityAt: day(40) }, day(45), 'dormant'],
    ['pending is untouched by time', { status: 'pending' as const }, day(200), 'pending'],
    ['rejected stays rejected', { status: 'rejected' as const }, day(1), 'rejected'],
    ['won stays won', { status: 'won' as const }, day(300), 'won'],
  ])('%s', (_name, over, now, expected) => {
    const claim = aClaim({ registeredAt: reg, lastActivityAt: reg, ...over });
    expect(effectiveStatus(claim, terms, now)).toBe(expected);
  });

  it('only pending and protected claims are live (dormant and expired lose protection)', () => {
    expect(['pending', 'protected', 'dormant', 'expired', 'rejected', 'won', 'lost'].filter((s) => isLive(s as never))).toEqual(['pending', 'protected']);
  });

  it('protection ends protection_days after registration unless set', () => {
    expect(protectionEnd(aClaim({ registeredAt: reg, protectedUntil: null }), terms)).toEqual(day(90));
    expect(protectionEnd(aClaim({ registeredAt: reg, protectedUntil: day(10) }), terms)).toEqual(day(10));
  });
});

describe('collisionReason: a case\'s reason for a colliding claim, naming nobody', () => {
  const claimed: ConflictReason = { code: 'claimed', party: 'contoso', claimId: 4 };
  const incumbent: ConflictReason = { code: 'incumbent', party: 'fabrikam' };
  const named: ConflictReason = { code: 'named-owner', party: 'direct' };
  const direct: ConflictReason = { code: 'direct-led', coverage: 'Strategic' };
  it.each([
    ['nothing', [], 'filed', null],
    ['another claim', [claimed], 'filed', 'Overlap detected when the claim was filed.'],
    ['another claim and the incumbent', [incumbent, claimed], 'imported', 'Overlap detected when the claim was imported.'],
    ['the incumbent alone', [incumbent], 'filed', "The claim goes against the account's incumbent partner."],
    ['the named owner and direct-led coverage', [named, direct], 'filed', 'The claim goes against the account\'s named owner and direct-led coverage "Strategic".'],
    ['three facts, imported', [named, direct, incumbent], 'imported', 'The imported claim goes against the account\'s named owner, direct-led coverage "Strategic" and the account\'s incumbent partner.'],
  ] as const)('%s', (_, conflicts, how, reason) => {
    expect(collisionReason(conflicts, how)).toBe(reason);
  });

  it('againstFacts names a party only as nameOf allows, and leaves claims out', () => {
    const nameOf = (p: string) => (p === 'fabrikam' ? 'Fabrikam Systems' : null);
    expect(againstFacts([claimed, incumbent, direct], nameOf)).toBe('the account\'s incumbent partner (Fabrikam Systems) and direct-led coverage "Strategic"');
    expect(againstFacts([named, incumbent], nameOf)).toBe("the account's named owner and the account's incumbent partner (Fabrikam Systems)");
  });
});

describe('findConflicts', () => {
  const policy = examplePolicy();
  it.each([
    ['no other claim, partner-led: no overlap', {}, 'northwind', [], []],
    ['another party holds a live claim', {}, 'northwind', [{ id: 4, claimant: 'contoso' }], ['claimed']],
    ['own earlier claim is not an overlap', {}, 'northwind', [{ id: 4, claimant: 'northwind' }], []],
    ['named owner other than the claimant', { namedOwner: 'direct' }, 'northwind', [], ['named-owner']],
    ['the named owner itself claims', { namedOwner: 'northwind' }, 'northwind', [], []],
    ['a partner on direct-led coverage', { tier: 'strategic' }, 'northwind', [], ['direct-led']],
    ['direct on direct-led coverage', { tier: 'strategic' }, 'direct', [], []],
    ['the incumbent of a customer, other than the claimant', { incumbentPartnerId: 'fabrikam', isCustomer: true }, 'northwind', [], ['incumbent']],
    ['the incumbent of a customer claims itself', { incumbentPartnerId: 'fabrikam', isCustomer: true }, 'fabrikam', [], []],
    ['a partner recorded on a prospect is not an incumbent', { incumbentPartnerId: 'fabrikam', isCustomer: false }, 'northwind', [], []],
  ] as const)('%s', (_n, over, claimant, live, codes) => {
    const account = anAccount(over);
    expect(findConflicts({ account, coverage: coverageFor(account, policy), claimant, liveClaims: live }).map((c) => c.code)).toEqual(codes);
  });
});

describe('fileClaim: when a new claim waits for the arbitrator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roe-file-claim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policyFile = (name: string, edits: [string, string][]) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, policyTextWith(edits));
    return path;
  };
  const DEFAULT = '{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }';
  const APPROVAL: [string, string][] = [[DEFAULT, DEFAULT.replace(' }', ', requires_approval: true }')]];
  const INCUMBENT_RECOMMENDS: [string, string][] = [['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']];
  const file = (rt: TestRuntime, party: PartyId, account: string) =>
    rt.store.transaction(() =>
      fileClaim(rt.ctx, party === 'direct' ? as.person(rt, 'sam') : as.partner(rt, party), {
        accountId: account,
        claimant: party,
        route: party === 'direct' ? 'direct' : 'resell',
        productLine: 'Analytics',
        opportunity: { name: 'Deal', stage: 'qualified', amount: null },
        evidence: '',
        origin: null,
        requestKey: null,
      }),
    );

  const NAMED_RECOMMENDS: [string, string][] = [['{ rule: named-account, auto: true }', '{ rule: named-account, auto: false }']];
  const DIRECT_RECOMMENDS: [string, string][] = [['{ rule: direct-reserved, auto: true }', '{ rule: direct-reserved, auto: false }']];
  const CUSTOMER_OF_FABRIKAM: Partial<Account> = { isCustomer: true, incumbentPartnerId: 'fabrikam' };

  interface Case {
    name: string;
    policy: [string, string][];
    account: Partial<Account>;
    /**
     * What happens before the claim, an hour apart: claims filed on the Analytics line, a dispute raised there by hand, the open
     * case approved, awarded to a party or to nobody by its arbitrator, a partner flagged or unflagged, days passing, the account changed.
     */
    before: ({ claim: PartyId } | { dispute: PartyId } | { approve: true } | { award: PartyId } | { reject: true } | { flag: PartyId } | { unflag: PartyId } | { days: number } | { account: Partial<Account> })[];
    claimant: PartyId;
    outcome: 'protected' | 'pending' | 'rejected';
    /** The status of the case the claim ends up in (null: none). */
    caseStatus: 'open' | 'settled' | null;
    /**
     * The party of the ruling that holds the line for this claim (null: none): protected with that ruling's dispute id
     * in its ledger entries, or sent to the arbitrator with a reason that names the ruling. Unchecked when absent.
     */
    heldFor?: PartyId | null;
  }
  const cases: Case[] = [
    // requires_approval: the claim waits for the arbitrator even when the criteria would settle the overlap.
    { name: 'approval coverage: the named owner\'s claim over an approved one is not protected without approval', policy: APPROVAL, account: {}, before: [{ claim: 'northwind' }, { approve: true }, { account: { namedOwner: 'contoso' } }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open' },
    { name: 'approval coverage: a later claim the criteria would reject waits for the arbitrator too', policy: APPROVAL, account: {}, before: [{ claim: 'northwind' }, { approve: true }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open' },
    { name: 'approval coverage: a claim with no overlap waits for approval', policy: APPROVAL, account: {}, before: [], claimant: 'contoso', outcome: 'pending', caseStatus: 'open' },
    { name: 'no approval needed: the criteria settle the overlap for the named owner', policy: [], account: {}, before: [{ claim: 'northwind' }, { account: { namedOwner: 'contoso' } }], claimant: 'contoso', outcome: 'protected', caseStatus: 'settled' },
    { name: 'no approval needed: the criteria reject the later claim', policy: [], account: {}, before: [{ claim: 'northwind' }], claimant: 'contoso', outcome: 'rejected', caseStatus: 'settled' },
    // A case running on the line decides it: the incumbent it was raised against joins it by filing.
    { name: 'a case raised against the incumbent is open: the incumbent\'s claim joins it', policy: INCUMBENT_RECOMMENDS, account: { isCustomer: true, incumbentPartnerId: 'fabrikam' }, before: [{ dispute: 'contoso' }], claimant: 'fabrikam', outcome: 'pending', caseStatus: 'open' },
    { name: 'a case raised against the named owner is open: the named owner\'s claim joins it', policy: [['{ rule: named-account, auto: true }', '{ rule: named-account, auto: false }']], account: { namedOwner: 'northwind' }, before: [{ dispute: 'contoso' }], claimant: 'northwind', outcome: 'pending', caseStatus: 'open' },
    { name: 'no case on the line: the incumbent\'s own claim is protected at once', policy: INCUMBENT_RECOMMENDS, account: { isCustomer: true, incumbentPartnerId: 'fabrikam' }, before: [], claimant: 'fabrikam', outcome: 'protected', caseStatus: null },
    // A ruling FOR a party sticks as a ruling against one does: for protection_days from the ruling, what it decided is not decided again.
    { name: 'ruled for a party that held no claim, over the incumbent: its claim is protected at once', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'contoso', outcome: 'protected', caseStatus: null, heldFor: 'contoso' },
    { name: 'ruled for a party over the named owner: its claim is protected at once', policy: NAMED_RECOMMENDS, account: { namedOwner: 'northwind' }, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'contoso', outcome: 'protected', caseStatus: null, heldFor: 'contoso' },
    { name: 'ruled for a partner over direct-reserved coverage: its claim is protected at once', policy: DIRECT_RECOMMENDS, account: { tier: 'strategic' }, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'contoso', outcome: 'protected', caseStatus: null, heldFor: 'contoso' },
    { name: 'ruled for a party 89 days ago: the ruling still stands', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { days: 89 }], claimant: 'contoso', outcome: 'protected', caseStatus: null, heldFor: 'contoso' },
    { name: 'the claim a ruling gave a party went dormant: filed again, it is not settled for the incumbent by the criteria', policy: [], account: CUSTOMER_OF_FABRIKAM, before: [{ flag: 'contoso' }, { claim: 'contoso' }, { award: 'contoso' }, { unflag: 'contoso' }, { days: 31 }], claimant: 'contoso', outcome: 'protected', caseStatus: null, heldFor: 'contoso' },
    { name: 'the claim the ruling gave the winner is the ruling\'s: the incumbent ruled against files, and the arbitrator decides', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { claim: 'contoso' }], claimant: 'fabrikam', outcome: 'pending', caseStatus: 'open', heldFor: 'contoso' },
    // Something new is in play: the arbitrator decides, told of the ruling.
    { name: 'the incumbent a ruling went against, holding no claim, files before the winner: its claim needs approval', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'fabrikam', outcome: 'pending', caseStatus: 'open' },
    { name: 'the named owner a ruling went against files: its claim needs approval', policy: NAMED_RECOMMENDS, account: { namedOwner: 'northwind' }, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'northwind', outcome: 'pending', caseStatus: 'open' },
    { name: 'ruled for a party, then another party claimed: the winner\'s new claim goes to the arbitrator, not to the criteria', policy: [], account: {}, before: [{ claim: 'northwind' }, { flag: 'contoso' }, { claim: 'contoso' }, { award: 'contoso' }, { unflag: 'contoso' }, { days: 31 }, { claim: 'fabrikam' }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open', heldFor: 'contoso' },
    { name: 'ruled for a party that is flagged since: its claim needs approval', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { flag: 'contoso' }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open', heldFor: 'contoso' },
    { name: 'ruled for a party under coverage that requires approval: its claim needs approval', policy: [...APPROVAL, ...INCUMBENT_RECOMMENDS], account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open', heldFor: 'contoso' },
    // Not a ruling that stands: the criteria (or the lost ruling) decide as for anyone.
    { name: 'ruled for a party, then a later ruling went against it: the lost ruling stands', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { claim: 'contoso' }, { claim: 'fabrikam' }, { award: 'fabrikam' }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open', heldFor: 'fabrikam' },
    { name: 'a later ruling for the party an earlier one went against ends it: its claim filed again after dormancy is protected', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { claim: 'contoso' }, { claim: 'fabrikam' }, { award: 'fabrikam' }, { days: 31 }], claimant: 'fabrikam', outcome: 'protected', caseStatus: null },
    { name: 'a ruling that gave the line to nobody is no ruling against the incumbent it left in place', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ claim: 'contoso' }, { reject: true }], claimant: 'fabrikam', outcome: 'protected', caseStatus: null },
    { name: 'the criteria do not give the line to the incumbent a ruling went against, once the winner\'s claim lapsed: a newcomer\'s case goes to the arbitrator', policy: [], account: CUSTOMER_OF_FABRIKAM, before: [{ flag: 'contoso' }, { claim: 'contoso' }, { award: 'contoso' }, { unflag: 'contoso' }, { days: 31 }], claimant: 'northwind', outcome: 'pending', caseStatus: 'open' },
    { name: 'another party\'s claim approved on the line since does not end a ruling against a party', policy: [], account: {}, before: [{ claim: 'northwind' }, { flag: 'contoso' }, { claim: 'contoso' }, { award: 'northwind' }, { unflag: 'contoso' }, { days: 31 }, { flag: 'fabrikam' }, { claim: 'fabrikam' }, { approve: true }, { unflag: 'fabrikam' }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open' },
    { name: 'ruled for a party more than protection_days ago: the criteria decide again', policy: INCUMBENT_RECOMMENDS, account: CUSTOMER_OF_FABRIKAM, before: [{ dispute: 'contoso' }, { award: 'contoso' }, { days: 90 }], claimant: 'contoso', outcome: 'pending', caseStatus: 'open', heldFor: null },
    { name: 'a case the criteria settled is no ruling: when the facts change they decide afresh', policy: [], account: {}, before: [{ claim: 'contoso' }, { claim: 'northwind' }, { days: 31 }, { account: { isCustomer: true, incumbentPartnerId: 'northwind' } }], claimant: 'contoso', outcome: 'rejected', caseStatus: 'settled', heldFor: null },
  ];

  it.each(cases)('$name', ({ name, policy, account, before, claimant, outcome, caseStatus, heldFor }) => {
    const rt = testRuntime({ policyPath: policy.length ? policyFile(name.replace(/\W+/g, '-'), policy) : undefined });
    try {
      rt.store.transaction(() => rt.store.accounts.upsert(anAccount({ id: 'probe', name: 'Probe Inc', domains: ['probe.example'], segment: 'smb', ...account })));
      const openCase = () => rt.store.disputes.forAccount('probe').find((d) => d.status === 'open')!;
      for (const step of before) {
        if ('claim' in step) file(rt, step.claim, 'probe');
        else if ('dispute' in step) rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, step.dispute), { accountId: 'probe', productLine: 'Analytics', reason: 'We sourced it', evidence: '', origin: null, requestKey: null }));
        else if ('approve' in step) rt.store.transaction(() => rule(rt.ctx, as.person(rt, 'pat'), openCase().id, { kind: 'approve' }));
        else if ('award' in step) rt.store.transaction(() => rule(rt.ctx, as.person(rt, openCase().arbitrator), openCase().id, { kind: 'award', party: step.award, rationale: 'The arbitrator weighed the evidence.' }));
        else if ('reject' in step) rt.store.transaction(() => rule(rt.ctx, as.person(rt, openCase().arbitrator), openCase().id, { kind: 'reject', rationale: 'Neither party has a real opportunity here.' }));
        else if ('flag' in step) rt.store.transaction(() => rt.store.partners.setFlagged(step.flag, rt.clock.now()));
        else if ('unflag' in step) rt.store.transaction(() => rt.store.partners.setFlagged(step.unflag, null));
        else if ('days' in step) rt.clock.advance(step.days * 86_400_000);
        else rt.store.transaction(() => rt.store.accounts.upsert({ ...rt.store.accounts.get('probe')!, ...step.account }));
        rt.clock.advance(3_600_000);
      }
      const r = file(rt, claimant, 'probe');
      expect(r.outcome).toBe(outcome);
      const inCase = rt.store.disputes.forAccount('probe').filter((d) => d.claimIds.includes(r.claim.id));
      expect(inCase.map((d) => d.status)).toEqual(caseStatus ? [caseStatus] : []);
      if (heldFor !== undefined) {
        const payloads = (kind: string) => [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${r.claim.id}` && e.kind === kind).map((e) => e.payload as Record<string, unknown>);
        const named = rt.store.disputes
          .forAccount('probe')
          .filter((d) => d.status === 'ruled')
          .filter((d) =>
            outcome === 'protected'
              ? payloads('claim.filed').some((p) => p.ruling === d.id) && payloads('claim.protected').some((p) => p.dispute === d.id)
              : inCase.some((c) => c.reason.includes(`held by a ruling on dispute #${d.id}:`)),
          );
        expect(named.map((d) => d.winner)).toEqual(heldFor ? [heldFor] : []);
      }
    } finally {
      rt.close();
    }
  });
});

describe('lifecycle of a claim upheld in a case', () => {
  const DAY = 86_400_000;
  const meta = { origin: null, requestKey: null };
  const on = (rt: TestRuntime, party: PartyId, stage: string) =>
    rt.store.transaction(() => fileClaim(rt.ctx, as.partner(rt, party), { accountId: 'soylent', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage, amount: null }, evidence: '', ...meta }));
  const warnings = (rt: TestRuntime, claimId: number) => [...rt.store.ledger.entries()].filter((e) => e.subject === `claim:${claimId}` && e.kind === 'claim.dormancy_warning').length;

  // Northwind's claim is warned on day 23 (dormant on day 30); on day 24 Contoso files against it.
  it.each([
    ['kept by the criteria: no second warning for the same lapse', 'qualified', false, 1, 30],
    ['kept by an arbitrator: the ruling is activity, so dormancy moves and no warning is due yet', 'proposal', true, 1, 54],
  ] as const)('%s', (_n, stage, ruled, expectedWarnings, dormantOnDay) => {
    const rt = testRuntime();
    try {
      const start = rt.clock.now().getTime();
      const held = on(rt, 'northwind', 'qualified').claim;
      rt.clock.advance(24 * DAY);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(warnings(rt, held.id)).toBe(1);
      const filed = on(rt, 'contoso', stage);
      if (ruled) rt.store.transaction(() => rule(rt.ctx, as.person(rt, 'pat'), filed.disputeId!, { kind: 'award', party: 'northwind', rationale: 'Northwind has run this account for months.' }));
      expect(rt.store.claims.get(held.id)!.status).toBe('protected');
      rt.clock.advance(60_000);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(warnings(rt, held.id)).toBe(expectedWarnings);
      const dormant = rt.db.sqlite.prepare("select due_at from timers where subject = ? and kind = 'claim.dormant' and status = 'pending'").get(`claim:${held.id}`) as { due_at: number } | undefined;
      const warn = rt.db.sqlite.prepare("select due_at from timers where subject = ? and kind = 'claim.dormancy_warning' and status = 'pending'").get(`claim:${held.id}`) as { due_at: number } | undefined;
      const next = dormant?.due_at ?? warn!.due_at + 7 * DAY;
      expect(Math.round((next - start) / DAY)).toBe(dormantOnDay);
    } finally {
      rt.close();
    }
  });
});

describe('registration days are counted on the policy\'s calendar', () => {
  const NY = { timezone: 'America/New_York' };
  it.each([
    ['no time zone: 24-hour days', '2026-10-05T04:30:00Z', 90, {}, '2027-01-03T04:30:00.000Z'],
    ['across the autumn change: 00:30 stays 00:30 (EDT to EST)', '2026-10-05T04:30:00Z', 90, NY, '2027-01-03T05:30:00.000Z'],
    ['midnight of a CSV date, across the autumn change: midnight, not 23:00 the day before', '2026-11-01T04:00:00Z', 90, NY, '2027-01-30T05:00:00.000Z'],
    ['within summer time', '2026-06-01T04:00:00Z', 90, NY, '2026-08-30T04:00:00.000Z'],
    ['up to the night of the spring change, before it', '2026-01-07T05:00:00Z', 60, NY, '2026-03-08T05:00:00.000Z'],
    ['onto a time the spring change skips (02:30): moved forward to 03:30 EDT', '2026-01-07T07:30:00Z', 60, NY, '2026-03-08T07:30:00.000Z'],
    ['onto a time the autumn change repeats (01:30): the first one, EDT', '2026-10-02T05:30:00Z', 30, NY, '2026-11-01T05:30:00.000Z'],
    ['backwards, within winter time (a dormancy warning)', '2027-01-03T05:30:00Z', -7, NY, '2026-12-27T05:30:00.000Z'],
    ['backwards across the autumn change', '2026-11-05T05:00:00Z', -7, NY, '2026-10-29T04:00:00.000Z'],
    ['southern hemisphere, across Sydney\'s spring change (AEST to AEDT)', '2026-09-01T14:00:00Z', 60, { timezone: 'Australia/Sydney' }, '2026-10-31T13:00:00.000Z'],
    ['a zone without changes', '2026-10-05T04:30:00Z', 90, { timezone: 'Asia/Tokyo' }, '2027-01-03T04:30:00.000Z'],
  ] as [string, string, number, { timezone?: string }, string][])('%s', (_n, from, days, terms, expected) => {
    expect(addDays(new Date(from), days, terms).toISOString()).toBe(expected);
  });

  it('agrees with luxon\'s calendar arithmetic on every hour of a year, both ways', () => {
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago']) {
      for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 3_600_000 * 7) {
        for (const days of [30, 90, -7]) {
          const want = DateTime.fromMillis(t, { zone }).plus({ days }).toMillis();
          expect(addDays(new Date(t), days, { timezone: zone }).getTime(), `${zone} ${new Date(t).toISOString()} ${days}`).toBe(want);
        }
      }
    }
  });
});

describe('violations: a claim filed against another party’s protection and lost in a ruling', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roe-violations-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const runtime = (edits: [string, string][] = []) => {
    let path: string | undefined;
    if (edits.length) writeFileSync((path = join(dir, `p${edits.length}.yaml`)), policyTextWith(edits));
    const rt = testRuntime({ policyPath: path });
    rt.store.transaction(() => rt.store.accounts.upsert(anAccount({ id: 'probe', name: 'Probe Inc', domains: ['probe.example'], segment: 'smb' })));
    return rt;
  };
  const file = (rt: TestRuntime, party: PartyId, stage: string) =>
    rt.store.transaction(() => fileClaim(rt.ctx, as.partner(rt, party), { accountId: 'probe', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage, amount: 1000 }, evidence: '', origin: null, requestKey: null }));
  const ruleFor = (rt: TestRuntime, id: number, party: PartyId) => rt.store.transaction(() => rule(rt.ctx, as.person(rt, rt.store.disputes.get(id)!.arbitrator), id, { kind: 'award', party, rationale: 'The arbitrator weighed the evidence.' }));

  it('ruled for a third party with a claim of its own: the claim filed over the protection counts a violation', () => {
    const rt = runtime();
    try {
      file(rt, 'northwind', 'qualified');
      rt.clock.advance(3_600_000);
      const intruder = file(rt, 'contoso', 'proposal');
      rt.clock.advance(3_600_000);
      file(rt, 'fabrikam', 'negotiation');
      ruleFor(rt, intruder.disputeId!, 'fabrikam');
      expect(rt.store.claims.get(intruder.claim.id)).toMatchObject({ status: 'rejected', violation: true });
    } finally {
      rt.close();
    }
  });

  it('ruled for the incumbent, which holds no claim: the claim filed over a protection that still holds counts a violation too', () => {
    const rt = runtime([['{ rule: incumbent, auto: true }', '{ rule: incumbent, auto: false }']]);
    try {
      const holder = file(rt, 'northwind', 'qualified');
      expect(holder.outcome).toBe('protected');
      // The CRM then marks the account a customer of Fabrikam.
      rt.store.transaction(() => rt.store.accounts.upsert({ ...rt.store.accounts.get('probe')!, isCustomer: true, incumbentPartnerId: 'fabrikam' }));
      rt.clock.advance(86_400_000);
      const intruder = file(rt, 'contoso', 'proposal');
      expect(intruder.claim.contested).toBe(true);
      expect(rt.store.disputes.get(intruder.disputeId!)).toMatchObject({ status: 'open', recommendation: 'fabrikam' });
      ruleFor(rt, intruder.disputeId!, 'fabrikam');
      expect(rt.store.claims.get(intruder.claim.id)).toMatchObject({ status: 'rejected', violation: true });
      // The holder it was filed against loses the line too, but filed over nobody: no violation.
      expect(rt.store.claims.get(holder.claim.id)).toMatchObject({ status: 'rejected', violation: false });
    } finally {
      rt.close();
    }
  });
});

describe('a case whose recommended claim closes while it waits', () => {
  // The Default coverage, requiring approval: a claim nobody contests waits in an approval case.
  const APPROVAL_FROM = '{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp] }';
  const APPROVAL_TO = '{ name: Default, when: {}, model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }';
  /** A runtime holding the account Probe Inc, and how a partner files an Analytics claim on it at a stage. */
  const probe = () => {
    const rt = testRuntime();
    rt.store.transaction(() => rt.store.accounts.upsert(anAccount({ id: 'probe', name: 'Probe Inc', domains: ['probe.example'], segment: 'smb' })));
    const file = (party: PartyId, stage: string) =>
      rt.store.transaction(() => fileClaim(rt.ctx, as.partner(rt, party), { accountId: 'probe', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage, amount: 1000 }, evidence: '', origin: null, requestKey: null }));
    return { rt, file };
  };
  it.each([
    ['the example policy', [[APPROVAL_FROM, APPROVAL_TO]]],
    ['a policy without first-registration', [[APPROVAL_FROM, APPROVAL_TO], ['  - { rule: first-registration, auto: true }\n', '']]],
  ] as [string, [string, string][]][])('an approval case under %s: its reminders change no recommendation, and approving it still works', (name, edits) => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-approval-'));
    const path = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(path, policyTextWith(edits));
    const rt = testRuntime({ policyPath: path });
    try {
      rt.store.transaction(() => fileClaim(rt.ctx, as.partner(rt, 'northwind'), { accountId: 'soylent', route: 'resell', productLine: 'Analytics', opportunity: { name: 'Deal', stage: 'qualified', amount: 1000 }, evidence: '', origin: null, requestKey: null }));
      const d = rt.store.disputes.all().at(-1)!;
      expect(d).toMatchObject({ status: 'open', recommendation: 'northwind' });
      rt.clock.advance(24 * 3_600_000); // past the first reminder
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect([...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}`).map((e) => e.kind)).not.toContain('dispute.recommendation_changed');
      const now = rt.store.disputes.get(d.id)!;
      rt.store.transaction(() => rule(rt.ctx, as.person(rt, now.arbitrator), d.id, { kind: 'approve', expected: 'northwind' }));
      expect(rt.store.claims.all().at(-1)!.status).toBe('protected');
    } finally {
      rt.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Northwind (negotiation) holds the line; Contoso (proposal) files on day 10 and the case waits
  // with Northwind recommended. Northwind logs no activity: dormant on day 30, its protection
  // ending on day 90. Fabrikam (qualified) then files and joins the case: of the claims live,
  // Contoso's is furthest along, whether Northwind's lifecycle timer has fired yet or not.
  it.each([
    ['gone dormant, its timer fired', 31, true],
    ['gone dormant, its timer not fired yet (the bot was down)', 31, false],
    ['expired, its timer not fired yet (the bot was down)', 91, false],
  ] as const)('a claim joining it is recommended on with the claims live now: the recommended claim %s is left out', (_n, onDay, fired) => {
    const { rt, file } = probe();
    try {
      const start = rt.clock.now().getTime();
      const holder = file('northwind', 'negotiation');
      rt.clock.advance(10 * 86_400_000);
      const d = file('contoso', 'proposal').disputeId!;
      expect(rt.store.disputes.get(d)).toMatchObject({ status: 'open', recommendation: 'northwind' });
      rt.clock.set(new Date(start + onDay * 86_400_000));
      if (fired) for (let i = 0; i < 3; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.claims.get(holder.claim.id)!.status).toBe(fired ? 'dormant' : 'protected');
      const joined = file('fabrikam', 'qualified');
      expect(joined.disputeId).toBe(d);
      expect(rt.store.disputes.get(d)).toMatchObject({ status: 'open', recommendation: 'contoso', recommendationRule: 'furthest-stage' });
    } finally {
      rt.close();
    }
  });

  // Northwind's claim (negotiation) is approved over flagged Contoso's; Contoso, holding no claim
  // now, raises a case by hand: the ruling holds Northwind's claim, so the arbitrator has it,
  // Northwind recommended. Then Northwind's protection ends while the case waits.
  it.each([
    ['another party\'s claim still live: recommended on that one', true, 'fabrikam'],
    ['no claim live: the criteria recommend nobody', false, null],
  ] as const)('a case with a party that holds no claim is recommended again too, and stays with the arbitrator: %s', (_n, fabrikamFiles, recommended) => {
    const { rt, file } = probe();
    try {
      const holder = file('northwind', 'negotiation');
      rt.clock.advance(3_600_000);
      rt.store.transaction(() => rt.store.partners.setFlagged('contoso', rt.clock.now()));
      const approval = file('contoso', 'qualified').disputeId!;
      rt.store.transaction(() => rule(rt.ctx, as.person(rt, 'pat'), approval, { kind: 'approve', expected: 'northwind' }));
      rt.store.transaction(() => rt.store.partners.setFlagged('contoso', null));
      // A day later: raised within a day of the ruling, over the same claims, it would be refused.
      rt.clock.advance(24 * 3_600_000);
      const d = rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'probe', productLine: 'Analytics', reason: 'We sourced it', evidence: '', origin: null, requestKey: null })).dispute.id;
      if (fabrikamFiles) file('fabrikam', 'proposal');
      expect(rt.store.disputes.get(d)).toMatchObject({ status: 'open', recommendation: 'northwind' });
      rt.clock.set(new Date(holder.claim.registeredAt.getTime() + 91 * 86_400_000));
      for (let i = 0; i < 3; i++) tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.claims.get(holder.claim.id)!.status).toBe('expired');
      expect(rt.store.disputes.get(d)).toMatchObject({ status: 'open', recommendation: recommended });
      expect([...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d}`).map((e) => e.kind)).toContain('dispute.recommendation_changed');
    } finally {
      rt.close();
    }
  });

  it('is recommended again over the claims still in play: the arbitrator gets the case as it stands, and approving never gives the line to a party that holds nothing', () => {
    const { rt, file } = probe();
    try {
      const run = () => tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      const holder = file('northwind', 'negotiation');
      // Northwind keeps its claim active to the end of its protection (90 days).
      for (let i = 0; i < 4; i++) {
        rt.clock.advance(20 * 86_400_000);
        run();
        rt.store.transaction(() => logActivity(rt.ctx, as.partner(rt, 'northwind'), holder.claim.id));
      }
      rt.clock.advance(5 * 86_400_000);
      const newcomer = file('contoso', 'proposal');
      const d = rt.store.disputes.get(newcomer.disputeId!)!;
      expect(d).toMatchObject({ status: 'open', recommendation: 'northwind', recommendationRule: 'furthest-stage' });
      const sent = (rt.db.sqlite.prepare('select max(id) as m from outbox').get() as { m: number | null }).m ?? 0;
      // Day 91: Northwind's protection ends while the case waits.
      rt.clock.advance(6 * 86_400_000);
      run();
      expect(rt.store.claims.get(holder.claim.id)!.status).toBe('expired');
      expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', recommendation: 'contoso', recommendationRule: 'first-registration' });
      expect([...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}`).map((e) => e.kind)).toContain('dispute.recommendation_changed');
      // Whoever had the case was sent it as it now stands (it has since moved up its chain: its SLA ran out meanwhile).
      const arbitrator = rt.store.disputes.get(d.id)!.arbitrator;
      const bodies = (rt.db.sqlite.prepare("select body from outbox where id > ? and json_extract(target, '$.kind') = 'user'").all(sent) as { body: string }[]).map((m) => m.body);
      expect(bodies.some((b) => b.includes('the criteria now recommend Contoso Consulting (it was Northwind Partners)'))).toBe(true);
      // Approving what the card showed before is refused; approving the case as it stands protects the live claim.
      expect(() => rt.store.transaction(() => rule(rt.ctx, as.person(rt, arbitrator), d.id, { kind: 'approve', expected: 'northwind' }))).toThrow(/changed since this card was sent \(a claim joined the case, or the recommended party's claim closed\): the criteria now recommend Contoso Consulting/);
      rt.store.transaction(() => rule(rt.ctx, as.person(rt, arbitrator), d.id, { kind: 'approve', expected: 'contoso' }));
      expect(rt.store.claims.get(newcomer.claim.id)!.status).toBe('protected');
    } finally {
      rt.close();
    }
  });
});
