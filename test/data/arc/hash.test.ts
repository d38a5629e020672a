/** The reference's puzzle hash (src/data/arc/hash.ts). */
import { arcPuzzleHash } from '../../../src/data/arc';
import * as subject from '../../../src/data/arc/hash';
import { expectInvalidArgument } from '../../helpers/errors';

describe('puzzle hash', () => {
  test('the puzzle hash ignores pair order but not shapes', () => {
    const a = { input: [[1, 2]], output: [[3]] };
    const b = { input: [[4], [5]], output: [[6]] };
    expect(arcPuzzleHash([a, b])).toBe(arcPuzzleHash([b, a]));
    expect(arcPuzzleHash([{ input: [[1, 2]], output: [[3]] }])).not.toBe(arcPuzzleHash([{ input: [[1], [2]], output: [[3]] }]));
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('arcPuzzleHash names pairs that are not pairs', () => {
    expectInvalidArgument(() => subject.arcPuzzleHash(undefined as never), 'arcPuzzleHash(): pairs must be an array of {input, output} pairs, got undefined');
    expectInvalidArgument(() => subject.arcPuzzleHash([3] as never), 'arcPuzzleHash(): pairs[0] must be an {input, output} pair, got number 3');
  });
});
