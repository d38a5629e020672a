/** .npy files, the reference dataset format and the PuzzleDataset loader. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { DatasetSplit, SetWriter, readIdentifiers, writeIdentifiers, writeMetadata } from '../../src/data/format';
import { NpyFile, NpyWriter, readNpy, writeNpy } from '../../src/data/npy';
import { PuzzleDataset, batchToTensors } from '../../src/data/puzzle-dataset';
import { describeWithTorch, runPython, tmpDir } from '../helpers/reference';

describe('.npy', () => {
  test('round trips for uint8, int32, int64, float32; streaming writer; row reads', () => {
    const dir = tmpDir('npy-');
    writeNpy(path.join(dir, 'u8.npy'), Uint8Array.from([1, 2, 3, 4, 5, 6]), [2, 3], 'uint8');
    writeNpy(path.join(dir, 'i32.npy'), Int32Array.from([-1, 7, 2 ** 30]), [3], 'int32');
    writeNpy(path.join(dir, 'i64.npy'), BigInt64Array.from([2n ** 40n, -5n]), [2], 'int64');
    writeNpy(path.join(dir, 'f32.npy'), Float32Array.from([0.5, -1.25]), [1, 2], 'float32');
    expect(readNpy(path.join(dir, 'u8.npy'))).toEqual({ dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(readNpy(path.join(dir, 'i32.npy')).data).toEqual(Int32Array.from([-1, 7, 2 ** 30]));
    expect(readNpy(path.join(dir, 'i64.npy')).data).toEqual(BigInt64Array.from([2n ** 40n, -5n]));
    expect(readNpy(path.join(dir, 'f32.npy')).shape).toEqual([1, 2]);
    const w = new NpyWriter(path.join(dir, 'stream.npy'), 'uint8', [4]);
    for (let i = 0; i < 5; i++) w.append(Uint8Array.from([i, i, i, i]), 1);
    w.close();
    const f = new NpyFile(path.join(dir, 'stream.npy'));
    expect(f.shape).toEqual([5, 4]);
    expect([...f.readRowsRaw(3, 2)]).toEqual([3, 3, 3, 3, 4, 4, 4, 4]);
    expect(() => f.readRowsRaw(4, 2)).toThrow(/outside \[0, 5\)/);
    f.close();
    fs.rmSync(dir, { recursive: true });
  });

  test('truncated, foreign and Fortran-ordered files are refused clearly', () => {
    const dir = tmpDir('npy-');
    const file = path.join(dir, 'a.npy');
    writeNpy(file, new Uint8Array(100), [10, 10], 'uint8');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(() => readNpy(file)).toThrow(/data holds 99 bytes, shape \[10,10\] of uint8 needs 100/);
    fs.writeFileSync(file, Buffer.from('not numpy at all'));
    expect(() => readNpy(file)).toThrow(/NUMPY magic/);
    const fortran = Buffer.from(bytes);
    fortran.write("'fortran_order': True ", bytes.indexOf("'fortran_order'"), 'latin1');
    fs.writeFileSync(file, fortran);
    expect(() => readNpy(file)).toThrow(/Fortran/);
    fs.rmSync(dir, { recursive: true });
  });
});

/** A tiny dataset: 3 groups; group g has g+1 puzzles; puzzle p has (p % 2) + 1 examples. */
function writeTiny(root: string): { examples: number[][] } {
  const split = path.join(root, 'train');
  const w = new SetWriter(split, 'all', 4);
  const examples: number[][] = [];
  let id = 1;
  for (let g = 0; g < 3; g++) {
    for (let p = 0; p <= g; p++) {
      const n = (id % 2) + 1;
      const inputs = new Uint8Array(n * 4);
      const labels = new Uint8Array(n * 4);
      for (let e = 0; e < n; e++) {
        const row = [id, e, g, 1];
        inputs.set(row, e * 4);
        labels.set([id, e, 0, 2], e * 4); // 0 = ignored label
        examples.push(row);
      }
      w.addPuzzle(id++, inputs, labels);
    }
    w.endGroup();
  }
  const counts = w.finish();
  writeMetadata(split, {
    pad_id: 0, ignore_label_id: 0, blank_identifier_id: 0, vocab_size: 10, seq_len: 4, num_puzzle_identifiers: id,
    total_groups: counts.totalGroups, mean_puzzle_examples: counts.totalExamples / counts.totalPuzzles, sets: ['all'],
  });
  writeIdentifiers(root, ['<blank>', ...Array.from({ length: id - 1 }, (_, i) => `p${i + 1}`)]);
  return { examples };
}

describe('dataset format and PuzzleDataset', () => {
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

  test('training batches: full batches, one puzzle per group visit, every group once per epoch, ignored labels -> -100', () => {
    const root = tmpDir('ds-');
    writeTiny(root);
    const ds = new PuzzleDataset({ dir: path.join(root, 'train'), mode: 'train', batchSize: 2, epochsPerIter: 4, seed: 3 });
    const batches = [...ds];
    expect(batches.length).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.inputs.length).toBe(8);
      expect(b.effectiveSize).toBe(2);
      for (let r = 0; r < 2; r++) {
        // each row's identifier is the puzzle its example belongs to
        expect(b.inputs[r * 4]).toBe(b.puzzleIdentifiers[r]);
        expect(Array.from(b.labels.slice(r * 4 + 2, r * 4 + 4))).toEqual([-100, 2]);
      }
    }
    // the same seed and iteration give the same batches; the next pass differs
    const again = new PuzzleDataset({ dir: path.join(root, 'train'), mode: 'train', batchSize: 2, epochsPerIter: 4, seed: 3 });
    expect([...again].map((b) => Array.from(b.inputs))).toEqual(batches.map((b) => Array.from(b.inputs)));
    expect([...again].map((b) => Array.from(b.inputs))).not.toEqual(batches.map((b) => Array.from(b.inputs)));
    // group visits: count how often each group appears as a batch is formed
    const ds1 = new PuzzleDataset({ dir: path.join(root, 'train'), mode: 'train', batchSize: 1, epochsPerIter: 5, seed: 1 });
    const groupsSeen = [...ds1].map((b) => b.inputs[2]);
    expect([0, 1, 2].map((g) => groupsSeen.filter((x) => x === g).length)).toEqual([5, 5, 5]);
    for (const d of [ds, again, ds1]) d.close();
    fs.rmSync(root, { recursive: true });
  });

  test('test batches: every example in order, the last batch padded', () => {
    const root = tmpDir('ds-');
    const { examples } = writeTiny(root);
    const ds = new PuzzleDataset({ dir: path.join(root, 'train'), mode: 'test', batchSize: 4 });
    const batches = [...ds];
    expect(batches.map((b) => b.effectiveSize)).toEqual([4, 4, 1]);
    const rows: number[][] = [];
    for (const b of batches) for (let r = 0; r < b.effectiveSize; r++) rows.push(Array.from(b.inputs.slice(r * 4, r * 4 + 4)));
    expect(rows).toEqual(examples);
    const last = batches[2];
    expect(Array.from(last.inputs.slice(4))).toEqual(new Array(12).fill(0));
    expect(Array.from(last.labels.slice(4))).toEqual(new Array(12).fill(-100));
    expect(Array.from(last.puzzleIdentifiers)).toEqual([6, 0, 0, 0]);
    const t = batchToTensors(last);
    expect(t.inputs.shape).toEqual([4, 4]);
    expect(t.inputs.dtype).toBe('int32');
    for (const x of Object.values(t)) x.dispose();
    ds.close();
    fs.rmSync(root, { recursive: true });
  });
});

describeWithTorch('interchange with numpy', () => {
  test('a dataset folder written by numpy loads unchanged; our .npy files load in numpy', () => {
    const root = tmpDir('ds-np-');
    runPython(
      `
import json, os, sys
import numpy as np
root = sys.argv[1]
os.makedirs(os.path.join(root, "test"))
rng = np.random.default_rng(0)
inputs = rng.integers(0, 11, size=(7, 81), dtype=np.uint8)
labels = rng.integers(1, 11, size=(7, 81), dtype=np.uint8)
np.save(os.path.join(root, "test", "all__inputs.npy"), inputs)
np.save(os.path.join(root, "test", "all__labels.npy"), labels)
np.save(os.path.join(root, "test", "all__puzzle_identifiers.npy"), np.zeros(7, dtype=np.int32))
np.save(os.path.join(root, "test", "all__puzzle_indices.npy"), np.arange(8, dtype=np.int32))
np.save(os.path.join(root, "test", "all__group_indices.npy"), np.arange(8, dtype=np.int32))
json.dump(dict(pad_id=0, ignore_label_id=0, blank_identifier_id=0, vocab_size=11, seq_len=81, num_puzzle_identifiers=1,
               total_groups=7, mean_puzzle_examples=1.0, sets=["all"]), open(os.path.join(root, "test", "dataset.json"), "w"))
json.dump(["<blank>"], open(os.path.join(root, "identifiers.json"), "w"))
np.save(os.path.join(root, "expected_inputs.npy"), inputs)
`,
      [root],
    );
    const ds = new PuzzleDataset({ dir: path.join(root, 'test'), mode: 'test', batchSize: 8 });
    const [b] = [...ds];
    const expected = readNpy(path.join(root, 'expected_inputs.npy')).data as Uint8Array;
    expect(Array.from(b.inputs.slice(0, 7 * 81))).toEqual(Array.from(expected));
    expect(b.effectiveSize).toBe(7);
    ds.close();
    // and the other way
    writeNpy(path.join(root, 'ours.npy'), BigInt64Array.from([1n, -2n, 3n, 4n]), [2, 2], 'int64');
    const out = runPython(`import numpy as np, sys; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a.tolist())`, [path.join(root, 'ours.npy')]);
    expect(out.trim()).toBe('int64 (2, 2) [[1, -2], [3, 4]]');
    void ht;
    fs.rmSync(root, { recursive: true });
  });
});
