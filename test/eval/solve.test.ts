/** solve() and solveTokens(): a checkpoint or a model, step by step, halting on the Q head or at maxSteps. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { loadModel, solve, solveTokens } from '../../src/eval/solve';
import { generateSudoku, sudokuVocabSize } from '../../src/data/sudoku';
import { tmpDir } from '../helpers/reference';
import { TINY, trainSteps } from '../helpers/hrm';
import * as subject from '../../src/eval/solve';
import { expectInvalidArgument } from '../helpers/errors';

// A 4x4 Sudoku model (16 tokens), trained a little to predict cell tokens: these tests are about the stepping, not the answers.
const config = ht.hrmConfig({ ...TINY, batchSize: 4, seqLen: 16, vocabSize: sudokuVocabSize(4), numPuzzleIdentifiers: 1, haltMaxSteps: 3 });

let dir: string;
let checkpoint: string;

beforeAll(() => {
  ht.setNumThreads(1);
  dir = tmpDir('solve-');
  checkpoint = path.join(dir, 'step_00000003.safetensors');
  ht.manualSeed(3);
  const model = new ht.HRM(config);
  const adam = new ht.AdamATan2(model.parameters(), { lr: 1e-2 });
  trainSteps(model, adam, undefined, 10, 1); // labels are cell tokens (never the pad 0)
  adam.dispose();
  // A Q head that reads the state (the initial one is constant), so the steps can be told apart.
  ht.noGrad(() => model.inner.qHead.weight.copy_(ht.randn(model.inner.qHead.weight.shape).mul(0.5)));
  ht.saveCheckpoint(checkpoint, { model, step: 3, extra: { config } });
  model.dispose();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('solve', () => {
  test('a checkpoint solves a puzzle string step by step; a puzzle of another size is refused', () => {
    const s = solve(checkpoint, { sudoku: '1...3..2..4.2...' }, { maxSteps: 3, adaptive: false });
    expect(s.steps).toBe(3);
    expect(s.perStep.length).toBe(3);
    expect(typeof s.answer).toBe('string');
    expect((s.answer as string).length).toBe(16);
    expect(s.answers[2]).toBe(s.answer);
    expect(s.haltConfidence).toBeGreaterThan(0);
    expect(() => solve(checkpoint, { maze: '#'.repeat(900) })).toThrow(/900 tokens, the model expects 16/);
  });

  test('loadModel builds the recorded config in eval mode; a checkpoint without one is refused', () => {
    const model = loadModel(checkpoint);
    expect(model.config).toEqual(config);
    expect(model.training).toBe(false);
    model.dispose();
    const bare = path.join(dir, 'bare.safetensors');
    const m = new ht.HRM(config);
    ht.saveCheckpoint(bare, { model: m, step: 1 });
    m.dispose();
    expect(() => loadModel(bare)).toThrow(/does not record its model config/);
  });
});

describe('solveTokens', () => {
  const puzzle = Array.from({ length: 16 }, (_, i) => 1 + (i % 5));

  test('more steps than the config trains with keep reasoning (no restart); the config and mode are unchanged', () => {
    const model = loadModel(checkpoint);
    model.train();
    const long = solveTokens(model, puzzle, { maxSteps: 6, adaptive: false });
    expect(long.steps).toBe(6);
    // The first three steps are the same as a run capped at three: the extra ones continue from there.
    const short = solveTokens(model, puzzle, { maxSteps: 3, adaptive: false });
    expect(long.perStep.slice(0, 3)).toEqual(short.perStep);
    // A restart after step 3 would repeat step 1 exactly; continuing from step 3's state does not.
    expect(long.perStep[3].haltProbability).not.toBe(long.perStep[0].haltProbability);
    expect(model.config.haltMaxSteps).toBe(3);
    expect(model.training).toBe(true);
    model.dispose();
  });

  test('adaptive: stops at the first step whose Q head says halt', () => {
    const model = loadModel(checkpoint);
    ht.noGrad(() => {
      model.inner.qHead.weight.zero_();
      model.inner.qHead.bias!.copy_(ht.tensor([5, -5])); // always "halt"
    });
    const r = solveTokens(model, puzzle, { maxSteps: 6 });
    expect(r.steps).toBe(1);
    expect(r.haltConfidence).toBe(r.perStep[0].haltProbability);
    expect(r.perStep[0].haltProbability).toBeGreaterThan(r.perStep[0].continueProbability);
    expect(solveTokens(model, puzzle, { maxSteps: 6, adaptive: false }).steps).toBe(6);
    model.dispose();
  });
});

describe('solveTokens with trace', () => {
  test('decodes after every inner update; a step ends on its own answer, and peek equals the H update it previews', () => {
    const model = loadModel(checkpoint);
    try {
      const tokens = Uint8Array.from({ length: 16 }, (_, i) => 1 + (i % 5));
      const plain = solveTokens(model, tokens, { maxSteps: 3, adaptive: false });
      const traced = solveTokens(model, tokens, { maxSteps: 3, adaptive: false, trace: true });
      const { hCycles, lCycles } = model.config;
      traced.perStep.forEach((step, k) => {
        expect(plain.perStep[k].prediction).toEqual(step.prediction); // tracing changes nothing
        expect(plain.perStep[k].updates).toBeUndefined();
        const u = step.updates!;
        expect(u.length).toBe(hCycles * (lCycles + 1));
        expect(u.map((x) => `${x.level}${x.cycle}.${x.step}`)).toEqual(
          Array.from({ length: hCycles }, (_, i) => [...Array.from({ length: lCycles }, (_, j) => `L${i}.${j}`), `H${i}.${lCycles - 1}`]).flat(),
        );
        // The last update is the step's H update: the step's own answer and halt probability.
        expect(u[u.length - 1].prediction).toEqual(step.prediction);
        expect(u[u.length - 1].haltProbability).toBeCloseTo(step.haltProbability, 6);
        // An L update's preview is one extra H update: exactly what the next H update computes.
        for (let i = 0; i < u.length; i++) if (u[i].level === 'H') expect(u[i - 1].prediction).toEqual(u[i].prediction);
      });
    } finally {
      model.dispose();
    }
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('solveTokens and solve name a bad model, puzzle or inputs', () => {
    const model = new ht.HRM(config);
    expectInvalidArgument(() => subject.solveTokens(undefined as never, []), 'solveTokens(): model must be an HRM or a TRM model, got undefined');
    expectInvalidArgument(() => subject.solveTokens(model, undefined as never), 'solveTokens(): inputs must be an array of token ids, got undefined');
    expectInvalidArgument(() => subject.solve(3 as never, { sudoku: '1...' } as never), 'solve(): model must be an HRM, a TRM or a checkpoint path, got number 3');
    expectInvalidArgument(() => subject.solve(model, undefined as never), 'solve(): puzzle must be a puzzle ({sudoku}, {maze} or {arcTask, ...}), got undefined');
    model.dispose();
  });
});

describe('solveAll', () => {
  test('many puzzles with continuous batching: each answer and step count is what solve() finds for it alone', () => {
    const model = loadModel(checkpoint);
    try {
      const puzzles = Array.from({ length: 7 }, (_, i) => ({ sudoku: Array.from(generateSudoku({ box: { rows: 2, cols: 2 }, seed: 40 + i }).puzzle, (v) => (v ? String(v) : '.')).join('') }));
      // A halt bias between the puzzles' median margins at step 1: some halt there, others later.
      const logit = (p: number) => Math.log(p / (1 - p));
      const margins = puzzles.map((p) => solve(model, p, { maxSteps: 1, adaptive: false }).perStep[0]).map((s) => logit(s.haltProbability) - logit(s.continueProbability)).sort((a, b) => a - b);
      ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([-(margins[2] + margins[3]) / 2, 0])));
      const alone = puzzles.map((p) => solve(model, p, { maxSteps: 5 }));
      expect(new Set(alone.map((s) => s.steps)).size).toBeGreaterThan(1);
      for (const batchSize of [2, 3, 16]) {
        const all = ht.solveAll(model, puzzles, { maxSteps: 5, batchSize });
        expect(all.map((s) => s.steps)).toEqual(alone.map((s) => s.steps));
        expect(all.map((s) => s.answer)).toEqual(alone.map((s) => s.answer));
        all.forEach((s, i) => expect(s.haltConfidence).toBeCloseTo(alone[i].haltConfidence, 5));
      }
      // Without adaptive halting every puzzle runs maxSteps.
      expect(ht.solveAll(model, puzzles.slice(0, 3), { maxSteps: 4, adaptive: false }).map((s) => s.steps)).toEqual([4, 4, 4]);
      expect(ht.solveAll(model, [])).toEqual([]);
      expect(() => ht.solveAll(model, [puzzles[0], { maze: '#'.repeat(900) }])).toThrow(/puzzle 1 has 900 tokens, the model expects 16/);
      expect(() => ht.solveAll(model, puzzles, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got number 0/);
      expect(() => ht.solveAll(model, 'x' as unknown as [])).toThrow(/puzzles must be an array of puzzles, got/);
      expectInvalidArgument(() => ht.solveAll(3 as never, puzzles), 'solveAll(): model must be an HRM, a TRM or a checkpoint path, got number 3');
    } finally {
      model.dispose();
    }
  });
});
