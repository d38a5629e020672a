/** The PuzzleDataset loader (src/data/format/puzzle-dataset.ts), also on folders numpy wrote. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { readNpy, writeNpy, PuzzleDataset, batchToTensors } from '../../../src/data/format';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';
import { writeTiny } from './helpers';
import * as subject from '../../../src/data/format/puzzle-dataset';
import { expectInvalidArgument } from '../../helpers/errors';

describe('PuzzleDataset', () => {
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

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('batchToTensors names a batch that is not one', () => {
    expectInvalidArgument(() => subject.batchToTensors(undefined as never), 'batchToTensors(): batch must be a PuzzleBatch {inputs, labels, puzzleIdentifiers}, got undefined');
    expectInvalidArgument(() => subject.batchToTensors({ inputs: [1, 2], labels: new Int32Array(2), puzzleIdentifiers: new Int32Array(1) } as never), 'batchToTensors(): batch.inputs must be an Int32Array, got an array of length 2');
    expectInvalidArgument(() => subject.batchToTensors({ setName: 'all', inputs: new Int32Array(3), labels: new Int32Array(3), puzzleIdentifiers: new Int32Array(2), effectiveSize: 2 }), 'must hold the same whole number of rows for 2 puzzle identifiers');
  });
});
