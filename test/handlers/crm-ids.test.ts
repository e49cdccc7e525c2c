import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderReply } from '../../handlers/platforms/console/render.js';
import { whoOwns } from '../../handlers/who-owns.js';
import { importCsv } from '../../src/core/import/import.service.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

let rt: TestRuntime;
beforeEach(() => {
  rt = testRuntime();
  // Accounts as a CRM's export gives them: its record ids as the accounts' ids.
  importCsv(rt.ctx, 'accounts', 'crm.csv', [
    'id,name,aliases,domains,segment,region,tier,is_customer,incumbent_partner,named_owner',
    '0015g00000Ab3xYAAR,Vandelay Industries,,vandelay.com,,,,false,,',
    '0015g00000Cc7pQAAR,Vandelay Imports,,vandelay-imports.com,,,,false,,',
  ].join('\n'));
  rt.reindex();
});
afterEach(() => rt.close());

describe('the console, where a button is a command to type', () => {
  it("a choice's button types /who-owns with the account's id, which answers for that account", () => {
    const rep = as.person(rt, 'riley');
    const choice = renderReply(whoOwns(rt.deps, rep, 'vandelay'));
    expect(choice).toContain('[Vandelay Imports]  /who-owns 0015g00000Cc7pQAAR');
    const answer = renderReply(whoOwns(rt.deps, rep, '0015g00000Cc7pQAAR'));
    expect(answer.split('\n')[0]).toBe('== Vandelay Imports ==');
    expect(answer).toContain('Nobody: open to registration');
  });
});
