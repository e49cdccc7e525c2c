/** Letters to add, remove or change to turn a into b. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

const letters = (word: string) => [...word].sort().join('');

/**
 * The one of `names` that `word` is a slip for, in any letter case: the same letters in another
 * order (`teir` for tier), or one letter added, left out or changed (two, between names of six
 * letters or more). Undefined when none is that near, or when two are as near as each other.
 */
export function nearMiss(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  let tied = false;
  for (const name of names) {
    const n = name.toLowerCase();
    const d = editDistance(w, n);
    // Letters in another order count as one slip, however far apart they are.
    const score = letters(w) === letters(n) ? Math.min(d, 1) : d;
    if (score > (Math.min(w.length, n.length) >= 6 ? 2 : 1)) continue;
    if (score < bestScore) [best, bestScore, tied] = [name, score, false];
    else if (score === bestScore && name !== best) tied = true;
  }
  return tied ? undefined : best;
}
