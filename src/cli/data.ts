/**
 * `hrm data ...`: build the benchmark datasets, and describe a dataset folder.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDatasetSplit, readIdentifiers } from '../data/format/dataset';
import { DatasetSplit } from '../data/format/split';
import { invalidArgument } from '../util/errors';
import { Options } from './args';

/** `hrm data stats <dir>`: metadata and counts of every split (or of one split folder). */
export function dataStats(dir: string): string {
  if (!fs.existsSync(dir)) throw invalidArgument(`hrm data stats: ${dir} does not exist`);
  const splits = isDatasetSplit(dir)
    ? [dir]
    : fs
        .readdirSync(dir)
        .map((d) => path.join(dir, d))
        .filter((d) => isDatasetSplit(d));
  if (splits.length === 0) throw invalidArgument(`hrm data stats: no dataset.json in ${dir} or its sub-folders`);
  const lines: string[] = [];
  const ids = readIdentifiers(isDatasetSplit(dir) ? path.dirname(dir) : dir);
  lines.push(`dataset ${path.resolve(dir)}${ids ? ` (${ids.length} identifiers)` : ''}`);
  for (const s of splits) {
    const split = new DatasetSplit(s);
    try {
      const m = split.metadata;
      lines.push(`  ${path.basename(s)}: seq_len ${m.seq_len}, vocab ${m.vocab_size}, pad ${m.pad_id}, ignore_label ${m.ignore_label_id}, identifiers ${m.num_puzzle_identifiers}, groups ${m.total_groups}, mean examples/puzzle ${m.mean_puzzle_examples.toFixed(3)}`);
      for (const set of split.sets.values()) {
        const bytes = fs.statSync(set.inputs.file).size + fs.statSync(set.labels.file).size;
        // Token histogram over a sample of rows (whole set when small).
        const rows = Math.min(set.inputs.rows, 2000);
        const hist = new Map<number, number>();
        const step = Math.max(1, Math.floor(set.inputs.rows / rows));
        for (let r = 0; r < set.inputs.rows; r += step) {
          for (const v of set.labels.readRowsRaw(r, 1)) hist.set(v, (hist.get(v) ?? 0) + 1);
        }
        const total = [...hist.values()].reduce((a, b) => a + b, 0);
        const top = [...hist.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${((100 * v) / total).toFixed(1)}%`).join(' ');
        lines.push(`    set '${set.name}': ${set.inputs.rows} examples, ${set.puzzleIdentifiers.length} puzzles, ${set.groupIndices.length - 1} groups, ${(bytes / 1e6).toFixed(1)} MB (inputs + labels)`);
        lines.push(`      label tokens (sampled): ${top}`);
      }
    } finally {
      split.close();
    }
  }
  return lines.join('\n');
}

/** The usage text of `hrm data`. */
export function dataUsage(): string {
  return `usage: hrm data <command> [options]

commands:
  sudoku   build a Sudoku dataset from CSVs (source,question,answer,rating), or generate one
  maze     build a Maze dataset from CSVs, or generate one
  arc      build an ARC dataset from one-JSON-per-task folders
  stats    describe a dataset folder: hrm data stats <dir>

run 'hrm data <command> --help' for its options`;
}

/** One `hrm data` sub-command: options in, exit code out. */
export type DataCommand = (opts: Options) => Promise<number> | number;
