/**
 * The 1-GPU NCCL process-group check of scripts/gpu-check.sh (run from dist/ with plain node).
 *
 * PLACEHOLDER until the addon has an NCCL backend: it runs only when `buildInfo()` lists one (a
 * field named like "...backends" holding "nccl") and the SDK's src/distributed is built;
 * otherwise it prints why it skipped ("NCCL backend not compiled in") and exits 0. When both are
 * there it makes a world of one rank on cuda:0, all-reduces a tensor (the sum over one rank is the
 * tensor itself) and destroys the group. Writes nccl-check.json to the folder given as argument.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../src';
import { writeFileAtomic } from '../src/util/atomic';

/** The part of src/distributed this check calls. */
interface DistributedApi {
  initProcessGroup(opts: { backend: 'nccl'; rank: number; worldSize: number; masterAddr: string; masterPort: number; timeoutMs: number }): unknown;
  allReduce(tensors: ht.Tensor[], op?: string): unknown;
  destroy(): unknown;
}

/** Whether a field of buildInfo() names "nccl" among the backends compiled in. */
function ncclCompiledIn(info: object): boolean {
  return Object.entries(info).some(([k, v]) => {
    if (!/backends?$/i.test(k)) return false;
    if (Array.isArray(v)) return v.some((b) => String(b).toLowerCase() === 'nccl');
    if (v && typeof v === 'object') return Boolean((v as Record<string, unknown>).nccl);
    return typeof v === 'string' && /\bnccl\b/i.test(v);
  });
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? '.';
  const report = (status: 'skipped' | 'pass' | 'fail', detail: string): void => {
    writeFileAtomic(path.join(out, 'nccl-check.json'), JSON.stringify({ date: new Date().toISOString(), status, detail }, null, 2));
    console.log(`${status.toUpperCase()}  nccl 1-GPU group  ${detail}`);
    process.exitCode = status === 'fail' ? 1 : 0;
  };
  if (!ncclCompiledIn(ht.buildInfo())) return report('skipped', 'NCCL backend not compiled in');
  const distDir = path.join(__dirname, '..', 'src', 'distributed');
  if (!fs.existsSync(path.join(distDir, 'index.js'))) return report('skipped', `NCCL backend compiled in, but ${distDir} is not built`);
  if (!ht.cuda.isAvailable()) return report('fail', 'NCCL backend compiled in, but no CUDA device');
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dist = require(distDir) as DistributedApi;
  try {
    await dist.initProcessGroup({ backend: 'nccl', rank: 0, worldSize: 1, masterAddr: '127.0.0.1', masterPort: 29500 + (process.pid % 1000), timeoutMs: 60_000 });
    // Freed by hand: scope() takes synchronous functions only, and the all-reduce may be awaited.
    const x = ht.arange(0, 1024, 1, { device: 'cuda', dtype: 'float32' });
    const expected = x.clone();
    try {
      await dist.allReduce([x], 'sum');
      const diff = ht.scope(() => Number(x.sub(expected).abs().max().item()));
      if (diff !== 0) throw new Error(`all-reduce over one rank changed the tensor (max diff ${diff})`);
    } finally {
      x.dispose();
      expected.dispose();
    }
    const detail = 'world of 1 on cuda:0: all-reduce sum leaves the tensor unchanged';
    report('pass', detail);
  } catch (e) {
    report('fail', (e as Error).message);
  } finally {
    try {
      await dist.destroy();
    } catch {
      // a group that never formed has nothing to destroy
    }
  }
}

void main();
