/**
 * Paths (src/util/path.ts): a number given as a path would be read as a file descriptor (fd 0 is
 * standard input, where a read blocks forever), so every public function taking a file or folder
 * refuses anything but a non-empty string, naming itself and the argument.
 */
import { checkPath, checkPaths } from '../../src/util/path';
import { hasErrorCode } from '../../src/util/errors';
import { runChild } from '../helpers/child';
import { errorOf } from '../helpers/errors';

describe('checkPath', () => {
  test('a non-empty string passes through; anything else is INVALID_ARGUMENT naming the argument and what it got', () => {
    expect(checkPath('runs/a.pt', 'f(): file')).toBe('runs/a.pt');
    const cases: [unknown, string][] = [
      [0, 'got number 0'],
      [3.5, 'got number 3.5'],
      [5n, 'got bigint 5'],
      ['', 'got an empty string'],
      [undefined, 'got undefined'],
      [null, 'got null'],
      [true, 'got boolean true'],
      [['a'], 'got an array'],
      [Buffer.from('a'), 'got Buffer'],
      [new URL('file:///tmp/a'), 'got URL'],
    ];
    for (const [value, got] of cases) {
      const e = errorOf(() => checkPath(value, 'f(): file'));
      expect([hasErrorCode(e, 'INVALID_ARGUMENT'), e instanceof TypeError, e.message]).toEqual([true, true, `f(): file must be a path (a non-empty string), ${got}`]);
    }
    expect(errorOf(() => checkPath('a\0b', 'f(): file')).message).toBe('f(): file must be a path, got a string with a NUL character');
  });

  test('checkPaths names the entry that is wrong', () => {
    expect(checkPaths(['a', 'b'], 'f(): files')).toEqual(['a', 'b']);
    expect(errorOf(() => checkPaths(['a', 0], 'f(): files')).message).toBe('f(): files[1] must be a path (a non-empty string), got number 0');
    expect(errorOf(() => checkPaths('a', 'f(): files')).message).toBe('f(): files must be an array of paths, got string');
  });
});

// Every public function that takes a file or folder, called with P in place of it; the name its
// error gives. Run in a child process whose standard input stays open: a read of fd 0 would block.
const CALLS: [string, string][] = [
  ['ht.loadSafetensors(P)', 'loadSafetensors(): file'],
  ['ht.saveSafetensors(P, {})', 'saveSafetensors(): file'],
  ['ht.readSafetensorsMetadata(P)', 'readSafetensorsMetadata(): file'],
  ['ht.loadPt(P)', 'loadPt(): file'],
  ['ht.loadStateDictPt(P)', 'loadStateDictPt(): file'],
  ['ht.savePt(P, {})', 'savePt(): file'],
  ['ht.writeFileAtomic(P, "x")', 'writeFileAtomic(): file'],
  ['new ht.AtomicFile(P)', 'AtomicFile: file'],
  ['ht.saveCheckpoint(P, { model: null, step: 0 })', 'saveCheckpoint(): file'],
  ['ht.loadCheckpoint(P, { model: null })', 'loadCheckpoint(): file'],
  ['ht.importReferenceCheckpoint(P, null)', 'importReferenceCheckpoint(): file'],
  ['ht.loadModel(P)', 'loadModel(): checkpoint'],
  ['ht.newestCheckpoint(P)', 'newestCheckpoint(): dir'],
  ['new ht.RunFolder(P)', 'RunFolder: dir'],
  ['new ht.Trainer({ dataPath: P, outputDir: "out" })', 'Trainer: options.dataPath'],
  ['new ht.Trainer({ dataPath: "data", outputDir: P })', 'Trainer: options.outputDir'],
  ['new ht.PuzzleDataset({ dir: P, mode: "test", batchSize: 1 })', 'PuzzleDataset: options.dir'],
  ['ht.writeReport(P)', 'writeReport(): dir'],
  ['ht.withTrainingReport(P)', 'withTrainingReport(): dir'],
  ['ht.writeScaling(P, null)', 'writeScaling(): dir'],
  ['ht.runIndexEntries(P)', 'runIndexEntries(): dir'],
  ['ht.writeRunIndex(P)', 'writeRunIndex(): dir'],
  ['ht.writeEvaluation(P, null, null)', 'writeEvaluation(): dir'],
  ['ht.writeReasoningPage(P, null)', 'writeReasoningPage(): file'],
  ['new ht.ArcVoter(P)', 'ArcVoter: source'],
  ['ht.ArcVoter.readDataset(P)', 'ArcVoter.readDataset(): datasetDir'],
  ['ht.data.readArcTask(P)', 'readArcTask(): file'],
  ['ht.data.readArcFolders([P])', 'readArcFolders(): datasetDirs[0]'],
  ['ht.data.readArcAugmentations(P)', 'readArcAugmentations(): datasetDir'],
  ['ht.data.buildArcDataset({ datasetDirs: ["arc"], outputDir: P })', 'buildArcDataset(): options.outputDir'],
  ['ht.data.loadMazeCsv(P)', 'loadMazeCsv(): file'],
  ['ht.data.writeMazeCsv(P, [])', 'writeMazeCsv(): file'],
  ['ht.data.buildMazeDataset({ outputDir: P, generate: { train: 1, test: 1 } })', 'buildMazeDataset(): options.outputDir'],
  ['ht.data.buildMazeDataset({ outputDir: "out", trainCsv: P, testCsv: "test.csv" })', 'buildMazeDataset(): options.trainCsv'],
  ['ht.data.readSudokuCsv(P)', 'readSudokuCsv(): files'],
  ['ht.data.readSudokuCsv(["a.csv", P])', 'readSudokuCsv(): files[1]'],
  ['ht.data.writeSudokuCsv(P, [])', 'writeSudokuCsv(): file'],
  ['ht.data.buildSudokuDataset({ inputs: [P], outputDir: "out" })', 'buildSudokuDataset(): options.inputs[0]'],
  ['ht.data.buildSudokuDataset({ inputs: ["a.csv"], outputDir: P })', 'buildSudokuDataset(): options.outputDir'],
  ['ht.data.readNpy(P)', 'readNpy(): file'],
  ['ht.data.writeNpy(P, new Uint8Array(1), [1], "uint8")', 'writeNpy(): file'],
  ['new ht.data.NpyFile(P)', 'NpyFile: file'],
  ['new ht.data.NpyWriter(P, "uint8", [1])', 'NpyWriter: file'],
  ['ht.data.isDatasetSplit(P)', 'isDatasetSplit(): dir'],
  ['ht.data.setArrayFile(P, "all", "inputs")', 'setArrayFile(): splitDir'],
  ['ht.data.readMetadata(P)', 'readMetadata(): splitDir'],
  ['ht.data.writeMetadata(P, {})', 'writeMetadata(): splitDir'],
  ['ht.data.readIdentifiers(P)', 'readIdentifiers(): root'],
  ['ht.data.writeIdentifiers(P, [])', 'writeIdentifiers(): root'],
  ['new ht.data.DatasetSplit(P)', 'DatasetSplit: dir'],
  ['new ht.data.SetWriter(P, "all", 4)', 'SetWriter: splitDir'],
];

describe('every public function taking a path refuses a number (a file descriptor) or an empty string', () => {
  let outcomes: Record<string, { code?: string; message?: string; threw: boolean }[]>;
  let child: Awaited<ReturnType<typeof runChild>>;

  beforeAll(async () => {
    // Runs in a scratch folder, so a call that slipped through writes nothing into the project.
    child = await runChild(
      `
      const fs = require('fs');
      const os = require('os');
      const scratch = fs.mkdtempSync(require('path').join(os.tmpdir(), 'hrm-paths-'));
      process.chdir(scratch);
      const out = {};
      for (const call of ${JSON.stringify(CALLS.map(([c]) => c))}) {
        out[call] = [0, ''].map((P) => {
          try { new Function('ht', 'P', call)(ht, P); return { threw: false }; }
          catch (e) { return { threw: true, code: e.code, message: e.message }; }
        });
      }
      process.chdir(os.tmpdir());
      fs.rmSync(scratch, { recursive: true, force: true });
      report(out);
    `,
      { timeoutMs: 60_000 },
    );
    outcomes = (child.result ?? {}) as typeof outcomes;
  });

  test('the child process neither hung nor crashed', () => {
    expect({ timedOut: child.timedOut, signal: child.signal, status: child.status }).toEqual({ timedOut: false, signal: null, status: 0 });
  });

  test.each(CALLS)('%s', (call, name) => {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(outcomes[call]).toEqual([
      { threw: true, code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`^${esc} must be a path \\(a non-empty string\\), got number 0$`)) },
      { threw: true, code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`^${esc} must be a path \\(a non-empty string\\), got an empty string$`)) },
    ]);
  });
});
