import type { CoverageRule, Policy } from '../policy/schema.js';
import type { Account } from '../types.js';

function matches(expected: string | boolean | string[] | undefined, actual: string | null): boolean {
  if (expected === undefined) return true;
  if (actual === null) return false;
  const want = Array.isArray(expected) ? expected : [String(expected)];
  return want.some((w) => w.toLowerCase() === actual.toLowerCase());
}

/** The first coverage rule whose `when` matches the account (the policy guarantees a catch-all). */
export function coverageFor(account: Account, policy: Policy): CoverageRule {
  for (const rule of policy.coverage) {
    const w = rule.when;
    if (
      matches(w.tier, account.tier) &&
      matches(w.segment, account.segment) &&
      matches(w.region, account.region) &&
      (w.customer === undefined || w.customer === account.isCustomer)
    ) {
      return rule;
    }
  }
  return policy.coverage.at(-1)!;
}

/** The people who may rule a case of this coverage: the arbitrator, then the escalation chain. */
export function arbitrationChain(rule: CoverageRule): string[] {
  return [rule.arbitrator, ...rule.escalation];
}
