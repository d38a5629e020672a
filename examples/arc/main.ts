/**
 * ARC with HRM, CPU-sized: the ARC-AGI-1 tasks whose grids all fit a 10x10 canvas (100 tokens
 * instead of the reference's 900), built with the HRM protocol (training tasks, plus the
 * demonstration pairs of the evaluation tasks, in the training split; dihedral and colour
 * augmentations, each version with its own puzzle embedding), trained for a few minutes on one
 * thread, then scored on the evaluation tasks' held-out test outputs by voting over the
 * inverse-augmented predictions (pass@1 / pass@2), with the solved tasks listed by name.
 *
 *   npx hrm example arc <ARC-AGI>/data [more folders]     # your folders holding training/ and evaluation/
 *   npm run example:arc                                  # in a checkout: ../shared/data/arc/arc-agi-1
 *
 * The paper's ARC-1 result takes the full 30x30 build and `hrm train --task arc --preset full` on
 * GPUs for about a day; see BENCHMARKS.md for what this small run reaches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ArcVoter, PRESETS, PuzzleDataset, data, evaluate, getNumThreads } from 'hrm-torch';
import { exampleFolders, runExample, sideBySide, trainExample, writeExampleSummary } from '../common';

const { buildArcDataset, ARC_TEST_PUZZLES_FILE } = data;
const folders = exampleFolders(process.env.EXAMPLE_DIR ?? 'runs/example-arc');
/** The repository's root (this file runs from dist/examples/arc/). */
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_DIRS = [path.join(repoRoot, '..', 'shared', 'data', 'arc', 'arc-agi-1')];
/** 10x10 holds 178 of the 400 training and 77 of the 400 evaluation tasks (12x12: 220 and 114, at 1.44x the tokens). */
const CANVAS = 10;

/** The held-out tasks of a built dataset with their solutions (test_puzzles.json). */
const readTestPuzzles = (dir: string): Record<string, { test: { input: number[][]; output: number[][] }[] }> =>
  JSON.parse(fs.readFileSync(path.join(dir, ARC_TEST_PUZZLES_FILE), 'utf8'));

async function main(): Promise<void> {
  const given = process.argv.slice(2);
  const dirs = given.length ? given : DEFAULT_DIRS;
  const missing = dirs.filter((d) => !fs.existsSync(d));
  if (missing.length) {
    const usage = 'usage: npx hrm example arc <folder with training/ and evaluation/ task JSONs> [more folders]\n  (ARC-AGI-1: the data/ folder of a clone of github.com/fchollet/ARC-AGI)';
    console.error(given.length ? `not found: ${missing.join(', ')}\n${usage}` : `the ARC task files are needed\n${usage}`);
    process.exitCode = 2;
    return;
  }
  // 1. Data: the tasks that fit the canvas, 2 augmented versions per task besides the original (the reference uses 1000).
  const built = buildArcDataset({ datasetDirs: dirs, outputDir: folders.data, canvas: CANVAS, numAug: 2, overwrite: true, onProgress: () => {} });
  for (const w of built.warnings) console.warn(`warning: ${w}`);
  for (const s of built.subsets) console.log(`${s.name}: ${s.kept} of ${s.tasks} tasks fit the ${CANVAS}x${CANVAS} canvas`);
  console.log(`train split: ${built.train.examples} examples in ${built.train.puzzles} puzzles; test split: ${built.test?.examples ?? 0} held-out test inputs (all versions)\n`);

  // 2. Train with the CPU preset of `hrm train --task arc` (made for this dataset).
  const { dataPath: _, ...preset } = PRESETS.arc.cpu;
  const trained = await trainExample(folders, preset);
  const { trainer } = trained;
  console.log(`\ntrained ${trained.result.step} steps in ${trained.seconds.toFixed(0)} s (${getNumThreads()} thread${getNumThreads() > 1 ? 's' : ''})`);

  // 3. Every held-out test input of every version, voted in the original task's frame.
  const voter = new ArcVoter(folders.data);
  const testSet = new PuzzleDataset({ dir: path.join(folders.data, 'test'), mode: 'test', batchSize: 64 });
  try {
    evaluate(trainer.model, testSet, {
      onPredictions: (p) => voter.addBatch({ puzzleIdentifiers: p.batch.puzzleIdentifiers, inputs: p.batch.inputs, predictions: p.predictions, qHaltLogits: p.qHaltLogits }),
    });
  } finally {
    testSet.close();
  }
  const score = voter.score({ passKs: [1, 2] });
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  console.log(`\nARC-AGI-1 evaluation, the ${score.tasks} tasks that fit ${CANVAS}x${CANVAS}: pass@1 ${pct(score.passAtK[1])}, pass@2 ${pct(score.passAtK[2])} (${score.rows} votes)`);
  const solved = score.perTask.filter((t) => t.testInputs.every((x) => x.solvedAt !== null && x.solvedAt <= 2));
  console.log(solved.length ? `solved within 2 attempts: ${solved.map((t) => t.task).join(', ')}` : 'no evaluation task solved within 2 attempts');
  writeExampleSummary(folders, trained, {
    example: 'example:arc',
    task: `ARC-AGI-1 tasks that fit ${CANVAS}x${CANVAS}, ${score.tasks} evaluation tasks held out`,
    metrics: { passAt1: score.passAtK[1], passAt2: score.passAtK[2], solved: solved.map((t) => t.task) },
  });

  // 4. One solved task (or the first task), its first test input beside the voted answer.
  const shown = solved[0] ?? score.perTask[0];
  if (shown) {
    const task = readTestPuzzles(folders.data)[shown.task];
    const rows = (g: number[][]) => g.map((r) => r.join(''));
    const best = shown.testInputs[0].candidates[0];
    console.log(`\n${shown.task}, test input 1: the voted answer (${best ? `${best.votes} of ${shown.testInputs[0].votes} votes` : 'no votes'})\n`);
    console.log(sideBySide([
      { title: 'input', rows: rows(task.test[0].input) },
      { title: 'model (voted)', rows: best ? rows(best.grid) : [] },
      { title: 'expected', rows: rows(task.test[0].output) },
    ]));
  }
  trainer.dispose();
}

runExample(main);
