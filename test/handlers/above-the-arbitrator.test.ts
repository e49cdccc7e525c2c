import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { approve, awardForm, submitAsk } from '../../handlers/rule.js';
import { submitAnswer } from '../../handlers/answer.js';
import type { Reply } from '../../handlers/replies/model.js';
import { tick } from '../../src/app/scheduler.js';
import { DomainError } from '../../src/core/errors.js';
import { snooze } from '../../src/core/sla/sla.service.js';
import type { Dispute } from '../../src/core/types.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';
import { momentsAsText } from '../../handlers/replies/moment.js';

/**
 * What the people above the arbitrator read (Default coverage: Pat Okafor, then Dana Reyes,
 * then Morgan Lee, the VP), and whoever watches the escalation channel: a case that comes to
 * them says what was asked on it before, one ruled over their head tells them so, and a case
 * past its whole chain says who may still rule on it.
 */
let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime(); // Monday Nov 30, 2026, 10:00 in New York
});
afterEach(() => rt.close());

const origin = { platform: 'slack' as const, channel: 'C0SHARED', thread: null };
function slackCase(): Dispute {
  const values = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin, requestKey: null });
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin, requestKey: null });
  const d = rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  return d;
}
const rows = () => rt.db.sqlite.prepare('select target, body from outbox order by id').all() as { target: string; body: string }[];
/** The messages queued from row `from` on to this Slack user or channel, as read. */
const to = (id: string, from = 0) =>
  rows()
    .slice(from)
    .filter((r) => (JSON.parse(r.target) as { user?: string; channel?: string }).user === id || (JSON.parse(r.target) as { channel?: string }).channel === id)
    .map((r) => JSON.parse(r.body) as Reply);
const read = (r: Reply) => momentsAsText(r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n'));
function hours(n: number): void {
  for (let i = 0; i < n; i++) {
    rt.clock.advance(3_600_000);
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  }
}

describe('above the arbitrator', () => {
  it('the arbitrator the case moved up past, ruling from a card or form they still have, is told it moved past them, not only who may rule', () => {
    const d = slackCase();
    hours(48); // past the end of Pat's SLA: Dana has it
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana', status: 'open' });
    const refusal = `This case moved up its escalation chain past you. Only Dana Reyes (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${d.id}.`;
    expect(() => approve(rt.deps, as.person(rt, 'pat'), `${d.id}:northwind`)).toThrow(refusal);
    expect(() => submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the CIO first?' })).toThrow(refusal);
    expect(() => awardForm(rt.deps, as.person(rt, 'pat'), String(d.id))).toThrow(refusal);
    // Someone never on its chain is told only who may rule.
    expect(() => approve(rt.deps, as.person(rt, 'sam'), `${d.id}:northwind`)).toThrow(`Only Dana Reyes (the assigned arbitrator) or someone above them in the escalation chain can rule on dispute #${d.id}.`);
    expect(() => approve(rt.deps, as.person(rt, 'sam'), `${d.id}:northwind`)).not.toThrow('past you');
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'open' });
  });

  it('the thread, which partners read, says the case moved up its escalation chain, blaming nobody by name', () => {
    slackCase();
    const before = rows().length;
    hours(48); // past the end of Pat's SLA
    const thread = rows()
      .slice(before)
      .filter((r) => (JSON.parse(r.target) as { kind: string }).kind === 'dispute-thread')
      .map((r) => read(JSON.parse(r.body) as Reply));
    expect(thread).toEqual([expect.stringMatching(/^The time to rule ran out, so the case moved up its escalation chain: it is now with Dana Reyes, due /)]);
    expect(thread.join('\n')).not.toContain('Pat Okafor');
  });

  it('a case escalated after a question says who asked it and whose DMs hold the answers', () => {
    const d = slackCase();
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the CIO first?' });
    submitAnswer(rt.deps, as.partner(rt, 'northwind'), { dispute: String(d.id), answer: 'We did, on May 3.' });
    const before = rows().length;
    hours(48); // past Wednesday 10:00 New York, the end of Pat's SLA
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana' });
    const escalated = to('U0DANA', before).find((m) => m.summary.includes('escalated to you'))!;
    expect(read(escalated)).toContain(
      'Before it came to you, Pat Okafor asked the parties a question (Nov 30, 2026, 10:00 AM EST). Northwind Partners answered; the answer went to Pat Okafor alone, by direct message: ask them for it. Answers sent from now on come to you.',
    );
  });

  it('an answer sent once the case escalated names who asked the question, to the one it reaches', () => {
    const d = slackCase();
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the CIO first?' });
    hours(48);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana' });
    // Contoso answers now: the answer reaches Dana, who never read the question.
    const later = rows().length;
    submitAnswer(rt.deps, as.partner(rt, 'contoso'), { dispute: String(d.id), answer: 'We met them in April.' });
    const answer = to('U0DANA', later).find((m) => m.summary.startsWith('Answer from Contoso'))!;
    expect(read(answer)).toContain('The last question on it was asked by Pat Okafor (Nov 30, 2026, 10:00 AM EST), not by you: ask them what it was.');
  });

  it('an answer to the question its own arbitrator asked says nothing more', () => {
    const d = slackCase();
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'Who met the CIO first?' });
    const before = rows().length;
    submitAnswer(rt.deps, as.partner(rt, 'northwind'), { dispute: String(d.id), answer: 'We did, on May 3.' });
    expect(read(to('U0PAT', before)[0]!)).toBe(`Northwind Partners answered on dispute #${d.id} over Soylent Corp (Analytics), yours to rule. No other party sees this answer.`);
  });

  it('a case the VP rules from the queue over its arbitrator’s head: the arbitrator is told who ruled, and how', () => {
    const d = slackCase();
    hours(48);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'dana' });
    const before = rows().length;
    approve(rt.deps, as.person(rt, 'vp'), `${d.id}:northwind`);
    const told = to('U0DANA', before);
    expect(told.map((m) => m.summary)).toEqual([`Dispute #${d.id} on Soylent Corp (Analytics) was ruled by Morgan Lee`]);
    expect(read(told[0]!)).toContain(`Morgan Lee ruled on dispute #${d.id} over Soylent Corp (Analytics), which was yours to rule: nothing is left for you to do on it.`);
    expect(read(told[0]!)).toMatch(/Ruled by Morgan Lee on .*: Northwind Partners owns it\./);
    // Ruling their own case, the arbitrator hears nothing of it but the card they ruled from.
    const other = slackCase2();
    const after = rows().length;
    approve(rt.deps, as.person(rt, 'pat'), `${other.id}:${other.recommendation}`);
    expect(to('U0PAT', after).filter((m) => m.summary.includes('was ruled by'))).toEqual([]);
  });

  it('the last of the chain may not snooze past its SLA, told it then becomes overdue, not that it escalates', () => {
    const d = slackCase();
    hours(96); // Pat's SLA, then Dana's: the case is with the VP
    const atVp = rt.store.disputes.get(d.id)!;
    expect(atVp).toMatchObject({ arbitrator: 'vp' });
    const refusal = (option: '1h' | '4h') => {
      try {
        snooze(rt.ctx, as.person(rt, 'vp'), d.id, option);
      } catch (err) {
        return (err as DomainError).message;
      }
      throw new Error('expected a refusal');
    };
    rt.clock.advance(atVp.dueAt!.getTime() - rt.clock.now().getTime() - 18 * 3_600_000); // the afternoon before the VP's SLA runs out (Monday 16:00): an hour's snooze still fits
    expect(refusal('4h')).toBe('That would snooze past the SLA breach, when the case becomes overdue: you are the last in its escalation chain. Pick a shorter snooze.');
    rt.clock.advance(17 * 3_600_000); // an hour before (Tuesday 9:00): even the shortest snooze ends at the breach
    expect(refusal('4h')).toBe(`No snooze is left to pick: even the shortest would snooze past the SLA breach (Dec 8, 2026, 10:00 AM EST), when dispute #${d.id} becomes overdue (you are the last in its escalation chain).`);
  });

  it('a case past its whole chain: the escalation channel reads who may still rule on it', () => {
    const d = slackCase();
    hours(96);
    expect(rt.store.disputes.get(d.id)).toMatchObject({ arbitrator: 'vp' });
    const before = rows().length;
    hours(100); // to Tuesday past 10:00, the end of the VP's SLA
    const [post] = to('C0ESCAL', before);
    expect(read(post!)).toContain(`Dispute #${d.id} was not ruled by anyone in its escalation chain. It stays with Morgan Lee, the last in the chain, who alone may rule on it now: it is overdue until they do.`);
    expect(read(post!)).not.toContain('needs an owner');
  });
});

/** A second case, on another account, with Pat. */
function slackCase2(): Dispute {
  const values = { account: 'initech', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };
  submitClaim(rt.deps, as.partner(rt, 'northwind'), values, { origin, requestKey: null });
  submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin, requestKey: null });
  const d = rt.store.disputes.all().at(-1)!;
  expect(d).toMatchObject({ status: 'open', arbitrator: 'pat' });
  return d;
}
