/**
 * Mazes with HRM: generate small mazes (or load the reference's Maze-Hard CSVs), train,
 * evaluate, and draw the path the model finds in a held-out maze.
 *
 *   npm run example:maze                                     # generated 10x10 mazes, CPU-sized
 *   npm run example:maze -- train.csv test.csv               # Maze-Hard 30x30 CSVs (a GPU run: `hrm train --task maze --preset full`)
 */
import { data } from 'hrm-torch';
import { exampleFolders, heldOutSummary, runExample, showSolved, trainExample } from '../common';

const { buildMazeDataset, generateMazes, loadMazeCsv, encodeMaze, decodeMaze, mazeSize } = data;
const folders = exampleFolders('runs/example-maze');

async function main(): Promise<void> {
  const [trainCsv, testCsv] = process.argv.slice(2);
  // 1. Data: the reference's format; the answer marks the shortest path with 'o'.
  const built = trainCsv
    ? buildMazeDataset({ trainCsv, testCsv, outputDir: folders.data })
    : buildMazeDataset({ generate: { train: 1500, test: 150, size: 10, minPathLength: 12 }, outputDir: folders.data, seed: 0 });
  console.log(`data: ${built.train.examples} training mazes of ${built.size}x${built.size}`);
  // 2. Train.
  const arch = { hiddenSize: 96, numHeads: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 3, haltMaxSteps: 6, puzzleEmbNdim: 0 };
  const trained = await trainExample(folders, { arch, globalBatchSize: 32, epochs: 6, evalInterval: 3, lr: 2e-3, lrWarmupSteps: 50 });
  const { trainer } = trained;
  console.log(`\n${heldOutSummary(trained)}`);
  // 3. One held-out maze.
  const maze = trainCsv ? loadMazeCsv(testCsv)[0] : generateMazes(1, { size: 10, minPathLength: 12 }, 999)[0];
  const rows = (g: string) => g.match(new RegExp(`.{${mazeSize(maze.question)}}`, 'g'))!;
  showSolved(trainer.model, {
    tokens: encodeMaze(maze.question),
    question: { title: 'maze', rows: rows(maze.question) },
    answer: { title: 'shortest path', rows: rows(maze.answer) },
    rows: (prediction) => rows(decodeMaze(Array.from(prediction))),
  });
  trainer.dispose();
}

runExample(main);
