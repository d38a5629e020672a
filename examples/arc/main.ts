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
import { buildArcDataset, decodeArcGrid, encodeArcGrid, readArcTask } from '../../src/data/arc';
import { readIdentifiers } from '../../src/data/format';
import { PuzzleDataset } from '../../src/data/format';
import { Trainer } from '../../src/train/trainer';
import { evaluate } from '../../src/eval/evaluate';
import { ArcVoter } from '../../src/eval/arc-vote';
import { solveTokens } from '../../src/eval/solve';
import { progressPrinter, sideBySide } from '../common';

const out = path.resolve('runs/example-arc');

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0 || !dirs.every((d) => fs.existsSync(d))) {
    console.error('usage: npm run example:arc -- <folder with training/ and evaluation/ task JSONs> [more folders]');
    process.exitCode = 2;
    return;
  }
  // 1. Data: 8 augmented versions per task here (the reference uses 1000).
  const built = buildArcDataset({ datasetDirs: dirs, outputDir: path.join(out, 'data'), numAug: 8, overwrite: true });
  for (const w of built.warnings) console.warn(`warning: ${w}`);
  // 2. Train briefly.
  const trainer = new Trainer({
    dataPath: path.join(out, 'data'),
    outputDir: path.join(out, 'run'),
    arch: { hiddenSize: 64, numHeads: 4, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 2, puzzleEmbNdim: 64 },
    globalBatchSize: 8,
    epochs: 1,
    lr: 1e-3,
    puzzleEmbLr: 1e-2,
    evalMaxExamples: 64,
    onProgress: progressPrinter(),
  });
  await trainer.run();
  // 3. Voting over the augmented versions of the test inputs.
  const voter = new ArcVoter(path.join(out, 'data'));
  const data = new PuzzleDataset({ dir: path.join(out, 'data', 'test'), mode: 'test', batchSize: 8 });
  evaluate(trainer.model, data, {
    maxExamples: 256,
    onPredictions: (p) => voter.addBatch({ puzzleIdentifiers: p.batch.puzzleIdentifiers, inputs: p.batch.inputs, predictions: p.predictions, qHaltLogits: p.qHaltLogits }),
  });
  data.close();
  const score = voter.score();
  console.log(`\nARC (first 256 test rows): pass@1 ${(score.passAtK[1] * 100).toFixed(1)}%, pass@2 ${(score.passAtK[2] * 100).toFixed(1)}% over ${score.tasks} tasks`);
  // 4. One evaluation task's first test input, as the model sees it.
  const ids = readIdentifiers(path.join(out, 'data'))!;
  const file = built.subsets.find((s) => s.evaluation);
  if (file) {
    const taskFile = fs.readdirSync(file.dir).filter((f) => f.endsWith('.json')).sort()[0];
    const task = readArcTask(path.join(file.dir, taskFile));
    const s = solveTokens(trainer.model, encodeArcGrid(task.test[0].input), { puzzleIdentifier: Math.max(0, ids.indexOf(task.name)) });
    const show = (g: number[][]) => g.map((r) => r.join(''));
    console.log(sideBySide([
      { title: `${task.name} input`, rows: show(task.test[0].input) },
      { title: 'model', rows: show(decodeArcGrid(Array.from(s.prediction))) },
      { title: 'expected', rows: show(task.test[0].output) },
    ]));
  }
  trainer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
