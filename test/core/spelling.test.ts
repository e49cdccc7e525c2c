import { describe, expect, it } from 'vitest';
import { editDistance, nearMiss } from '../../src/core/spelling.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const REGISTRATION = ['protection_days', 'dormant_after_days', 'dormancy_warning_days'];

describe('nearMiss: the name a word is a slip for', () => {
  it.each([
    ['protecton_days', REGISTRATION, 'protection_days'], // a letter left out
    ['teir', ['tier', 'segment', 'region', 'customer'], 'tier'], // letters in another order
    ['Dormancy_Warning_Days', REGISTRATION, 'dormancy_warning_days'], // letter case
    ['protectoin_dyas', REGISTRATION, 'protection_days'], // two slips in a long name
    ['frii', DAYS, 'fri'],
    ['mun', DAYS, undefined], // as near to mon as to sun: no guess
    ['thurs', DAYS, undefined], // two slips in a short name
    ['grace_days', REGISTRATION, undefined], // nothing near
  ] as const)('%s among %j is %s', (word, names, meant) => {
    expect(nearMiss(word, names)).toBe(meant);
  });

  it('counts letters to add, remove or change', () => {
    expect([editDistance('kitten', 'sitting'), editDistance('', 'abc'), editDistance('same', 'same')]).toEqual([3, 3, 0]);
  });
});
