import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logClaimActivity } from '../../handlers/activity.js';
import { submitDispute } from '../../handlers/dispute.js';
import { approve } from '../../handlers/rule.js';
import { snoozeReminder } from '../../handlers/snooze.js';
import { parseNumberId } from '../../handlers/validate.js';
import { DomainError } from '../../src/core/errors.js';
import { as, testRuntime, type TestRuntime } from '../support/runtime.js';

describe('parseNumberId', () => {
  it.each<[unknown, number | null]>([
    ['12', 12],
    ['#12', 12],
    [' 12 ', 12],
    [7, 7],
    ['1e3', null],
    ['0x10', null],
    ['12.0', null],
    ['-4', null],
    ['0', null],
    ['', null],
    ['#', null],
    ['12abc', null],
    ['9'.repeat(16), null],
    [null, null],
    [{ id: 3 }, null],
  ])('%s is %s', (value, expected) => {
    expect(parseNumberId(value)).toBe(expected);
  });
});

describe('numbers in buttons and fields', () => {
  let rt: TestRuntime;
  beforeEach(() => {
    rt = testRuntime();
  });
  afterEach(() => rt.close());
  const refused = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return e instanceof DomainError ? e.code : 'other';
    }
    return 'accepted';
  };

  it('a number written another way (1e3, 0x1) is no claim or dispute number, and nothing changes', () => {
    const ledger = () => [...rt.store.ledger.entries()].length;
    const before = ledger();
    expect(refused(() => logClaimActivity(rt.deps, as.partner(rt, 'northwind'), '0x1'))).toBe('invalid_input');
    expect(refused(() => approve(rt.deps, as.person(rt, 'pat'), '1e0:northwind'))).toBe('invalid_input');
    expect(refused(() => snoozeReminder(rt.deps, as.person(rt, 'pat'), '1e0:1h'))).toBe('invalid_input');
    expect(refused(() => submitDispute(rt.deps, as.partner(rt, 'contoso'), { account: 'acme', product: 'Analytics', against: '1e0', reason: 'We met them first' }, { origin: null, requestKey: null }))).toBe('invalid_input');
    expect(ledger()).toBe(before);
  });
});
