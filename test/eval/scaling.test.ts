/** inferenceScaling(): its points are the evaluations they stand for, fixed and adaptive. */
import * as fs from 'fs';
import * as ht from '../../src';
import { evaluate } from '../../src/eval/evaluate';
import { inferenceScaling } from '../../src/eval/scaling';
import { tmpDir } from '../helpers/reference';
import { TINY, buildTinySudokuData } from '../helpers/hrm';
import * as subject from '../../src/eval/scaling';
import { expectInvalidArgument } from '../helpers/errors';

let dir: string;
let root: string;
let model: ht.HRM;
const open = () => new ht.PuzzleDataset({ dir: `${root}/test`, mode: 'test', batchSize: 8 });

beforeAll(() => {
  ht.setNumThreads(1);
  dir = tmpDir('scaling-');
  root = buildTinySudokuData(dir, { train: 8, test: 12, blanks: 2 });
  const m = open().metadata;
  ht.manualSeed(5);
  model = new ht.HRM(ht.hrmConfig({ ...TINY, batchSize: 8, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers, haltMaxSteps: 2 }));
  // A Q head that reads the state, so that adaptive halting stops rows at different steps.
  ht.noGrad(() => {
    model.inner.qHead.weight.copy_(ht.randn(model.inner.qHead.weight.shape).mul(2));
    model.inner.qHead.bias!.zero_();
  });
});

afterAll(() => {
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const evalAt = (haltMaxSteps: number, adaptive: boolean) => {
  const data = open();
  try {
    return evaluate(model, data, { haltMaxSteps, adaptive });
  } finally {
    data.close();
  }
};

test('fixed points are plain evaluations at each limit; adaptive points are adaptive evaluations', () => {
  const r = inferenceScaling(model, open, { limits: [4, 1, 2, 4] });
  expect(r.limits).toEqual([1, 2, 4]);
  expect(r.trainedMaxSteps).toBe(2);
  expect(r.examples).toBe(12);
  for (const p of r.points) {
    const e = evalAt(p.maxSteps, p.halting === 'adaptive');
    expect(p.exactAccuracy).toBeCloseTo(e.exactAccuracyAtHalt[p.set], 12);
    expect(p.meanSteps).toBeCloseTo(e.meanHaltStep[p.set], 12);
  }
  const adaptive = r.points.filter((p) => p.halting === 'adaptive');
  expect(adaptive.some((p) => p.meanSteps < p.maxSteps)).toBe(true); // the Q head did stop some rows early
});

test('limits must be integers from 1 to MAX_HALT_STEPS', () => {
  expect(() => inferenceScaling(model, open, { limits: [0, 2] })).toThrow(/opts.limits must be a non-empty array of integers from 1 to 1024, got/);
  expect(() => inferenceScaling(model, open, { limits: [] })).toThrow(/opts.limits must be a non-empty array of integers from 1 to 1024, got/);
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('inferenceScaling names a bad model, data opener or limits', () => {
    const open = () => { throw new Error('not opened'); };
    expectInvalidArgument(() => subject.inferenceScaling(undefined as never, open, { limits: [1] }), 'inferenceScaling(): model must be a model with the ACT-step interface (HRM or TRM, e.g. from buildModel()), got undefined');
    expectInvalidArgument(() => subject.inferenceScaling(model, undefined as never, { limits: [1] }), 'inferenceScaling(): openData must be a function, got undefined');
    expectInvalidArgument(() => subject.inferenceScaling(model, open, undefined as never), 'inferenceScaling(): opts must be an object {limits, ...}, got undefined');
    expectInvalidArgument(() => subject.inferenceScaling(model, open, { limits: 'x' } as never), 'inferenceScaling(): opts.limits must be an array of step limits, got string "x"');
    expectInvalidArgument(() => subject.inferenceScaling(model, open, { limits: [2, 0.5] }), 'inferenceScaling(): opts.limits must be a non-empty array of integers from 1 to 1024, got number 0.5');
  });
});
