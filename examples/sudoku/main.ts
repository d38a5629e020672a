/**
 * Sudoku with HRM: 6x6 Sudoku learned from scratch on the CPU (generated puzzles with 18 of 36
 * cells given and a unique solution), or your own CSVs; train, evaluate held out, solve one.
 *
 *   npx hrm example sudoku (npm run example:sudoku in a checkout)  # generated 6x6 puzzles, CPU-sized (minutes)
 *   npx hrm example sudoku train.csv test.csv                # your CSVs (source,question,answer,rating)
 * For the paper's Sudoku-Extreme run, use `hrm data sudoku ... --subsample-size 1000 --num-aug 1000`
 * and `hrm train --task sudoku --preset full` on a GPU.
 */
import { PRESETS, data } from 'hrm-torch';
import { exampleFolders, heldOutSummary, runExample, showSolved, trainExample, writeExampleSummary } from '../common';

const { buildSudokuDataset, generateSudoku, writeSudokuCsv, readSudokuCsv, encodeSudoku, decodeSudoku, formatSudoku } = data;
const folders = exampleFolders(process.env.EXAMPLE_DIR ?? 'runs/example-sudoku');

// The recipe (BENCHMARKS.md, "Learning: the examples"): 20,000 distinct puzzles, 18 givens each
// (a minimal 6x6 puzzle has about 10; with 18 a small model learns it in minutes), trained with
// the CPU preset of `hrm train --task sudoku` (the demo's model, 8 passes = 2,500 steps, the
// learning rate decaying to a tenth).
const CLUES = 18;
const TRAIN = 20000;
const TEST = 300;

/** `n` generated 6x6 puzzles with unique solutions and CLUES givens. */
const generated = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => {
    const g = generateSudoku({ box: { rows: 2, cols: 3 }, seed: seed + i, clues: CLUES });
    return { source: 'generated-6x6', question: g.puzzle, answer: g.solution, rating: g.rating };
  });

async function main(): Promise<void> {
  let [trainCsv, testCsv] = process.argv.slice(2);
  if (!trainCsv) {
    [trainCsv, testCsv] = [folders.trainCsv, folders.testCsv];
    writeSudokuCsv(trainCsv, generated(TRAIN, 0));
    writeSudokuCsv(testCsv, generated(TEST, 1_000_000));
    console.log(`data: ${TRAIN} training and ${TEST} held-out 6x6 puzzles, ${CLUES} of 36 cells given, unique solutions`);
  }
  // 1. Data, in the reference's format (rebuilt on every run of the example).
  buildSudokuDataset({ inputs: [trainCsv], testInputs: testCsv ? [testCsv] : undefined, outputDir: folders.data, seed: 0, overwrite: true });
  // 2. Train.
  const { dataPath: _, ...preset } = PRESETS.sudoku.cpu;
  const trained = await trainExample(folders, preset);
  const { trainer } = trained;
  console.log(`\n${heldOutSummary(trained)} after ${trained.seconds.toFixed(0)} s of training`);
  writeExampleSummary(folders, trained, { example: 'example:sudoku', task: `6x6 Sudoku, ${CLUES} givens, ${TRAIN} training / ${TEST} held-out puzzles` });
  // 3. Solve one held-out puzzle.
  const test = readSudokuCsv(testCsv ?? trainCsv);
  const n = Math.round(Math.sqrt(test.cells));
  const rows = (g: ArrayLike<number>) => formatSudoku(g).match(new RegExp(`.{${n}}`, 'g'))!.map((r) => r.split('').join(' '));
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
