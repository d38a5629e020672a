/**
 * ARC with HRM: build an augmented ARC dataset from one-JSON-per-task folders, train a small
 * model, evaluate with voting over the augmented versions (pass@1 / pass@2), and show one task.
 * On a CPU this only demonstrates the pipeline; the paper's ARC-1 result takes
 * `hrm train --task arc --preset full` on GPUs for about a day.
 *
 *   npm run example:arc -- <ARC-AGI>/data [<ConceptARC>/corpus]   (folders holding training/ and evaluation/)
 */
import * as fs from 'fs';
import * as path from 'path';
import { ArcVoter, PuzzleDataset, data, evaluate } from 'hrm-torch';
import { exampleFolders, runExample, showSolved, trainExample } from '../common';

const { buildArcDataset, decodeArcGrid, encodeArcGrid, readArcTask, readIdentifiers } = data;
const folders = exampleFolders('runs/example-arc');

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0 || !dirs.every((d) => fs.existsSync(d))) {
    console.error('usage: npm run example:arc -- <folder with training/ and evaluation/ task JSONs> [more folders]');
    process.exitCode = 2;
    return;
  }
  // 1. Data: 8 augmented versions per task here (the reference uses 1000).
  const built = buildArcDataset({ datasetDirs: dirs, outputDir: folders.data, numAug: 8, overwrite: true });
  for (const w of built.warnings) console.warn(`warning: ${w}`);
  // 2. Train briefly.
  const arch = { hiddenSize: 64, numHeads: 4, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 2, puzzleEmbNdim: 64 };
  const { trainer } = await trainExample(folders, { arch, globalBatchSize: 8, epochs: 1, lr: 1e-3, puzzleEmbLr: 1e-2, evalMaxExamples: 64 });
  // 3. Voting over the augmented versions of the test inputs.
  const voter = new ArcVoter(folders.data);
  const testSet = new PuzzleDataset({ dir: path.join(folders.data, 'test'), mode: 'test', batchSize: 8 });
  evaluate(trainer.model, testSet, {
    maxExamples: 256,
    onPredictions: (p) => voter.addBatch({ puzzleIdentifiers: p.batch.puzzleIdentifiers, inputs: p.batch.inputs, predictions: p.predictions, qHaltLogits: p.qHaltLogits }),
  });
  testSet.close();
  const score = voter.score();
  console.log(`\nARC (first 256 test rows): pass@1 ${(score.passAtK[1] * 100).toFixed(1)}%, pass@2 ${(score.passAtK[2] * 100).toFixed(1)}% over ${score.tasks} tasks`);
  // 4. One evaluation task's first test input, as the model sees it.
  const evaluation = built.subsets.find((s) => s.evaluation);
  if (evaluation) {
    const taskFile = fs.readdirSync(evaluation.dir).filter((f) => f.endsWith('.json')).sort()[0];
    const task = readArcTask(path.join(evaluation.dir, taskFile));
    const rows = (g: number[][]) => g.map((r) => r.join(''));
    showSolved(trainer.model, {
      tokens: encodeArcGrid(task.test[0].input),
      puzzleIdentifier: Math.max(0, readIdentifiers(folders.data)!.indexOf(task.name)),
      question: { title: `${task.name} input`, rows: rows(task.test[0].input) },
      answer: { title: 'expected', rows: rows(task.test[0].output) },
      rows: (prediction) => rows(decodeArcGrid(Array.from(prediction))),
    });
  }
  trainer.dispose();
}

runExample(main);
