/**
 * Runs PyTorch itself (test/reference/run.py) on inputs written by the SDK and reads back its
 * results, so numerical tests compare against PyTorch rather than against stored numbers.
 *
 * The Python is the one that holds the libtorch we built against (recorded at build time), or
 * HRM_TORCH_PYTHON. Where none is found the comparisons are skipped, except under CI, where a
 * missing reference fails the run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ht from '../../src';
import { buildRecord } from '../../src/native';
import { requiredUnderCi } from './ci';

export interface RefCase {
  name: string;
  expr?: string;
  exec?: string;
}

let cachedPython: string | null | undefined;

/** The Python with torch + safetensors, or null. */
export function referencePython(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  const candidates = [process.env.HRM_TORCH_PYTHON, buildRecord().python, path.resolve(__dirname, '..', '..', '.venv', 'bin', 'python'), 'python3'];
  cachedPython = null;
  for (const py of candidates) {
    if (!py) continue;
    const r = spawnSync(py, ['-c', 'import torch, safetensors'], { encoding: 'utf8' });
    if (!r.error && r.status === 0) {
      cachedPython = py;
      break;
    }
  }
  requiredUnderCi(cachedPython !== null, 'no Python with torch and safetensors was found (set HRM_TORCH_PYTHON)');
  return cachedPython;
}

/** `describe` that runs only where the PyTorch reference is available (always under CI). */
export const describeWithTorch: jest.Describe = (referencePython() ? describe : describe.skip) as jest.Describe;

export function tmpDir(prefix = 'hrm-torch-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes `inputs`, runs the cases in PyTorch, and returns the results (name -> tensor).
 * A case that raised in Python becomes an Error naming it.
 */
export function runReference(inputs: Record<string, ht.Tensor>, cases: RefCase[], opts: { threads?: number } = {}): Record<string, ht.Tensor> {
  const py = referencePython();
  if (!py) throw new Error('no PyTorch reference available');
  const dir = tmpDir();
  try {
    const inFile = path.join(dir, 'in.safetensors');
    const outFile = path.join(dir, 'out.safetensors');
    ht.saveSafetensors(inFile, inputs);
    const job = path.join(dir, 'job.json');
    fs.writeFileSync(job, JSON.stringify({ inputs: inFile, output: outFile, cases, threads: opts.threads ?? 1 }));
    const r = spawnSync(py, [path.join(__dirname, '..', 'reference', 'run.py'), job], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`reference run failed (exit ${r.status}): ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { errors: Record<string, string> };
    const errs = Object.entries(report.errors);
    if (errs.length) throw new Error(`PyTorch raised in ${errs.length} case(s): ${errs.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    return ht.loadSafetensors(outFile).tensors;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a Python script (source text) with the reference Python; returns stdout. */
export function runPython(source: string, args: string[] = []): string {
  const py = referencePython();
  if (!py) throw new Error('no PyTorch reference available');
  const r = spawnSync(py, ['-c', source, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout;
}

/**
 * Asserts that `actual` matches the PyTorch result `expected`: same shape and dtype, values
 * within |a - e| <= atol + rtol |e| (exact for integer and bool tensors; NaNs must match).
 */
export function expectTensorClose(actual: ht.Tensor, expected: ht.Tensor, what: string, tol: { rtol?: number; atol?: number } = {}): void {
  const label = `${what}: `;
  if (JSON.stringify(actual.shape) !== JSON.stringify(expected.shape)) {
    throw new Error(`${label}shape ${JSON.stringify(actual.shape)} != PyTorch ${JSON.stringify(expected.shape)}`);
  }
  if (actual.dtype !== expected.dtype) throw new Error(`${label}dtype ${actual.dtype} != PyTorch ${expected.dtype}`);
  const exact = !ht.isFloating(actual.dtype);
  const a = exact ? actual.toTypedArray() : (actual.to('float64').toTypedArray() as Float64Array);
  const e = exact ? expected.toTypedArray() : (expected.to('float64').toTypedArray() as Float64Array);
  const rtol = tol.rtol ?? (actual.dtype === 'float64' ? 1e-10 : actual.dtype === 'float32' ? 1e-5 : 1e-2);
  const atol = tol.atol ?? (actual.dtype === 'float64' ? 1e-12 : actual.dtype === 'float32' ? 1e-6 : 1e-3);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    if (exact) {
      if (a[i] !== e[i]) throw new Error(`${label}element ${i}: ${a[i]} != PyTorch ${e[i]}`);
      continue;
    }
    const x = a[i] as number;
    const y = e[i] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) throw new Error(`${label}element ${i}: ${x} vs PyTorch ${y}`);
      continue;
    }
    if (x === y) continue;
    const err = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (err > worstErr) {
      worstErr = err;
      worst = i;
    }
  }
  if (worst >= 0) throw new Error(`${label}element ${worst}: ${a[worst]} vs PyTorch ${e[worst]} (rtol ${rtol}, atol ${atol})`);
}
