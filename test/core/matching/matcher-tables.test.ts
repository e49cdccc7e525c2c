import { describe, expect, it } from 'vitest';
import { AccountMatcher } from '../../../src/core/matching/matcher.js';

/**
 * Small hash tables: one long word adds up to 21 entries (itself and its one-letter deletions),
 * which could fill a small table before its load was checked, and a probe in a full table
 * never ended (three accounts hung the constructor).
 */
describe('AccountMatcher with small tables', () => {
  it('builds and answers over a few accounts with long words', () => {
    const accounts = [
      { id: 'acct-0006229', name: 'Acadex Texas Properties', aliases: [], domains: ['acadex.net'] },
      { id: 'acct-0000308', name: 'Acanion Diagnostics Co.', aliases: [], domains: ['acanion.ca'] },
      { id: 'acct-0005770', name: 'Acanline Fahrzeugbau Incorporated', aliases: ['Acanline'], domains: ['acanline.ca'] },
    ];
    const m = new AccountMatcher(accounts);
    expect(m.search('acanline fahrzeugbau')[0]?.accountId).toBe('acct-0005770');
    expect(m.search('diagnostcs')[0]?.accountId).toBe('acct-0000308');
  });

  it('grows its tables as accounts with many words and domains are upserted one by one', () => {
    const m = new AccountMatcher();
    const words = ['extraordinarily', 'internationalisation', 'counterproductive', 'telecommunications', 'indistinguishable'];
    for (let i = 0; i < 40; i++) {
      m.upsert({ id: `a${i}`, name: `${words[i % 5]} ${words[(i + 1) % 5]} ${i}`, aliases: [`${words[(i + 2) % 5]} ${i}`], domains: Array.from({ length: 30 }, (_, d) => `d${d}-${i}.example.com`) });
    }
    expect(m.size).toBe(40);
    expect(m.search('d7-33.example.com')[0]?.accountId).toBe('a33');
  });

  it('gives back each account string exactly as given, lone surrogates and all', () => {
    const odd = 'Zoë \ud800 Straße \u{1F600} ĳ';
    const m = new AccountMatcher([{ id: 'id-\udfff-ü', name: odd, aliases: ['ÅÄÖ Ab'], domains: ['bücher.de'] }]);
    const [hit] = m.search('zoe strasse');
    expect(hit).toMatchObject({ accountId: 'id-\udfff-ü', matchedText: odd });
    expect(m.search('aao')[0]?.matchedText).toBe('ÅÄÖ Ab');
    expect(m.search('bücher.de')[0]?.matchedText).toBe('bücher.de');
    m.upsert({ id: 'id-\udfff-ü', name: 'Other', aliases: [], domains: [] });
    expect(m.size).toBe(1);
    expect(m.search('other')[0]?.accountId).toBe('id-\udfff-ü');
  });
});
