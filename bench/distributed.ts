/**
 * Data-parallel communication: the SDK's c10d Gloo all-reduce against Python torch.distributed's,
 * 2 ranks on 127.0.0.1, same machine, same run; then what a bucketed gradient all-reduce of an
 * HRM-sized model costs next to one single-process training step.
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/bench/distributed.js [--quick] [--threads N] [--json out.json] [--python PATH]
 *                                  [--only allreduce,grads,step] [--rounds N]
 *
 * allreduce  float32 all-reduces (sum) of 4 KB .. 64 MB. Each side is a pair of rank processes
 *            (SDK: this script as a rank worker; Python: bench/distributed_ref.py with
 *            torch.distributed's Gloo), all four started at once and kept up for the whole run.
 *            For each size the sides take turns, round by round, in alternating order; a round
 *            is K all-reduces in a row, each one timed on its own (on both ranks; the slower of
 *            the two ranks counts), so a loaded machine slows both sides alike. Reported: the
 *            median, the spread (interquartile range) and the bandwidth (bytes / median time;
 *            with 2 ranks this is also the ring all-reduce's "bus bandwidth").
 * grads      the gradient all-reduce of the HRM Sudoku model (hidden 512, 4+4 layers: 27.3M
 *            parameters, 109 MB of float32 gradients) in 25 MB buckets, on the SDK's ranks, two
 *            ways: allReduceGradients() (copies into flat buffers and back) and GradientBuckets
 *            (the gradients are views into the buffers); and, as the lower bound, one all-reduce
 *            of a single buffer of the same bytes. The three take turns round by round.
 * step       one single-process training segment-step of that model (forward through the loss
 *            head, backward, SignSGD and AdamATan2), at batch 16 and at batch 8 (each of 2 ranks'
 *            share of a global batch of 16), run after the ranks have exited, with --threads.
 *
 * The rank workers run 1 intra-op thread each (2 ranks on this 2-core machine).
 */
import * as readline from 'readline';
import * as ht from '../src';
import { freePort } from '../src/util/net';
import { SideBySideOptions, exitWithUsage, parseFlags, sideBySideFlags } from './flags';
import { JsonLineChild, PyInfo, Summary, benchFile, fmtCell, fmtMs, log, mdTable, metadataLines, now, resolvePython, runMain, runMetadata, summarize, writeJsonReport } from './harness';

const WORKLOADS = ['allreduce', 'grads', 'step'];
const SIZES = [4 << 10, 64 << 10, 1 << 20, 4 << 20, 16 << 20, 64 << 20];
/** All-reduces per round at each size: enough for ~50-500 ms of a round. */
const ITERS: Record<number, { full: number; quick: number }> = {
  [4 << 10]: { full: 100, quick: 30 },
  [64 << 10]: { full: 60, quick: 20 },
  [1 << 20]: { full: 20, quick: 8 },
  [4 << 20]: { full: 8, quick: 4 },
  [16 << 20]: { full: 4, quick: 2 },
  [64 << 20]: { full: 2, quick: 1 },
};
const BUCKET_BYTES = 25 * 1024 * 1024;
const SUDOKU: Partial<ht.HRMConfig> = {
  seqLen: 81, vocabSize: 11, numPuzzleIdentifiers: 1, hCycles: 2, lCycles: 2, expansion: 4, posEncodings: 'rope', haltMaxSteps: 16,
  haltExplorationProb: 0.1, forwardDtype: 'float32', lossType: 'stablemax_cross_entropy', hiddenSize: 512, numHeads: 8, hLayers: 4, lLayers: 4, puzzleEmbNdim: 512,
};

interface Options extends SideBySideOptions {
  python: string;
  rounds?: number;
}

function usage(): never {
  return exitWithUsage('usage: node dist/bench/distributed.js [--quick] [--threads N] [--json out.json] [--python PATH] [--only allreduce,grads,step] [--rounds N]');
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, threads: 2, python: '' };
  parseFlags(argv, { ...sideBySideFlags(o, WORKLOADS), '--rounds': (v) => (o.rounds = v.positiveInteger()) }, usage);
  o.python = resolvePython(o.python || undefined);
  return o;
}

// ------------------------------------------------------------------------------ a rank

/** What a rank worker is told: its place in the group and its threads. */
interface RankConfig {
  rank: number;
  world_size: number;
  master_addr: string;
  master_port: number;
  threads: number;
}

const emit = (obj: object) => process.stdout.write(`${JSON.stringify(obj)}\n`);

/** The SDK's rank: joins the group, then answers {kind: 'allreduce', bytes, iters} and {kind: 'grads', iters}. */
async function rankWorker(cfg: RankConfig): Promise<void> {
  ht.setNumThreads(cfg.threads);
  const pg = await ht.initProcessGroup({ rank: cfg.rank, worldSize: cfg.world_size, masterAddr: cfg.master_addr, masterPort: cfg.master_port, timeoutMs: 120_000 });
  emit({ ready: true, torch: ht.buildInfo().torchVersion, threads: ht.getNumThreads(), interop_threads: ht.getNumInteropThreads(), python: process.version, executable: process.execPath, torch_lib: ht.buildInfo().libtorchDir ?? '' });
  const buffers = new Map<number, ht.Tensor>();
  let model: ht.HRM | undefined;
  let buckets: ht.GradientBuckets | undefined;
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as { cmd?: string; kind: string; bytes: number; iters: number };
    if (req.cmd === 'exit') {
      emit({ ok: true });
      break;
    }
    const ms: number[] = [];
    if (req.kind === 'allreduce') {
      const n = req.bytes / 4;
      if (!buffers.has(n)) buffers.set(n, ht.zeros([n]));
      const x = buffers.get(n)!;
      for (let i = 0; i < req.iters; i++) {
        const t0 = now();
        await pg.allReduce(x);
        ms.push(Number(now() - t0) / 1e6);
      }
      emit({ ok: true, ms });
    } else if (req.kind === 'flat') {
      // the lower bound of the gradient all-reduce: the same bytes in one buffer, nothing copied
      const n = req.bytes / 4;
      const x = ht.zeros([n]);
      for (let i = 0; i < req.iters; i++) {
        const t0 = now();
        await pg.allReduce(x);
        ms.push(Number(now() - t0) / 1e6);
      }
      x.dispose();
      emit({ ok: true, ms });
    } else {
      if (!model) {
        ht.manualSeed(0);
        model = new ht.HRM(ht.hrmConfig({ ...SUDOKU, batchSize: 16 }));
        for (const p of model.parameters()) p.grad = ht.zerosLike(p);
      }
      if (req.kind === 'views') buckets ??= new ht.GradientBuckets(model, { bucketBytes: BUCKET_BYTES });
      for (let i = 0; i < req.iters; i++) {
        // views: the gradients live in the buckets (prepare() is the step's zeroing, outside the timing)
        buckets?.prepare();
        const t0 = now();
        if (req.kind === 'views') await buckets!.allReduce(pg);
        else await ht.allReduceGradients(pg, model, { bucketBytes: BUCKET_BYTES });
        ms.push(Number(now() - t0) / 1e6);
      }
      const params = model.parameters();
      const gradBytes = params.reduce((n, p) => n + p.numel * 4, 0);
      emit({ ok: true, ms, params: params.reduce((n, p) => n + p.numel, 0), tensors: params.length, buckets: ht.distributed.planBuckets(params, BUCKET_BYTES).length, gradBytes });
    }
  }
  await pg.destroy();
}

/** A rank process (either side) the driver sends requests to. */
class RankChild extends JsonLineChild {
  /** Sends one request and returns its answer. */
  ask(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request(req);
  }
}

// ------------------------------------------------------------------------------ the driver

type Side = 'sdk' | 'torch';

/** The per-iteration times of both ranks, the slower rank's for each iteration (ns). */
async function round(ranks: RankChild[], req: Record<string, unknown>): Promise<{ ns: number[]; extra: Record<string, unknown> }> {
  const answers = await Promise.all(ranks.map((r) => r.ask(req)));
  const per = answers.map((a) => a.ms as number[]);
  return { ns: per[0].map((_, i) => Math.max(...per.map((p) => p[i])) * 1e6), extra: answers[0] };
}

interface StepResult {
  batch: number;
  summary: Summary;
}

/** Single-process segment-steps of the Sudoku model at `batch`: 1 warmup, then `steps` timed. */
function timeSteps(batch: number, steps: number): StepResult {
  ht.manualSeed(0);
  const cfg = ht.hrmConfig({ ...SUDOKU, batchSize: batch });
  const model = new ht.HRM(cfg);
  model.train(true);
  const head = new ht.ACTLossHead(model);
  const data: ht.HRMBatch = {
    inputs: ht.randint(0, cfg.vocabSize, [batch, cfg.seqLen], { dtype: 'int32' }),
    labels: ht.randint(0, cfg.vocabSize, [batch, cfg.seqLen], { dtype: 'int32' }),
    puzzleIdentifiers: ht.zeros([batch], { dtype: 'int32' }),
  };
  const adam = new ht.AdamATan2(model.parameters(), { lr: 1e-4, weightDecay: 0.1, betas: [0.9, 0.95] });
  const sparse = new ht.SparseEmbeddingSignSGD(model.inner.puzzleEmb!, { lr: 1e-2, weightDecay: 0.1 });
  let carry = ht.scope(() => model.initialCarry(data));
  const samples: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t0 = now();
    const next = ht.scope(() => {
      const r = head.forward(carry, data);
      r.loss.div(batch).backward();
      sparse.step();
      adam.step();
      sparse.zeroGrad();
      adam.zeroGrad();
      return r.carry;
    });
    ht.hrm.disposeCarry(carry);
    carry = next;
    if (s > 0) samples.push(Number(now() - t0));
  }
  ht.hrm.disposeCarry(carry);
  adam.dispose();
  sparse.dispose();
  for (const t of Object.values(data)) t.dispose();
  model.dispose();
  return { batch, summary: summarize(samples) };
}

const fmtSize = (b: number) => (b >= 1 << 20 ? `${b >> 20} MB` : `${b >> 10} KB`);
const gbps = (bytes: number, ns: number) => `${(bytes / ns).toFixed(2)} GB/s`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const wants = (w: string) => !o.only || o.only.includes(w);
  const rounds = o.rounds ?? (o.quick ? 3 : 7);
  const addr = '127.0.0.1';
  const ports = { sdk: await freePort(addr), torch: await freePort(addr) };
  const config = (side: Side, rank: number): RankConfig => ({ rank, world_size: 2, master_addr: addr, master_port: ports[side], threads: 1 });
  const ranks: Record<Side, RankChild[]> = {
    sdk: [0, 1].map((r) => new RankChild(process.execPath, __filename, config('sdk', r))),
    torch: [0, 1].map((r) => new RankChild(o.python, benchFile('distributed_ref.py'), config('torch', r))),
  };
  const all = [...ranks.sdk, ...ranks.torch];
  let py: PyInfo;
  const results: Record<string, unknown> = {};
  const tables: string[] = [];
  try {
    const infos = await Promise.all(all.map((r) => r.ready()));
    py = infos[2];
    log(`ranks ready: SDK ${infos[0].threads} thread(s) each, torch.distributed ${py.threads} (torch ${py.torch})`);

    if (wants('allreduce')) {
      const rows: string[][] = [];
      const perSize: Record<string, unknown>[] = [];
      for (const bytes of SIZES) {
        const iters = ITERS[bytes][o.quick ? 'quick' : 'full'];
        const req = { kind: 'allreduce', bytes, iters };
        for (const side of ['sdk', 'torch'] as Side[]) await round(ranks[side], req); // warmup: buffers, connections
        const samples: Record<Side, number[]> = { sdk: [], torch: [] };
        for (let k = 0; k < rounds; k++) {
          const order: Side[] = k % 2 === 0 ? ['sdk', 'torch'] : ['torch', 'sdk'];
          for (const side of order) samples[side].push(...(await round(ranks[side], req)).ns);
        }
        const s = { sdk: summarize(samples.sdk), torch: summarize(samples.torch) };
        log(`all-reduce ${fmtSize(bytes)}: SDK ${fmtMs(s.sdk.medianNs)}, torch.distributed ${fmtMs(s.torch.medianNs)}`);
        rows.push([fmtSize(bytes), fmtCell(s.sdk, fmtMs), fmtCell(s.torch, fmtMs), `${(s.sdk.medianNs / s.torch.medianNs).toFixed(2)}x`, gbps(bytes, s.sdk.medianNs), gbps(bytes, s.torch.medianNs), String(samples.sdk.length)]);
        perSize.push({ bytes, iters, rounds, sdk: s.sdk, torch: s.torch });
      }
      results.allreduce = perSize;
      tables.push(mdTable(['size (float32)', 'SDK', 'torch.distributed', 'SDK / torch', 'SDK bandwidth', 'torch bandwidth', 'samples per side'], rows));
    }

    if (wants('grads')) {
      const iters = o.quick ? 1 : 2;
      const req = { kind: 'grads', iters };
      const first = await round(ranks.sdk, req); // builds the model and its zero gradients, warms up
      const reqs = { copies: req, views: { kind: 'views', iters }, flat: { kind: 'flat', bytes: first.extra.gradBytes, iters } };
      await round(ranks.sdk, reqs.views); // builds the buckets
      // the three in turns, round by round, the order rotating
      const ns: Record<keyof typeof reqs, number[]> = { copies: [], views: [], flat: [] };
      const kinds = Object.keys(reqs) as (keyof typeof reqs)[];
      for (let k = 0; k < Math.max(3, rounds); k++) {
        for (let j = 0; j < kinds.length; j++) {
          const kind = kinds[(j + k) % kinds.length];
          ns[kind].push(...(await round(ranks.sdk, reqs[kind])).ns);
        }
      }
      const [s, v, f] = [summarize(ns.copies), summarize(ns.views), summarize(ns.flat)];
      results.grads = { ...first.extra, ms: undefined, ok: undefined, bucketBytes: BUCKET_BYTES, summary: s, views: v, flat: f };
      log(`gradient all-reduce of ${first.extra.params} parameters in ${first.extra.buckets} buckets: copies ${fmtMs(s.medianNs)}, views ${fmtMs(v.medianNs)}; the same bytes in one buffer: ${fmtMs(f.medianNs)}`);
    }
  } finally {
    await Promise.all(all.map((r) => r.close().catch(() => r.kill())));
  }

  if (wants('step')) {
    ht.setNumThreads(o.threads);
    const steps = o.quick ? 2 : 3;
    results.step = [16, 8].map((b) => {
      const r = timeSteps(b, steps);
      log(`single-process step at batch ${b}: ${fmtMs(r.summary.medianNs)}`);
      return r;
    });
  }

  // The ranks (both sides) run 1 intra-op thread each; the single-process step runs --threads.
  const meta = runMetadata({ py: py!, threads: 1, sdkThreads: 1, quick: o.quick, startedMs: started }, { rounds, stepThreads: o.threads });
  const lines = ['## Data-parallel: c10d collectives', '', ...metadataLines(meta), '', ...tables];
  const grads = results.grads as { params: number; tensors: number; buckets: number; gradBytes: number; summary: Summary; views: Summary; flat: Summary } | undefined;
  const step = results.step as StepResult[] | undefined;
  if (grads) {
    lines.push('', `gradient all-reduce (${BUCKET_BYTES >> 20} MB buckets): ${(grads.params / 1e6).toFixed(2)}M parameters in ${grads.tensors} tensors, ${grads.buckets} buckets, ${(grads.gradBytes / 1e6).toFixed(0)} MB: allReduceGradients (copies in and out) ${fmtCell(grads.summary, fmtMs)}; GradientBuckets (gradients as views) ${fmtCell(grads.views, fmtMs)}; the same bytes as one all-reduce of one buffer: ${fmtCell(grads.flat, fmtMs)}`);
  }
  if (step) {
    for (const s of step) lines.push(`single-process segment-step, batch ${s.batch}, ${o.threads} threads: ${fmtCell(s.summary, fmtMs)}`);
    if (grads) {
      const [full, half] = step.map((s) => s.summary.medianNs);
      // the Trainer's data-parallel step reduces GradientBuckets
      const comm = grads.views.medianNs;
      const perRank = half + comm;
      lines.push(`2 ranks on 2 machines (projected): batch 8 each + the GradientBuckets all-reduce = ${fmtMs(perRank)} per step against ${fmtMs(full)} in one process: ${(full / perRank).toFixed(2)}x; communication is ${((100 * comm) / perRank).toFixed(1)}% of the step`);
    }
  }
  console.log(`\n${lines.join('\n')}`);
  if (o.json) writeJsonReport(o.json, { meta, results });
}

const workerConfig = process.argv[2]?.startsWith('{') ? (JSON.parse(process.argv[2]) as RankConfig) : undefined;
if (workerConfig) runMain(() => rankWorker(workerConfig));
else runMain(main);
