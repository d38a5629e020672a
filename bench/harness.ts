/**
 * What the benchmarks share: a long-lived Python child that answers one JSON line per request,
 * garbage-collection and event-loop helpers, robust summaries of repeated timings, and the
 * libtorch version the SDK runs on.
 */
import { spawn, ChildProcessWithoutNullStreams } from 'child_process';
import * as readline from 'readline';
import * as v8 from 'v8';
import * as vm from 'vm';
import * as ht from '../src';
import { torchVersionOf } from '../src/util/version';

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

  protected async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) {
      await new Promise((res) => setTimeout(res, 50)); // let stderr drain
      throw new Error(`the PyTorch reference process ended early${this.stderr ? `:\n${this.stderr.trim()}` : ''}`);
    }
    return JSON.parse(r.value) as Record<string, unknown>;
  }

  protected async request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const msg = await this.next();
    if (!msg.ok) throw new Error(`${this.script} failed on ${JSON.stringify(req).slice(0, 200)}: ${String(msg.error)}`);
    return msg;
  }

  /** The first line, which describes the Python side. */
  async ready<T>(): Promise<T> {
    const msg = await this.next();
    if (!msg.ready) throw new Error(`unexpected first line from ${this.script}: ${JSON.stringify(msg)}`);
    return msg as unknown as T;
  }

  async close(): Promise<void> {
    this.proc.stdin.write(`${JSON.stringify({ cmd: 'exit' })}\n`);
    this.proc.stdin.end();
    await new Promise<void>((res) => {
      if (this.proc.exitCode !== null) res();
      else this.proc.once('exit', () => res());
    });
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

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

export function now(): bigint {
  return process.hrtime.bigint();
}

export interface Summary {
  medianNs: number;
  meanNs: number;
  minNs: number;
  maxNs: number;
  /** interquartile range relative to the median */
  iqrRel: number;
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

/** The libtorch version the SDK loaded (from the runtime configuration). */
export function torchVersionOfSdk(): string {
  const info = ht.buildInfo();
  return torchVersionOf(info.runtimeConfig) ?? info.torchVersion;
}
