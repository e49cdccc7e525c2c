import { beforeAll, describe, expect, it } from 'vitest';
import { AccountMatcher, CONFIDENT_SCORE, type AccountMatch, type MatchableAccount } from '../../../src/core/matching/matcher.js';
import { LEGAL_SUFFIXES } from '../../../src/core/matching/normalize.js';
import { prng } from '../../support/prng.js';

function account(id: string, name: string, aliases: string[] = [], domains: string[] = []): MatchableAccount {
  return { id, name, aliases, domains };
}

const ACCOUNTS: readonly MatchableAccount[] = [
  account('acme', 'Acme Corporation', [], ['acme.com']),
  account('acme-analytics', 'Acme Analytics GmbH', [], ['acme-analytics.de']),
  account('acme-robotics', 'Acme Robotics', [], ['acmerobotics.io']),
  account('ibm', 'International Business Machines', ['IBM', 'Big Blue'], ['ibm.com']),
  account('northwind', 'Northwind Traders', [], ['northwind.example']),
  account('great-north', 'Great North Brewing', [], []),
  account('tradees', 'Tradees Inc', [], []),
  account('globex', 'Globex', [], ['globex.com']),
  account('glovex', 'Glovex Ltd', [], []),
  account('muller', 'Müller GmbH', [], ['mueller.de']),
  account('initech', 'Initech, Inc.', ['Initrode'], ['initech.com', 'https://www.Initech.co.uk/']),
  account('contoso', 'Contoso Pharmaceuticals Ltd', [], ['contoso.com']),
  account('alpha-foods', 'Alpha Foods', [], []),
  account('delta-foods', 'Delta Foods', [], []),
  account('booking-name', 'Booking.com', [], []),
  account('booking-domain', 'Travel Reservations BV', [], ['booking.com']),
];

const ids = (matches: AccountMatch[]): string[] => matches.map((m) => m.accountId);

describe('AccountMatcher', () => {
  const matcher = new AccountMatcher(ACCOUNTS);

  it('holds every account', () => {
    expect(matcher.size).toBe(ACCOUNTS.length);
  });

  describe('exact normalised name or alias', () => {
    it.each([
      ['Acme Corporation', 'acme', 'name', 'Acme Corporation'],
      ['acme corporation', 'acme', 'name', 'Acme Corporation'],
      ['ACME CORP.', 'acme', 'name', 'Acme Corporation'],
      ['acme', 'acme', 'name', 'Acme Corporation'],
      ['  Acme,   Inc. ', 'acme', 'name', 'Acme Corporation'],
      ['International Business Machines Corp.', 'ibm', 'name', 'International Business Machines'],
      ['ibm', 'ibm', 'alias', 'IBM'],
      ['I.B.M.', 'ibm', 'alias', 'IBM'],
      ['IBM Corporation', 'ibm', 'alias', 'IBM'],
      ['big blue', 'ibm', 'alias', 'Big Blue'],
      ['muller', 'muller', 'name', 'Müller GmbH'],
      ['MÜLLER GMBH', 'muller', 'name', 'Müller GmbH'],
      ['Initrode', 'initech', 'alias', 'Initrode'],
      ['initech', 'initech', 'name', 'Initech, Inc.'],
    ])('%j → %s (%s %j)', (query, id, matchedOn, matchedText) => {
      const [first] = matcher.search(query);
      expect(first).toEqual({ accountId: id, score: 1, matchedOn, matchedText, exact: true });
    });

    it.each([...LEGAL_SUFFIXES])('ignores the legal suffix %j in the query', (suffix) => {
      expect(matcher.search(`Globex ${suffix}`)[0]).toMatchObject({ accountId: 'globex', score: 1, exact: true });
    });

    it.each([
      ['Boeing', 'boeing'],
      ['the boeing company', 'boeing'],
      ['Home Depot', 'home-depot'],
      ['Allianz', 'allianz'],
      ['Siemens SE', 'siemens'],
      ['Maersk A/S', 'maersk'],
      ['Nokia', 'nokia'],
      ['Grab Holdings', 'grab'],
    ])('a leading "The" and legal forms of many countries do not count: %j → %s, exact', (query, id) => {
      const m = new AccountMatcher([
        account('boeing', 'The Boeing Company', [], []),
        account('boeing-capital', 'Boeing Capital Corporation', [], []),
        account('home-depot', 'The Home Depot, Inc.', [], []),
        account('allianz', 'Allianz SE', [], []),
        account('siemens', 'Siemens AG', [], []),
        account('maersk', 'Maersk A/S', [], []),
        account('nokia', 'Nokia Oyj', [], []),
        account('grab', 'Grab Holdings Pte. Ltd.', [], []),
      ]);
      expect(m.search(query)[0]).toMatchObject({ accountId: id, score: 1, exact: true });
    });

    it('treats names that differ only by spaces as near-exact', () => {
      expect(matcher.search('north wind traders')[0]).toMatchObject({ accountId: 'northwind', exact: false });
      expect(matcher.search('north wind traders')[0]!.score).toBeGreaterThan(0.95);
    });
  });

  describe('domains', () => {
    it.each([
      'acme.com',
      'ACME.COM',
      'www.acme.com',
      'https://acme.com/x',
      'https://www.Acme.com/path?q=1',
      'http://acme.com:8080',
      '@acme.com',
      'jo@acme.com',
      'mailto:jo@acme.com',
    ])('%j → the account with domain acme.com', (query) => {
      expect(matcher.search(query)).toEqual([
        { accountId: 'acme', score: 0.95, matchedOn: 'domain', matchedText: 'acme.com', exact: true },
      ]);
    });

    it.each(['eu.acme.com', 'jo@mail.eu.acme.com'])('%j (a subdomain) → acme.com, not exact', (query) => {
      const [first] = matcher.search(query);
      expect(first).toMatchObject({ accountId: 'acme', matchedOn: 'domain', matchedText: 'acme.com', exact: false });
      expect(first!.score).toBeLessThan(0.95);
    });

    it('matches an account domain stored as a URL and returns it as stored', () => {
      expect(matcher.search('initech.co.uk')[0]).toMatchObject({
        accountId: 'initech',
        matchedOn: 'domain',
        matchedText: 'https://www.Initech.co.uk/',
      });
    });

    it('finds nothing for an unknown domain', () => {
      expect(matcher.search('https://unknown-company.com/about')).toEqual([]);
      expect(matcher.search('jo@acme.org')).toEqual([]);
    });
  });

  describe('prefixes and words', () => {
    it.each([
      ['acm', 'acme'],
      ['north', 'northwind'],
      ['nort', 'northwind'],
      ['contoso pharma', 'contoso'],
      ['init', 'initech'],
      ['glob', 'globex'],
    ])('prefix %j → %s', (query, id) => {
      const [first] = matcher.search(query);
      expect(first).toMatchObject({ accountId: id, exact: false });
      expect(first!.score).toBeGreaterThanOrEqual(0.8);
      expect(first!.score).toBeLessThan(0.9);
    });

    it.each([
      ['traders', 'northwind'],
      ['business machines', 'ibm'],
      ['machines', 'ibm'],
      ['pharmaceuticals', 'contoso'],
      ['int bus mach', 'ibm'],
      ['traders northwind', 'northwind'],
    ])('word or word prefix %j → %s', (query, id) => {
      const [first] = matcher.search(query);
      expect(first).toMatchObject({ accountId: id, exact: false });
      expect(first!.score).toBeGreaterThanOrEqual(0.6);
      expect(first!.score).toBeLessThan(0.8);
    });

    // The index leaves legal forms out: a name typed up to part of its legal form (the forms'
    // typeahead asks at every key) is still that name, typed so far.
    it.each([
      ['acme c', 'acme'],
      ['acme corpo', 'acme'],
      ['Acme Corporatio', 'acme'],
      ['initech, i', 'initech'],
      ['initech in', 'initech'],
      ['contoso pharmaceuticals l', 'contoso'],
      ['acme analytics gm', 'acme-analytics'],
      ['müller gm', 'muller'],
      ['glovex lt', 'glovex'],
    ])('a name typed up to part of its legal form %j → %s', (query, id) => {
      const [first] = matcher.search(query);
      expect(first).toMatchObject({ accountId: id, exact: false });
      expect(first!.score).toBeGreaterThanOrEqual(CONFIDENT_SCORE);
    });

    it.each([
      ['acme robotics g', 'acme-robotics'],
      ['northwind traders i', 'northwind'],
      ['acme s', 'acme'],
    ])('a last word that starts a legal form the name does not have (%j) only suggests %s', (query, id) => {
      const found = matcher.search(query);
      expect(ids(found)).toContain(id);
      expect(found.every((m) => m.score < CONFIDENT_SCORE)).toBe(true);
    });

    it('prefers the prefix of a full name to a word inside another name', () => {
      expect(ids(matcher.search('north'))).toEqual(['northwind', 'great-north']);
    });
  });

  describe('typos', () => {
    it.each([
      ['acne corp', 'acme', 1],
      ['globx', 'globex', 1],
      ['nortwhind traders', 'northwind', 1],
      ['analytcs', 'acme-analytics', 1],
      ['internatinal business machines', 'ibm', 1],
      ['intrenatinal', 'ibm', 2],
      ['robaticz', 'acme-robotics', 2],
      ['pharmacuticls', 'contoso', 2],
    ])('%j → %s (distance %i)', (query, id) => {
      const [first] = matcher.search(query);
      expect(first).toMatchObject({ accountId: id, exact: false });
      expect(first!.score).toBeGreaterThanOrEqual(0.4);
      expect(first!.score).toBeLessThan(0.6);
    });

    it('ranks a word at distance 1 below the exact word', () => {
      expect(ids(matcher.search('globex'))).toEqual(['globex', 'glovex']);
      expect(ids(matcher.search('glovex'))).toEqual(['glovex', 'globex']);
    });

    it('ranks a typo below a word match', () => {
      expect(ids(matcher.search('traders'))).toEqual(['northwind', 'tradees']);
    });

    it.each([
      'axce', // distance 2 from acme, too far for 4 letters
      'glbx', // distance 2 from globex, too far for 4 letters
      'robaticzz', // distance 3
      'zzyzx',
      'xylophone',
    ])('finds nothing for %j', (query) => {
      expect(matcher.search(query)).toEqual([]);
    });
  });

  describe('ranking', () => {
    it('returns several close matches, best first', () => {
      const results = matcher.search('acme');
      expect(ids(results)).toEqual(['acme', 'acme-robotics', 'acme-analytics']);
      expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    });

    it.each([
      ['acme analytics', 'acme-analytics'],
      ['acme robotics', 'acme-robotics'],
      ['acme corporation', 'acme'],
    ])('%j puts %s first', (query, id) => {
      expect(matcher.search(query)[0]?.accountId).toBe(id);
    });

    it('ranks an exact name above an exact domain', () => {
      const results = matcher.search('booking.com');
      expect(ids(results)).toEqual(['booking-name', 'booking-domain']);
      expect(results[0]).toMatchObject({ matchedOn: 'name', score: 1 });
      expect(results[1]).toMatchObject({ matchedOn: 'domain', score: 0.95 });
    });

    it('breaks ties by shorter name, then alphabetically', () => {
      expect(ids(matcher.search('foods'))).toEqual(['alpha-foods', 'delta-foods']);
      const m = new AccountMatcher([
        account('c', 'Zeta Foods Group'),
        account('b', 'Zeta Foods'),
        account('a', 'Zeta Foods'),
      ]);
      expect(ids(m.search('zeta foods'))).toEqual(['a', 'b', 'c']);
    });

    it('honours the limit', () => {
      expect(matcher.search('acme', 2)).toHaveLength(2);
      expect(matcher.search('acme', 0)).toEqual([]);
      expect(matcher.search('acme')).toHaveLength(3);
    });
  });

  it.each(['', '   ', '...', '!?', 'Inc.', 'LLC', 'Ltd.', 'GmbH & Co. KG', 's.a.'])(
    'returns [] for the empty or suffix-only query %j',
    (query) => {
      expect(matcher.search(query)).toEqual([]);
    },
  );

  describe('suggest', () => {
    it('offers the nearest accounts when search finds nothing', () => {
      expect(matcher.search('acmx robotix')).toEqual([]);
      expect(matcher.suggest('acmx robotix')[0]?.accountId).toBe('acme-robotics');
      expect(matcher.search('axce')).toEqual([]);
      expect(ids(matcher.suggest('axce'))).toContain('acme');
    });

    it('returns at most the limit, and [] when nothing is near', () => {
      expect(matcher.suggest('acme zzz').length).toBeLessThanOrEqual(3);
      expect(matcher.suggest('acme zzz', 1)).toHaveLength(1);
      expect(matcher.suggest('qwxzv')).toEqual([]);
      expect(matcher.suggest('')).toEqual([]);
    });
  });

  describe('upsert and remove', () => {
    it('adds, replaces and removes accounts', () => {
      const m = new AccountMatcher(ACCOUNTS);
      m.upsert(account('hooli', 'Hooli XYZ', [], ['hooli.xyz']));
      expect(m.size).toBe(ACCOUNTS.length + 1);
      expect(m.search('hooli')[0]?.accountId).toBe('hooli');
      expect(m.search('hooli.xyz')[0]?.accountId).toBe('hooli');

      m.upsert(account('hooli', 'Pied Piper', ['PP'], ['piedpiper.com']));
      expect(m.size).toBe(ACCOUNTS.length + 1);
      expect(m.search('hooli')).toEqual([]);
      expect(m.search('hooli.xyz')).toEqual([]);
      expect(m.search('pied piper')[0]).toMatchObject({ accountId: 'hooli', score: 1 });
      expect(m.search('pp')[0]).toMatchObject({ accountId: 'hooli', matchedOn: 'alias' });

      m.remove('hooli');
      expect(m.size).toBe(ACCOUNTS.length);
      expect(m.search('pied piper')).toEqual([]);
      m.remove('hooli');
      m.remove('no-such-id');
      expect(m.size).toBe(ACCOUNTS.length);

      m.remove('acme');
      expect(ids(m.search('acme'))).toEqual(['acme-robotics', 'acme-analytics']);
      expect(m.search('acme.com')).toEqual([]);
    });

    it('keeps an unchanged account on re-upsert and returns the new object', () => {
      const m = new AccountMatcher(ACCOUNTS);
      m.upsert({ ...ACCOUNTS[0]!, aliases: [], domains: ['acme.com'] });
      expect(m.size).toBe(ACCOUNTS.length);
      expect(m.search('acme corporation')[0]).toMatchObject({ accountId: 'acme', score: 1 });
      m.upsert({ ...ACCOUNTS[0]!, domains: ['acme.org'] });
      expect(m.search('acme.com')).toEqual([]);
      expect(m.search('acme.org')[0]).toMatchObject({ accountId: 'acme', matchedText: 'acme.org' });
    });

    it('finds new words added after the build by prefix and typo', () => {
      const m = new AccountMatcher(ACCOUNTS);
      m.upsert(account('zyx', 'Zyxwerkz Industries'));
      expect(m.search('zyxw')[0]?.accountId).toBe('zyx');
      expect(m.search('zyxwrekz')[0]?.accountId).toBe('zyx');
    });

    it('keeps the last of duplicate ids given to the constructor', () => {
      const m = new AccountMatcher([account('x', 'First Name'), account('x', 'Second Name')]);
      expect(m.size).toBe(1);
      expect(m.search('first name')).toEqual([]);
      expect(m.search('second name')[0]?.accountId).toBe('x');
    });

    it('stays correct across postings merges and compaction', () => {
      const m = new AccountMatcher();
      const accounts = generateAccounts(20_000, 7);
      for (const a of accounts) m.upsert(a);
      expect(m.size).toBe(20_000);
      for (const a of accounts.slice(0, 8000)) m.remove(a.id);
      expect(m.size).toBe(12_000);
      for (const a of accounts.filter((_, i) => i % 997 === 0)) {
        const expected = a.id.localeCompare(accounts[8000]!.id) < 0 ? [] : [a.id];
        expect(ids(m.search(a.name)).slice(0, expected.length)).toEqual(expected);
        if (expected.length === 0) expect(ids(m.search(a.name))).not.toContain(a.id);
      }
    });
  });

  it('is deterministic: same results whatever the insertion order', () => {
    const reversed = new AccountMatcher([...ACCOUNTS].reverse());
    const rotated = new AccountMatcher([...ACCOUNTS.slice(5), ...ACCOUNTS.slice(0, 5)]);
    for (const q of ['acme', 'foods', 'north', 'glovex', 'booking.com', 'acme analytics', 'int', 'traders']) {
      const expected = matcher.search(q);
      expect(reversed.search(q)).toEqual(expected);
      expect(rotated.search(q)).toEqual(expected);
      expect(matcher.search(q)).toEqual(expected);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A larger generated set: correctness only (timings belong to the benchmark).

const INDUSTRIES = ['Analytics', 'Robotics', 'Holdings', 'Systems', 'Group', 'Partners', 'Logistics', 'Foods', 'Energy', 'Capital', 'Labs', 'Software', 'Health', 'Media'];
const SUFFIXES = ['Inc.', 'LLC', 'Ltd', 'GmbH', 'S.A.', 'Corp.', 'AG', 'plc', 'BV', ''];

/** Accounts named after a random 8-letter word (so each has one distinctive word) plus common words. */
function generateAccounts(count: number, seed: number): MatchableAccount[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const word = (): string => Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  const cap = (w: string): string => w[0]!.toUpperCase() + w.slice(1);
  const seen = new Set<string>();
  const out: MatchableAccount[] = [];
  for (let i = 0; out.length < count; i++) {
    const w = word();
    if (seen.has(w)) continue;
    seen.add(w);
    const parts = [cap(w), pick(INDUSTRIES)];
    if (random() < 0.3) parts.push(pick(INDUSTRIES));
    const suffix = pick(SUFFIXES);
    const aliases = random() < 0.5 ? [parts.map((p) => p[0]).join('') + w.slice(0, 3).toUpperCase()] : [];
    const domains = [`${w}.com`];
    if (random() < 0.5) domains.push(`${w}-${pick(INDUSTRIES).toLowerCase()}.io`);
    out.push({ id: `acc-${String(out.length).padStart(6, '0')}`, name: parts.join(' ') + (suffix ? ` ${suffix}` : ''), aliases, domains });
  }
  return out;
}

describe('AccountMatcher with 50,000 generated accounts', () => {
  const accounts = generateAccounts(50_000, 20_260_101);
  const sample = accounts.filter((_, i) => i % 1250 === 17);
  let matcher: AccountMatcher;

  beforeAll(() => {
    matcher = new AccountMatcher(accounts);
  });

  const distinctive = (a: MatchableAccount): string => a.name.split(' ')[0]!;
  const rest = (a: MatchableAccount): string => a.name.split(' ').slice(1).join(' ');
  const ACCENTS: Record<string, string> = { a: 'á', e: 'é', i: 'í', o: 'ö', u: 'ü' };

  it.each<[string, (a: MatchableAccount) => string]>([
    ['exact name', (a) => a.name],
    ['name without its legal suffix', (a) => a.name.replace(/ (Inc\.|LLC|Ltd|GmbH|S\.A\.|Corp\.|AG|plc|BV)$/, '')],
    ['name with another legal suffix', (a) => `${a.name.replace(/ (Inc\.|LLC|Ltd|GmbH|S\.A\.|Corp\.|AG|plc|BV)$/, '')}, Limited`],
    ['upper case with an accent', (a) => a.name.toUpperCase().replace(/[AEIOU]/, (v) => ACCENTS[v.toLowerCase()]!.toUpperCase())],
    ['prefix of the distinctive word', (a) => distinctive(a).slice(0, 6).toLowerCase()],
    ['distinctive word alone', (a) => distinctive(a)],
    ['transposed letters (distance 1)', (a) => { const w = distinctive(a); return `${w.slice(0, 3)}${w[4]}${w[3]}${w.slice(5)} ${rest(a)}`; }],
    ['two letters replaced (distance 2)', (a) => { const w = distinctive(a).toLowerCase(); return `${w.slice(0, 2)}${w[2] === 'q' ? 'x' : 'q'}${w.slice(3, 6)}${w[6] === 'z' ? 'x' : 'z'}${w.slice(7)}`; }],
    ['domain as a URL', (a) => `https://www.${a.domains[0]}/contact`],
    ['e-mail address', (a) => `someone@${a.domains[a.domains.length - 1]}`],
  ])('puts the right account first for: %s', (_kind, toQuery) => {
    const wrong: string[] = [];
    for (const a of sample) {
      const query = toQuery(a);
      const first = matcher.search(query)[0];
      if (first?.accountId !== a.id) wrong.push(`${query} → ${first?.accountId ?? 'nothing'} (want ${a.id})`);
    }
    expect(wrong).toEqual([]);
  });

  it('finds aliases', () => {
    const withAlias = accounts.filter((a) => a.aliases.length > 0).slice(0, 30);
    for (const a of withAlias) {
      expect(matcher.search(a.aliases[0]!)[0]).toMatchObject({ accountId: a.id, matchedOn: 'alias', exact: true });
    }
  });

  it('returns [] for words that are in no account', () => {
    expect(matcher.search('qqqqqqqqqqqq')).toEqual([]);
    expect(matcher.search('https://www.not-a-customer.example/')).toEqual([]);
  });
});

describe('what stands for an account', () => {
  it('a name read from a URL or e-mail address is not an exact match: the domain decides', () => {
    const m = new AccountMatcher([account('kowalski-labs', 'Kowalski Labs', [], ['kowalski.co']), account('kowalski-legal', 'Kowalski Legal', ['Kowalski'])]);
    for (const q of ['jane@kowalski.co', 'https://www.kowalski.co/careers']) {
      const r = m.rank(q, 5);
      const exact = Array.from({ length: r.length }, (_, i) => i).filter((i) => r.exact(i)).map((i) => r.match(i).accountId);
      expect(exact, q).toEqual(['kowalski-labs']);
    }
    // the alias typed as it is stays exact
    expect(m.search('Kowalski', 5).filter((x) => x.exact).map((x) => x.accountId)).toEqual(['kowalski-legal']);
  });

  it.each([
    ['Acme Holdings', 'umbrella', false],
    ['Umbrella Holdings', 'umbrella', true],
    ['Umbrela Holdings', 'umbrella', true],
  ])('%s: the only result (%s) is confident: %s', (q, id, confident) => {
    // "acme" names other accounts, so only "holdings" matches Umbrella: a partial result
    const m = new AccountMatcher([account('umbrella', 'Umbrella Holdings plc'), account('acme', 'Acme Corporation'), account('acme-an', 'Acme Analytics GmbH'), account('initech', 'Initech LLC')]);
    const r = m.rank(q, 5);
    expect(r.length).toBe(1);
    expect(r.match(0).accountId).toBe(id);
    expect(r.score(0) >= CONFIDENT_SCORE).toBe(confident);
  });
});

describe('German and Nordic letters written out (ä ae, ö oe, ü ue, å aa, ø oe)', () => {
  // [letters, name written with them, the name written out, the name with the letters simply dropped, a prefix written out]
  const LETTERS: [string, string, string, string, string][] = [
    ['ü ue', 'Müller Logistik GmbH', 'Mueller Logistik GmbH', 'Muller Logistik', 'muel'],
    ['ä ae', 'Jäger Bau AG', 'Jaeger Bau AG', 'Jager Bau', 'jae'],
    ['ö oe', 'Schröder Elektronik', 'Schroeder Elektronik', 'Schroder Elektronik', 'schroe'],
    ['å aa', 'Ålborg Havn A/S', 'Aalborg Havn A/S', 'Alborg Havn', 'aalb'],
    ['ø oe', 'Søren Jensen ApS', 'Soeren Jensen ApS', 'Soren Jensen', 'soer'],
    ['Ü in capitals', 'MÜNCHENER RÜCKVERSICHERUNGS-GESELLSCHAFT', 'MUENCHENER RUECKVERSICHERUNGS-GESELLSCHAFT', 'Munchener Ruckversicherungs-Gesellschaft', 'muenchener rue'],
    ['ß ss with ä ae', 'Großhändler Nord', 'Grosshaendler Nord', 'Grosshandler Nord', 'grosshae'],
    ['æ ae with ø oe', 'Mærsk Søfart', 'Maersk Soefart', 'Maersk Sofart', 'maersk soe'],
    ['ü written decomposed (U+0308)', 'Zu\u0308rich Versicherung', 'Zuerich Versicherung', 'Zurich Versicherung', 'zuer'],
  ];
  const others = ACCOUNTS.filter((a) => a.id !== 'muller');

  it.each(LETTERS)('%s: a name written with the letter is found exactly, first, typed with it, written out or without it', (_letters, name, writtenOut, dropped) => {
    const m = new AccountMatcher([...others, account('x', name)]);
    for (const query of [name, writtenOut, dropped, writtenOut.toLowerCase(), dropped.toUpperCase()]) {
      expect(m.search(query)[0], query).toEqual({ accountId: 'x', score: 1, matchedOn: 'name', matchedText: name, exact: true });
    }
  });

  it.each([
    ['Muelle', 'Müller GmbH'],
    ['Kraeme', 'Krämer Bau'],
    ['Soere', 'Søren A/S'],
    ['Koehle', 'Köhler'],
    ['Kraeme Bau', 'Krämer Bau'],
  ])('a prefix written out one letter short of the word (%s) still finds %s', (query, name) => {
    const m = new AccountMatcher([...others, account('x', name), account('y', 'Unrelated Holdings')]);
    expect(m.search(query)[0]?.accountId).toBe('x');
  });

  it.each([
    ['Kraemer', 'Kraemer Inc', 'Krämer GmbH'],
    ['Schroeder', 'Schroeder Corporation', 'Schröder AG'],
    ['Krämer', 'Krämer GmbH', 'Kraemer Inc'],
  ])('%s typed letter for letter is the account spelled so, not also its namesake in the other spelling', (query, spelled, namesake) => {
    const m = new AccountMatcher([...others, account('as-typed', spelled), account('namesake', namesake)]);
    const results = m.search(query);
    expect(results.filter((r) => r.exact).map((r) => r.accountId)).toEqual(['as-typed']);
    expect(ids(results)).toContain('namesake');
  });

  it.each(LETTERS)('%s: a name written out is found exactly typed with the letter, and not without it', (_letters, name, writtenOut, dropped) => {
    const m = new AccountMatcher([...others, account('x', writtenOut)]);
    for (const query of [writtenOut, name]) {
      expect(m.search(query)[0], query).toEqual({ accountId: 'x', score: 1, matchedOn: 'name', matchedText: writtenOut, exact: true });
    }
    // "Mueller" is not "Muller": without the letter, only a typo.
    expect(m.search(dropped).filter((r) => r.exact)).toEqual([]);
  });

  it.each(LETTERS)('%s: a name written with the letter is found by a prefix written out', (_letters, name, _writtenOut, _dropped, prefix) => {
    const [first] = new AccountMatcher([...others, account('x', name)]).search(prefix);
    expect(first).toMatchObject({ accountId: 'x', exact: false });
    expect(first!.score).toBeGreaterThanOrEqual(0.8); // the band of a query that starts the name
  });

  it.each([
    ['Müller Logistik GmbH', 'muellerlogistik'],
    ['Ålborg Havn', 'aalborghavn'],
    ['Søren Jensen ApS', 'soerenjensen'],
  ])('%s: written out without spaces, %j is the name but for its spaces', (name, query) => {
    expect(new AccountMatcher([...others, account('x', name)]).search(query)[0]).toMatchObject({ accountId: 'x', score: 0.97, exact: false });
  });

  it('ranks the name spelled as typed first, and makes nothing exact that merely holds ue, oe or aa', () => {
    const m = new AccountMatcher([
      account('umlaut', 'Müller Logistik GmbH'),
      account('written', 'Mueller Logistik AG'),
      account('plain', 'Muller Bau'),
      account('queue', 'Queue Systems'),
      account('qu', 'Qu Systems'),
      account('boeing', 'Boeing'),
      account('bing', 'Bing'),
      account('aalto', 'Aalto Partners'),
      account('alto', 'Alto Partners'),
      account('goethe', 'Goethe Institut'),
    ]);
    // query → the accounts it names exactly, in their order
    const table: [string, string[]][] = [
      // Typed letter for letter, the name spelled so is the one exact match (the other spelling ranks next).
      ['mueller logistik', ['written']],
      ['Müller Logistik', ['umlaut']],
      ['muller logistik', ['umlaut']],
      ['Göthe Institut', ['goethe']],
      ['mueller bau', []],
      ['muller bau', ['plain']],
      ['Müller Bau', ['plain']],
      ['queue systems', ['queue']],
      ['qu systems', ['qu']],
      ['boeing', ['boeing']],
      ['bing', ['bing']],
      ['aalto partners', ['aalto']],
      ['alto partners', ['alto']],
      ['gothe institut', []],
    ];
    const wrong: string[] = [];
    for (const [query, expected] of table) {
      const results = m.search(query, 10);
      const exact = results.filter((r) => r.exact).map((r) => r.accountId);
      if (JSON.stringify(exact) !== JSON.stringify(expected) || (expected.length > 0 && results[0]!.accountId !== expected[0])) wrong.push(`${query} → ${JSON.stringify(exact)}, want ${JSON.stringify(expected)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('finds an account added after the build in either spelling, and forgets it once removed', () => {
    const m = new AccountMatcher(ACCOUNTS);
    m.upsert(account('jaeger', 'Jäger Bau AG'));
    expect(m.search('jaeger bau')[0]).toMatchObject({ accountId: 'jaeger', score: 1, exact: true });
    expect(m.search('jaegerbau')[0]).toMatchObject({ accountId: 'jaeger', score: 0.97 });
    expect(m.search('jae')[0]?.accountId).toBe('jaeger');
    expect(m.search('mueller')[0]).toMatchObject({ accountId: 'muller', score: 1, exact: true });
    m.upsert(account('jaeger', 'Jäger Holz AG'));
    expect(m.search('jaeger bau').filter((r) => r.exact)).toEqual([]);
    expect(m.search('jaeger holz')[0]).toMatchObject({ accountId: 'jaeger', exact: true });
    m.remove('jaeger');
    expect(ids(m.search('jaeger holz'))).not.toContain('jaeger');
    expect(ids(m.search('jaegerholz'))).not.toContain('jaeger');
  });
});

describe('long names', () => {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'omicron', 'pi', 'rho'];
  const named = (n: number): string => words.slice(0, n).join(' ');

  it.each([9, 10, 12, 16])('a name of %i words typed in full is exact, and the one of 8 words it starts is not', (n) => {
    const m = new AccountMatcher([account('short', named(8)), account('long', named(n)), account('stanford', 'The Board of Trustees of the Leland Stanford Junior University')]);
    const results = m.search(named(n));
    expect(results[0]).toMatchObject({ accountId: 'long', score: 1, exact: true });
    expect(results.filter((r) => r.exact).map((r) => r.accountId)).toEqual(['long']);
    expect(m.search('board of trustees of the leland stanford junior university')[0]).toMatchObject({ accountId: 'stanford', exact: true });
  });

  it('compares 16 words at most: past them neither a name nor a query is ever exact', () => {
    const m = new AccountMatcher([account('sixteen', named(16)), account('seventeen', `${named(16)} seventeen`)]);
    expect(m.search(named(16)).filter((r) => r.exact).map((r) => r.accountId)).toEqual(['sixteen']);
    // 17 words typed: the first 16 are compared, which do not tell the two apart.
    const typed = m.search(`${named(16)} seventeen`);
    expect(typed.filter((r) => r.exact)).toEqual([]);
    expect(ids(typed)).toEqual(expect.arrayContaining(['sixteen', 'seventeen']));
  });

  it('a query of more words than a 16-word name holds matches only part of it: not an answer, a suggestion', () => {
    const m = new AccountMatcher([account('long', named(16)), account('x', 'Globex')]);
    const [r, ...rest] = m.search(`${named(16)} initech`);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ accountId: 'long', exact: false });
    expect(r!.score).toBeLessThan(CONFIDENT_SCORE);
    // Its 16 words alone are the name.
    expect(m.search(named(16))[0]).toMatchObject({ accountId: 'long', exact: true });
  });
});

describe('names in other scripts', () => {
  const m = new AccountMatcher([
    ...ACCOUNTS,
    account('recruit', '株式会社リクルート'),
    account('toyota', 'トヨタ自動車株式会社'),
    account('tsmc', '台灣積體電路製造股份有限公司'),
    account('huawei', '华为技术有限公司'),
    account('samsung', '삼성전자 주식회사'),
    account('panasonic', 'パナソニック'),
    account('hanasonic', 'ハナソニック'),
    account('sisyphus', 'Σίσυφος ΑΕ'),
    account('odos', 'ΟΔΟΣ Τεχνική'),
  ]);

  it.each([
    ['a Japanese legal form before the name', 'リクルート', 'recruit'],
    ['written after it instead', 'リクルート株式会社', 'recruit'],
    ['abbreviated as ㈱', '㈱リクルート', 'recruit'],
    ['abbreviated as (株)', 'リクルート(株)', 'recruit'],
    ['a Japanese legal form after the name', 'トヨタ自動車', 'toyota'],
    ['a Taiwanese legal form', '台灣積體電路製造', 'tsmc'],
    ['a Chinese legal form', '华为技术', 'huawei'],
    ['a Korean legal form', '삼성전자', 'samsung'],
    ['a Korean legal form abbreviated as (주)', '삼성전자(주)', 'samsung'],
    ['a name typed in half-width kana', 'ﾊﾟﾅｿﾆｯｸ', 'panasonic'],
    ['a Greek name typed with σ where it ends in ς', 'Οδοσ Τεχνικη', 'odos'],
  ])('%s: %s is the name exactly', (_kind, query, id) => {
    const r = m.search(query);
    expect(r[0], query).toMatchObject({ accountId: id, exact: true });
    expect(r.filter((x) => x.exact).map((x) => x.accountId), query).toEqual([id]);
  });

  it('a kana with its voiced sound mark is another letter: パナソニック is not ハナソニック', () => {
    expect(m.search('パナソニック').filter((x) => x.exact).map((x) => x.accountId)).toEqual(['panasonic']);
    expect(m.search('ハナソニック').filter((x) => x.exact).map((x) => x.accountId)).toEqual(['hanasonic']);
  });

  it('the start of a Greek name typed in capitals (lower-cased, its last Σ is ς) finds it', () => {
    const r = m.search('ΣΙΣ');
    expect(r.map((x) => x.accountId)).toEqual(['sisyphus']);
    expect(r[0]!.score).toBeGreaterThanOrEqual(CONFIDENT_SCORE);
  });
});

describe('internationalised domains', () => {
  const m = new AccountMatcher([
    ...ACCOUNTS,
    account('swm', 'Stadtwerke München', [], ['xn--mnchen-3ya.de']),
    account('koeln', 'Kölner Bank eG', [], ['köln-bank.de']),
    account('primer', 'Пример Групп', [], ['пример.рф']),
  ]);

  it.each([
    ['the domain in its own letters, the account holding its ASCII form', 'münchen.de', 'swm'],
    ['an e-mail address at it', 'info@münchen.de', 'swm'],
    ['the ASCII form, the account holding the domain in its own letters', 'xn--kln-bank-n4a.de', 'koeln'],
    ['an e-mail address in ASCII form', 'Jo <jo@xn--kln-bank-n4a.de>', 'koeln'],
    ['a Cyrillic domain in ASCII form, its top-level domain too', 'https://xn--e1afmkfd.xn--p1ai/', 'primer'],
  ])('%s: %s', (_kind, query, id) => {
    expect(m.search(query)[0], query).toMatchObject({ accountId: id, matchedOn: 'domain', exact: true });
  });
});
