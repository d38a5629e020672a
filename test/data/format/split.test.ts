/** The reference dataset layout: SetWriter writes it, DatasetSplit reads and validates it (src/data/format/split.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit, readExample, readIdentifiers, writeNpy } from '../../../src/data/format';
import { tmpDir } from '../../helpers/reference';
import { writeTiny } from './helpers';

describe('dataset format', () => {
  test('the writer produces the reference layout and the loader validates it', () => {
    const root = tmpDir('ds-');
    writeTiny(root);
    const split = new DatasetSplit(path.join(root, 'train'));
    const s = split.sets.get('all')!;
    expect(Array.from(s.groupIndices)).toEqual([0, 1, 3, 6]);
    expect(Array.from(s.puzzleIdentifiers)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.puzzleIndices)).toEqual([0, 2, 3, 5, 6, 8, 9]);
    expect(split.metadata.total_groups).toBe(3);
    expect(readIdentifiers(root)![0]).toBe('<blank>');
    split.close();
    // Inconsistent index arrays are named.
    writeNpy(path.join(root, 'train', 'all__puzzle_indices.npy'), Int32Array.from([0, 2, 3, 5, 6, 8, 10]), [7], 'int32');
    expect(() => new DatasetSplit(path.join(root, 'train'))).toThrow(/puzzle_indices end at 10, expected 9/);
    fs.rmSync(root, { recursive: true });
  });

  test('readExample gives one row of inputs and labels as stored, uint8 or int64 on disk', () => {
    const root = tmpDir('ds-');
    const { examples } = writeTiny(root);
    const open = () => new DatasetSplit(path.join(root, 'train'));
    let split = open();
    const rows = examples.map((_, r) => readExample(split.sets.get('all')!, r));
    split.close();
    expect(rows.map((r) => Array.from(r.inputs))).toEqual(examples);
    expect(Array.from(rows[1].labels)).toEqual([1, 1, 0, 2]); // the ignored label 0 kept as stored
    // The same rows written as int64 read back alike.
    for (const what of ['inputs', 'labels'] as const) {
      writeNpy(path.join(root, 'train', `all__${what}.npy`), BigInt64Array.from(rows.flatMap((r) => Array.from(r[what], BigInt))), [rows.length, 4], 'int64');
    }
    split = open();
    expect(examples.map((_, r) => Array.from(readExample(split.sets.get('all')!, r).inputs))).toEqual(examples);
    expect(() => readExample(split.sets.get('all')!, examples.length)).toThrow(/rows \[9, 10\) are outside \[0, 9\)/);
    split.close();
    fs.rmSync(root, { recursive: true });
  });
});
