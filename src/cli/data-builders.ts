/**
 * The dataset builders behind `hrm data sudoku|maze|arc`: options -> builder call, with a
 * progress bar and a summary. Loaded only when a build is asked for.
 * @module
 */
import { buildArcDataset } from '../data/arc';
import { buildMazeDataset } from '../data/maze';
import { buildSudokuDataset, defaultSudokuBox, generateSudoku, writeSudokuCsv } from '../data/sudoku';
import { ProgressBar } from '../util/progress';
import { invalidArgument } from '../util/errors';
import { Options } from './args';
import { dataStats } from './data';

function finish(out: string, started: number): number {
  console.log(`\nbuilt ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(dataStats(out));
  return 0;
}

function sudoku(o: Options): number {
  const out = o.requireString('output-dir');
  const started = Date.now();
  const generate = o.int('generate', undefined, { min: 1 });
  let inputs = o.list('input');
  let testInputs = o.list('test-input');
  const size = o.int('size', 9)!;
  const box = defaultSudokuBox(size);
  if (!box) throw invalidArgument(`--size must be 4, 6 or 9, got ${size}`);
  const seed = o.int('seed', 0, { min: 0 })!;
  const testCount = o.int('generate-test', Math.max(1, Math.round((generate ?? 0) / 10)), { min: 1 })!;
  const minRating = o.int('min-rating', 0, { min: 0 })!;
  const clues = o.int('clues', undefined, { min: 0, max: size * size });
  const subsampleSize = o.int('subsample-size', undefined, { min: 1 });
  const numAug = o.int('num-aug', 0, { min: 0 });
  const minDifficulty = o.number('min-difficulty');
  o.rejectUnknown('data sudoku');
  if (generate !== undefined) {
    // Generated puzzles with unique solutions, written as reference CSVs next to the dataset.
    const bar = new ProgressBar('generating', generate + testCount);
    const make = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) => {
        const g = generateSudoku({ box, seed: seed * 1_000_003 + offset + i, minRating, clues });
        bar.update(offset + i + 1);
        return { source: `generated-${size}x${size}`, question: g.puzzle, answer: g.solution, rating: g.rating };
      });
    const csvTrain = `${out}/source/train.csv`;
    const csvTest = `${out}/source/test.csv`;
    writeSudokuCsv(csvTrain, make(generate, 0));
    writeSudokuCsv(csvTest, make(testCount, generate));
    inputs = [csvTrain];
    testInputs = [csvTest];
  }
  if (inputs.length === 0) throw invalidArgument('hrm data sudoku: give --input train.csv[,more.csv] (reference schema) or --generate N');
  const bars: Record<string, ProgressBar> = {};
  buildSudokuDataset({
    inputs,
    testInputs: testInputs.length ? testInputs : undefined,
    outputDir: out,
    subsampleSize,
    numAug,
    minDifficulty,
    seed,
    box,
    onProgress: (p) => (bars[p.split] ??= new ProgressBar(`sudoku ${p.split}`, p.total)).update(p.done),
  });
  return finish(out, started);
}

function maze(o: Options): number {
  const out = o.requireString('output-dir');
  const started = Date.now();
  const trainCsv = o.string('train-csv');
  const testCsv = o.string('test-csv');
  const gen = o.int('generate', undefined, { min: 1 });
  const generate =
    gen === undefined
      ? undefined
      : { train: gen, test: o.int('generate-test', Math.max(1, Math.round(gen / 10)), { min: 1 })!, size: o.int('size', undefined, { min: 2 }), minPathLength: o.int('min-path-length', undefined, { min: 2 }) };
  const aug = o.flag('aug');
  const seed = o.int('seed', 0, { min: 0 });
  o.rejectUnknown('data maze');
  const bars: Record<string, ProgressBar> = {};
  buildMazeDataset({
    outputDir: out,
    trainCsv,
    testCsv,
    generate,
    aug,
    seed,
    onProgress: (p) => (bars[`${p.split}-${p.phase}`] ??= new ProgressBar(`maze ${p.split} ${p.phase}`, p.total)).update(p.done),
  });
  return finish(out, started);
}

function arc(o: Options): number {
  const out = o.requireString('output-dir');
  const started = Date.now();
  const dirs = o.list('dataset-dirs');
  if (dirs.length === 0) throw invalidArgument('hrm data arc: give --dataset-dirs <arc-agi-1>,<concept-arc> (one-JSON-per-task folders)');
  const numAug = o.int('num-aug', 1000, { min: 0 });
  const seed = o.int('seed', 42, { min: 0 });
  const canvas = o.int('canvas', 30);
  const overwrite = o.flag('overwrite');
  o.rejectUnknown('data arc');
  const bars: Record<string, ProgressBar> = {};
  const result = buildArcDataset({
    datasetDirs: dirs,
    outputDir: out,
    numAug,
    seed,
    canvas,
    overwrite,
    onProgress: (p) => {
      if (p.phase === 'warning') console.warn(`warning: ${p.message}`);
      else (bars[p.phase] ??= new ProgressBar(`arc ${p.phase}`, p.total)).update(p.done);
    },
  });
  if (result.warnings.length) console.warn(`${result.warnings.length} warning(s); see above`);
  console.log(`\ncanvas ${result.canvas}x${result.canvas} (seq_len ${result.canvas ** 2}): ${result.tasks} tasks kept, ${result.dropped} dropped (a grid larger than the canvas)`);
  for (const s of result.subsets) console.log(`  ${s.dir}: ${s.kept} of ${s.tasks} kept, ${s.dropped} dropped`);
  return finish(out, started);
}

/** The builders of `hrm data`, by sub-command. */
export const DATA_COMMANDS: Record<string, (o: Options, positional: string[]) => number> = { sudoku, maze, arc };

/** The `--help` text of each builder sub-command. */
export const DATA_HELP: Record<string, string> = {
  sudoku: `hrm data sudoku --output-dir DIR (--input train.csv[,..] [--test-input test.csv[,..]] | --generate N [--generate-test M] [--min-rating R] [--clues C])
  [--subsample-size N] [--num-aug K] [--min-difficulty R] [--size 4|6|9] [--seed S]
  CSVs in the reference schema (source,question,answer,rating; '.' or '0' blanks). The reference 1k recipe:
  --subsample-size 1000 --num-aug 1000. --generate makes new unique-solution puzzles (no input needed): minimal
  puzzles, or with --clues C givens each (easier).`,
  maze: `hrm data maze --output-dir DIR (--train-csv train.csv --test-csv test.csv | --generate N [--generate-test M] [--size 30] [--min-path-length L])
  [--aug] [--seed S]
  --aug adds the 8 dihedral versions of every training maze, as the reference's --aug.`,
  arc: `hrm data arc --output-dir DIR --dataset-dirs DIR[,DIR..] [--num-aug 1000] [--seed 42] [--canvas 30] [--overwrite]
  ARC-1: --dataset-dirs <ARC-AGI>/data,<ConceptARC>/corpus; ARC-2: --dataset-dirs <ARC-AGI-2>/data.
  Tasks under a folder named 'evaluation' give the test split. --canvas N (1..30) places every grid
  on an N x N canvas (seq_len N*N) and keeps only the tasks whose grids all fit (small CPU runs).`,
};
