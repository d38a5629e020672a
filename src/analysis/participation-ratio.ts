/**
 * The participation ratio of a cloud of hidden states (HRM paper, section 4 and Figure 8): how
 * many dimensions the states really spread over. For the covariance of the states with
 * eigenvalues l_i, PR = (sum l_i)^2 / sum l_i^2: 1 when all variance lies on one axis, D when it
 * is spread evenly over D.
 * @module
 */
import { PuzzleDataset, batchToTensors } from '../data/format';
import type { HRMBatch } from '../models/hrm/carry';
import { AnyModel, checkACTModel } from '../models/kinds';
import { noGrad } from '../tensor/autograd';
import { cat, linalg, stack } from '../tensor/functional';
import { keep, scope } from '../tensor/scope';
import { Tensor, checkTensor } from '../tensor/tensor';
import { checkArray, describeValue, invalidArgument } from '../util/errors';

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
  checkTensor(states, 'participationRatio(): states');
  if (states.ndim !== 2) throw invalidArgument(`participationRatio(): states must be [N, D], got shape [${states.shape}]`);
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

/**
 * How the states of a trajectory become vectors (the paper leaves this open; this is our choice,
 * and it is recorded in every result): one D-dimensional vector per puzzle token position (the
 * puzzle-embedding prefix left out), at the end of every ACT step of the trajectory, for up to
 * `puzzles` test puzzles, all centred together.
 */
export const PR_POOLING = 'per-token vectors (puzzle-embedding positions excluded) after every ACT step, fixed halting at the trained limit, centred over all';

/** The hidden states of solving trajectories: [vectors, D] for z_H and for z_L. */
export interface TrajectoryStates {
  /** high-level states, one row per (puzzle, step, token) */
  zH: Tensor;
  /** low-level states, same rows */
  zL: Tensor;
  /** puzzles that went in */
  puzzles: number;
}

/**
 * Runs `model` (in eval mode, fixed halting at its haltMaxSteps, no gradient) over the first
 * `puzzles` examples of `data` and collects z_H and z_L after every step (see {@link PR_POOLING}).
 * The caller owns the returned tensors.
 */
export function collectTrajectoryStates(model: AnyModel, data: PuzzleDataset, puzzles: number): TrajectoryStates {
  checkACTModel(model, 'collectTrajectoryStates(): model');
  if (!(data instanceof PuzzleDataset)) throw invalidArgument(`collectTrajectoryStates(): data must be a PuzzleDataset, got ${describeValue(data)}`);
  if (typeof puzzles !== 'number' || !Number.isInteger(puzzles) || puzzles < 1) throw invalidArgument(`collectTrajectoryStates(): puzzles must be a positive integer, got ${describeValue(puzzles)}`);
  const wasTraining = model.training;
  model.eval();
  const P = model.inner.puzzleEmbLen;
  const S = model.config.seqLen;
  const D = model.config.hiddenSize;
  const zHs: Tensor[] = [];
  const zLs: Tensor[] = [];
  let taken = 0;
  try {
    for (const b of data.batches()) {
      if (taken >= puzzles) break;
      const rows = Math.min(b.effectiveSize, puzzles - taken);
      scope(() =>
        noGrad(() => {
          const batch = batchToTensors(b) as HRMBatch;
          let carry = model.initialCarry(batch);
          const hSteps: Tensor[] = [];
          const lSteps: Tensor[] = [];
          for (let k = 0; k < model.config.haltMaxSteps; k++) {
            carry = model.forward(carry, batch, { evalHalting: 'max' }).carry;
            // [B, P + S, D] -> the real rows' token positions [rows, S, D]
            hSteps.push(carry.inner.zH.narrow(0, 0, rows).narrow(1, P, S).to('float64'));
            lSteps.push(carry.inner.zL.narrow(0, 0, rows).narrow(1, P, S).to('float64'));
          }
          // [rows, steps, S, D] -> [rows * steps * S, D]: puzzle by puzzle, so a prefix is the first puzzles
          zHs.push(keep(stack(hSteps, 1).reshape(-1, D)));
          zLs.push(keep(stack(lSteps, 1).reshape(-1, D)));
        }),
      );
      taken += rows;
    }
    if (taken < 2) throw invalidArgument(`collectTrajectoryStates: the data has ${taken} puzzle(s); at least 2 are needed`);
    return { zH: cat(zHs, 0), zL: cat(zLs, 0), puzzles: taken };
  } finally {
    for (const t of [...zHs, ...zLs]) t.dispose();
    model.train(wasTraining);
  }
}

/** One row of a participation-ratio analysis: PR of z_H and z_L over the first `puzzles` puzzles. */
export interface PRPoint {
  /** puzzles whose trajectories went in */
  puzzles: number;
  /** PR of the high-level states */
  zH: number;
  /** PR of the low-level states */
  zL: number;
}

/** A participation-ratio analysis of one model. */
export interface PRAnalysis {
  /** how states were pooled ({@link PR_POOLING}) */
  pooling: string;
  /** the state width D */
  dims: number;
  /** PR as the number of puzzles grows */
  points: PRPoint[];
}

/**
 * PR of z_H and z_L for the first n puzzles, for each n in `puzzleCounts` (the paper's Figure 8
 * grows n from 10 to 100): one set of trajectories, prefixes of it.
 */
export function participationRatioAnalysis(model: AnyModel, data: PuzzleDataset, puzzleCounts: number[]): PRAnalysis {
  checkACTModel(model, 'participationRatioAnalysis(): model');
  checkArray(puzzleCounts, 'participationRatioAnalysis(): puzzleCounts', 'an array of puzzle counts');
  const counts = [...new Set(puzzleCounts)].sort((a, b) => a - b);
  const bad = puzzleCounts.find((n) => !(Number.isInteger(n) && n >= 2));
  if (!counts.length || bad !== undefined) throw invalidArgument(`participationRatioAnalysis(): puzzle counts must be a non-empty array of integers >= 2, got ${counts.length ? describeValue(bad) : 'an empty array'}`);
  const states = collectTrajectoryStates(model, data, counts[counts.length - 1]);
  try {
    const perPuzzle = states.zH.size(0) / states.puzzles; // rows per puzzle: steps x tokens
    const points = counts
      .filter((n) => n <= states.puzzles)
      .map((n) => ({
        puzzles: n,
        zH: scope(() => participationRatio(states.zH.narrow(0, 0, n * perPuzzle)).pr),
        zL: scope(() => participationRatio(states.zL.narrow(0, 0, n * perPuzzle)).pr),
      }));
    return { pooling: PR_POOLING, dims: model.config.hiddenSize, points };
  } finally {
    states.zH.dispose();
    states.zL.dispose();
  }
}
