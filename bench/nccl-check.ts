/**
 * The 1-GPU NCCL process-group check of scripts/gpu-check.sh (run from dist/ with plain node).
 *
 * NCCL refuses two ranks on one GPU, so on a 1-GPU machine the group has one rank, on cuda:0; a
 * sum over one rank is the tensor itself, which is what every collective is checked against.
 * What the check covers is the path a multi-GPU run takes: the rendezvous, ProcessGroupNCCL
 * created and connected (at the first collective), each collective on CUDA tensors, CPU tensors
 * through the group's Gloo part, the bucketed all-reduce, and a data-parallel Trainer on CUDA in
 * an NCCL group ending with the parameters of the same run without a group.
 *
 * Skips (exit 0) when the addon has no NCCL backend; fails (exit 1) when it has one but no CUDA
 * device is visible, or a check fails. Writes nccl-check.json to the folder given as argument.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ht from '../src';
import { allReduceBucketed } from '../src/distributed';
import { writeFileAtomic } from '../src/util/atomic';
import { freePort } from '../src/util/net';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** The largest |a - b| (both read back to the CPU). */
const maxDiff = (a: ht.Tensor, b: ht.Tensor) => ht.scope(() => Number(a.cpu().double().sub(b.cpu().double()).abs().max().item()));

/** A few dozen 4x4 Sudoku puzzles as a dataset folder (the SDK's own builder). */
function tinyDataset(dir: string): string {
  const rows = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => {
      const g = ht.data.generateSudoku({ box: { rows: 2, cols: 2 }, seed: offset + i });
      return { source: 'generated', question: g.puzzle, answer: g.solution, rating: g.rating };
    });
  ht.data.writeSudokuCsv(path.join(dir, 'train.csv'), rows(64, 0));
  ht.data.writeSudokuCsv(path.join(dir, 'test.csv'), rows(20, 1000));
  const root = path.join(dir, 'ds');
  ht.data.buildSudokuDataset({ inputs: [path.join(dir, 'train.csv')], testInputs: [path.join(dir, 'test.csv')], outputDir: root, numAug: 1, seed: 0 });
  return root;
}

/** A 16-step Trainer run on cuda:0, in `group` or without one; its final parameters. */
async function trainOnCuda(data: string, out: string, group?: ht.ProcessGroup): Promise<Map<string, ht.Tensor>> {
  const trainer = new ht.Trainer({
    dataPath: data,
    outputDir: out,
    globalBatchSize: 16,
    epochs: 4,
    evalInterval: 2,
    lr: 3e-3,
    lrWarmupSteps: 4,
    seed: 5,
    device: 'cuda:0',
    arch: { hiddenSize: 32, numHeads: 2, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 3, puzzleEmbNdim: 32, expansion: 2, haltExplorationProb: 0, forwardDtype: 'float32' },
    processGroup: group,
  });
  try {
    await trainer.run();
    return new Map([...trainer.model.stateDict().entries()].map(([k, t]) => [k, t.cpu()]));
  } finally {
    trainer.dispose();
  }
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? '.';
  const checks: Check[] = [];
  const finish = (status: 'skipped' | 'pass' | 'fail', detail: string): void => {
    writeFileAtomic(path.join(out, 'nccl-check.json'), JSON.stringify({ date: new Date().toISOString(), status, detail, checks }, null, 2));
    for (const c of checks) console.log(`${c.ok ? 'OK  ' : 'FAIL'}  nccl: ${c.name}  ${c.detail}`);
    console.log(`${status.toUpperCase()}  nccl 1-GPU group  ${detail}`);
    process.exitCode = status === 'fail' ? 1 : 0;
  };
  const backends = ht.availableBackends();
  if (!backends.nccl) return finish('skipped', `NCCL backend ${backends.missing.nccl}`);
  if (!ht.cuda.isAvailable()) return finish('fail', 'NCCL backend compiled in, but no CUDA device is visible');
  const check = async (name: string, fn: () => Promise<string> | string) => {
    try {
      checks.push({ name, ok: true, detail: await fn() });
    } catch (e) {
      checks.push({ name, ok: false, detail: (e as Error).message });
    }
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nccl-check-'));
  let pg: ht.ProcessGroup | undefined;
  try {
    await check('group of 1 rank on cuda:0', async () => {
      pg = await ht.initProcessGroup({ backend: 'nccl', rank: 0, worldSize: 1, masterAddr: '127.0.0.1', masterPort: await freePort(), timeoutMs: 120_000, cudaDevice: 0 });
      if (pg.device !== 'cuda:0') throw new Error(`group device ${pg.device}, expected cuda:0`);
      return `backend ${pg.backend}, device ${pg.device}, CPU tensors through Gloo: ${pg.cpuTensors}`;
    });
    const group = pg;
    if (!group) return finish('fail', checks[0].detail);
    // Freed by hand: the collectives are awaited, and scope() takes synchronous functions only.
    const owned: ht.Tensor[] = [];
    const keep = <T extends ht.Tensor | ht.Tensor[]>(t: T): T => (owned.push(...(Array.isArray(t) ? t : [t])), t);
    try {
      for (const [op, dtype] of [['sum', 'float32'], ['avg', 'float32'], ['max', 'int64'], ['sum', 'bfloat16']] as const) {
        await check(`allReduce ${op} ${dtype}`, async () => {
          const x = keep(ht.arange(0, 4096, 1, { device: 'cuda', dtype }));
          const expected = keep(x.clone());
          await group.allReduce(x, { op });
          const d = maxDiff(x, expected);
          if (d !== 0) throw new Error(`a reduction over one rank changed the tensor (max diff ${d})`);
          return '4096 elements, unchanged';
        });
      }
      await check('broadcast, allGather, barrier', async () => {
        const x = keep(ht.randn([3, 5], { device: 'cuda' }));
        const expected = keep(x.clone());
        await group.broadcast(x);
        const gathered = keep(await group.allGather(x));
        await group.barrier();
        if (gathered.length !== 1 || gathered[0].device !== x.device) throw new Error(`allGather gave ${gathered.length} tensors on ${gathered[0]?.device}`);
        const d = Math.max(maxDiff(x, expected), maxDiff(gathered[0], expected));
        if (d !== 0) throw new Error(`max diff ${d}`);
        return 'unchanged; the gathered copy is on cuda:0';
      });
      await check('bucketed allReduce of 40 tensors (several buckets)', async () => {
        const ts = keep(Array.from({ length: 40 }, (_, i) => ht.randn([64, i + 1], { device: 'cuda' })));
        const expected = keep(ts.map((t) => t.clone()));
        await allReduceBucketed(group, ts, { bucketBytes: 16_384 });
        const d = Math.max(...ts.map((t, i) => maxDiff(t, expected[i])));
        if (d !== 0) throw new Error(`max diff ${d}`);
        return 'unchanged';
      });
      if (group.cpuTensors) {
        await check('a CPU tensor in the NCCL group (its Gloo part)', async () => {
          const x = keep(ht.tensor([1, 2, 3]));
          await group.allReduce(x);
          return `[${Array.from(x.toTypedArray() as Float32Array).join(', ')}]`;
        });
      }
    } finally {
      for (const t of owned) if (!t.isDisposed) t.dispose();
    }
    await check('data-parallel Trainer on cuda:0 in the NCCL group = the same run without a group', async () => {
      const data = tinyDataset(tmp);
      const plain = await trainOnCuda(data, path.join(tmp, 'plain'));
      const inGroup = await trainOnCuda(data, path.join(tmp, 'nccl'), group);
      try {
        const d = Math.max(...[...plain.entries()].map(([k, t]) => maxDiff(t, inGroup.get(k)!)));
        if (!(d < 1e-5)) throw new Error(`parameters differ by up to ${d}`);
        return `16 steps, ${plain.size} tensors, max diff ${d}`;
      } finally {
        for (const m of [plain, inGroup]) for (const t of m.values()) t.dispose();
      }
    });
  } finally {
    await pg?.destroy().catch(() => undefined);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const failed = checks.filter((c) => !c.ok);
  finish(failed.length ? 'fail' : 'pass', failed.length ? `${failed.length} of ${checks.length} checks failed` : `${checks.length} checks passed`);
}

void main();
