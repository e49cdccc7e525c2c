import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import type { Principal } from '../../src/core/authz.js';
import { involvementOf, involvementsWords } from '../../src/core/disputes/recusal.js';
import { rulersOf, scheduleUnreachable } from '../../src/core/sla/sla.service.js';
import { rule } from '../../src/core/disputes/disputes.service.js';
import { tick } from '../../src/app/scheduler.js';
import { policyTextWith } from '../support/builders.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

/**
 * Recusal as the core decides it: who a case goes to when people of its chain (Default coverage:
 * pat, then dana, then vp) filed its claims, and who may rule on it then.
 */
let rt: TestRuntime;
afterEach(() => rt.close());

const origin = { origin: { platform: 'console' as const, channel: 'general', thread: null }, requestKey: null };
type Filer = 'northwind' | 'contoso' | 'pat' | 'dana' | 'vp' | 'sam';
/** Each files a claim on Soylent (Analytics), in order; the company's people for a partner of their own, Pat for the direct team. */
function fileAll(filers: readonly Filer[]): void {
  const forWhom: Record<string, string | undefined> = { pat: undefined, dana: 'fabrikam', vp: 'northwind', sam: 'fabrikam' };
  filers.forEach((f, i) => {
    const who: Principal = f === 'northwind' || f === 'contoso' ? as.partner(rt, f) : as.person(rt, f);
    const claimant = forWhom[f];
    const stage = ['qualified', 'proposal', 'negotiation', 'commit'][Math.min(i, 3)]!;
    submitClaim(rt.deps, who, { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage, amount: '', evidence: '', ...(claimant ? { claimant } : {}) }, origin);
  });
}
const claimOf = (f: Filer) => rt.store.claims.forAccount('soylent').find((c) => c.createdBy === `console:${f === 'northwind' || f === 'contoso' ? `${f}-user` : f}`)!.id;
const entryOf = (kind: string) => [...rt.store.ledger.entries()].filter((e) => e.kind === kind).at(-1)?.payload as { recused?: unknown } | undefined;

describe('the person a case opens with', () => {
  it.each([
    { filers: ['northwind', 'contoso'], arbitrator: 'pat', level: 0, recused: [], rulers: ['pat', 'dana', 'vp'] },
    { filers: ['northwind', 'pat'], arbitrator: 'dana', level: 1, recused: ['pat'], rulers: ['dana', 'vp'] },
    { filers: ['pat', 'northwind'], arbitrator: 'dana', level: 1, recused: ['pat'], rulers: ['dana', 'vp'] },
    { filers: ['pat', 'vp'], arbitrator: 'dana', level: 1, recused: ['pat'], rulers: ['dana'] },
    { filers: ['pat', 'dana'], arbitrator: 'vp', level: 2, recused: ['pat', 'dana'], rulers: ['vp'] },
    { filers: ['northwind', 'sam'], arbitrator: 'pat', level: 0, recused: [], rulers: ['pat', 'dana', 'vp'] },
  ] as { filers: Filer[]; arbitrator: string; level: number; recused: Filer[]; rulers: string[] }[])('filed by $filers: with $arbitrator (level $level), passing over $recused', ({ filers, arbitrator, level, recused, rulers }) => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    fileAll(filers);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator, escalationLevel: level });
    expect(entryOf('dispute.assigned')?.recused).toEqual(recused.length > 0 ? recused.map((p) => ({ person: p, claim: claimOf(p) })) : undefined);
    expect(rulersOf(rt.ctx, d)).toEqual(rulers);
  });
});

it('everybody of a chain with a part in the case: it opens with its arbitrator as ever, and any of them may rule (nobody else could)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roe-recusal-'));
  try {
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana]']]));
    rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: path });
    fileAll(['pat', 'dana']);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', escalationLevel: 0 });
    expect(entryOf('dispute.assigned')?.recused).toBeUndefined();
    expect(rulersOf(rt.ctx, d)).toEqual(['pat', 'dana']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('a claim joining a running case', () => {
  it.each([
    { joiners: ['sam'], arbitrator: 'pat', level: 0, recused: null, rulers: ['pat', 'dana', 'vp'] },
    { joiners: ['dana'], arbitrator: 'pat', level: 0, recused: null, rulers: ['pat', 'vp'] },
    { joiners: ['pat'], arbitrator: 'dana', level: 1, recused: ['pat'], rulers: ['dana', 'vp'] },
    { joiners: ['dana', 'pat'], arbitrator: 'vp', level: 2, recused: ['pat', 'dana'], rulers: ['vp'] },
    // Nobody above the assignee is free of a part in it: it stays with them, who alone may still rule on it.
    { opened: ['pat', 'dana'], joiners: ['vp'], arbitrator: 'vp', level: 2, recused: null, rulers: ['vp'] },
  ] as { opened?: Filer[]; joiners: Filer[]; arbitrator: string; level: number; recused: Filer[] | null; rulers: string[] }[])('joined by $joiners: with $arbitrator (level $level)', ({ opened = ['northwind', 'contoso'], joiners, arbitrator, level, recused, rulers }) => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    fileAll(opened);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open' });
    for (const j of joiners) fileAll([j]);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator, escalationLevel: level, claimIds: expect.arrayContaining(joiners.map(claimOf)) });
    expect(entryOf('dispute.reassigned')?.recused).toEqual(recused ? recused.map((p) => ({ person: p, claim: claimOf(p) })) : undefined);
    expect(rulersOf(rt.ctx, rt.store.disputes.get(d.id)!)).toEqual(rulers);
  });
});

describe('involvementOf', () => {
  const people = { pat: { slack: 'U0PAT', teams: '29:pat' }, dana: { slack: 'U0DANA' } };
  const claims = [
    { id: 4, createdBy: 'slack:U0NW1' },
    { id: 5, createdBy: 'teams:29:pat' },
  ];
  it.each([
    { person: 'pat', raisedBy: 'slack:U0NW1', part: { person: 'pat', claim: 5 } },
    { person: 'pat', raisedBy: 'slack:U0PAT', part: { person: 'pat', claim: 5 } },
    { person: 'dana', raisedBy: 'slack:U0DANA', part: { person: 'dana', claim: null } },
    { person: 'dana', raisedBy: 'console:dana', part: { person: 'dana', claim: null } },
    { person: 'dana', raisedBy: 'slack:U0NW1', part: null },
    { person: 'vp', raisedBy: 'console:vp', part: null },
  ])('$person, raised by $raisedBy: $part', ({ person, raisedBy, part }) => {
    expect(involvementOf(people, person, claims, raisedBy)).toEqual(part);
  });

  it('counts a user the bot resolved to the person (a Teams user named by their Entra object id): their claim, else their raising', () => {
    const byEntra = { ...people, sam: { teams: 'a0000000-0000-4000-8000-000000000001' } };
    const personOf = (k: string) => (k === 'teams:29:sam' ? 'sam' : null);
    const theirs = [...claims, { id: 6, createdBy: 'teams:29:sam' }];
    expect(involvementOf(byEntra, 'sam', theirs, 'slack:U0NW1')).toBeNull();
    expect(involvementOf(byEntra, 'sam', theirs, 'slack:U0NW1', personOf)).toEqual({ person: 'sam', claim: 6 });
    expect(involvementOf(byEntra, 'sam', claims, 'teams:29:sam', personOf)).toEqual({ person: 'sam', claim: null });
    // Someone else's claim is not theirs for it, nor anyone's the policy does not name.
    expect(involvementOf(byEntra, 'pat', [{ id: 6, createdBy: 'teams:29:sam' }], 'slack:U0NW1', personOf)).toBeNull();
    expect(involvementOf(byEntra, 'vp', theirs, 'teams:29:sam', () => 'vp')).toBeNull();
  });
});

describe('the parts of several people in a case, said once of it', () => {
  const names: Record<string, string> = { pat: 'Pat Okafor', dana: 'Dana Reyes', vp: 'Morgan Lee' };
  const name = (p: string) => names[p]!;
  it.each([
    { parts: [{ person: 'pat', claim: 4 }], words: 'Pat Okafor filed claim #4 in this case' },
    { parts: [{ person: 'pat', claim: null }], words: 'Pat Okafor raised this case' },
    { parts: [{ person: 'pat', claim: 4 }, { person: 'dana', claim: 5 }], words: 'Pat Okafor filed claim #4 and Dana Reyes claim #5 in this case' },
    { parts: [{ person: 'pat', claim: 4 }, { person: 'dana', claim: 5 }, { person: 'vp', claim: 6 }], words: 'Pat Okafor filed claim #4, Dana Reyes claim #5 and Morgan Lee claim #6 in this case' },
    { parts: [{ person: 'dana', claim: 5 }, { person: 'pat', claim: null }], words: 'Pat Okafor raised this case and Dana Reyes filed claim #5 in it' },
    { parts: [{ person: 'pat', claim: null }, { person: 'dana', claim: 5 }, { person: 'vp', claim: 6 }], words: 'Pat Okafor raised this case, and Dana Reyes filed claim #5 and Morgan Lee claim #6 in it' },
  ])('$words', ({ parts, words }) => {
    expect(involvementsWords(parts, name)).toBe(words);
  });
});

describe('an assignee who cannot be reached, with everybody above them in the chain a part of the case', () => {
  it('the case stays with them (as at a breach), not handed to someone who filed a claim in it: nobody with a part in it may rule on it', () => {
    rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
    // Contoso's claim and Dana's (for Fabrikam) open it; Morgan's (for Northwind) joins: Pat, free of a part in it, alone may rule.
    fileAll(['contoso', 'dana']);
    const d = rt.store.disputes.all().at(-1)!;
    fileAll(['vp']);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
    expect(rulersOf(rt.ctx, rt.store.disputes.get(d.id)!)).toEqual(['pat']);
    // Pat's card bounces on every platform the policy gives them.
    for (const platform of ['slack', 'teams'] as const) {
      scheduleUnreachable(rt.store, { disputeId: d.id, person: 'pat', platform }, rt.clock.now());
      tick(rt.db, { ...rt.deps, platforms: ['slack', 'teams'] }, rt.clock.now(), rt.logger);
    }
    const now = rt.store.disputes.get(d.id)!;
    expect(now).toMatchObject({ arbitrator: 'pat', escalationLevel: 0, status: 'open' });
    expect(rulersOf(rt.ctx, now)).toEqual(['pat']);
    // Dana, who filed a claim in it, still cannot rule on it.
    expect(() => rule(rt.ctx, as.person(rt, 'dana'), d.id, { kind: 'approve' })).toThrow(/You filed claim #\d+ in dispute #\d+, so you cannot rule on it/);
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.reassigned')).toEqual([]);
    // Partner ops hear of it in the escalation channel; the thread is told it stays with Pat, who is not the last of the chain.
    const posts = (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[]).map((r) => ({ target: JSON.parse(r.target) as { kind: string; channel?: string }, body: JSON.parse(r.body) as { summary: string; blocks: { text?: string }[] } }));
    expect(posts.filter((p) => p.target.kind === 'channel').map((p) => p.body.summary)).toEqual([`Dispute #${d.id}: Pat Okafor, who has it, cannot be reached`]);
    const thread = posts.filter((p) => p.target.kind === 'dispute-thread').at(-1)!;
    expect(thread.body.blocks.map((b) => b.text)).toEqual(['The case stays with Pat Okafor, and is posted to the escalation channel.']);
  });
});
