/**
 * Gradient-mode control and autograd utilities. Grad mode is thread-local in libtorch; every op
 * runs synchronously on the calling JS thread, so these regions are exact.
 * @module
 */
import { addon } from '../native';
import { invalidArgument } from './dtype';
import { checkArray, checkFunction, checkObject } from '../util/errors';
import { scope } from './scope';
import { Tensor, checkTensor, handleOf, wrapHandle as wrap } from './tensor';


/** Runs fn with gradient recording off (results do not require grad). Synchronous. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with gradient recording on (inside a noGrad region, say). Synchronous. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

// Grad mode is restored even when fn throws.
function withGradMode<T>(enabled: boolean, fn: () => T): T {
  checkFunction(fn, enabled ? 'enableGrad(): fn' : 'noGrad(): fn');
  const prev = addon.isGradEnabled();
  addon.setGradEnabled(enabled);
  try {
    return fn();
  } finally {
    addon.setGradEnabled(prev);
  }
}

/** Whether operations are being recorded for autograd on this thread. */
export function isGradEnabled(): boolean {
  return addon.isGradEnabled();
}

/** Turns gradient recording on or off (prefer the scoped `noGrad` / `enableGrad`). */
export function setGradEnabled(enabled: boolean): void {
  addon.setGradEnabled(enabled);
}

/**
 * Runs fn in libtorch's inference mode: faster than noGrad, but tensors made inside can never
 * be used in autograd later. Synchronous.
 */
export function inferenceMode<T>(fn: () => T): T {
  checkFunction(fn, 'inferenceMode(): fn');
  addon.inferenceModeEnter();
  try {
    return fn();
  } finally {
    addon.inferenceModeExit();
  }
}

/** Whether libtorch's inference mode is on. */
export function isInferenceMode(): boolean {
  return addon.isInferenceMode();
}

/** Gradients of outputs with respect to inputs, without touching `.grad` (torch.autograd.grad). */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: { gradOutputs?: Tensor[]; retainGraph?: boolean; createGraph?: boolean } = {},
): (Tensor | undefined)[] {
  const outs = (Array.isArray(outputs) ? outputs : [outputs]).map((t, i) => handleOf(t, `outputs[${i}]`));
  const ins = (Array.isArray(inputs) ? inputs : [inputs]).map((t, i) => handleOf(t, `inputs[${i}]`));
  const gos = opts.gradOutputs?.map((t, i) => handleOf(t, `gradOutputs[${i}]`));
  return addon.autogradGrad(outs, ins, gos, opts.retainGraph, opts.createGraph).map((h) => (h === undefined ? undefined : wrap(h)));
}

/** The comparison `gradcheck` made. */
export interface GradcheckResult {
  /** whether every analytic value matched its numeric one within tolerance */
  ok: boolean;
  /** largest |analytic - numeric| over all inputs */
  maxAbsError: number;
  /** per input: the analytic and numeric Jacobian-vector products that were compared */
  details: GradcheckDetail[];
}

/** The analytic and numeric gradients of one input of `gradcheck`. */
export interface GradcheckDetail {
  /** the input's position */
  input: number;
  /** autograd's gradient, flattened */
  analytic: number[];
  /** the central finite difference, flattened */
  numeric: number[];
}

/**
 * Compares autograd's gradient of sum(fn(inputs) * w) (w a fixed random weight) with central
 * finite differences, for float64 inputs. Returns the comparison; `ok` is
 * |analytic - numeric| <= atol + rtol * |numeric| everywhere.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  opts: { eps?: number; atol?: number; rtol?: number } = {},
): GradcheckResult {
  checkFunction(fn, 'gradcheck(): fn');
  checkArray(inputs, 'gradcheck(): inputs', 'an array of tensors').forEach((t, i) => checkTensor(t, `gradcheck(): inputs[${i}]`));
  checkObject(opts, 'gradcheck(): opts');
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  for (const [i, t] of inputs.entries()) {
    if (t.dtype !== 'float64') throw invalidArgument(`gradcheck(): input ${i} must be float64 for finite differences, got ${t.dtype}`);
  }
  return scope(() => {
    const leaves = inputs.map((t) => t.detach().clone().requiresGrad_(true));
    const probe = fn(...leaves);
    // A fixed pseudo-random projection so every output element matters.
    const n = probe.numel;
    const wData = new Float64Array(n);
    for (let k = 0; k < n; k++) wData[k] = Math.sin(k * 12.9898 + 1.2345) * 0.5 + 0.75;
    const w = wrap(addon.fromBuffer(wData, 7, probe.shape));
    const objective = (xs: Tensor[]) => fn(...xs).mul(w).sum();
    const out = objective(leaves);
    out.backward();
    let maxAbsError = 0;
    let ok = true;
    const details: GradcheckResult['details'] = [];
    for (const [i, leaf] of leaves.entries()) {
      const g = leaf.grad;
      const analytic = g === undefined ? new Array(leaf.numel).fill(0) : Array.from(g.toTypedArray() as Float64Array);
      const base = leaf.detach().toTypedArray() as Float64Array;
      const numeric: number[] = [];
      for (let k = 0; k < base.length; k++) {
        const at = (delta: number) =>
          scope(() => {
            const data = Float64Array.from(base);
            data[k] += delta;
            const xi = wrap(addon.fromBuffer(data, 7, leaf.shape));
            const xs = leaves.map((l, j) => (j === i ? xi : l.detach()));
            return Number(objective(xs).item());
          });
        numeric.push((at(eps) - at(-eps)) / (2 * eps));
      }
      for (let k = 0; k < numeric.length; k++) {
        const err = Math.abs(analytic[k] - numeric[k]);
        maxAbsError = Math.max(maxAbsError, err);
        if (!(err <= atol + rtol * Math.abs(numeric[k]))) ok = false;
      }
      details.push({ input: i, analytic, numeric });
    }
    return { ok, maxAbsError, details };
  });
}

/** Number of autograd graph nodes reachable from a tensor's grad_fn (0 for a leaf): a size measure of the graph. */
export function graphSize(t: Tensor): number {
  return addon.graphSize(handleOf(t, 'tensor'));
}
