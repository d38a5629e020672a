/**
 * The demo (`npx hrm demo`, or `npm run demo` in a checkout): train a small HRM from scratch to
 * solve 4x4 Sudoku on the CPU in a few minutes, then show it a puzzle it has never seen.
 *
 * 1. generate puzzles with a unique solution (no data needed),
 * 2. write them as a dataset in the reference's format,
 * 3. train with the reference's loop (deep supervision, 1-step gradient, Q-learning halting),
 * 4. evaluate on held-out puzzles and solve one, step by step.
 */
import * as fs from 'fs';
import * as path from 'path';
import { data, getNumThreads } from 'hrm-torch';
import { exampleFolders, runExample, showSolved, trainExample } from './common';

const { Rng, addSudokuClues, buildSudokuDataset, generateSudoku, writeSudokuCsv, formatSudoku, decodeSudoku, encodeSudoku } = data;

const CLUES = Number(process.env.DEMO_CLUES ?? 10); // givens per 4x4 puzzle (16 cells)
// Tuned on this task (BENCHMARKS.md, learning): 20,000 training puzzles generalise where 3,000
// overfit, and the learning rate decays to a tenth (cosine), which steadies the end of training.
const TRAIN = 20000;
const TEST = 300;
const EPOCHS = Number(process.env.DEMO_EPOCHS ?? 18);
const EVALUATIONS = 6; // held-out evaluations during training (EPOCHS must be a multiple)
const BATCH = 64;
const folders = exampleFolders(process.env.DEMO_DIR ?? 'runs/demo');

/** A unique-solution 4x4 puzzle with exactly CLUES givens (a minimal puzzle plus extra givens). */
function puzzles(n: number, seed: number) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const g = generateSudoku({ box: { rows: 2, cols: 2 }, seed: seed * 1_000_003 + i });
    return { source: 'generated-4x4', question: addSudokuClues(g.puzzle, g.solution, CLUES, rng), answer: g.solution, rating: g.rating };
  });
}

const rows = (grid: ArrayLike<number>) => formatSudoku(grid).match(/.{4}/g)!.map((r) => r.split('').join(' '));

async function main(): Promise<void> {
  fs.rmSync(folders.root, { recursive: true, force: true });
  console.log(`hrm-torch demo: an HRM learns 4x4 Sudoku from scratch (${getNumThreads()} CPU threads)\n`);
  const test = puzzles(TEST, 2);
  writeSudokuCsv(folders.trainCsv, puzzles(TRAIN, 1));
  writeSudokuCsv(folders.testCsv, test);
  buildSudokuDataset({ inputs: [folders.trainCsv], testInputs: [folders.testCsv], outputDir: folders.data });
  console.log(`data: ${TRAIN} training and ${TEST} held-out puzzles with ${CLUES} givens each, unique solutions (${path.relative(process.cwd(), folders.data)})`);

  const arch = { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0 };
  const { trainer, seconds, heldOutExact } = await trainExample(folders, {
    arch,
    globalBatchSize: BATCH,
    epochs: EPOCHS,
    evalInterval: EPOCHS / EVALUATIONS,
    lr: 2e-3,
    lrMinRatio: 0.1,
    lrWarmupSteps: 50,
    weightDecay: 0.1,
    seed: 0,
  });

  // One held-out puzzle, solved step by step with adaptive halting.
  const puzzle = test[7];
  const r = showSolved(trainer.model, {
    tokens: encodeSudoku(puzzle.question),
    maxSteps: 4,
    question: { title: 'puzzle', rows: rows(puzzle.question) },
    answer: { title: 'solution', rows: rows(puzzle.answer) },
    rows: (prediction) => rows(decodeSudoku(Array.from(prediction))),
  });
  const right = decodeSudoku(Array.from(r.prediction)).every((v, i) => v === puzzle.answer[i]);
  console.log(`\n${right ? 'solved' : 'not solved'}. Held-out exact accuracy: ${(heldOutExact * 100).toFixed(1)}% of ${TEST} puzzles, after ${seconds.toFixed(0)} s of training.`);
  console.log(`Report: ${path.join(path.relative(process.cwd(), folders.run), 'report.html')}`);
  trainer.dispose();
}

runExample(main);
