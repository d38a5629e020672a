/**
 * AdamATan2 (hrm-spec 4.2a) and AdamW. Both use decoupled weight decay multiplied by the
 * scheduled learning rate, applied to every parameter they hold.
 * @module
 */
import { Tensor, checkTensor } from '../tensor/tensor';
import { invalidArgument } from '../tensor/dtype';
import { describeValue } from '../util/errors';
import { Optimizer } from './optimizer';

/** The hyperparameters both Adam variants take. */
export interface AdamOptions {
  /** the initial learning rate (a schedule usually sets it before each step) */
  lr: number;
  /** decay rates of the first and second moment estimates */
  betas?: [number, number];
  /** decoupled weight decay, multiplied by the learning rate */
  weightDecay?: number;
}

/**
 * What the Adam variants share. Per step: p *= 1 - lr*wd; m += (1-b1)(g - m); the variant's
 * second-moment update of v; then the variant's update with bias corrections bc1 = 1 - b1^t,
 * bc2 = 1 - b2^t.
 */
export abstract class AdamBase extends Optimizer {
  /** moment decay rates */
  readonly betas: [number, number];
  /** decoupled weight decay */
  readonly weightDecay: number;

  protected constructor(params: Tensor[], opts: AdamOptions, kind: string, defaults: { betas: [number, number]; weightDecay: number }) {
    super(params, opts, kind);
    this.betas = opts.betas ?? defaults.betas;
    this.weightDecay = opts.weightDecay ?? defaults.weightDecay;
    if (!Array.isArray(this.betas) || this.betas.length !== 2) {
      throw invalidArgument(`${kind}: options.betas must be two numbers in [0, 1), got ${describeValue(this.betas)}`);
    }
    this.checkNumber('betas[0]', this.betas[0], 0, 1);
    this.checkNumber('betas[1]', this.betas[1], 0, 1);
    this.checkNumber('weightDecay', this.weightDecay, 0);
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    const [b1, b2] = this.betas;
    const lr = this.lr;
    this.forEachWithGrad((p, g, i, t) => {
      const m = this.slot(i, 'exp_avg');
      const v = this.slot(i, 'exp_avg_sq');
      if (this.weightDecay !== 0) p.mul_(1 - lr * this.weightDecay);
      m.lerp_(g, 1 - b1);
      this.updateSecondMoment(v, g, b2);
      this.applyUpdate(p, m, v, lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t));
    });
  }

  /** v <- b2 v + (1 - b2) g^2, in the variant's op order. */
  protected abstract updateSecondMoment(v: Tensor, g: Tensor, b2: number): void;
  /** p moves by `stepSize` (lr / bc1) along the variant's direction from m and v / sqrtBc2. */
  protected abstract applyUpdate(p: Tensor, m: Tensor, v: Tensor, stepSize: number, sqrtBc2: number): void;
}

/**
 * Adam with atan2 in place of m / (sqrt(v) + eps): bounded updates and no epsilon.
 * p -= (lr / bc1) * atan2(m, sqrt(v) / sqrt(bc2)).
 */
export class AdamATan2 extends AdamBase {
  constructor(params: Tensor[], opts: AdamOptions) {
    super(params, opts, 'AdamATan2', { betas: [0.9, 0.95], weightDecay: 0 });
  }
  protected override hyper(): Record<string, unknown> {
    return { betas: this.betas, weightDecay: this.weightDecay };
  }
  protected updateSecondMoment(v: Tensor, g: Tensor, b2: number): void {
    checkTensor(v, 'updateSecondMoment(): v');
    checkTensor(g, 'updateSecondMoment(): g');
    v.lerp_(g.square(), 1 - b2);
  }
  protected applyUpdate(p: Tensor, m: Tensor, v: Tensor, stepSize: number, sqrtBc2: number): void {
    checkTensor(p, 'applyUpdate(): p');
    checkTensor(m, 'applyUpdate(): m');
    checkTensor(v, 'applyUpdate(): v');
    p.add_(m.atan2(v.sqrt().div(sqrtBc2)), -stepSize);
  }
}

/** AdamW (decoupled weight decay), for comparison and for TRM-style runs: p -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps). */
export class AdamW extends AdamBase {
  /** added to the denominator (default 1e-8) */
  readonly eps: number;
  constructor(params: Tensor[], opts: AdamOptions & { eps?: number }) {
    super(params, opts, 'AdamW', { betas: [0.9, 0.999], weightDecay: 0.01 });
    this.eps = opts.eps ?? 1e-8;
    this.checkNumber('eps', this.eps, 0);
  }
  protected override hyper(): Record<string, unknown> {
    return { betas: this.betas, weightDecay: this.weightDecay, eps: this.eps };
  }
  protected updateSecondMoment(v: Tensor, g: Tensor, b2: number): void {
    checkTensor(v, 'updateSecondMoment(): v');
    checkTensor(g, 'updateSecondMoment(): g');
    v.mul_(b2).addcmul_(g, g, 1 - b2);
  }
  protected applyUpdate(p: Tensor, m: Tensor, v: Tensor, stepSize: number, sqrtBc2: number): void {
    checkTensor(p, 'applyUpdate(): p');
    checkTensor(m, 'applyUpdate(): m');
    checkTensor(v, 'applyUpdate(): v');
    p.addcdiv_(m, v.sqrt().div(sqrtBc2).add(this.eps), -stepSize);
  }
}
