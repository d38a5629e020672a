/**
 * An exponential moving average of a model's weights (TRM's recipe, hrm-spec 8): after every
 * optimizer step, shadow <- (1 - rate) * param + rate * shadow for every parameter that requires
 * grad. Buffers are not averaged (the puzzle-embedding table is a buffer trained by SignSGD).
 *
 * The average costs one copy of the parameters: to evaluate or save it, {@link WeightEMA.swap}
 * exchanges it with the model's weights in place (the shadow then holds the trained weights),
 * and a second swap puts everything back.
 * @module
 */
import { Module } from '../nn/module';
import { noGrad } from '../tensor/autograd';
import { adopt, scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { describeValue, hrmError, invalidArgument } from '../util/errors';

/** `rate` when it is an EMA rate, a number in [0, 1); else an `INVALID_ARGUMENT` error naming `what` and what was given. */
export function checkEmaRate(rate: unknown, what: string): number {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw invalidArgument(`${what} must be a rate in [0, 1) (e.g. 0.999), got ${describeValue(rate)}`);
  return rate;
}

/** The shadow weights of a model's trainable parameters. */
export class WeightEMA {
  private readonly entries: { name: string; param: Tensor; shadow: Tensor }[];
  private swapped = false;

  /**
   * Starts the average at the model's current weights.
   * @param model the model whose parameters are averaged
   * @param rate the weight of the old average, in [0, 1) (TRM: 0.999)
   */
  constructor(model: Module, readonly rate: number) {
    if (!(model instanceof Module)) throw invalidArgument(`ema: the model must be a Module, got ${describeValue(model)}`);
    checkEmaRate(rate, 'WeightEMA: rate');
    this.entries = model
      .namedParameters()
      .filter(([, p]) => p.requiresGrad)
      .map(([name, param]) => ({ name, param, shadow: adopt(noGrad(() => param.detach().clone())) })); // owned here, never by a caller's scope
  }

  /** The averaged parameters' names, in the model's state-dict order. */
  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Whether the model holds the average now (between two {@link swap}s). */
  get isSwapped(): boolean {
    return this.swapped;
  }

  /** One step of the average: shadow <- (1 - rate) * param + rate * shadow, in TRM's order of operations. */
  update(): void {
    if (this.swapped) throw invalidArgument('ema.update(): the model holds the average (swap() it back first)');
    const keep = this.rate;
    noGrad(() => {
      for (const { param, shadow } of this.entries) {
        scope(() => {
          shadow.mul_(keep).add_(param.mul(1 - keep));
        });
      }
    });
  }

  /** Restarts the average at the model's current weights. */
  reset(): void {
    if (this.swapped) throw invalidArgument('ema.reset(): the model holds the average (swap() it back first)');
    noGrad(() => {
      for (const { param, shadow } of this.entries) shadow.copy_(param);
    });
  }

  /** Exchanges the model's weights and the shadow in place: once to put the average in the model, again to put it back. */
  swap(): void {
    this.exchange();
    this.swapped = !this.swapped;
  }

  /**
   * From a checkpoint of a run with EMA, whose model (loaded into the model already) is the
   * average: `trained` (by parameter name) goes to the model and the average to the shadow.
   */
  restore(trained: Record<string, Tensor>): void {
    if (this.swapped) throw invalidArgument('ema.restore(): the model holds the average (swap() it back first)');
    this.loadState(trained);
    this.exchange();
  }

  private exchange(): void {
    noGrad(() => {
      for (const { param, shadow } of this.entries) {
        scope(() => {
          const trained = param.clone();
          param.copy_(shadow);
          shadow.copy_(trained);
        });
      }
    });
  }

  /** Runs `fn` with the average in the model (evaluation, saving), and puts the trained weights back after it, even when it throws. */
  withAverage<T>(fn: () => T): T {
    if (this.swapped) throw invalidArgument('ema.withAverage(): the model holds the average already');
    this.swap();
    try {
      return fn();
    } finally {
      this.swap();
    }
  }

  /**
   * The shadow tensors by parameter name (the EMA's own, not copies: do not dispose them). Between
   * two swaps they are the trained weights.
   */
  state(): Record<string, Tensor> {
    return Object.fromEntries(this.entries.map((e) => [e.name, e.shadow]));
  }

  /** Copies `tensors` (by parameter name, as {@link state} gives them) into the shadow; every name must be there, with its shape. */
  loadState(tensors: Record<string, Tensor>): void {
    const problems: string[] = [];
    for (const { name, shadow } of this.entries) {
      const t = tensors[name];
      if (!(t instanceof Tensor)) problems.push(`'${name}' is missing`);
      else if (JSON.stringify(t.shape) !== JSON.stringify(shadow.shape)) problems.push(`'${name}' has shape [${t.shape}], the model's is [${shadow.shape}]`);
    }
    const unexpected = Object.keys(tensors).filter((k) => !this.entries.some((e) => e.name === k));
    if (unexpected.length) problems.push(`unexpected: ${unexpected.join(', ')}`);
    if (problems.length) throw hrmError('STATE_DICT_MISMATCH', `ema.loadState(): the tensors do not fit the model's parameters: ${problems.join('; ')}`);
    noGrad(() => {
      for (const { name, shadow } of this.entries) shadow.copy_(tensors[name]);
    });
  }

  /** Frees the shadow. */
  dispose(): void {
    for (const e of this.entries) e.shadow.dispose();
  }
}
