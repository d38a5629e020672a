/**
 * What the benchmarks share: a long-lived Python child that answers one JSON line per request
 * (and the Python to run it with), garbage-collection and event-loop helpers, robust summaries of
 * repeated timings, and the report (run metadata, markdown tables, the --json file). The command
 * line is in flags.ts.
 */
import { spawn, ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as ht from '../src';
import { writeFileAtomic } from '../src/util/atomic';
import { torchVersionOf } from '../src/util/version';

/** The repository root (the benchmarks run from dist/bench/). */
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A file in the repository's bench/ folder (the Python reference sides live there). */
export function benchFile(name: string): string {
  return path.join(REPO_ROOT, 'bench', name);
}

// ------------------------------------------------------------------------------ the Python child

/** What a reference side says about itself in its ready line (bench/ref_common.py's configure). */
export interface PyInfo {
  torch: string;
  threads: number;
  interop_threads: number;
  python: string;
  executable: string;
  torch_lib: string;
}

/**
 * A Python process started as `python script '<config json>'` that first prints a line with
 * `ready: true`, then answers each JSON request line with one JSON line (`ok: false` + `error` on
 * failure). Subclasses add typed requests.
 */
export class JsonLineChild {
  protected readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';

  constructor(python: string, readonly script: string, config: object) {
    this.proc = spawn(python, [script, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d: string) => {
      this.stderr += d;
    });
    this.proc.on('error', (e) => {
      this.stderr += `\n${e.message}`;
    });
    this.lines = readline.createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }

  /** The next line, parsed (throws when the child has ended). */
  protected async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) {
      await new Promise((res) => setTimeout(res, 50)); // let stderr drain
      throw new Error(`the PyTorch reference process ended early${this.stderr ? `:\n${this.stderr.trim()}` : ''}`);
    }
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  /** Sends one request and returns its answer (an `ok: false` answer throws). */
  protected async request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const msg = await this.next();
    if (!msg.ok) throw new Error(`${this.script} failed on ${JSON.stringify(req).slice(0, 200)}: ${String(msg.error)}`);
    return msg;
  }

  /** The first line, which describes the Python side. */
  async ready<T = PyInfo>(): Promise<T> {
    const msg = await this.next();
    if (!msg.ready) throw new Error(`unexpected first line from ${this.script}: ${JSON.stringify(msg)}`);
    return msg as unknown as T;
  }

  /** Asks the child to exit and waits until it has. */
  async close(): Promise<void> {
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'exit' })}\n`);
    this.proc.stdin.end();
    await new Promise<void>((res) => {
      if (this.proc.exitCode !== null) res();
      else this.proc.once('exit', () => res());
    });
  }

  /** Ends the child at once (after a failure). */
  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/**
 * Waits for the child's ready line, runs `body` with it, then closes the child; on a failure
 * anywhere the child is killed and the error rethrown.
 */
export async function driveChild<R>(child: JsonLineChild, body: (info: PyInfo) => Promise<R>): Promise<{ info: PyInfo; result: R }> {
  try {
    const info = await child.ready<PyInfo>();
    const result = await body(info);
    await child.close();
    return { info, result };
  } catch (e) {
    child.kill();
    throw e;
  }
}

/** The Python for the reference side: `given` (--python), else $HRM_BENCH_PYTHON, else the repository's .venv, else python3. */
export function resolvePython(given: string | undefined): string {
  const python = given ?? process.env.HRM_BENCH_PYTHON ?? '';
  if (python) return python;
  const venv = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : 'python3';
}

// ------------------------------------------------------------------------------ collection and timing

/** One turn of the event loop (finalizers and gc performance entries run in it). */
export const yieldToLoop = () => new Promise<void>((res) => setImmediate(res));

function forceGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** A full garbage collection, when one can be forced (undefined otherwise). */
export const gc = forceGc();

/** A full collection and two turns of the event loop, so queued finalizers free their tensors. */
export async function settle(): Promise<void> {
  gc?.();
  await yieldToLoop();
  await yieldToLoop();
}

/** The monotonic clock in ns. */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Robust statistics of repeated timings (ns). */
export interface Summary {
  medianNs: number;
  meanNs: number;
  /** the fastest sample */
  minNs: number;
  /** the slowest sample */
  maxNs: number;
  /** interquartile range relative to the median */
  iqrRel: number;
  /** the samples, in the order taken */
  samplesNs: number[];
}

/** Median, mean, extremes and relative spread of repeated timings. */
export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => {
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  const median = q(0.5);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { medianNs: median, meanNs: mean, minNs: s[0], maxNs: s[s.length - 1], iqrRel: (q(0.75) - q(0.25)) / median, samplesNs: samples };
}

// ------------------------------------------------------------------------------ report

/** The libtorch version the SDK loaded (from the runtime configuration). */
export function torchVersionOfSdk(): string {
  const info = ht.buildInfo();
  return torchVersionOf(info.runtimeConfig) ?? info.torchVersion;
}

/** The machine a run is on: its CPU (model and cores) and operating system. */
export function machineInfo(): { machine: string; cpuModel: string; cores: number; os: string } {
  const cpus = os.cpus();
  return {
    machine: `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** The 1, 5 and 15 minute load averages, to two decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((x) => Number(x.toFixed(2)));
}

/** Where and how a side-by-side run ran: the `meta` of its JSON report. */
export interface RunMetadata {
  date: string;
  machine: string;
  cpuModel: string;
  cores: number;
  os: string;
  loadAvg: number[];
  node: string;
  torchSdk: string;
  torchPython: string;
  libtorchSdk?: string;
  libtorchPython: string;
  python: string;
  threads: { requested: number; sdk: number; pytorch: number };
  mode: string;
}

/**
 * The run metadata of a side-by-side run, with `extra` (benchmark-specific fields) after `mode`,
 * then whether a collection could be forced and the seconds since `startedMs`.
 */
export function runMetadata<E extends object>(
  run: { py: PyInfo; threads: number; sdkThreads: number; quick: boolean; startedMs: number },
  extra: E,
): RunMetadata & E & { forcedGcAvailable: boolean; wallSeconds: number } {
  const { machine, cpuModel, cores, os: system } = machineInfo();
  return {
    date: new Date().toISOString(),
    machine,
    cpuModel,
    cores,
    os: system,
    loadAvg: loadAverage(),
    node: process.version,
    torchSdk: torchVersionOfSdk(),
    torchPython: run.py.torch,
    libtorchSdk: ht.buildInfo().libtorchDir,
    libtorchPython: run.py.torch_lib,
    python: run.py.python,
    threads: { requested: run.threads, sdk: run.sdkThreads, pytorch: run.py.threads },
    mode: run.quick ? 'quick' : 'full',
    ...extra,
    forcedGcAvailable: gc !== undefined,
    wallSeconds: (Date.now() - run.startedMs) / 1000,
  };
}

/** The report's opening list: date, machine, node and python, the torch of each side, the threads. */
export function metadataLines(meta: RunMetadata): string[] {
  const sameLibtorch = meta.libtorchSdk && path.resolve(meta.libtorchSdk) === path.resolve(meta.libtorchPython);
  return [
    `- date: ${meta.date}`,
    `- machine: ${meta.machine} (${meta.os}); load average ${meta.loadAvg.join(' ')}`,
    `- node ${meta.node}; python ${meta.python}`,
    `- torch: SDK ${meta.torchSdk}, PyTorch ${meta.torchPython}` +
      (sameLibtorch ? ' (same libtorch)' : ` (SDK libtorch: ${meta.libtorchSdk ?? '?'}; Python: ${meta.libtorchPython})`),
    `- intra-op threads: ${meta.threads.requested} requested; SDK ${meta.threads.sdk}, PyTorch ${meta.threads.pytorch}`,
  ];
}

/** The leak check's last line: the live tensors at exit against those at the start. */
export function memoryAtExitLine(startLive: number, end: ht.MemoryInfo): string {
  return `- at exit: ${end.liveTensors} live tensors (started with ${startLive}); ${end.freedByGc} freed by the GC safety net`;
}

/** A duration in ns as µs (ms from 1000 µs), with three significant digits or so. */
export function fmtUs(ns: number): string {
  const us = ns / 1000;
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 100000 ? 0 : 2)} ms`;
  if (us >= 100) return `${us.toFixed(0)} µs`;
  if (us >= 10) return `${us.toFixed(1)} µs`;
  return `${us.toFixed(2)} µs`;
}

/** A duration in ns as ms (s from 1000 ms), with three significant digits or so. */
export function fmtMs(ns: number): string {
  const ms = ns / 1e6;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** A summary's median in `fmt`, with half the interquartile range (relative) when that is above 5%. */
export function fmtCell(s: Summary, fmt: (ns: number) => string): string {
  return s.iqrRel > 0.1 ? `${fmt(s.medianNs)} (±${Math.round((s.iqrRel * 100) / 2)}%)` : fmt(s.medianNs);
}

/** How mdTable lays a table out. */
export interface TableStyle {
  /** pad every cell to its column's width (default true) */
  pad?: boolean;
  /** per column (default: the first left, the others right) */
  align?: ('left' | 'right')[];
}

/** A markdown table. */
export function mdTable(head: string[], rows: string[][], { pad = true, align }: TableStyle = {}): string {
  const right = (i: number) => (align ? align[i] === 'right' : i > 0);
  const widths = head.map((h, i) => (pad ? Math.max(h.length, ...rows.map((row) => row[i].length)) : 0));
  const cell = (c: string, i: number) => (!pad ? c : right(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const dashes = (i: number) => '-'.repeat(pad ? widths[i] + 1 : 3);
  const rule = (i: number) => (right(i) ? `${dashes(i)}:` : pad ? `:${dashes(i)}` : dashes(i));
  return [line(head), `|${head.map((_, i) => rule(i)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** A progress line on stderr (stdout carries the report). */
export function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

/** Writes the --json report atomically (`indent` as JSON.stringify takes it) and says so on stderr. */
export function writeJsonReport(file: string, report: unknown, indent = 2): void {
  writeFileAtomic(file, `${JSON.stringify(report, null, indent)}\n`);
  log(`wrote ${file}`);
}

/** Runs a benchmark's main; a failure prints its stack and exits with status 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
