/**
 * Sudoku with HRM: build a dataset from CSVs in the reference schema (or generate 6x6 puzzles
 * when none are given), train, evaluate, solve one puzzle.
 *
 *   npm run example:sudoku                                   # generated 6x6 puzzles, CPU-sized
 *   npm run example:sudoku -- train.csv test.csv             # your CSVs (source,question,answer,rating)
 * For the paper's Sudoku-Extreme run, use `hrm data sudoku ... --subsample-size 1000 --num-aug 1000`
 * and `hrm train --task sudoku --preset full` on a GPU.
 */
import * as path from 'path';
import { buildSudokuDataset, generateSudoku, writeSudokuCsv, readSudokuCsv, encodeSudoku, decodeSudoku, formatSudoku } from '../../src/data/sudoku';
import { Trainer } from '../../src/train/trainer';
import { solveTokens } from '../../src/eval/solve';
import { progressPrinter, sideBySide } from '../common';

const out = path.resolve('runs/example-sudoku');

async function main(): Promise<void> {
  let [trainCsv, testCsv] = process.argv.slice(2);
  if (!trainCsv) {
    const make = (n: number, seed: number) =>
      Array.from({ length: n }, (_, i) => {
        const g = generateSudoku({ box: { rows: 2, cols: 3 }, seed: seed + i });
        return { source: 'generated-6x6', question: g.puzzle, answer: g.solution, rating: g.rating };
      });
    trainCsv = path.join(out, 'source', 'train.csv');
    testCsv = path.join(out, 'source', 'test.csv');
    writeSudokuCsv(trainCsv, make(2000, 0));
    writeSudokuCsv(testCsv, make(200, 1_000_000));
  }
  // 1. Data, in the reference's format (augmented copies of each training puzzle).
  buildSudokuDataset({ inputs: [trainCsv], testInputs: testCsv ? [testCsv] : undefined, outputDir: path.join(out, 'data'), numAug: 3, seed: 0 });
  // 2. Train.
  const trainer = new Trainer({
    dataPath: path.join(out, 'data'),
    outputDir: path.join(out, 'run'),
    arch: { hiddenSize: 96, numHeads: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 6, puzzleEmbNdim: 0 },
    globalBatchSize: 64,
    epochs: 4,
    evalInterval: 2,
    lr: 2e-3,
    lrWarmupSteps: 50,
    onProgress: progressPrinter(),
  });
  const r = await trainer.run();
  console.log(`\nheld-out exact accuracy: ${((r.lastEval?.sets.all.exact_accuracy ?? 0) * 100).toFixed(1)}%`);
  // 3. Solve one held-out puzzle.
  const test = readSudokuCsv(testCsv ?? trainCsv);
  const q = test.questions.subarray(0, test.cells);
  const a = test.answers.subarray(0, test.cells);
  const s = solveTokens(trainer.model, encodeSudoku(q));
  const n = Math.round(Math.sqrt(test.cells));
  const rows = (g: ArrayLike<number>) => formatSudoku(g).match(new RegExp(`.{${n}}`, 'g'))!;
  console.log(sideBySide([
    { title: 'puzzle', rows: rows(q) },
    { title: `model (${s.steps} steps)`, rows: rows(decodeSudoku(Array.from(s.prediction))) },
    { title: 'solution', rows: rows(a) },
  ]));
  trainer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
