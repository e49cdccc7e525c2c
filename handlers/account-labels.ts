import type { AccountMatch, Ranking } from '../src/core/matching/matcher.js';
import type { Account } from '../src/core/types.js';
import type { HandlerDeps } from './deps.js';
import { clip } from './replies/model.js';

/** Characters of a label that every chat shows whole (Slack's buttons and menu options). */
const LABEL_MAX = 75;

/** A name cut to `max` characters ({@link clip}), with no space left before its ellipsis. */
const short = (s: string, max: number) => clip(s, max).replace(/\s+…$/, '…');

/** `s` in at most `max` characters, its middle left out when it is longer: ids and domains differ at either end. */
function middle(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = Math.floor((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/**
 * What to call each account in a list a person picks from: its name, and where two in the list
 * share a name, what tells them apart: the first web domain, else the region, else the id
 * ("Globex (globex.com)", "Globex (globex.de)"). A domain or id can also be typed where a name
 * is ambiguous.
 */
export function accountLabels(accounts: readonly Pick<Account, 'id' | 'name' | 'domains' | 'region'>[]): string[] {
  // Slack cuts a button's or an option's text at 75 characters: a long name is shortened so that
  // what tells it apart still shows.
  const told = (name: string, apart: string) => {
    const tail = ` (${middle(apart, 40)})`;
    return name.length + tail.length <= LABEL_MAX ? `${name}${tail}` : `${short(name, LABEL_MAX - tail.length)}${tail}`;
  };
  // The same name written composed or decomposed (é as one character, or e and its accent) looks the same.
  const key = (s: string) => s.trim().normalize('NFC').toLowerCase();
  const count = (labels: readonly string[]) => {
    const n = new Map<string, number>();
    for (const l of labels) n.set(key(l), (n.get(key(l)) ?? 0) + 1);
    return n;
  };
  const names = accounts.map((a) => a.name);
  const byName = count(names);
  if (accounts.every((a) => byName.get(key(a.name)) === 1)) return names;
  const detailed = accounts.map((a) => (byName.get(key(a.name))! > 1 ? told(a.name, a.domains[0] ?? a.region ?? a.id) : a.name));
  const byDetail = count(detailed);
  const withIds = accounts.map((a, i) => (byDetail.get(key(detailed[i]!))! > 1 ? told(a.name, a.id) : detailed[i]!));
  // Long ids that differ only in the part left out: each from a little before where it differs
  // from the id most like it (of three or more, the first difference of all may not tell two apart).
  const byId = count(withIds);
  if (accounts.every((_, i) => byId.get(key(withIds[i]!)) === 1)) return withIds;
  return accounts.map((a, i) => {
    if (byId.get(key(withIds[i]!))! === 1) return withIds[i]!;
    const others = accounts.filter((b, j) => j !== i && key(withIds[j]!) === key(withIds[i]!)).map((b) => b.id);
    let from = 0;
    for (const id of others) {
      let d = 0;
      while (d < a.id.length && id[d] === a.id[d]) d += 1;
      from = Math.max(from, d);
    }
    const start = Math.max(0, from - 8);
    return told(a.name, `${start > 0 ? '…' : ''}${a.id.slice(start)}`);
  });
}

/** {@link accountLabels} of the matcher's results, in their order (an account gone since the index was read keeps its matched text). */
export function matchLabels(deps: HandlerDeps, matches: readonly AccountMatch[]): string[] {
  const stored = deps.ctx.store.accounts.labels(matches.map((m) => m.accountId));
  return accountLabels(matches.map((m) => stored.get(m.accountId) ?? { id: m.accountId, name: m.matchedText, domains: [], region: null }));
}

/**
 * An account's name as its answer is headed: with what tells it apart from another account of
 * the same name, as a list of them labels it ("Zephyr Labs (NA)"); its name alone when no other
 * account has it.
 */
export function accountTitle(deps: HandlerDeps, account: Pick<Account, 'id' | 'name'>, found?: Ranking): string {
  // The results of the search that found it: another account of its name would be among them,
  // named as exactly, or (typed as a list labels it, "Zephyr Labs (NA)") found by that name (a
  // search of its name again would double the work of every who-owns answered; typed by its
  // domain, it is headed by its name alone). Picked from a list, its name is searched.
  const candidates: AccountMatch[] = [];
  const name = account.name.trim().normalize('NFC').toLowerCase();
  const namesake = (m: AccountMatch) => m.exact || (m.matchedOn === 'name' && m.matchedText.trim().normalize('NFC').toLowerCase() === name);
  if (found) for (let i = 0; i < found.length; i++) if (namesake(found.match(i))) candidates.push({ ...found.match(i), exact: true });
  if (!found) candidates.push(...deps.matcher.search(account.name, 5));
  const namesakes = candidates.filter((m) => m.exact && m.accountId !== account.id);
  if (namesakes.length === 0) return account.name;
  const self: AccountMatch = { accountId: account.id, score: 1, matchedOn: 'name', matchedText: account.name, exact: true };
  return matchLabels(deps, [self, ...namesakes])[0]!;
}
