/**
 * evaluate(): fixed and adaptive halting, per-step exact accuracy (inference-time scaling) as
 * solveTokens finds it row by row, halting counts, and a model whose config and mode are left
 * as they were.
 */
import * as fs from 'fs';
import * as ht from '../../src';
import { IGNORE_LABEL_ID } from '../../src/data/format';
import { evaluate } from '../../src/eval/evaluate';
import { solveTokens } from '../../src/eval/solve';
import { tmpDir } from '../helpers/reference';
import { TINY, buildTinySudokuData } from '../helpers/hrm';
import * as subject from '../../src/eval/evaluate';
import { expectInvalidArgument } from '../helpers/errors';

const TEST_PUZZLES = 20;
const OVERFIT_STEPS = 300;
let dir: string;
let root: string;
let model: ht.HRM;

function testData(): ht.PuzzleDataset {
  return new ht.PuzzleDataset({ dir: `${root}/test`, mode: 'test', batchSize: 8 });
}

beforeAll(() => {
  ht.setNumThreads(1);
  dir = tmpDir('evaluate-');
  root = buildTinySudokuData(dir, { train: 8, test: TEST_PUZZLES, blanks: 2 });
  const data = testData();
  const m = data.metadata;
  ht.manualSeed(2);
  model = new ht.HRM(ht.hrmConfig({ ...TINY, hiddenSize: 32, batchSize: 8, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers, haltMaxSteps: 2 }));
  // Overfit the test puzzles a little, so that some rows are exactly right at some steps.
  const head = new ht.ACTLossHead(model);
  const adam = new ht.AdamATan2(model.parameters(), { lr: 1e-2 });
  const batches = [...data.batches()].map((b) => ht.batchToTensors(b));
  for (let i = 0; i < OVERFIT_STEPS; i++) {
    ht.scope(() => {
      const batch = batches[i % batches.length];
      head.forward(model.initialCarry(batch), batch).loss.div(8).backward();
      adam.step();
      adam.zeroGrad();
    });
  }
  adam.dispose();
  for (const b of batches) for (const t of Object.values(b)) t.dispose();
  data.close();
  // A Q head that reads the state, so that halting differs between rows and steps.
  ht.noGrad(() => {
    model.inner.qHead.weight.copy_(ht.randn(model.inner.qHead.weight.shape).mul(0.3));
    model.inner.qHead.bias!.zero_();
  });
});

afterAll(() => {
  model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every test example: its tokens and labels. */
function examples(): { inputs: Int32Array; labels: Int32Array }[] {
  const data = testData();
  const S = data.metadata.seq_len;
  const out: { inputs: Int32Array; labels: Int32Array }[] = [];
  for (const b of data.batches()) {
    for (let i = 0; i < b.effectiveSize; i++) out.push({ inputs: b.inputs.slice(i * S, (i + 1) * S), labels: b.labels.slice(i * S, (i + 1) * S) });
  }
  data.close();
  return out;
}

const exact = (prediction: Int32Array, labels: Int32Array) => labels.every((l, j) => l === IGNORE_LABEL_ID || prediction[j] === l);

function run(opts: Parameters<typeof evaluate>[2]) {
  const data = testData();
  try {
    return evaluate(model, data, opts);
  } finally {
    data.close();
  }
}

describe('evaluate', () => {
  test('a haltMaxSteps override: every row runs that many steps, exact accuracy per step as solveTokens finds it', () => {
    const before = JSON.stringify(model.config);
    model.train();
    const r = run({ haltMaxSteps: 4 });
    const set = Object.keys(r.sets)[0];
    expect(r.examples).toBe(TEST_PUZZLES);
    expect(r.sets[set].count).toBe(TEST_PUZZLES);
    expect(r.sets[set].steps).toBe(4);
    expect(r.haltedAtStep[set]).toEqual([0, 0, 0, TEST_PUZZLES]);
    // Row by row, step by step, through the other inference path.
    const perStep = [0, 0, 0, 0];
    for (const ex of examples()) {
      const s = solveTokens(model, ex.inputs, { maxSteps: 4, adaptive: false });
      s.perStep.forEach((step, k) => (perStep[k] += exact(step.prediction, ex.labels) ? 1 : 0));
    }
    expect(r.exactAccuracyAtStep[set]).toEqual(perStep.map((n) => n / TEST_PUZZLES));
    expect(Math.max(...perStep)).toBeGreaterThan(0); // the overfit model gets some rows right
    expect(r.sets[set].exact_accuracy).toBeCloseTo(r.exactAccuracyAtStep[set][3], 12); // the last step's
    expect(r.exactAccuracyAtHalt[set]).toBeCloseTo(r.exactAccuracyAtStep[set][3], 12); // every row halts at 4
    expect(r.meanHaltStep[set]).toBe(4);
    // The model is as it was: config untouched, training mode restored.
    expect(JSON.stringify(model.config)).toBe(before);
    expect(model.training).toBe(true);
  });

  test('adaptive halting: each row stops at the first step its Q head says halt, as solveTokens does', () => {
    const before = JSON.stringify(model.config);
    model.eval();
    // Shift the halt bias to the median margin q_halt - q_continue at step 1: half the rows halt there.
    const logit = (p: number) => Math.log(p / (1 - p));
    const margins = examples()
      .map((ex) => solveTokens(model, ex.inputs, { maxSteps: 1, adaptive: false }).perStep[0])
      .map((s) => logit(s.haltProbability) - logit(s.continueProbability))
      .sort((a, b) => a - b);
    const median = (margins[TEST_PUZZLES / 2 - 1] + margins[TEST_PUZZLES / 2]) / 2;
    ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([-median, 0])));
    const r = run({ haltMaxSteps: 5, adaptive: true });
    const set = Object.keys(r.sets)[0];
    const haltedAt = [0, 0, 0, 0, 0];
    let correctAtHalt = 0;
    for (const ex of examples()) {
      const s = solveTokens(model, ex.inputs, { maxSteps: 5, adaptive: true });
      haltedAt[s.steps - 1]++;
      correctAtHalt += exact(s.prediction, ex.labels) ? 1 : 0;
    }
    expect(r.haltedAtStep[set]).toEqual(haltedAt);
    // Accuracy of each row's answer when it stopped by itself, and the mean stopping step.
    expect(r.exactAccuracyAtHalt[set]).toBe(correctAtHalt / TEST_PUZZLES);
    expect(r.meanHaltStep[set]).toBeCloseTo(haltedAt.reduce((a, c, i) => a + c * (i + 1), 0) / TEST_PUZZLES, 12);
    expect(haltedAt.reduce((a, b) => a + b, 0)).toBe(TEST_PUZZLES);
    expect(haltedAt[0]).toBe(TEST_PUZZLES / 2);
    expect(r.exactAccuracyAtStep[set].length).toBe(5);
    expect(JSON.stringify(model.config)).toBe(before);
    expect(model.config.evalHalting).toBe('max');
    expect(model.training).toBe(false);
  });

  test('without options: the config\'s haltMaxSteps, every row to the end; maxExamples stops early', () => {
    const r = run({});
    const set = Object.keys(r.sets)[0];
    expect(r.haltedAtStep[set]).toEqual([0, TEST_PUZZLES]);
    expect(r.sets[set].steps).toBe(2);
    expect(run({ maxExamples: 8 }).examples).toBe(8);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('evaluate names a model, data set or options that are not one', () => {
    const data = testData();
    expectInvalidArgument(() => subject.evaluate(undefined as never, data), 'evaluate(): model must be a model with the ACT-step interface (HRM or TRM, e.g. from buildModel()), got undefined');
    expectInvalidArgument(() => subject.evaluate(model, {} as never), 'evaluate(): data must be a PuzzleDataset, got an object');
    expectInvalidArgument(() => subject.evaluate(model, data, 3 as never), 'evaluate(): opts must be an object, got number 3');
    data.close();
  });

  test('countEvaluation and evalResultOf name counts that are not an evaluation\'s', () => {
    const data = testData();
    expectInvalidArgument(() => subject.countEvaluation(model, data, { continuous: true } as never), 'countEvaluation(): continuous batching has no per-batch counts to sum; evaluate() runs it');
    data.close();
    expectInvalidArgument(() => subject.evalResultOf(undefined as never, 0), 'evalResultOf(): counts must be the counts of countEvaluation(), got undefined');
    expectInvalidArgument(() => subject.evalResultOf({ sums: {} } as never, 0), 'evalResultOf(): counts.atStep must be an object keyed by set name, got undefined');
    const one = { sums: { all: { count: 1 } }, atStep: { all: [1, 0] }, haltedAt: { all: [1] }, rows: { all: 1 }, correctAtHalt: { all: 1 } };
    expectInvalidArgument(() => subject.evalResultOf(one, 0), 'evalResultOf(): counts.haltedAt.all must have as many steps as atStep.all (2)');
    expectInvalidArgument(() => subject.evalResultOf({ ...one, haltedAt: { all: [1, 0] }, rows: {} }, 0), 'evalResultOf(): counts.rows.all must be a finite number, got undefined');
  });
});

test('evalResultOf(countEvaluation(...)) is evaluate(...): the two halves a data-parallel evaluation sums between', () => {
  for (const opts of [{}, { adaptive: true, haltMaxSteps: 4 }, { maxExamples: 9 }]) {
    const [a, b] = [testData(), testData()];
    const whole = subject.evaluate(model, a, opts);
    const halves = subject.evalResultOf(subject.countEvaluation(model, b, opts), Date.now());
    for (const r of [whole, halves]) (r as { seconds?: number }).seconds = 0;
    expect(halves).toEqual(whole);
    a.close();
    b.close();
  }
});
