/**
 * AdamATan2 (hrm-spec 4.2a) and AdamW. Both use decoupled weight decay multiplied by the
 * scheduled learning rate, applied to every parameter they hold.
 * @module
 */
import { Tensor } from '../tensor/tensor';
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
 * Adam with atan2 in place of m / (sqrt(v) + eps): bounded updates and no epsilon.
 * Per step: p *= 1 - lr*wd; m += (1-b1)(g - m); v += (1-b2)(g^2 - v);
 * p -= (lr / bc1) * atan2(m, sqrt(v) / sqrt(bc2)).
 */
export class AdamATan2 extends Optimizer {
  /** moment decay rates (default [0.9, 0.95]) */
  readonly betas: [number, number];
  /** decoupled weight decay (default 0) */
  readonly weightDecay: number;
  constructor(params: Tensor[], opts: AdamOptions) {
    super(params, opts.lr, 'AdamATan2');
    this.betas = opts.betas ?? [0.9, 0.95];
    this.weightDecay = opts.weightDecay ?? 0;
  }
  protected override hyper(): Record<string, unknown> {
    return { betas: this.betas, weightDecay: this.weightDecay };
  }
  step(): void {
    const [b1, b2] = this.betas;
    const lr = this.lr;
    this.forEachWithGrad((p, g, i, t) => {
      const m = this.slot(i, 'exp_avg');
      const v = this.slot(i, 'exp_avg_sq');
      if (this.weightDecay !== 0) p.mul_(1 - lr * this.weightDecay);
      m.lerp_(g, 1 - b1);
      v.lerp_(g.square(), 1 - b2);
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      p.add_(m.atan2(v.sqrt().div(Math.sqrt(bc2))), -lr / bc1);
    });
  }
}

/** AdamW (decoupled weight decay), for comparison and for TRM-style runs. */
export class AdamW extends Optimizer {
  /** moment decay rates (default [0.9, 0.999]) */
  readonly betas: [number, number];
  /** decoupled weight decay (default 0.01) */
  readonly weightDecay: number;
  /** added to the denominator (default 1e-8) */
  readonly eps: number;
  constructor(params: Tensor[], opts: AdamOptions & { eps?: number }) {
    super(params, opts.lr, 'AdamW');
    this.betas = opts.betas ?? [0.9, 0.999];
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.eps = opts.eps ?? 1e-8;
  }
  protected override hyper(): Record<string, unknown> {
    return { betas: this.betas, weightDecay: this.weightDecay, eps: this.eps };
  }
  step(): void {
    const [b1, b2] = this.betas;
    const lr = this.lr;
    this.forEachWithGrad((p, g, i, t) => {
      const m = this.slot(i, 'exp_avg');
      const v = this.slot(i, 'exp_avg_sq');
      if (this.weightDecay !== 0) p.mul_(1 - lr * this.weightDecay);
      m.lerp_(g, 1 - b1);
      v.mul_(b2).addcmul_(g, g, 1 - b2);
      const bc1 = 1 - b1 ** t;
      const bc2 = 1 - b2 ** t;
      p.addcdiv_(m, v.sqrt().div(Math.sqrt(bc2)).add(this.eps), -lr / bc1);
    });
  }
}
