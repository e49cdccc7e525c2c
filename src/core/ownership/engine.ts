import type { CoverageRule, Criterion } from '../policy/schema.js';
import { DIRECT, type Account, type Decision, type PartyId, type RuleName, type RuleVerdict, type VerdictReason } from '../types.js';

/** A live claim as the criteria see it. */
export interface Contender {
  claimId: number;
  party: PartyId;
  registeredAt: Date;
  stage: string;
}

export interface DecideInput {
  account: Account;
  coverage: CoverageRule;
  criteria: readonly Criterion[];
  /** Opportunity stages, earliest first. */
  stages: readonly string[];
  /** Only live (pending or protected) claims on the account and product line. */
  contenders: readonly Contender[];
  /**
   * The partners taken out of the programme (`roe partner close`): an account that still names
   * one as its named owner or incumbent (the CRM's accounts not imported without it yet) has
   * none. None when left out.
   */
  outOfProgramme?: ReadonlySet<PartyId>;
}

/**
 * `tiedLeaders`: the rule found several parties level at the top (the same stage, the same
 * moment): the rules after it choose among those alone, never a party it placed behind them.
 */
type RuleResult = { winner: PartyId | null; reason: VerdictReason; tiedLeaders?: PartyId[] };

/**
 * The account's incumbent partner. Only a customer has one: a partner recorded on a prospect
 * is not an incumbent, so neither the incumbent rule nor overlap detection use it.
 */
export function incumbentOf(account: Account): PartyId | null {
  return account.isCustomer ? account.incumbentPartnerId : null;
}

/** Each party's earliest live claim. */
function earliestPerParty(contenders: readonly Contender[]): Contender[] {
  const best = new Map<PartyId, Contender>();
  for (const c of contenders) {
    const cur = best.get(c.party);
    if (!cur || c.registeredAt < cur.registeredAt) best.set(c.party, c);
  }
  return [...best.values()];
}

const RULE_IMPL: Record<RuleName, (input: DecideInput) => RuleResult> = {
  'named-account': ({ account, outOfProgramme }) => {
    const owner = account.namedOwner;
    if (owner && outOfProgramme?.has(owner)) return { winner: null, reason: { code: 'no-named-owner', left: owner } };
    return owner ? { winner: owner, reason: { code: 'named-owner', owner } } : { winner: null, reason: { code: 'no-named-owner' } };
  },
  'direct-reserved': ({ coverage }) =>
    coverage.model === 'direct-led'
      ? { winner: DIRECT, reason: { code: 'direct-led', coverage: coverage.name } }
      : { winner: null, reason: { code: 'not-direct-led', coverage: coverage.name, model: coverage.model } },
  incumbent: ({ account, outOfProgramme }) => {
    const incumbent = incumbentOf(account);
    if (incumbent && outOfProgramme?.has(incumbent)) return { winner: null, reason: { code: 'no-incumbent', left: incumbent } };
    // A partner recorded on an account that is no customer (yet) is no incumbent: the explanation says why.
    if (incumbent) return { winner: incumbent, reason: { code: 'incumbent', partner: incumbent } };
    return { winner: null, reason: account.incumbentPartnerId && !account.isCustomer ? { code: 'no-incumbent', notCustomer: true } : { code: 'no-incumbent' } };
  },
  'first-registration': ({ contenders }) => {
    const firsts = earliestPerParty(contenders).sort((a, b) => a.registeredAt.getTime() - b.registeredAt.getTime());
    const [first, second] = firsts;
    if (!first) return { winner: null, reason: { code: 'no-claims' } };
    if (!second) return { winner: first.party, reason: { code: 'single-claim', winner: first.party, at: first.registeredAt.toISOString() } };
    if (first.registeredAt.getTime() === second.registeredAt.getTime()) {
      return { winner: null, reason: { code: 'same-time' }, tiedLeaders: firsts.filter((c) => c.registeredAt.getTime() === first.registeredAt.getTime()).map((c) => c.party) };
    }
    return {
      winner: first.party,
      reason: { code: 'earliest', winner: first.party, at: first.registeredAt.toISOString(), next: second.party, nextAt: second.registeredAt.toISOString() },
    };
  },
  'furthest-stage': ({ contenders, stages }) => {
    const rank = (stage: string) => stages.findIndex((s) => s.toLowerCase() === stage.toLowerCase());
    // Each party's furthest claim; a party with a claim at a stage the policy does not list
    // (data from before stages were checked, or another version's stages) cannot be ranked.
    const perParty = new Map<PartyId, Contender>();
    let unranked: string | null = null;
    for (const c of contenders) {
      if (rank(c.stage) < 0) unranked ??= c.stage;
      const cur = perParty.get(c.party);
      if (!cur || rank(c.stage) > rank(cur.stage)) perParty.set(c.party, c);
    }
    const ranked = [...perParty.values()].sort((a, b) => rank(b.stage) - rank(a.stage));
    const [top, next] = ranked;
    if (!top) return { winner: null, reason: { code: 'no-claims' } };
    if (!next) return { winner: null, reason: { code: 'nothing-to-compare' } };
    // An unknown stage might be ahead of any known one: the stages cannot be compared.
    if (unranked !== null) return { winner: null, reason: { code: 'unknown-stage', stage: unranked } };
    if (rank(top.stage) === rank(next.stage)) {
      return { winner: null, reason: { code: 'same-stage', stage: top.stage }, tiedLeaders: ranked.filter((c) => rank(c.stage) === rank(top.stage)).map((c) => c.party) };
    }
    return { winner: top.party, reason: { code: 'furthest', winner: top.party, stage: top.stage, next: next.party, nextStage: next.stage } };
  },
};

/**
 * Runs the policy's criteria in order over the live claims of one account and product line.
 * The first rule that picks one owner decides; later rules are `not-reached`. A rule that
 * passes because several parties are level at the top (the same stage, the same moment)
 * leaves the later rules to break that tie among them alone: a party it placed behind them is
 * out of the running, and a later rule that looks at the account (a named owner, direct-led
 * coverage, an incumbent) passes when the party it finds is not among them. The decision settles the case only when the deciding rule is `auto`;
 * otherwise it is a recommendation. Pure and total: no rule throws, and the trace always
 * lists every criterion.
 */
export function decide(input: DecideInput): Decision {
  const trace: RuleVerdict[] = [];
  let decided: { winner: PartyId; rule: RuleName; auto: boolean } | null = null;
  let running = input;
  // The rule that left the running parties level, and the criterion before the one at hand.
  let levelOn: RuleName | null = null;
  let before: RuleName | null = null;
  // The rule that last found parties level at the top, whether or not it left anyone out: the
  // rules after it choose among those parties (all of the running, when nobody was behind them).
  let tieOn: RuleName | null = null;
  for (const criterion of input.criteria) {
    if (decided) {
      trace.push({ rule: criterion.rule, auto: criterion.auto, outcome: 'not-reached', winner: null, reason: { code: 'earlier-rule' } });
      continue;
    }
    let result = RULE_IMPL[criterion.rule](running);
    // A rule that looks at the account, not the claims, may find a party the tie left out of
    // the running (or one with no claim at all): it cannot choose among the tied parties.
    const found = result.reason.code;
    if (tieOn !== null && result.winner !== null && (found === 'named-owner' || found === 'direct-led' || found === 'incumbent') && !running.contenders.some((c) => c.party === result.winner)) {
      result = { winner: null, reason: { code: 'not-among-tied', owner: result.winner, found, ...(tieOn !== before ? { levelOn: tieOn } : {}) } };
    }
    const { winner, tiedLeaders } = result;
    // Chosen among the tied leaders alone: the explanation says so (a party out of the running
    // may have registered first), and names the rule that left them level when a rule passed
    // in between (all parties are level on that one).
    const reason =
      running !== input && (result.reason.code === 'earliest' || result.reason.code === 'furthest')
        ? { ...result.reason, tied: true as const, ...(levelOn !== null && levelOn !== before ? { levelOn } : {}) }
        : result.reason;
    trace.push({ rule: criterion.rule, auto: criterion.auto, outcome: winner ? 'picked' : 'passed', winner, reason });
    if (winner) decided = { winner, rule: criterion.rule, auto: criterion.auto };
    else if (tiedLeaders) {
      tieOn = criterion.rule;
      // Only when it leaves someone out: parties all level are still all in the running.
      const kept = running.contenders.filter((c) => tiedLeaders.includes(c.party));
      if (kept.length < running.contenders.length) {
        running = { ...running, contenders: kept };
        levelOn = criterion.rule;
      }
    }
    before = criterion.rule;
  }
  return decided ? { ...decided, trace } : { winner: null, rule: null, auto: false, trace };
}
