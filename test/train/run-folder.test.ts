/** The run folder: checkpoint names and rotation by step number (never the new one), the newest and the best checkpoint, the carry and the trained weights in a checkpoint, metrics.jsonl and its truncation on resume. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import {
  RunFolder,
  bestCheckpoint,
  carryCheckpointTensors,
  carryFromCheckpointTensors,
  checkpointFileName,
  checkpointStep,
  newestCheckpoint,
  takeTrainedWeights,
  trainedWeightsCheckpointTensors,
} from '../../src/train/run-folder';
import { tmpDir } from '../helpers/reference';
import { TINY } from '../helpers/hrm';
import * as subject from '../../src/train/run-folder';
import { expectInvalidArgument } from '../helpers/errors';

let dir: string;
beforeEach(() => (dir = tmpDir('run-folder-')));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Empty files with checkpoint-like names in <dir>/checkpoints. */
function touch(names: string[]): void {
  fs.mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(dir, 'checkpoints', n), '');
}

describe('checkpoint names', () => {
  test('step_<8 digits>.safetensors, read back by number; other names are not checkpoints', () => {
    expect(checkpointFileName(42)).toBe('step_00000042.safetensors');
    expect(checkpointFileName(123456789)).toBe('step_123456789.safetensors');
    expect(checkpointStep('/x/step_00000042.safetensors')).toBe(42);
    expect(checkpointStep('step_7.safetensors')).toBe(7);
    expect(checkpointStep('.step_00000010.safetensors.123.tmp')).toBeUndefined();
    expect(checkpointStep('plain.safetensors')).toBeUndefined();
  });
});

describe('RunFolder', () => {
  test('the best checkpoint: a whole copy beside the step ones, which listing, rotation and the newest never see', () => {
    touch(['step_00000003.safetensors', 'step_00000006.safetensors']);
    const run = new RunFolder(dir);
    expect(bestCheckpoint(dir)).toBeUndefined();
    fs.writeFileSync(run.checkpointPath(3), 'the checkpoint of step 3');
    expect(run.keepAsBest(run.checkpointPath(3))).toBe(path.join(dir, 'checkpoints', 'best.safetensors'));
    expect(fs.readdirSync(run.checkpointDir).sort()).toEqual(['best.safetensors', 'step_00000003.safetensors', 'step_00000006.safetensors']); // no temporary left
    expect(run.rotateCheckpoints(1)).toEqual([run.checkpointPath(3)]);
    expect(fs.readFileSync(run.bestCheckpointPath, 'utf8')).toBe('the checkpoint of step 3');
    expect(run.listCheckpoints()).toEqual([run.checkpointPath(6)]);
    expect(newestCheckpoint(dir)).toBe(run.checkpointPath(6));
    expect(bestCheckpoint(dir)).toBe(run.bestCheckpointPath);
    expect(bestCheckpoint(run.checkpointDir)).toBe(run.bestCheckpointPath);
  });

  test('the trained weights of an EMA run go under trained.<name> and come out of the extra tensors, leaving the rest', () => {
    const w = ht.zeros([2]);
    const c = ht.ones([1]);
    const saved = { ...trainedWeightsCheckpointTensors({ 'inner.q_head.weight': w }), 'carry.steps': c };
    expect(Object.keys(saved)).toEqual(['trained.inner.q_head.weight', 'carry.steps']);
    const tensors: Record<string, ht.Tensor> = { ...saved };
    expect(takeTrainedWeights(tensors)).toEqual({ 'inner.q_head.weight': w });
    expect(tensors).toEqual({ 'carry.steps': c });
    expect(takeTrainedWeights(tensors)).toBeUndefined();
    w.dispose();
    c.dispose();
  });

  test('lists checkpoints newest first by step number, not by name order', () => {
    touch(['step_00000009.safetensors', 'step_100000000.safetensors', 'step_99999999.safetensors', 'step_10.safetensors', 'notes.txt', '.step_00000011.safetensors.1.tmp']);
    const run = new RunFolder(dir);
    expect(run.listCheckpoints().map((f) => path.basename(f))).toEqual([
      'step_100000000.safetensors', // by name it would sort below step_99999999
      'step_99999999.safetensors',
      'step_10.safetensors',
      'step_00000009.safetensors',
    ]);
    expect(new RunFolder(path.join(dir, 'absent')).listCheckpoints()).toEqual([]);
  });

  test('rotation keeps the newest N by step number and touches nothing else', () => {
    touch(['step_00000009.safetensors', 'step_100000000.safetensors', 'step_99999999.safetensors', 'step_10.safetensors', 'notes.txt']);
    const run = new RunFolder(dir);
    const removed = run.rotateCheckpoints(2).map((f) => path.basename(f));
    expect(removed).toEqual(['step_10.safetensors', 'step_00000009.safetensors']);
    expect(fs.readdirSync(run.checkpointDir).sort()).toEqual(['notes.txt', 'step_100000000.safetensors', 'step_99999999.safetensors']);
  });

  test('keep-N rotation never deletes the checkpoint just saved, even beside higher-numbered files of an earlier run', () => {
    touch(['step_00000200.safetensors', 'step_00000150.safetensors', 'step_00000100.safetensors', 'step_00000003.safetensors', 'step_00000001.safetensors']);
    const run = new RunFolder(dir);
    const model = new ht.HRM(ht.hrmConfig(TINY));
    run.saveCheckpoint({ model, step: 5 }, 2);
    model.dispose();
    // Only checkpoints up to step 5 take part: 5 and 3 are kept, 1 goes; 100-200 are left alone.
    expect(run.listCheckpoints().map((f) => checkpointStep(f))).toEqual([200, 150, 100, 5, 3]);
    expect(run.rotateCheckpoints(1, 150).map((f) => checkpointStep(f))).toEqual([100, 5, 3]);
  });

  test('newestCheckpoint takes a run folder or its checkpoints folder', () => {
    expect(newestCheckpoint(dir)).toBeUndefined();
    touch(['step_00000005.safetensors', 'step_00000012.safetensors']);
    const newest = path.join(dir, 'checkpoints', 'step_00000012.safetensors');
    expect(newestCheckpoint(dir)).toBe(newest);
    expect(newestCheckpoint(path.join(dir, 'checkpoints'))).toBe(newest);
  });

  test('saveCheckpoint writes the step\'s file and rotates after it; loadNewest skips a damaged one', () => {
    const run = new RunFolder(dir);
    const model = new ht.HRM(ht.hrmConfig(TINY));
    for (const step of [3, 7, 12]) run.saveCheckpoint({ model, step }, 2);
    expect(run.listCheckpoints().map((f) => checkpointStep(f))).toEqual([12, 7]);
    fs.writeFileSync(run.checkpointPath(12), 'cut short');
    const skipped: string[] = [];
    const r = run.loadNewest((f) => ht.loadCheckpoint(f, { model, restoreRng: false }).step, (f) => skipped.push(path.basename(f)));
    expect(r?.value).toBe(7);
    expect(skipped).toEqual(['step_00000012.safetensors']);
    model.dispose();
  });

  test('metrics: appended in order, a line cut by a crash skipped, truncated on resume to the step', () => {
    const run = new RunFolder(path.join(dir, 'run')); // created on the first append
    for (const step of [1, 2, 3]) run.appendMetrics({ kind: 'train', step, lm_loss: step / 10 });
    run.appendMetrics({ kind: 'eval', step: 3, set: 'all', exact_accuracy: 0.5 });
    fs.appendFileSync(run.metricsFile, '{"kind":"train","step":4,"lm_lo'); // a crash mid-line
    expect(run.readMetrics().map((r) => [r.kind, r.step])).toEqual([['train', 1], ['train', 2], ['train', 3], ['eval', 3]]);
    run.truncateMetrics(2);
    expect(run.readMetrics()).toEqual([{ kind: 'train', step: 1, lm_loss: 0.1 }, { kind: 'train', step: 2, lm_loss: 0.2 }]);
    run.appendMetrics({ kind: 'train', step: 3, lm_loss: 0.3 });
    expect(fs.readFileSync(run.metricsFile, 'utf8').split('\n').filter(Boolean).length).toBe(3);
    // A checkpoint saved before the evaluation of its step: that evaluation's records go (the resumed run logs it again).
    run.appendMetrics({ kind: 'eval', step: 3, set: 'all', exact_accuracy: 0.5 });
    run.appendMetrics({ kind: 'train', step: 4, lm_loss: 0.4 });
    run.truncateMetrics(3, false);
    expect(run.readMetrics().map((r) => [r.kind, r.step])).toEqual([['train', 1], ['train', 2], ['train', 3]]);
    new RunFolder(path.join(dir, 'none')).truncateMetrics(0); // no file: nothing to do
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
  });

  test('the carry goes into a checkpoint under carry.* and comes back equal', () => {
    const file = path.join(dir, 'c.safetensors');
    const model = new ht.HRM(ht.hrmConfig(TINY));
    ht.manualSeed(4);
    const batch = { inputs: ht.randint(0, 6, [2, 8], { dtype: 'int32' }), labels: ht.randint(0, 6, [2, 8], { dtype: 'int32' }), puzzleIdentifiers: ht.tensor([1, 2], { dtype: 'int32' }) };
    const carry = ht.scope(() => model.forward(model.initialCarry(batch), batch).carry);
    const saved = carryCheckpointTensors(carry);
    expect(Object.keys(saved)).toEqual(['carry.z_H', 'carry.z_L', 'carry.steps', 'carry.halted', 'carry.inputs', 'carry.labels', 'carry.puzzle_identifiers']);
    ht.saveCheckpoint(file, { model, step: 1, tensors: saved });
    const info = ht.loadCheckpoint(file, { model, restoreRng: false });
    const back = carryFromCheckpointTensors(info.tensors)!;
    for (const [k, t] of Object.entries(ht.hrm.carryTensors(back))) expect([k, t.toArray()]).toEqual([k, ht.hrm.carryTensors(carry)[k].toArray()]);
    expect(carryCheckpointTensors(undefined)).toEqual({});
    expect(carryFromCheckpointTensors({})).toBeUndefined();
    ht.hrm.disposeCarry(back);
    ht.hrm.disposeCarry(carry);
    model.dispose();
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('RunFolder.saveCheckpoint names contents that are not a checkpoint', () => {
    const run = new subject.RunFolder(path.join(tmpDir('run-folder-args-'), 'run'));
    expectInvalidArgument(() => run.saveCheckpoint(undefined as never, 1), 'RunFolder.saveCheckpoint(): contents must be checkpoint contents {model, step, ...}, got undefined');
  });
});
