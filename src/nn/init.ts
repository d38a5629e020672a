/**
 * Initialisers. `truncNormal_` is the reference HRM's (spec 1.6): a normal truncated at two
 * standard deviations whose *resulting* std is `std` (JAX/Flax semantics), not PyTorch's
 * `trunc_normal_`, whose std is the pre-truncation one.
 * @module
 */
import { erf } from '../util/math';
import { noGrad } from '../tensor/autograd';
import { Tensor } from '../tensor/tensor';
import { Generator, fillTruncNormal_ } from '../tensor/creation';

const LOWER = -2;
const UPPER = 2;
// Std of a unit normal truncated to [-2, 2]: sqrt(1 - (u*pdf(u) - l*pdf(l))/Z - ((pdf(u) - pdf(l))/Z)^2).
const Z = (erf(UPPER / Math.SQRT2) - erf(LOWER / Math.SQRT2)) / 2;
const PDF = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** The std of a unit normal truncated to [-2, 2] (0.8796...). */
export const TRUNCATED_UNIT_STD = Math.sqrt(
  1 - (UPPER * PDF(UPPER) - LOWER * PDF(LOWER)) / Z - ((PDF(UPPER) - PDF(LOWER)) / Z) ** 2,
);

/**
 * Fills `t` in place with a truncated normal of true std `std` (std 0 fills zeros): the normal of
 * std c = std / 0.8796 truncated to [-2c, 2c] (spec 1.6), drawn by `fillTruncNormal_`.
 */
export function truncNormal_(t: Tensor, std: number, generator?: Generator): Tensor {
  noGrad(() => {
    if (std === 0) {
      t.zero_();
      return;
    }
    const c = std / TRUNCATED_UNIT_STD;
    fillTruncNormal_(t, { std: c, a: LOWER * c, b: UPPER * c, generator });
  });
  return t;
}

/** LeCun normal: truncNormal_ with std 1/sqrt(fanIn). */
export function lecunNormal_(t: Tensor, fanIn: number, generator?: Generator): Tensor {
  return truncNormal_(t, 1 / Math.sqrt(fanIn), generator);
}
