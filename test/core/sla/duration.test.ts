import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/core/sla/duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('parseDuration', () => {
  it.each([
    ['16h', 16 * H],
    ['90m', 90 * M],
    ['2d', 48 * H],
    ['1h30m', 90 * M],
    ['45s', 45 * S],
    ['1d2h', 26 * H],
    ['1d 2h 3m 4s', 26 * H + 3 * M + 4 * S],
    ['1h 30m', 90 * M],
    ['  8h ', 8 * H],
    ['16H', 16 * H],
    ['0m', 0],
    ['1000h', 1000 * H],
  ])('parses %j as %i ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    'abc',
    '',
    '   ',
    '16',
    'h',
    '1.5h',
    '-1h',
    '+1h',
    '1w',
    '30m1h',
    '1h1h',
    '16h!',
    '1h x',
    '99999999999999999d',
  ])('rejects %j naming the text and the accepted forms', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration "${text}": use e.g. 16h, 90m, 1h30m`);
  });
});

describe('formatDuration', () => {
  it.each([
    [150 * M, '2h 30m'],
    [0, '0s'],
    [45 * S, '45s'],
    [H, '1h'],
    [H + 2 * M + 3 * S, '1h 2m 3s'],
    [1000 * H, '1000h'],
    [48 * H, '48h'],
    [5 * M + 999, '5m'],
    [999, '0s'],
    [-(H + 5 * M), '-1h 5m'],
  ])('formats %i ms as %j', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each(['16h', '90m', '1h 30m', '45s', '1000h', '2h 0m 5s'])('round-trips %j through parseDuration', (text) => {
    const ms = parseDuration(text);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(/cannot format duration/);
  });
});
