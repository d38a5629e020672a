/** Shared by the dataset format tests: a tiny dataset written with SetWriter. */
import * as path from 'path';
import { SetWriter, writeIdentifiers, writeMetadata } from '../../../src/data/format';

/** A tiny dataset: 3 groups; group g has g+1 puzzles; puzzle p has (p % 2) + 1 examples. */
export function writeTiny(root: string): { examples: number[][] } {
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
