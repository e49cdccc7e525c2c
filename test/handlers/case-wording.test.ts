import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { mine, queue } from '../../handlers/roe.js';
import { showAccount } from '../../handlers/who-owns.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-case-wording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = { origin: consoleOrigin, requestKey: null };
const values = (account: string, over: Record<string, string> = {}) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over });
const read = (r: Reply) => JSON.stringify(r);
/** The items of a reply's list, as "text | detail" where there is a detail; `title` picks the list. */
const items = (r: Reply, title?: string) => r.blocks.flatMap((b) => (b.type === 'list' && (title === undefined || b.title === title) ? b.items.map((i) => (i.detail ? `${i.text} | ${i.detail}` : i.text)) : []));
/** The answer's facts, label → value. */
const facts = (r: Reply): Record<string, string> => {
  const block = r.blocks.find((b) => b.type === 'facts');
  return block && block.type === 'facts' ? Object.fromEntries(block.facts.map((f) => [f.label, f.value])) : {};
};
const listTitles = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'list' ? [b.title] : []));

const open: TestRuntime[] = [];
const runtime = (opts: Parameters<typeof testRuntime>[0] = {}) => {
  const rt = testRuntime(opts);
  open.push(rt);
  return rt;
};
afterEach(() => {
  for (const rt of open.splice(0)) rt.close();
});

/** A runtime whose Default coverage (Soylent) requires approval of every claim. */
let files = 0;
function approvalRuntime(): TestRuntime {
  const policy = join(dir, `approval-${++files}.yaml`);
  writeFileSync(policy, policyTextWith([['model: partner-led, arbitrator: pat, escalation: [dana, vp] }', 'model: partner-led, arbitrator: pat, escalation: [dana, vp], requires_approval: true }']]));
  return runtime({ at: '2026-12-07T14:00:00Z', policyPath: policy });
}

describe('/roe mine names whose claim it is and what a pending one waits on', () => {
  it("a claim one of the company's people filed for a partner names the partner; their own direct claim and a partner's own list do not", () => {
    const rt = runtime();
    const sam = as.person(rt, 'sam');
    const forContoso = submitClaim(rt.deps, sam, values('soylent', { claimant: 'contoso' }), meta);
    expect(forContoso.summary).toMatch(/is protected/);
    submitClaim(rt.deps, sam, values('hooli', { product: 'Services', route: 'direct' }), meta);
    const [contosoClaim, direct] = [rt.store.claims.forAccount('soylent').at(-1)!, rt.store.claims.forAccount('hooli').at(-1)!];
    const listed = items(mine(rt.deps, sam));
    expect(listed.find((t) => t.startsWith(`#${contosoClaim.id} `))).toMatch(new RegExp(`^#${contosoClaim.id} Soylent Corp \\(Analytics\\) for Contoso Consulting: protected until `));
    expect(listed.find((t) => t.startsWith(`#${direct.id} `))).toMatch(new RegExp(`^#${direct.id} Hooli[^:]* \\(Services\\): protected until `));
    expect(listed.find((t) => t.startsWith(`#${direct.id} `))).not.toContain(' for ');
    // Contoso's own user reads its own party's claims: no "for" on any.
    const ofContoso = items(mine(rt.deps, as.partner(rt, 'contoso')));
    expect(ofContoso.find((t) => t.startsWith(`#${contosoClaim.id} `))).toMatch(new RegExp(`^#${contosoClaim.id} Soylent Corp \\(Analytics\\): protected until `));
    expect(ofContoso.join('\n')).not.toContain(' for ');
  });

  it('a claim in a dispute says which, to each party and to who filed it, naming no other party to a partner', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), meta);
    // Sam files Contoso's claim: the two overlap, and the case waits for Pat.
    submitClaim(rt.deps, as.person(rt, 'sam'), values('soylent', { claimant: 'contoso' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: expect.arrayContaining(['northwind', 'contoso']) });
    const [nw, ct] = d.claimIds.map((id) => rt.store.claims.get(id)!);
    expect([nw!.claimant, ct!.claimant]).toEqual(['northwind', 'contoso']);
    // Northwind's protected claim holds the line meanwhile; Contoso's waits in the case.
    expect(rt.store.claims.get(ct!.id)!.status).toBe('pending');
    const ofContoso = items(mine(rt.deps, as.partner(rt, 'contoso')));
    expect(ofContoso).toContain(`#${ct!.id} Soylent Corp (Analytics): pending (in dispute #${d.id}) | Deal, stage qualified`);
    expect(ofContoso.join('\n')).not.toContain('Northwind');
    expect(items(mine(rt.deps, as.person(rt, 'sam')))).toContain(`#${ct!.id} Soylent Corp (Analytics) for Contoso Consulting: pending (in dispute #${d.id}) | Deal, stage qualified`);
  });

  it('a claim waiting for approval says so, with its case', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    expect(d).toMatchObject({ status: 'open', parties: ['contoso'], claimIds: [c.id] });
    expect(items(mine(rt.deps, as.partner(rt, 'contoso')))).toContain(`#${c.id} Soylent Corp (Analytics): pending (awaiting approval in case #${d.id}) | Deal, stage qualified`);
  });
});

describe('a claim waiting for approval is no dispute', () => {
  it("the queue lists it as an approval of its claim, not with a recommendation, and counts it as one", () => {
    const rt = approvalRuntime();
    const before = queue(rt.deps, as.person(rt, 'pat'));
    expect(read(before)).not.toContain('Approval of');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const r = queue(rt.deps, as.person(rt, 'pat'));
    const item = items(r, 'Waiting for your ruling').find((t) => t.startsWith(`#${d.id} `));
    expect(item).toMatch(new RegExp(`^#${d.id} Soylent Corp \\(Analytics\\): due .* \\| Approval of claim #${c.id} of Contoso Consulting$`));
    // Dana, above Pat in its chain, sees whose it is.
    expect(items(queue(rt.deps, as.person(rt, 'dana')), 'Waiting for your ruling').find((t) => t.startsWith(`#${d.id} `))).toMatch(/\| Approval of claim #\d+ of Contoso Consulting \(assigned to Pat Okafor\)$/);
    expect(rt.store.disputes.open()).toHaveLength(1);
    expect(r.summary).toBe('1 approval waiting');
  });

  it('who-owns lists it as an approval, to the company and to its party; another partner reads it as any open case', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    for (const viewer of [as.person(rt, 'sam'), as.partner(rt, 'contoso')]) {
      const r = showAccount(rt.deps, viewer, 'soylent');
      expect(listTitles(r)).toContain('Waiting for approval');
      expect(listTitles(r)).not.toContain('Open disputes');
      expect(items(r, 'Waiting for approval')).toEqual([expect.stringMatching(new RegExp(`^#${d.id} Analytics: approval of claim #${c.id}, with Pat Okafor, due `))]);
      expect(facts(r)['Owner (Analytics)'] ?? facts(r)['Owner']).toBe(`pending: claim #${c.id} of Contoso Consulting awaiting approval in case #${d.id}, with Pat Okafor`);
      expect(read(r)).not.toContain('recommendation: ');
    }
    const other = showAccount(rt.deps, as.partner(rt, 'northwind'), 'soylent');
    expect(items(other, 'Open disputes')).toEqual([expect.stringMatching(new RegExp(`^#${d.id} Analytics: with Pat Okafor, due `))]);
    expect(read(other)).not.toMatch(/approval|Contoso|#${c.id}\b/);
  });
});

describe('who-owns: the Arbitrator fact while a case has moved up its chain', () => {
  it('names who has the case now, as the owner line does; before it moves, the coverage arbitrator alone', () => {
    const rt = runtime({ at: '2026-12-01T15:00:00Z' });
    const d = openArbitratedCase(rt);
    expect(facts(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'))['Arbitrator']).toBe('Pat Okafor');
    // Past its due time (Dec 3, 10:00 New York), the case escalates to Dana, next in its chain.
    rt.clock.set('2026-12-03T22:30:00Z');
    for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
    const holder = 'Dana Reyes';
    for (const viewer of [as.person(rt, 'sam'), as.partner(rt, 'northwind'), as.partner(rt, 'fabrikam')]) {
      const f = facts(showAccount(rt.deps, viewer, 'soylent'));
      expect(f['Arbitrator']).toBe(`Pat Okafor (dispute #${d.id} is now with ${holder})`);
      expect(f['Owner (Analytics)'] ?? f['Owner']).toContain(`dispute #${d.id} is with ${holder}`);
    }
  });
});
