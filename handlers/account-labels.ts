import type { AccountMatch } from '../src/core/matching/matcher.js';
import type { Account } from '../src/core/types.js';
import type { HandlerDeps } from './deps.js';

/**
 * What to call each account in a list a person picks from: its name, and where two in the list
 * share a name, what tells them apart: the first web domain, else the region, else the id
 * ("Globex (globex.com)", "Globex (globex.de)"). A domain or id can also be typed where a name
 * is ambiguous.
 */
export function accountLabels(accounts: readonly Pick<Account, 'id' | 'name' | 'domains' | 'region'>[]): string[] {
  const key = (s: string) => s.trim().toLowerCase();
  const count = (labels: readonly string[]) => {
    const n = new Map<string, number>();
    for (const l of labels) n.set(key(l), (n.get(key(l)) ?? 0) + 1);
    return n;
  };
  const names = accounts.map((a) => a.name);
  const byName = count(names);
  if (accounts.every((a) => byName.get(key(a.name)) === 1)) return names;
  const detailed = accounts.map((a) => (byName.get(key(a.name))! > 1 ? `${a.name} (${a.domains[0] ?? a.region ?? a.id})` : a.name));
  const byDetail = count(detailed);
  return accounts.map((a, i) => (byDetail.get(key(detailed[i]!))! > 1 ? `${a.name} (${a.id})` : detailed[i]!));
}

/** {@link accountLabels} of the matcher's results, in their order (an account gone since the index was read keeps its matched text). */
export function matchLabels(deps: HandlerDeps, matches: readonly AccountMatch[]): string[] {
  const stored = deps.ctx.store.accounts.labels(matches.map((m) => m.accountId));
  return accountLabels(matches.map((m) => stored.get(m.accountId) ?? { id: m.accountId, name: m.matchedText, domains: [], region: null }));
}
