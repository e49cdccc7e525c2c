import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, caseCard, submitAsk, submitAward } from '../../handlers/rule.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import type { Principal } from '../../src/core/authz.js';
import type { Dispute } from '../../src/core/types.js';
import { policyTextWith } from '../support/builders.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

/**
 * Recusal: nobody rules on a case they have a part in (Default coverage: Pat Okafor, then Dana
 * Reyes, then Morgan Lee). Pat files a direct claim on an account a partner claimed too: the
 * case goes to Dana, who is told why, and Pat is refused, naming her.
 */
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z' }); // Monday 09:00 in New York
});
afterEach(() => rt.close());

const slack = { origin: { platform: 'slack' as const, channel: 'C0SHARED', thread: null }, requestKey: null };
const deal = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'qualified', amount: '', evidence: '' };
const teams = { origin: { platform: 'teams' as const, channel: '19:abc@thread.tacv2', thread: null }, requestKey: null };
const consoleOrigin = { origin: { platform: 'console' as const, channel: 'general', thread: null }, requestKey: null };
const file = (who: Principal, over: Record<string, string> = {}, where: typeof slack | typeof teams | typeof consoleOrigin = slack) => submitClaim(rt.deps, who, { ...deal, ...over }, where);
const lastCase = (): Dispute => rt.store.disputes.all().at(-1)!;
const lastClaim = () => rt.store.claims.forAccount('soylent').at(-1)!;

const rows = () => rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[];
/** The messages queued from row `from` on to this Slack user, as read. */
const to = (id: string, from = 0) =>
  rows()
    .slice(from)
    .filter((r) => (JSON.parse(r.target) as { user?: string }).user === id)
    .map((r) => JSON.parse(r.body) as Reply);
const read = (r: Reply) => momentsAsText(r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'));
/** The first line of a message: what it says above the case card. */
const lead = (r: Reply) => (r.blocks[0]?.type === 'text' ? momentsAsText(r.blocks[0].text) : '');
/** How many times `words` are said in a message. */
const times = (r: Reply, words: string) => read(r).split(words).length - 1;
/** The posts queued from row `from` on to the thread of a case, and to a channel. */
const threadPosts = (from = 0) => rows().slice(from).filter((r) => (JSON.parse(r.target) as { kind: string }).kind === 'dispute-thread').map((r) => JSON.parse(r.body) as Reply);
const channelPosts = (channel: string, from = 0) => rows().slice(from).filter((r) => (JSON.parse(r.target) as { channel?: string; kind: string }).kind === 'channel' && (JSON.parse(r.target) as { channel?: string }).channel === channel).map((r) => JSON.parse(r.body) as Reply & { fallbackCopy?: Reply });
/** Why snoozing `option` is refused. */
const refusal = (who: Principal, d: Dispute, option: string): string => {
  try {
    snoozeReminder(rt.deps, who, `${d.id}:${option}`);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
};
const entries = (d: Dispute, kind: string) => [...rt.store.ledger.entries()].filter((e) => e.subject === `dispute:${d.id}` && e.kind === kind);

/** Northwind claims Soylent; Pat files a direct claim further along: the criteria only recommend the direct team. */
function patsCase(): { d: Dispute; claim: number } {
  file(as.partner(rt, 'northwind'));
  file(as.person(rt, 'pat'), { stage: 'proposal' });
  const d = lastCase();
  expect(d).toMatchObject({ status: 'open', recommendation: 'direct' });
  return { d, claim: lastClaim().id };
}

describe('recusal: a case goes to the first of its chain with no part in it', () => {
  it('Pat files a claim in the case: it goes to Dana, whose DM and card say why, and the ledger records it', () => {
    const { d, claim } = patsCase();
    expect(d).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    expect(to('U0PAT').map((r) => r.summary)).not.toContainEqual(expect.stringMatching(/yours to rule/));
    const dm = to('U0DANA').find((r) => r.summary.startsWith(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule`))!;
    // Said once, by the case card's line (which stays on the card for whoever reads it later), not again in the lead.
    expect(lead(dm)).toBe('A case for you to rule on by Dec 8, 2026, 5:00 PM EST: the criteria did not settle it on their own.');
    expect(read(dm)).toContain(`Pat Okafor filed claim #${claim} in this case, so Dana Reyes rules on it.`);
    expect(times(dm, `Pat Okafor filed claim #${claim}`)).toBe(1);
    expect(entries(d, 'dispute.assigned').map((e) => e.payload)).toEqual([expect.objectContaining({ arbitrator: 'dana', recused: [{ person: 'pat', claim }] })]);
    // The SLA is Dana's, at her level: her reminder rings, not Pat's.
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(to('U0DANA').map((r) => r.summary)).toContainEqual(expect.stringMatching(`^Reminder: dispute #${d.id} is due`));
    expect(to('U0PAT').map((r) => r.summary)).not.toContainEqual(expect.stringMatching(/^Reminder/));
  });

  it('Pat cannot rule on it in any way: each refusal names who rules instead, and nothing changes', () => {
    const { d, claim } = patsCase();
    const pat = as.person(rt, 'pat');
    const refusal = `You filed claim #${claim} in dispute #${d.id}, so you cannot rule on it: Dana Reyes does.`;
    const before = [...rt.store.ledger.entries()].length;
    expect(() => approve(rt.deps, pat, `${d.id}:direct`)).toThrow(refusal);
    expect(() => submitAward(rt.deps, pat, { dispute: String(d.id), party: 'direct', rationale: 'We met the CFO first.' })).toThrow(refusal);
    expect(() => submitAsk(rt.deps, pat, { dispute: String(d.id), question: 'Who met them first?' })).toThrow(refusal);
    expect(() => snoozeReminder(rt.deps, pat, `${d.id}:1h`)).toThrow(refusal);
    expect([...rt.store.ledger.entries()].length).toBe(before);
    expect(rt.store.disputes.get(d.id)!.status).toBe('open');
    // Dana rules on it.
    approve(rt.deps, as.person(rt, 'dana'), `${d.id}:direct`);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'dana', winner: 'direct' });
  });

  it('someone above the arbitrator with a part in the case cannot rule on it either', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.partner(rt, 'contoso'));
    const d = lastCase();
    expect(d).toMatchObject({ arbitrator: 'pat' });
    // Dana files for Fabrikam: the claim joins the case, which stays with Pat.
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
    const claim = lastClaim().id;
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', claimIds: expect.arrayContaining([claim]) });
    expect(() => approve(rt.deps, as.person(rt, 'dana'), d.id)).toThrow(`You filed claim #${claim} in dispute #${d.id}, so you cannot rule on it: Pat Okafor does.`);
    // Morgan, above her and with no part in it, still may.
    approve(rt.deps, as.person(rt, 'vp'), d.id);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', ruledBy: 'vp' });
  });
  it('someone not of its chain who filed a claim in it is refused as anyone not of its chain is: their claim is not why', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.partner(rt, 'contoso'));
    const d = lastCase();
    // Sam, of the company's people but no arbitrator, files for Fabrikam: the claim joins the case, which stays with Pat.
    file(as.person(rt, 'sam'), { claimant: 'fabrikam' });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', claimIds: expect.arrayContaining([lastClaim().id]) });
    const sam = as.person(rt, 'sam');
    const refusal = `Only Pat Okafor (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${d.id}.`;
    expect(() => approve(rt.deps, sam, d.id)).toThrow(refusal);
    expect(() => submitAsk(rt.deps, sam, { dispute: String(d.id), question: 'Who met them first?' })).toThrow(refusal);
    expect(() => snoozeReminder(rt.deps, sam, `${d.id}:1h`)).toThrow(`Only the assigned arbitrator can snooze reminders of dispute #${d.id}.`);
  });
});

describe('recusal of two people: their parts said once, of the case', () => {
  it('Pat and Dana each filed a claim in it: Morgan rules on it, and the card says both parts in one sentence', () => {
    const { d, claim: pats } = patsCase();
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
    const danas = lastClaim().id;
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', claimIds: expect.arrayContaining([pats, danas]) });
    const line = `Pat Okafor filed claim #${pats} and Dana Reyes claim #${danas} in this case, so Morgan Lee rules on it.`;
    expect(read(caseCard(rt.deps, as.person(rt, 'vp'), String(d.id)))).toContain(line);
    const dm = to('U0VP').find((r) => r.summary.startsWith(`Dispute #${d.id} on Soylent Corp (Analytics): yours to rule`))!;
    expect(read(dm)).toContain(line);
    expect(times(dm, `Pat Okafor filed claim #${pats}`)).toBe(1);
  });

  it('Pat raised it and Dana filed a claim in it: the card says he raised it and she filed her claim in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-recusal-'));
    try {
      // First registration only recommends: a dispute raised against a lone claim goes to the arbitrator.
      const path = join(dir, 'policy.yaml');
      writeFileSync(path, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
      rt.close();
      rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: path });
      file(as.partner(rt, 'northwind'));
      submitDispute(rt.deps, as.person(rt, 'pat'), { account: 'soylent', claimant: 'contoso', product: 'Analytics', reason: 'Contoso met their CFO first' }, slack);
      const d = lastCase();
      expect(d).toMatchObject({ status: 'open', arbitrator: 'dana' });
      file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
      const danas = lastClaim().id;
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', claimIds: expect.arrayContaining([danas]) });
      expect(read(caseCard(rt.deps, as.person(rt, 'vp'), String(d.id)))).toContain(`Pat Okafor raised this case and Dana Reyes filed claim #${danas} in it, so Morgan Lee rules on it.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('recusal at a breach', () => {
  it('a breach passes over Dana, who filed a claim in the case: it goes to Morgan, who is told why', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.partner(rt, 'contoso'));
    const d = lastCase();
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
    const claim = lastClaim().id;
    const before = rows().length;
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp', escalationLevel: 2 });
    expect(to('U0DANA', before)).toEqual([]);
    const dm = to('U0VP', before).find((r) => r.summary.includes('escalated to you'))!;
    expect(lead(dm)).toBe('Escalated to you: Pat Okafor did not rule within the SLA.');
    expect(read(dm)).toContain(`Dana Reyes filed claim #${claim} in this case, so Morgan Lee rules on it.`);
    expect(times(dm, `Dana Reyes filed claim #${claim}`)).toBe(1);
    expect(entries(d, 'dispute.escalated').map((e) => e.payload)).toEqual([expect.objectContaining({ from: 'pat', to: 'vp', level: 2, recused: [{ person: 'dana', claim }] })]);
  });

  it('with everybody above it involved, a breach moves it to nobody of them: it goes to the escalation channel and stays with Pat', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.partner(rt, 'contoso'));
    const d = lastCase();
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
    const danas = lastClaim().id;
    file(as.person(rt, 'vp'));
    const morgans = lastClaim().id;
    // Pat's reminder says what the breach will do: nobody above him may take it.
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(to('U0PAT').filter((r) => r.summary.startsWith('Reminder')).map(read)).toEqual([expect.stringContaining(`Reminder: dispute #${d.id} is due Dec 8, 2026, 5:00 PM EST. After that it goes to the escalation channel.`)]);
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
    expect(entries(d, 'dispute.escalated')).toEqual([]);
    expect(entries(d, 'dispute.escalated_to_channel').map((e) => e.payload)).toEqual([{ last: 'pat', recused: [{ person: 'dana', claim: danas }, { person: 'vp', claim: morgans }] }]);
    // Dana and Morgan were passed over, not late: the post does not say the whole chain failed to rule.
    const [post] = channelPosts('C0ESCAL');
    expect(post!.summary).toBe(`Dispute #${d.id} is overdue, and nobody above Pat Okafor may take it`);
    expect(lead(post!)).toBe(`Dispute #${d.id} was not ruled by Pat Okafor in time, and everybody above them in its escalation chain has a part in it. It stays with Pat Okafor, who alone may rule on it now: it is overdue until they do.`);
    // Should the bot not be in that channel, Pat reads it, spoken to: its notification too (what a screen reader reads first), saying it is his to rule.
    expect(post!.fallbackCopy!.summary).toBe(`Dispute #${d.id} is overdue, and still yours to rule: nobody above you may take it`);
    expect(lead(post!.fallbackCopy!)).toBe(`Dispute #${d.id} was not ruled in time, and everybody above you in its escalation chain has a part in it: it is still yours to rule, overdue. Rule on it with the buttons of its case card, which I sent you in this chat when it came to you.`);
    // The thread, which partners read, says nobody else can take it, not why.
    expect(threadPosts().map((r) => [r.summary, read(r)])).toContainEqual([`Dispute #${d.id} stays with Pat Okafor, overdue`, 'The time to rule ran out, and nobody above Pat Okafor in the escalation chain can take the case: the case is posted to the escalation channel or, where I cannot post there, sent to Pat Okafor; it stays with Pat Okafor.']);
    expect(rows().map((r) => r.body).join('\n')).not.toMatch(/not ruled by anyone in its escalation chain|past its (whole )?escalation chain|Nobody in the escalation chain ruled/);
  });
  it('with everybody of its chain involved, it escalates as ever, as its reminder says: nobody is free of a part, so each of them still may rule', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' });
    const dana = lastClaim().id;
    const d = lastCase();
    // Morgan and then Pat (its arbitrator) file claims that join it too: nobody of its chain is free of a part, so it stays with Pat.
    file(as.person(rt, 'vp'), { claimant: 'contoso' });
    file(as.person(rt, 'pat'), { stage: 'commit' });
    const pats = lastClaim().id;
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open', arbitrator: 'pat', escalationLevel: 0 });
    // The ledger says that Pat, who keeps it, filed a claim in it (nobody was free to take it); his card says so too.
    expect(entries(d, 'dispute.kept').map((e) => [e.actor, e.payload])).toEqual([['sla', { arbitrator: 'pat', involved: { person: 'pat', claim: pats } }]]);
    expect(entries(d, 'dispute.reassigned')).toEqual([]);
    expect(read(caseCard(rt.deps, as.person(rt, 'pat'), String(d.id)))).toContain(`Pat Okafor filed claim #${pats} in this case, but nobody above them in its escalation chain is free of a part in it, so Pat Okafor still rules on it.`);
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(to('U0PAT').filter((r) => r.summary.startsWith('Reminder')).map(read)).toEqual([expect.stringContaining('After that it escalates to Dana Reyes.')]);
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
    expect(entries(d, 'dispute.escalated').map((e) => e.payload)).toEqual([expect.objectContaining({ from: 'pat', to: 'dana', level: 1 })]);
    // The entry names her part: she rules on a case she filed a claim in.
    expect(entries(d, 'dispute.escalated').map((e) => e.payload)).toEqual([{ from: 'pat', to: 'dana', level: 1, dueAt: expect.any(String), involved: { person: 'dana', claim: dana } }]);
    expect(entries(d, 'dispute.escalated_to_channel')).toEqual([]);
    // Her card says why she, with a part in it herself, rules on it (not that Pat's part sent it to her).
    const dm = to('U0DANA').find((r) => r.summary.includes('escalated to you'))!;
    expect(read(dm)).toContain(`Dana Reyes filed claim #${dana} in this case, but nobody above them in its escalation chain is free of a part in it, so Dana Reyes still rules on it.`);
  });
});

describe('recusal when the assignee files a claim that joins their case', () => {
  it('the case moves to Dana at once: both are told, and the ledger says why', () => {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' });
    file(as.partner(rt, 'contoso'));
    const d = lastCase();
    expect(d).toMatchObject({ arbitrator: 'pat' });
    rt.clock.advance(3_600_000);
    const before = rows().length;
    file(as.person(rt, 'pat'), { stage: 'commit' });
    const claim = lastClaim().id;
    const moved = rt.store.disputes.get(d.id)!;
    expect(moved).toMatchObject({ arbitrator: 'dana', escalationLevel: 1, claimIds: expect.arrayContaining([claim]) });
    expect(moved.dueAt!.getTime()).toBeGreaterThan(d.dueAt!.getTime());
    const dana = to('U0DANA', before);
    expect(dana.map((r) => r.summary)).toEqual([expect.stringMatching(`^Dispute #${d.id} on Soylent Corp \\(Analytics\\): yours to rule by`)]);
    expect(lead(dana[0]!)).toBe('Yours to rule now: it moved to you from Pat Okafor.');
    expect(read(dana[0]!)).toContain(`Pat Okafor filed claim #${claim} in this case, so Dana Reyes rules on it.`);
    expect(times(dana[0]!, `Pat Okafor filed claim #${claim}`)).toBe(1);
    expect(to('U0PAT', before).map(read)).toContainEqual(`You filed claim #${claim} in dispute #${d.id} over Soylent Corp (Analytics), so it moved to Dana Reyes, who rules on it now.`);
    expect(entries(d, 'dispute.reassigned').map((e) => e.payload)).toEqual([expect.objectContaining({ from: 'pat', to: 'dana', level: 1, recused: [{ person: 'pat', claim }] })]);
    expect(entries(d, 'dispute.escalated')).toEqual([]);
    expect(() => approve(rt.deps, as.person(rt, 'pat'), d.id)).toThrow(`You filed claim #${claim} in dispute #${d.id}, so you cannot rule on it: Dana Reyes does.`);
  });
});

describe('what the breach does, with everybody above the assignee involved', () => {
  /** Pat has the case; Dana and Morgan, above him, each file a claim that joins it. */
  function aboveInvolved(where: typeof slack | typeof teams | typeof consoleOrigin = slack): Dispute {
    file(as.partner(rt, 'northwind'), { stage: 'proposal' }, where);
    file(as.partner(rt, 'contoso'), {}, where);
    file(as.person(rt, 'dana'), { claimant: 'fabrikam' }, where);
    file(as.person(rt, 'vp'), {}, where);
    const d = lastCase();
    expect(d).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
    return d;
  }

  it('a snooze past the breach is refused saying the case then becomes overdue, not that it escalates', () => {
    const d = aboveInvolved();
    const pat = as.person(rt, 'pat');
    rt.clock.set('2026-12-08T20:00:00Z'); // Tuesday 3:00 PM, two hours before the breach: an hour's snooze still fits
    expect(refusal(pat, d, '4h')).toBe('That would snooze past the SLA breach, when the case becomes overdue: everybody above you in its escalation chain has a part in it. Pick a shorter snooze.');
    rt.clock.set('2026-12-08T21:30:00Z'); // half an hour before: even the shortest snooze ends past it
    expect(refusal(pat, d, '1h')).toBe(`No snooze is left to pick: even the shortest would snooze past the SLA breach (Dec 8, 2026, 5:00 PM EST), when dispute #${d.id} becomes overdue (everybody above you in its escalation chain has a part in it).`);
    // And what the breach then does: nobody above takes it.
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'pat', escalationLevel: 0 });
  });

  it('on Teams, with no escalation channel: Pat is told it stays with him, and why, and the thread that nobody else can take it', () => {
    const d = aboveInvolved(teams);
    rt.clock.set('2026-12-07T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    expect(to('29:pat').filter((r) => r.summary.startsWith('Reminder')).map(lead)).toEqual([`Reminder: dispute #${d.id} is due Dec 8, 2026, 5:00 PM EST. Everybody above you in its escalation chain has a part in it: it stays with you, overdue.`]);
    const before = rows().length;
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const told = to('29:pat', before);
    expect(told.map((r) => [r.summary, lead(r)])).toEqual([[`Dispute #${d.id} is overdue, and still yours to rule: nobody above you may take it`, `Dispute #${d.id} was not ruled in time, and everybody above you in its escalation chain has a part in it; the policy names no escalation channel for Teams (sla.escalation_channel), so it stays with you, overdue.`]]);
    expect(threadPosts(before).map((r) => [r.summary, read(r)])).toEqual([[`Dispute #${d.id} stays with Pat Okafor, overdue`, 'The time to rule ran out, and nobody above Pat Okafor in the escalation chain can take the case; the case stays with Pat Okafor.']]);
  });

  it('on the console: the escalations channel reads the same post as on Slack', () => {
    const d = aboveInvolved(consoleOrigin);
    const before = rows().length;
    rt.clock.set(d.dueAt!.toISOString());
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    const [post] = channelPosts('escalations', before);
    expect(lead(post!)).toBe(`Dispute #${d.id} was not ruled by Pat Okafor in time, and everybody above them in its escalation chain has a part in it. It stays with Pat Okafor, who alone may rule on it now: it is overdue until they do.`);
    expect(lead(post!.fallbackCopy!)).toMatch(new RegExp(`^Dispute #${d.id} was not ruled in time, and everybody above you in its escalation chain has a part in it: it is still yours to rule, overdue\\.`));
    // The console always shows a post to its escalations channel: the thread says only that.
    expect(threadPosts(before).map((r) => [r.summary, read(r)])).toEqual([[`Dispute #${d.id} stays with Pat Okafor, overdue`, 'The time to rule ran out, and nobody above Pat Okafor in the escalation chain can take the case: the case is posted to the escalation channel; it stays with Pat Okafor.']]);
  });
});

describe('what the breach does, with everybody of a two-person chain involved', () => {
  it('Pat and Dana both filed claims: Pat keeps it, and its breach escalates to Dana as it would without recusal (his reminder says so); past Dana it is overdue with her', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roe-recusal-'));
    try {
      const path = join(dir, 'policy.yaml');
      writeFileSync(path, policyTextWith([['arbitrator: pat, escalation: [dana, vp]', 'arbitrator: pat, escalation: [dana]']]));
      rt.close();
      rt = testRuntime({ at: '2026-12-07T14:00:00Z', policyPath: path });
      file(as.person(rt, 'pat'));
      const pats = lastClaim().id;
      file(as.person(rt, 'dana'), { claimant: 'fabrikam', stage: 'proposal' });
      const danas = lastClaim().id;
      const d = lastCase();
      expect(d).toMatchObject({ status: 'open', arbitrator: 'pat', escalationLevel: 0 });
      // The case opens with Pat, who filed a claim in it: the entry that gives it to him says so, passing nobody over.
      expect(entries(d, 'dispute.assigned').map((e) => e.payload)).toEqual([expect.objectContaining({ arbitrator: 'pat', involved: { person: 'pat', claim: pats } })]);
      expect(entries(d, 'dispute.assigned').map((e) => e.payload)).toEqual([expect.not.objectContaining({ recused: expect.anything() })]);
      rt.clock.set('2026-12-07T22:00:00Z');
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(to('U0PAT').filter((r) => r.summary.startsWith('Reminder')).map(lead)).toEqual([`Reminder: dispute #${d.id} is due Dec 8, 2026, 5:00 PM EST. After that it escalates to Dana Reyes.`]);
      rt.clock.set('2026-12-08T20:00:00Z');
      expect(refusal(as.person(rt, 'pat'), d, '4h')).toBe('That would snooze past the SLA breach, when the case escalates. Pick a shorter snooze.');
      rt.clock.set(d.dueAt!.toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      const moved = rt.store.disputes.get(d.id)!;
      expect(moved).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      expect(entries(d, 'dispute.escalated').map((e) => e.payload)).toEqual([expect.objectContaining({ from: 'pat', to: 'dana', involved: { person: 'dana', claim: danas } })]);
      expect(channelPosts('C0ESCAL')).toEqual([]);
      rt.clock.set(moved.dueAt!.toISOString());
      tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
      expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', escalationLevel: 1 });
      const [post] = channelPosts('C0ESCAL');
      expect(lead(post!)).toBe(`Dispute #${d.id} was not ruled by anyone in its escalation chain. It stays with Dana Reyes, the last in the chain, who alone may rule on it now: it is overdue until they do.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
