import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressIn,
  companyPageName,
  domainLabel,
  LEGAL_SUFFIXES,
  looksLikeDomain,
  nameTokens,
  nameTokensGeneral,
  legalFormMayStartWord,
  legalFormOf,
  literalName,
  normalizeDomain,
  normalizeName,
  personalMailDomain,
  spelledOutWords,
} from '../../../src/core/matching/normalize.js';

describe('normalizeName', () => {
  it.each([
    // case, punctuation, spacing
    ['ACME', 'acme'],
    ['  Acme    Holdings ', 'acme holdings'],
    ['Acme Holdings, Inc.', 'acme holdings'],
    ['Acme-Holdings (Europe)', 'acme holdings europe'],
    ['acme/holdings_group', 'acme holdings group'],
    ['Yahoo!', 'yahoo'],
    ['3M Company', '3m'],
    // accents and letters NFKD leaves alone
    ['Müller GmbH', 'muller'],
    ['MÜLLER', 'muller'],
    ['Société Générale S.A.', 'societe generale'],
    ['Nestlé', 'nestle'],
    ['Straße AG', 'strasse'],
    ['Æon Ltd', 'aeon'],
    ['Ørsted', 'orsted'],
    ['Łódź Partners', 'lodz partners'],
    // Turkish dotless ı, as İ and I give it
    ['Işık Holding', 'isik holding'],
    ['Ｆｕｌｌｗｉｄｔｈ', 'fullwidth'],
    // & and apostrophes
    ['Procter & Gamble Co.', 'procter and gamble'],
    ['AT&T Inc.', 'at and t'],
    ['Johnson & Johnson', 'johnson and johnson'],
    ['Smith & Co', 'smith'],
    ["Macy's, Inc.", 'macys'],
    ['McDonald’s Corporation', 'mcdonalds'],
    // dotted acronyms
    ['I.B.M.', 'ibm'],
    ['J.P. Morgan', 'jp morgan'],
    // legal suffixes, repeatedly and only at the end
    ['Acme Pty Ltd', 'acme'],
    ['Acme GmbH & Co. KG', 'acme'],
    ['Acme Holdings Limited LLC', 'acme holdings'],
    ['Limited Brands', 'limited brands'],
    ['Company Solutions Group', 'company solutions group'],
    ['The Home Depot, Inc.', 'home depot'],
    ['THE BOEING COMPANY', 'boeing'],
    ['the', 'the'],
    ['The Co.', 'the'],
    ['Bank of the West', 'bank of the west'],
    ['A.P. Møller - Mærsk A/S', 'ap moller maersk'],
    ['Grab Holdings Pte. Ltd.', 'grab holdings'],
    ['Inc Research Group', 'inc research group'],
    // nothing left
    ['', ''],
    ['   ', ''],
    ['...', ''],
    ['Inc.', ''],
    ['L.L.C.', ''],
    ['GmbH & Co. KG', ''],
    // "de" goes only with the legal form after it
    ['Banco de Chile', 'banco de chile'],
    ['Grupo Bimbo S.A.B. de C.V.', 'grupo bimbo'],
    ['Cemex, S.A.B. de C.V.', 'cemex'],
    // CJK legal forms, written with no space, before or after the name
    ['株式会社リクルート', 'リクルート'],
    ['トヨタ自動車株式会社', 'トヨタ自動車'],
    ['㈱リクルート', 'リクルート'],
    ['华为技术有限公司', '华为技术'],
    ['株式会社', ''],
    // half-width kana keep their voiced sound marks; Greek's final sigma is σ
    ['ﾊﾟﾅｿﾆｯｸ', 'パナソニック'],
    ['ΟΔΟΣ', 'οδοσ'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  const spellings = [
    'Inc', 'Inc.', 'Incorporated', 'LLC', 'L.L.C.', 'L L C', 'l.l.c', 'Ltd', 'Ltd.', 'Limited',
    'Corp', 'Corp.', 'Corporation', 'Co', 'Co.', 'Company', 'GmbH', 'AG', 'SA', 'S A', 'S.A.',
    'PLC', 'p.l.c.', 'BV', 'B.V.', 'NV', 'N.V.', 'Oy', 'AB', 'SRL', 'S.r.l.', 'SpA', 'S.p.A.',
    'Pty', 'KG', 'LLP', 'LP', 'L.P.', 'SARL', 'SAS',
    'SE', 'A/S', 'AS', 'ASA', 'ApS', 'Oyj', 'S.L.', 'SL', 's.r.o.', 'Kft.', 'Ltda', 'Ltda.',
    'Pte. Ltd.', 'Pte', 'Pvt. Ltd.', 'Pvt', 'Sdn. Bhd.', 'Sdn', 'Bhd', 'K.K.', 'KK',
    'AG & Co. KGaA', 'KGaA', 'BVBA', 'd.o.o.', 'DOO', 'JSC', 'PJSC', 'OOO', 'ULC', 'AB (publ)', 'publ',
    'S.A.U.', 'SAU', 'S.L.U.', 'SLU', 'S.A.B. de C.V.', 'S.A. de C.V.', 'SAB', 'CV',
    '株式会社', '㈱', '(株)', '有限会社', '㈲', '(有)', '合同会社', '合資会社', '合名会社',
    '有限公司', '股份有限公司', '有限责任公司', '有限責任公司', '주식회사', '㈜', '(주)', '유한회사',
  ];

  it.each(spellings)('drops the legal suffix %j', (suffix) => {
    expect(normalizeName(`Acme Widgets ${suffix}`)).toBe('acme widgets');
    expect(normalizeName(`Acme Widgets, ${suffix}`)).toBe('acme widgets');
  });

  it('covers every listed suffix with the spellings above', () => {
    const covered = new Set(spellings.map((s) => normalizeName(`x ${s}`, { keepLegalSuffixes: true }).slice(2).replaceAll(' ', '')));
    for (const suffix of LEGAL_SUFFIXES) expect(covered).toContain(suffix);
  });

  it('keeps legal suffixes when asked', () => {
    expect(normalizeName('Acme Holdings, Inc.', { keepLegalSuffixes: true })).toBe('acme holdings inc');
    expect(normalizeName('Company AB', { keepLegalSuffixes: true })).toBe('company ab');
  });

  it('nameTokens gives the words of the normalised name', () => {
    expect(nameTokens('Acme Analytics GmbH')).toEqual(['acme', 'analytics']);
    expect(nameTokens('Ltd.')).toEqual([]);
  });
});

describe('scripts whose marks are letters, and those whose marks are only points', () => {
  // Written the same way, or with only the optional points and the letter forms two spellings share: one name.
  it.each([
    ['شـركة الـنور', 'شركة النور'], // Arabic tatweel (kashida), a stretch of the line only
    ['کریم', 'كريم'], // Persian keheh and yeh, as Arabic kaf and yeh
    ['مصطفى', 'مصطفي'], // alef maksura as yeh
    ['أحمد', 'احمد'], // hamza on alef
    ['إيمان', 'ايمان'], // hamza under alef
    ['آمنة', 'امنه'], // madda on alef; ta marbuta as ha
    ['مُحَمَّد', 'محمد'], // harakat: the optional vowel points
    ['שָׁלוֹם', 'שלום'], // Hebrew points (niqqud)
    ['Nguyễn Thị', 'nguyen thi'], // Vietnamese: Latin with accents stacked
  ])('%s is read as %s', (a, b) => {
    expect(normalizeName(a)).toBe(normalizeName(b));
  });
  // Vowel signs and marks that make another syllable, not an accent: kept, so different names stay different.
  it.each([
    ['शर्मा', 'शम'], // Devanagari: vowel sign aa and virama
    ['गीता', 'गत'],
    ['กิ่ง', 'กง'], // Thai: vowel sign and tone mark
    ['สมใจ', 'สมจ'],
    ['கீதா', 'கத'], // Tamil
    ['ハート', 'パート'], // kana voiced marks, as before
  ])('%s is not read as %s', (a, b) => {
    expect(normalizeName(a)).not.toBe(normalizeName(b));
    expect(normalizeName(a)).toBe(normalizeName(a.normalize('NFD')));
  });
});

describe('spelledOutWords', () => {
  const spelled = (s: string, options = {}) => spelledOutWords(s, nameTokens(s, options), options);

  it.each<[string, (string | null)[] | null]>([
    // each letter, in either case, as the first, a middle or the last letter of a word
    ['Müller Logistik GmbH', ['mueller', null]],
    ['ÜBERSEE Handel', ['uebersee', null]],
    ['Jäger Bau', ['jaeger', null]],
    ['Mäkelä Oy', ['maekelae']],
    ['Schröder & Söhne', ['schroeder', null, 'soehne']],
    ['Öl AB', ['oel']],
    ['Ålborg Havn A/S', ['aalborg', null]],
    ['Håkansson', ['haakansson']],
    ['Søren Jensen ApS', ['soeren', null]],
    ['TROMSØ', ['tromsoe']],
    // written decomposed (a combining diaeresis or ring, the Ångström sign)
    ['Mu\u0308ller', ['mueller']],
    ['\u212Blborg', ['aalborg']],
    ['A\u030arhus', ['aarhus']],
    // ß and æ are folded to ss and ae already; with another letter, that one alone
    ['Großhändler', ['grosshaendler']],
    ['Ærø', ['aeroe']],
  ])('%j → %j', (name, expected) => {
    expect(spelled(name)).toEqual(expected);
  });

  it.each([
    'Mueller Logistik', // written out already: no other spelling
    'Boeing',
    'Queue Systems',
    'Aalborg Havn',
    'Straße AG', // ß is ss already
    'Mærsk', // æ is ae already
    'Société Générale', // accents that are not written out
    'Ö.B.B. Müller', // written out, "Oe.B.B." is no dotted acronym: the words would change
    'Bygg Ås', // written out, "aas" is no legal suffix: the words would change
    '',
  ])('%j has no other spelling', (name) => {
    expect(spelled(name)).toBeNull();
  });

  it('follows the options of the words it is given', () => {
    expect(spelled('Öy AB', { keepLegalSuffixes: true })).toEqual(['oey', null]);
    expect(spelled('The Äpfel', { keepLeadingThe: true })).toEqual([null, 'aepfel']);
    expect(spelled('The Äpfel')).toEqual(['aepfel']);
  });
});

describe('the fast paths of nameTokens', () => {
  // Latin letters (with folded, decomposing and compatibility ones), punctuation the general
  // path treats specially, typographic apostrophes, and a few characters no table covers.
  const units = [...'aZ09 .&\'`´’‘-,/_ßæøłœđðþıİŉſĲµ½ªéÅçÑüŸ'].concat(['\u00a0', '\u0301', 'Σ', '\ud83d\ude00', 'ﬁ']);
  const text = fc.array(fc.constantFrom(...units), { maxLength: 14 }).map((a) => a.join(''));
  const latin1 = fc.array(fc.integer({ min: 0, max: 0x17f }).map((c) => String.fromCharCode(c)), { maxLength: 14 }).map((a) => a.join(''));

  it.each([
    'İstanbul Ltd', 'Ĳsselmeer', 'Jean´s Bistro', 'µ-Systems', '½ Price Co', 'ŉ Bank', 'A.B.C. & D.E. GmbH', 'ß.x.y.', "O'Brien & Søn A/S", 'Œuvre S.à r.l.', 'Ångström Ltd.', 'L’Oréal S.A.',
  ])('%j gives the words of the general path', (s) => {
    expect(nameTokens(s)).toEqual(nameTokensGeneral(s));
    expect(nameTokens(s, { keepLegalSuffixes: true })).toEqual(nameTokensGeneral(s, { keepLegalSuffixes: true }));
  });

  it('give the words of the general path for any text', () => {
    fc.assert(
      fc.property(fc.oneof(text, latin1), (s) => {
        expect(nameTokens(s)).toEqual(nameTokensGeneral(s));
        expect(nameTokens(s, { keepLegalSuffixes: true })).toEqual(nameTokensGeneral(s, { keepLegalSuffixes: true }));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['ACME.COM', 'acme.com'],
    ['www.acme.com', 'acme.com'],
    ['www2.acme.com', 'acme.com'],
    ['https://www.Acme.com/path', 'acme.com'],
    ['http://acme.com:8080/x?y=1#z', 'acme.com'],
    ['acme.com.', 'acme.com'],
    ['@acme.com', 'acme.com'],
    ['bob@acme.com', 'acme.com'],
    ['mailto:Bob@Acme.com', 'acme.com'],
    [' eu.acme.co.uk ', 'eu.acme.co.uk'],
    ['müller.de', 'müller.de'],
    ['mu\u0308ller.de', 'müller.de'],
    // Pasted with characters nobody sees, or in full-width forms.
    ['acme.com\u200b', 'acme.com'],
    ['ac\u200bme.com', 'acme.com'],
    ['acme\u00ad.com', 'acme.com'],
    ['\u202aacme.com\u202c', 'acme.com'],
    ['\ufeffacme.com', 'acme.com'],
    ['ａｃｍｅ．ｃｏｍ', 'acme.com'],
    ['ＡＣＭＥ.com', 'acme.com'],
    ['bob＠acme.com', 'acme.com'],
    ['Acme Inc', ''],
    ['', ''],
    // Internationalised domains: their ASCII (Punycode) form is the domain in its own letters.
    ['xn--mller-kva.de', 'müller.de'],
    ['https://www.XN--MLLER-KVA.DE/impressum', 'müller.de'],
    ['jo@xn--e1afmkfd.xn--p1ai', 'пример.рф'],
    ['xn--p1b6ci4b4b3a.xn--h2brj9c', 'उदाहरण.भारत'],
    ['例え。ｊｐ', '例え.jp'],
    // not Punycode, or other characters than a domain's letters: as written
    ['xn--.de', 'xn--.de'],
    ['xn--ls8h.la', 'xn--ls8h.la'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it('reads every Punycode label as the letters it encodes (the round trip of the URL parser\'s own encoding)', () => {
    for (const host of ['bücher.example', 'köln-bank.de', 'mañana.com', 'ドメイン名例.jp', '例え.テスト', 'пример.рф', 'παράδειγμα.δοκιμή', 'דוגמה.ישראל', 'مثال.إختبار', '삼성.한국', 'ørsted.dk', 'straße.de']) {
      const ascii = new URL(`http://${host}`).hostname;
      expect(ascii, host).toMatch(/xn--/);
      expect(normalizeDomain(ascii), host).toBe(normalizeDomain(host));
    }
  });
});

describe('legalFormMayStartWord', () => {
  it.each([
    ['acme co', ['Acme Consulting Group'], true],
    ['acme sa', ['Acme Sales Ltd'], true],
    ['acme ag', ['Acme Agritech'], true],
    ['acme co', ['Acme Inc.', 'Acme Holdings'], false],
    ['acme co', ['Co-op Bank'], false],
    ['acme consulting', ['Acme Consulting Group'], false],
    ['co', ['Consolidated Edison'], false],
    ['acme inc', ['Incite Partners'], true],
  ] as const)('%j beside %j: %s', (typed, names, expected) => {
    expect(legalFormMayStartWord(typed, () => names)).toBe(expected);
  });

  it('asks for the names only when the last word is a legal form', () => {
    let asked = 0;
    const names = () => {
      asked += 1;
      return ['Acme Consulting'];
    };
    expect(legalFormMayStartWord('acme consulting', names)).toBe(false);
    expect(asked).toBe(0);
    expect(legalFormMayStartWord('acme co', names)).toBe(true);
    expect(asked).toBe(1);
  });
});

describe('looksLikeDomain', () => {
  it.each([
    ['acme.com', true],
    ['www.acme.com', true],
    ['https://acme.com/x', true],
    ['jo@acme.com', true],
    ['@acme.com', true],
    ['eu.acme.co.uk', true],
    ['acme', false],
    ['Acme Inc.', false],
    ['S.A.', false],
    ['Inc.', false],
    ['acme .com', false],
    ['a.b', false],
    ['', false],
  ])('%j → %s', (input, expected) => {
    expect(looksLikeDomain(input)).toBe(expected);
  });
});

describe('domainLabel', () => {
  it.each([
    ['att.com', 'att'],
    ['wal-mart.com', 'walmart'],
    ['acme.github.io', 'acme'], // a private suffix: the name is the customer's
    ['eu.acme.co.uk', null], // a sub-domain names no account of its own
    ['sites.google.com', null],
    ['health.state.mn.us', null],
    ['x.business.site', null],
    ['acme.com.au', 'acme'],
    ['acme.internal', 'acme'],
    ['müller.de', 'muller'],
    ['x.com', null],
    ['co.uk', null],
    ['com', null],
  ] as const)('%s → %s', (domain, label) => {
    expect(domainLabel(domain)).toBe(label);
  });
});

describe('addressIn', () => {
  it.each([
    ['John Doe <john.doe@att.com>', 'john.doe@att.com'],
    ['<john.doe@att.com>', 'john.doe@att.com'],
    ['att.com,', 'att.com'],
    ['(att.com)', 'att.com'],
    ['"jo@att.com"', 'jo@att.com'],
    ['“https://att.com/x”.', 'https://att.com/x'],
    ['att.com', null], // already one
    ['John Doe', null],
    ['Acme <sales>', null],
  ] as const)('%s → %s', (text, address) => {
    expect(addressIn(text)).toBe(address);
  });
});

describe('personalMailDomain', () => {
  it.each([
    ['jane@gmail.com', 'gmail.com'],
    ['Jane.Doe@GMAIL.COM', 'gmail.com'],
    ['jo@outlook.com', 'outlook.com'],
    ['jo@hotmail.co.uk', 'hotmail.co.uk'],
    ['jo@yahoo.com', 'yahoo.com'],
    ['jo@icloud.com', 'icloud.com'],
    ['jo@proton.me', 'proton.me'],
    ['mailto:jo@gmail.com', 'gmail.com'],
    ['@gmail.com', 'gmail.com'],
    ['Jane Doe <jane@gmail.com>', 'gmail.com'],
    ['"jane@gmail.com",', 'gmail.com'],
    ['jane＠gmail.com', 'gmail.com'],
    // The domain typed as a domain or URL may mean the provider itself.
    ['gmail.com', null],
    ['www.gmail.com', null],
    ['https://gmail.com/', null],
    ['https://medium.com/@jane', null],
    // A company's own domain, and a provider's staff's.
    ['jane@acme.com', null],
    ['jane@google.com', null],
    ['jane@mail.gmail.com', null],
    ['acme', null],
    ['', null],
  ] as const)('%j → %j', (text, domain) => {
    expect(personalMailDomain(text)).toBe(domain);
  });
});

describe('companyPageName', () => {
  it.each([
    ['https://www.linkedin.com/company/acme-corp/', 'acme corp'],
    ['https://www.linkedin.com/company/acme-corp', 'acme corp'],
    ['linkedin.com/company/acme-corp/about/', 'acme corp'],
    ['https://uk.linkedin.com/company/acme-corp?trk=public_profile', 'acme corp'],
    ['HTTPS://WWW.LINKEDIN.COM/COMPANY/ACME-CORP/', 'ACME CORP'],
    ['<https://www.linkedin.com/company/acme-corp/>', 'acme corp'],
    ['https://www.linkedin.com/company/soci%C3%A9t%C3%A9-g%C3%A9n%C3%A9rale/', 'société générale'],
    ['https://www.linkedin.com/company/acme_corp%/', 'acme corp%'],
    ['https://www.crunchbase.com/organization/acme-corp', 'acme corp'],
    // Not a company's page: the site itself, a person's page, anything else.
    ['https://www.linkedin.com/', null],
    ['linkedin.com', null],
    ['https://www.linkedin.com/in/jane-doe/', null],
    ['https://www.linkedin.com/company/', null],
    ['https://www.crunchbase.com/person/jane-doe', null],
    ['https://notlinkedin.com.evil.io/company/acme', null],
    ['linkedin', null],
    ['acme corp', null],
  ] as const)('%j → %j', (text, name) => {
    expect(companyPageName(text)).toBe(name);
  });
});

describe('literalName', () => {
  it.each([
    ['Acme Limited', 'acme ltd'],
    ['Acme Ltd.', 'acme ltd'],
    ['acme, LIMITED', 'acme ltd'],
    ['Acme Incorporated', 'acme inc'],
    ['Acme Corporation', 'acme corp'],
    ['Smith & Company', 'smith and co'],
    ['Acme Holdings Limited LLC', 'acme holdings ltd llc'],
    // Kept as typed: a leading "the", a legal form that is no legal form where it stands.
    ['The Standard', 'the standard'],
    ['Limited Brands', 'limited brands'],
    ['Company Solutions Group', 'company solutions group'],
    ['Acme GmbH', 'acme gmbh'],
  ] as const)('%j → %j', (name, literal) => {
    expect(literalName(name)).toBe(literal);
  });
});

describe('legalFormOf', () => {
  it.each([
    ['Acme Ltd.', 'ltd'],
    ['Acme Limited', 'ltd'],
    ['Acme Analytics GmbH', 'gmbh'],
    ['Foo GmbH & Co. KG', 'kg'],
    ['Foo S A', 'sa'],
    ['Foo S.A.', 'sa'],
    ['Cemex S.A. de C.V.', 'cv'],
    ['Acme L.L.C.', 'llc'],
    ['Acme', null],
    ['SAS AB', null],
  ])('%j ends with the legal form %j', (name, form) => {
    expect(legalFormOf(name)).toBe(form);
  });
});
