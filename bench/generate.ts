/**
 * Seeded generator of benchmark data: company-like accounts (coined brands, real words,
 * surnames, places, industries, legal suffixes, accents, aliases, web domains), partners,
 * claims, and who-owns queries of each kind with the account they must find.
 *
 * Everything is made here from word lists; nothing is downloaded. The same seed gives the
 * same data on every machine.
 */
import { nameTokens } from '../src/core/matching/normalize.js';
import type { Account, Partner } from '../src/core/types.js';
import { ROUTES } from '../src/core/types.js';

// ---------------------------------------------------------------------------------------------
// Randomness

/** A small, fast, seeded PRNG (sfc32). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Picks by weight: [[weight, value], ...]. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of table) total += w;
    let x = this.next() * total;
    for (const [w, v] of table) {
      x -= w;
      if (x < 0) return v;
    }
    return table[table.length - 1]![1];
  }
}

// ---------------------------------------------------------------------------------------------
// Word lists

const BRAND_START = [
  'Ac', 'Al', 'Am', 'Ar', 'Ax', 'Bel', 'Bor', 'Bri', 'Cal', 'Cor', 'Cyr', 'Dal', 'Del', 'Dyn', 'Ev', 'Ex', 'Fal', 'Fen', 'Gal', 'Gen',
  'Hal', 'Hel', 'Ir', 'Jun', 'Kel', 'Kor', 'Lum', 'Lyr', 'Mar', 'Mer', 'Nor', 'Nov', 'Ob', 'Ov', 'Pal', 'Pyr', 'Quan', 'Quin', 'Ros', 'Sol',
  'Syn', 'Tal', 'Tor', 'Ul', 'Val', 'Ver', 'Vor', 'Wex', 'Xen', 'Zen', 'Zor', 'Tri', 'Om', 'Pen', 'Stra', 'Tel', 'Vi', 'Zy', 'Ny', 'Orb',
];
const BRAND_MID = ['', '', '', 'a', 'e', 'i', 'o', 'ar', 'er', 'in', 'on', 'or', 'an', 'el', 'il', 'ul'];
const BRAND_END = [
  'tek', 'tex', 'vex', 'dex', 'ion', 'ora', 'ium', 'nix', 'via', 'tron', 'gen', 'lux', 'dyne', 'ware', 'wise', 'ford', 'stone', 'field',
  'bridge', 'haven', 'logic', 'sys', 'net', 'sphere', 'point', 'core', 'path', 'mark', 'tide', 'crest', 'gate', 'line', 'quest', 'vista',
  'scape', 'nova', 'metric', 'soft', 'works', 'cast',
];
const REAL_WORDS = [
  'Blue', 'River', 'North', 'Summit', 'Pioneer', 'Harbor', 'Apex', 'Cedar', 'Silver', 'Golden', 'Eagle', 'Falcon', 'Pine', 'Oak', 'Maple',
  'Crescent', 'Liberty', 'Keystone', 'Horizon', 'Meridian', 'Atlas', 'Beacon', 'Cobalt', 'Copper', 'Granite', 'Ironwood', 'Juniper',
  'Lighthouse', 'Maverick', 'Orchard', 'Prairie', 'Quarry', 'Redwood', 'Sapphire', 'Sterling', 'Thunder', 'Willow', 'Zenith', 'Anchor',
  'Arrow', 'Aspen', 'Bright', 'Canyon', 'Cardinal', 'Clear', 'Coastal', 'Crown', 'Crystal', 'Delta', 'Echo', 'Emerald', 'Evergreen',
  'First', 'Fox', 'Frontier', 'Glacier', 'Great', 'Green', 'Heritage', 'Highland', 'Hudson', 'Island', 'Lake', 'Legacy', 'Lion', 'Lone',
  'Madison', 'Metro', 'Midland', 'Mountain', 'National', 'Noble', 'Ocean', 'Olympic', 'Pacific', 'Paramount', 'Peak', 'Phoenix', 'Polar',
  'Premier', 'Quantum', 'Rapid', 'Raven', 'Ridge', 'Rock', 'Royal', 'Sand', 'Shore', 'Sierra', 'Sky', 'Spring', 'Star', 'Stone', 'Sun',
  'Swift', 'Titan', 'Tower', 'Trinity', 'True', 'Union', 'United', 'Valley', 'Vanguard', 'Victory', 'West', 'White', 'Wild', 'Wolf',
];
const SURNAMES = [
  'Smith', 'Johnson', 'Patel', 'Nakamura', 'Okafor', 'Reyes', 'Kowalski', 'Novak', 'Rossi', 'Bianchi', 'Schmidt', 'Fischer', 'Weber',
  'Wagner', 'Becker', 'Hoffmann', 'Jansen', 'De Vries', 'Van Dijk', 'Nielsen', 'Hansen', 'Larsen', 'Lindqvist', 'Virtanen', 'Murphy',
  'Kelly', 'Walsh', 'Dubois', 'Martin', 'Bernard', 'Moreau', 'Laurent', 'Silva', 'Santos', 'Costa', 'Kim', 'Lee', 'Park', 'Tanaka',
  'Suzuki', 'Chen', 'Wang', 'Singh', 'Khan', 'Cohen', 'Levi', 'Haddad', 'Mensah', 'Adeyemi', 'Morgan',
  // accented
  'Müller', 'Schröder', 'Köhler', 'Jäger', 'Bäcker', 'Günther', 'García', 'Núñez', 'Ibáñez', 'Muñoz', 'Pérez', 'Gómez', 'Rodríguez',
  'Sánchez', 'Martínez', 'Østergaard', 'Jørgensen', 'Søndergaard', 'Björk', 'Åkesson', 'Håkansson', 'Ångström', 'Gonçalves', 'Magalhães',
  'Conceição', 'Lefèvre', 'Gérard', 'Benoît', 'Dvořák', 'Novotný', 'Kovačević', 'Petrović', 'Wiśniewski', 'Łukasiewicz', 'Dąbrowski',
  'Çelik', 'Yılmaz', 'Öztürk', 'Šimić', 'Horváth', 'Szabó', 'Tóth', 'Strauß', 'Weiß', 'Krüger',
];
const PLACES = [
  'Pacific', 'Atlantic', 'Nordic', 'Iberia', 'Alpine', 'Baltic', 'Texas', 'Midwest', 'Bavaria', 'Lyon', 'Porto', 'Dublin', 'Boston',
  'Denver', 'Seattle', 'Ontario', 'Yorkshire', 'Andes', 'Sahara', 'Danube', 'Rhine', 'Tasman', 'Yukon', 'Cascadia', 'Carolina',
  // accented
  'Zürich', 'Malmö', 'Kraków', 'São Paulo', 'Córdoba', 'München', 'Köln', 'Düsseldorf', 'Göteborg', 'Århus', 'Québec', 'Montréal',
  'Bogotá', 'Málaga', 'Genève', 'Besançon', 'Łódź', 'Brașov', 'Plzeň', 'Tromsø',
];
const INDUSTRY = [
  'Analytics', 'Logistics', 'Systems', 'Software', 'Consulting', 'Health', 'Pharma', 'Energy', 'Capital', 'Foods', 'Robotics', 'Media',
  'Networks', 'Labs', 'Materials', 'Manufacturing', 'Solutions', 'Technologies', 'Partners', 'Holdings', 'Group', 'Industries', 'Motors',
  'Aerospace', 'Biotech', 'Retail', 'Insurance', 'Bank', 'Telecom', 'Security', 'Data', 'Cloud', 'Devices', 'Engineering', 'Construction',
  'Properties', 'Shipping', 'Airlines', 'Chemicals', 'Textiles', 'Brewing', 'Farms', 'Dynamics', 'Instruments', 'Mining', 'Outfitters',
  'Hospitality', 'Diagnostics', 'Semiconductors', 'Payments', 'Freight', 'Utilities', 'Ventures', 'Studios', 'Publishing', 'Medical',
  // accented, European
  'Logística', 'Soluções', 'Tecnología', 'Ingeniería', 'Énergie', 'Société', 'Sistemas', 'Dienstleistungen', 'Maschinenbau', 'Bäckerei',
  'Brauerei', 'Automação', 'Conseil', 'Systèmes', 'Gestión', 'Comércio', 'Fahrzeugbau', 'Immobilière', 'Elektronik', 'Verpackung',
];
const LEGAL_BY_REGION: Record<string, readonly (readonly [number, string])[]> = {
  NA: [[5, 'Inc.'], [3, 'LLC'], [2, 'Corp.'], [1, 'Corporation'], [1, 'Co.'], [1, 'L.L.C.'], [1, 'Incorporated'], [1, 'LP']],
  EMEA: [[4, 'GmbH'], [2, 'AG'], [2, 'S.A.'], [2, 'Ltd'], [1, 'Limited'], [1, 'plc'], [2, 'B.V.'], [1, 'N.V.'], [1, 'Oy'], [1, 'AB'], [1, 'S.r.l.'], [1, 'S.p.A.'], [1, 'SARL'], [1, 'SAS'], [1, 'GmbH & Co. KG'], [1, 'LLP']],
  APAC: [[4, 'Pty Ltd'], [3, 'Ltd'], [2, 'Limited'], [1, 'Co., Ltd.']],
  LATAM: [[4, 'S.A.'], [2, 'SA'], [1, 'S.R.L.'], [1, 'Ltd']],
};
/** Suffixes a person might type instead of the account's own (legal-suffix queries). */
const TYPED_SUFFIXES = ['Inc', 'Inc.', 'LLC', 'Ltd', 'Limited', 'GmbH', 'AG', 'S.A.', 'Corp', 'Corporation', 'plc', 'B.V.', 'Pty Ltd', 'Co.'];
const TLDS_BY_REGION: Record<string, readonly string[]> = {
  NA: ['com', 'com', 'com', 'io', 'net', 'us', 'co', 'ca'],
  EMEA: ['com', 'de', 'fr', 'co.uk', 'nl', 'se', 'es', 'it', 'ch', 'eu', 'io', 'dk', 'fi', 'pl', 'pt'],
  APAC: ['com', 'com.au', 'co.nz', 'jp', 'sg', 'in', 'com'],
  LATAM: ['com', 'com.br', 'com.mx', 'com.ar', 'cl', 'co'],
};
const REGIONS: readonly (readonly [number, string])[] = [[45, 'NA'], [35, 'EMEA'], [12, 'APAC'], [8, 'LATAM']];
const SEGMENTS: readonly (readonly [number, string])[] = [[8, 'enterprise'], [30, 'mid-market'], [62, 'smb']];

// ---------------------------------------------------------------------------------------------
// Text helpers

const FOLD: Record<string, string> = { 'ß': 'ss', 'æ': 'ae', 'ø': 'o', 'ł': 'l', 'œ': 'oe', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ı': 'i', 'Ø': 'O', 'Ł': 'L', 'Æ': 'Ae' };

/** Accents removed, as a person without the accented keys types it. */
export function stripAccents(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  return s.replace(/[ßæøłœđðþıØŁÆ]/g, (c) => FOLD[c] ?? c).normalize('NFKD').replace(/\p{M}+/gu, '');
}

/**
 * A 53-bit hash of a string (cyrb53): the uniqueness sets hold these numbers instead of the
 * strings, which is several times faster at a million entries. A collision only makes the
 * generator skip a name that was in fact free.
 */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The matcher's own notion of "the same name": normalised words without spaces. */
export function compactKey(s: string): string {
  return nameTokens(s).join('');
}

function slug(words: string[]): string {
  return stripAccents(words.join(' '))
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['.]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Accounts

export interface GeneratedAccount extends Account {
  /** The name without its legal suffix, as words (for queries). */
  base: string[];
  /** The legal suffix of the name, or null. */
  suffix: string | null;
}

function brand(r: Rng): string {
  return r.pick(BRAND_START) + r.pick(BRAND_MID) + r.pick(BRAND_END);
}

function baseName(r: Rng): string[] {
  const pattern = r.weighted<number>([[28, 1], [8, 2], [18, 3], [14, 4], [10, 5], [12, 6], [10, 7]]);
  switch (pattern) {
    case 1: return [brand(r), r.pick(INDUSTRY)];
    case 2: return [brand(r)];
    case 3: return [r.pick(REAL_WORDS), r.chance(0.5) ? r.pick(REAL_WORDS) : brand(r), r.pick(INDUSTRY)];
    case 4: return r.chance(0.6) ? [...r.pick(SURNAMES).split(' '), r.pick(INDUSTRY)] : [...r.pick(SURNAMES).split(' '), '&', ...r.pick(SURNAMES).split(' ')];
    case 5: {
      const industry = r.pick(INDUSTRY);
      return [...r.pick(PLACES).split(' '), industry, ...(industry !== 'Group' && r.chance(0.3) ? ['Group'] : [])];
    }
    case 6: return [brand(r), ...r.pick(PLACES).split(' '), r.pick(INDUSTRY)];
    default: return [r.pick(REAL_WORDS), brand(r)];
  }
}

export interface AccountSet {
  accounts: GeneratedAccount[];
  partners: Partner[];
}

/**
 * `n` accounts with unique names, aliases and domains (as the matcher compares them), and
 * `partnerCount` partners. About a third have aliases (short names, former names,
 * abbreviations), most have one web domain and some two; a quarter have accents in their names.
 */
export function generateAccounts(n: number, seed = 1, partnerCount = 200): AccountSet {
  const r = new Rng(seed);
  const taken = new Set<number>(); // hashes of the compact keys of names and aliases
  const domainsTaken = new Set<number>(); // hashes of the domains
  const partners: Partner[] = [];
  for (let i = 0; partners.length < partnerCount; i++) {
    const words = [r.pick(REAL_WORDS), r.pick(['Partners', 'Consulting', 'Systems Integration', 'Solutions', 'Advisors', 'Resellers', 'Cloud Services'])];
    const name = `${words.join(' ')}${i >= 60 ? ` ${brand(r)}` : ''}`;
    if (taken.has(hash53(`partner:${name}`))) continue;
    taken.add(hash53(`partner:${name}`));
    const id = `p${String(partners.length + 1).padStart(3, '0')}`;
    partners.push({ id, name, tier: r.pick(['gold', 'silver', 'platinum', 'registered']), slackTeamId: `T0P${id.toUpperCase()}`, teamsTenantId: null });
  }

  const accounts: GeneratedAccount[] = [];
  let attempts = 0;
  while (accounts.length < n) {
    if (++attempts > n * 50 + 1000) throw new Error(`generateAccounts: could not make ${n} unique names`);
    const region = r.weighted(REGIONS);
    let base = baseName(r);
    let key = compactKey(base.join(' '));
    // A taken name gets a distinguishing word, as real namesakes do ("Smith & Jones Consulting").
    for (let t = 0; t < 3 && taken.has(hash53(key)); t++) {
      base = t === 0 && !INDUSTRY.includes(base[base.length - 1]!) ? [...base, r.pick(INDUSTRY)] : [r.chance(0.5) ? r.pick(REAL_WORDS) : brand(r), ...base];
      key = compactKey(base.join(' '));
    }
    if (key.length < 3 || taken.has(hash53(key))) continue;
    const suffix = r.chance(0.72) ? r.weighted(LEGAL_BY_REGION[region]!) : null;
    const name = suffix ? `${base.join(' ')}${suffix.startsWith('Co.,') ? ' ' : base.length > 1 && r.chance(0.3) ? ', ' : ' '}${suffix}` : base.join(' ');

    // Domains: the brand or first words, a regional TLD; a second one for some.
    const tld = r.pick(TLDS_BY_REGION[region]!);
    const domainWords = base.filter((w) => w !== '&');
    const candidate = (i: number) => (i < 3 ? slug(domainWords.slice(0, i === 2 ? domainWords.length : i + 1)) : `${slug(domainWords)}-${region.toLowerCase()}`);
    const domains: string[] = [];
    if (!r.chance(0.03)) {
      for (let i = 0; i < 4; i++) {
        const c = candidate(i);
        const d = `${c}.${tld}`;
        if (c.length >= 2 && !domainsTaken.has(hash53(d))) {
          domains.push(d);
          break;
        }
      }
      if (domains.length > 0 && r.chance(0.12)) {
        const d = `${slug(domainWords)}.${r.pick(['io', 'net', 'eu', 'co', 'app'].filter((x) => x !== tld))}`;
        if (!domainsTaken.has(hash53(d)) && !domains.includes(d)) domains.push(d);
      }
    }

    // Aliases: an upper-case abbreviation with the industry, a short name, or a former name.
    const aliases: string[] = [];
    const aliasKeys: string[] = [];
    if (r.chance(0.33)) {
      const tries = 1 + (r.chance(0.2) ? 1 : 0);
      for (let t = 0; t < tries; t++) {
        const kind = r.int(3);
        let alias: string;
        if (kind === 0 && base.length >= 2) alias = `${base.filter((w) => w !== '&').map((w) => stripAccents(w)[0]!.toUpperCase()).join('')} ${r.pick(INDUSTRY)}`;
        else if (kind === 1 && base.length >= 2) alias = base[0]!;
        else alias = `${base[0]} ${r.pick(INDUSTRY)}`;
        const k = compactKey(alias);
        if (k.length < 3 || k === key || taken.has(hash53(k)) || aliasKeys.includes(k)) continue;
        aliases.push(alias);
        aliasKeys.push(k);
      }
    }

    taken.add(hash53(key));
    for (const k of aliasKeys) taken.add(hash53(k));
    for (const d of domains) domainsTaken.add(hash53(d));
    const i = accounts.length;
    const segment = r.weighted(SEGMENTS);
    const isCustomer = r.chance(0.2);
    accounts.push({
      id: `acct-${String(i + 1).padStart(7, '0')}`,
      name,
      aliases,
      domains,
      segment,
      region,
      tier: r.chance(0.01) ? 'strategic' : 'standard',
      isCustomer,
      incumbentPartnerId: isCustomer && r.chance(0.25) ? r.pick(partners).id : null,
      namedOwner: r.chance(0.01) ? r.pick(partners).id : null,
      base,
      suffix,
    });
  }
  return { accounts, partners };
}

/** The accounts as the `accounts` CSV of `roe import` would hold them (for fixtures). */
export function accountRow(a: Account): [string, string, string, string, string | null, string | null, string | null, number, string | null, string | null] {
  return [a.id, a.name, JSON.stringify(a.aliases), JSON.stringify(a.domains), a.segment, a.region, a.tier, a.isCustomer ? 1 : 0, a.incumbentPartnerId, a.namedOwner];
}

// ---------------------------------------------------------------------------------------------
// Claims

export interface GeneratedClaim {
  account: string;
  claimant: string;
  route: string;
  product: string;
  opportunity: string;
  stage: string;
  amount: string;
  evidence: string;
}

const OPP_KINDS = ['rollout', 'renewal', 'expansion', 'migration', 'pilot', 'platform refresh', 'upgrade', 'new logo'];
const STAGES = ['prospecting', 'qualified', 'proposal', 'negotiation', 'commit'];
const PRODUCTS = ['Core Platform', 'Analytics', 'Services'];

/**
 * Claim form values on random accounts by random partners. `overlapShare` of them go to an
 * account and product line already claimed earlier in the list by another partner, so that
 * the overlap check opens a dispute; the first `plainFirst` never do.
 */
export function generateClaims(set: AccountSet, n: number, seed = 2, overlapShare = 0.1, plainFirst = 0): GeneratedClaim[] {
  const r = new Rng(seed);
  const out: GeneratedClaim[] = [];
  const accountOf: GeneratedAccount[] = [];
  // A party files one claim per account and product line (a second is refused as a duplicate).
  const filed = new Set<string>();
  while (out.length < n) {
    const i = out.length;
    const e = i > 0 && i >= plainFirst && r.chance(overlapShare) ? r.int(i) : -1;
    const earlier = e >= 0 ? out[e]! : null;
    const account = e >= 0 ? accountOf[e]! : r.pick(set.accounts);
    const claimant = r.pick(set.partners).id;
    const product = earlier ? earlier.product : r.pick(PRODUCTS);
    const key = `${account.id}|${product}|${claimant}`;
    if (filed.has(key)) continue;
    filed.add(key);
    accountOf.push(account);
    out.push({
      account: account.id,
      claimant,
      route: r.pick(ROUTES.filter((x) => x !== 'direct')),
      product,
      opportunity: `${account.base.filter((w) => w !== '&').slice(0, 2).join(' ')} ${r.pick(OPP_KINDS)}`,
      stage: r.pick(STAGES),
      amount: String(1000 * (5 + r.int(400))),
      evidence: r.chance(0.5) ? `Call with the customer's ${r.pick(['CIO', 'CTO', 'VP Sales', 'procurement lead'])} on ${2026}-${String(1 + r.int(12)).padStart(2, '0')}-${String(1 + r.int(28)).padStart(2, '0')}` : '',
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Queries

export const QUERY_KINDS = ['prefix', 'typo', 'legal-suffix', 'accent', 'domain'] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

export interface Query {
  kind: QueryKind;
  text: string;
  /** The account that must rank first. */
  expect: string;
}

/**
 * Exact answers to "which accounts could this query mean", used to keep only queries with one
 * right answer: sorted normalised names and aliases (for prefixes) and, for typos, how many
 * names share all words but one.
 */
class Oracle {
  private readonly sorted: string[];
  private readonly wildcard = new Map<string, number>();
  private readonly compact = new Set<number>();

  constructor(accounts: readonly GeneratedAccount[]) {
    const all: string[] = [];
    for (const a of accounts) {
      for (const field of [a.name, ...a.aliases]) {
        const words = nameTokens(field);
        all.push(words.join(' '));
        this.compact.add(hash53(words.join('')));
        for (let i = 0; i < words.length; i++) {
          const k = `${words.length}|${i}|${words.filter((_, j) => j !== i).join(' ')}`;
          this.wildcard.set(k, (this.wildcard.get(k) ?? 0) + 1);
        }
      }
    }
    all.sort();
    this.sorted = all;
  }

  /** How many names or aliases start with `prefix` (normalised). */
  prefixCount(prefix: string): number {
    const lo = lowerBound(this.sorted, prefix);
    let n = 0;
    for (let i = lo; i < this.sorted.length && this.sorted[i]!.startsWith(prefix) && n < 3; i++) n++;
    return n;
  }

  /** True when some name or alias reads as `text` once normalised and spaces are dropped. */
  isName(text: string): boolean {
    return this.compact.has(hash53(compactKey(text)));
  }

  /** How many names or aliases have these words except at position i. */
  othersAt(words: readonly string[], i: number): number {
    return this.wildcard.get(`${words.length}|${i}|${words.filter((_, j) => j !== i).join(' ')}`) ?? 0;
  }
}

function lowerBound(xs: readonly string[], x: string): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One edit: a substitution, an adjacent transposition, a deletion or an insertion. */
function typo(word: string, r: Rng): string {
  const i = 1 + r.int(word.length - 2); // keep the first letter, as people mostly do
  switch (r.int(4)) {
    case 0: {
      let c = r.pick([...LETTERS]);
      while (c === word[i]) c = r.pick([...LETTERS]);
      return word.slice(0, i) + c + word.slice(i + 1);
    }
    case 1:
      return word[i] === word[i + 1] || i + 1 >= word.length ? word.slice(0, i) + word.slice(i + 1) : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 2:
      return word.slice(0, i) + word.slice(i + 1);
    default:
      return word.slice(0, i) + r.pick([...LETTERS]) + word.slice(i);
  }
}

/**
 * `perKind` queries of each kind, each with one right answer:
 * - prefix: the name cut inside its last word ("Norvex Anal"), the only name or alias starting so;
 * - typo: the name with one edit in a word of 5+ letters, no other name sharing the other words;
 * - legal-suffix: the name with another legal form or none ("Norvex Analytics Inc" for "… GmbH");
 * - accent: an accented name typed without accents ("muller maschinenbau");
 * - domain: a domain of the account as typed: bare, as a URL, or in an e-mail address (only
 *   the last two when the bare domain also reads as a name: "penonora.co" may be "Penonora Co.").
 */
export function generateQueries(accounts: readonly GeneratedAccount[], perKind: number, seed = 3): Query[] {
  const r = new Rng(seed);
  const oracle = new Oracle(accounts);
  const out: Query[] = [];
  const accented = accounts.filter((a) => a.name !== stripAccents(a.name));
  for (const kind of QUERY_KINDS) {
    let made = 0;
    for (let guard = 0; made < perKind && guard < perKind * 200; guard++) {
      const pool = kind === 'accent' && accented.length > 0 ? accented : accounts;
      const a = pool[r.int(pool.length)]!;
      const q = makeQuery(kind, a, r, oracle);
      if (q === null) continue;
      out.push({ kind, text: q, expect: a.id });
      made++;
    }
  }
  return out;
}

function makeQuery(kind: QueryKind, a: GeneratedAccount, r: Rng, oracle: Oracle): string | null {
  const words = nameTokens(a.name);
  switch (kind) {
    case 'prefix': {
      const base = a.base.join(' ');
      const display = a.base.length > 1 ? base.slice(0, base.lastIndexOf(' ')) : '';
      const last = a.base[a.base.length - 1]!;
      if (last.length < 4) return null;
      const cut = Math.max(3, Math.ceil(last.length * 0.6));
      const text = `${display ? `${display} ` : ''}${last.slice(0, cut)}`;
      const norm = nameTokens(text).join(' ');
      if (norm === words.join(' ') || oracle.prefixCount(norm) !== 1) return null;
      return r.chance(0.5) ? text.toLowerCase() : text;
    }
    case 'typo': {
      const candidates = words.map((w, i) => [w, i] as const).filter(([w]) => w.length >= 5 && !/\d/.test(w));
      if (candidates.length === 0) return null;
      const [w, i] = r.pick(candidates);
      if (oracle.othersAt(words, i) !== 1) return null;
      const t = typo(w, r);
      if (t === w) return null;
      return words.map((x, j) => (j === i ? t : x)).join(' ');
    }
    case 'legal-suffix': {
      let other = r.pick(TYPED_SUFFIXES);
      if (a.suffix && compactKey(`x ${other}`) === compactKey(`x ${a.suffix}`)) other = 'LLC';
      const base = a.base.join(' ');
      if (!a.suffix) return `${base} ${other}`;
      return r.chance(0.35) ? base : `${base}${r.chance(0.3) ? ',' : ''} ${other}`;
    }
    case 'accent': {
      const plain = stripAccents(a.base.join(' '));
      if (plain === a.base.join(' ')) return null;
      return r.chance(0.5) ? plain.toLowerCase() : plain;
    }
    case 'domain': {
      if (a.domains.length === 0) return null;
      const d = r.pick(a.domains);
      // "penonora.co" typed bare may as well be the name "Penonora Co.": only URL and e-mail
      // forms are certainly a domain when its words also read as another account's name.
      const bareIsName = oracle.isName(d);
      if (bareIsName) return r.chance(0.5) ? `https://www.${d}/about` : `jane.doe@${d}`;
      return r.weighted([
        [4, d],
        [2, `https://www.${d}/about`],
        [2, `jane.doe@${d}`],
        [1, `www.${d}`],
        [1, d.toUpperCase()],
      ]);
    }
  }
}
