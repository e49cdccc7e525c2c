import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { showAccount, whoOwns } from '../../handlers/who-owns.js';
import { resolveAccount } from '../../handlers/resolve-account.js';
import { DomainError } from '../../src/core/errors.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
  importCsv(rt.ctx, 'accounts', 'a.csv', [
    'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
    'delta,Delta Air Lines,DL,delta.com,,,,false,,',
    'sas,Scandinavian Airlines,SAS,flysas.com,,,,false,,',
    'gsk,GSK plc,,gsk.com,,,,false,,',
    'vodafone-de,Vodafone GmbH,,vodafone.de,,,,false,,',
    'vodafone-group,Vodafone Group Plc,,vodafone.com,,,,false,,',
    'ikea,IKEA,,ikea.com,,,,false,,',
    'ikea-se,IKEA Sverige,,ikea.se,,,,false,,',
  ].join('\n'));
  rt.reindex();
});
afterEach(() => rt.close());

const answer = (q: string) => whoOwns(rt.deps, as.person(rt, 'sam'), q);

describe('/who-owns of a text with no name in it', () => {
  it('says so before what to type: a company form alone (the search leaves it out), or no letters at all', () => {
    expect(JSON.stringify(answer('corp'))).toContain('\\"corp\\" is only a company form (Inc., Corp., GmbH…), which the search leaves out: type part of the name, an alias, or the web domain (acme.com).');
    expect(JSON.stringify(answer('""'))).toContain('There is no name in that to look for: type part of the name, an alias, or the web domain (acme.com).');
    // A name that matches nothing is only told what to try.
    expect(JSON.stringify(answer('zzqqxx'))).toContain('Try part of the name, an alias, or the web domain (acme.com).');
  });
});

describe('/who-owns of a company not in the account list', () => {
  const texts = (reply: ReturnType<typeof answer>) => reply.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));

  it('says what to do next: have the account added, then claim it (to a partner, through their partner manager)', () => {
    const added = 'Not in the account list? Accounts come from the CRM: ask whoever imports them to add it, then claim it with /claim.';
    expect(texts(answer('zzqqxx'))).toEqual(['No account matches "zzqqxx".', 'Try part of the name, an alias, or the web domain (acme.com).', added]);
    // Beside what it may have meant too.
    expect(texts(answer('acme x')).at(-1)).toBe(added);
    const partner = texts(whoOwns(rt.deps, as.partner(rt, 'contoso'), 'zzqqxx'));
    expect(partner.at(-1)).toBe('Not in the account list? Ask your partner manager to have it added, then claim it with /claim.');
    // A text with no name in it is told only that.
    expect(texts(answer('corp'))).toHaveLength(2);
  });
});

describe('which result /who-owns answers for', () => {
  it('the one account every word matched, though others matched some of them', () => {
    expect(answer('delta airlines').title).toBe('Delta Air Lines');
    expect(resolveAccount(rt.deps, 'delta airlines').id).toBe('delta');
  });

  it('a fragment of two letters is no name: the one account it starts is offered, not answered for', () => {
    const reply = answer('gs');
    expect(reply.title).toBeUndefined();
    expect(reply.summary).toBe('No account matches "gs" in full');
    expect(() => resolveAccount(rt.deps, 'gs')).toThrow(DomainError);
    // An alias of two letters is a name: it is answered.
    expect(answer('dl').title).toBe('Delta Air Lines');
  });

  it('a name exact only once its legal form is set aside does not stand alone beside the account whose main domain the query names', () => {
    // "vodafone" is Vodafone GmbH without its "GmbH", and the own name of Vodafone Group's vodafone.com: both are offered.
    const reply = answer('vodafone');
    expect(reply.title).toBeUndefined();
    expect(reply.summary).toBe('2 accounts match "vodafone"');
    expect(() => resolveAccount(rt.deps, 'vodafone')).toThrow(/matches several accounts: Vodafone GmbH, Vodafone Group Plc/);
    // Typed word for word, it is the answer; so is a name that is the query as it stands.
    expect(answer('vodafone gmbh').title).toBe('Vodafone GmbH');
    expect(answer('ikea').title).toBe('IKEA');
  });
});

describe('a legal form typed that the name found has not', () => {
  const buttons = (q: string) => answer(q).blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => a.label) : []));

  it('is a choice when another account found has it: "acme gmbh" may be Acme Analytics GmbH rather than Acme Corporation', () => {
    expect(answer('acme gmbh').summary).toBe('2 accounts match "acme gmbh"');
    expect(buttons('acme gmbh')).toEqual(['Acme Corporation', 'Acme Analytics GmbH']);
    expect(() => resolveAccount(rt.deps, 'Acme GmbH')).toThrow('"Acme GmbH" matches several accounts: Acme Corporation, Acme Analytics GmbH. Give more of the name, or the web domain.');
  });

  it.each([
    ['acme inc', 'Acme Corporation'],
    ['acme corp', 'Acme Corporation'],
    ['Acme, Inc.', 'Acme Corporation'],
    ['the acme company', 'Acme Corporation'],
    ['acme analytics gmbh', 'Acme Analytics GmbH'],
    ['acme analytics ag', 'Acme Analytics GmbH'],
  ])('is the answer when no other account found has it either: %j is %s', (q, title) => {
    expect(answer(q).title).toBe(title);
  });
});

describe('a name typed up to part of its legal form', () => {
  it.each([
    ['acme corpo', 'Acme Corporation'],
    ['initech ll', 'Initech LLC'],
    ['globex in', 'Globex Inc.'],
    ['umbrella holdings p', 'Umbrella Holdings plc'],
  ])('%j is %s', (q, title) => {
    expect(answer(q).title).toBe(title);
    expect(resolveAccount(rt.deps, q).name).toBe(title);
  });

  it('a last word that starts no part of the name is a choice, with the accounts its other words find first', () => {
    const reply = answer('acme s');
    expect(reply.title).toBeUndefined();
    expect(reply.blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => a.label) : [])).slice(0, 2)).toEqual(['Acme Corporation', 'Acme Analytics GmbH']);
  });
});

describe('how /who-owns reads a domain, link or address pasted for an account', () => {
  beforeEach(() => {
    importCsv(rt.ctx, 'accounts', 'b.csv', [
      'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
      'google,Google LLC,,google.com|gmail.com,,,,false,,',
      'linkedin,LinkedIn Corporation,,linkedin.com,,,,false,,',
      'crunchbase,Crunchbase Inc,,crunchbase.com,,,,false,,',
      'acme-uk,Acme Ltd,,acme.co.uk,,,,false,,',
      'zorin-uk,Zorin Industries Limited,,zorin.co.uk,,,,false,,',
      'zorin-inc,Zorin Industries Inc.,,zorin.com,,,,false,,',
    ].join('\n'));
    rt.reindex();
  });
  const texts = (q: string) => answer(q).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));

  it('an e-mail address at a personal mail provider names no company: it says so, and what to type instead', () => {
    for (const q of ['jane@gmail.com', 'Jane Doe <jane@gmail.com>', 'mailto:jane@gmail.com']) {
      const reply = answer(q);
      expect(reply.title).toBeUndefined();
      expect(reply.summary).toBe('A personal mail address does not tell the company');
    }
    expect(texts('jane@gmail.com')).toEqual([
      '"jane@gmail.com" is an address at gmail.com, a personal mail provider, so it does not tell which company the person works for. Type the company\'s name or its web domain instead: /who-owns acme or /who-owns acme.com.',
      'To look up gmail.com itself, type /who-owns gmail.com.',
    ]);
    expect(() => resolveAccount(rt.deps, 'jane@gmail.com')).toThrow('"jane@gmail.com" is an address at gmail.com, a personal mail provider, so it does not tell which company the person works for. Give the company\'s name or its web domain.');
    // Whether or not an account has the provider's domain.
    expect(answer('jo@outlook.com').summary).toBe('A personal mail address does not tell the company');
  });

  it('the provider\'s domain typed as a domain, or an address at a company, is looked up as before', () => {
    expect(answer('gmail.com').title).toBe('Google LLC');
    expect(answer('https://gmail.com').title).toBe('Google LLC');
    expect(answer('jane@google.com').title).toBe('Google LLC');
    expect(resolveAccount(rt.deps, 'gmail.com').id).toBe('google');
  });

  it('a link to a company\'s LinkedIn or Crunchbase page is looked up by the company it names, not the site', () => {
    for (const q of ['https://www.linkedin.com/company/acme-ltd/', 'linkedin.com/company/acme-ltd/about/', 'https://www.crunchbase.com/organization/acme-ltd']) {
      expect(answer(q).title).toBe('Acme Ltd');
      expect(resolveAccount(rt.deps, q).id).toBe('acme-uk');
    }
    // A company page the accounts do not have is no answer, least of all LinkedIn.
    expect(answer('https://www.linkedin.com/company/initrode-global/').summary).toBe('No account matches "initrode global"');
    // The site itself is still the site.
    expect(answer('https://www.linkedin.com/').title).toBe('LinkedIn Corporation');
  });

  it('a legal form written out is the same as abbreviated: the account named so is the answer among namesakes', () => {
    // "acme limited" is Acme Ltd, not Acme Corporation as well, as "acme ltd" is.
    expect(answer('acme ltd').title).toBe('Acme Ltd');
    expect(answer('acme limited').title).toBe('Acme Ltd');
    expect(resolveAccount(rt.deps, 'Acme Limited').id).toBe('acme-uk');
    expect(answer('zorin industries ltd').title).toBe('Zorin Industries Limited');
    expect(answer('zorin industries incorporated').title).toBe('Zorin Industries Inc.');
    // Without its legal form it is still a choice.
    expect(answer('zorin industries').summary).toBe('2 accounts match "zorin industries"');
  });

  it('an abbreviation that may as well start a word of another result ("inc" of Incubator) is no answer for the name that writes it out', () => {
    importCsv(rt.ctx, 'accounts', 'c.csv', [
      'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
      'zeta-inc,Zeta Incorporated,,zeta.com,,,,false,,',
      'zeta-incubator,Zeta Incubator,,zetaincubator.com,,,,false,,',
      'omni-co,Omni Company,,omni.com,,,,false,,',
      'omni-corp,Omni Corporation,,omnicorp.com,,,,false,,',
      'omni-consulting,Omni Consulting,,omniconsulting.com,,,,false,,',
    ].join('\n'));
    rt.reindex();
    expect(answer('zeta inc').summary).toBe('2 accounts match "zeta inc"');
    expect(() => resolveAccount(rt.deps, 'zeta inc')).toThrow(/matches several accounts/);
    expect(answer('omni co').title).toBeUndefined();
    expect(() => resolveAccount(rt.deps, 'omni co')).toThrow(/matches several accounts/);
    // Written out, or word for word, it is the answer.
    expect(answer('zeta incorporated').title).toBe('Zeta Incorporated');
    expect(answer('omni company').title).toBe('Omni Company');
    expect(resolveAccount(rt.deps, 'Omni Company').id).toBe('omni-co');
  });
});

describe('an account typed as a list of accounts sharing its name shows it', () => {
  beforeEach(() => {
    importCsv(rt.ctx, 'accounts', 'z.csv', [
      'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
      'zephyr-na,Zephyr Labs,,,,NA,,false,,',
      'zephyr-emea,Zephyr Labs,,,,EMEA,,false,,',
      'zephyr-labs-na,Zephyr Labs NA,,,,EMEA,,false,,',
    ].join('\n'));
    rt.reindex();
  });

  it('/who-owns too: the label typed is that account, and an answer is headed by what tells it from its namesake', () => {
    const buttons = answer('zephyr labs').blocks.flatMap((b) => (b.type === 'actions' ? b.actions.map((a) => a.label) : []));
    expect(buttons).toEqual(['Zephyr Labs (EMEA)', 'Zephyr Labs (NA)', 'Zephyr Labs NA']);
    // One search of the index for the answer, as for any other (its namesake is among its results).
    const search = vi.spyOn(rt.deps.matcher, 'search');
    const rank = vi.spyOn(rt.deps.matcher, 'rank');
    expect(answer('Zephyr Labs (NA)')).toMatchObject({ title: 'Zephyr Labs (NA)', summary: 'Zephyr Labs (NA): Nobody: open to registration' });
    expect(search.mock.calls.length + rank.mock.calls.length).toBe(1);
    search.mockRestore();
    rank.mockRestore();
    expect(answer('zephyr labs (emea)').title).toBe('Zephyr Labs (EMEA)');
    // Picked from the list, it is headed as the list named it.
    expect(showAccount(rt.deps, as.person(rt, 'sam'), 'zephyr-emea').title).toBe('Zephyr Labs (EMEA)');
    // A name no other account has heads its answer as it is.
    expect(answer('Zephyr Labs NA').title).toBe('Zephyr Labs NA');
    expect(answer('acme').title).toBe('Acme Corporation');
  });

  it('is that account, not another whose name it is but for the brackets', () => {
    // The list of them tells the two Zephyr Labs apart by region; the third is named as it is.
    expect(() => resolveAccount(rt.deps, 'zephyr')).toThrow(/^"zephyr" matches several accounts: (?=.*Zephyr Labs \(NA\)[,.])(?=.*Zephyr Labs \(EMEA\))(?=.*Zephyr Labs NA\b)/);
    expect(resolveAccount(rt.deps, 'Zephyr Labs (NA)').id).toBe('zephyr-na');
    expect(resolveAccount(rt.deps, 'Zephyr Labs NA').id).toBe('zephyr-labs-na');
  });
});
