/**
 * TRM parity with PyTorch: our own PyTorch TRM (test/reference/trm_ref.py, written from the
 * spec) loads the same weights and batches, runs the same segments (forward, loss head, backward,
 * sparse SignSGD and AdamATan2 steps), and every output must agree with the TypeScript model.
 * Also: TRM's parameter names and counts, the gradient path, and the simplified halting.
 */
import * as fs from 'fs';
import * as ht from '../../../src';
import { describeWithTorch, tmpDir } from '../../helpers/reference';
import { Job, makeBatch, parityFailures, referenceParity } from '../../helpers/hrm';

/** Tiny TRM: width 32, a 48-wide puzzle embedding in a 3-position prefix (1.5 positions filled). */
const BASE: Partial<ht.TRMConfig> = {
  batchSize: 4, seqLen: 16, vocabSize: 10, puzzleEmbNdim: 48, numPuzzleIdentifiers: 5, puzzleEmbLen: 3, hCycles: 3, lCycles: 2,
  lLayers: 2, hiddenSize: 32, expansion: 2, numHeads: 2, haltMaxSteps: 3, haltExplorationProb: 0.5, posEncodings: 'rope',
  forwardDtype: 'float32', lossType: 'stablemax_cross_entropy',
};

const jobs: Job[] = [
  { name: 'attention (rope), 3-position puzzle prefix, 4 training segments with halts and restarts', config: BASE, segments: 4, train: true, optimize: true },
  // Two segments: the forward and backward agree bit for bit, but the optimizers' last-bit
  // rounding differences grow ~100x per segment through this mixer's recursion (PyTorch alone
  // shows the same growth from a 1e-7 perturbation of the weights).
  { name: 'MLP mixer (mlp_t), no position encoding, 16-position prefix, softmax CE', config: { ...BASE, mlpT: true, posEncodings: 'none', puzzleEmbLen: 16, lossType: 'softmax_cross_entropy' }, segments: 2, train: true, optimize: true },
  { name: 'evaluation: learned positions, prefix from the HRM formula (puzzleEmbLen 0), all steps', config: { ...BASE, posEncodings: 'learned', puzzleEmbLen: 0 }, segments: 3, train: false, optimize: false },
];

function tolerance(key: string): number {
  if (/\.grad\./.test(key)) return 1e-4;
  if (/metric\.(count|exact_accuracy|q_halt_accuracy|steps)$/.test(key) || /carry\.(steps|halted|inputs|labels|puzzle_identifiers)$/.test(key)) return 0;
  return 1e-5;
}

describeWithTorch('TRM against PyTorch', () => {
  test.each(jobs.map((j) => [j.name, j] as [string, Job]))('%s', (_name, job) => {
    const dir = tmpDir('trm-parity-');
    try {
      ht.setNumThreads(1);
      const cfg = ht.trmConfig(job.config as ht.trm.TRMConfigInput);
      ht.manualSeed(7);
      const model = new ht.TRM(cfg);
      // Non-trivial starting points for the parts that start at zero or constant: a puzzle table,
      // and a Q head whose halt logit has either sign, so some rows halt on it (q_halt > 0).
      ht.noGrad(() => {
        model.inner.puzzleEmb!.weights.copy_(ht.randn(model.inner.puzzleEmb!.weights.shape).mul(0.1));
        model.inner.qHead.weight.copy_(ht.randn(model.inner.qHead.weight.shape).mul(0.5));
        model.inner.qHead.bias!.zero_();
      });
      const batches = [makeBatch(cfg, 1), makeBatch(cfg, 2)];
      const run = referenceParity(model, ht.trm.toReferenceConfig(cfg), batches, job, 'trm_ref.py', dir);
      expect(model.inner.parameterCount()).toBe(run.numParams);
      expect(parityFailures(run, tolerance)).toEqual([]);
      const { ours } = run;
      expect(ours.size).toBeGreaterThan(job.optimize ? 40 : 20);
      expect([...ours.keys()].some((k) => /target_q_continue|q_continue_loss/.test(k))).toBe(false);
      if (job.train) {
        // Some row halted before haltMaxSteps (on q_halt > 0: the Q head's bias is 0) and, given
        // a later segment, started over on a new example.
        const segs = [...Array(job.segments).keys()];
        const halted = segs.map((k) => ours.get(`s${k}.carry.halted`)!.toArray() as boolean[]);
        const steps = segs.map((k) => ours.get(`s${k}.carry.steps`)!.toArray() as number[]);
        expect(halted.some((h, k) => h.some((v, row) => v && steps[k][row] < 3))).toBe(true);
        if (job.segments >= 3) expect(steps.some((st, k) => k > 0 && st.some((v, row) => v === 1 && halted[k - 1][row]))).toBe(true);
        // The gradient reached the network's first block and the puzzle embedding's rows.
        const mixer = cfg.mlpT ? 'mlp_t' : 'self_attn';
        expect([...ours.keys()].some((k) => k.startsWith(`s0.grad.L_level.layers.0.${mixer}`))).toBe(true);
        expect(ours.has('s0.grad.puzzle_emb.local_weights')).toBe(true);
      } else {
        // Evaluation runs every row for exactly haltMaxSteps segments, whatever the Q head says.
        expect(ours.get('s1.carry.halted')!.toArray()).toEqual([false, false, false, false]);
        expect(ours.get('s2.carry.halted')!.toArray()).toEqual([true, true, true, true]);
      }
      for (const t of [...ours.values(), ...Object.values(run.theirs)]) t.dispose();
      model.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the TRM gradient path', () => {
  function graphNodes(hCycles: number, lCycles: number): number {
    ht.manualSeed(0);
    const model = new ht.TRM(ht.trmConfig({ ...BASE, hCycles, lCycles }));
    const head = new ht.TRMLossHead(model);
    const nodes = ht.scope(() => {
      const batch = makeBatch(model.config, 1);
      return ht.graphSize(head.forward(model.initialCarry(batch), batch).loss);
    });
    model.dispose();
    return nodes;
  }

  test('only the last recursion is in the graph: it grows with lCycles (n + 1 calls), not with hCycles (T)', () => {
    const base = graphNodes(2, 2);
    expect(graphNodes(5, 2)).toBe(base);
    const perCall = graphNodes(2, 3) - base;
    expect(perCall).toBeGreaterThan(0);
    expect(graphNodes(2, 4) - base).toBe(2 * perCall);
  });
});

describe('TRM structure', () => {
  test("TRM's parameter counts (spec 8): attention on ARC 6,829,058, MLP mixer on Sudoku 5,028,866", () => {
    const arc = { batchSize: 1, seqLen: 900, vocabSize: 12, numPuzzleIdentifiers: 1, lCycles: 4 };
    const att = new ht.TRM(ht.trmConfig(arc));
    expect(att.parameterCount()).toBe(6_829_058);
    const keys = [...att.inner.stateDict().keys()];
    expect(keys).toEqual(expect.arrayContaining(['H_init', 'L_init', 'embed_tokens.embedding_weight', 'lm_head.weight', 'q_head.weight', 'q_head.bias', 'puzzle_emb.weights', 'L_level.layers.1.self_attn.qkv_proj.weight']));
    expect(keys.some((k) => k.startsWith('H_level'))).toBe(false);
    expect(att.inner.puzzleEmbLen).toBe(16);
    att.dispose();
    const mlp = new ht.TRM(ht.trmConfig({ batch_size: 1, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1, mlp_t: true, pos_encodings: 'none' }));
    expect(mlp.parameterCount()).toBe(5_028_866);
    // The mixer runs over L = 81 + 16 = 97 positions: SwiGLU width 512 (spec 8).
    expect(mlp.inner.stateDict().get('L_level.layers.0.mlp_t.gate_up_proj.weight')!.shape).toEqual([1024, 97]);
    expect(mlp.inner.stateDict().has('L_level.layers.0.self_attn.qkv_proj.weight')).toBe(false);
    mlp.dispose();
  });
});

describe('TRM halting', () => {
  function setup(extra: Partial<ht.TRMConfig>, qHaltBias: number) {
    ht.manualSeed(0);
    const model = new ht.TRM(ht.trmConfig({ ...BASE, batchSize: 2, haltMaxSteps: 4, ...extra }));
    const batch = {
      inputs: ht.randint(0, 10, [2, 16], { dtype: 'int32' }),
      labels: ht.randint(0, 10, [2, 16], { dtype: 'int32' }),
      puzzleIdentifiers: ht.tensor([1, 4], { dtype: 'int32' }),
    };
    // q_halt = qHaltBias everywhere; q_continue above it, which TRM ignores (HRM would continue).
    ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([qHaltBias, qHaltBias + 10])));
    return { model, batch };
  }

  test('training halts when q_halt > 0, after a forced exploration minimum; never on q_halt <= 0 before the limit', () => {
    const { model, batch } = setup({}, 1);
    const free = { uniform: ht.ones([2]), minSteps: ht.tensor([3, 3], { dtype: 'int32' }) };
    expect(ht.scope(() => model.forward(model.initialCarry(batch), batch, { exploration: free }).carry.halted.toArray())).toEqual([true, true]);
    const forced = { uniform: ht.tensor([0, 1]), minSteps: ht.tensor([3, 3], { dtype: 'int32' }) };
    let carry = model.initialCarry(batch);
    const halts: boolean[][] = [];
    for (let k = 0; k < 3; k++) {
      const next = ht.scope(() => model.forward(carry, batch, { exploration: forced }).carry);
      ht.trm.disposeCarry(carry);
      carry = next;
      halts.push(carry.halted.toArray() as boolean[]);
    }
    expect(halts).toEqual([[false, true], [false, true], [true, true]]);
    ht.trm.disposeCarry(carry);
    model.dispose();
    const neg = setup({}, -1);
    expect(ht.scope(() => neg.model.forward(neg.model.initialCarry(neg.batch), neg.batch, { exploration: free }).carry.halted.toArray())).toEqual([false, false]);
    neg.model.dispose();
  });

  test('evaluation runs haltMaxSteps unless evalHalting is adaptive; a wrong batch is refused with the field named', () => {
    for (const [mode, expected] of [['max', [false, false]], ['adaptive', [true, true]]] as const) {
      const { model, batch } = setup({ evalHalting: mode }, 1);
      model.eval();
      expect([mode, ht.scope(() => model.forward(model.initialCarry(batch), batch).carry.halted.toArray())]).toEqual([mode, expected]);
      expect(() => model.initialCarry({ ...batch, labels: ht.zeros([2, 15], { dtype: 'int32' }) })).toThrow(/batch.labels has shape \[2,15\], the model expects \[2,16\]/);
      model.dispose();
    }
  });
});

test('TRMLossHead and TRMInner name a model or config that is not one', () => {
  expect(() => new ht.TRMLossHead({} as never)).toThrow(/TRMLossHead: model must be a TRM model, got an object/);
  expect(() => new ht.TRMLossHead(undefined as never)).toThrow(/TRMLossHead: model must be a TRM model, got undefined/);
  expect(() => new ht.TRMInner(undefined as never)).toThrow(/TRMInner: config must be a TRM config \(from trmConfig\(\)\), got undefined/);
  // the pieces TRM shares with HRM
  expect(() => ht.hrm.tokenAndHaltLosses(undefined as never, {} as never, 'softmax_cross_entropy')).toThrow(/tokenAndHaltLosses\(\): carry must be/);
  expect(() => ht.hrm.referenceKeysOf(null as never, {})).toThrow(/referenceKeysOf\(\): config must be a model config, got null/);
});
