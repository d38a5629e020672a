/** The maze token encoding (src/data/maze/codec.ts, hrm-spec 6.3). */
import { decodeMaze, encodeMaze } from '../../../src/data/maze';
import { describeStaged, staged } from './helpers';

describeStaged('encoding on the staged Maze-Hard data', () => {
  test('encoding: tokens 1..5 per spec 6.3, and decodeMaze inverts it', () => {
    expect([...encodeMaze('# SGo')]).toEqual([1, 2, 3, 4, 5]);
    const r = staged().test[0];
    expect(decodeMaze(encodeMaze(r.answer))).toBe(r.answer);
    expect(() => encodeMaze('#x')).toThrow(/"x" at cell 1/);
    expect(() => decodeMaze([1, 0])).toThrow(/token 0 at position 1/);
  });
});
