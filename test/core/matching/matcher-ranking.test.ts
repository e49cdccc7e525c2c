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

  it('namesakes told apart by their domains: a domain typed bare picks its own, even one whose ending reads as a legal form', () => {
    const m = new AccountMatcher([
      { id: 'vandelay-us', name: 'Vandelay', aliases: [], domains: ['vandelay.com'] },
      { id: 'vandelay-se', name: 'Vandelay', aliases: [], domains: ['vandelay.se'] },
    ]);
    for (const [q, id] of [['vandelay.se', 'vandelay-se'], ['vandelay.com', 'vandelay-us'], ['https://vandelay.se/', 'vandelay-se']] as const) {
      const r = m.search(q);
      expect(r[0], q).toMatchObject({ accountId: id, exact: true });
      expect(r.filter((x) => x.exact), q).toHaveLength(1);
    }
    // The name alone still leaves the choice.
    expect(m.search('vandelay').filter((x) => x.exact)).toHaveLength(2);
  });

  it('a sub-domain finds the account with its nearest parent domain, not every parent', () => {
    const m = new AccountMatcher([
      { id: 'amazon', name: 'Amazon.com, Inc.', aliases: [], domains: ['amazon.com'] },
      { id: 'aws', name: 'Amazon Web Services', aliases: [], domains: ['aws.amazon.com'] },
    ]);
    for (const q of ['console.aws.amazon.com', 'https://console.aws.amazon.com/ec2/home', 'aws.amazon.com']) expect(m.search(q)[0]?.accountId, q).toBe('aws');
    expect(m.search('console.aws.amazon.com').some((r) => r.accountId === 'amazon' && r.matchedOn === 'domain')).toBe(false);
    expect(m.search('smile.amazon.com')[0]?.accountId).toBe('amazon');
  });

  it.each([
    ['SAS', ['sas-ab', 'sas-institute']],
    ['SAS AB', ['sas-ab']],
  ])('a name of legal-form words alone is found: %j', (q, ids) => {
    const m = new AccountMatcher([
      { id: 'sas-institute', name: 'SAS Institute Inc.', aliases: [], domains: ['sas.com'] },
      { id: 'sas-ab', name: 'SAS AB', aliases: ['Scandinavian Airlines'], domains: ['flysas.com'] },
    ]);
    const found = m.search(q).map((r) => r.accountId);
    expect(found.slice(0, ids.length).sort()).toEqual([...ids].sort());
    if (ids.length === 1) expect(m.search(q)[0]).toMatchObject({ accountId: ids[0], exact: true });
  });

  it.each([
    ['Cemex', 'CEMEX, S.A.B. de C.V.', 'Cemex Ventures'],
    ['Grupo Bimbo', 'Grupo Bimbo S.A. de C.V.', 'Grupo Bimbo Foundation'],
    ['Henkel', 'Henkel AG & Co. KGaA', 'Henkel Consumer Brands'],
    ['Yandex', 'Yandex PJSC', 'Yandex Cloud'],
  ])('%j is the company of that name in its legal form (%j), before %j', (q, company, other) => {
    const m = new AccountMatcher([
      { id: 'other', name: other, aliases: [], domains: [] },
      { id: 'company', name: company, aliases: [], domains: [] },
    ]);
    const r = m.search(q);
    expect(r[0]).toMatchObject({ accountId: 'company', exact: true });
    expect(r.filter((x) => x.exact)).toHaveLength(1);
  });
});
