import { describe, expect, it } from 'vitest';
import { AccountMatcher } from '../../../src/core/matching/matcher.js';

/** Ranking cases found by the benchmark's generated queries (bench/generate.ts). */
describe('AccountMatcher ranking', () => {
  it('ranks a typo query by word order: the account whose words come in the order typed first', () => {
    const m = new AccountMatcher([
      { id: 'swapped', name: 'De Vries & Reyes', aliases: [], domains: [] },
      { id: 'inorder', name: 'Reyes & De Vries', aliases: [], domains: [] },
    ]);
    expect(m.search('reyes and de vrmies')[0]?.accountId).toBe('inorder');
    expect(m.search('de vrmies and reyes')[0]?.accountId).toBe('swapped');
  });

  it('puts the account with the exact domain of a URL or e-mail address first, before a name its host reads as', () => {
    const m = new AccountMatcher([
      { id: 'name', name: 'Tóth Ingeniería, Corporation', aliases: ['Toth'], domains: ['toth-ingenieria.com'] },
      { id: 'domain', name: 'Tóth & Günther Studios Incorporated', aliases: [], domains: ['toth.co'] },
    ]);
    for (const q of ['https://www.toth.co/about', 'jane.doe@toth.co']) {
      const [first] = m.search(q);
      expect(first, q).toMatchObject({ accountId: 'domain', matchedOn: 'domain', exact: true });
    }
    // Typed bare, "toth.co" may as well be the name "Toth Co.": the exact alias keeps its place.
    expect(m.search('toth.co')[0]?.accountId).toBe('name');
  });
});
