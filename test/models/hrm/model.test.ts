/**
 * HRM parity with PyTorch: our own PyTorch HRM (test/reference/hrm_ref.py, written from the
 * spec) loads the same weights and batches, runs the same segments (forward, loss head, backward,
 * sparse SignSGD and AdamATan2 steps), and every output must agree with the TypeScript model.
 * Also: the reference's parameter names and count, ACT halting, and the 1-step gradient.
 */
import * as fs from 'fs';
import * as ht from '../../../src';
import { describeWithTorch, tmpDir } from '../../helpers/reference';
import { Job, TINY, base, makeBatch, parityFailures, referenceParity } from '../../helpers/hrm';
import * as subject from '../../../src/models/hrm/model';
import { expectInvalidArgument } from '../../helpers/errors';

const jobs: Job[] = [
  { name: 'rope + puzzle embedding, 4 training segments (a halting step and a restart)', config: base, segments: 4, train: true, optimize: true },
  { name: 'learned positions, puzzle prefix padded, softmax CE', config: { ...base, posEncodings: 'learned', puzzleEmbNdim: 40, lossType: 'softmax_cross_entropy' }, segments: 2, train: true, optimize: true },
  { name: 'backprop through the whole last cycle (2x3 cycles)', config: { ...base, backprop: 'last-cycle', hCycles: 2, lCycles: 3 }, segments: 4, train: true, optimize: true },
  { name: 'no puzzle embedding, 3x1 cycles', config: { ...base, puzzleEmbNdim: 0, hCycles: 3, lCycles: 1 }, segments: 2, train: true, optimize: true },
  { name: 'evaluation: all steps, no optimisation', config: base, segments: 3, train: false, optimize: false },
  { name: 'bfloat16 forward with fp32 master weights (the CUDA casting scheme, run on the CPU)', config: { ...base, forwardDtype: 'bfloat16' }, segments: 1, train: true, optimize: true },
];

function tolerance(key: string, bf16: boolean): number {
  if (bf16) {
    // bf16 keeps ~3 significant digits; the two sides round in slightly different places.
    if (/metric\.(count|steps)$|carry\.(steps|halted|inputs|labels|puzzle_identifiers)$/.test(key)) return 0;
    // SignSGD takes the sign of gradients that are near zero for some entries: a bf16 rounding
    // difference flips them. The fp32 jobs check this step exactly.
    if (key.endsWith('param.puzzle_emb.weights')) return Infinity;
    return /\.grad\./.test(key) ? 5e-2 : 1e-2;
  }
  if (/\.grad\./.test(key)) return 1e-4;
  if (/metric\.(count|exact_accuracy|q_halt_accuracy|steps)$/.test(key) || /carry\.(steps|halted|inputs|labels|puzzle_identifiers)$/.test(key)) return 0;
  return 1e-5;
}

describeWithTorch('HRM against PyTorch', () => {
  test.each(jobs.map((j) => [j.name, j] as [string, Job]))('%s', (_name, job) => {
    const dir = tmpDir('hrm-parity-');
    try {
      ht.setNumThreads(1);
      const cfg = ht.hrmConfig(job.config);
      ht.manualSeed(7);
      const model = new ht.HRM(cfg);
      // Non-trivial starting points for the parts that start at zero.
      ht.noGrad(() => {
        if (model.inner.puzzleEmb) model.inner.puzzleEmb.weights.copy_(ht.randn(model.inner.puzzleEmb.weights.shape).mul(0.1));
      });
      const batches = [makeBatch(cfg, 1), makeBatch(cfg, 2)];
      const run = referenceParity(model, { ...ht.hrm.toReferenceConfig(cfg), backprop: cfg.backprop }, batches, job, 'hrm_ref.py', dir);
      expect(model.inner.parameterCount()).toBe(run.numParams);
      const { ours, theirs } = run;
      expect(parityFailures(run, (k) => tolerance(k, cfg.forwardDtype === 'bfloat16'))).toEqual([]);
      expect(ours.size).toBeGreaterThan(job.optimize ? 60 : 30);
      // The run really exercised what it claims to.
      if (job.train && job.segments >= 3) {
        // Some row halted within the first three segments and started over on a new example.
        const halted = [0, 1, 2].map((k) => ours.get(`s${k}.carry.halted`)!.toArray() as boolean[]);
        const steps = [1, 2, 3].map((k) => ours.get(`s${k}.carry.steps`)!.toArray() as number[]);
        expect(halted.some((h) => h.some(Boolean))).toBe(true);
        expect(steps.some((st, k) => st.some((v, row) => v === 1 && halted[k][row]))).toBe(true);
        expect(Math.max(...steps.flat())).toBeLessThanOrEqual(3);
        expect(ours.has('s0.target_q_continue')).toBe(true);
      }
      if (!job.train) {
        // Evaluation runs every row for exactly haltMaxSteps segments.
        expect(ours.get(`s2.carry.halted`)!.toArray()).toEqual([true, true, true, true]);
        expect(ours.get(`s1.carry.halted`)!.toArray()).toEqual([false, false, false, false]);
      }
      for (const t of ours.values()) t.dispose();
      for (const t of Object.values(theirs)) t.dispose();
      model.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the 1-step gradient', () => {
  function measure(hCycles: number, lCycles: number): { nodes: number; bytes: number; params: string[] } {
    ht.manualSeed(0);
    const cfg = ht.hrmConfig({ ...base, hCycles, lCycles, batchSize: 8, seqLen: 64, hiddenSize: 128 });
    const model = new ht.HRM(cfg);
    const head = new ht.ACTLossHead(model);
    ht.manualSeed(1);
    const b8: ht.HRMBatch = {
      inputs: ht.randint(0, cfg.vocabSize, [8, 64], { dtype: 'int32' }),
      labels: ht.randint(0, cfg.vocabSize, [8, 64], { dtype: 'int32' }),
      puzzleIdentifiers: ht.randint(0, cfg.numPuzzleIdentifiers, [8], { dtype: 'int32' }),
    };
    const out = ht.scope(() => {
      const carry = model.initialCarry(b8);
      const before = ht.memory().hostBytes ?? 0;
      const r = head.forward(carry, b8);
      const bytes = (ht.memory().hostBytes ?? 0) - before;
      const nodes = ht.graphSize(r.loss);
      r.loss.backward();
      const params = model.inner.namedParameters().filter(([, p]) => p.grad !== undefined).map(([n]) => n);
      return { nodes, bytes, params };
    });
    model.dispose();
    return out;
  }

  test('graph size and memory of one segment do not grow with H_cycles x L_cycles (2x2 vs 8x8)', () => {
    measure(2, 2); // warm-up: first-use allocations of libtorch and the op table
    const small = measure(2, 2);
    const large = measure(8, 8);
    // eslint-disable-next-line no-console
    console.log(`one segment, 2x2 cycles: ${small.nodes} graph nodes, ${(small.bytes / 1e6).toFixed(1)} MB held after forward; 8x8: ${large.nodes} nodes, ${(large.bytes / 1e6).toFixed(1)} MB`);
    expect(large.nodes).toBe(small.nodes);
    expect(large.bytes).toBeLessThan(small.bytes * 1.1);
    // ... and gradient still reaches both levels, the embeddings and both heads.
    for (const p of ['embed_tokens.embedding_weight', 'lm_head.weight', 'q_head.weight', 'H_level.layers.0.self_attn.qkv_proj.weight', 'L_level.layers.1.mlp.down_proj.weight']) {
      expect(large.params).toContain(p);
    }
  });
});

describe('HRM structure', () => {
  test('the default ARC configuration has the reference parameter count (27,276,290)', () => {
    const model = new ht.HRM(ht.hrmConfig({ batchSize: 1, seqLen: 900, vocabSize: 12, numPuzzleIdentifiers: 1 }));
    expect(model.parameterCount()).toBe(27_276_290);
    // State dict names follow the reference (spec 1.1), buffers H_init/L_init first.
    const keys = [...model.inner.stateDict().keys()];
    expect(keys.slice(0, 2)).toEqual(['H_init', 'L_init']);
    expect(keys).toContain('H_level.layers.3.self_attn.qkv_proj.weight');
    expect(keys).toContain('L_level.layers.0.mlp.gate_up_proj.weight');
    expect(keys).toContain('puzzle_emb.weights');
    expect(keys).not.toContain('puzzle_emb.local_weights');
    expect(keys).not.toContain('rotary_emb.cos_cached');
    expect(model.inner.stateDict().get('H_level.layers.0.mlp.gate_up_proj.weight')!.shape).toEqual([3072, 512]);
    model.dispose();
  });
});

describe('ACT halting', () => {
  function setup(extra: Partial<ht.HRMConfig>) {
    ht.manualSeed(0);
    const model = new ht.HRM(ht.hrmConfig({ ...TINY, haltMaxSteps: 4, ...extra }));
    const batch = {
      inputs: ht.randint(0, 6, [2, 8], { dtype: 'int32' }),
      labels: ht.randint(0, 6, [2, 8], { dtype: 'int32' }),
      puzzleIdentifiers: ht.tensor([0, 1], { dtype: 'int32' }),
    };
    // Make the Q head say "halt" everywhere: q_halt = +5, q_continue = -5.
    ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([5, -5])));
    return { model, batch };
  }

  test('a forced exploration draw delays halting to its minimum; without it the Q head halts at once', () => {
    const { model, batch } = setup({});
    let carry = model.initialCarry(batch);
    const forced = { uniform: ht.zeros([2]), minSteps: ht.tensor([3, 2], { dtype: 'int32' }) };
    const halts: boolean[][] = [];
    for (let k = 0; k < 3; k++) {
      const r = ht.scope(() => model.forward(carry, batch, { exploration: forced }).carry);
      halts.push(r.halted.toArray() as boolean[]);
      carry = r;
    }
    expect(halts).toEqual([[false, false], [false, true], [true, false]]);
    const free = { uniform: ht.ones([2]), minSteps: ht.tensor([3, 3], { dtype: 'int32' }) }; // uniform >= p: no exploration
    const r = ht.scope(() => model.forward(model.initialCarry(batch), batch, { exploration: free }).carry);
    expect(r.halted.toArray()).toEqual([true, true]);
    model.dispose();
  });

  test('evaluation runs haltMaxSteps by default, and stops on the Q head with evalHalting adaptive', () => {
    for (const [mode, expected] of [['max', [false, false]], ['adaptive', [true, true]]] as const) {
      const { model, batch } = setup({ evalHalting: mode });
      model.eval();
      const r = ht.scope(() => model.forward(model.initialCarry(batch), batch).carry);
      expect([mode, r.halted.toArray()]).toEqual([mode, expected]);
      expect(r.steps.toArray()).toEqual([1, 1]);
      model.dispose();
    }
  });

  test('a batch of the wrong shape is refused with the field named', () => {
    const { model, batch } = setup({});
    expect(() => model.initialCarry({ ...batch, inputs: ht.zeros([2, 9], { dtype: 'int32' }) })).toThrow(/batch.inputs has shape \[2,9\], the model expects \[2,8\]/);
    expect(() => model.initialCarry({ ...batch, puzzleIdentifiers: ht.zeros([2]) })).toThrow(/batch.puzzleIdentifiers must be int32 or int64, got float32/);
    model.dispose();
  });

  test('halting options of one step override the config, which stays unchanged', () => {
    const { model, batch } = setup({ evalHalting: 'max' }); // the Q head says halt; haltMaxSteps 4
    model.eval();
    const before = JSON.stringify(model.config);
    const adaptive = ht.scope(() => model.forward(model.initialCarry(batch), batch, { evalHalting: 'adaptive' }).carry.halted.toArray());
    expect(adaptive).toEqual([true, true]);
    // haltMaxSteps 1: every row halts after its first step, whatever the Q head says.
    ht.noGrad(() => model.inner.qHead.bias!.copy_(ht.tensor([-5, 5])));
    const capped = ht.scope(() => model.forward(model.initialCarry(batch), batch, { haltMaxSteps: 1 }).carry.halted.toArray());
    expect(capped).toEqual([true, true]);
    // haltMaxSteps 6: the rows keep working past the config's 4 steps, without a reset.
    let carry = model.initialCarry(batch);
    const steps: number[][] = [];
    for (let k = 0; k < 5; k++) {
      const next = ht.scope(() => model.forward(carry, batch, { haltMaxSteps: 6 }).carry);
      ht.hrm.disposeCarry(carry);
      carry = next;
      steps.push(carry.steps.toArray() as number[]);
    }
    expect(steps.map((s) => s[0])).toEqual([1, 2, 3, 4, 5]);
    expect(carry.halted.toArray()).toEqual([false, false]);
    ht.hrm.disposeCarry(carry);
    expect(JSON.stringify(model.config)).toBe(before);
    model.dispose();
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('new HRM, HRM.forward and checkHRM name a config, carry or model that is not one', () => {
    expectInvalidArgument(() => new subject.HRM(undefined as never), 'HRMInner: config must be an HRM config (from hrmConfig()), got undefined');
    expectInvalidArgument(() => subject.checkHRM({}, 'f(): model'), 'f(): model must be an HRM model, got an object');
    const model = new subject.HRM(ht.hrmConfig(TINY));
    const batch = { inputs: ht.zeros([2, 8], { dtype: 'int32' }), labels: ht.zeros([2, 8], { dtype: 'int32' }), puzzleIdentifiers: ht.zeros([2], { dtype: 'int32' }) };
    expectInvalidArgument(() => model.forward(undefined as never, batch), 'HRM.forward(): carry must be an HRM carry (from initialCarry()), got undefined');
    expectInvalidArgument(() => model.initialCarry(undefined as never), 'batch must be a batch {inputs, labels, puzzleIdentifiers}, got undefined');
    model.dispose();
  });
});
