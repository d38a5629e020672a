/**
 * CUDA checks for the GPU machine (scripts/gpu-check.sh runs this from dist/ with plain node):
 * ops on cuda against the same ops on the CPU, autograd on cuda, memory stats, async readback,
 * and per-op latency on the device. Writes JSON to the folder given as the first argument.
 */
import * as path from 'path';
import * as ht from '../src';
import { writeFileAtomic } from '../src/util/atomic';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

function maxDiff(a: ht.Tensor, b: ht.Tensor): number {
  return ht.scope(() => Number(a.cpu().float().sub(b.cpu().float()).abs().max().item()));
}

function timeIt(fn: () => void, iters: number): number {
  for (let i = 0; i < Math.min(50, iters); i++) fn();
  ht.cuda.synchronize();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) fn();
  ht.cuda.synchronize();
  return Number(process.hrtime.bigint() - t0) / iters / 1000; // µs
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? '.';
  const checks: Check[] = [];
  const timingsHrm: Record<string, number> = {};
  const check = (name: string, fn: () => string | boolean) => {
    try {
      const r = fn();
      checks.push({ name, ok: r !== false, detail: typeof r === 'string' ? r : '' });
    } catch (e) {
      checks.push({ name, ok: false, detail: (e as Error).message });
    }
  };
  const info = ht.buildInfo();
  check('cuda available', () => {
    if (!ht.cuda.isAvailable()) throw new Error(`no CUDA device (${ht.cuda.deviceCount()} devices, built with CUDA: ${info.builtWithCuda})`);
    return `${ht.cuda.deviceCount()} devices, built with CUDA: ${info.builtWithCuda}`;
  });
  ht.manualSeed(0);
  check('matmul fp32 cuda vs cpu', () => ht.scope(() => {
    const a = ht.randn([256, 256]);
    const b = ht.randn([256, 256]);
    const d = maxDiff(a.cuda().matmul(b.cuda()), a.matmul(b));
    return d < 1e-2 ? `max diff ${d}` : false;
  }));
  check('sdpa bf16 cuda vs fp32 cpu', () => ht.scope(() => {
    const [q, k, v] = [0, 1, 2].map(() => ht.randn([4, 8, 81, 64]));
    const ref = ht.scaledDotProductAttention(q, k, v);
    const got = ht.scaledDotProductAttention(q.cuda().bfloat16(), k.cuda().bfloat16(), v.cuda().bfloat16());
    const d = maxDiff(got, ref);
    return d < 5e-2 ? `max diff ${d}` : false;
  }));
  check('autograd on cuda', () => ht.scope(() => {
    const w = ht.randn([64, 32], { device: 'cuda' }).requiresGrad_(true);
    const x = ht.randn([16, 32], { device: 'cuda' });
    const loss = ht.crossEntropy(ht.linear(x, w), ht.randint(0, 64, [16], { device: 'cuda' }));
    loss.backward();
    const g = w.grad!;
    return g.device.startsWith('cuda') && Number(g.abs().sum().item()) > 0 ? `grad on ${g.device}` : false;
  }));
  check('rmsNorm + crossEntropy cuda vs cpu', () => ht.scope(() => {
    const x = ht.randn([8, 81, 128]);
    const d = maxDiff(ht.rmsNorm(x.cuda(), { eps: 1e-5 }), ht.rmsNorm(x, { eps: 1e-5 }));
    const logits = ht.randn([32, 10]);
    const t = ht.randint(0, 10, [32]);
    const d2 = maxDiff(ht.crossEntropy(logits.cuda(), t.cuda()), ht.crossEntropy(logits, t));
    return d < 1e-4 && d2 < 1e-4 ? `max diffs ${d}, ${d2}` : false;
  }));
  try {
    const asyncOk = await ht.scope(() => ht.arange(0, 1 << 20, 1, { dtype: 'float32', device: 'cuda' }).keep()).toTypedArrayAsync();
    checks.push({ name: 'async readback from cuda', ok: asyncOk[(1 << 20) - 1] === (1 << 20) - 1, detail: `${asyncOk.length} floats` });
  } catch (e) {
    checks.push({ name: 'async readback from cuda', ok: false, detail: (e as Error).message });
  }
  check('memory stats', () => {
    const m = ht.memory().cuda;
    ht.cuda.emptyCache();
    return m.allocated > 0 ? `allocated ${m.allocated}, reserved ${m.reserved}, peak ${m.peakAllocated}` : false;
  });
  check('OOM is a catchable error', () => {
    try {
      ht.scope(() => ht.empty([1 << 20, 1 << 20, 64], { device: 'cuda' }));
      return false;
    } catch (e) {
      // only an out-of-memory error counts (without a device, CUDA_UNAVAILABLE is not one)
      const code = (e as { code?: string }).code;
      return code === 'OUT_OF_MEMORY' ? `${code}: ${(e as Error).message.slice(0, 80)}` : false;
    }
  });
  check('HRM segment step on cuda (bf16 activations, fp32 master weights)', () => {
    const cfg = ht.hrmConfig({ batchSize: 16, seqLen: 81, vocabSize: 11, numPuzzleIdentifiers: 1, forwardDtype: 'bfloat16' });
    ht.manualSeed(0);
    const model = new ht.HRM(cfg, { device: 'cuda' });
    const head = new ht.ACTLossHead(model);
    const adam = new ht.AdamATan2(model.parameters(), { lr: 1e-4, weightDecay: 1, betas: [0.9, 0.95] });
    const sparse = new ht.SparseEmbeddingSignSGD(model.inner.puzzleEmb!, { lr: 1e-4, weightDecay: 1 });
    const batch = {
      inputs: ht.randint(0, 11, [16, 81], { dtype: 'int32', device: 'cuda' }),
      labels: ht.randint(1, 11, [16, 81], { dtype: 'int32', device: 'cuda' }),
      puzzleIdentifiers: ht.zeros([16], { dtype: 'int32', device: 'cuda' }),
    };
    let carry = model.initialCarry(batch);
    const losses: number[] = [];
    const step = () => {
      const next = ht.scope(() => {
        const r = head.forward(carry, batch);
        r.loss.div(16).backward();
        sparse.step();
        adam.step();
        sparse.zeroGrad();
        adam.zeroGrad();
        losses.push(Number(r.loss.item()));
        return r.carry;
      });
      ht.hrm.disposeCarry(carry);
      carry = next;
    };
    step();
    const ms = timeIt(step, 20) / 1000;
    timingsHrm['HRM sudoku segment step, bf16, batch 16 (ms)'] = ms;
    model.dispose();
    return losses.every(Number.isFinite) ? `loss ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}, ${ms.toFixed(1)} ms/step` : false;
  });
  const timings: Record<string, number> = { ...timingsHrm };
  // Without a device the checks above have failed with their reasons; there is nothing to time.
  if (ht.cuda.isAvailable()) {
    ht.scope(() => {
      const a = ht.ones([1], { device: 'cuda' });
      timings['add 1 element (µs)'] = timeIt(() => a.add(a).dispose(), 20000);
      const m = ht.randn([512, 512], { device: 'cuda' });
      timings['matmul 512 fp32 (µs)'] = timeIt(() => m.matmul(m).dispose(), 2000);
    });
  }
  const report = { date: new Date().toISOString(), torch: info.torchVersion, checks, timings, leftLive: ht.memory().liveTensors };
  writeFileAtomic(path.join(out, 'gpu-check.json'), JSON.stringify(report, null, 2));
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}  ${c.detail}`);
  console.log(JSON.stringify(timings));
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
}

void main();
