import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reviewPartner } from '../../../src/core/claims/consequences.js';
import { TEAMS_IDS } from '../../../handlers/platforms/teams/ids.js';
import { FORMS } from '../../../handlers/replies/model.js';
import { submitClaim } from '../../../handlers/claim.js';
import { approve } from '../../../handlers/rule.js';
import { consoleOrigin } from '../../support/cases.js';
import { readCard } from '../../support/fake-connector.js';
import { checkTeamsCard } from '../../support/limits.js';
import { as } from '../../support/runtime.js';
import { startTeams, USERS, type TeamsHarness } from '../../support/teams-harness.js';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeams();
});
afterEach(async () => {
  await h.stop();
});

const claimInputs = (account: string) => ({ account, route: 'resell', product: 'Services', opportunity: 'Rollout', stage: 'qualified', amount: '', evidence: '' });

/** The Action.Execute buttons of a card. */
function buttons(card: Record<string, unknown>): { verb: string; data: Record<string, unknown> }[] {
  const out: { verb: string; data: Record<string, unknown> }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push({ verb: o.verb as string, data: o.data as Record<string, unknown> });
      for (const [k, child] of Object.entries(o)) if (k !== 'refresh' && k !== 'fallback') walk(child);
    }
  };
  walk(card.body);
  return out;
}

/** Contoso's user files a claim through the card it gets by typing `claim`; what the answer card reads. */
async function fileAsContoso(account: string): Promise<string> {
  const form = await h.say(USERS.contoso, 'claim');
  const submit = buttons(form).find((b) => b.verb === TEAMS_IDS.submits[FORMS.claim]);
  if (!submit) throw new Error(`no submit button on ${readCard(form)}`);
  return readCard(await h.click(USERS.contoso, submit.verb, { ...submit.data, ...claimInputs(account) }));
}

describe('a partner tenant’s user, its organisation flagged', () => {
  it('reads in the claim’s reply why it waits and until when the flag holds, and sees the flag in roe mine', async () => {
    // Three of Contoso's claims count as violations (lost in rulings): the flag is set as the consequences set it.
    for (const a of ['soylent', 'initech', 'muller']) await fileAsContoso(a);
    const { store } = h.rt;
    const mine = store.claims.forClaimant('contoso').slice(-3);
    store.transaction(() => {
      for (const c of mine) store.claims.update(c.id, { violation: true, status: 'rejected' });
      reviewPartner(h.rt.ctx, 'contoso', h.rt.clock.now());
    });
    expect(store.partners.flaggedAt('contoso')).not.toBeNull();
    const said = await fileAsContoso('acme-analytics');
    expect(said).toContain("needs an arbitrator's approval. It is awaiting approval by Pat Okafor");
    expect(said).not.toContain('approval: The partner');
    expect(said).toContain('Why: Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(said).toMatch(/The flag lifts by itself on \w+ \d+, 2027, unless more violations follow\. This claim still waits for its approval once the flag lifts\./);
    const listed = readCard(await h.say(USERS.contoso, 'roe mine'));
    expect(listed).toContain('Your organisation is flagged for repeated violations');
    expect(listed).toMatch(/The flag lifts by itself on \w+ \d+, 2027/);
  });
});

describe('the arbitrator of a claim a flagged partner files in Teams', () => {
  it('reads on the case card why it waits: each violation and whom it was lost to, and when the flag lifts; the partner’s own case card names nobody who won', async () => {
    const { rt } = h;
    const meta = { origin: consoleOrigin, requestKey: null };
    const values = (account: string, stage: string) => ({ ...claimInputs(account), stage });
    // Three of Contoso's claims filed against Northwind's protection and lost in Pat's rulings: the flag is set as the consequences set it.
    for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'proposal'), meta);
    rt.clock.advance(3_600_000);
    for (const a of ['soylent', 'initech', 'muller']) {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a, 'qualified'), meta);
      const d = rt.store.disputes.all().at(-1)!;
      approve(rt.deps, as.person(rt, d.arbitrator), d.id);
    }
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    await fileAsContoso('acme-analytics');
    const d = rt.store.disputes.all().at(-1)!;
    // Pat opens the case from Teams, as from the queue.
    const card = await h.say(USERS.pat, `roe case ${d.id}`);
    const read = readCard(card);
    expect(read).toContain('Contoso Consulting is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(read).toMatch(/Soylent Corp \(Services\), lost to Northwind Partners/);
    expect(read).toMatch(/Müller Logistik AG \(Services\), lost to Northwind Partners/);
    expect(read).toMatch(/The flag lifts by itself on \w+ \d+, 2027, unless more violations follow\. This claim still waits for its approval once the flag lifts\./);
    expect(checkTeamsCard(card)).toEqual([]);
    const own = readCard(await h.say(USERS.contoso, `roe case ${d.id}`));
    expect(own).toContain(`case #${d.id}`);
    expect(own).not.toContain('Northwind');
    expect(own).not.toContain('lost to');
  });
});

describe('a flagged partner’s claim joining another party’s case already open, in Teams', () => {
  it('the case card names the partner as flagged, the claim that joined while it was, whom its violations were lost to and when the flag lifts; the other party reads nothing of it', async () => {
    const { rt } = h;
    const meta = { origin: consoleOrigin, requestKey: null };
    const values = (account: string, stage: string) => ({ ...claimInputs(account), stage });
    for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'proposal'), meta);
    rt.clock.advance(3_600_000);
    for (const a of ['soylent', 'initech', 'muller']) {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a, 'qualified'), meta);
      const d = rt.store.disputes.all().at(-1)!;
      approve(rt.deps, as.person(rt, d.arbitrator), d.id);
    }
    expect(rt.store.partners.flaggedAt('contoso')).not.toBeNull();
    // Fabrikam's claim over Northwind's on Acme Analytics is with the arbitrator; Contoso's claim, filed from Teams, joins it.
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('acme-analytics', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('acme-analytics', 'qualified'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.parties).toEqual(['fabrikam', 'northwind']);
    await fileAsContoso('acme-analytics');
    const claim = rt.store.claims.forClaimant('contoso').at(-1)!;
    expect(rt.store.disputes.get(d.id)!.joinedFlagged).toEqual([claim.id]);
    const card = await h.say(USERS.pat, `roe case ${d.id}`);
    const read = readCard(card);
    expect(read).toContain(`Claim #${claim.id} joined this case while its partner was flagged. Contoso Consulting is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.`);
    expect(read).toMatch(/Soylent Corp \(Services\), lost to Northwind Partners/);
    expect(read).toMatch(/The flag lifts by itself on \w+ \d+, 2027, unless more violations follow\. This case still goes to its ruling once the flag lifts\./);
    expect(checkTeamsCard(card)).toEqual([]);
    const own = readCard(await h.say(USERS.contoso, `roe case ${d.id}`));
    expect(own).not.toMatch(/lost to|Northwind/);
  });
});
