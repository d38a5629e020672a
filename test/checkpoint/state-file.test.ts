/** Checkpoint files: exact round trips of model, optimizers, step and RNG; atomic writes; clear refusals. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { readCheckpointInfo } from '../../src/checkpoint/state-file';
import { tmpDir } from '../helpers/reference';
import { TINY, trainSteps } from '../helpers/hrm';
import * as subject from '../../src/checkpoint/state-file';
import { expectInvalidArgument } from '../helpers/errors';

describe('checkpoints', () => {
  test('model, optimizer state, step and RNG survive a save/load round trip exactly', () => {
    const dir = tmpDir('hrm-ckpt-');
    const file = path.join(dir, 'ckpt.safetensors');
    ht.manualSeed(0);
    const a = new ht.HRM(ht.hrmConfig(TINY));
    const optA = new ht.AdamATan2(a.parameters(), { lr: 1e-3, weightDecay: 0.1 });
    const spA = new ht.SparseEmbeddingSignSGD(a.inner.puzzleEmb!, { lr: 1e-2, weightDecay: 0.1 });
    trainSteps(a, optA, spA, 3);
    ht.manualSeed(42);
    ht.saveCheckpoint(file, { model: a, optimizers: { adam: optA, sparse: spA }, step: 3, extra: { config: TINY } });
    expect(readCheckpointInfo(file)).toEqual({ step: 3, extra: { config: JSON.parse(JSON.stringify(TINY)) } }); // the header alone
    const cont = trainSteps(a, optA, spA, 2);

    ht.manualSeed(1);
    const b = new ht.HRM(ht.hrmConfig(TINY));
    const optB = new ht.AdamATan2(b.parameters(), { lr: 0.5, weightDecay: 0.1 });
    const spB = new ht.SparseEmbeddingSignSGD(b.inner.puzzleEmb!, { lr: 1e-2, weightDecay: 0.1 });
    ht.manualSeed(7); // a different RNG state, restored by the load
    const info = ht.loadCheckpoint(file, { model: b, optimizers: { adam: optB, sparse: spB } });
    expect(info.step).toBe(3);
    expect(info.extra).toEqual({ config: TINY });
    expect(optB.lr).toBe(1e-3);
    const resumed = trainSteps(b, optB, spB, 2);
    expect(resumed).toEqual(cont); // bitwise: same losses after resuming
    for (const [k, t] of a.stateDict()) expect([k, t.toArray()]).toEqual([k, b.stateDict().get(k)!.toArray()]);
    for (const x of [a, b, optA, optB, spA, spB]) x.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a checkpoint is never half-written, and a wrong file is refused clearly', () => {
    const dir = tmpDir('hrm-ckpt-');
    const file = path.join(dir, 'ckpt.safetensors');
    const m = new ht.HRM(ht.hrmConfig(TINY));
    ht.saveCheckpoint(file, { model: m, step: 1 });
    const good = fs.readFileSync(file);
    // A save that fails part way (a disposed tensor in the model) leaves the old file as it was.
    const victim = m.inner.lmHead.weight;
    victim.dispose();
    expect(() => ht.saveCheckpoint(file, { model: m, step: 2 })).toThrow(/disposed/);
    expect(fs.readFileSync(file).equals(good)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['ckpt.safetensors']);
    // A plain safetensors file is not a checkpoint.
    ht.saveSafetensors(path.join(dir, 'plain.safetensors'), { w: ht.ones([1]) });
    const fresh = new ht.HRM(ht.hrmConfig(TINY));
    expect(() => ht.loadCheckpoint(path.join(dir, 'plain.safetensors'), { model: fresh })).toThrow(/not an hrm-torch checkpoint/);
    fresh.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('saveCheckpoint names contents that are not a checkpoint', () => {
    expectInvalidArgument(() => subject.saveCheckpoint('never-written.safetensors', undefined as never), 'saveCheckpoint(): contents must be checkpoint contents {model, step, ...}, got undefined');
    expectInvalidArgument(() => subject.saveCheckpoint('never-written.safetensors', { model: 3, step: 1 } as never), 'saveCheckpoint(): contents.model must be a Module, got number 3');
  });
});
