/**
 * A dataset folder is complete or absent (src/data/format/dataset-folder.ts), for every builder:
 * builds killed at their worst moments leave no output folder and nothing the next build does not
 * remove; an existing dataset is replaced only with overwrite, and then as a whole; user files are
 * never built over; the loader refuses an unfinished build; empty inputs are refused.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit, checkDatasetOutput, readIdentifiers } from '../../../src/data/format';
import { buildArcDataset } from '../../../src/data/arc';
import { buildMazeDataset } from '../../../src/data/maze';
import { buildSudokuDataset, generateSudoku, writeSudokuCsv } from '../../../src/data/sudoku';
import { PARTIAL_FOLDER_MARKER, partialFolder } from '../../../src/util/atomic';
import { folderSnapshot } from '../../helpers/files';
import { runKilled } from '../../helpers/child';
import { tmpDir } from '../../helpers/reference';
import { EVALUATION, TRAINING, haveData, linkTasks, writeTask } from '../arc/helpers';
import * as subject from '../../../src/data/format/dataset-folder';
import { expectInvalidArgument } from '../../helpers/errors';


let dir: string;
beforeEach(() => (dir = tmpDir('dataset-folder-')));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes generated 4x4 Sudoku CSVs (train and test) under `dir` and returns their paths. */
function sudokuCsvs(train: number, test: number): { train: string; test: string } {
  const rows = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => {
      const g = generateSudoku({ box: { rows: 2, cols: 2 }, seed: offset + i });
      return { source: 'generated', question: g.puzzle, answer: g.solution, rating: g.rating };
    });
  const files = { train: path.join(dir, 'csv', 'train.csv'), test: path.join(dir, 'csv', 'test.csv') };
  writeSudokuCsv(files.train, rows(train, 0));
  writeSudokuCsv(files.test, rows(test, 1000));
  return files;
}

/** Every file and folder under the parent of `out`, relative to it (what a build left anywhere). */
const allUnder = (d: string) => fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();

describe('interrupted builds leave no dataset, and the next build removes what they left', () => {
  test('Sudoku killed in the test phase: no complete-looking train/ to train on; the stale partial folder (with its .npy temporaries) goes at the next build', () => {
    const csv = sudokuCsvs(40, 10);
    const out = path.join(dir, 'sudoku');
    const { pid } = runKilled(`
      const { buildSudokuDataset } = require(DIST + '/data/sudoku/builder.js');
      buildSudokuDataset({ inputs: [${JSON.stringify(csv.train)}], testInputs: [${JSON.stringify(csv.test)}], outputDir: ${JSON.stringify(out)}, numAug: 1,
        onProgress: (p) => { if (p.split === 'test') process.kill(process.pid, 'SIGKILL'); } });`);
    expect(fs.existsSync(out)).toBe(false);
    const partial = partialFolder(out, pid);
    expect(fs.existsSync(path.join(partial, 'train', 'dataset.json'))).toBe(true); // train was finished...
    expect(fs.readdirSync(path.join(partial, 'test')).some((n) => n.endsWith('.tmp'))).toBe(true); // ...test was being written
    expect(() => new DatasetSplit(path.join(partial, 'train'))).toThrow(/is an unfinished dataset build \(it holds \.hrm-partial\)/);
    buildSudokuDataset({ inputs: [csv.train], outputDir: out });
    expect(allUnder(dir).filter((n) => n.endsWith('.tmp') || n.includes('.partial-'))).toEqual([]);
    expect(fs.readdirSync(out).sort()).toEqual(['identifiers.json', 'train']);
  });

  test('maze killed while writing the test split: no output folder; the next build starts clean', () => {
    const out = path.join(dir, 'maze');
    const { pid } = runKilled(`
      const { buildMazeDataset } = require(DIST + '/data/maze/builder.js');
      buildMazeDataset({ generate: { train: 4, test: 3, size: 5, minPathLength: 3 }, outputDir: ${JSON.stringify(out)}, aug: true,
        onProgress: (p) => { if (p.split === 'test' && p.phase === 'write') process.kill(process.pid, 'SIGKILL'); } });`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(partialFolder(out, pid))).toBe(true);
    buildMazeDataset({ generate: { train: 2, test: 1, size: 5, minPathLength: 3 }, outputDir: out });
    expect(fs.readdirSync(dir).sort()).toEqual(['maze']);
  });

  (haveData ? test : test.skip)('ARC killed while writing augmentations.json: the build does not pass as complete (no dataset for hrm eval to score without ARC voting)', () => {
    linkTasks(dir, path.join('arc-src', 'training'), path.join('arc-agi-1', 'training'), TRAINING.slice(0, 2));
    linkTasks(dir, path.join('arc-src', 'evaluation'), path.join('arc-agi-1', 'evaluation'), EVALUATION.slice(0, 2));
    const out = path.join(dir, 'arc');
    // The kill comes at the second write into the temporary of augmentations.json.
    runKilled(`
      const fs = require('fs');
      const open = fs.openSync, write = fs.writeSync;
      let target, writes = 0;
      fs.openSync = (p, ...rest) => { const fd = open(p, ...rest); if (String(p).includes('.augmentations.json.')) target = fd; return fd; };
      fs.writeSync = (fd, ...rest) => { if (fd === target && ++writes === 2) process.kill(process.pid, 'SIGKILL'); return write(fd, ...rest); };
      const { buildArcDataset } = require(DIST + '/data/arc/builder.js');
      buildArcDataset({ datasetDirs: [${JSON.stringify(path.join(dir, 'arc-src'))}], outputDir: ${JSON.stringify(out)}, numAug: 1, onProgress: () => {} });`);
    expect(fs.existsSync(out)).toBe(false);
    const r = buildArcDataset({ datasetDirs: [path.join(dir, 'arc-src')], outputDir: out, numAug: 1, onProgress: () => {} });
    expect(r.test?.groups).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual(['arc', 'arc-src']);
    expect(fs.readdirSync(out).sort()).toEqual(['augmentations.json', 'identifiers.json', 'test', 'test_puzzles.json', 'train']);
  });

  test('a build that fails midway (an error, not a kill) removes its partial folder and leaves an existing dataset as it was', () => {
    const csv = sudokuCsvs(20, 5);
    const out = path.join(dir, 'ds');
    buildSudokuDataset({ inputs: [csv.train], testInputs: [csv.test], outputDir: out });
    const before = folderSnapshot(out);
    const failing = () =>
      buildSudokuDataset({
        inputs: [csv.train],
        testInputs: [csv.test],
        outputDir: out,
        overwrite: true,
        numAug: 2,
        onProgress: (p) => {
          if (p.split === 'test') throw new Error('disk full');
        },
      });
    expect(failing).toThrow('disk full');
    expect(folderSnapshot(out)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['csv', 'ds']);
  });
});

describe('an existing dataset is replaced only with overwrite, and then as a whole', () => {
  test('Sudoku: refused without overwrite (nothing touched); with overwrite, no stale test/ or source/ survives', () => {
    const csv = sudokuCsvs(30, 6);
    const out = path.join(dir, 'ds');
    const first = buildSudokuDataset({ inputs: [csv.train], testInputs: [csv.test], outputDir: out, copyInputs: true });
    expect(first.train.groups).toBe(30);
    expect(fs.readdirSync(out).sort()).toEqual(['identifiers.json', 'source', 'test', 'train']);
    expect(fs.readdirSync(path.join(out, 'source')).sort()).toEqual(['test.csv', 'train.csv']);
    const before = folderSnapshot(out);
    const small = sudokuCsvs(10, 0).train;
    expect(() => buildSudokuDataset({ inputs: [small], outputDir: out })).toThrow(
      new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already holds a dataset \\(identifiers\\.json, source, test, train\\); pass overwrite: true to replace it$`),
    );
    expect(folderSnapshot(out)).toEqual(before);
    const second = buildSudokuDataset({ inputs: [small], outputDir: out, overwrite: true });
    expect(second.train).toMatchObject({ dir: path.join(out, 'train'), groups: 10 });
    expect(fs.readdirSync(out).sort()).toEqual(['identifiers.json', 'train']);
    expect(new DatasetSplit(path.join(out, 'train')).metadata.total_groups).toBe(10);
    expect(fs.readdirSync(dir).sort()).toEqual(['csv', 'ds']);
  });

  test('maze and ARC: the same rule; ARC with overwrite drops the test/ of an earlier build', () => {
    const maze = path.join(dir, 'maze');
    buildMazeDataset({ generate: { train: 2, test: 1, size: 4, minPathLength: 3 }, outputDir: maze });
    expect(() => buildMazeDataset({ generate: { train: 1, test: 1, size: 4, minPathLength: 3 }, outputDir: maze })).toThrow(/maze already holds a dataset \(identifiers\.json, test, train\); pass overwrite: true/);
    expect(buildMazeDataset({ generate: { train: 1, test: 1, size: 4, minPathLength: 3 }, outputDir: maze, overwrite: true }).train.groups).toBe(1);
    const task = { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[3]], output: [[4]] }] };
    writeTask(path.join(dir, 'arc-src', 'training'), 'a', task);
    writeTask(path.join(dir, 'arc-src', 'evaluation'), 'b', task);
    const arc = path.join(dir, 'arc');
    buildArcDataset({ datasetDirs: [path.join(dir, 'arc-src')], outputDir: arc, numAug: 0, onProgress: () => {} });
    expect(fs.existsSync(path.join(arc, 'test'))).toBe(true);
    buildArcDataset({ datasetDirs: [path.join(dir, 'arc-src', 'training')], outputDir: arc, numAug: 0, overwrite: true, onProgress: () => {} });
    expect(fs.readdirSync(arc).sort()).toEqual(['augmentations.json', 'identifiers.json', 'test_puzzles.json', 'train']);
    expect(readIdentifiers(arc)).toEqual(['<blank>', 'a']);
  });

  test('a folder holding files no build writes is never built over, with or without overwrite', () => {
    const csv = sudokuCsvs(5, 0);
    const out = path.join(dir, 'mine');
    fs.mkdirSync(path.join(out, 'train'), { recursive: true });
    fs.writeFileSync(path.join(out, 'notes.txt'), 'my notes');
    const before = folderSnapshot(out);
    expect(() => buildSudokuDataset({ inputs: [csv.train], outputDir: out })).toThrow(/mine holds files no dataset build writes \(notes\.txt\); a build there would mix with them: move them out, or give a new or empty folder/);
    expect(() => buildSudokuDataset({ inputs: [csv.train], outputDir: out, overwrite: true })).toThrow(/notes\.txt\); a build there would delete them/);
    expect(folderSnapshot(out)).toEqual(before);
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(() => checkDatasetOutput({ outputDir: path.join(dir, 'file') })).toThrow(/file is a file, not a folder/);
    // An empty folder is fine, and the CLI's wording is its own.
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(buildSudokuDataset({ inputs: [csv.train], outputDir: path.join(dir, 'empty') }).train.groups).toBe(5);
    expect(() => checkDatasetOutput({ outputDir: path.join(dir, 'empty'), overwriteHint: 'pass --overwrite' })).toThrow(/empty already holds a dataset \(identifiers\.json, train\); pass --overwrite to replace it/);
  });
});

describe('inputs that would build an empty dataset are refused', () => {
  test('a header-only CSV (Sudoku, maze), and a filter that keeps nothing; nothing is written', () => {
    const header = path.join(dir, 'header.csv');
    fs.writeFileSync(header, 'source,question,answer,rating\n');
    const csv = sudokuCsvs(3, 2);
    const out = path.join(dir, 'out');
    expect(() => buildSudokuDataset({ inputs: [header], outputDir: out })).toThrow(/buildSudokuDataset: the training CSV\(s\) .*header\.csv hold no puzzles; a split needs at least one/);
    expect(() => buildSudokuDataset({ inputs: [csv.train], testInputs: [header], outputDir: out })).toThrow(/the test CSV\(s\) .*header\.csv hold no puzzles/);
    expect(() => buildSudokuDataset({ inputs: [csv.train], outputDir: out, minDifficulty: 1e9 })).toThrow(/hold no puzzles with rating >= 1000000000/);
    expect(() => buildMazeDataset({ trainCsv: header, testCsv: header, outputDir: out })).toThrow(/header\.csv: no maze rows after the header/);
    expect(() => buildMazeDataset({ generate: { train: -5, test: 1 }, outputDir: out })).toThrow(/generate\.train must be a positive integer \(number of mazes\), got -5/);
    expect(fs.readdirSync(dir).sort()).toEqual(['csv', 'header.csv']);
  });
});

describe('the loader needs a finished build', () => {
  test('a folder still being built, or a split without dataset.json, is refused with a clear error', () => {
    const csv = sudokuCsvs(4, 0);
    const out = path.join(dir, 'ds');
    buildSudokuDataset({ inputs: [csv.train], outputDir: out });
    fs.writeFileSync(path.join(out, PARTIAL_FOLDER_MARKER), '1');
    expect(() => new DatasetSplit(path.join(out, 'train'))).toThrow(/ds is an unfinished dataset build \(it holds \.hrm-partial\); let the build finish, or build the dataset again/);
    fs.rmSync(path.join(out, PARTIAL_FOLDER_MARKER));
    fs.rmSync(path.join(out, 'train', 'dataset.json'));
    expect(() => new DatasetSplit(path.join(out, 'train'))).toThrow(/train[/\\]dataset\.json does not exist/);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('checkDatasetOutput, writeDatasetFolder and abandonDatasetBuild name a bad folder or writer', () => {
    expectInvalidArgument(() => subject.checkDatasetOutput(undefined as never), 'checkDatasetOutput(): opts must be an object {outputDir, ...}, got undefined');
    expectInvalidArgument(() => subject.checkDatasetOutput({ outputDir: 3 } as never), 'outputDir must be a folder path, got number 3');
    expectInvalidArgument(() => subject.writeDatasetFolder({ outputDir: path.join(tmpDir('write-folder-'), 'out') }, 3 as never), 'writeDatasetFolder(): write must be a function, got number 3');
    expectInvalidArgument(() => subject.abandonDatasetBuild([] as never), 'abandonDatasetBuild(): outputDir must be a path (a non-empty string), got an array');
  });
});
