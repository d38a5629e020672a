/**
 * "Did you mean ...?": the nearest of a list of valid names to a mistyped one, for the messages
 * of unknown keys, options and commands. The one owner of that suggestion.
 * @module
 */

/** The Levenshtein distance between two strings (insertions, deletions, substitutions; each costs 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The valid name nearest to `word`, compared case-insensitively and without '-' and '_' (so
 * `learning_rate`, `learningRate` and `learning-rate` are one word), or undefined when none is
 * close: within a third of the word's length (at least 2 edits), or containing it / contained in it
 * (3 characters or more).
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const w = norm(word);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const n = norm(c);
    const d = editDistance(w, n);
    // One containing the other (hidden / hiddenSize) is as good as two edits.
    const score = Math.min(n.length, w.length) >= 3 && (n.includes(w) || w.includes(n)) ? Math.min(d, 2) : d;
    if (score < bestScore) [best, bestScore] = [c, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(w.length / 3)) ? best : undefined;
}

/** `" (did you mean 'x'?)"` for the nearest valid name, or '' when none is close; `format` writes the name (e.g. `--${k}`). */
export function didYouMean(word: string, candidates: Iterable<string>, format: (name: string) => string = (k) => `'${k}'`): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : ` (did you mean ${format(n)}?)`;
}
