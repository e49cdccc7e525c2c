/**
 * One of the company's people who looks after partners (a partner manager) files claims and
 * raises disputes for a partner that is not in chat: what they are told about those cases says
 * which partner they act for, and reads as the company's people read it (other partners named),
 * never as if they were that partner's own user.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import type { Reply } from '../../handlers/replies/model.js';
import { submitAsk, submitAward } from '../../handlers/rule.js';
import type { Principal } from '../../src/core/authz.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
afterEach(() => rt?.close());
const dir = mkdtempSync(join(tmpdir(), 'roe-partner-manager-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = () => ({ origin: consoleOrigin, requestKey: null });
const values = (over: Record<string, string> = {}) => ({ account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over });
const lines = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));

/** The example policy with first registration only recommending: an overlap waits for the arbitrator. */
function manualRuntime(): TestRuntime {
  const policy = join(dir, 'manual.yaml');
  writeFileSync(policy, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
  return testRuntime({ policyPath: policy });
}

/** The direct messages to `who`, as they read them: summary, text lines, and the facts and list items of the card. */
function toldTo(who: Principal): { summary: string; lines: string[]; all: string }[] {
  const user = who.userKey.split(':').slice(1).join(':');
  return (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[])
    .filter((m) => (JSON.parse(m.target) as { user?: string }).user === user)
    .map((m) => JSON.parse(m.body) as { summary: string; blocks: { text?: string }[] })
    .map((b) => ({ summary: b.summary, lines: b.blocks.flatMap((x) => (typeof x.text === 'string' ? [x.text] : [])), all: JSON.stringify(b) }));
}

describe('a dispute a partner manager raised for a partner, ruled against that partner', () => {
  const raisedAndRuled = (raiser: (rt: TestRuntime) => Principal) => {
    rt = manualRuntime();
    const who = raiser(rt);
    submitDispute(rt.deps, who, { account: 'acme', product: 'Analytics', reason: 'Contoso ran the workshops with their CIO', ...(who.kind === 'internal' ? { claimant: 'contoso' } : {}) }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', raisedAs: 'contoso', parties: ['contoso', 'northwind'] });
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'northwind', rationale: 'The earlier registration holds.' });
    const ruling = toldTo(who).filter((m) => m.summary.startsWith('Ruling on '));
    expect(ruling).toHaveLength(1);
    return { d, ruling: ruling[0]! };
  };

  it('tells them, as the company’s people read it, which partner owns the account now and which partner it went against', () => {
    const { d, ruling } = raisedAndRuled((r) => as.person(r, 'sam'));
    expect(ruling.lines[0]).toMatch(new RegExp(`^Dispute #${d.id} over Acme Corporation \\(Analytics\\) is ruled: Northwind Partners owns it\\. Until .*, a new claim of Contoso Consulting on it needs an arbitrator's approval\\.$`));
    expect(ruling.all).toContain('"value":"Contoso Consulting vs Northwind Partners"');
    expect(ruling.all).not.toContain('another party');
  });

  it('still tells the partner’s own user who raised it "another party", naming no other partner', () => {
    const { ruling } = raisedAndRuled((r) => as.partner(r, 'contoso'));
    expect(ruling.lines[0]).toContain('is ruled: another party owns it. Until ');
    expect(ruling.lines[0]).toContain('a new claim of yours on it');
    expect(ruling.all).not.toMatch(/northwind/i);
  });

  it('asks them a question saying which partner they answer for', () => {
    rt = manualRuntime();
    const sam = as.person(rt, 'sam');
    submitDispute(rt.deps, sam, { account: 'acme', claimant: 'contoso', product: 'Analytics', reason: 'Contoso ran the workshops with their CIO' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'When did they first meet?' });
    const [asked] = toldTo(sam).filter((m) => m.summary.startsWith('Question on '));
    expect(asked?.lines[0]).toBe(`Pat Okafor has a question for Contoso Consulting about dispute #${d.id} over Acme Corporation (Analytics).`);
  });
});

describe('a claim a partner manager filed for a partner', () => {
  it('not accepted by the criteria: the answer says whose claim it was', () => {
    rt = testRuntime();
    // Soylent becomes a customer whose incumbent is Fabrikam: the criteria give it the line.
    rt.store.accounts.upsert({ ...rt.store.accounts.get('soylent')!, isCustomer: true, incumbentPartnerId: 'fabrikam' });
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values(), meta());
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), values({ claimant: 'contoso' }), meta());
    const c = rt.store.claims.all().at(-1)!;
    expect(c).toMatchObject({ claimant: 'contoso', status: 'rejected' });
    expect(r.summary).toBe(`Claim #${c.id} on Soylent Corp for Contoso Consulting was not accepted`);
    expect(lines(r)[0]).toMatch(new RegExp(`^Claim #${c.id} on Soylent Corp \\(Analytics\\) for Contoso Consulting was not accepted: the criteria settled dispute #\\d+ for Fabrikam Systems\\.$`));
  });

  it('waiting for a ruling: the answer’s summary says whose claim it is, as its text does', () => {
    rt = manualRuntime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values(), meta());
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), values({ claimant: 'contoso', stage: 'proposal' }), meta());
    const c = rt.store.claims.all().at(-1)!;
    expect(r.summary).toBe(`Claim #${c.id} on Soylent Corp for Contoso Consulting is pending`);
  });

  it('when another party disputes it, tells them which partner’s claim it is; the partner’s own user reads it as theirs', () => {
    rt = manualRuntime();
    const sam = as.person(rt, 'sam');
    submitClaim(rt.deps, sam, values({ claimant: 'contoso' }), meta());
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values({ account: 'initech' }), meta());
    submitDispute(rt.deps, as.partner(rt, 'northwind'), { account: 'soylent', product: 'Analytics', reason: 'We met them first' }, meta());
    submitDispute(rt.deps, as.partner(rt, 'northwind'), { account: 'initech', product: 'Analytics', reason: 'We met them first' }, meta());
    const [opened] = toldTo(sam).filter((m) => m.summary.includes(' raised on '));
    expect(opened?.lines[0]).toMatch(/^A dispute was raised over Soylent Corp \(Analytics\), where you filed a claim for Contoso Consulting\. Pat Okafor rules on it; you will hear the outcome here\.$/);
    const [theirs] = toldTo(as.partner(rt, 'contoso')).filter((m) => m.summary.includes(' raised on '));
    expect(theirs?.lines[0]).toMatch(/^A dispute was raised over Initech LLC \(Analytics\), where you have a claim\. /);
    expect(rt.store.disputes.all().map((d) => d.status)).toEqual(['open', 'open']);
  });
});
