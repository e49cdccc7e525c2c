/**
 * The authorisation matrix: every state-changing action × every kind of person. This table
 * is the documentation of who may do what; README links here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitClaim } from '../../handlers/claim.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve, submitAsk, submitAward } from '../../handlers/rule.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { submitAnswer } from '../../handlers/answer.js';
import { tick } from '../../src/app/scheduler.js';
import type { Principal } from '../../src/core/authz.js';
import { isDomainError } from '../../src/core/errors.js';
import type { Dispute } from '../../src/core/types.js';
import { consoleOrigin, openArbitratedCase } from '../support/cases.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

type Who = 'claimant' | 'internal user' | 'arbitrator' | 'escalation chain' | 'external, same partner' | 'external, other partner' | 'unknown external';
const WHO: Who[] = ['claimant', 'internal user', 'arbitrator', 'escalation chain', 'external, same partner', 'external, other partner', 'unknown external'];

function principal(rt: TestRuntime, who: Who): Principal {
  switch (who) {
    case 'claimant':
      return as.partner(rt, 'northwind'); // console:northwind-user filed the Northwind claim
    case 'internal user':
      return as.person(rt, 'sam');
    case 'arbitrator':
      return as.person(rt, 'pat');
    case 'escalation chain':
      return as.person(rt, 'dana');
    case 'external, same partner':
      return as.partner(rt, 'northwind', 'northwind-colleague');
    case 'external, other partner':
      return as.partner(rt, 'fabrikam');
    case 'unknown external':
      return as.stranger(rt);
  }
}

interface Action {
  name: string;
  run: (rt: TestRuntime, p: Principal, d: Dispute) => void;
  allowed: Who[];
}

const ACTIONS: Action[] = [
  { name: 'approve the recommendation', run: (rt, p, d) => approve(rt.deps, p, d.id), allowed: ['arbitrator', 'escalation chain'] },
  { name: 'award to another party', run: (rt, p, d) => submitAward(rt.deps, p, { dispute: String(d.id), party: 'contoso', rationale: 'Contoso sourced the opportunity.' }), allowed: ['arbitrator', 'escalation chain'] },
  { name: 'ask for information', run: (rt, p, d) => submitAsk(rt.deps, p, { dispute: String(d.id), question: 'Who met them first?' }), allowed: ['arbitrator', 'escalation chain'] },
  { name: 'snooze a reminder', run: (rt, p, d) => snoozeReminder(rt.deps, p, `${d.id}:1h`), allowed: ['arbitrator'] },
  // The case's own people answer a question on it (to the arbitrator alone): its parties' users, not the arbitrator, not another partner.
  { name: 'answer a question on the case', run: (rt, p, d) => submitAnswer(rt.deps, p, { dispute: String(d.id), answer: 'We met them in May.' }), allowed: ['claimant', 'external, same partner'] },
  {
    name: 'log activity on the Northwind claim',
    run: (rt, p, d) => logClaimActivity(rt.deps, p, rt.store.claims.get(d.claimIds[0]!)!.claimant === 'northwind' ? d.claimIds[0] : d.claimIds[1]),
    allowed: ['claimant', 'internal user', 'arbitrator', 'escalation chain', 'external, same partner'],
  },
  {
    name: 'register a deal for Northwind',
    run: (rt, p) => {
      const before = rt.store.claims.forClaimant('northwind').length;
      submitClaim(rt.deps, p, { account: 'acme-analytics', claimant: 'northwind', route: 'resell', product: 'Services', opportunity: 'D', stage: 'qualified' }, { origin: consoleOrigin, requestKey: null });
      // an external user's claim is always for their own partner, whatever they ask
      if (rt.store.claims.forClaimant('northwind').length === before) throw Object.assign(new Error('filed for another party'), { refusedAs: 'own-party-only' });
    },
    allowed: ['claimant', 'internal user', 'arbitrator', 'escalation chain', 'external, same partner'],
  },
  {
    name: 'raise a dispute',
    run: (rt, p) => submitDispute(rt.deps, p, { account: 'acme', product: 'Analytics', reason: 'We were there first' }, { origin: consoleOrigin, requestKey: null }),
    allowed: ['internal user', 'arbitrator', 'escalation chain', 'external, other partner'],
  },
  {
    name: 'raise a dispute for Contoso',
    run: (rt, p) => {
      submitDispute(rt.deps, p, { account: 'acme', claimant: 'contoso', product: 'Analytics', reason: 'They were there first' }, { origin: consoleOrigin, requestKey: null });
      // an external user's dispute is always for their own partner, whatever their form sends
      if (rt.store.disputes.all().at(-1)!.raisedAs !== 'contoso') throw Object.assign(new Error('raised for another party'), { refusedAs: 'own-party-only' });
    },
    allowed: ['internal user', 'arbitrator', 'escalation chain'],
  },
];

let rt: TestRuntime;
let dispute: Dispute;
beforeEach(() => {
  rt = testRuntime({ at: '2026-12-07T14:00:00Z' });
  dispute = openArbitratedCase(rt);
  // Monday 17:00 in New York: the arbitrator's first reminder rings, so that there is one to snooze.
  rt.clock.set('2026-12-07T22:00:00Z');
  tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
  dispute = rt.store.disputes.get(dispute.id)!;
});
afterEach(() => rt.close());

const rows = ACTIONS.flatMap((a) => WHO.map((w) => ({ action: a.name, who: w, allowed: a.allowed.includes(w), run: a.run })));

describe('authorisation matrix', () => {
  it.each(rows)('$action by $who: allowed=$allowed', ({ who, allowed, run }) => {
    const ledger = () => [...rt.store.ledger.entries()].length;
    const before = ledger();
    let refused: unknown = null;
    try {
      run(rt, principal(rt, who), dispute);
    } catch (e) {
      refused = e;
    }
    if (allowed) {
      expect(refused).toBeNull();
      expect(ledger()).toBeGreaterThan(before);
    } else {
      expect(refused).not.toBeNull();
      const known = isDomainError(refused) || (refused as { refusedAs?: string }).refusedAs === 'own-party-only';
      expect(known, String(refused)).toBe(true);
      // refused by rule: nothing changed, except a claim an external user could only file for themselves
      if ((refused as { refusedAs?: string }).refusedAs !== 'own-party-only') expect(ledger()).toBe(before);
    }
  });
});

describe('a refused ruling tells nothing of the case', () => {
  // Whoever may not rule reads the case's other parties as "another party": an award to the
  // party of that name, typed (as Teams takes a party when its list does not fit), is refused
  // as any ruling of theirs is, never with the ids of the parties the name would match.
  it.each(['claimant', 'external, same partner', 'external, other partner', 'unknown external'] as const)('an award typed as "another party" by the %s', (who) => {
    const before = [...rt.store.ledger.entries()].length;
    let refused: unknown = null;
    try {
      submitAward(rt.deps, principal(rt, who), { dispute: String(dispute.id), party: 'another party', rationale: 'Contoso sourced the opportunity.' });
    } catch (e) {
      refused = e;
    }
    expect(isDomainError(refused), String(refused)).toBe(true);
    const e = refused as { code: string; message: string; fields: Record<string, string> };
    expect(e.code).toBe('forbidden');
    expect(`${e.message} ${JSON.stringify(e.fields)}`).not.toMatch(/northwind|contoso/i);
    expect([...rt.store.ledger.entries()].length).toBe(before);
  });
});

/**
 * Recusal rows: nobody rules on a case they have a part in. In "Pat's claim" Pat filed a direct
 * claim against Northwind's, so the case went to Dana; in "Dana's claim" Dana filed one for
 * Fabrikam in the case Pat has. Whoever is refused for it is told why and who rules instead.
 */
describe('authorisation matrix: recusal', () => {
  type Setup = "Pat's claim" | "Dana's claim";
  // Not the account of the case every other row uses (Soylent): Wayne, of the same coverage.
  const values = { account: 'wayne', route: 'resell', product: 'Analytics', opportunity: 'Deal', amount: '', evidence: '' };
  function setUp(setup: Setup): Dispute {
    submitClaim(rt.deps, as.partner(rt, 'northwind'), { ...values, stage: setup === "Pat's claim" ? 'qualified' : 'proposal' }, { origin: consoleOrigin, requestKey: null });
    if (setup === "Pat's claim") submitClaim(rt.deps, as.person(rt, 'pat'), { ...values, stage: 'proposal' }, { origin: consoleOrigin, requestKey: null });
    else {
      submitClaim(rt.deps, as.partner(rt, 'contoso'), { ...values, stage: 'qualified' }, { origin: consoleOrigin, requestKey: null });
      submitClaim(rt.deps, as.person(rt, 'dana'), { ...values, stage: 'qualified', claimant: 'fabrikam' }, { origin: consoleOrigin, requestKey: null });
    }
    // Filed after hours on Monday; Tuesday 17:00 in New York: the assignee's first reminder rings, so that there is one to snooze.
    rt.clock.set('2026-12-08T22:00:00Z');
    tick(rt.db, rt.deps, rt.clock.now(), rt.logger);
    return rt.store.disputes.all().at(-1)!;
  }
  const RULINGS: { name: string; run: (p: Principal, d: Dispute) => void; assigneeOnly?: boolean }[] = [
    { name: 'approve the recommendation', run: (p, d) => approve(rt.deps, p, d.id) },
    { name: 'award to another party', run: (p, d) => submitAward(rt.deps, p, { dispute: String(d.id), party: 'northwind', rationale: 'Northwind sourced the opportunity.' }) },
    { name: 'ask for information', run: (p, d) => submitAsk(rt.deps, p, { dispute: String(d.id), question: 'Who met them first?' }) },
    { name: 'snooze a reminder', run: (p, d) => snoozeReminder(rt.deps, p, `${d.id}:1h`), assigneeOnly: true },
  ];
  const people: { setup: Setup; who: string; role: string; refusal: ((d: Dispute) => string) | null }[] = [
    { setup: "Pat's claim", who: 'pat', role: 'the arbitrator, who filed a claim in it', refusal: (d) => `You filed claim #${d.claimIds[1]} in dispute #${d.id}, so you cannot rule on it: Dana Reyes does.` },
    { setup: "Pat's claim", who: 'dana', role: 'the next of the chain, assigned', refusal: null },
    { setup: "Pat's claim", who: 'vp', role: 'above the assignee', refusal: null },
    { setup: "Dana's claim", who: 'dana', role: 'above the arbitrator, who filed a claim in it', refusal: (d) => `You filed claim #${d.claimIds[2]} in dispute #${d.id}, so you cannot rule on it: Pat Okafor does.` },
    { setup: "Dana's claim", who: 'pat', role: 'the arbitrator', refusal: null },
    { setup: "Dana's claim", who: 'vp', role: 'above them both', refusal: null },
  ];
  const recusalRows = RULINGS.flatMap((a) => people.map((p) => ({ ...p, action: a.name, run: a.run, assigneeOnly: a.assigneeOnly ?? false })));
  it.each(recusalRows)("$setup: $action by $who ($role)", ({ setup, who, refusal, run, assigneeOnly }) => {
    const d = setUp(setup);
    const before = [...rt.store.ledger.entries()].length;
    const p = as.person(rt, who);
    if (refusal) {
      expect(() => run(p, d)).toThrow(refusal(d));
      expect([...rt.store.ledger.entries()].length).toBe(before);
    } else if (assigneeOnly && who !== d.arbitrator) {
      expect(() => run(p, d)).toThrow(/Only the assigned arbitrator can snooze/);
    } else {
      run(p, d);
      expect([...rt.store.ledger.entries()].length).toBeGreaterThan(before);
    }
  });
});
