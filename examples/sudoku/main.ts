/**
 * Sudoku with HRM: build a dataset from CSVs in the reference schema (or generate 6x6 puzzles
 * when none are given), train, evaluate, solve one puzzle.
 *
 *   npm run example:sudoku                                   # generated 6x6 puzzles, CPU-sized
 *   npm run example:sudoku -- train.csv test.csv             # your CSVs (source,question,answer,rating)
 * For the paper's Sudoku-Extreme run, use `hrm data sudoku ... --subsample-size 1000 --num-aug 1000`
 * and `hrm train --task sudoku --preset full` on a GPU.
 */
import { data } from 'hrm-torch';
import { exampleFolders, heldOutSummary, runExample, showSolved, trainExample } from '../common';

const { buildSudokuDataset, generateSudoku, writeSudokuCsv, readSudokuCsv, encodeSudoku, decodeSudoku, formatSudoku } = data;
const folders = exampleFolders('runs/example-sudoku');

/** `n` generated 6x6 puzzles with unique solutions. */
const generated = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => {
    const g = generateSudoku({ box: { rows: 2, cols: 3 }, seed: seed + i });
    return { source: 'generated-6x6', question: g.puzzle, answer: g.solution, rating: g.rating };
  });

async function main(): Promise<void> {
  let [trainCsv, testCsv] = process.argv.slice(2);
  if (!trainCsv) {
    [trainCsv, testCsv] = [folders.trainCsv, folders.testCsv];
    writeSudokuCsv(trainCsv, generated(2000, 0));
    writeSudokuCsv(testCsv, generated(200, 1_000_000));
  }
  // 1. Data, in the reference's format (augmented copies of each training puzzle).
  buildSudokuDataset({ inputs: [trainCsv], testInputs: testCsv ? [testCsv] : undefined, outputDir: folders.data, numAug: 3, seed: 0 });
  // 2. Train.
  const arch = { hiddenSize: 96, numHeads: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 6, puzzleEmbNdim: 0 };
  const trained = await trainExample(folders, { arch, globalBatchSize: 64, epochs: 4, evalInterval: 2, lr: 2e-3, lrWarmupSteps: 50 });
  const { trainer } = trained;
  console.log(`\n${heldOutSummary(trained)}`);
  // 3. Solve one held-out puzzle.
  const test = readSudokuCsv(testCsv ?? trainCsv);
  const n = Math.round(Math.sqrt(test.cells));
  const rows = (g: ArrayLike<number>) => formatSudoku(g).match(new RegExp(`.{${n}}`, 'g'))!;
  const question = test.questions.subarray(0, test.cells);
  showSolved(trainer.model, {
    tokens: encodeSudoku(question),
    question: { title: 'puzzle', rows: rows(question) },
    answer: { title: 'solution', rows: rows(test.answers.subarray(0, test.cells)) },
    rows: (prediction) => rows(decodeSudoku(Array.from(prediction))),
  });
  trainer.dispose();
}

runExample(main);
