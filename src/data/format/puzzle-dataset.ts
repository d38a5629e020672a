/**
 * Batches from a dataset split, with the reference loader's semantics (hrm-spec 6.6).
 *
 * Training: each iteration (one pass = `epochsPerIter` epochs) shuffles the groups once per epoch
 * with a generator seeded by seed + iteration counter; for each group it picks one puzzle
 * (augmented version) at random and takes as many of its examples as still fit in the batch,
 * without replacement; a full batch is yielded, a final partial batch is dropped. So one epoch
 * visits every group once. The random streams are this project's own (seeded, reproducible), not
 * numpy's Philox, so batches are not bit-identical to the reference's.
 *
 * Test: every example in order, in chunks of the batch size; the last chunk is padded with
 * rows of pad tokens, ignored labels and the blank identifier.
 *
 * Inputs and labels stay on disk and are read row by row, so an ARC set of a million augmented
 * examples never enters the JS heap. Labels equal to ignore_label_id become -100.
 * @module
 */
import { fromTypedArray } from '../../tensor/creation';
import type { Device } from '../../tensor/dtype';
import type { Tensor } from '../../tensor/tensor';
import { checkObject, describeValue, invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';
import { Rng } from '../random';
import { DatasetMetadata, IGNORE_LABEL_ID } from './dataset';
import { NpyFile, npyView } from './npy';
import { DatasetSplit, LoadedSet } from './split';

/** One batch, in plain arrays (int32, row-major [batchSize, seqLen]). */
export interface PuzzleBatch {
  /** the set the rows come from */
  setName: string;
  /** [batchSize, seqLen] input tokens */
  inputs: Int32Array;
  /** [batchSize, seqLen] labels, -100 where ignored */
  labels: Int32Array;
  /** [batchSize] puzzle identifier per row */
  puzzleIdentifiers: Int32Array;
  /** rows that hold real examples (the rest are padding; test mode only) */
  effectiveSize: number;
  /**
   * the real rows of the whole global batch this one is a rank's slice of (every rank's
   * together; set by PuzzleDataset, equal to effectiveSize with one rank)
   */
  globalEffectiveSize?: number;
}

/** Options of {@link PuzzleDataset}. */
export interface PuzzleDatasetOptions {
  /** a split folder, e.g. data/sudoku-1k/train */
  dir: string;
  /** 'train': shuffled groups, full batches; 'test': every example in order */
  mode: 'train' | 'test';
  /** global batch size */
  batchSize: number;
  /** epochs per pass over the loader in training (the reference's eval_interval) */
  epochsPerIter?: number;
  /** seed of the training shuffles (default 0) */
  seed?: number;
  /** data-parallel slice: this rank takes rows [rank*B/world, (rank+1)*B/world) of each batch */
  rank?: number;
  /** number of data-parallel ranks (default 1) */
  worldSize?: number;
}

/** The batch loader of one split, in train (shuffled groups) or test (every example) mode. */
export class PuzzleDataset {
  /** The opened split. */
  readonly split: DatasetSplit;
  /** The split's dataset.json. */
  readonly metadata: DatasetMetadata;
  /** Global batch size. */
  readonly batchSize: number;
  /** Rows per batch on this rank (batchSize / worldSize). */
  readonly localBatchSize: number;
  /** how many training passes have been made (the seed of the next pass is seed + iteration + 1) */
  iteration = 0;
  private readonly opts: Required<PuzzleDatasetOptions>;

  /** This loader's data-parallel rank (0 with one rank). */
  get rank(): number {
    return this.opts.rank;
  }

  /** The number of data-parallel ranks the batches are sliced for (1 by default). */
  get worldSize(): number {
    return this.opts.worldSize;
  }

  /** Opens the split `opts.dir` and checks the options. */
  constructor(opts: PuzzleDatasetOptions) {
    checkPath(opts?.dir, 'PuzzleDataset: options.dir');
    this.opts = { epochsPerIter: 1, seed: 0, rank: 0, worldSize: 1, ...opts };
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw invalidArgument(`batchSize must be a positive integer, got ${opts.batchSize}`);
    if (opts.mode !== 'train' && opts.mode !== 'test') throw invalidArgument(`mode must be 'train' or 'test', got ${JSON.stringify(opts.mode)}`);
    const { rank, worldSize } = this.opts;
    if (opts.batchSize % worldSize !== 0) throw invalidArgument(`batchSize ${opts.batchSize} is not divisible by worldSize ${worldSize}`);
    if (!(rank >= 0 && rank < worldSize)) throw invalidArgument(`rank ${rank} is outside [0, ${worldSize})`);
    this.split = new DatasetSplit(opts.dir);
    this.metadata = this.split.metadata;
    this.batchSize = opts.batchSize;
    this.localBatchSize = opts.batchSize / worldSize;
  }

  /** Number of full training batches one pass yields (per set, summed). */
  trainBatchesPerIter(): number {
    let total = 0;
    for (const s of this.split.sets.values()) {
      const groups = s.groupIndices.length - 1;
      const meanExamples = s.inputs.rows / Math.max(1, s.puzzleIdentifiers.length);
      total += Math.floor((this.opts.epochsPerIter * groups * meanExamples) / this.batchSize);
    }
    return total;
  }

  /** The batches of one pass: a training iteration, or the whole test split. */
  *batches(): Generator<PuzzleBatch> {
    if (this.opts.mode === 'train') yield* this.trainBatches();
    else yield* this.testBatches();
  }

  /** Same as {@link batches}. */
  [Symbol.iterator](): Generator<PuzzleBatch> {
    return this.batches();
  }

  private *trainBatches(): Generator<PuzzleBatch> {
    this.iteration++;
    const rng = new Rng(this.opts.seed + this.iteration);
    const B = this.batchSize;
    for (const set of this.split.sets.values()) {
      const groups = set.groupIndices.length - 1;
      // spec 6.6 step 2: one independent permutation of the groups per epoch, concatenated.
      const order: number[] = [];
      for (let e = 0; e < this.opts.epochsPerIter; e++) order.push(...rng.permutation(groups));
      let rows: number[] = [];
      let ids: number[] = [];
      for (const g of order) {
        const p0 = set.groupIndices[g];
        const p1 = set.groupIndices[g + 1];
        const puzzle = p0 + rng.int(p1 - p0);
        const e0 = set.puzzleIndices[puzzle];
        const size = set.puzzleIndices[puzzle + 1] - e0;
        const take = Math.min(size, B - rows.length);
        for (const k of rng.sample(size, take)) {
          rows.push(e0 + k);
          ids.push(set.puzzleIdentifiers[puzzle]);
        }
        if (rows.length === B) {
          yield this.assemble(set, rows, ids, B);
          rows = [];
          ids = [];
        }
      }
      // spec 6.6 step 4: a final partial batch is dropped.
    }
  }

  private *testBatches(): Generator<PuzzleBatch> {
    const B = this.batchSize;
    for (const set of this.split.sets.values()) {
      const total = set.inputs.rows;
      for (let start = 0; start < total; start += B) {
        const end = Math.min(start + B, total);
        const rows: number[] = [];
        const ids: number[] = [];
        let puzzle = 0;
        for (let r = start; r < end; r++) {
          puzzle = puzzleOf(set.puzzleIndices, r, puzzle);
          rows.push(r);
          ids.push(set.puzzleIdentifiers[puzzle]);
        }
        yield this.assemble(set, rows, ids, end - start);
      }
    }
  }

  // Reads the rows of this rank's slice and pads to the local batch size: inputs/labels [Bl, S], ids [Bl].
  private assemble(set: LoadedSet, rows: number[], ids: number[], effective: number): PuzzleBatch {
    const m = this.metadata;
    const S = m.seq_len;
    const Bl = this.localBatchSize;
    const lo = this.opts.rank * Bl;
    const mine = rows.slice(lo, lo + Bl);
    const inputs = new Int32Array(Bl * S).fill(m.pad_id);
    const labels = new Int32Array(Bl * S).fill(IGNORE_LABEL_ID);
    const puzzleIdentifiers = new Int32Array(Bl).fill(m.blank_identifier_id);
    readRows(set.inputs, mine, inputs, S);
    readRows(set.labels, mine, labels, S);
    if (m.ignore_label_id !== null && m.ignore_label_id !== undefined) {
      for (let i = 0; i < mine.length * S; i++) if (labels[i] === m.ignore_label_id) labels[i] = IGNORE_LABEL_ID;
    }
    for (let i = 0; i < mine.length; i++) puzzleIdentifiers[i] = ids[lo + i];
    return { setName: set.name, inputs, labels, puzzleIdentifiers, effectiveSize: Math.max(0, Math.min(Bl, effective - lo)), globalEffectiveSize: effective };
  }

  /** Releases the split's files. */
  close(): void {
    this.split.close();
  }
}

// The puzzle whose example range holds row r (puzzleIndices is sorted; hint: the last answer).
function puzzleOf(puzzleIndices: Int32Array, r: number, hint: number): number {
  if (puzzleIndices[hint] <= r && r < puzzleIndices[hint + 1]) return hint;
  let lo = 0;
  let hi = puzzleIndices.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (puzzleIndices[mid] <= r) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// Reads the given rows into `out` as int32, merging runs of consecutive rows into one read.
function readRows(f: NpyFile, rows: number[], out: Int32Array, S: number): void {
  let i = 0;
  while (i < rows.length) {
    let j = i + 1;
    while (j < rows.length && rows[j] === rows[j - 1] + 1) j++;
    const raw = f.readRowsRaw(rows[i], j - i);
    const src = npyView(f.dtype, raw);
    for (let k = 0; k < src.length; k++) out[i * S + k] = Number(src[k]);
    i = j;
  }
}

/** A batch as int32 tensors [B, S], [B, S], [B] on a device (the caller disposes them). */
export function batchToTensors(
  b: PuzzleBatch,
  device?: Device,
): {
  /** [B, S] int32 token ids */
  inputs: Tensor;
  /** [B, S] int32 labels (IGNORE_LABEL_ID where ignored) */
  labels: Tensor;
  /** [B] int32 puzzle identifiers */
  puzzleIdentifiers: Tensor;
} {
  checkObject(b, 'batchToTensors(): batch', 'a PuzzleBatch {inputs, labels, puzzleIdentifiers}');
  for (const k of ['inputs', 'labels', 'puzzleIdentifiers'] as const) {
    if (!(b[k] instanceof Int32Array)) throw invalidArgument(`batchToTensors(): batch.${k} must be an Int32Array, got ${describeValue(b[k])}`);
  }
  const B = b.puzzleIdentifiers.length;
  const S = B === 0 ? 0 : b.inputs.length / B;
  if (!Number.isInteger(S) || b.labels.length !== b.inputs.length) {
    throw invalidArgument(`batchToTensors(): batch.inputs (${b.inputs.length}) and batch.labels (${b.labels.length}) must hold the same whole number of rows for ${B} puzzle identifiers`);
  }
  return {
    inputs: fromTypedArray(b.inputs, [B, S], { device }),
    labels: fromTypedArray(b.labels, [B, S], { device }),
    puzzleIdentifiers: fromTypedArray(b.puzzleIdentifiers, [B], { device }),
  };
}
