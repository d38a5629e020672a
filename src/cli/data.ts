/**
 * `hrm data ...`: build the benchmark datasets, describe a dataset folder, and draw its first
 * puzzles on a page.
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
  custom   build a dataset of your own task from JSONL or CSV (input and output sequences)
  stats    describe a dataset folder: hrm data stats <dir>
  view     draw a split's first puzzles and their augmented versions on a page: hrm data view <dir>

run 'hrm data <command> --help' for its options`;
}

/** The `--help` text of `hrm data view`. */
export const DATA_VIEW_HELP = `hrm data view DIR [--split train|test] [--count 5] [--versions 8] [--examples 4] [--output FILE]
  Writes a self-contained page of a built dataset: its metadata (seq_len, vocab, identifiers,
  groups) and counts, then the first --count groups of the split (default train), each with its
  puzzles side by side (the source and up to --versions augmented versions), each puzzle with up
  to --examples inputs and labels drawn as grids of the task (Sudoku digits, maze cells, ARC
  colours, with the ARC identifier's name). Default output: ./<dataset>-<split>.html.`;

/** `hrm data view <dir>`: writes the dataset page and returns its path. */
export async function dataView(positional: string[], o: Options): Promise<string> {
  const dir = positional[0];
  const split = o.string('split', 'train')!;
  const count = o.int('count', 5)!;
  const versions = o.int('versions', 8)!;
  const examples = o.int('examples', 4)!;
  const output = o.string('output');
  o.rejectUnknown('data view');
  if (!dir) throw invalidArgument('hrm data view <dir>: the dataset folder is missing');
  if (positional.length > 1) throw invalidArgument(`hrm data view: unexpected ${positional.slice(1).join(' ')}`);
  if (split !== 'train' && split !== 'test') throw invalidArgument(`--split must be train or test, got '${split}'`);
  for (const [k, v] of [['count', count], ['versions', versions], ['examples', examples]] as const) if (v < 1) throw invalidArgument(`--${k} must be at least 1, got ${v}`);
  if (!isDatasetSplit(path.join(dir, split))) throw invalidArgument(`hrm data view: ${path.join(dir, split, 'dataset.json')} not found (is ${dir} a built dataset?)`);
  const { datasetView, writeDatasetViewPage } = await import('../report/dataset-view');
  const view = datasetView(dir, { split, count, versions, examples });
  return writeDatasetViewPage(output ?? `${path.basename(path.resolve(dir))}-${split}.html`, view);
}

/** One `hrm data` sub-command: options in, exit code out. */
export type DataCommand = (opts: Options) => Promise<number> | number;
