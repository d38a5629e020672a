/**
 * Mazes with HRM: generate small mazes (or load the reference's Maze-Hard CSVs), train,
 * evaluate, and draw the path the model finds in a held-out maze.
 *
 *   npm run example:maze                                     # generated 10x10 mazes, CPU-sized
 *   npm run example:maze -- train.csv test.csv               # Maze-Hard 30x30 CSVs (a GPU run: `hrm train --task maze --preset full`)
 */
import * as path from 'path';
import { buildMazeDataset, generateMazes, loadMazeCsv, encodeMaze, decodeMaze, mazeSize } from '../../src/data/maze';
import { Trainer } from '../../src/train/trainer';
import { solveTokens } from '../../src/eval/solve';
import { progressPrinter, sideBySide } from '../common';

const out = path.resolve('runs/example-maze');

async function main(): Promise<void> {
  const [trainCsv, testCsv] = process.argv.slice(2);
  // 1. Data: the reference's format; the answer marks the shortest path with 'o'.
  const built = trainCsv
    ? buildMazeDataset({ trainCsv, testCsv, outputDir: path.join(out, 'data') })
    : buildMazeDataset({ generate: { train: 1500, test: 150, size: 10, minPathLength: 12 }, outputDir: path.join(out, 'data'), seed: 0 });
  // 2. Train.
  const trainer = new Trainer({
    dataPath: path.join(out, 'data'),
    outputDir: path.join(out, 'run'),
    arch: { hiddenSize: 96, numHeads: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 3, haltMaxSteps: 6, puzzleEmbNdim: 0 },
    globalBatchSize: 32,
    epochs: 6,
    evalInterval: 3,
    lr: 2e-3,
    lrWarmupSteps: 50,
    onProgress: progressPrinter(),
  });
  const r = await trainer.run();
  console.log(`\nheld-out exact accuracy: ${((r.lastEval?.sets.all.exact_accuracy ?? 0) * 100).toFixed(1)}%`);
  // 3. One held-out maze.
  const maze = trainCsv ? loadMazeCsv(testCsv)[0] : generateMazes(1, { size: 10, minPathLength: 12 }, 999)[0];
  const n = mazeSize(maze.question);
  const s = solveTokens(trainer.model, encodeMaze(maze.question));
  const rows = (g: string) => g.match(new RegExp(`.{${n}}`, 'g'))!;
  console.log(sideBySide([
    { title: 'maze', rows: rows(maze.question) },
    { title: `model (${s.steps} steps)`, rows: rows(decodeMaze(Array.from(s.prediction))) },
    { title: 'shortest path', rows: rows(maze.answer) },
  ]));
  console.log(`(built ${built.train.examples} training mazes of ${built.size}x${built.size})`);
  trainer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
