/**
 * Test helpers: runs a script against the built SDK (dist/) in a child Node process with a time and
 * heap limit, so a case that would hang or abort the process fails its test instead of killing jest;
 * and, for the tests of what a kill leaves behind, a child killed mid-script and an ended process's id.
 */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';

/** The built SDK's entry point (run `npm run build:ts` first, as `npm test` does). */
export const DIST = path.resolve(__dirname, '..', '..', 'dist', 'src');

/** The last line of a child's output parsed as JSON (its result), or undefined when it is not JSON. */
export function lastJsonLine(stdout: string): unknown {
  const last = stdout.trim().split('\n').pop();
  try {
    return last ? JSON.parse(last) : undefined;
  } catch {
    return undefined;
  }
}

/** How a child process ended. */
export interface ChildOutcome {
  /** exit status (null when killed) */
  status: number | null;
  /** the signal that ended it, if any */
  signal: NodeJS.Signals | null;
  /** killed for running past the time limit */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** the value the script passed to `report()` (parsed from its last stdout line), if any */
  result?: unknown;
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** kill the child after this long (default 30 s) */
  timeoutMs?: number;
  /** V8 old-space limit in MB (default 512), so a runaway allocation ends quickly */
  heapMb?: number;
}

/**
 * Runs `body` (JavaScript, with `ht` the built SDK and `report(value)` printing its outcome as JSON)
 * in a child process whose standard input stays open and silent: reading file descriptor 0 blocks.
 * A thrown error is reported as `{ threw: true, code, message }`.
 */
export function runChild(body: string, opts: ChildOptions = {}): Promise<ChildOutcome> {
  const script = `
    const ht = require(${JSON.stringify(DIST)});
    const report = (v) => process.stdout.write('\\n' + JSON.stringify(v) + '\\n');
    (async () => { ${body} })().catch((e) => report({ threw: true, code: e && e.code, message: e && e.message }));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${opts.heapMb ?? 512}`, '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, timedOut, stdout, stderr, result: lastJsonLine(stdout) });
    });
  });
}

/** The id of a process that ran and has exited (so no running process has it, barring a reuse within milliseconds). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { encoding: 'utf8' });
  if (r.pid === undefined || r.status !== 0) throw new Error(`could not run ${process.execPath}`);
  return r.pid;
}

/**
 * Runs `script` (JavaScript; `DIST` is there for requiring the built SDK's modules) in a child
 * process that kills itself with SIGKILL when the script ends, or earlier where the script does:
 * a kill in the middle of whatever it started, leaving what such a kill leaves. Returns the child's id.
 */
export function runKilled(script: string): { pid: number } {
  const r = spawnSync(process.execPath, ['-e', `const DIST = ${JSON.stringify(DIST)};\n${script}\nprocess.kill(process.pid, 'SIGKILL');`], { encoding: 'utf8' });
  if (r.signal !== 'SIGKILL') throw new Error(`the child was not killed (status ${r.status}): ${r.stderr}`);
  return { pid: r.pid! };
}
