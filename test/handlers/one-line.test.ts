import { describe, expect, it } from 'vitest';
import { oneLine } from '../../handlers/replies/model.js';

describe('oneLine: text meant as one line (list items, facts), its line breaks shown as spaces', () => {
  it.each([
    ['no line break', 'Acme  Corp\t(EMEA)', 'Acme  Corp\t(EMEA)'],
    ['a line break', 'Line one.\nLine two.', 'Line one. Line two.'],
    ['spaces around it', 'Line one.  \n\t Line two.', 'Line one. Line two.'],
    ['a blank line', 'Line one.\n\nLine two.', 'Line one. Line two.'],
    ['a blank line holding a space', 'Line one.\n \nLine two.', 'Line one. Line two.'],
    ['Windows line ends with a tab between', 'a\r\n\t\r\nb', 'a b'],
    ['every kind of break', 'a\u2028b\u2029c\u0085d\ve\ff\rg', 'a b c d e f g'],
    ['spaces and breaks in turn', 'a \n \n \n b', 'a b'],
  ])('%s', (_n, text, line) => {
    expect(oneLine(text)).toBe(line);
  });

  it('no break is left in any mix of spaces, tabs and breaks', () => {
    const parts = [' ', '\t', '\n', '\r', 'x'];
    for (let n = 0; n < 4000; n++) {
      let s = '';
      for (let k = n; k > 0; k = Math.floor(k / 5)) s += parts[k % 5];
      expect(oneLine(`a${s}b`)).not.toMatch(/[\r\n]/);
    }
  });
});
