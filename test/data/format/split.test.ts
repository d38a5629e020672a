/** The reference dataset layout: SetWriter writes it, DatasetSplit reads and validates it (src/data/format/split.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit, readIdentifiers, writeNpy } from '../../../src/data/format';
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
});
