/** Reading ARC task files and folders (src/data/arc/tasks.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { readArcFolders, readArcTask } from '../../../src/data/arc';
import { scratch, writeTask, ok } from './helpers';

describe('reading task folders', () => {
  test('clear errors for malformed tasks', () => {
    const d = scratch();
    const bad = (content: unknown) => () => readArcTask(writeTask(d, 'bad', content));
    expect(bad({ ...ok, train: [{ input: [[1, 2], [3]], output: [[1]] }] })).toThrow(/bad\.json: train\[0\]\.input is not rectangular: row 1 has 1 cells, row 0 has 2/);
    expect(bad({ ...ok, test: [{ input: [[1]], output: [[10]] }] })).toThrow(/test\[0\]\.output cell \(0, 0\) is 10; colours are integers 0..9/);
    expect(bad({ ...ok, test: [{ input: [[1.5]], output: [[1]] }] })).toThrow(/colours are integers 0..9/);
    const big = Array.from({ length: 31 }, () => Array(31).fill(0));
    expect(bad({ ...ok, train: [{ input: big, output: [[1]] }] })).toThrow(/is 31x31; ARC grids are at most 30x30/);
    expect(bad({ train: ok.train })).toThrow(/missing the "test" list/);
    expect(bad({ test: ok.test })).toThrow(/missing the "train" list/);
    expect(bad({ ...ok, test: [{ input: [[1]] }] })).toThrow(/test\[0\] has no "output" grid/);
    expect(bad({ ...ok, train: [{ input: [], output: [[1]] }] })).toThrow(/non-empty list of rows/);
    expect(bad('{"train": [')).toThrow(/not valid JSON/);
    expect(bad([1, 2])).toThrow(/expected an object/);
    expect(bad({ ...ok, name: 5 })).toThrow(/"name" must be a non-empty string/);
    try {
      bad({ train: ok.train })();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as { code?: string }).code).toBe('CORRUPT_FILE');
    }
  });

  test('folder layouts: subsets = sub-folders, or the folder itself when it holds *.json', () => {
    const root = scratch();
    writeTask(path.join(root, 'data', 'training'), 'b', ok);
    writeTask(path.join(root, 'data', 'training'), 'a', { ...ok, name: 'renamed' });
    writeTask(path.join(root, 'data', 'evaluation'), 'c', ok);
    fs.mkdirSync(path.join(root, 'data', 'empty'));
    writeTask(path.join(root, 'corpus', 'Concept'), 'Concept1', ok);
    const subsets = readArcFolders([path.join(root, 'data'), path.join(root, 'corpus'), path.join(root, 'data', 'evaluation')]);
    expect(subsets.map((s) => [s.name, s.evaluation, s.tasks.map((t) => t.name)])).toEqual([
      ['evaluation', true, ['c']],
      ['training', false, ['renamed', 'b']], // sorted by file; the "name" key wins as in the reference
      ['Concept', false, ['Concept1']],
      ['evaluation', true, ['c']],
    ]);
    expect(() => readArcFolders([path.join(root, 'nope')])).toThrow(/does not exist/);
    expect(() => readArcFolders([path.join(root, 'data', 'empty')])).toThrow(/no ARC task files/);
    expect(() => readArcFolders([])).toThrow(/non-empty list/);
  });
});
