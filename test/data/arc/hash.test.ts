/** The reference's puzzle hash (src/data/arc/hash.ts). */
import { arcPuzzleHash } from '../../../src/data/arc';

describe('puzzle hash', () => {
  test('the puzzle hash ignores pair order but not shapes', () => {
    const a = { input: [[1, 2]], output: [[3]] };
    const b = { input: [[4], [5]], output: [[6]] };
    expect(arcPuzzleHash([a, b])).toBe(arcPuzzleHash([b, a]));
    expect(arcPuzzleHash([{ input: [[1, 2]], output: [[3]] }])).not.toBe(arcPuzzleHash([{ input: [[1], [2]], output: [[3]] }]));
  });
});
