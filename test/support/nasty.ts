/** Hostile and malformed text, for bad-input tests. */
export const NASTY: string[] = [
  '',
  ' ',
  '\t\n',
  'x'.repeat(100_000),
  '\uD800\uDC00\uD800',
  '\u0000\u0001\u0007\u001b[31mred\u001b[0m',
  '<!channel>',
  '<!here> <!everyone>',
  '<@U0DANA>',
  '<#C0ESCAL>',
  '<https://evil.example|click here>',
  '*bold* _it_ ~strike~ `code` ```block```',
  '**bold** [link](http://evil.example) ![img](http://x)',
  '<at>Dana</at>',
  "'; DROP TABLE claims; --",
  '" OR 1=1 --',
  '${process.env.SLACK_BOT_TOKEN}',
  '{{constructor.constructor("return 1")()}}',
  '__proto__',
  'constructor',
  '\u202Egnp.exe',
  '💥🔥 émojis & accénts',
  'NaN',
  'Infinity',
  '-1',
  '1e308',
  '0x10',
  '99999999999999999999999999',
  '#1',
  '12abc',
  '&amp;&lt;&gt;',
  '<script>alert(1)</script>',
  '%00',
  'acme',
  'Acme Corporation',
  'soylent.com',
];

/** A small seeded generator so a failing case can be replayed. */
export function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
