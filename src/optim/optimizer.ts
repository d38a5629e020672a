/**
 * Optimizer base: parameters, a learning rate the schedule sets before each step, per-parameter
 * state tensors, and a state dict (tensors + JSON) for checkpoints.
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { zerosLike } from '../tensor/creation';
import { adopt, scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { invalidArgument } from '../tensor/dtype';
import { checkObject, checkString, describeValue } from '../util/errors';

/** An optimizer's saveable state. */
export interface OptimizerState {
  /** state tensors by "<param index>.<name>" */
  tensors: Record<string, Tensor>;
  /** scalars: per-parameter step counts and hyperparameters */
  meta: OptimizerMeta;
}

/** The scalar part of an optimizer's state. */
export interface OptimizerMeta {
  /** the optimizer class, checked on load */
  kind: string;
  /** the learning rate of the next step */
  lr: number;
  /** how many updates each parameter has had */
  steps: number[];
  /** hyperparameters, saved for the record */
  [k: string]: unknown;
}

/** The base of the optimizers: parameters, a learning rate, per-parameter state, a state dict. */
export abstract class Optimizer {
  /** the learning rate used by the next step (the schedule sets it) */
  lr: number;
  /** per parameter: its state tensors by name */
  protected readonly slots: Map<string, Tensor>[];
  /** per parameter: how many updates it has had */
  protected readonly stepCounts: number[];

  /**
   * Checks the parameters and the options' learning rate (each optimizer checks its other options).
   * @param opts the optimizer's options; `lr` is required
   */
  constructor(
    /** the tensors this optimizer updates */
    readonly params: Tensor[],
    opts: { lr: number },
    /** the optimizer's name, saved in its state */
    readonly kind: string,
  ) {
    if (!Array.isArray(params) || params.length === 0) {
      throw invalidArgument(`${kind}: params must be a non-empty array of tensors (model.parameters(), say), got ${describeValue(params)}`);
    }
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw invalidArgument(`${kind}: params[${i}] must be a Tensor, got ${describeValue(p)}`);
    });
    if (opts === null || typeof opts !== 'object') throw invalidArgument(`${kind}: options must be an object with at least lr ({ lr: 1e-4 }, say), got ${describeValue(opts)}`);
    const lr = opts.lr;
    if (typeof lr !== 'number' || !(lr >= 0)) throw invalidArgument(`${kind}: options.lr must be a number >= 0, got ${describeValue(lr)}`);
    this.lr = lr;
    this.slots = params.map(() => new Map());
    this.stepCounts = params.map(() => 0);
  }

  /** A state tensor of parameter i, created as zeros like the parameter on first use. */
  protected slot(i: number, name: string): Tensor {
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length) throw invalidArgument(`${this.kind}.slot(): i must be a parameter index from 0 to ${this.params.length - 1}, got ${describeValue(i)}`);
    checkString(name, `${this.kind}.slot(): name`);
    let t = this.slots[i].get(name);
    if (!t) {
      t = adopt(noGrad(() => zerosLike(this.params[i])));
      this.slots[i].set(name, t);
    }
    return t;
  }

  /** Applies one update from the current gradients (parameters without a gradient are skipped). */
  abstract step(): void;

  /**
   * Runs `update(p, g, i, t)` for every parameter with a gradient, t being its 1-based step
   * count, without recording autograd and freeing temporaries as it goes.
   */
  protected forEachWithGrad(update: (p: Tensor, g: Tensor, i: number, t: number) => void): void {
    noGrad(() => {
      this.params.forEach((p, i) => {
        scope(() => {
          const g = p.grad;
          if (g === undefined) return;
          update(p, g, i, ++this.stepCounts[i]);
        });
      });
    });
  }

  /** Clears the gradients of all parameters. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = undefined;
  }

  /** Throws unless options.`name` is a number in [min, max) (max included when `maxIncluded`). @internal */
  protected checkNumber(name: string, v: unknown, min: number, max = Infinity): void {
    if (typeof v !== 'number' || !(v >= min && v < max)) {
      throw invalidArgument(`${this.kind}: options.${name} must be a number in [${min}, ${max === Infinity ? 'Infinity' : max}), got ${describeValue(v)}`);
    }
  }

  /** Hyperparameters to save beside the state (besides lr). */
  protected hyper(): Record<string, unknown> {
    return {};
  }

  /** The state tensors (the optimizer's own: do not dispose them) and the scalars. */
  stateDict(): OptimizerState {
    const tensors: Record<string, Tensor> = {};
    this.slots.forEach((m, i) => m.forEach((t, name) => (tensors[`${i}.${name}`] = t)));
    return { tensors, meta: { kind: this.kind, lr: this.lr, steps: [...this.stepCounts], ...this.hyper() } };
  }

  /** Copies saved state into this optimizer (same kind, same parameter count and shapes). */
  loadStateDict(state: OptimizerState): void {
    checkObject(state, `${this.kind}.loadStateDict(): state`, 'an optimizer state {tensors, meta} (from stateDict())');
    checkObject(state.meta, `${this.kind}.loadStateDict(): state.meta`);
    checkObject(state.tensors, `${this.kind}.loadStateDict(): state.tensors`);
    if (!Array.isArray(state.meta.steps)) throw invalidArgument(`${this.kind}.loadStateDict(): state.meta.steps must be an array of step counts, got ${describeValue(state.meta.steps)}`);
    if (state.meta.kind !== this.kind) throw invalidArgument(`cannot load ${state.meta.kind} optimizer state into ${this.kind}`);
    if (state.meta.steps.length !== this.params.length) {
      throw invalidArgument(`${this.kind} state is for ${state.meta.steps.length} parameters, this optimizer has ${this.params.length}`);
    }
    noGrad(() => {
      for (const [key, t] of Object.entries(state.tensors)) {
        const [i, name] = [Number(key.slice(0, key.indexOf('.'))), key.slice(key.indexOf('.') + 1)];
        if (!(i >= 0 && i < this.params.length)) throw invalidArgument(`${this.kind} state has an entry for parameter ${i}`);
        const slot = this.slot(i, name);
        if (JSON.stringify(slot.shape) !== JSON.stringify(t.shape)) {
          throw invalidArgument(`${this.kind} state '${key}' has shape [${t.shape}], the parameter has [${slot.shape}]`);
        }
        slot.copy_(t);
      }
    });
    state.meta.steps.forEach((s, i) => (this.stepCounts[i] = s));
    this.lr = state.meta.lr;
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const m of this.slots) {
      for (const t of m.values()) t.dispose();
      m.clear();
    }
  }
}
