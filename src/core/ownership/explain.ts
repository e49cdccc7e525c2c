import type { PartyId, RuleVerdict } from '../types.js';

export interface ExplainOptions {
  /** Display name of a party as this viewer may see it ("another party" for an external viewer). */
  nameOf: (party: PartyId) => string;
  /** A date as the viewer reads it. */
  formatDate: (iso: string) => string;
  /** A date and time as the viewer reads it: for two registrations on the same date, which came first. */
  formatDateTime?: (iso: string) => string;
  /**
   * Whether the reader is one of the company's people, who may read that an account's named owner
   * or incumbent left the partner programme; a partner's user reads only that it has none.
   */
  internal?: boolean;
}

const RULE_TITLES = {
  'named-account': 'Named account',
  'direct-reserved': 'Direct-reserved coverage',
  incumbent: 'Incumbent partner',
  'first-registration': 'First registration',
  'furthest-stage': 'Furthest stage',
} as const;

export function ruleTitle(rule: RuleVerdict['rule']): string {
  return RULE_TITLES[rule];
}

/** The rule that left the parties level: the one before, or (a rule passed in between) the one named. */
const levelOn = (rule: RuleVerdict['rule'] | undefined) => (rule ? `an earlier rule (${RULE_TITLES[rule]})` : 'the rule before');

/** One sentence a partner can read and accept: what the rule looked at and what it found. */
export function explainVerdict(v: RuleVerdict, o: ExplainOptions): string {
  const r = v.reason;
  switch (r.code) {
    case 'named-owner':
      return `The account is a named account of ${o.nameOf(r.owner)}.`;
    case 'no-named-owner':
      return r.left && o.internal ? `${o.nameOf(r.left)} is recorded as the named owner of the account, but left the partner programme: the account has no named owner.` : 'The account has no named owner.';
    case 'direct-led':
      return `Coverage "${r.coverage}" is direct-led, so the direct team owns it.`;
    case 'not-direct-led':
      return `Coverage "${r.coverage}" is ${r.model}, not direct-led.`;
    case 'incumbent':
      return `${o.nameOf(r.partner)} is the incumbent partner of this customer.`;
    case 'no-incumbent':
      if (r.left && o.internal) return `${o.nameOf(r.left)} is recorded as the incumbent partner of this customer, but left the partner programme: the account has no incumbent partner.`;
      return r.notCustomer ? 'The account is not a customer, so no partner is its incumbent.' : 'The account has no incumbent partner.';
    case 'earliest': {
      // Registrations of one date read the same as dates: their times tell which came first.
      const sameDate = o.formatDate(r.at) === o.formatDate(r.nextAt) && o.formatDateTime !== undefined;
      const when = (iso: string) => (sameDate ? o.formatDateTime!(iso) : o.formatDate(iso));
      const lead = `${r.tied ? `Of the parties level on ${levelOn(r.levelOn)}, ` : ''}${o.nameOf(r.winner)} registered first (${when(r.at)})`;
      // Within the same minute the times read the same too: how much earlier tells it.
      if (sameDate && when(r.at) === when(r.nextAt)) {
        const seconds = Math.floor((Date.parse(r.nextAt) - Date.parse(r.at)) / 1000);
        return `${lead}, ${seconds < 1 ? 'less than a second' : seconds === 1 ? '1 second' : `${seconds} seconds`} before ${o.nameOf(r.next)}.`;
      }
      return `${lead}, before ${o.nameOf(r.next)} (${when(r.nextAt)}).`;
    }
    case 'same-time':
      return 'The earliest registrations were made at the same moment.';
    case 'single-claim':
      return `${o.nameOf(r.winner)} holds the only live registration (${o.formatDate(r.at)}).`;
    case 'furthest':
      return `${r.tied ? `Of the parties level on ${levelOn(r.levelOn)}, the` : 'The'} opportunity of ${o.nameOf(r.winner)} is furthest along (${r.stage}, against ${r.nextStage} for ${o.nameOf(r.next)}).`;
    case 'same-stage':
      return `The leading opportunities are at the same stage (${r.stage}).`;
    case 'nothing-to-compare':
      return 'Only one party has a live registration: there is no race to compare.';
    case 'unknown-stage':
      return `Stage "${r.stage}" is not one of the policy's stages, so the opportunities cannot be compared.`;
    case 'no-claims':
      return 'There are no live registrations to compare.';
    case 'earlier-rule':
      return 'Not needed: an earlier rule picked one owner.';
    case 'not-among-tied': {
      const found = r.found === 'named-owner' ? `The account is a named account of ${o.nameOf(r.owner)}` : r.found === 'incumbent' ? `${o.nameOf(r.owner)} is the incumbent partner of this customer` : 'The coverage is direct-led';
      const who = r.found === 'direct-led' ? 'the direct team is' : `${r.found === 'named-owner' ? 'that owner' : 'that partner'} is`;
      return `${found}, but ${who} not among the parties level on ${levelOn(r.levelOn)}, and a tie is broken among those alone.`;
    }
  }
}

/**
 * The verdict's outcome word, for traces. `decided`: whether the pick settled the matter, which
 * an `auto` pick does unless its case went to an arbitrator all the same (a flagged partner,
 * coverage that requires approval, a ruling that stands): then it only recommends.
 */
export function outcomeLabel(v: RuleVerdict, decided = v.auto): string {
  if (v.outcome === 'picked') return decided ? 'decides' : 'recommends';
  // A rule that picked nobody did not decide ("passes" read as if its condition were met).
  return v.outcome === 'passed' ? 'does not decide' : 'not reached';
}
