/**
 * One HRM training segment-step: the SDK against Python PyTorch on the same libtorch, in the same
 * run, on the same machine and threads.
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/bench/hrm.js [--quick] [--threads N] [--only sudoku,small] [--json out.json]
 *                          [--steps N] [--profile] [--python PATH]
 *
 * A segment-step is what training repeats: one ACT step through the loss head (the segment with
 * its 1-step-gradient H/L updates, plus the no-grad second pass for the Q-continue target; the
 * stablemax loss, the Q losses, the metrics), backward of loss / batchSize, the sparse
 * puzzle-embedding SignSGD step, the AdamATan2 step, the gradients cleared. The carry persists
 * from step to step, as in training. float32, CPU.
 *
 * Configurations:
 *   sudoku  hidden 512, 8 heads, 4+4 layers, 2x2 cycles, batch 16, seq 81, vocab 11, puzzle
 *           embedding 512 wide with 1 identifier (the reference Sudoku model at batch 16)
 *   small   hidden 128, 4 heads, 2+2 layers, 2x2 cycles, batch 32, seq 81, vocab 11, puzzle
 *           embedding 128 wide with 1 identifier
 *
 * Both sides train the very same model: the SDK initialises it, and the PyTorch side
 * (bench/hrm_ref.py, which drives test/reference/hrm_ref.py — the model the parity tests compare
 * against — with run_job's optimizers) loads its weights and its batch from a safetensors file, and
 * both seed their global generator alike, so their losses must agree step by step (reported as a
 * check that both do the same work).
 *
 * The PyTorch side is one child process that stays up for the whole run and answers one JSON
 * request per step, so the SDK and PyTorch take turns step by step (in a rotating order) rather
 * than in long blocks: a concurrently loaded machine then slows both alike. Each side gets the same
 * warmup steps (the first one creates the optimizer state) and the same number of timed steps;
 * the median ms per step is reported, with the median of each part of the step:
 *   forward    the loss head (both inner passes, losses, metrics)
 *   backward   (loss / B).backward()
 *   optimizer  sparse SignSGD step, AdamATan2 step, zero grads
 *   free       SDK: leaving the step's scope and disposing the previous carry; PyTorch: dropping the
 *              step's references (refcounting frees the graph and the previous carry)
 *
 * Also reported: the V8 collections that start inside the timed SDK steps (count and pauses, from
 * the gc performance entries), the CPU the SDK process uses while a PyTorch step runs (a fairness
 * check: it should be idle), the losses of both sides, and ht.memory().liveTensors around every
 * SDK step (it must stay flat once the optimizer state exists).
 *
 * --profile adds untimed steps at the end (one on the SDK side, two on the PyTorch side) with every
 * call counted and timed: on the SDK side each call into the native addon (op calls by ATen schema,
 * the time spent inside them versus in JavaScript; a collection V8 runs inside a call counts as
 * time inside it); on the PyTorch side the torch functions called from Python (TorchFunctionMode,
 * the level the SDK calls at; timed) and the ATen ops dispatched (TorchDispatchMode; counted in the
 * second step).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { constants as perfConstants, performance, PerformanceObserver } from 'perf_hooks';
import * as ht from '../src';
import { SideBySideOptions, exitWithUsage, parseFlags, sideBySideFlags } from './flags';
import { JsonLineChild, Summary, benchFile, driveChild, fmtCell, fmtMs, log, mdTable, memoryAtExitLine, metadataLines, now, resolvePython, runMain, runMetadata, settle, summarize, writeJsonReport, yieldToLoop } from './harness';
import { addon, native } from '../src/native';

// ------------------------------------------------------------------------------ options

interface Options extends SideBySideOptions {
  python: string;
  /** timed steps per side (overrides the per-config default) */
  steps?: number;
  profile: boolean;
}

interface BenchConfig {
  id: string;
  label: string;
  config: Partial<ht.HRMConfig>;
  warmup: number;
  steps: { quick: number; full: number };
}

const COMMON: Partial<ht.HRMConfig> = {
  seqLen: 81,
  vocabSize: 11,
  numPuzzleIdentifiers: 1,
  hCycles: 2,
  lCycles: 2,
  expansion: 4,
  posEncodings: 'rope',
  haltMaxSteps: 16,
  haltExplorationProb: 0.1,
  forwardDtype: 'float32',
  lossType: 'stablemax_cross_entropy',
};

const CONFIGS: BenchConfig[] = [
  {
    id: 'sudoku',
    label: 'sudoku: D512, 8 heads, 4+4 layers, 2x2 cycles, B16, S81',
    config: { ...COMMON, batchSize: 16, hiddenSize: 512, numHeads: 8, hLayers: 4, lLayers: 4, puzzleEmbNdim: 512 },
    warmup: 2,
    steps: { quick: 3, full: 5 },
  },
  {
    id: 'small',
    label: 'small: D128, 4 heads, 2+2 layers, 2x2 cycles, B32, S81',
    config: { ...COMMON, batchSize: 32, hiddenSize: 128, numHeads: 4, hLayers: 2, lLayers: 2, puzzleEmbNdim: 128 },
    warmup: 2,
    steps: { quick: 7, full: 15 },
  },
];

const LR = 1e-4;
const WD = 0.1;
const BETAS: [number, number] = [0.9, 0.95];
const PE_LR = 1e-2;
const PE_WD = 0.1;
const SEED = 0;

function usage(): never {
  return exitWithUsage(
    'usage: node dist/bench/hrm.js [--quick] [--threads N] [--only id,id] [--json out.json] [--steps N] [--profile] [--python PATH]\n' +
      `config ids: ${CONFIGS.map((c) => c.id).join(', ')}`,
  );
}

function parseArgs(argv: string[]): Options {
  const o: SideBySideOptions = { quick: false, threads: os.cpus().length };
  let steps: number | undefined;
  let profile = false;
  parseFlags(
    argv,
    {
      ...sideBySideFlags(o, CONFIGS.map((c) => c.id)),
      '--steps': (v) => (steps = Math.floor(v.positive())),
      '--profile': () => (profile = true),
    },
    usage,
  );
  return { ...o, python: resolvePython(o.python), steps, profile };
}

// ------------------------------------------------------------------------------ PyTorch side

/** One step's parts in ns, and its loss (the same fields on both sides). */
interface StepSample {
  fwdNs: number;
  bwdNs: number;
  optNs: number;
  freeNs: number;
  totalNs: number;
  loss: number;
}

interface PyProfile {
  /** per phase: calls, the most called, and (timed step) ns inside them, the most costly */
  torch_functions: Record<string, { total: number; top: [string, number][]; ns: number; top_ns: [string, number][] }>;
  aten: Record<string, { total: number; top: [string, number][] }>;
}

class PyRef extends JsonLineChild {
  constructor(python: string, config: object) {
    super(python, benchFile('hrm_ref.py'), config);
  }

  /** Builds the model from the SDK's weights and batch; returns its parameter count. */
  async setup(id: string, config: Record<string, unknown>, weights: string, batch: string): Promise<number> {
    const msg = await this.request({
      cmd: 'setup', id, config, weights, batch, seed: SEED,
      lr: LR, weight_decay: WD, betas: BETAS, puzzle_emb_lr: PE_LR, puzzle_emb_weight_decay: PE_WD,
    });
    return msg.num_params as number;
  }

  /** Runs one segment-step; the times are measured in Python. */
  async step(id: string): Promise<StepSample> {
    const msg = await this.request({ cmd: 'step', id, steps: 1 });
    const s = (msg.steps as Record<string, number>[])[0];
    return { fwdNs: s.fwd_ns, bwdNs: s.bwd_ns, optNs: s.opt_ns, freeNs: s.free_ns, totalNs: s.total_ns, loss: s.loss };
  }

  async profile(id: string, top: number): Promise<PyProfile> {
    const msg = await this.request({ cmd: 'profile', id, top });
    return msg.ops as PyProfile;
  }

  async teardown(id: string): Promise<void> {
    await this.request({ cmd: 'teardown', id });
  }
}

// ------------------------------------------------------------------------------ SDK side

/**
 * V8 collections, as reported by the gc performance entries (delivered asynchronously: read them
 * after a turn of the event loop). Only the pauses are measured; incremental and concurrent
 * marking work done between them is not.
 */
const gcEntries: { start: number; duration: number; major: boolean }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    gcEntries.push({ start: e.startTime, duration: e.duration, major: kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR });
  }
});

interface GcStats {
  /** collections that started inside the timed SDK steps, per step */
  perStep: number;
  majorPerStep: number;
  /** their pause time, ms per step */
  pauseMsPerStep: number;
}

function gcIn(windows: [number, number][]): GcStats {
  let n = 0;
  let major = 0;
  let ms = 0;
  for (const e of gcEntries) {
    if (windows.some(([a, b]) => e.start >= a && e.start <= b)) {
      n++;
      if (e.major) major++;
      ms += e.duration;
    }
  }
  const k = Math.max(1, windows.length);
  return { perStep: n / k, majorPerStep: major / k, pauseMsPerStep: ms / k };
}

type Phase = 'fwd' | 'bwd' | 'opt' | 'free';
const PHASES: Phase[] = ['fwd', 'bwd', 'opt', 'free'];

/** The SDK's model, optimizers, batch and carry, stepped exactly as in training. */
class SdkJob {
  readonly cfg: ht.HRMConfig;
  readonly model: ht.HRM;
  readonly head: ht.ACTLossHead;
  readonly adam: ht.AdamATan2;
  readonly sparse?: ht.SparseEmbeddingSignSGD;
  readonly batch: ht.HRMBatch;
  carry: ht.HRMCarry;

  constructor(config: Partial<ht.HRMConfig>) {
    this.cfg = ht.hrmConfig(config);
    const c = this.cfg;
    ht.manualSeed(SEED);
    this.model = new ht.HRM(c);
    this.model.train(true);
    this.head = new ht.ACTLossHead(this.model);
    this.batch = {
      inputs: ht.randint(0, c.vocabSize, [c.batchSize, c.seqLen], { dtype: 'int32' }),
      labels: ht.randint(0, c.vocabSize, [c.batchSize, c.seqLen], { dtype: 'int32' }),
      puzzleIdentifiers: ht.randint(0, c.numPuzzleIdentifiers, [c.batchSize], { dtype: 'int32' }),
    };
    this.adam = new ht.AdamATan2(this.model.parameters(), { lr: LR, weightDecay: WD, betas: BETAS });
    this.sparse = this.model.inner.puzzleEmb ? new ht.SparseEmbeddingSignSGD(this.model.inner.puzzleEmb, { lr: PE_LR, weightDecay: PE_WD }) : undefined;
    this.carry = ht.scope(() => this.model.initialCarry(this.batch));
    // The exploration draws come from the global generator: seeded last, as the PyTorch side does.
    ht.manualSeed(SEED);
  }

  /** Writes the weights and the batch for the PyTorch side. */
  save(dir: string): { weights: string; batch: string } {
    const weights = path.join(dir, 'weights.safetensors');
    const batch = path.join(dir, 'batch.safetensors');
    ht.saveSafetensors(weights, Object.fromEntries(this.model.inner.stateDict()));
    ht.saveSafetensors(batch, { inputs: this.batch.inputs, labels: this.batch.labels, puzzle_identifiers: this.batch.puzzleIdentifiers });
    return { weights, batch };
  }

  /** One segment-step, timed in parts. `hook(phase)` marks the phases (profiling only). */
  step(hook?: (p: Phase | null) => void): StepSample {
    const B = this.cfg.batchSize;
    let t1 = 0n;
    let t2 = 0n;
    let t3 = 0n;
    let t4 = 0n;
    let loss = NaN;
    hook?.('fwd');
    const t0 = now();
    const next = ht.scope(() => {
      const r = this.head.forward(this.carry, this.batch);
      t1 = now();
      hook?.('bwd');
      r.loss.div(B).backward();
      t2 = now();
      hook?.('opt');
      this.sparse?.step();
      this.adam.step();
      this.sparse?.zeroGrad();
      this.adam.zeroGrad();
      t3 = now();
      hook?.('free');
      loss = Number(r.loss.item());
      t4 = now();
      return r.carry;
    });
    ht.hrm.disposeCarry(this.carry);
    this.carry = next;
    const t5 = now();
    hook?.(null);
    const freeNs = Number(t5 - t4);
    return { fwdNs: Number(t1 - t0), bwdNs: Number(t2 - t1), optNs: Number(t3 - t2), freeNs, totalNs: Number(t3 - t0) + freeNs, loss };
  }

  numParams(): number {
    return this.model.parameters().reduce((n, p) => n + p.numel, 0);
  }

  dispose(): void {
    ht.hrm.disposeCarry(this.carry);
    this.adam.dispose();
    this.sparse?.dispose();
    for (const t of Object.values(this.batch)) t.dispose();
    this.model.dispose();
  }
}

interface SdkProfile {
  /** per phase: native calls (all kinds), op calls, ns inside native calls, wall ns, top ops */
  phases: Record<Phase, { nativeCalls: number; opCalls: number; nativeNs: number; wallNs: number; top: [string, number][]; topNs: [string, number][] }>;
}

/**
 * One step with every call into the addon counted and timed. The addon's functions are plain
 * properties of two objects: the `addon` table the tensor modules call on every op, and native()'s
 * own object (the runtime settings); wrapping the functions of both sees every call.
 */
function profileSdkStep(job: SdkJob, top: number): SdkProfile {
  const tables = [addon, native()] as unknown as Record<string, unknown>[];
  const opSchema = native().opSchema;
  const restore: (() => void)[] = [];
  let phase: Phase | null = null;
  const acc = Object.fromEntries(
    PHASES.map((p) => [p, { nativeCalls: 0, opCalls: 0, nativeNs: 0, wallNs: 0, ops: new Map<string, number>(), opsNs: new Map<string, number>() }]),
  ) as Record<Phase, { nativeCalls: number; opCalls: number; nativeNs: number; wallNs: number; ops: Map<string, number>; opsNs: Map<string, number> }>;
  const opNames = new Map<number, string>();
  const opName = (id: number) => {
    let n = opNames.get(id);
    if (n === undefined) {
      const schema = opSchema(id);
      n = schema.slice(0, schema.indexOf('(')).trim();
      opNames.set(id, n);
    }
    return n;
  };
  for (const N of tables) {
    for (const [name, fn] of Object.entries(N)) {
      if (typeof fn !== 'function') continue;
      const f = fn as (...a: unknown[]) => unknown;
      restore.push(() => (N[name] = f));
      const isOp = name === 'call' || name === 'callVoid';
      N[name] = function (this: unknown, ...args: unknown[]) {
        if (phase === null) return f.apply(this, args);
        const a = acc[phase];
        a.nativeCalls++;
        const label = isOp ? opName(args[0] as number) : `addon.${name}`;
        if (isOp) a.opCalls++;
        a.ops.set(label, (a.ops.get(label) ?? 0) + 1);
        const t0 = process.hrtime.bigint();
        try {
          return f.apply(this, args);
        } finally {
          const ns = Number(process.hrtime.bigint() - t0);
          a.nativeNs += ns;
          a.opsNs.set(label, (a.opsNs.get(label) ?? 0) + ns);
        }
      };
    }
  }
  let mark = now();
  try {
    job.step((p) => {
      const t = now();
      if (phase !== null) acc[phase].wallNs += Number(t - mark);
      mark = t;
      phase = p;
    });
  } finally {
    for (const undo of restore) undo();
  }
  const phases = {} as SdkProfile['phases'];
  for (const p of PHASES) {
    const a = acc[p];
    const sorted = (m: Map<string, number>) => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, top);
    phases[p] = { nativeCalls: a.nativeCalls, opCalls: a.opCalls, nativeNs: a.nativeNs, wallNs: a.wallNs, top: sorted(a.ops), topNs: sorted(a.opsNs) };
  }
  return { phases };
}

// ------------------------------------------------------------------------------ timing

interface SideResult {
  total: Summary;
  parts: Record<Phase, Summary>;
  samples: StepSample[];
  warmup: StepSample[];
}

interface ConfigResult {
  id: string;
  label: string;
  config: Record<string, unknown>;
  numParams: number;
  warmupSteps: number;
  steps: number;
  sdk: SideResult;
  pytorch: SideResult;
  /** median SDK / median PyTorch */
  ratio: number;
  /** median SDK / median PyTorch of each part */
  ratioByPart: Record<Phase, number>;
  /** losses of every step (warmup included), the largest relative difference between the sides */
  lossMaxRelDiff: number;
  /** liveTensors read around every SDK step: before the first, after the warmup, after the last,
   * and the sum of the changes over the timed steps (0 = no leak) */
  live: { beforeFirst: number; afterWarmup: number; afterLast: number; timedDelta: number; afterDispose: number; perStep: number[] };
  /** V8 collections during the timed SDK steps */
  gc: GcStats;
  /** CPU ms this process used while each PyTorch step ran (warmup included) */
  sdkCpuMsWhilePyTorchRuns: number[];
  profile?: { sdk: SdkProfile; pytorch: PyProfile };
}

function side(samples: StepSample[], warmup: StepSample[]): SideResult {
  const parts = {} as Record<Phase, Summary>;
  const key: Record<Phase, keyof StepSample> = { fwd: 'fwdNs', bwd: 'bwdNs', opt: 'optNs', free: 'freeNs' };
  for (const p of PHASES) parts[p] = summarize(samples.map((s) => s[key[p]]));
  return { total: summarize(samples.map((s) => s.totalNs)), parts, samples, warmup };
}

async function benchConfig(bc: BenchConfig, opts: Options, py: PyRef): Promise<ConfigResult> {
  const steps = opts.steps ?? (opts.quick ? bc.steps.quick : bc.steps.full);
  const warmup = bc.warmup;
  const startLive = ht.memory().liveTensors;
  const job = new SdkJob(bc.config);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hrm-bench-'));
  try {
    const refConfig = ht.hrm.toReferenceConfig(job.cfg);
    const files = job.save(dir);
    const pyParams = await py.setup(bc.id, refConfig, files.weights, files.batch);
    const numParams = job.numParams();
    if (pyParams !== numParams) throw new Error(`${bc.id}: the SDK model has ${numParams} parameters, the PyTorch one ${pyParams}`);
    log(`  ${bc.id}: ${numParams} parameters; ${warmup} warmup + ${steps} timed steps per side, interleaved`);

    const sdkSteps: StepSample[] = [];
    const pySteps: StepSample[] = [];
    // The CPU this process uses while the PyTorch side runs a step (it should be idle: anything
    // here, such as V8 finishing a collection on its helper threads, competes with PyTorch).
    const waitCpuMs: number[] = [];
    const pyStep = async (): Promise<StepSample> => {
      const c0 = process.cpuUsage();
      const s = await py.step(bc.id);
      const c = process.cpuUsage(c0);
      waitCpuMs.push((c.user + c.system) / 1000);
      return s;
    };
    const perStepLive: number[] = [];
    const liveBefore = ht.memory().liveTensors;
    // Warmup: the first step creates the optimizer state on both sides.
    for (let i = 0; i < warmup; i++) {
      sdkSteps.push(job.step());
      pySteps.push(await pyStep());
    }
    const liveAfterWarmup = ht.memory().liveTensors;
    let timedDelta = 0;
    const windows: [number, number][] = [];
    for (let r = 0; r < steps; r++) {
      // Rotating order: SDK first on even steps, PyTorch first on odd ones.
      for (let k = 0; k < 2; k++) {
        if ((r + k) % 2 === 0) {
          const before = ht.memory().liveTensors;
          const w0 = performance.now();
          sdkSteps.push(job.step());
          windows.push([w0, performance.now()]);
          const after = ht.memory().liveTensors;
          timedDelta += after - before;
          perStepLive.push(after);
        } else {
          pySteps.push(await pyStep());
        }
      }
      const last = (a: StepSample[]) => fmtMs(a[a.length - 1].totalNs);
      log(`    step ${r + 1}/${steps}: SDK ${last(sdkSteps)}, PyTorch ${last(pySteps)}`);
    }
    const liveAfterLast = ht.memory().liveTensors;
    await yieldToLoop(); // the gc entries of the last step
    const gcStats = gcIn(windows);

    let profile: ConfigResult['profile'];
    if (opts.profile) {
      log(`  ${bc.id}: profiling (untimed steps: one on the SDK side, two on the PyTorch side)`);
      const sdkProf = profileSdkStep(job, 25);
      const pyProf = await py.profile(bc.id, 25);
      profile = { sdk: sdkProf, pytorch: pyProf };
    }

    await py.teardown(bc.id);
    job.dispose();
    await settle();
    const afterDispose = ht.memory().liveTensors;

    const sdk = side(sdkSteps.slice(warmup), sdkSteps.slice(0, warmup));
    const pytorch = side(pySteps.slice(warmup), pySteps.slice(0, warmup));
    let lossMaxRelDiff = 0;
    for (let i = 0; i < sdkSteps.length; i++) {
      const a = sdkSteps[i].loss;
      const b = pySteps[i].loss;
      lossMaxRelDiff = Math.max(lossMaxRelDiff, Math.abs(a - b) / Math.max(Math.abs(b), 1e-30));
    }
    const ratioByPart = {} as Record<Phase, number>;
    for (const p of PHASES) ratioByPart[p] = sdk.parts[p].medianNs / pytorch.parts[p].medianNs;
    const ratio = sdk.total.medianNs / pytorch.total.medianNs;
    log(
      `  ${bc.id}: SDK ${fmtMs(sdk.total.medianNs)}, PyTorch ${fmtMs(pytorch.total.medianNs)} per step (${ratio.toFixed(2)}x); ` +
        `V8: ${gcStats.perStep.toFixed(1)} collections per SDK step, ${gcStats.pauseMsPerStep.toFixed(1)} ms of pauses`,
    );
    return {
      id: bc.id,
      label: bc.label,
      config: refConfig,
      numParams,
      warmupSteps: warmup,
      steps,
      sdk,
      pytorch,
      ratio,
      ratioByPart,
      lossMaxRelDiff,
      live: { beforeFirst: liveBefore, afterWarmup: liveAfterWarmup, afterLast: liveAfterLast, timedDelta, afterDispose: afterDispose - startLive, perStep: perStepLive },
      gc: gcStats,
      sdkCpuMsWhilePyTorchRuns: waitCpuMs,
      profile,
    };
  } catch (e) {
    try {
      job.dispose();
    } catch {
      // already disposed
    }
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------ report

function mainTable(results: ConfigResult[]): string {
  return mdTable(
    ['config', 'params', 'steps', 'SDK', 'PyTorch', 'ratio SDK/PyTorch'],
    results.map((r) => [r.label, `${(r.numParams / 1e6).toFixed(2)}M`, `${r.warmupSteps}+${r.steps}`, fmtCell(r.sdk.total, fmtMs), fmtCell(r.pytorch.total, fmtMs), `${r.ratio.toFixed(2)}x`]),
  );
}

function partsTable(results: ConfigResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    for (const [name, s] of [['SDK', r.sdk], ['PyTorch', r.pytorch]] as [string, SideResult][]) {
      rows.push([`${r.id} ${name}`, ...PHASES.map((p) => fmtMs(s.parts[p].medianNs)), fmtMs(s.total.medianNs)]);
    }
    rows.push([`${r.id} ratio`, ...PHASES.map((p) => `${r.ratioByPart[p].toFixed(2)}x`), `${r.ratio.toFixed(2)}x`]);
  }
  return mdTable(['config / side', 'forward', 'backward', 'optimizer', 'free', 'total'], rows);
}

function profileSection(r: ConfigResult): string[] {
  const p = r.profile;
  if (!p) return [];
  const out: string[] = [];
  out.push(`### ${r.id}: one profiled step per side`);
  out.push('');
  const pct = (part: number, whole: number) => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
  const rows = PHASES.map((ph) => {
    const s = p.sdk.phases[ph];
    const f = p.pytorch.torch_functions[ph];
    return [
      ph,
      String(s.opCalls),
      String(s.nativeCalls - s.opCalls),
      `${fmtMs(s.nativeNs)} of ${fmtMs(s.wallNs)} (${pct(s.nativeNs, s.wallNs)})`,
      String(f?.total ?? 0),
      fmtMs(f?.ns ?? 0),
      String(p.pytorch.aten[ph]?.total ?? 0),
    ];
  });
  out.push(
    mdTable(['phase', 'SDK op calls', 'SDK other addon calls', 'SDK time inside the addon', 'PyTorch torch calls', 'PyTorch time inside them', 'PyTorch ATen ops'], rows),
  );
  out.push('');
  out.push('Most costly calls (total ms in the profiled step, calls):');
  for (const ph of ['fwd', 'bwd', 'opt'] as Phase[]) {
    const sdkCount = new Map(p.sdk.phases[ph].top);
    const pyCount = new Map(p.pytorch.torch_functions[ph].top);
    const fmt = (l: [string, number][], counts: Map<string, number>) =>
      l
        .slice(0, 10)
        .map(([n, ns]) => `${n} ${(ns / 1e6).toFixed(1)}${counts.has(n) ? ` (${counts.get(n)})` : ''}`)
        .join(', ');
    out.push(`- ${ph} SDK: ${fmt(p.sdk.phases[ph].topNs, sdkCount)}`);
    out.push(`- ${ph} PyTorch: ${fmt(p.pytorch.torch_functions[ph].top_ns, pyCount)}`);
  }
  return out;
}


// ------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const configs = opts.only ? CONFIGS.filter((c) => opts.only!.includes(c.id)) : CONFIGS;

  gcObserver.observe({ entryTypes: ['gc'] });
  ht.setNumThreads(opts.threads);
  const sdkThreads = ht.getNumThreads();
  const startLive = ht.memory().liveTensors;

  const py = new PyRef(opts.python, { threads: opts.threads, seed: SEED });
  const t0 = Date.now();
  const { info: pyInfo, result: results } = await driveChild(py, async () => {
    log(`hrm-torch HRM training-step bench: ${opts.quick ? 'quick' : 'full'}, ${opts.threads} threads`);
    const done: ConfigResult[] = [];
    for (const c of configs) done.push(await benchConfig(c, opts, py));
    return done;
  });
  await settle();
  gcObserver.disconnect();
  const endMem = ht.memory();

  const meta = runMetadata({ py: pyInfo, threads: opts.threads, sdkThreads, quick: opts.quick, startedMs: t0 }, {});

  const out: string[] = [];
  out.push('## hrm-torch HRM training segment-step vs PyTorch (median time per step)');
  out.push('');
  out.push(...metadataLines(meta));
  out.push(
    `- ${meta.mode}: warmup + timed steps per side, SDK and PyTorch interleaved step by step; float32, CPU; ` +
      'one step = ACT step through the loss head, backward of loss / B, sparse SignSGD, AdamATan2, zero grads (carry kept)',
  );
  out.push('');
  out.push(mainTable(results));
  out.push('');
  out.push('Median per step; (±x%) is half the interquartile range of the steps, shown when above 5%.');
  out.push('');
  out.push('Median of each part of the step (forward = the loss head with both inner passes; backward = (loss / B).backward();');
  out.push('optimizer = SignSGD + AdamATan2 + zero grads; free = leaving the scope and disposing the old carry, or in Python');
  out.push('dropping the references). Medians, so the parts need not add up to the total; means are in the --json output.');
  out.push('');
  out.push(partsTable(results));
  out.push('');
  out.push('V8 garbage collections during the timed SDK steps (pauses only; incremental and concurrent marking not included):');
  for (const r of results) {
    out.push(`- ${r.id}: ${r.gc.perStep.toFixed(1)} per step (${r.gc.majorPerStep.toFixed(1)} mark-compact), ${r.gc.pauseMsPerStep.toFixed(1)} ms of pauses per step`);
  }
  out.push('');
  out.push('Fairness: the CPU the SDK process used while a PyTorch step ran (it should be idle then):');
  for (const r of results) {
    const w = r.sdkCpuMsWhilePyTorchRuns;
    const mean = w.reduce((a, b) => a + b, 0) / Math.max(1, w.length);
    out.push(`- ${r.id}: ${mean.toFixed(0)} ms per PyTorch step on average`);
  }
  out.push('');
  out.push('Same work on both sides (same weights, batch and seeds; loss of every step, warmup included):');
  for (const r of results) {
    const l = (s: SideResult) => [...s.warmup, ...s.samples].map((x) => x.loss.toFixed(4)).join(', ');
    out.push(`- ${r.id}: largest relative loss difference ${r.lossMaxRelDiff.toExponential(1)} (SDK ${l(r.sdk)}; PyTorch ${l(r.pytorch)})`);
  }
  out.push('');
  out.push('Leak check (ht.memory().liveTensors read around every SDK step):');
  for (const r of results) {
    const l = r.live;
    out.push(
      `- ${r.id}: ${l.beforeFirst} live before the first step, ${l.afterWarmup} after the warmup (optimizer state), ` +
        `${l.afterLast} after the last; Δ ${l.timedDelta} summed over the timed steps; ${l.afterDispose} left after disposing the job`,
    );
  }
  out.push(memoryAtExitLine(startLive, endMem));
  const leaked = results.some((r) => r.live.timedDelta !== 0 || r.live.afterDispose !== 0) || endMem.liveTensors !== startLive;
  if (leaked) out.push('- WARNING: tensors leaked');
  const mismatch = results.some((r) => !(r.lossMaxRelDiff < 1e-3));
  if (mismatch) out.push('- WARNING: the two sides disagree on the losses (relative difference above 1e-3)');
  for (const r of results) {
    const p = profileSection(r);
    if (p.length) out.push('', ...p);
  }
  console.log(out.join('\n'));

  if (opts.json) writeJsonReport(opts.json, { meta, results, memory: { startLive, end: endMem, leaked }, lossMismatch: mismatch });
  if (leaked || mismatch) process.exitCode = 1;
}

runMain(main);
