import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { showAccount, whoOwns } from '../../handlers/who-owns.js';
import type { Reply } from '../../handlers/replies/model.js';
import { rule } from '../../src/core/disputes/disputes.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { tick } from '../../src/app/scheduler.js';
import { facts, runtimesClosedAfterEach } from '../support/replies.js';
import { as, testRuntime } from '../support/runtime.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-who-owns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = { origin: consoleOrigin, requestKey: null };
const values = (account: string, product: string, stage = 'proposal') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
const read = (r: Reply) => JSON.stringify(r);

const runtime = runtimesClosedAfterEach();

describe('who-owns: a product line with live claims answers for itself', () => {
  it('a grandfathered claim keeps its line under the old rules; the new account-wide rule covers the other lines', () => {
    const db = join(dir, 'gf.db');
    const v1 = testRuntime({ at: '2026-12-01T15:00:00Z', databasePath: db });
    submitClaim(v1.deps, as.partner(v1, 'northwind'), values('soylent', 'Analytics', 'qualified'), meta);
    v1.close();
    // 2026.2, in force from Dec 2: smb accounts (Soylent) are direct-led.
    const v2Path = join(dir, 'p2.yaml');
    writeFileSync(v2Path, policyTextWith([['version: "2026.1"', 'version: "2026.2"'], ['effective: 2026-01-01', 'effective: 2026-12-02'], ['when: { tier: strategic }', 'when: { segment: smb }']]));
    const v2 = runtime({ at: '2026-12-03T15:00:00Z', databasePath: db, policyPath: v2Path, demo: false });

    const r = showAccount(v2.deps, as.person(v2, 'sam'), 'soylent');
    expect(facts(r)).toMatchObject({
      'Engagement model': 'Direct-led (coverage "Strategic")',
      'Owner (Analytics)': 'Northwind Partners (First registration)',
      'Owner (other product lines)': 'Direct sales (Direct-reserved coverage)',
    });
    expect(facts(r)).not.toHaveProperty('Owner');
    expect(r.summary).toBe('Soylent Corp: Analytics: Northwind Partners (First registration); other product lines: Direct sales (Direct-reserved coverage)');
    expect(read(r)).toContain('Grandfathered: judged under policy 2026.1');
    // …which is what a direct claim on that line meets: the 2026.1 rules keep Northwind.
    expect(submitClaim(v2.deps, as.person(v2, 'sam'), { ...values('soylent', 'Analytics', 'qualified'), route: 'direct' }, meta).summary).toMatch(/was not accepted/);
  });

  it('a line that agrees with the account-wide owner is not repeated', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.person(rt, 'sam'), { ...values('hooli', 'Services'), route: 'direct' }, meta);
    const f = facts(showAccount(rt.deps, as.person(rt, 'sam'), 'hooli'));
    expect(f['Owner']).toBe('Direct sales (Direct-reserved coverage)');
    expect(Object.keys(f).filter((k) => k.startsWith('Owner'))).toEqual(['Owner']);
  });
});

describe('who-owns after an arbitrator ruled against an auto rule', () => {
  /** Flagged Contoso claims Globex (incumbent Fabrikam); the case goes to Dana, who awards it to Contoso. */
  function ruledAgainstIncumbent() {
    const rt = runtime({ at: '2026-12-01T15:00:00Z' });
    rt.store.partners.setFlagged('contoso', rt.clock.now());
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('globex', 'Analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', recommendation: 'fabrikam', recommendationRule: 'incumbent', arbitrator: 'dana' });
    rt.store.transaction(() => rule(rt.ctx, as.person(rt, 'dana'), d.id, { kind: 'award', party: 'contoso', rationale: 'Fabrikam has not engaged this customer in two years; Contoso sourced the deal.' }));
    return { rt, d };
  }

  it('credits the ruling for that line, not the rule it overruled', () => {
    const { rt, d } = ruledAgainstIncumbent();
    const r = showAccount(rt.deps, as.person(rt, 'sam'), 'globex');
    expect(facts(r)).toMatchObject({
      'Owner (Analytics)': `Contoso Consulting (ruled by Dana Reyes in dispute #${d.id})`,
      'Owner (other product lines)': 'Fabrikam Systems (Incumbent partner)',
    });
    expect(read(r)).toContain(`Dana Reyes ruled dispute #${d.id} for Contoso Consulting on Dec 1, 2026.`);
    expect(read(r)).not.toContain('as the criteria recommended');
  });

  it('a partner other than the winner sees "another party"', () => {
    const { rt, d } = ruledAgainstIncumbent();
    const fabrikam = showAccount(rt.deps, as.partner(rt, 'fabrikam'), 'globex');
    expect(facts(fabrikam)['Owner (Analytics)']).toBe(`another party (ruled by Dana Reyes in dispute #${d.id})`);
    expect(read(fabrikam)).not.toContain('Contoso');
    expect(facts(showAccount(rt.deps, as.partner(rt, 'contoso'), 'globex'))['Owner (Analytics)']).toBe(`Contoso Consulting (ruled by Dana Reyes in dispute #${d.id})`);
  });
});

describe('who-owns while a case is open on a product line', () => {
  /** Flagged Contoso claims Müller, which nobody holds: the claim waits for Pat's approval. */
  function awaitingApproval() {
    const rt = runtime({ at: '2026-12-01T15:00:00Z' });
    rt.store.partners.setFlagged('contoso', rt.clock.now());
    expect(submitClaim(rt.deps, as.partner(rt, 'contoso'), values('muller', 'Core Platform'), meta).summary).toMatch(/is pending/);
    return { rt, d: rt.store.disputes.all().at(-1)! };
  }

  it('a claim awaiting approval is not shown as the owner, in the facts or the summary', () => {
    const { rt, d } = awaitingApproval();
    const r = showAccount(rt.deps, as.person(rt, 'sam'), 'muller');
    // A claim waiting for approval is said to be one, as its card and the queue say it: no dispute, no recommendation over other parties.
    expect(facts(r)['Owner (Core Platform)']).toBe(`pending: claim #${d.claimIds[0]} of Contoso Consulting awaiting approval in case #${d.id}, with Pat Okafor`);
    expect(r.summary).toBe(`Müller Logistik AG: Core Platform pending (awaiting approval in case #${d.id}); other product lines: open`);
    expect(read(r)).not.toContain('Contoso Consulting (First registration)');
  });

  it('the recommendation is masked for a partner who may not see that party', () => {
    const { rt, d } = awaitingApproval();
    const r = showAccount(rt.deps, as.partner(rt, 'northwind'), 'muller');
    expect(facts(r)['Owner (Core Platform)']).toBe(`pending: dispute #${d.id} is with Pat Okafor (recommendation: another party, First registration)`);
    expect(read(r)).not.toContain('Contoso');
  });

  it('an arbitrated overlap shows the line pending, with the recommendation', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', 'Analytics', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent', 'Analytics', 'qualified'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.status).toBe('open');
    const r = showAccount(rt.deps, as.person(rt, 'sam'), 'soylent');
    expect(facts(r)['Owner (Analytics)']).toBe(`pending: dispute #${d.id} is with Pat Okafor (recommendation: Northwind Partners, Furthest stage)`);
    expect(r.summary).not.toContain('Northwind');
  });
});

describe('who-owns: what the one-line summary and the open disputes say', () => {
  it('one product line owned, the others open: the summary names the line, as the facts do', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', 'Analytics'), meta);
    const r = showAccount(rt.deps, as.person(rt, 'sam'), 'soylent');
    // The lines nobody claimed are said to be open: "Owner (Analytics)" alone could read as the account taken.
    expect(facts(r)).toMatchObject({ 'Owner (Analytics)': 'Northwind Partners (First registration)', 'Owner (other product lines)': 'Nobody: open to registration' });
    expect(facts(r)).not.toHaveProperty('Owner');
    // The summary is the notification's text: not "Soylent Corp: Northwind Partners", which reads as the whole account.
    expect(r.summary).toBe('Soylent Corp: Analytics: Northwind Partners (First registration); other product lines: open');
  });

  it('a case past its due time, which the last of its chain keeps, is listed as overdue, as its card and the queue show it', () => {
    const rt = runtime({ at: '2026-12-01T15:00:00Z' });
    const d = openArbitratedCase(rt);
    for (let day = 8; day <= 18; day++) {
      rt.clock.set(`2026-12-${String(day).padStart(2, '0')}T22:30:00Z`);
      for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
    }
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'vp', dueAt: new Date('2026-12-14T22:00:00Z') });
    const disputes = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'list' && b.title === 'Open disputes' ? b.items.map((i) => momentsAsText(i.text)) : []));
    expect(disputes(showAccount(rt.deps, as.person(rt, 'vp'), 'soylent'))).toEqual([`#${d.id} Analytics: with Morgan Lee, due Dec 14, 2026, 5:00 PM EST (overdue)`]);
    expect(disputes(showAccount(rt.deps, as.partner(rt, 'fabrikam'), 'soylent'))).toEqual([`#${d.id} Analytics: with Morgan Lee, due Dec 14, 2026, 5:00 PM EST (overdue)`]);
    // Before its due time, no such word.
    const fresh = runtime({ at: '2026-12-01T15:00:00Z' });
    const e = openArbitratedCase(fresh);
    expect(disputes(showAccount(fresh.deps, as.person(fresh, 'sam'), 'soylent'))).toEqual([`#${e.id} Analytics: with Pat Okafor, due Dec 3, 2026, 10:00 AM EST`]);
  });
});

describe('who-owns for a line one party’s protected registration holds alone', () => {
  it.each([
    ['first-registration only recommends', [['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]],
    ['the policy has no first-registration rule', [['  - { rule: first-registration, auto: true }\n', '']]],
  ] as [string, [string, string][]][])('%s: the holder owns it, as a protected registration, not a recommendation or "Undecided"', (name, edits) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(path, policyTextWith(edits));
    const rt = runtime({ policyPath: path });
    expect(submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', 'Analytics'), meta).summary).toMatch(/is protected/);
    const r = showAccount(rt.deps, as.person(rt, 'sam'), 'soylent');
    expect(facts(r)['Owner (Analytics)']).toBe('Northwind Partners (protected registration)');
    expect(read(r)).toContain('The registration of Northwind Partners is protected until Feb 28, 2027, and no other party has a live claim on this product line.');
    expect(read(r)).not.toMatch(/Undecided|recommendation: an arbitrator decides/);
  });
});

describe('one answer, one moment', () => {
  it("reads the account, its claims and its cases as they stood together: a claim another process files meanwhile shows in the next answer, not halfway through this one", () => {
    const databasePath = join(dir, 'snapshot.db');
    const rt = runtime({ databasePath });
    const other = runtime({ databasePath, demo: false });
    const sam = as.person(rt, 'sam');
    const before = read(whoOwns(rt.deps, sam, 'soylent'));
    const { claims } = rt.deps.ctx.store;
    const forAccount = claims.forAccount;
    let filed = false;
    claims.forAccount = (accountId) => {
      // Another process files a claim on the account while this answer is being read.
      if (!filed) submitClaim(other.deps, as.partner(other, 'contoso'), values('soylent', 'Analytics'), meta);
      filed = true;
      return forAccount(accountId);
    };
    try {
      expect(read(whoOwns(rt.deps, sam, 'soylent'))).toBe(before);
    } finally {
      claims.forAccount = forAccount;
    }
    expect(filed).toBe(true);
    expect(read(whoOwns(rt.deps, sam, 'soylent'))).toContain('Contoso Consulting');
  });
});
