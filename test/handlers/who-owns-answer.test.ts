import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { whoOwns } from '../../handlers/who-owns.js';
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
