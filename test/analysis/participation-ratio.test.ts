/** The participation ratio against numpy/PyTorch on the same states, and on clouds whose PR is known. */
import * as ht from '../../src';
import * as fs from 'fs';
import { PR_POOLING, collectTrajectoryStates, participationRatio, participationRatioAnalysis } from '../../src/analysis/participation-ratio';
import { describeWithTorch, runReference, tmpDir } from '../helpers/reference';
import { TINY, buildTinySudokuData } from '../helpers/hrm';
import * as subject from '../../src/analysis/participation-ratio';
import { expectInvalidArgument } from '../helpers/errors';

describe('participationRatio', () => {
  test('is D for an isotropic cloud and 1 for a line', () => {
    ht.manualSeed(0);
    const iso = ht.scope(() => participationRatio(ht.randn([20000, 8])));
    expect(iso.pr).toBeGreaterThan(7.8);
    expect(iso.pr).toBeLessThanOrEqual(8);
    const line = ht.scope(() => participationRatio(ht.randn([500, 1]).matmul(ht.tensor([[1, 2, -1, 0.5]]))));
    expect(line.pr).toBeCloseTo(1, 6);
    expect(line.dims).toBe(4);
  });

  test('rejects what is not a matrix of at least two states', () => {
    expect(() => participationRatio(ht.zeros([3]))).toThrow(/must be \[N, D\], got shape \[3\]/);
    expect(() => participationRatio(ht.zeros([1, 4]))).toThrow(/at least 2 state vectors/);
  });
});

describeWithTorch('participationRatio against PyTorch', () => {
  test('same eigenvalues and ratio as torch.linalg.eigvalsh on torch.cov', () => {
    ht.manualSeed(1);
    const states = ht.randn([300, 16]).matmul(ht.randn([16, 16])).add(3);
    const ours = participationRatio(states);
    const ref = runReference({ states }, [
      { name: 'ev', exec: 'ev = torch.linalg.eigvalsh(torch.cov(states.double().T)).clamp(min=0)\nresult = ev.flip(0)' },
      { name: 'pr', exec: 'ev = torch.linalg.eigvalsh(torch.cov(states.double().T)).clamp(min=0)\nresult = float(ev.sum() ** 2 / (ev ** 2).sum())' },
    ]);
    const ev = ref.ev.toTypedArray() as Float64Array;
    ours.eigenvalues.forEach((l, i) => expect(Math.abs(l - ev[i])).toBeLessThan(1e-9 * Math.max(1, ev[0])));
    expect(ours.pr).toBeCloseTo(ref.pr.item() as number, 9);
  });
});

describe('trajectories', () => {
  let dir: string;
  let root: string;
  let model: ht.HRM;
  const open = () => new ht.PuzzleDataset({ dir: `${root}/test`, mode: 'test', batchSize: 8 });
  beforeAll(() => {
    dir = tmpDir('pr-');
    root = buildTinySudokuData(dir, { train: 8, test: 20, blanks: 2 });
    const m = open().metadata;
    ht.manualSeed(4);
    model = new ht.HRM(ht.hrmConfig({ ...TINY, batchSize: 8, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers, haltMaxSteps: 3 }));
  });
  afterAll(() => {
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('one state vector per puzzle, step and token, in the order of the puzzles', () => {
    const data = open();
    try {
      const s = collectTrajectoryStates(model, data, 13);
      expect(s.puzzles).toBe(13);
      const S = model.config.seqLen;
      expect(s.zH.shape).toEqual([13 * 3 * S, model.config.hiddenSize]);
      expect(s.zL.shape).toEqual(s.zH.shape);
      s.zH.dispose();
      s.zL.dispose();
    } finally {
      data.close();
    }
  });

  test('the analysis is the PR of each prefix of the same trajectories', () => {
    const data = open();
    const data2 = open();
    try {
      const a = participationRatioAnalysis(model, data, [20, 10]);
      expect(a.points.map((p) => p.puzzles)).toEqual([10, 20]);
      expect(a.pooling).toBe(PR_POOLING);
      const s = collectTrajectoryStates(model, data2, 10);
      expect(a.points[0].zH).toBeCloseTo(participationRatio(s.zH).pr, 9);
      expect(a.points[0].zL).toBeCloseTo(participationRatio(s.zL).pr, 9);
      for (const p of a.points) for (const v of [p.zH, p.zL]) expect(v >= 1 && v <= model.config.hiddenSize).toBe(true);
      s.zH.dispose();
      s.zL.dispose();
    } finally {
      data.close();
      data2.close();
    }
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('participationRatio, collectTrajectoryStates and participationRatioAnalysis name the bad argument', () => {
    expectInvalidArgument(() => subject.participationRatio(3 as never), 'participationRatio(): states must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.participationRatio(ht.zeros([2, 2, 2])), 'participationRatio(): states must be [N, D], got shape [2,2,2]');
    expectInvalidArgument(() => subject.collectTrajectoryStates({} as never, {} as never, 2), 'collectTrajectoryStates(): model must be a model with the ACT-step interface (HRM or TRM, e.g. from buildModel()), got an object');
    const model = new ht.HRM(ht.hrmConfig(TINY));
    expectInvalidArgument(() => subject.collectTrajectoryStates(model, {} as never, 2), 'collectTrajectoryStates(): data must be a PuzzleDataset, got an object');
    expectInvalidArgument(() => subject.participationRatioAnalysis(model, {} as never, 'x' as never), 'participationRatioAnalysis(): puzzleCounts must be an array of puzzle counts, got string "x"');
    expectInvalidArgument(() => subject.participationRatioAnalysis(model, {} as never, [4, 1]), 'participationRatioAnalysis(): puzzle counts must be a non-empty array of integers >= 2, got number 1');
    model.dispose();
  });
});
