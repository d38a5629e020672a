/** Module bookkeeping, state dicts, initialisers, optimizers' state and checkpoints. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { tmpDir } from '../helpers/reference';

const tiny = {
  batchSize: 2, seqLen: 8, vocabSize: 6, puzzleEmbNdim: 16, numPuzzleIdentifiers: 3, hCycles: 1, lCycles: 2,
  hLayers: 1, lLayers: 1, hiddenSize: 16, expansion: 2, numHeads: 2, haltMaxSteps: 2,
};

describe('Module', () => {
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

  test('snake_case reference configs are accepted; bad ones are named', () => {
    const c = ht.hrmConfig({ batch_size: 2, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1, H_cycles: 3, L_cycles: 5, pos_encodings: 'learned', causal: false });
    expect([c.hCycles, c.lCycles, c.posEncodings, c.hiddenSize]).toEqual([3, 5, 'learned', 512]);
    expect(() => ht.hrmConfig({ ...tiny, hiddenSize: 15 })).toThrow(/not divisible by numHeads/);
    expect(() => ht.hrmConfig({ ...tiny, hcycles: 2 } as never)).toThrow(/unknown HRM config key 'hcycles'/);
    expect(() => ht.hrmConfig({ ...tiny, seqLen: 0 })).toThrow(/'seqLen' must be a positive integer/);
  });

  test('loadStateDict is strict and lists every problem; non-strict reports them', () => {
    ht.manualSeed(0);
    const a = new ht.HRM(ht.hrmConfig(tiny));
    ht.manualSeed(1);
    const b = new ht.HRM(ht.hrmConfig(tiny));
    const sd = new Map(a.stateDict());
    b.loadStateDict(sd);
    for (const [k, t] of b.stateDict()) expect(t.toArray()).toEqual(sd.get(k)!.toArray());
    const broken = new Map(sd);
    broken.delete('inner.lm_head.weight');
    broken.set('inner.extra.weight', ht.ones([2]));
    broken.set('inner.q_head.bias', ht.ones([3]));
    let msg = '';
    try {
      b.loadStateDict(broken);
    } catch (e) {
      msg = (e as Error).message;
      expect((e as { code: string }).code).toBe('STATE_DICT_MISMATCH');
    }
    expect(msg).toMatch(/missing keys \(1\): inner\.lm_head\.weight/);
    expect(msg).toMatch(/unexpected keys \(1\): inner\.extra\.weight/);
    expect(msg).toMatch(/inner\.q_head\.bias: checkpoint has shape \[3\], the model expects \[2\]/);
    broken.set('inner.q_head.bias', sd.get('inner.q_head.bias')!);
    const r = b.loadStateDict(broken, { strict: false });
    expect(r).toEqual({ missingKeys: ['inner.lm_head.weight'], unexpectedKeys: ['inner.extra.weight'] });
    a.dispose();
    b.dispose();
  });

  test('train/eval, to(dtype), zeroGrad and dispose', () => {
    const m = new ht.HRM(ht.hrmConfig(tiny));
    expect(m.training).toBe(true);
    m.eval();
    expect(m.inner.hLevel.layers[0].training).toBe(false);
    m.train();
    const live = ht.memory().liveTensors;
    m.to('float64');
    expect(m.inner.lmHead.weight.dtype).toBe('float64');
    expect(m.inner.lmHead.weight.requiresGrad).toBe(true);
    expect(m.inner.puzzleEmb!.localIds.dtype).toBe('int32'); // integer buffers keep their dtype
    expect(ht.memory().liveTensors).toBe(live); // the old tensors were freed
    m.to('float32');
    m.dispose();
    expect(ht.memory().liveTensors).toBe(live - m.stateDict().size - 2 - 2); // + local buffers, rotary tables
  });

  test('truncNormal_ has the reference semantics: std after truncation, clipped at 2 std', () => {
    ht.manualSeed(0);
    const t = ht.nn.truncNormal_(ht.empty([200_000]), 0.5);
    const std = Number(t.std().item());
    expect(Math.abs(std - 0.5)).toBeLessThan(0.005);
    const bound = (2 * 0.5) / ht.nn.TRUNCATED_UNIT_STD;
    expect(Number(t.abs().max().item())).toBeLessThanOrEqual(bound + 1e-6);
    expect(ht.nn.TRUNCATED_UNIT_STD).toBeCloseTo(0.8796256610342398, 12);
    expect(ht.nn.truncNormal_(ht.ones([3]), 0).toArray()).toEqual([0, 0, 0]);
    t.dispose();
  });

  test('the learning-rate schedule', () => {
    expect(ht.cosineScheduleWithWarmupLr(1, 1e-4, 2000, 10000)).toBeCloseTo(5e-8, 15);
    expect(ht.cosineScheduleWithWarmupLr(5000, 1e-4, 2000, 10000)).toBe(1e-4); // constant with minRatio 1
    expect(ht.cosineScheduleWithWarmupLr(2000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(1e-4, 12);
    expect(ht.cosineScheduleWithWarmupLr(10000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(1e-5, 12);
    expect(ht.cosineScheduleWithWarmupLr(6000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(5.5e-5, 12);
  });
});

describe('checkpoints', () => {
  function trainSteps(model: ht.HRM, opt: ht.AdamATan2, sparse: ht.SparseEmbeddingSignSGD, n: number): number[] {
    const head = new ht.ACTLossHead(model);
    const losses: number[] = [];
    ht.manualSeed(5);
    const batch = {
      inputs: ht.randint(0, 6, [2, 8], { dtype: 'int32' }),
      labels: ht.randint(0, 6, [2, 8], { dtype: 'int32' }),
      puzzleIdentifiers: ht.tensor([0, 2], { dtype: 'int32' }),
    };
    let carry = model.initialCarry(batch);
    for (let i = 0; i < n; i++) {
      const next = ht.scope(() => {
        const r = head.forward(carry, batch);
        r.loss.div(2).backward();
        sparse.step();
        opt.step();
        sparse.zeroGrad();
        opt.zeroGrad();
        losses.push(Number(r.loss.item()));
        return r.carry;
      });
      ht.hrm.disposeCarry(carry);
      carry = next;
    }
    ht.hrm.disposeCarry(carry);
    return losses;
  }

  test('model, optimizer state, step and RNG survive a save/load round trip exactly', () => {
    const dir = tmpDir('hrm-ckpt-');
    const file = path.join(dir, 'ckpt.safetensors');
    ht.manualSeed(0);
    const a = new ht.HRM(ht.hrmConfig(tiny));
    const optA = new ht.AdamATan2(a.parameters(), { lr: 1e-3, weightDecay: 0.1 });
    const spA = new ht.SparseEmbeddingSignSGD(a.inner.puzzleEmb!, { lr: 1e-2, weightDecay: 0.1 });
    trainSteps(a, optA, spA, 3);
    ht.manualSeed(42);
    ht.saveCheckpoint(file, { model: a, optimizers: { adam: optA, sparse: spA }, step: 3, extra: { config: tiny } });
    const cont = trainSteps(a, optA, spA, 2);

    ht.manualSeed(1);
    const b = new ht.HRM(ht.hrmConfig(tiny));
    const optB = new ht.AdamATan2(b.parameters(), { lr: 0.5, weightDecay: 0.1 });
    const spB = new ht.SparseEmbeddingSignSGD(b.inner.puzzleEmb!, { lr: 1e-2, weightDecay: 0.1 });
    ht.manualSeed(7); // a different RNG state, restored by the load
    const info = ht.loadCheckpoint(file, { model: b, optimizers: { adam: optB, sparse: spB } });
    expect(info.step).toBe(3);
    expect(info.extra).toEqual({ config: tiny });
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
    const m = new ht.HRM(ht.hrmConfig(tiny));
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
    const fresh = new ht.HRM(ht.hrmConfig(tiny));
    expect(() => ht.loadCheckpoint(path.join(dir, 'plain.safetensors'), { model: fresh })).toThrow(/not an hrm-torch checkpoint/);
    fresh.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('ACT halting', () => {
  function setup(extra: Partial<ht.HRMConfig>) {
    ht.manualSeed(0);
    const model = new ht.HRM(ht.hrmConfig({ ...tiny, haltMaxSteps: 4, ...extra }));
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
});
