/**
 * A noisy or hostile partner's user in a shared channel: numbers tried one by one tell them
 * nothing of the cases and claims of other parties (one that does not exist reads as one that is
 * not theirs), and a dispute raised again and again over what was just decided is refused rather
 * than posted to the channel and sent to the rival each time; answers to an arbitrator's question
 * are a few per question, not a stream of DMs.
 */
import { describe, expect, it } from 'vitest';
import { submitAnswer } from '../../handlers/answer.js';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, askForm, awardForm, caseCard, submitAsk, submitAward } from '../../handlers/rule.js';
import { roe } from '../../handlers/roe.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import type { Principal } from '../../src/core/authz.js';
import { consoleOrigin, ledgerKinds, openArbitratedCase, outbox } from '../support/cases.js';
import { catchErr, runtimesClosedAfterEach } from '../support/replies.js';
import { as, type TestRuntime } from '../support/runtime.js';

const runtime = runtimesClosedAfterEach();
const meta = () => ({ origin: consoleOrigin, requestKey: null });
const deal = { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Deal', stage: 'proposal', amount: '', evidence: '' };

/** What `fn`'s refusal says, with the number asked for written as `#N`, so that two numbers compare. */
function refusal(fn: () => unknown, n: number): { code: string; message: string } {
  const e = catchErr(fn);
  return { code: e.code, message: e.message.replaceAll(`#${n}`, '#N') };
}

describe('a partner trying case and claim numbers', () => {
  /** A case between Northwind and Contoso, and a number no case has. */
  function setUp(): { rt: TestRuntime; id: number; none: number; fabrikam: Principal } {
    const rt = runtime();
    const d = openArbitratedCase(rt);
    return { rt, id: d.id, none: d.id + 40, fabrikam: as.partner(rt, 'fabrikam') };
  }

  it('/roe case N: a case of other parties and one that does not exist read alike', () => {
    const { rt, id, none, fabrikam } = setUp();
    const theirs = refusal(() => roe(rt.deps, fabrikam, `case ${id}`), id);
    expect(theirs.message).toBe('Dispute #N is not one your organisation is a party to.');
    expect(refusal(() => roe(rt.deps, fabrikam, `case ${none}`), none)).toEqual(theirs);
    // A forged refresh of a case card, too.
    expect(refusal(() => caseCard(rt.deps, fabrikam, String(none)), none)).toEqual(theirs);
  });

  it('the ruling buttons and forms, and Snooze: no arbitrator named, nothing told of whether the case exists', () => {
    const { rt, id, none, fabrikam } = setUp();
    const tries: [string, (n: number) => unknown][] = [
      ['approve', (n) => approve(rt.deps, fabrikam, `${n}:northwind`)],
      ['award form', (n) => awardForm(rt.deps, fabrikam, String(n))],
      ['ask form', (n) => askForm(rt.deps, fabrikam, String(n))],
      ['award sent', (n) => submitAward(rt.deps, fabrikam, { dispute: String(n), party: 'fabrikam', rationale: 'We were there first, for months.', claims: '2' })],
      ['snooze', (n) => snoozeReminder(rt.deps, fabrikam, `${n}:1h`)],
    ];
    for (const [what, run] of tries) {
      const theirs = refusal(() => run(id), id);
      expect(theirs.message, what).toBe('Dispute #N is not one your organisation is a party to.');
      expect(refusal(() => run(none), none), what).toEqual(theirs);
    }
    expect(rt.store.disputes.get(id)).toMatchObject({ status: 'open' });
  });

  it('a party of the case is still told who rules on it', () => {
    const { rt, id } = setUp();
    expect(catchErr(() => approve(rt.deps, as.partner(rt, 'contoso'), `${id}:northwind`)).message).toMatch(/^Only Pat Okafor \(the assigned arbitrator\) or someone above them/);
  });

  it('/roe activity N: another partner’s claim and one that does not exist read alike, and the company’s people still read "No claim"', () => {
    const { rt, fabrikam } = setUp();
    const claim = rt.store.claims.all().find((c) => c.claimant === 'contoso')!;
    const none = claim.id + 40;
    const theirs = refusal(() => roe(rt.deps, fabrikam, `activity ${claim.id}`), claim.id);
    expect(theirs.message).toBe('Claim #N is not one of your organisation’s claims. /roe mine lists yours, with their numbers.');
    expect(refusal(() => roe(rt.deps, fabrikam, `activity ${none}`), none)).toEqual(theirs);
    expect(catchErr(() => roe(rt.deps, as.person(rt, 'sam'), `activity ${none}`)).message).toBe(`No claim #${none}.`);
  });

  it('a user of no partner learns nothing of a case either', () => {
    const { rt, id, none } = setUp();
    const stranger = as.stranger(rt);
    const seen = refusal(() => caseCard(rt.deps, stranger, String(id)), id);
    expect(seen.code).toBe('unknown_user');
    expect(refusal(() => caseCard(rt.deps, stranger, String(none)), none)).toEqual(seen);
    expect(refusal(() => approve(rt.deps, stranger, `${none}:northwind`), none)).toEqual(refusal(() => approve(rt.deps, stranger, `${id}:northwind`), id));
  });
});

describe('a dispute raised again over what was just decided', () => {
  const again = (rt: TestRuntime, who = as.partner(rt, 'contoso')) => submitDispute(rt.deps, who, { account: 'soylent', product: 'Analytics', reason: 'We have worked Soylent for a year' }, meta());

  it('settled at once by the criteria: raised again with nothing changed, it is refused, and nobody is told again', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), deal, meta());
    again(rt);
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'settled', raisedAs: 'contoso' });
    const sent = outbox(rt).length;
    const entries = ledgerKinds(rt).length;
    // Another user of the same partner, a minute later.
    rt.clock.advance(60_000);
    const e = catchErr(() => again(rt, as.partner(rt, 'contoso', 'contoso-other')));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(
      `Dispute #${d.id} on Soylent Corp (Analytics) was settled at once by the criteria on Nov 30, 2026, 10:00 AM EST, over the claims there now: raised again, it would be settled the same way. Raise it again from Dec 1, 2026, 10:00 AM EST, or once the claims there change. If a fact the criteria used is wrong, your partner manager can correct it and raise it for you.`,
    );
    expect(rt.store.disputes.all()).toHaveLength(1);
    expect(outbox(rt)).toHaveLength(sent);
    expect(ledgerKinds(rt)).toHaveLength(entries);
  });

  it('ruled by the arbitrator: refused too, naming the ruling', () => {
    const rt = runtime();
    const d = openArbitratedCase(rt);
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'northwind', rationale: 'Northwind brought the customer to us.', claims: String(d.claimIds.length) });
    expect(rt.store.disputes.get(d.id)).toMatchObject({ status: 'ruled', winner: 'northwind' });
    rt.clock.advance(2 * 3_600_000);
    // Northwind holds it now; the claims of the case are all there is, so raising it again changes nothing.
    const e = catchErr(() => again(rt));
    expect(e.message).toMatch(new RegExp(`^Dispute #${d.id} on Soylent Corp \\(Analytics\\) was ruled by Pat Okafor on Nov 30, 2026, 10:00 AM EST, over the claims there now: its ruling stands\\.`));
    expect(rt.store.disputes.all()).toHaveLength(1);
  });

  it('raised again a day later, or once the claim it went to is no longer live, it is raised', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), deal, meta());
    again(rt);
    rt.clock.advance(24 * 3_600_000);
    again(rt);
    expect(rt.store.disputes.all()).toHaveLength(2);
    // Northwind's claim closes (its deal lost, as the CRM says) and Fabrikam holds the line now.
    const held = rt.store.claims.all().find((c) => c.claimant === 'northwind' && c.accountId === 'soylent')!;
    rt.store.claims.update(held.id, { status: 'lost' });
    submitClaim(rt.deps, as.partner(rt, 'fabrikam'), deal, meta());
    again(rt);
    expect(rt.store.disputes.all().map((d) => [d.raisedAs, d.status, d.winner])).toEqual([
      ['contoso', 'settled', 'northwind'],
      ['contoso', 'settled', 'northwind'],
      ['contoso', 'settled', 'fabrikam'],
    ]);
  });

  it('one of the company’s people may raise it again for the partner (a fact corrected meanwhile)', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), deal, meta());
    again(rt);
    submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'soylent', claimant: 'contoso', product: 'Analytics', reason: 'The incumbent was corrected in the CRM' }, meta());
    expect(rt.store.disputes.all().map((d) => d.raisedAs)).toEqual(['contoso', 'contoso']);
  });

  it('another party may still raise its own', () => {
    const rt = runtime();
    submitClaim(rt.deps, as.partner(rt, 'northwind'), deal, meta());
    again(rt);
    again(rt, as.partner(rt, 'fabrikam'));
    expect(rt.store.disputes.all().map((d) => d.raisedAs)).toEqual(['contoso', 'fabrikam']);
  });
});

describe('answers sent again and again to the arbitrator', () => {
  it('a party sends at most five answers to a question; the sixth is refused and not sent, and the next question may be answered again', () => {
    const rt = runtime();
    const d = openArbitratedCase(rt);
    const pat = as.person(rt, 'pat');
    const ask = () => submitAsk(rt.deps, pat, { dispute: String(d.id), question: 'When did you first meet them?' });
    const toPat = () => outbox(rt).filter((m) => m.target === JSON.stringify({ kind: 'user', user: 'pat' })).length;
    ask();
    // A second apart each, as a person sends them.
    const answer = (i: number, who = as.partner(rt, 'contoso')) => {
      rt.clock.advance(1000);
      return submitAnswer(rt.deps, who, { dispute: String(d.id), answer: `In May, part ${i}.` }, { requestKey: `k${i}` });
    };
    const before = toPat();
    for (let i = 1; i <= 5; i++) answer(i);
    expect(toPat()).toBe(before + 5);
    // The fifth sent again (a double click) is no refusal: it was sent once.
    answer(5);
    const entries = ledgerKinds(rt).length;
    // Another user of the same partner.
    const e = catchErr(() => answer(6, as.partner(rt, 'contoso', 'contoso-other')));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe(`Your organisation has sent 5 answers to the last question on dispute #${d.id}, which Pat Okafor has. Your answer was not sent: should Pat Okafor ask again, answer then.`);
    expect(toPat()).toBe(before + 5);
    expect(ledgerKinds(rt)).toHaveLength(entries);
    // The other party still answers.
    answer(8, as.partner(rt, 'northwind'));
    expect(toPat()).toBe(before + 6);
    ask();
    answer(7);
    expect(toPat()).toBe(before + 7);
  });
});
