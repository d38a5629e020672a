/**
 * What HRM carries from one ACT step to the next (hrm-spec 3.1): the recurrent states z_H and
 * z_L, the steps each row has run, which rows halted, and the example each row works on. Also
 * the carry as named tensors (the reference's names), for saving it with a checkpoint.
 * @module
 */
import { Tensor, checkTensor } from '../../tensor/tensor';
import { checkObject } from '../../util/errors';

/** One batch: token ids [B, S], labels [B, S] (ignored = -100), puzzle ids [B] (all int32). */
export interface HRMBatch {
  /** token ids [B, S] */
  inputs: Tensor;
  /** target token ids [B, S]; IGNORE_LABEL_ID where nothing is supervised */
  labels: Tensor;
  /** puzzle identifiers [B] (index into the puzzle-embedding table; 0 is the blank) */
  puzzleIdentifiers: Tensor;
}

/** The recurrent state of one segment: z_H and z_L, [B, L, D] in the forward dtype. */
export interface InnerCarry {
  /** high-level state [B, L, D] */
  zH: Tensor;
  /** low-level state [B, L, D] */
  zL: Tensor;
}

/** The ACT carry (spec 3.1). */
export interface HRMCarry {
  /** the recurrent states */
  inner: InnerCarry;
  /** segments already run on each row's current example (int32 [B]) */
  steps: Tensor;
  /** rows whose example is finished and will be replaced at the next step (bool [B]) */
  halted: Tensor;
  /** the example each row is working on */
  currentData: HRMBatch;
}

/**
 * Returns `batch` when it is an object with the three batch tensors; otherwise `INVALID_ARGUMENT`
 * naming `what` and the field. Shapes and dtypes are checked by the model against its config.
 */
export function checkHRMBatch(batch: unknown, what: string): HRMBatch {
  const b = checkObject<Record<string, unknown>>(batch, what, 'a batch {inputs, labels, puzzleIdentifiers}');
  for (const k of ['inputs', 'labels', 'puzzleIdentifiers']) checkTensor(b[k], `${what}.${k}`);
  return batch as HRMBatch;
}

/** Returns `c` when it has a carry's structure (tensors where a carry has them); otherwise `INVALID_ARGUMENT` naming `what` and the field. */
export function checkHRMCarry(c: unknown, what: string): HRMCarry {
  const carry = checkObject<Record<string, unknown>>(c, what, 'an HRM carry (from initialCarry())');
  const inner = checkObject<Record<string, unknown>>(carry.inner, `${what}.inner`, 'an object {zH, zL}');
  checkTensor(inner.zH, `${what}.inner.zH`);
  checkTensor(inner.zL, `${what}.inner.zL`);
  checkTensor(carry.steps, `${what}.steps`);
  checkTensor(carry.halted, `${what}.halted`);
  checkHRMBatch(carry.currentData, `${what}.currentData`);
  return c as HRMCarry;
}

/** The carry's tensors by the reference's names (z_H, z_L, steps, halted, inputs, labels, puzzle_identifiers). */
export function carryTensors(c: HRMCarry): Record<string, Tensor> {
  checkHRMCarry(c, 'carryTensors(): carry');
  return {
    z_H: c.inner.zH,
    z_L: c.inner.zL,
    steps: c.steps,
    halted: c.halted,
    inputs: c.currentData.inputs,
    labels: c.currentData.labels,
    puzzle_identifiers: c.currentData.puzzleIdentifiers,
  };
}

/** The carry back from {@link carryTensors}' names; undefined when `t` holds no carry. The carry owns the tensors. */
export function carryFromTensors(t: Record<string, Tensor>): HRMCarry | undefined {
  checkObject(t, 'carryFromTensors(): tensors', 'an object of named tensors');
  if (!t.z_H) return undefined;
  for (const k of ['z_H', 'z_L', 'steps', 'halted', 'inputs', 'labels', 'puzzle_identifiers']) checkTensor(t[k], `carryFromTensors(): tensors.${k}`);
  return {
    inner: { zH: t.z_H, zL: t.z_L },
    steps: t.steps,
    halted: t.halted,
    currentData: { inputs: t.inputs, labels: t.labels, puzzleIdentifiers: t.puzzle_identifiers },
  };
}

/** Frees every tensor of a carry (for carries kept across scopes). */
export function disposeCarry(c: HRMCarry): void {
  checkHRMCarry(c, 'disposeCarry(): carry');
  for (const t of Object.values(carryTensors(c))) t.dispose();
}
