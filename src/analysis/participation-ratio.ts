/**
 * The participation ratio of a cloud of hidden states (HRM paper, section 4 and Figure 8): how
 * many dimensions the states really spread over. For the covariance of the states with
 * eigenvalues l_i, PR = (sum l_i)^2 / sum l_i^2: 1 when all variance lies on one axis, D when it
 * is spread evenly over D.
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { linalg } from '../tensor/functional';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { invalidArgument } from '../util/errors';

/** The eigenvalue spectrum behind a participation ratio, and the ratio itself. */
export interface ParticipationRatio {
  /** (sum of eigenvalues)^2 / sum of squared eigenvalues */
  pr: number;
  /** how many state vectors went in */
  samples: number;
  /** their dimension */
  dims: number;
  /** the covariance eigenvalues, descending (float64) */
  eigenvalues: number[];
}

/**
 * The participation ratio of `states` [N, D] (one state vector per row): rows are centred on
 * their mean, the D x D covariance (divided by N - 1) is formed in float64, and its eigenvalues
 * come from `linalg.eigvalsh`. Tiny negative eigenvalues from rounding count as zero.
 */
export function participationRatio(states: Tensor): ParticipationRatio {
  if (states.ndim !== 2) throw invalidArgument(`participationRatio: states must be [N, D], got shape ${JSON.stringify(states.shape)}`);
  const [n, d] = states.shape;
  if (n < 2) throw invalidArgument(`participationRatio: needs at least 2 state vectors, got ${n}`);
  const eigenvalues = scope(() =>
    noGrad(() => {
      const x = states.to('float64'); // [N, D]
      const centred = x.sub(x.mean([0], true)); // [N, D]
      const cov = centred.transpose(0, 1).matmul(centred).div(n - 1); // [D, D]
      return Array.from(linalg.eigvalsh(cov).toTypedArray() as Float64Array);
    }),
  );
  const clipped = eigenvalues.map((l) => Math.max(0, l)).sort((a, b) => b - a);
  const sum = clipped.reduce((a, b) => a + b, 0);
  const sumSq = clipped.reduce((a, b) => a + b * b, 0);
  return { pr: sumSq > 0 ? (sum * sum) / sumSq : 0, samples: n, dims: d, eigenvalues: clipped };
}
