/**
 * A dispute one of the company's people raises for a partner (a partner manager for a partner
 * not in chat), as a claim is filed for one: the case is that partner's, in its criteria, its
 * parties, the ledger, the refusals and the replies; a partner's own user raises it for their
 * own partner only, whatever their form sends.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { submitClaim } from '../../handlers/claim.js';
import { disputeForm, submitDispute } from '../../handlers/dispute.js';
import { submitAnswer } from '../../handlers/answer.js';
import { submitAsk, submitAward } from '../../handlers/rule.js';
import type { Reply } from '../../handlers/replies/model.js';
import { raiseDispute } from '../../src/core/disputes/disputes.service.js';
import { policyTextWith } from '../support/builders.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { catchErr } from '../support/replies.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
afterEach(() => rt?.close());
const dir = mkdtempSync(join(tmpdir(), 'roe-dispute-for-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = () => ({ origin: consoleOrigin, requestKey: null });
const lines = (r: Reply) => r.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
const ledger = () => [...rt.store.ledger.entries()];
/** A chat user's pseudonym in the ledger. */
const actorOf = (userKey: string) => (rt.db.sqlite.prepare('SELECT actor_id AS id FROM actors WHERE user_key = ?').get(userKey) as { id: string } | undefined)?.id;
/** Outbox messages to a user whose key holds `who`, as stored. */
const dmsTo = (who: string) => (rt.db.sqlite.prepare("select body, target from outbox where target like '%\"user\"%'").all() as { body: string; target: string }[]).filter((m) => (JSON.parse(m.target) as { user: string }).user === who).map((m) => m.body);

/** The example policy with first registration only recommending: a dispute over a held line waits for the arbitrator. */
function manualRuntime(): TestRuntime {
  const policy = join(dir, 'manual.yaml');
  writeFileSync(policy, policyTextWith([['{ rule: first-registration, auto: true }', '{ rule: first-registration, auto: false }']]));
  return testRuntime({ policyPath: policy });
}

describe('the dispute form', () => {
  it("offers one of the company's people a Dispute for choice, Direct sales first and by default, then the partners; a partner's user none", () => {
    rt = testRuntime();
    const mine = disputeForm(rt.deps, as.person(rt, 'sam'), 'acme');
    expect(mine.fields.map((f) => f.id)).toEqual(['account', 'claimant', 'product', 'against', 'reason', 'evidence']);
    expect(mine.fields[1]).toMatchObject({
      label: 'Dispute for',
      kind: 'select',
      required: true,
      options: [
        { value: 'direct', label: 'Direct sales' },
        { value: 'contoso', label: 'Contoso Consulting' },
        { value: 'fabrikam', label: 'Fabrikam Systems' },
        { value: 'northwind', label: 'Northwind Partners' },
      ],
      initial: { value: 'direct', label: 'Direct sales' },
    });
    const theirs = disputeForm(rt.deps, as.partner(rt, 'contoso'), 'acme');
    expect(theirs.fields.map((f) => f.id)).toEqual(['account', 'product', 'against', 'reason', 'evidence']);
    // The reason is asked as the one raising it reads it: for the party chosen, or for their own.
    expect(mine.fields.find((f) => f.id === 'reason')?.placeholder).toBe('Why should the account go to the party you raise it for?');
    expect(theirs.fields.find((f) => f.id === 'reason')?.placeholder).toBe('Why should the account be yours?');
    // Who reads it, said to a colleague, whose reason reaches the partner they raise it for.
    expect(mine.fields.find((f) => f.id === 'reason')?.hint).toBe('Read by your colleagues, the arbitrator and, for a partner, that partner’s people: never by another partner.');
  });
});

describe('a dispute raised for a partner', () => {
  it('is the partner’s case: its parties, the reply, and the ledger’s entry of who raised it as which party', () => {
    rt = manualRuntime();
    const r = submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'acme', claimant: 'contoso', product: 'Analytics', reason: 'Contoso ran the workshops with their CIO' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'open', raisedBy: 'console:sam', raisedAs: 'contoso', parties: ['contoso', 'northwind'] });
    expect(r.summary).toBe(`Dispute #${d.id} raised for Contoso Consulting`);
    expect(lines(r)[0]).toMatch(new RegExp(`^Dispute #${d.id} on Acme Corporation \\(Analytics\\) for Contoso Consulting is with Pat Okafor, due `));
    const opened = ledger().find((e) => e.kind === 'dispute.opened' && e.subject === `dispute:${d.id}`)!;
    expect(actorOf('console:sam')).toMatch(/^user-/);
    expect(opened.actor).toBe(actorOf('console:sam'));
    expect(opened.payload).toMatchObject({ account: 'acme', productLine: 'Analytics', parties: ['contoso', 'northwind'], raisedAs: 'contoso' });
  });

  it('its colleague gets the updates a raiser gets: the question, answered for the partner, and the ruling', () => {
    rt = manualRuntime();
    submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'acme', claimant: 'contoso', product: 'Analytics', reason: 'Contoso ran the workshops with their CIO' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    submitAsk(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), question: 'When did Contoso first meet them?' });
    expect(dmsTo('sam').join('\n')).toContain('When did Contoso first meet them?');
    submitAnswer(rt.deps, as.person(rt, 'sam'), { dispute: String(d.id), answer: 'In March, at their offices.' });
    expect(ledger().filter((e) => e.kind === 'dispute.info_answered').at(-1)).toMatchObject({ actor: actorOf('console:sam'), payload: { party: 'contoso' } });
    submitAward(rt.deps, as.person(rt, 'pat'), { dispute: String(d.id), party: 'contoso', rationale: 'Contoso brought the customer to the last two QBRs.' });
    const ruled = dmsTo('sam').filter((b) => b.includes('is ruled'));
    expect(ruled).toHaveLength(1);
    expect(ruled[0]).toContain('Contoso Consulting owns it.');
  });

  it('settled by the criteria, it says so for the partner, with what can change it; the partner’s user with a claim there is told as a party', () => {
    rt = testRuntime();
    submitClaim(rt.deps, as.partner(rt, 'contoso'), { account: 'soylent', route: 'resell', product: 'Analytics', opportunity: 'Soylent pilot', stage: 'proposal', amount: '', evidence: '' }, meta());
    // Soylent becomes a customer whose incumbent is Fabrikam: the criteria give it the line.
    rt.store.accounts.upsert({ ...rt.store.accounts.get('soylent')!, isCustomer: true, incumbentPartnerId: 'fabrikam' });
    const r = submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'soylent', claimant: 'contoso', product: 'Analytics', reason: 'Contoso has run Soylent for a year' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ status: 'settled', raisedAs: 'contoso', winner: 'fabrikam' });
    expect(r.summary).toBe(`Dispute #${d.id} for Contoso Consulting settled by the criteria`);
    expect(r.blocks[0]).toEqual({ type: 'text', text: `Dispute #${d.id} on Soylent Corp (Analytics) for Contoso Consulting was settled at once by the criteria: Fabrikam Systems owns it.`, tone: 'attention' });
    expect(lines(r).join('\n')).toContain('a dispute over the same facts is settled the same way');
    expect(dmsTo('contoso-user').join('\n')).toContain(`Dispute #${d.id} was raised over Soylent Corp (Analytics) and settled at once by the criteria`);
  });

  it('a partner typed by name is taken, as the claim form takes it; a name no partner has is refused on the field, and nothing is raised', () => {
    rt = manualRuntime();
    submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'acme', claimant: '  contoso CONSULTING ', product: 'Analytics', reason: 'Contoso ran the workshops' }, meta());
    expect(rt.store.disputes.all().at(-1)).toMatchObject({ raisedAs: 'contoso' });
    const before = ledger().length;
    const e = catchErr(() => submitDispute(rt.deps, as.person(rt, 'sam'), { account: 'wayne', claimant: 'Nobody Inc', product: 'Services', reason: 'Nobody ran the workshops' }, meta()));
    expect(e.fields).toEqual({ claimant: 'No partner named "Nobody Inc"' });
    expect(ledger().length).toBe(before);
    expect(rt.store.disputes.forAccount('wayne')).toEqual([]);
  });
});

describe('the refusals of a dispute raised for a partner name the partner, not "you"', () => {
  it('a line nobody else holds: file a claim for the partner; a line the partner holds already: held by the partner', () => {
    rt = testRuntime();
    const sam = as.person(rt, 'sam');
    // Stark's named owner is Northwind.
    const owner = catchErr(() => submitDispute(rt.deps, sam, { account: 'stark', claimant: 'northwind', product: 'Analytics', reason: 'Stark is theirs, surely' }, meta()));
    expect(owner.message).toBe('Nothing to dispute: no other party holds Stark Industries (Analytics). File a claim for Northwind Partners with /claim instead.');
    // Initech (Core Platform) is Contoso's by the demo claim.
    const own = rt.store.claims.forAccount('initech').find((c) => c.claimant === 'contoso')!;
    const held = catchErr(() => submitDispute(rt.deps, sam, { account: 'initech', claimant: 'contoso', product: 'Core Platform', reason: 'Initech is theirs, surely' }, meta()));
    expect(held.message).toBe(`Nothing to dispute: Initech LLC (Core Platform) is already held by Contoso Consulting (claim #${own.id}), and no other party holds it.`);
    expect(held.fields).toEqual({ account: `Already held by Contoso Consulting for Core Platform (claim #${own.id}): nothing to dispute` });
    const against = catchErr(() => submitDispute(rt.deps, sam, { account: 'initech', claimant: 'contoso', product: 'Core Platform', against: String(own.id), reason: 'Initech is theirs, surely' }, meta()));
    expect(against.fields).toEqual({ against: `Claim #${own.id} is Contoso Consulting’s own: give another party’s claim number, or leave it empty` });
    expect(rt.store.disputes.all()).toEqual([]);
  });

  it('a case already open on the line: the partner’s claim is in it, or a claim for the partner joins it', () => {
    rt = testRuntime();
    const d = openArbitratedCase(rt);
    const contosos = rt.store.claims.forAccount('soylent').find((c) => c.claimant === 'contoso')!;
    const sam = as.person(rt, 'sam');
    const inIt = catchErr(() => submitDispute(rt.deps, sam, { account: 'soylent', claimant: 'contoso', product: 'Analytics', reason: 'Contoso ran the workshops' }, meta()));
    expect(inIt.message).toBe(`Dispute #${d.id} is already open on Soylent Corp (Analytics); claim #${contosos.id} of Contoso Consulting is in it, and its arbitrator decides between the parties.`);
    const outside = catchErr(() => submitDispute(rt.deps, sam, { account: 'soylent', claimant: 'fabrikam', product: 'Analytics', reason: 'Fabrikam ran the workshops' }, meta()));
    expect(outside.message).toBe(`Dispute #${d.id} is already open on Soylent Corp (Analytics); to take part, file a claim for Fabrikam Systems on Soylent Corp (Analytics): it joins that dispute, with your evidence.`);
  });
});

describe("a partner's user raises disputes for their own partner only", () => {
  it('a forged `claimant` in their form is ignored: the case is their partner’s, and the ledger says so', () => {
    rt = testRuntime();
    submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'acme', claimant: 'northwind', product: 'Analytics', reason: 'We have worked Acme for a year' }, meta());
    const d = rt.store.disputes.all().at(-1)!;
    expect(d).toMatchObject({ raisedBy: 'console:contoso-user', raisedAs: 'contoso', parties: ['contoso', 'northwind'] });
    expect(ledger().find((e) => e.kind === 'dispute.opened' && e.subject === `dispute:${d.id}`)?.payload).toMatchObject({ raisedAs: 'contoso' });
  });

  it('the core refuses another partner asked for by a partner’s user, and records nothing', () => {
    rt = testRuntime();
    const before = ledger().length;
    const e = catchErr(() => rt.store.transaction(() => raiseDispute(rt.ctx, as.partner(rt, 'contoso'), { accountId: 'acme', productLine: 'Analytics', reason: 'We have worked Acme for a year', evidence: '', origin: null, requestKey: null, raisedAs: 'fabrikam' })));
    expect(e.code).toBe('forbidden');
    expect(e.message).toBe('You can claim, dispute and log activity only for your own organisation.');
    expect(ledger().length).toBe(before);
    expect(rt.store.disputes.all()).toEqual([]);
  });
});
