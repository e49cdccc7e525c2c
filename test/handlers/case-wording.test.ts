import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { disputeCard } from '../../handlers/dispute-card.js';
import { help, mine, queue } from '../../handlers/roe.js';
import { approve, askedWords, askForm, awardForm, caseCard, NOBODY, submitAsk, submitAward } from '../../handlers/rule.js';
import { answerForm, submitAnswer } from '../../handlers/answer.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { showAccount } from '../../handlers/who-owns.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import type { Principal } from '../../src/core/authz.js';
import type { Dispute } from '../../src/core/types.js';
import { rule, type RulingInput } from '../../src/core/disputes/disputes.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { facts, runtimesClosedAfterEach } from '../support/replies.js';
import { as, type TestRuntime } from '../support/runtime.js';
import { renderForm } from '../../handlers/platforms/slack/render.js';

const dir = mkdtempSync(join(tmpdir(), 'roe-case-wording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = { origin: consoleOrigin, requestKey: null };
const values = (account: string, over: Record<string, string> = {}) => ({ account, route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '', ...over });
const read = (r: Reply) => JSON.stringify(r);
/** The items of a reply's list, as "text | detail" where there is a detail; `title` picks the list. */
const items = (r: Reply, title?: string) => r.blocks.flatMap((b) => (b.type === 'list' && (title === undefined || b.title === title) ? b.items.map((i) => (i.detail ? `${i.text} | ${i.detail}` : i.text)) : []));
const listTitles = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'list' ? [b.title] : []));

const runtime = runtimesClosedAfterEach();

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
    expect(read(other)).not.toMatch(new RegExp(`approval|Contoso|#${c.id}\\b`));
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

/** The outbox so far: each message's target and reply (summary, title, blocks). */
const outbox = (rt: TestRuntime) => (rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[]).map((m) => ({ target: m.target, body: JSON.parse(m.body) as Reply }));
/** Runs the timers due by `iso`, as the scheduler does. */
const runUntil = (rt: TestRuntime, iso: string) => {
  rt.clock.set(iso);
  for (let i = 0; i < 5 && tick(rt.db, rt.deps, rt.clock.now(), rt.logger).fired.length > 0; i++);
};

describe('a claim waiting for approval reads as one wherever its arbitrator and its party read it', () => {
  it("its case card is titled as the approval of its claim, names its party and no recommendation, and keeps Approve and Reject; another partner's view of it is any case's", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const card = caseCard(rt.deps, as.person(rt, 'pat'), d.id);
    expect(card.summary).toBe(`Approval of claim #${c.id} (case #${d.id}) on Soylent Corp (Analytics)`);
    expect(card.title).toBe(`Approval of claim #${c.id} (case #${d.id}): Soylent Corp`);
    expect(facts(card)).toMatchObject({ Party: 'Contoso Consulting', 'Waiting for': `approval of claim #${c.id}`, Arbitrator: 'Pat Okafor' });
    expect(Object.keys(facts(card))).not.toContain('Recommendation');
    expect(Object.keys(facts(card))).not.toContain('Parties');
    const buttons = card.blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => a.label) : []));
    expect(buttons).toEqual(['Approve: Contoso Consulting', 'Reject (with a rationale)', 'Ask for information']);
    // The claim's own party reads it as the approval of its claim too.
    const own = caseCard(rt.deps, as.partner(rt, 'contoso'), d.id);
    expect(own.summary).toBe(`Approval of claim #${c.id} (case #${d.id}) on Soylent Corp (Analytics)`);
    expect(facts(own)['Party']).toBe('Contoso Consulting');
    // Another partner (as a shared channel reads it): any case, naming no party and no approval.
    const other = disputeCard(rt.deps, as.partner(rt, 'northwind'), d, { withActions: false });
    expect(other.summary).toBe(`Dispute #${d.id} on Soylent Corp (Analytics)`);
    expect(read(other)).not.toMatch(/approv|Contoso/i);
  });

  it('its Approve asks first in its own words: the claim approved, no other party or claim to reject', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const card = caseCard(rt.deps, as.person(rt, 'pat'), d.id);
    const approveButton = card.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : [])).find((a) => a.label === 'Approve: Contoso Consulting')!;
    expect(approveButton.confirm).toEqual({
      title: 'Approve Contoso Consulting?',
      text: `Contoso Consulting gets Soylent Corp (Analytics): its claim #${c.id} is approved. Contoso Consulting is told, and a ruling is not undone.`,
      yes: 'Approve',
    });
  });

  it("the arbitrator is sent it, reminded of it and told it moved on as the approval of its claim", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const name = `Approval of claim #${c.id} (case #${d.id})`;
    const to = (who: string) => outbox(rt).filter((m) => m.target.includes(`"user":"${who}"`)).map((m) => m.body);
    expect(to('pat').map((b) => b.summary)).toEqual([expect.stringMatching(new RegExp(`^Approval of claim #${c.id} \\(case #${d.id}\\) on Soylent Corp \\(Analytics\\): yours to approve or reject by `))]);
    expect(read(to('pat')[0]!)).not.toMatch(/Dispute #|Recommendation/);
    // Its Snooze names it so too (an hour from now, before any reminder rings: nothing to snooze).
    expect(read(snoozeReminder(rt.deps, as.person(rt, 'pat'), `${d.id}:1h`))).toMatch(new RegExp(`No reminder for approval of claim #${c.id} \\(case #${d.id}\\) has rung`));
    runUntil(rt, new Date(d.dueAt!.getTime() - 60_000).toISOString());
    const reminder = to('pat').find((b) => b.summary.startsWith('Reminder: '));
    expect(reminder?.summary).toMatch(new RegExp(`^Reminder: approval of claim #${c.id} \\(case #${d.id}\\) is due `));
    runUntil(rt, new Date(d.dueAt!.getTime() + 60_000).toISOString());
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
    expect(to('pat').map((b) => b.summary)).toContain(`${name} on Soylent Corp (Analytics) moved to Dana Reyes`);
    expect(read(to('pat').find((b) => b.summary === `${name} on Soylent Corp (Analytics) moved to Dana Reyes`)!)).toContain(`The SLA on approval of claim #${c.id} (case #${d.id}) over Soylent Corp (Analytics) was breached`);
    expect(to('dana').map((b) => b.summary)).toContainEqual(expect.stringMatching(new RegExp(`^${name.replace(/[()]/g, '\\$&')} on Soylent Corp \\(Analytics\\): escalated to you, yours to approve or reject by `)));
    // The case's thread, which another partner may read, still calls it any case.
    const thread = outbox(rt).filter((m) => m.target.includes('dispute-thread')).map((m) => m.body.summary);
    expect(thread).toContain(`Dispute #${d.id} escalated to Dana Reyes`);
    expect(thread.join('\n')).not.toContain('Approval of');
  });

  it('the claimant is told the claim waits for approval by its arbitrator in its case, due when', () => {
    const rt = approvalRuntime();
    const r = submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const said = r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n');
    expect(said).toMatch(new RegExp(`^Claim #${c.id} on Soylent Corp \\(Analytics\\) collides with no other claim, but needs an arbitrator's approval\\. It is awaiting approval by Pat Okafor in case #${d.id}, due [^;]+; you will be told the ruling\\.\nWhy: Claims under this coverage need approval\\.$`));
    expect(said).not.toContain('Dispute #');
  });
});

describe('help and the queue speak of cases, approvals among them', () => {
  it('help lists the queue and a case as cases, and an empty queue says no case waits', () => {
    const rt = runtime();
    const h = read(help(as.person(rt, 'pat')));
    expect(h).toContain('Cases waiting for your ruling (arbitrators): disputes, and claims waiting for your approval');
    expect(h).toContain('A case (a dispute, or a claim waiting for approval) as it stands');
    expect(h).not.toContain('Disputes waiting for your ruling');
    expect(read(queue(rt.deps, as.person(rt, 'pat')))).toContain('No cases are waiting for your ruling: no disputes, no claims waiting for approval.');
  });

  it("the queue says where its assigned cases were sent: at the console (which cannot tell Slack from Teams) in help's words, in Slack and Teams in their own", () => {
    const rt = runtime();
    openArbitratedCase(rt);
    const note = (viewer: Principal) => queue(rt.deps, viewer).blocks.flatMap((b) => (b.type === 'text' && b.text.startsWith('The cases assigned to you') ? [b.text] : []));
    const atConsole = as.person(rt, 'pat');
    // The console shows them as "DM to <name>": said as direct messages there.
    expect(note(atConsole)).toEqual(['The cases assigned to you were sent to your direct messages, each with its ruling buttons; Open shows a case with its ruling buttons.']);
    expect(read(help(atConsole))).toContain('A case comes to you as a card in your direct messages: Approve the recommendation');
    expect(read(help(atConsole))).not.toContain('chat with me');
    const home = { displayName: 'Pat', orgId: 'T0HOME', home: true };
    expect(note(rt.resolve({ platform: 'teams', userId: '29:pat', ...home }))).toEqual([expect.stringMatching(/^The cases assigned to you were sent to your chat with me, /)]);
    expect(note(rt.resolve({ platform: 'slack', userId: 'U0PAT', ...home }))).toEqual([expect.stringMatching(/^The cases assigned to you were sent to your direct messages with the bot, /)]);
  });
});

describe('a live claim names the open case it is in', () => {
  it('/roe mine: a protected claim in a dispute says which, after its protection', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), meta);
    submitClaim(rt.deps, as.person(rt, 'sam'), values('soylent', { claimant: 'contoso' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const nw = rt.store.claims.get(d.claimIds[0]!)!;
    expect(nw).toMatchObject({ claimant: 'northwind', status: 'protected' });
    const listed = items(mine(rt.deps, as.partner(rt, 'northwind')));
    expect(listed.find((t) => t.startsWith(`#${nw.id} `))).toMatch(new RegExp(`^#${nw.id} Soylent Corp \\(Analytics\\): protected until [^|]+; in dispute #${d.id} \\| Deal, stage proposal$`));
    expect(listed.join('\n')).not.toContain('Contoso');
  });

  it("who-owns' live claims: a pending claim names its case, as an approval to the company and its party, as any case to another partner", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    for (const viewer of [as.person(rt, 'sam'), as.partner(rt, 'contoso')]) {
      expect(items(showAccount(rt.deps, viewer, 'soylent'), 'Live claims')).toEqual([expect.stringMatching(new RegExp(`^#${c.id} Contoso Consulting: Analytics, pending \\(awaiting approval in case #${d.id}\\) \\| `))]);
    }
    const other = showAccount(rt.deps, as.partner(rt, 'northwind'), 'soylent');
    expect(items(other, 'Live claims')).toEqual([`Analytics: another party's claim is pending (dispute #${d.id})`]);
    expect(read(other)).not.toMatch(/approval|Contoso/);
  });

  it("who-owns' live claims: a pending claim in a dispute names it, to a party and to the company", () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), meta);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const ct = rt.store.claims.get(d.claimIds[1]!)!;
    expect(ct).toMatchObject({ claimant: 'contoso', status: 'pending' });
    expect(items(showAccount(rt.deps, as.partner(rt, 'contoso'), 'soylent'), 'Live claims')).toContainEqual(expect.stringMatching(new RegExp(`^#${ct.id} Contoso Consulting: Analytics, pending \\(in dispute #${d.id}\\) \\| `)));
    expect(items(showAccount(rt.deps, as.person(rt, 'sam'), 'soylent'), 'Live claims')).toContainEqual(expect.stringMatching(new RegExp(`^#${ct.id} Contoso Consulting: Analytics, pending \\(in dispute #${d.id}\\) \\| `)));
    // Northwind reads Contoso's claim masked, with the case its open disputes already list.
    const nw = showAccount(rt.deps, as.partner(rt, 'northwind'), 'soylent');
    expect(items(nw, 'Live claims')).toContain(`Analytics: another party's claim is pending (dispute #${d.id})`);
    expect(read(nw)).not.toContain('Contoso');
  });
});

describe('a claim waiting for approval: its thread, its forms and the refusals of a ruling', () => {
  it("the thread is told who rules and by when, as any case's, never that the claim needs approval", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const thread = outbox(rt).filter((m) => m.target.includes('dispute-thread')).map((m) => m.body);
    const assigned = thread.find((b) => b.summary === `Dispute #${d.id} is with Pat Okafor`);
    expect(assigned?.blocks).toEqual([expect.objectContaining({ type: 'text', text: expect.stringMatching(/^Pat Okafor will rule by [^.]+\.$/) })]);
    // What the thread shows (a copy for a raiser reading it in their own DM with the bot is theirs).
    expect(thread.map((b) => JSON.stringify([b.summary, b.title, b.blocks])).join('\n')).not.toMatch(/approv/i);
  });

  it('the award and ask forms name it as an approval, with titles that fit a Slack modal even for case #123456', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const pat = as.person(rt, 'pat');
    const award = awardForm(rt.deps, pat, String(d.id));
    expect(award.title).toBe(`Approval in case #${d.id}`);
    expect(award.intro).toBe(`Approve or reject claim #${c.id} of Contoso Consulting (case #${d.id}) on Soylent Corp (Analytics): award it to Contoso Consulting to approve, or to Nobody to reject. The rationale is shown to Contoso Consulting as written: name no other partner, deal size or evidence in it.`);
    expect(award.fields.find((f) => f.id === 'rationale')).toMatchObject({ hint: 'Contoso Consulting reads it as written.', placeholder: 'Why the claim is approved or rejected' });
    const ask = askForm(rt.deps, pat, String(d.id));
    expect(ask.title).toBe(`Ask on case #${d.id}`);
    expect(ask.intro).toBe(`Ask Contoso Consulting about the approval of claim #${c.id} (case #${d.id}) on Soylent Corp (Analytics). The question goes as written to Contoso Consulting, and to the case's thread, which people of several partners may read as any dispute's: say nothing in it of the approval, and name no other partner, deal size or evidence.`);
    expect(ask.fields.find((f) => f.id === 'question')).toMatchObject({ label: 'Question for the party', hint: "Contoso Consulting and the case's thread read it as written." });
    expect(JSON.stringify([award, ask])).not.toContain('dispute #');
    rt.db.sqlite.prepare('UPDATE disputes SET id = 123456 WHERE id = ?').run(d.id);
    for (const form of [awardForm(rt.deps, pat, '123456'), askForm(rt.deps, pat, '123456')]) {
      expect(form.title).toMatch(/#123456$/);
      expect(form.title.length).toBeLessThanOrEqual(24);
    }
  });

  it("a dispute's forms keep their words", () => {
    const rt = runtime();
    const d = openArbitratedCase(rt);
    const pat = as.person(rt, 'pat');
    expect(awardForm(rt.deps, pat, String(d.id))).toMatchObject({ title: `Rule on dispute #${d.id}`, intro: expect.stringMatching(/^Award the account to a party\. The rationale is shown to every party of the case/) });
    expect(askForm(rt.deps, pat, String(d.id))).toMatchObject({ title: `Ask on dispute #${d.id}`, intro: expect.stringMatching(new RegExp(`^Ask the parties of dispute #${d.id} on Soylent Corp \\(Analytics\\)\\. `)) });
  });

  it('a refused ruling names it as an approval to whoever may rule on it; a dispute stays a dispute', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const name = `approval of claim #${c.id} (case #${d.id})`;
    const [pat, dana] = [as.person(rt, 'pat'), as.person(rt, 'dana')];
    // The forms ask for 10 characters themselves: the ruling refuses fewer from elsewhere too.
    const ruling = (input: RulingInput) => () => rt.store.transaction(() => rule(rt.ctx, pat, d.id, input));
    expect(ruling({ kind: 'reject', rationale: 'Too short' })).toThrow(`Rejecting claim #${c.id} needs a rationale its party can read (at least 10 characters).`);
    expect(ruling({ kind: 'award', party: 'contoso', rationale: 'Too short' })).toThrow(`Approving claim #${c.id} with the form needs a rationale its party can read (at least 10 characters).`);
    expect(() => submitAward(rt.deps, pat, { dispute: String(d.id), party: 'fabrikam', rationale: 'Fabrikam was never part of it.' })).toThrow(`That party is not part of ${name}.`);
    approve(rt.deps, pat, `${d.id}:contoso`);
    expect(() => approve(rt.deps, dana, `${d.id}:contoso`)).toThrow(new RegExp(`^Approval of claim #${c.id} \\(case #${d.id}\\) was already ruled by Pat Okafor on `));
    expect(() => awardForm(rt.deps, dana, String(d.id))).toThrow(new RegExp(`^Approval of claim #${c.id} \\(case #${d.id}\\) was already ruled by Pat Okafor on `));
    // Someone who may not rule on it is told no more than of any case: a partner not among its parties, that it is none of theirs.
    expect(() => approve(rt.deps, as.partner(rt, 'northwind'), `${d.id}:contoso`)).toThrow(`Dispute #${d.id} is not one your organisation is a party to.`);
    expect(() => approve(rt.deps, as.partner(rt, 'contoso'), `${d.id}:contoso`)).toThrow(`can rule on dispute #${d.id}.`);
    // A dispute's refusals are worded as before.
    const other = runtime();
    const overlap = openArbitratedCase(other);
    expect(() => other.store.transaction(() => rule(other.ctx, as.person(other, 'pat'), overlap.id, { kind: 'reject', rationale: 'Too short' }))).toThrow('Rejecting every claim needs a rationale the parties can read (at least 10 characters).');
    expect(() => submitAward(other.deps, as.person(other, 'pat'), { dispute: String(overlap.id), party: 'fabrikam', rationale: 'Fabrikam was never part of it.' })).toThrow(`That party is not part of dispute #${overlap.id}.`);
    approve(other.deps, as.person(other, 'pat'), `${overlap.id}:${overlap.recommendation}`);
    expect(() => approve(other.deps, as.person(other, 'dana'), `${overlap.id}:${overlap.recommendation}`)).toThrow(new RegExp(`^Dispute #${overlap.id} was already ruled by Pat Okafor on `));
  });
});

describe('a claim waiting for approval: a question on it and the refusals that name it', () => {
  it("its party answers with the DM's button, to the arbitrator alone, the case named as its party knows it; the thread names it as any dispute", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who is your contact there?' });
    const asked = outbox(rt).filter((m) => m.target.includes('"user":"contoso-user"')).map((m) => m.body).at(-1)!;
    expect(asked.summary).toBe(`Question on approval of claim #${c.id} (case #${d.id}): Soylent Corp (Analytics)`);
    const said = asked.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(said).toContain('Answer with the button below: your answer goes only to Pat Okafor, who decides on it.');
    expect(read(asked)).not.toMatch(/The dispute|the dispute's|other part/);
    expect(answerForm(rt.deps, as.partner(rt, 'contoso'), String(d.id)).title).toBe(`Answer on case #${d.id}`);
    expect(submitAnswer(rt.deps, as.partner(rt, 'contoso'), { dispute: String(d.id), answer: 'Dana Wu, their CIO.' }).summary).toBe(`Your answer on approval of claim #${c.id} (case #${d.id}) went to Pat Okafor.`);
    const toPat = outbox(rt).filter((m) => m.target.includes('"user":"pat"')).map((m) => m.body).at(-1)!;
    expect(toPat.summary).toBe(`Answer from Contoso Consulting on approval of claim #${c.id} (case #${d.id}): Soylent Corp (Analytics)`);
    // One party: no other to keep it from.
    expect(toPat.blocks[0]).toEqual({ type: 'text', text: `Contoso Consulting answered on approval of claim #${c.id} (case #${d.id}) over Soylent Corp (Analytics), yours to approve or reject.` });
    // The thread still reads it as any case.
    const thread = outbox(rt).filter((m) => m.target.includes('dispute-thread')).map((m) => m.body);
    expect(thread.at(-1)!.summary).toBe('Pat Okafor asks for more information');
    expect(JSON.stringify([thread.at(-1)!.summary, thread.at(-1)!.blocks])).not.toMatch(/approv|case's/i);
    // With no thread (as a case an import opened), the button answers all the same.
    rt.db.sqlite.prepare('UPDATE disputes SET origin = NULL WHERE id = ?').run(d.id);
    rt.clock.set('2026-12-07T15:00:00Z');
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'And the stage of the deal?' });
    const again = outbox(rt).filter((m) => m.target.includes('"user":"contoso-user"')).map((m) => m.body).at(-1)!;
    expect(again.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toContain('Answer with the button below: your answer goes only to Pat Okafor, who decides on it.');
  });

  it('raised in a private chat (a Slack DM), its one party answers with the button, not told of "the parties"', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), { origin: { platform: 'slack', channel: 'D0CONTOSO', thread: null }, requestKey: null });
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ parties: ['contoso'], origin: { channel: 'D0CONTOSO' } });
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who is your contact there?' });
    const asked = outbox(rt).filter((m) => m.target.includes('"user":"contoso-user"')).map((m) => m.body).at(-1)!;
    const said = asked.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(said).toContain('Answer with the button below: your answer goes only to Pat Okafor, who decides on it.');
    expect(read(asked)).not.toContain('the parties');
  });

  it('a question left empty is asked for, of its party; of a dispute, of its parties', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(() => rt.store.transaction(() => rule(rt.ctx, as.person(rt, 'pat'), d.id, { kind: 'ask', question: '   ' }))).toThrow(/^Write the question for the party\.$/);
    const other = runtime();
    const overlap = openArbitratedCase(other);
    expect(() => other.store.transaction(() => rule(other.ctx, as.person(other, 'pat'), overlap.id, { kind: 'ask', question: '   ' }))).toThrow(/^Write the question for the parties\.$/);
  });

  it("one of the company's people who may not rule on it is told it is an approval; a partner, of any case; a dispute stays a dispute", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    expect(() => approve(rt.deps, as.person(rt, 'sam'), `${d.id}:contoso`)).toThrow(`Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on approval of claim #${c.id} (case #${d.id}).`);
    expect(() => approve(rt.deps, as.partner(rt, 'contoso'), `${d.id}:contoso`)).toThrow(`Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${d.id}.`);
    const other = runtime();
    const overlap = openArbitratedCase(other);
    expect(() => approve(other.deps, as.person(other, 'sam'), `${overlap.id}:${overlap.recommendation}`)).toThrow(`Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${overlap.id}.`);
  });
});

describe('a claim waiting for approval: its snooze refusals, its award form and its closed claim', () => {
  it("the snooze refusals name it as an approval to its arbitrator and the company's people; a partner reads any case; a dispute stays a dispute", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    const name = `approval of claim #${c.id} (case #${d.id})`;
    const pat = as.person(rt, 'pat');
    expect(() => snoozeReminder(rt.deps, as.person(rt, 'sam'), `${d.id}:1h`)).toThrow(`Only the assigned arbitrator can snooze reminders of ${name}.`);
    expect(() => snoozeReminder(rt.deps, as.partner(rt, 'contoso'), `${d.id}:1h`)).toThrow(`Only the assigned arbitrator can snooze reminders of dispute #${d.id}.`);
    // A partner not among its parties reads what it reads of a case that does not exist.
    expect(() => snoozeReminder(rt.deps, as.partner(rt, 'northwind'), `${d.id}:1h`)).toThrow(`Dispute #${d.id} is not one your organisation is a party to.`);
    // Past its due time, before the scheduler moved it on: still Pat's, overdue.
    rt.clock.set(new Date(d.dueAt!.getTime() + 60_000).toISOString());
    expect(() => snoozeReminder(rt.deps, pat, `${d.id}:1h`)).toThrow(`Approval of claim #${c.id} (case #${d.id}) is overdue: its SLA has run out, so no reminder is left to snooze.`);
    approve(rt.deps, pat, `${d.id}:contoso`);
    expect(() => snoozeReminder(rt.deps, pat, `${d.id}:1h`)).toThrow(`Approval of claim #${c.id} (case #${d.id}) is already closed; nothing to snooze.`);
    const other = runtime();
    const overlap = openArbitratedCase(other);
    expect(() => snoozeReminder(other.deps, as.person(other, 'sam'), `${overlap.id}:1h`)).toThrow(`Only the assigned arbitrator can snooze reminders of dispute #${overlap.id}.`);
    approve(other.deps, as.person(other, 'pat'), `${overlap.id}:${overlap.recommendation}`);
    expect(() => snoozeReminder(other.deps, as.person(other, 'pat'), `${overlap.id}:1h`)).toThrow(`Dispute #${overlap.id} is already closed; nothing to snooze.`);
  });

  it("its award form offers to reject the one claim; a typed Nobody, in either wording, still rejects it; a dispute's keeps rejecting the claims", () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const d = rt.store.disputes.all().at(-1)!;
    const pat = as.person(rt, 'pat');
    const choices = (id: number, r = rt) => awardForm(r.deps, as.person(r, 'pat'), String(id)).fields.find((f) => f.id === 'party')!.options!.map((o) => [o.label, o.value]);
    expect(choices(d.id)).toEqual([['Contoso Consulting', 'party:contoso'], ['Nobody: reject the claim', NOBODY]]);
    const other = runtime();
    const overlap = openArbitratedCase(other);
    expect(choices(overlap.id, other).at(-1)).toEqual(['Nobody: reject the claims', NOBODY]);
    // Typed (Teams, where a form cannot list the parties): the label as shown, in either wording, is Nobody.
    submitAward(rt.deps, pat, { dispute: String(d.id), party: ' nobody:  Reject the claim ', rationale: 'Soylent stays with the direct team.' });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: null });
    submitAward(other.deps, as.person(other, 'pat'), { dispute: String(overlap.id), party: 'Nobody: reject the claim', rationale: 'Neither party showed real engagement.' });
    expect(other.store.disputes.get(overlap.id)).toMatchObject({ status: 'ruled', winner: null });
  });

  it('activity logged on its claim once refused names the case as the approval it was, to its party and to the company', () => {
    const rt = approvalRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), meta);
    const [c, d] = [rt.store.claims.all().at(-1)!, rt.store.disputes.all().at(-1)!];
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: NOBODY, rationale: 'Soylent is handled by the direct team this year.' });
    for (const viewer of [as.partner(rt, 'contoso'), as.person(rt, 'sam')]) {
      expect(() => logClaimActivity(rt.deps, viewer, c.id)).toThrow(`Claim #${c.id} was not approved in case #${d.id}; there is nothing to log activity on.`);
    }
    // And /roe mine lists it so, numbering the case.
    expect(read(mine(rt.deps, as.partner(rt, 'contoso')))).toContain(`#${c.id} Soylent Corp (Analytics): rejected (not approved in case #${d.id})`);
  });
});

/** A case raised in Slack whose arbitrator, Pat, has no chat id the bot can reach (the policy gives only his e-mail). */
function unreachablePatCase(): { rt: TestRuntime; d: Dispute } {
  const policy = join(dir, `unreachable-${++files}.yaml`);
  writeFileSync(policy, policyTextWith([['pat: { name: Pat Okafor, slack: U0PAT, teams: "29:pat", email: pat@example.com }', 'pat: { name: Pat Okafor, email: pat@example.com }']]));
  const rt = runtime({ policyPath: policy });
  const slack = { origin: { platform: 'slack' as const, channel: 'C0DEALS', thread: null }, requestKey: null };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), slack);
  submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), slack);
  return { rt, d: rt.store.disputes.all().at(-1)! };
}

describe('answers to a question', () => {
  it('an arbitrator the bot cannot reach by chat: the parties are told to answer them directly, with no button; the thread, which every party reads, is not where to answer', () => {
    const { rt, d } = unreachablePatCase();
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    const asked = outbox(rt).filter((m) => m.target.includes('"user":"northwind-user"')).map((m) => m.body).at(-1)!;
    expect(asked.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []))).toContain('Pat Okafor, who rules on it, cannot be reached here: answer them directly (pat@example.com).');
    expect(asked.blocks.some((b) => b.type === 'actions')).toBe(false);
    const thread = outbox(rt).filter((m) => m.target.includes('dispute-thread')).map((m) => m.body).at(-1)!;
    expect(thread.blocks).toContainEqual({ type: 'text', text: 'Each party was sent this question by direct message, with how to answer Pat Okafor.', tone: 'muted' });
    expect(read(thread)).not.toMatch(/Reply in this thread|pat@example\.com/);
  });

  it('someone above an arbitrator the bot cannot reach asks: they are told the parties were sent how to answer that arbitrator directly, not that answers go to them by DM', () => {
    const { rt, d } = unreachablePatCase();
    const dana = as.person(rt, 'dana');
    submitAsk(rt.deps, dana, { dispute: String(d.id), question: 'Who met the customer first?' });
    const toParty = outbox(rt).filter((m) => m.target.includes('"user":"northwind-user"')).map((m) => m.body).at(-1)!;
    expect(toParty.blocks).toContainEqual({ type: 'text', text: 'Pat Okafor, who rules on it, cannot be reached here: answer them directly (pat@example.com).', tone: 'muted' });
    // What Dana's Slack modal (and Teams card) says of where the answers go: as the parties were told.
    const said = askedWords(rt.deps, dana, rt.store.disputes.get(d.id));
    expect(said).toBe('Your question is in the dispute’s thread and went to the parties by direct message. Pat Okafor, who rules on it, cannot be reached here: they were told to answer them directly (pat@example.com).');
  });

  it('a case escalated to someone the bot cannot reach: an answer is refused before it is written and when sent, saying how to answer them, not said to be sent', () => {
    const policy = join(dir, `unreachable-next-${++files}.yaml`);
    writeFileSync(policy, policyTextWith([['dana: { name: Dana Reyes, slack: U0DANA, teams: "29:dana", email: dana@example.com }', 'dana: { name: Dana Reyes, email: dana@example.com }']]));
    const rt = runtime({ at: '2026-12-01T15:00:00Z', policyPath: policy });
    const slack = { origin: { platform: 'slack' as const, channel: 'C0DEALS', thread: null }, requestKey: null };
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), slack);
    submitClaim(rt.deps, as.partner(rt, 'contoso'), values('soylent'), slack);
    const d = rt.store.disputes.all().at(-1)!;
    // Pat, reachable, asks: the parties' DMs carry the Answer button.
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    expect(outbox(rt).filter((m) => m.target.includes('"user":"northwind-user"')).at(-1)!.body.blocks).toContainEqual({ type: 'actions', actions: [{ action: 'answer_question', label: 'Answer', value: `${d.id}:Who met the customer first?` }] });
    // The SLA runs out: the case moves to Dana, who has no chat id the bot can reach.
    runUntil(rt, '2026-12-03T22:30:00Z');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'dana' });
    const refusal = 'Dana Reyes, who rules on it, cannot be reached here: answer them directly (dana@example.com). Your answer was not sent.';
    // The Answer button, before anything is written: how to answer, and no answer said not to be sent.
    expect(() => answerForm(rt.deps, as.partner(rt, 'northwind'), String(d.id))).toThrow(/^Dana Reyes, who rules on it, cannot be reached here: answer them directly \(dana@example\.com\)\.$/);
    const before = outbox(rt).length;
    expect(() => submitAnswer(rt.deps, as.partner(rt, 'northwind'), { dispute: String(d.id), answer: 'We met the CIO in March.' })).toThrow(refusal);
    expect(outbox(rt).length).toBe(before);
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_answered')).toEqual([]);
    // Someone of no party of it still learns nothing of the case.
    expect(() => submitAnswer(rt.deps, as.partner(rt, 'fabrikam'), { dispute: String(d.id), answer: 'Us.' })).toThrow(`Only the parties of dispute #${d.id} can answer its questions.`);
  });

  it('the question the Answer form carries fits a Slack modal whatever it holds (quotes, line breaks and control characters take more room once written as form state)', () => {
    const rt = runtime();
    const d = openArbitratedCase(rt);
    const question = '"\n\u0001'.repeat(700);
    const form = answerForm(rt.deps, as.partner(rt, 'northwind'), `${d.id}:${question}`);
    expect(form.state.question!.length).toBeGreaterThan(100);
    expect(question.startsWith(form.state.question!.slice(0, -1))).toBe(true);
    const modal = renderForm(form, { channel: null, message: { channel: 'D0NORTHWIND', ts: '1700000000.000100' } });
    expect(modal.private_metadata!.length).toBeLessThanOrEqual(3000);
  });

  it('on a case where the direct team is a party, its people answer for it, but not those who may rule on it (they ask)', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), meta);
    submitClaim(rt.deps, as.person(rt, 'sam'), values('soylent', { route: 'direct' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
    expect([...d.parties].sort()).toEqual(['direct', 'northwind']);
    for (const ruler of ['pat', 'dana', 'vp']) expect(() => answerForm(rt.deps, as.person(rt, ruler), String(d.id)), ruler).toThrow(`Only the parties of dispute #${d.id} can answer its questions.`);
    // Sam filed the direct claim; Riley, of the company, rules on nothing.
    expect(answerForm(rt.deps, as.person(rt, 'sam'), String(d.id)).title).toBe(`Answer on dispute #${d.id}`);
    submitAnswer(rt.deps, as.person(rt, 'riley'), { dispute: String(d.id), answer: 'Our AE has met them since 2024.' });
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_answered').map((e) => e.payload)).toEqual([{ party: 'direct' }]);
  });

  it("one of the company's people who filed a partner's claim answers for that partner; a partner's user of another party is refused", () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), values('soylent', { stage: 'proposal' }), meta);
    submitClaim(rt.deps, as.person(rt, 'sam'), values('soylent', { claimant: 'contoso' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d.parties).toEqual(expect.arrayContaining(['northwind', 'contoso']));
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    submitAnswer(rt.deps, as.person(rt, 'sam'), { dispute: String(d.id), answer: 'Contoso did, in March.' });
    const toPat = outbox(rt).filter((m) => m.target.includes('"user":"pat"')).map((m) => m.body).at(-1)!;
    expect(toPat.summary).toBe(`Answer from Contoso Consulting on dispute #${d.id}: Soylent Corp (Analytics)`);
    expect(toPat.blocks).toContainEqual({ type: 'quote', label: 'Answer from sam (Contoso Consulting)', text: 'Contoso did, in March.' });
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_answered').map((e) => e.payload)).toEqual([{ party: 'contoso' }]);
    // Dana, of the company but of no claim in it, is no party of it.
    expect(() => answerForm(rt.deps, as.person(rt, 'dana'), String(d.id))).toThrow(`Only the parties of dispute #${d.id} can answer its questions.`);
  });

  it("one of the company's people who filed a partner's claim in a case against the direct team answers for that partner, not as the direct team", () => {
    const rt = runtime();
    submitClaim(rt.deps, as.person(rt, 'dana'), values('soylent', { stage: 'proposal', route: 'direct' }), meta);
    submitClaim(rt.deps, as.person(rt, 'sam'), values('soylent', { claimant: 'contoso' }), meta);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', parties: expect.arrayContaining(['direct', 'contoso']) });
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the customer first?' });
    submitAnswer(rt.deps, as.person(rt, 'sam'), { dispute: String(d.id), answer: 'Contoso did, in March.' });
    const toPat = outbox(rt).filter((m) => m.target.includes('"user":"pat"')).map((m) => m.body).at(-1)!;
    expect(toPat.summary).toBe(`Answer from Contoso Consulting on dispute #${d.id}: Soylent Corp (Analytics)`);
    expect([...rt.store.ledger.entries()].filter((e) => e.kind === 'dispute.info_answered').map((e) => e.payload)).toEqual([{ party: 'contoso' }]);
  });
});
