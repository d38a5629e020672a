/**
 * Mazes with HRM: generated 6x6 mazes whose shortest path needs search (or the reference's
 * Maze-Hard CSVs), train, evaluate held out, and draw the path the model finds in a new maze.
 *
 *   npx hrm example maze (npm run example:maze in a checkout)  # generated 6x6 mazes, CPU-sized (minutes)
 *   npx hrm example maze train.csv test.csv                  # Maze-Hard 30x30 CSVs (a GPU run: `hrm train --task maze --preset full`)
 */
import { PRESETS, data } from 'hrm-torch';
import { exampleFolders, heldOutSummary, runExample, showSolved, trainExample, writeExampleSummary } from '../common';

const { buildMazeDataset, generateMazes, loadMazeCsv, encodeMaze, decodeMaze, mazeSize } = data;
const folders = exampleFolders(process.env.EXAMPLE_DIR ?? 'runs/example-maze');

// The task (BENCHMARKS.md, "Learning: the examples"): 6x6 mazes (random walls, 30-50% of cells)
// whose shortest path from S to G has at least 11 cells: on average 4.9 cells of detour beyond
// the straight-line (Manhattan) route, and a greedy walk towards G fails in 97% of them, so the
// path has to be searched for. Each maze is new: 40,000 distinct training mazes, none shared with
// the 300 held-out ones.
const SIZE = 6;
const MIN_PATH = 11;
const TRAIN = 40000;
const TEST = 300;

async function main(): Promise<void> {
  const [trainCsv, testCsv] = process.argv.slice(2);
  // 1. Data: the reference's format; the answer marks the shortest path with 'o' (rebuilt on every run of the example).
  const built = trainCsv
    ? buildMazeDataset({ trainCsv, testCsv, outputDir: folders.data, overwrite: true })
    : buildMazeDataset({ generate: { train: TRAIN, test: TEST, size: SIZE, minPathLength: MIN_PATH }, outputDir: folders.data, seed: 0, overwrite: true });
  console.log(`data: ${built.train.examples} training and ${built.test.examples} held-out mazes of ${built.size}x${built.size}`);
  // 2. Train with the CPU preset of `hrm train --task maze` (the demo's model, 4 passes = 2,500 steps).
  const { dataPath: _, ...preset } = PRESETS.maze.cpu;
  const trained = await trainExample(folders, preset);
  const { trainer } = trained;
  console.log(`\n${heldOutSummary(trained)} (the whole shortest path right) after ${trained.seconds.toFixed(0)} s of training`);
  writeExampleSummary(folders, trained, { example: 'example:maze', task: `${built.size}x${built.size} mazes, shortest path >= ${MIN_PATH} cells, ${built.train.examples} training / ${built.test.examples} held-out` });
  // 3. One new maze.
  const maze = trainCsv ? loadMazeCsv(testCsv)[0] : generateMazes(1, { size: SIZE, minPathLength: MIN_PATH }, 999)[0];
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
