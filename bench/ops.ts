/**
 * Per-op latency: the SDK against Python PyTorch on the same libtorch, in the same run.
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/bench/ops.js [--quick] [--threads N] [--json out.json]
 *                          [--reps N] [--target-ms N] [--only add,mlp] [--python PATH]
 *
 * Workloads (float32, CPU): a 1-element add, 64x64 and 512x512 matmuls, one training step of a
 * 784-256-10 MLP on a batch of 64 (forward, cross entropy, backward, hand-written SGD under
 * noGrad, grads set to none), and the 1-element add on requiresGrad inputs.
 *
 * The SDK side runs in three memory styles:
 *   dispose  every result is disposed explicitly with t.dispose()
 *   scope    each iteration runs inside ht.scope(() => ...)
 *   gc       nothing is disposed; the FinalizationRegistry safety net frees the tensors. V8 only
 *            clears FinalizationRegistry targets in full collections, and it does not know how much
 *            native memory a tensor holds, so in a short loop nothing is freed at all. Each
 *            repetition therefore starts from a collected heap and ends with one forced full
 *            collection (its pause not timed) and a turn of the event loop in which the finalizers
 *            free what the loop dropped (timed); the loop alone and the pause are reported too.
 *
 * The PyTorch side (bench/ops_ref.py) is one child process that stays up for the whole run and
 * answers one JSON request per repetition, so PyTorch, the dispose style and the scope style take
 * turns repetition by repetition (in a rotating order) rather than in long blocks: a concurrently
 * loaded machine then slows all of them alike. The GC-only style runs afterwards on its own, since
 * the native memory it leaves to the collector would disturb the others. Every side gets the same
 * warmup (one repetition), the same iterations per repetition (calibrated once on the dispose style
 * to reach --target-ms) and the same number of repetitions; the median ns per iteration is
 * reported. The ratio column divides the better of dispose and scope by PyTorch.
 */
import * as ht from '../src';
import { SideBySideOptions, exitWithUsage, parseFlags, sideBySideFlags } from './flags';
import { JsonLineChild, Summary, benchFile, driveChild, fmtCell, fmtUs, gc, log, mdTable, memoryAtExitLine, metadataLines, now, resolvePython, runMain, runMetadata, settle, summarize, writeJsonReport, yieldToLoop } from './harness';

// ------------------------------------------------------------------------------ options

interface Options extends SideBySideOptions {
  python: string;
  reps: number;
  targetMs: number;
}

function usage(): never {
  return exitWithUsage(
    'usage: node dist/bench/ops.js [--quick] [--threads N] [--json out.json] [--reps N] [--target-ms N] [--only id,id] [--python PATH]\n' +
      `workload ids: ${WORKLOADS.map((w) => w.id).join(', ')}`,
  );
}

function parseArgs(argv: string[]): Options {
  const o: SideBySideOptions = { quick: false, threads: 1 };
  let reps: number | undefined;
  let targetMs: number | undefined;
  parseFlags(
    argv,
    {
      ...sideBySideFlags(o, WORKLOADS.map((w) => w.id)),
      '--reps': (v) => (reps = Math.floor(v.positive())),
      '--target-ms': (v) => (targetMs = v.positive()),
    },
    usage,
  );
  return { ...o, python: resolvePython(o.python), reps: reps ?? (o.quick ? 9 : 15), targetMs: targetMs ?? (o.quick ? 40 : 100) };
}

// ------------------------------------------------------------------------------ workloads

type Style = 'dispose' | 'scope' | 'gc';
const STYLES: Style[] = ['dispose', 'scope', 'gc'];
type Loop = (iters: number) => void;

interface Prepared {
  loops: Record<Style, Loop>;
  /** frees the workload's inputs and parameters */
  teardown(): void;
}

interface Workload {
  id: string;
  label: string;
  prepare(): Prepared;
}

const LR = 0.01;

/** A tensor made in a scope (so temporaries are freed) and kept: the caller disposes it. */
function made<T extends ht.Tensor>(fn: () => T): T {
  return ht.scope(fn);
}

// The timed loops are written out per workload, as in ops_ref.py: the op itself in the loop, no
// per-iteration call through a shared helper.
function addWorkload(id: string, label: string, requiresGrad: boolean): Workload {
  return {
    id,
    label,
    prepare() {
      const a = ht.tensor([1.5], { dtype: 'float32', requiresGrad });
      const b = ht.tensor([2.5], { dtype: 'float32', requiresGrad });
      return {
        loops: {
          dispose: (n) => {
            for (let i = 0; i < n; i++) a.add(b).dispose();
          },
          scope: (n) => {
            for (let i = 0; i < n; i++) {
              ht.scope(() => {
                a.add(b);
              });
            }
          },
          gc: (n) => {
            for (let i = 0; i < n; i++) a.add(b);
          },
        },
        teardown() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

function matmulWorkload(size: number): Workload {
  return {
    id: `matmul${size}`,
    label: `matmul ${size}x${size}`,
    prepare() {
      const a = ht.randn([size, size]);
      const b = ht.randn([size, size]);
      return {
        loops: {
          dispose: (n) => {
            for (let i = 0; i < n; i++) a.matmul(b).dispose();
          },
          scope: (n) => {
            for (let i = 0; i < n; i++) {
              ht.scope(() => {
                a.matmul(b);
              });
            }
          },
          gc: (n) => {
            for (let i = 0; i < n; i++) a.matmul(b);
          },
        },
        teardown() {
          a.dispose();
          b.dispose();
        },
      };
    },
  };
}

const mlpWorkload: Workload = {
  id: 'mlp',
  label: 'MLP 784-256-10, batch 64: fwd+bwd+SGD',
  prepare() {
    const w1 = made(() => ht.randn([256, 784]).mul(0.036)).requiresGrad_(true);
    const b1 = ht.zeros([256]).requiresGrad_(true);
    const w2 = made(() => ht.randn([10, 256]).mul(0.0625)).requiresGrad_(true);
    const b2 = ht.zeros([10]).requiresGrad_(true);
    const params = [w1, b1, w2, b2];
    const x = ht.randn([64, 784]);
    const y = ht.randint(0, 10, [64]);

    // Only the tensors each style must handle differ; the ops are the same in all three.
    const sgdDispose = () => {
      for (const p of params) {
        const g = p.grad!;
        const u = g.mul(LR);
        p.sub_(u);
        u.dispose();
        g.dispose();
        p.grad = undefined;
      }
    };
    const sgdPlain = () => {
      for (const p of params) {
        p.sub_(p.grad!.mul(LR));
        p.grad = undefined;
      }
    };
    const stepPlain = () => {
      const h = ht.linear(x, w1, b1).relu();
      const logits = ht.linear(h, w2, b2);
      const loss = ht.crossEntropy(logits, y);
      loss.backward();
      ht.noGrad(sgdPlain);
    };
    return {
      loops: {
        dispose: (n) => {
          for (let i = 0; i < n; i++) {
            const z1 = ht.linear(x, w1, b1);
            const h = z1.relu();
            const logits = ht.linear(h, w2, b2);
            const loss = ht.crossEntropy(logits, y);
            loss.backward();
            ht.noGrad(sgdDispose);
            z1.dispose();
            h.dispose();
            logits.dispose();
            loss.dispose();
          }
        },
        scope: (n) => {
          for (let i = 0; i < n; i++) ht.scope(stepPlain);
        },
        gc: (n) => {
          for (let i = 0; i < n; i++) stepPlain();
        },
      },
      teardown() {
        for (const t of [...params, x, y]) t.dispose();
      },
    };
  },
};

const WORKLOADS: Workload[] = [
  addWorkload('add', 'add, 1 element', false),
  matmulWorkload(64),
  matmulWorkload(512),
  mlpWorkload,
  addWorkload('add_grad', 'add, 1 element, requiresGrad', true),
];

// ------------------------------------------------------------------------------ PyTorch side

class PyRef extends JsonLineChild {
  constructor(python: string, config: object) {
    super(python, benchFile('ops_ref.py'), config);
  }

  /** Runs `iters` iterations of a workload; returns the elapsed ns measured in Python. */
  async run(workload: string, iters: number): Promise<number> {
    const msg = await this.request({ cmd: 'run', workload, iters });
    return msg.ns as number;
  }
}

// ------------------------------------------------------------------------------ timing

interface LeakCheck {
  /** sum over every (synchronous) call of liveTensors after minus before; 0 = no leak */
  delta: number;
  /** liveTensors before the first call and after the last one */
  before: number;
  after: number;
}



interface WorkloadResult {
  id: string;
  label: string;
  itersPerRep: number;
  warmupIters: number;
  reps: number;
  sdk: Record<Style, Summary>;
  pytorch: Summary;
  best: Style;
  ratio: number;
  ratioByStyle: Record<Style, number>;
  leaks: Record<'dispose' | 'scope', LeakCheck>;
  /** GC style timed up to the end of the loop only: without the collection and the frees */
  gcLoopOnly: Summary;
  /** GC style: the pause of the forced full collection after each repetition (not in the times) */
  gcForcedPauseNs: Summary;
  /** GC style: the most tensors still waiting for the collector at the end of one repetition's
   * loop, and the live tensors after teardown and a forced collection (0 = nothing lost) */
  gcBacklog: { maxPerRep: number; afterSettle: number };
}

/** Runs a loop with liveTensors read around it (the loop is synchronous: no finalizer runs inside). */
function runChecked(loop: Loop, iters: number, check: LeakCheck | undefined): number {
  const before = ht.memory().liveTensors;
  const t0 = now();
  loop(iters);
  const ns = Number(now() - t0);
  if (check) {
    const after = ht.memory().liveTensors;
    if (check.before < 0) check.before = before;
    check.after = after;
    check.delta += after - before;
  }
  return ns;
}

/**
 * One GC-only repetition: the loop, then a forced full collection (not timed: its pause depends on
 * the repetition's length, and a real program would pay it rarely) and one turn of the event loop
 * in which the finalizers free every tensor the loop dropped (timed). Returns the loop's ns, the
 * loop's plus the finalizers' ns, the collection's pause, and the tensors waiting at the loop's end.
 */
async function runGc(loop: Loop, iters: number): Promise<{ loopNs: number; totalNs: number; gcPauseNs: number; backlog: number }> {
  const before = ht.memory().liveTensors;
  const t0 = now();
  loop(iters);
  const t1 = now();
  const backlog = ht.memory().liveTensors - before;
  gc?.(); // a full collection, when one can be forced
  const t2 = now();
  await yieldToLoop();
  const t3 = now();
  return { loopNs: Number(t1 - t0), totalNs: Number(t1 - t0 + (t3 - t2)), gcPauseNs: Number(t2 - t1), backlog };
}

/**
 * ns per iteration: doubles the iteration count until one run takes 5 ms, then takes the fastest
 * of three more runs of that length (the minimum is the estimate least hurt by other processes).
 */
function calibrate(loop: Loop): number {
  let n = 1;
  for (;;) {
    const ns = runChecked(loop, n, undefined);
    if (ns >= 5e6 || n >= 1 << 22) break;
    n *= 2;
  }
  let best = Infinity;
  for (let k = 0; k < 3; k++) best = Math.min(best, runChecked(loop, n, undefined) / n);
  return best;
}

async function benchWorkload(w: Workload, opts: Options, py: PyRef): Promise<WorkloadResult> {
  await settle();
  const prep = w.prepare();
  const { loops } = prep;
  try {
    // Calibrate on the dispose style; the other sides get the same counts.
    const perIter = calibrate(loops.dispose); // also warms the dispose style up (JIT, allocator)
    const iters = Math.max(1, Math.min(1 << 22, Math.round((opts.targetMs * 1e6) / perIter)));
    const warmupIters = iters;

    const leaks = {
      dispose: { delta: 0, before: -1, after: -1 },
      scope: { delta: 0, before: -1, after: -1 },
    };
    const samples: Record<Style | 'pytorch', number[]> = { dispose: [], scope: [], gc: [], pytorch: [] };

    // Phase 1: explicit dispose, scope and PyTorch, interleaved repetition by repetition in a
    // rotating order, after one repetition of warmup each.
    runChecked(loops.dispose, warmupIters, leaks.dispose);
    runChecked(loops.scope, warmupIters, leaks.scope);
    await py.run(w.id, warmupIters);
    const sides: ('dispose' | 'scope' | 'pytorch')[] = ['dispose', 'scope', 'pytorch'];
    for (let r = 0; r < opts.reps; r++) {
      for (let k = 0; k < sides.length; k++) {
        const side = sides[(r + k) % sides.length];
        const ns = side === 'pytorch' ? await py.run(w.id, iters) : runChecked(loops[side], iters, leaks[side]);
        samples[side].push(ns / iters);
      }
    }

    // Phase 2: the GC-only style on its own, so that the garbage it leaves for the collector
    // (native memory V8 does not see) cannot slow the other sides down. Each repetition starts
    // from a collected heap and ends with a forced collection (untimed) and the finalizers' frees
    // (timed).
    await settle();
    await runGc(loops.gc, warmupIters);
    const gcLoopOnly: number[] = [];
    const gcPauses: number[] = [];
    let gcBacklogMax = 0;
    for (let r = 0; r < opts.reps; r++) {
      await settle();
      const g = await runGc(loops.gc, iters);
      samples.gc.push(g.totalNs / iters);
      gcLoopOnly.push(g.loopNs / iters);
      gcPauses.push(g.gcPauseNs);
      gcBacklogMax = Math.max(gcBacklogMax, g.backlog);
    }
    prep.teardown();
    await settle();
    const gcAfterSettle = ht.memory().liveTensors;

    const sdk = { dispose: summarize(samples.dispose), scope: summarize(samples.scope), gc: summarize(samples.gc) };
    const pytorch = summarize(samples.pytorch);
    const gcLoop = summarize(gcLoopOnly);
    // Best of the two recommended styles; GC-only is left out because it relies on a collection
    // whose pause is not in its time (and on native memory piling up until then).
    const best: Style = sdk.scope.medianNs < sdk.dispose.medianNs ? 'scope' : 'dispose';
    const ratioByStyle = { dispose: 0, scope: 0, gc: 0 };
    for (const s of STYLES) ratioByStyle[s] = sdk[s].medianNs / pytorch.medianNs;
    log(
      `  ${w.label}: ${iters} iters x ${opts.reps} reps; dispose ${fmtUs(sdk.dispose.medianNs)}, scope ${fmtUs(sdk.scope.medianNs)}, ` +
        `gc ${fmtUs(sdk.gc.medianNs)} (loop only ${fmtUs(gcLoop.medianNs)}), pytorch ${fmtUs(pytorch.medianNs)}`,
    );
    return {
      id: w.id,
      label: w.label,
      itersPerRep: iters,
      warmupIters,
      reps: opts.reps,
      sdk,
      pytorch,
      best,
      ratio: ratioByStyle[best],
      ratioByStyle,
      leaks,
      gcLoopOnly: gcLoop,
      gcForcedPauseNs: summarize(gcPauses),
      gcBacklog: { maxPerRep: gcBacklogMax, afterSettle: gcAfterSettle },
    };
  } catch (e) {
    prep.teardown();
    throw e;
  }
}

// ------------------------------------------------------------------------------ report

function table(results: WorkloadResult[]): string {
  return mdTable(
    ['workload', 'SDK (explicit dispose)', 'SDK (scope)', 'SDK (GC only)', 'PyTorch', 'ratio SDK/PyTorch (best SDK style)'],
    results.map((r) => [
      r.label,
      fmtCell(r.sdk.dispose, fmtUs),
      fmtCell(r.sdk.scope, fmtUs),
      fmtCell(r.sdk.gc, fmtUs),
      fmtCell(r.pytorch, fmtUs),
      `${r.ratio.toFixed(2)}x (${r.best})`,
    ]),
  );
}

// ------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const workloads = opts.only ? WORKLOADS.filter((w) => opts.only!.includes(w.id)) : WORKLOADS;

  ht.setNumThreads(opts.threads);
  ht.manualSeed(0);
  const sdkThreads = ht.getNumThreads();
  const startLive = ht.memory().liveTensors;

  const py = new PyRef(opts.python, { threads: opts.threads, seed: 0 });
  const t0 = Date.now();
  const { info: pyInfo, result: results } = await driveChild(py, async () => {
    log(`hrm-torch ops bench: ${opts.quick ? 'quick' : 'full'}, ${opts.reps} reps of ~${opts.targetMs} ms per side and workload`);
    const done: WorkloadResult[] = [];
    for (const w of workloads) done.push(await benchWorkload(w, opts, py));
    return done;
  });
  await settle();
  const endMem = ht.memory();

  const meta = runMetadata(
    { py: pyInfo, threads: opts.threads, sdkThreads, quick: opts.quick, startedMs: t0 },
    { reps: opts.reps, targetMsPerRep: opts.targetMs },
  );

  const out: string[] = [];
  out.push('## hrm-torch per-op latency vs PyTorch (median time per iteration)');
  out.push('');
  out.push(...metadataLines(meta));
  out.push(
    `- ${meta.mode}: ${opts.reps} repetitions per side of ~${opts.targetMs} ms each, after one repetition of warmup; ` +
      'dispose, scope and PyTorch interleaved, GC-only run afterwards on its own',
  );
  out.push('');
  out.push(table(results));
  out.push('');
  out.push('Median per iteration; (±x%) is half the interquartile range of the repetitions, shown when above 5%.');
  out.push('The ratio is the better of explicit dispose and scope over PyTorch. GC only: nothing is disposed; each repetition');
  out.push('starts from a collected heap, and its time adds to the loop the finalizers that free its tensors after one forced');
  out.push('full collection (the collection pause itself is not counted; the loop alone is listed below).');
  out.push('');
  out.push('Leak check (ht.memory().liveTensors read around every run of the dispose and scope styles):');
  for (const r of results) {
    const l = r.leaks;
    out.push(
      `- ${r.label}: dispose ${l.dispose.before} -> ${l.dispose.after} live (Δ ${l.dispose.delta} summed over all runs), ` +
        `scope ${l.scope.before} -> ${l.scope.after} (Δ ${l.scope.delta}); ` +
        `GC only: loop alone ${fmtUs(r.gcLoopOnly.medianNs)}, forced collection ${fmtUs(r.gcForcedPauseNs.medianNs)}, at the loop's end up to ${r.gcBacklog.maxPerRep} tensors ` +
          `(${r.itersPerRep} iterations) waiting for the collector; ${r.gcBacklog.afterSettle} live after teardown`,
    );
  }
  out.push(memoryAtExitLine(startLive, endMem));
  const leaked = results.some((r) => r.leaks.dispose.delta !== 0 || r.leaks.scope.delta !== 0) || endMem.liveTensors !== startLive;
  if (leaked) out.push('- WARNING: tensors leaked');
  console.log(out.join('\n'));

  if (opts.json) writeJsonReport(opts.json, { meta, results, memory: { startLive, end: endMem, leaked } });
  if (leaked) process.exitCode = 1;
}

runMain(main);
