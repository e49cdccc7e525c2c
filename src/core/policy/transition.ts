import type { Store } from '../ports.js';
import { sameProductLine } from '../types.js';
import type { PolicyBook, PolicyVersion } from './versions.js';
import { plural } from '../words.js';

/**
 * What a new version drops that running claims and cases still hold, one warning each, for
 * the operator who records it: a product line live claims or open cases are on (they go on
 * holding it, yet nothing new can name it: a line renamed is another line to the bot), and a
 * person with open cases (handed on when the version takes effect). Reads the claims only
 * when the version drops a line an earlier one had.
 */
export function droppedWhileHeld(store: Store, book: PolicyBook, version: PolicyVersion, now: Date): string[] {
  const kept = version.policy.product_lines;
  const earlier = book.all.filter((v) => v.version !== version.version);
  const dropped = (line: string) => !kept.some((k) => sameProductLine(k, line));
  const out: string[] = [];
  const open = store.disputes.open();
  if (earlier.some((v) => v.policy.product_lines.some(dropped))) {
    const held = new Map<string, { line: string; claims: number; accounts: number; cases: number[] }>();
    const entry = (line: string) => {
      const key = line.toLowerCase();
      let e = held.get(key);
      if (!e) held.set(key, (e = { line, claims: 0, accounts: 0, cases: [] }));
      return e;
    };
    for (const r of store.claims.liveByProductLine(now)) {
      if (!dropped(r.productLine)) continue;
      const e = entry(r.productLine);
      e.claims += r.claims;
      e.accounts += r.accounts;
    }
    for (const d of open) if (dropped(d.productLine)) entry(d.productLine).cases.push(d.id);
    for (const e of held.values()) {
      const what = [e.claims ? `${plural(e.claims, 'live claim')} (on ${plural(e.accounts, 'account')})` : '', e.cases.length ? `${plural(e.cases.length, 'open case')} (${e.cases.slice(0, 5).map((id) => `#${id}`).join(', ')}${e.cases.length > 5 ? ', …' : ''})` : ''].filter(Boolean).join(' and ');
      out.push(
        `policy version "${version.version}" has no product line "${e.line}", yet ${what} ${e.claims + e.cases.length === 1 ? 'is' : 'are'} on it: claims there hold it until they end, but no new claim or dispute can name it, and claims on other lines never meet them (a line renamed is a new line); keep "${e.line}" in product_lines until they end, or close them with an import`,
      );
    }
  }
  const people = version.policy.people;
  const leaving = new Map<string, number[]>();
  for (const d of open) {
    if (Object.hasOwn(people, d.arbitrator)) continue;
    leaving.set(d.arbitrator, [...(leaving.get(d.arbitrator) ?? []), d.id]);
  }
  for (const [key, cases] of leaving) {
    out.push(
      `policy version "${version.version}" no longer names ${book.nameOf(key)} (${key}), who has ${plural(cases.length, 'open case')} (${cases.slice(0, 5).map((id) => `#${id}`).join(', ')}${cases.length > 5 ? ', …' : ''}): ${version.effectiveAt.getTime() > now.getTime() ? `from ${version.policy.effective}` : 'at once'} they move to the next person of each case's escalation chain the policy names, who is told`,
    );
  }
  return out;
}
