/**
 * Continuous batching (src/eval/continuous.ts and evaluate's `continuous`): each puzzle's answer
 * and steps are what solveTokens finds for it alone with adaptive halting, whatever the pool size
 * and the order of the puzzles; with no early halt, the metrics are the fixed protocol's.
 */
import * as fs from 'fs';
import * as ht from '../../src';
import { PoolRow, runContinuous } from '../../src/eval/continuous';
import { evaluate } from '../../src/eval/evaluate';
import { solveTokens } from '../../src/eval/solve';
import { tmpDir } from '../helpers/reference';
import { TINY, buildTinySudokuData } from '../helpers/hrm';

const TEST_PUZZLES = 24;
const MAX_STEPS = 6;
let dir: string;
let root: string;
let model: ht.HRM;

function testData(batchSize = 8): ht.PuzzleDataset {
  return new ht.PuzzleDataset({ dir: `${root}/test`, mode: 'test', batchSize });
}

/** Every test example, in order, with its index. */
function examples(): (PoolRow & { index: number })[] {
  const data = testData();
  const S = data.metadata.seq_len;
  const out: (PoolRow & { index: number })[] = [];
  for (const b of data.batches()) {
    for (let i = 0; i < b.effectiveSize; i++) {
      out.push({ index: out.length, inputs: b.inputs.slice(i * S, (i + 1) * S), labels: b.labels.slice(i * S, (i + 1) * S), puzzleIdentifier: b.puzzleIdentifiers[i] });
    }
  }
  data.close();
  return out;
}

function run(opts: Parameters<typeof evaluate>[2], batchSize = 8) {
  const data = testData(batchSize);
  try {
    return evaluate(model, data, opts);
  } finally {
    data.close();
  }
}

beforeAll(() => {
  ht.setNumThreads(1);
  dir = tmpDir('continuous-');
  root = buildTinySudokuData(dir, { train: 8, test: TEST_PUZZLES, blanks: 2 });
  const m = testData().metadata;
  ht.manualSeed(5);
  model = new ht.HRM(ht.hrmConfig({ ...TINY, hiddenSize: 32, batchSize: 8, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers, haltMaxSteps: MAX_STEPS }));
  // A Q head that reads the state, its halt bias at the median margin of step 2: the puzzles halt
  // at different steps, some of them early.
  ht.noGrad(() => {
    model.inner.qHead.weight.copy_(ht.randn(model.inner.qHead.weight.shape).mul(0.5));
    model.inner.qHead.bias!.zero_();
  });
  const logit = (p: number) => Math.log(p / (1 - p));
  const margins = examples()
    .map((ex) => solveTokens(model, ex.inputs, { maxSteps: 2, adaptive: false }).perStep[1])
    .map((s) => logit(s.haltProbability) - logit(s.continueProbability))
    .sort((a, b) => a - b);
  // (between two margins: a margin of exactly 0 would be a tie that rounding decides)
  ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([-(margins[TEST_PUZZLES / 2 - 1] + margins[TEST_PUZZLES / 2]) / 2, 0])));
});

afterAll(() => {
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('continuous batching', () => {
  test('every puzzle gets the answer and steps it gets alone, whatever the pool size and order', () => {
    const rows = examples();
    const alone = rows.map((ex) => solveTokens(model, ex.inputs, { maxSteps: MAX_STEPS, adaptive: true }));
    const steps = alone.map((s) => s.steps);
    // The puzzles halt at several steps, some before the limit (so slots are refilled mid-run).
    expect(new Set(steps).size).toBeGreaterThan(2);
    expect(steps.filter((n) => n < MAX_STEPS).length).toBeGreaterThan(TEST_PUZZLES / 4);
    const reversed = [...rows].reverse();
    const shuffled = rows.map((r, i) => ({ r, k: (i * 7) % TEST_PUZZLES })).sort((a, b) => a.k - b.k).map((x) => x.r);
    for (const [slots, order] of [[1, rows], [3, shuffled], [8, reversed], [TEST_PUZZLES + 5, rows]] as const) {
      const got = new Map<number, { steps: number; prediction: Int32Array }>();
      let stepsRun = 0;
      runContinuous(model, order, {
        slots,
        haltMaxSteps: MAX_STEPS,
        onStep: ({ halted }) => {
          stepsRun++;
          for (const h of halted) {
            expect(got.has(h.row.index)).toBe(false); // each puzzle reports once
            got.set(h.row.index, { steps: h.steps, prediction: h.prediction });
          }
        },
      });
      expect(got.size).toBe(TEST_PUZZLES);
      for (const ex of rows) {
        expect([slots, ex.index, got.get(ex.index)!.steps]).toEqual([slots, ex.index, alone[ex.index].steps]);
        expect(Array.from(got.get(ex.index)!.prediction)).toEqual(Array.from(alone[ex.index].prediction));
      }
      // The pool runs the steps the puzzles need: with one slot, exactly their sum.
      if (slots === 1) expect(stepsRun).toBe(steps.reduce((a, b) => a + b, 0));
    }
  });

  test('evaluate({ continuous }): the batched adaptive evaluation per puzzle, each puzzle once to onPredictions', () => {
    model.train();
    const batched = run({ adaptive: true });
    const rows = examples();
    const seen: number[] = [];
    const key = (a: ArrayLike<number>) => Array.from(a).join(',');
    const byInput = new Map(rows.map((r) => [key(r.inputs), r]));
    const S = rows[0].inputs.length;
    const r = run({
      continuous: true,
      onPredictions: (p) => {
        for (let i = 0; i < p.batch.effectiveSize; i++) {
          const ex = byInput.get(key(p.batch.inputs.subarray(i * S, (i + 1) * S)))!;
          const alone = solveTokens(model, ex.inputs, { maxSteps: MAX_STEPS, adaptive: true });
          expect(p.steps[i]).toBe(alone.steps);
          expect(key(p.predictions.subarray(i * S, (i + 1) * S))).toBe(key(alone.prediction));
          expect(p.qHaltLogits[i]).toBeCloseTo(Math.log(alone.haltConfidence / (1 - alone.haltConfidence)), 3);
          seen.push(ex.index);
        }
      },
    }, 5);
    expect(seen.sort((a, b) => a - b)).toEqual(rows.map((x) => x.index));
    expect(model.training).toBe(true); // the mode is restored
    const set = Object.keys(r.sets)[0];
    expect(r.examples).toBe(TEST_PUZZLES);
    expect(r.haltedAtStep).toEqual(batched.haltedAtStep);
    expect(r.exactAccuracyAtHalt).toEqual(batched.exactAccuracyAtHalt);
    expect(r.meanHaltStep[set]).toBeCloseTo(batched.meanHaltStep[set], 12);
    // Every puzzle counts at its halting step.
    expect(r.sets[set].count).toBe(TEST_PUZZLES);
    expect(r.sets[set].exact_accuracy).toBeCloseTo(r.exactAccuracyAtHalt[set], 12);
    expect(r.sets[set].steps).toBeCloseTo(r.meanHaltStep[set], 12);
    // At the limit, exact accuracy is the accuracy at halting; adaptive halting at limit k is min(k, halt step).
    expect(r.exactAccuracyAtStep[set][MAX_STEPS - 1]).toBeCloseTo(r.exactAccuracyAtHalt[set], 12);
    const atTwo = run({ continuous: true, haltMaxSteps: 2 });
    expect(r.exactAccuracyAtStep[set][1]).toBeCloseTo(atTwo.exactAccuracyAtHalt[set], 12);
  });

  test('with no early halt, the metrics are the fixed protocol\'s', () => {
    const bias = model.inner.qHead.bias!.clone();
    try {
      ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([-100, 100])));
      const fixed = run({ haltMaxSteps: 3 });
      const continuous = run({ haltMaxSteps: 3, continuous: true }, 3);
      const set = Object.keys(fixed.sets)[0];
      expect(continuous.haltedAtStep).toEqual(fixed.haltedAtStep);
      expect(Object.keys(continuous.sets[set])).toEqual(Object.keys(fixed.sets[set]));
      for (const [k, v] of Object.entries(fixed.sets[set])) expect([k, continuous.sets[set][k]]).toEqual([k, expect.closeTo(v, 5)]);
      expect(continuous.exactAccuracyAtStep[set]).toEqual(fixed.exactAccuracyAtStep[set]);
    } finally {
      ht.noGrad(() => model.inner.qHead.bias!.copy_(bias));
      bias.dispose();
    }
  });

  test('bad options are refused with what was given', () => {
    expect(() => run({ continuous: true, adaptive: false })).toThrow(/continuous batching is a way to run adaptive halting/);
    expect(() => run({ continuous: 'yes' as unknown as boolean })).toThrow(/continuous must be true or false, got/);
    expect(() => runContinuous(model, examples(), { slots: 0, haltMaxSteps: 2, onStep: () => undefined })).toThrow(/slots must be a positive integer, got number 0/);
    expect(() => runContinuous(model, examples(), { slots: 2, haltMaxSteps: 0, onStep: () => undefined })).toThrow(/haltMaxSteps must be an integer from 1 to/);
    expect(() => runContinuous(model, 3 as unknown as [], { slots: 2, haltMaxSteps: 2, onStep: () => undefined })).toThrow(/rows must be an iterable of puzzles, got number 3/);
    expect(() => runContinuous({} as unknown as ht.HRM, [], { slots: 2, haltMaxSteps: 2, onStep: () => undefined })).toThrow(/model must have the ACT-step interface/);
    expect(() => runContinuous(model, [{ inputs: new Int32Array(3), labels: new Int32Array(3), puzzleIdentifier: 0 }], { slots: 2, haltMaxSteps: 2, onStep: () => undefined })).toThrow(
      /a puzzle has 3 tokens and 3 labels, the model expects 16/,
    );
  });
});
