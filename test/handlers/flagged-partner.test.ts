import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { home, roe } from '../../handlers/roe.js';
import * as rule from '../../handlers/rule.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import { closePartner } from '../../src/core/claims/close-partner.js';
import { scheduleUnreachable } from '../../src/core/sla/sla.service.js';
import { consoleOrigin, ledgerKinds } from '../support/cases.js';
import * as slack from '../../handlers/platforms/slack/render.js';
import * as teams from '../../handlers/platforms/teams/render.js';
import { checkSlackMessage, checkTeamsCard } from '../support/limits.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { verifyChain } from '../../src/core/ledger/chain.js';
import { importCsv } from '../../src/core/import/import.service.js';

/** Every text element of a rendered Slack message or Teams card, with its type (plain_text, mrkdwn, TextBlock). */
const texts = (rendered: unknown): { type: string; text: string }[] => {
  const out: { type: string; text: string }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (typeof o.text === 'string' && typeof o.type === 'string') out.push({ type: o.type, text: o.text });
      Object.values(o).forEach(walk);
    }
  };
  walk(rendered);
  return out;
};
/** Each line a person reads in a reply (text blocks and list items), in order. */
const lines = (r: Reply): string[] => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'list' ? [b.title ?? '', ...b.items.map((i) => i.text)] : b.type === 'quote' ? [`${b.label}: ${b.text}`] : []));
const read = (r: Reply) => lines(r).join('\n');
const values = (account: string, product = 'Services', stage = 'qualified') => ({ account, route: 'resell', product, opportunity: 'Deal', stage, amount: '', evidence: '' });
const meta = { origin: consoleOrigin, requestKey: null };

let rt: TestRuntime;
let violations: number[];
/**
 * Contoso is flagged as the policy does it: three of its claims, each filed against Northwind's
 * protection, are lost in an arbitrator's ruling (3 within 180 days flag a partner).
 */
beforeEach(() => {
  rt = testRuntime({ at: '2026-12-01T15:00:00Z' });
  for (const a of ['soylent', 'initech', 'muller']) submitClaim(rt.deps, as.partner(rt, 'northwind'), values(a, 'Services', 'proposal'), meta);
  rt.clock.advance(3_600_000);
  violations = [];
  for (const a of ['soylent', 'initech', 'muller']) {
    const filed = submitClaim(rt.deps, as.partner(rt, 'contoso'), values(a), meta);
    expect(filed.summary).toMatch(/is pending/);
    violations.push(rt.store.claims.forClaimant('contoso').at(-1)!.id);
    const d = rt.store.disputes.all().at(-1)!;
    rule.approve(rt.deps, as.person(rt, d.arbitrator), d.id);
  }
  expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged']);
});
afterEach(() => rt.close());

describe('a flagged partner is told of its flag', () => {
  it('the claim reply says plainly why the claim waits: the flag, the violations it counts (its own claims), and the day it lifts', () => {
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const claim = rt.store.claims.all().at(-1)!;
    const d = rt.store.disputes.all().at(-1)!;
    const said = lines(r);
    expect(said[0]).toMatch(new RegExp(`^Claim #${claim.id} on .+ collides with no other claim, but needs an arbitrator's approval\\. It is awaiting approval by Pat Okafor in case #${d.id}, due [^;]+; you will be told the ruling\\.$`));
    expect(read(r)).not.toMatch(/approval: The partner/);
    expect(said).toContain('Why: Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(said).toContain(
      `The flag counts these 3 violations within the last 180 days, each a claim filed against another party’s protection and lost in an arbitrator’s ruling: #${violations[0]} Soylent Corp (Services), #${violations[1]} Initech LLC (Services), #${violations[2]} Müller Logistik AG (Services).`,
    );
    expect(said).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow. This claim still waits for its approval once the flag lifts.');
    // Its own claims only: nothing of the party that won them.
    expect(read(r)).not.toContain('Northwind');
  });

  it('a claim that also overlaps another party’s goes to the arbitrator: the reply says the flag too, and that the flag lifting does not take it back', () => {
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const said = lines(r);
    expect(said[0]).toMatch(/overlaps another claim\. Dispute #\d+ is with the arbitrator; you will be told the ruling\.$/);
    expect(said).toContain('Why: Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(said).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow. This claim still goes to the arbitrator once the flag lifts.');
    expect(read(r)).not.toContain('Northwind');
    // The overlap is why it waits: the ruling against it there is not said as a reason of its own.
    expect(said.filter((l) => l.startsWith('Why:'))).toHaveLength(1);
  });

  it('one of the company’s people filing for the partner reads the flag under the partner’s name', () => {
    const r = submitClaim(rt.deps, as.person(rt, 'sam'), { ...values('acme-analytics'), claimant: 'contoso' }, meta);
    expect(lines(r)).toContain('Why: Contoso Consulting is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
  });

  it('/roe mine shows the partner its flag and when it lifts; an unflagged partner reads no such line', () => {
    const mine = read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'));
    expect(mine).toContain('Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(mine).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow. A claim filed while it holds still waits for its approval once it lifts.');
    expect(mine).not.toContain('Northwind');
    expect(read(roe(rt.deps, as.partner(rt, 'northwind'), 'mine'))).not.toMatch(/flag/i);
    // App Home shows what /roe mine shows.
    expect(read(home(rt.deps, as.partner(rt, 'contoso')))).toContain('Your organisation is flagged for repeated violations');
  });

  it('/roe stats shows the partner what its flag does and when it lifts, and nothing of another partner', () => {
    const stats = read(roe(rt.deps, as.partner(rt, 'contoso'), 'stats'));
    expect(stats).toContain('Your organisation is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(stats).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow.');
    expect(stats).not.toContain('Northwind');
    expect(read(roe(rt.deps, as.partner(rt, 'northwind'), 'stats'))).not.toContain('is flagged');
  });
});

describe('a claim filed while flagged, after the flag lifts', () => {
  it('its case says the flag has since lifted, to the arbitrator and to the partner, while the claim still waits for approval', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    // While the flag holds, the case says nothing of its lifting.
    expect(read(rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)))).not.toContain('has since lifted');
    rt.clock.set('2027-05-30T16:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    const card = read(rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)));
    expect(card).toContain('Reason: Filed while the partner was flagged for repeated violations: a flagged partner’s claims need an arbitrator’s approval.');
    expect(card).toContain('The partner’s flag has since lifted: the claim filed while it held still waits for approval; its new claims no longer do.');
    const own = read(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`));
    expect(own).toContain('Your organisation’s flag has since lifted: the claim filed while it held still waits for approval; your new claims no longer do.');
    // And /roe mine no longer speaks of a flag.
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'))).not.toContain('is flagged');
  });

  it('the arbitrator’s Slack case card already posted is redrawn when the flag lifts: it no longer says the partner is flagged', () => {
    // Filed the morning the flag lifts (in the afternoon), so that the case is still Pat's then.
    rt.clock.set('2027-05-30T10:00:00Z');
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    // Pat's approval card in their Slack DM, as the outbox worker records it once delivered.
    rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1700000000.000100', user: 'U0PAT', person: 'pat' });
    expect(read(rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)))).toContain('Contoso Consulting is flagged for repeated violations');
    const before = (rt.db.sqlite.prepare('select max(id) from outbox').pluck().get() as number | null) ?? 0;
    rt.clock.set('2027-05-30T16:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    const updates = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(before) as { target: string; body: string }[]).filter((m) => m.target.includes('"kind":"message"'));
    expect(updates).toHaveLength(1);
    expect(JSON.parse(updates[0]!.target)).toMatchObject({ kind: 'message', channel: 'D0PAT', ts: '1700000000.000100' });
    const card = JSON.parse(updates[0]!.body) as Reply;
    expect(read(card)).toContain('The partner’s flag has since lifted: the claim filed while it held still waits for approval; its new claims no longer do.');
    expect(read(card)).not.toMatch(/is flagged for repeated violations, so|Violations the flag counts/);
    // Still Pat's to rule: the buttons stay.
    expect(card.blocks.some((b) => b.type === 'actions')).toBe(true);
  });

  it('a case over another party’s claim says the partner’s own flag lifted, whatever another party’s flag in it', () => {
    // Contoso files over Northwind's protected claim on Soylent: the case is Contoso's and Northwind's.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.parties).toEqual(['contoso', 'northwind']);
    rt.clock.set('2027-05-30T16:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // Northwind flagged meanwhile: nothing of Contoso's case, whose flag has lifted all the same.
    rt.store.partners.setFlagged('northwind', rt.clock.now());
    expect(read(rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)))).toContain('The partner’s flag has since lifted: the claim filed while it held still waits for the arbitrator; its new claims no longer do.');
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`))).toContain('Your organisation’s flag has since lifted');
  });
});

describe('a case is known as filed while flagged by what happened, not by its words', () => {
  it('a dispute raised by hand whose reason quotes the flag sentence says nothing of a flag, to the arbitrator or the raiser', () => {
    const quoted = 'Filed while the partner was flagged for repeated violations: a flagged partner’s claims need an arbitrator’s approval.';
    submitDispute(rt.deps, as.partner(rt, 'fabrikam'), { account: 'soylent', product: 'Services', reason: `Contoso told our rep: "${quoted}"` }, meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.parties[0]).toBe('fabrikam');
    expect(d.filedFlagged).toBe(false);
    const card = read(rule.caseCard(rt.deps, as.person(rt, d.arbitrator), String(d.id)));
    expect(card).toContain(quoted);
    expect(card).not.toMatch(/flag has since lifted|is flagged for repeated violations, so/);
    expect(read(roe(rt.deps, as.partner(rt, 'fabrikam'), `case ${d.id}`))).not.toMatch(/flag has since lifted/);
  });

  it('a claim filed while flagged is kept as such: the case says so, and says the flag lifted once it has', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    expect(rt.store.disputes.all().at(-1)!.filedFlagged).toBe(true);
    // A claim of a partner not flagged is not.
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('acme-analytics', 'Analytics'), meta);
    expect(rt.store.disputes.all().filter((x) => x.parties[0] === 'northwind').every((x) => !x.filedFlagged)).toBe(true);
  });
});

describe('the arbitrator of a claim filed while its partner is flagged', () => {
  it('reads on the case card why it waits: the partner’s violations, each with the party that won it, and when the flag lifts; the partner reads none of who won', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const won = (id: number) => rt.store.disputes.all().find((x) => x.claimIds.includes(id))!;
    const card = read(rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)));
    expect(card).toContain('Contoso Consulting is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.');
    expect(card).toContain('Violations the flag counts (claims lost in a ruling within the last 180 days)');
    expect(card).toContain(`#${violations[0]} Soylent Corp (Services), lost to Northwind Partners`);
    expect(card).toContain(`#${violations[1]} Initech LLC (Services), lost to Northwind Partners`);
    expect(card).toContain(`#${violations[2]} Müller Logistik AG (Services), lost to Northwind Partners`);
    const details = rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)).blocks.flatMap((b) => (b.type === 'list' ? b.items.map((i) => i.detail ?? '') : []));
    expect(details).toContain(`Dispute #${won(violations[0]!).id}, ruled Dec 1, 2026; registered Dec 1, 2026`);
    expect(card).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow. This claim still waits for its approval once the flag lifts.');
    // The partner's own view of its case: nothing of who won its lost claims, nor the list.
    const own = read(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`));
    expect(own).toContain('Reason: Filed while the partner was flagged');
    expect(own).not.toContain('Northwind');
    expect(own).not.toMatch(/lost to|Violations the flag counts/);
  });

  it('a partner with many violations: the card lists the newest ten and says how many more the flag counts', () => {
    // Nine more of Contoso's claims lost as violations, twelve in all (copies of its first, as an import would keep them).
    const first = rt.store.claims.get(violations[0]!)!;
    for (let i = 0; i < 9; i++) {
      rt.clock.advance(60_000);
      violations.push(rt.store.claims.insert({ ...first, registeredAt: rt.clock.now(), lastActivityAt: rt.clock.now(), requestKey: null }).id);
    }
    expect(violations).toHaveLength(12);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('wayne', 'Services'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const card = rule.caseCard(rt.deps, as.person(rt, 'pat'), String(d.id));
    const list = card.blocks.find((b) => b.type === 'list' && b.title?.startsWith('Violations the flag counts'));
    expect(list?.type === 'list' && list.items.map((i) => i.text)).toEqual([
      '2 earlier violations, not listed here',
      ...violations.slice(2).map((id) => expect.stringMatching(new RegExp(`^#${id} `))),
    ]);
    // Within what Slack and Teams take in a message.
    expect(checkSlackMessage(slack.renderReply(card))).toEqual([]);
    expect(checkTeamsCard(teams.renderReply(card))).toEqual([]);
    // The partner's own /roe mine names the newest ten of its claims too, and counts the rest.
    const mine = read(roe(rt.deps, as.partner(rt, 'contoso'), 'mine'));
    const line = mine.split('\n').find((l) => l.includes('The flag counts these 12 violations'))!;
    for (const id of violations.slice(2)) expect(line).toMatch(new RegExp(`#${id} `));
    for (const id of violations.slice(0, 2)) expect(line).not.toMatch(new RegExp(`#${id} `));
    expect(line).toMatch(/, and 2 earlier ones\.$/);
  });
});

describe('a claim approved while its partner is flagged, then a dispute over the account', () => {
  it('the approval weighed no other party: once the CRM names an incumbent, the partner may raise a dispute against it at once, not told a ruling "stands"', () => {
    // Nobody else claims Acme Analytics, and the CRM names no owner: Contoso's claim there waits for approval alone.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const approval = rt.store.disputes.all().at(-1)!;
    expect(approval.parties).toEqual(['contoso']);
    rule.approve(rt.deps, as.person(rt, approval.arbitrator), approval.id);
    expect(rt.store.disputes.get(approval.id)).toMatchObject({ status: 'ruled', winner: 'contoso' });
    // An hour later the CRM has it a customer, with Fabrikam its incumbent partner.
    rt.clock.advance(3_600_000);
    rt.store.accounts.upsert({ ...rt.store.accounts.get('acme-analytics')!, isCustomer: true, incumbentPartnerId: 'fabrikam' });
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'acme-analytics', product: 'Services', reason: 'We registered it; Fabrikam has not worked it in years' }, meta);
    const raised = rt.store.disputes.all().at(-1)!;
    expect(raised.id).not.toBe(approval.id);
    expect([...raised.parties].sort()).toEqual(['contoso', 'fabrikam']);
  });
});

describe('a case filed while flagged, once its partner left the programme', () => {
  it('the card says nothing of a flag that will never lift: the partner’s claim is closed and its flag frozen', () => {
    // Contoso files over Northwind's protected claim on Soylent while flagged, then leaves the programme.
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.filedFlagged).toBe(true);
    closePartner(rt.ctx, 'contoso');
    const after = rt.store.disputes.get(d.id)!;
    expect(after.status).toBe('open');
    const card = read(rule.caseCard(rt.deps, as.person(rt, after.arbitrator), String(d.id)));
    expect(card).not.toMatch(/flag lifts by itself|once the flag lifts|Violations the flag counts|flag has since lifted/);
  });
});

describe('a claim filed while flagged, whose arbitrators cannot be reached', () => {
  it('the thread and the raiser are told the case stays with the last of its chain under the title they know it by', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.parties).toEqual(['contoso']);
    // Each of its chain bounces in turn (their Slack user deactivated, and Teams refusing them): the case ends with the last of it.
    for (let i = 0; i < 3; i++) {
      const now = rt.store.disputes.get(d.id)!;
      const before = (rt.db.sqlite.prepare('select max(id) from outbox').pluck().get() as number | null) ?? 0;
      for (const platform of ['slack', 'teams'] as const) {
        scheduleUnreachable(rt.store, { disputeId: d.id, person: now.arbitrator, platform }, rt.clock.now());
        rt.clock.advance(1_000);
        tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      }
      if (i < 2) continue;
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', status: 'open' });
      const thread = (rt.db.sqlite.prepare("select body from outbox where id > ? and target like '%dispute-thread%'").pluck().all(before) as string[]).map((b) => JSON.parse(b) as Reply & { raiserCopy?: Reply });
      expect(thread).toHaveLength(1);
      const raiserCopy = thread[0]!.raiserCopy!;
      // As the rest of its messages name it: the approval of their claim, not a dispute.
      expect(raiserCopy.summary).toBe(`Approval of claim #${d.claimIds[0]} (case #${d.id}) stays with Morgan Lee`);
    }
  });
});

describe('a claim filed while flagged, past its whole escalation chain', () => {
  it('the thread tells the raiser it is past its chain under the title they know it by', () => {
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const before = (rt.db.sqlite.prepare('select max(id) from outbox').pluck().get() as number | null) ?? 0;
    // Nobody of its chain rules: each SLA runs out in turn, the last leaving it with the last of the chain.
    for (let i = 0; i < 60 && [...rt.store.ledger.about([`dispute:${d.id}`], ['dispute.escalated_to_channel'])].length === 0; i++) {
      rt.clock.advance(6 * 3_600_000);
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    }
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', status: 'open' });
    const thread = (rt.db.sqlite.prepare("select body from outbox where id > ? and target like '%dispute-thread%'").pluck().all(before) as string[]).map((b) => JSON.parse(b) as Reply & { raiserCopy?: Reply });
    const past = thread.filter((r) => / past its escalation chain$/.test(r.raiserCopy?.summary ?? r.summary));
    expect(past).toHaveLength(1);
    // As the rest of its messages name it to the partner that filed it: the approval of their claim, not a dispute.
    expect(past[0]!.raiserCopy?.summary).toBe(`Approval of claim #${d.claimIds[0]} (case #${d.id}) is past its escalation chain`);
  });
});

describe('the ledger records whether a case was opened for a claim filed while its partner was flagged', () => {
  it('dispute.opened says filedFlagged: true for a flagged partner’s claim (waiting for approval, or over another party’s), false otherwise; the chain holds', () => {
    const opened = (id: number) => [...rt.store.ledger.about([`dispute:${id}`], ['dispute.opened'])][0]?.payload as Record<string, unknown>;
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const approval = rt.store.disputes.all().at(-1)!;
    expect(approval.filedFlagged).toBe(true);
    expect(opened(approval.id)).toMatchObject({ approval: true, filedFlagged: true });
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const overlap = rt.store.disputes.all().at(-1)!;
    expect(overlap.parties).toEqual(['contoso', 'northwind']);
    expect(opened(overlap.id)).toMatchObject({ approval: false, filedFlagged: true });
    // Northwind is not flagged; nor is a dispute raised by hand.
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('initech'), meta);
    const theirs = rt.store.disputes.all().at(-1)!;
    expect(theirs.parties[0]).toBe('fabrikam');
    expect(opened(theirs.id)).toMatchObject({ filedFlagged: false });
    // Every case's first entry, the cases from the setup too, says it: an auditor reads it from `roe ledger export`.
    const entries = [...rt.store.ledger.entries()];
    for (const e of entries.filter((x) => x.kind === 'dispute.opened')) {
      expect((e.payload as { filedFlagged?: unknown }).filedFlagged).toBe(rt.store.disputes.get(Number(e.subject.slice('dispute:'.length)))!.filedFlagged);
    }
    expect(verifyChain(entries).ok).toBe(true);
  });
});

describe('a flagged partner’s claim joining another party’s case already open', () => {
  /** Fabrikam's claim over Northwind's protected one on Acme Analytics is with the arbitrator; flagged Contoso's claim joins it. */
  function joined() {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('acme-analytics', 'Services', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('acme-analytics'), meta);
    const open = rt.store.disputes.all().at(-1)!;
    expect(open).toMatchObject({ status: 'open', parties: ['fabrikam', 'northwind'], filedFlagged: false });
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), values('acme-analytics'), meta);
    const claim = rt.store.claims.forClaimant('contoso').at(-1)!;
    const d = rt.store.disputes.get(open.id)!;
    expect(d.claimIds).toContain(claim.id);
    expect(d.parties).toContain('contoso');
    return { d, claim, r };
  }

  it('the arbitrator’s card names the partner as flagged, the claim that joined while it was, its violations and when it lifts; the joined entry records it', () => {
    const { d, claim } = joined();
    expect(d.joinedFlagged).toEqual([claim.id]);
    const entry = [...rt.store.ledger.about([`dispute:${d.id}`])].find((e) => e.kind === 'dispute.joined');
    expect(entry?.payload).toMatchObject({ claim: claim.id, filedFlagged: true });
    const card = rule.caseCard(rt.deps, as.person(rt, d.arbitrator), String(d.id));
    const said = lines(card);
    expect(said).toContain(`Claim #${claim.id} joined this case while its partner was flagged. Contoso Consulting is flagged for repeated violations, so its new claims wait for an arbitrator’s approval while the flag holds.`);
    expect(said).toContain('Violations the flag counts (claims lost in a ruling within the last 180 days)');
    expect(said).toContain(`#${violations[0]} Soylent Corp (Services), lost to Northwind Partners`);
    expect(said).toContain('The flag lifts by itself on May 30, 2027, unless more violations follow. This case still goes to its ruling once the flag lifts.');
    // Its ruling buttons as ever.
    expect(card.blocks.some((b) => b.type === 'actions')).toBe(true);
    expect(checkSlackMessage(slack.renderReply(card))).toEqual([]);
    expect(checkTeamsCard(teams.renderReply(card))).toEqual([]);
  });

  it('a claim of the partner the CRM’s import brings in pending, joining the case while the partner is flagged, is kept so too', () => {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('acme-analytics', 'Services', 'proposal'), meta);
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), values('acme-analytics'), meta);
    const open = rt.store.disputes.all().at(-1)!;
    const header = 'id,account_id,claimant,route,product_line,opportunity,stage,amount,evidence,status,registered_at,last_activity_at';
    importCsv(rt.ctx, 'claims', 'c.csv', `${header}\nC9,acme-analytics,contoso,resell,Services,Deal,qualified,,,pending,2026-12-01,2026-12-01\n`);
    const claim = rt.store.claims.forClaimant('contoso').at(-1)!;
    const d = rt.store.disputes.get(open.id)!;
    expect(d.claimIds).toContain(claim.id);
    expect(d.joinedFlagged).toEqual([claim.id]);
    expect(read(rule.caseCard(rt.deps, as.person(rt, d.arbitrator), String(d.id)))).toContain(`Claim #${claim.id} joined this case while its partner was flagged. Contoso Consulting is flagged for repeated violations`);
  });

  it('the other partners of the case read nothing of Contoso’s flag; Contoso’s own users read none of who won its lost claims', () => {
    const { d } = joined();
    for (const other of ['fabrikam', 'northwind']) expect(read(roe(rt.deps, as.partner(rt, other), `case ${d.id}`))).not.toMatch(/flag|violation/i);
    const own = read(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`));
    expect(own).not.toMatch(/lost to|Violations the flag counts|Northwind/);
  });

  it('a partner’s name is text on the card, in Slack and Teams alike', () => {
    const { d } = joined();
    rt.store.partners.upsert({ ...rt.store.partners.get('contoso')!, name: 'Contoso <!channel> *Ltd*' });
    const card = rule.caseCard(rt.deps, as.person(rt, d.arbitrator), String(d.id));
    expect(read(card)).toContain('Contoso <!channel> *Ltd* is flagged for repeated violations');
    // Slack: the line as plain text, or mrkdwn with the name escaped; never a broadcast or bold.
    const slackLine = texts(slack.renderReply(card)).find((x) => x.text.includes('is flagged for repeated violations'))!;
    expect(slackLine.type === 'plain_text' ? slackLine.text : '').toContain('Contoso <!channel> *Ltd* is flagged');
    for (const x of texts(slack.renderReply(card))) if (x.type === 'mrkdwn') expect(x.text).not.toMatch(/<!channel>|\*Ltd\*/);
    // Teams reads a TextBlock as markdown: the name's marks escaped, its tag broken.
    const teamsLine = texts(teams.renderReply(card)).find((x) => x.text.includes('is flagged for repeated violations'))!;
    expect(teamsLine.text).toContain('Contoso <\u200B!channel> \\*Ltd\\* is flagged');
  });

  it('once the flag lifts: the card says so, to the arbitrator and to Contoso’s users, and the Slack card already posted is redrawn', () => {
    rt.clock.set('2027-05-30T10:00:00Z');
    const { d, claim } = joined();
    rt.store.caseCards.remember({ disputeId: d.id, channel: 'D0PAT', ts: '1700000000.000200', user: 'U0PAT', person: d.arbitrator });
    const before = (rt.db.sqlite.prepare('select max(id) from outbox').pluck().get() as number | null) ?? 0;
    rt.clock.set('2027-05-30T16:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(ledgerKinds(rt, 'partner:contoso')).toEqual(['partner.flagged', 'partner.unflagged']);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    const lifted = `Contoso Consulting’s flag has since lifted: its claim #${claim.id}, which joined this case while the flag held, still goes to the ruling; its new claims no longer do.`;
    const card = read(rule.caseCard(rt.deps, as.person(rt, rt.store.disputes.get(d.id)!.arbitrator), String(d.id)));
    expect(card).toContain(lifted);
    expect(card).not.toMatch(/is flagged for repeated violations, so|Violations the flag counts/);
    expect(read(roe(rt.deps, as.partner(rt, 'contoso'), `case ${d.id}`))).toContain(`Your organisation’s flag has since lifted: your claim #${claim.id}, which joined this case while the flag held, still goes to the ruling; your new claims no longer do.`);
    expect(read(roe(rt.deps, as.partner(rt, 'fabrikam'), `case ${d.id}`))).not.toMatch(/flag/i);
    const updates = (rt.db.sqlite.prepare('select target, body from outbox where id > ? order by id').all(before) as { target: string; body: string }[]).filter((m) => m.target.includes('"kind":"message"') && m.target.includes('1700000000.000200'));
    expect(updates).toHaveLength(1);
    expect(read(JSON.parse(updates[0]!.body) as Reply)).toContain(lifted);
  });
});
