/**
 * ARC scoring with voting over augmented versions (hrm-spec 7.2, 7.3).
 *
 * Every evaluation task appears in the test split many times, once per augmented version (a
 * dihedral transform and a colour permutation). {@link ArcVoter} takes the model's predictions for
 * those rows, undoes each version's augmentation, and lets the versions vote on the answer to each
 * original test input:
 *
 *  1. rows of the blank identifier 0 (batch padding) are skipped;
 *  2. the input and the prediction are cropped with {@link decodeArcGrid} (hrm-spec 7.2 step 2);
 *  3. both are mapped back to the original task's frame with {@link inverseTransform} (inverse
 *     dihedral transform, then the argsort of the colour map; hrm-spec 7.2 step 4);
 *  4. the restored input is looked up among the task's original test inputs (by grid equality), which
 *     says which test input the row predicts; the restored prediction gets one vote there, with
 *     confidence sigmoid(q_halt_logit) computed in float64;
 *  5. per (task, test input), identical grids are grouped and ranked by vote count, ties by mean
 *     confidence (hrm-spec 7.2 step 5); remaining exact ties keep first-seen order.
 *
 * Ground truth is the original solutions in `<dataset>/test_puzzles.json` (as TRM); the task and
 * augmentation of each identifier come from `<dataset>/augmentations.json`. Both files are written
 * by {@link buildArcDataset}, as is the canvas (seq_len = canvas^2 in its dataset.json; rows
 * are canvas^2 tokens: 900 on the reference's 30x30 canvas). Votes accumulate over any number of add() calls, so several batches,
 * or several evaluations of the same split (TRM's aggregated voting), can be pooled.
 *
 * Scores: `passAtK` is HRM's all-or-nothing rule (a task counts 1 only if every one of its test
 * inputs has the true grid among its top K candidates; hrm-spec 7.2 step 6); `passAtKPartial` is
 * TRM's rule (a task counts the fraction of its test inputs solved; hrm-spec 7.3). Both are averaged
 * over all tasks of test_puzzles.json, including tasks that received no prediction.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ARC_GRID_SIZE,
  ARC_TEST_PUZZLES_FILE,
  ArcAugmentationRecord,
  ArcGrid,
  ArcPair,
  arcInverseColourMap,
  checkArcCanvas,
  decodeArcGrid,
  inverseTransform,
  readArcAugmentations,
  readArcCanvas,
} from '../data/arc';
import { invalidArgument } from '../util/errors';
import { checkPath } from '../util/path';

/** The pass@K values reported by default (TRM's list; HRM's notebook uses 1, 2, 10, 100, 1000). */
export const ARC_DEFAULT_PASS_KS: readonly number[] = Object.freeze([1, 2, 5, 10, 100, 1000]);

/** One evaluated example: its puzzle identifier, its canvas^2 input tokens (900 on the 30x30 canvas), as many argmax tokens and the q_halt logit. */
export interface ArcVoteRow {
  /** the row's puzzle identifier (0: batch padding) */
  puzzleIdentifier: number;
  /** its canvas^2 input tokens (the augmented version's input) */
  inputTokens: ArrayLike<number | bigint>;
  /** the model's canvas^2 argmax tokens */
  predictedTokens: ArrayLike<number | bigint>;
  /** the q_halt logit: the vote's confidence is its sigmoid */
  qHaltLogit: number;
}

/** A batch as flat arrays, as read back from tensors: B identifiers, B*S inputs, B*S predictions, B logits (S = canvas^2). */
export interface ArcVoteBatch {
  /** B puzzle identifiers */
  puzzleIdentifiers: ArrayLike<number | bigint>;
  /** B*S input tokens, row-major */
  inputs: ArrayLike<number | bigint>;
  /** B*S predicted tokens, row-major */
  predictions: ArrayLike<number | bigint>;
  /** B q_halt logits */
  qHaltLogits: ArrayLike<number>;
}

/** The original tasks with their solutions, as in test_puzzles.json: task name -> pairs. */
export type ArcTestPuzzles = Record<
  string,
  {
    /** the demonstration pairs */
    train?: ArcPair[];
    /** the test pairs with their true outputs */
    test: ArcPair[];
  }
>;

/** What a voter needs from a built dataset. */
export interface ArcVoterData {
  /** Index = puzzle identifier; null at 0 (augmentations.json). */
  augmentations: readonly (ArcAugmentationRecord | null)[];
  /** The original tasks of the test split with their solutions (test_puzzles.json). */
  testPuzzles: ArcTestPuzzles;
  /** The canvas side of the dataset's rows (default 30: 900 tokens per row). */
  canvas?: number;
}

/** What one add() call did with its rows. */
export interface ArcAddResult {
  /** Rows that cast a vote. */
  voted: number;
  /** Rows with identifier 0 (batch padding), skipped. */
  padding: number;
  /**
   * Rows that could not be attributed: their task is not in test_puzzles.json, or their restored
   * input is none of the task's test inputs (e.g. rows of the train split).
   */
  unmatched: number;
}

/** One candidate answer to a test input: a grid with its votes. */
export interface ArcCandidate {
  /** the answer grid, in the original task's frame */
  grid: ArcGrid;
  /** augmented versions that predicted it */
  votes: number;
  /** mean sigmoid(q_halt) of those votes (breaks ties) */
  meanConfidence: number;
}

/** The candidates for one test input of a task. */
export interface ArcTestInputResult {
  /** Position of the test input in the task's `test` list. */
  index: number;
  /** 1-based rank of the true grid among the candidates, or null if no candidate is right. */
  solvedAt: number | null;
  /** Votes cast for this test input, over all candidates. */
  votes: number;
  /** Candidates, best first (all of them unless `maxCandidates` limits the list). */
  candidates: ArcCandidate[];
}

/** One task's results. */
export interface ArcTaskResult {
  /** the task's name */
  task: string;
  /** per test input, in the task's order */
  testInputs: ArcTestInputResult[];
}

/** How {@link ArcVoter.score} scores. */
export interface ArcScoreOptions {
  /** K values for pass@K (default {@link ARC_DEFAULT_PASS_KS}). */
  passKs?: readonly number[];
  /** At most this many candidates per test input in `perTask` (default: all). Ranks and scores always use all of them. */
  maxCandidates?: number;
}

/** The ARC scores of the votes so far. */
export interface ArcScore {
  /** Number of tasks scored (all tasks of test_puzzles.json). */
  tasks: number;
  /** Tasks with at least one vote on at least one test input. */
  tasksWithVotes: number;
  /** Rows that voted, over all add() calls. */
  rows: number;
  /** Rows that could not be attributed, over all add() calls. */
  unmatchedRows: number;
  /** HRM's score: fraction of tasks whose test inputs are all solved within the top K. */
  passAtK: Record<number, number>;
  /** TRM's score: mean over tasks of the fraction of test inputs solved within the top K. */
  passAtKPartial: Record<number, number>;
  /** Per task (sorted by name), per test input: the rank of the true grid and the candidates. */
  perTask: ArcTaskResult[];
}

/** One Kaggle-style entry per test input: attempt_1 .. attempt_k. */
export type ArcSubmission = Record<string, Record<string, ArcGrid>[]>;

interface Bucket {
  grid: ArcGrid;
  votes: number;
  confidenceSum: number;
  /** First-seen order, the last tie-breaker (stable sort in the reference). */
  order: number;
}

interface TaskEntry {
  name: string;
  pairs: ArcPair[];
  /** Grid key of a test input -> the indices of the test inputs with that grid. */
  inputIndex: Map<string, number[]>;
  /** Key of each test solution. */
  solutionKeys: string[];
  /** Per test input: grid key -> votes. */
  votes: Map<string, Bucket>[];
}

/** A canonical string for a grid: its shape and cells (colours 0..9 as single characters). */
function gridKey(grid: ArcGrid): string {
  const h = grid.length;
  const w = h ? grid[0].length : 0;
  let s = `${h}x${w}:`;
  for (const row of grid) for (const v of row) s += String.fromCharCode(48 + v);
  return s;
}

/** sigmoid in float64, without overflow for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function rankBuckets(map: Map<string, Bucket>): [string, Bucket][] {
  return [...map].sort(([, a], [, b]) => b.votes - a.votes || b.confidenceSum / b.votes - a.confidenceSum / a.votes || a.order - b.order);
}

/**
 * Accumulates votes of ARC predictions over augmented versions and scores them (hrm-spec 7.2, 7.3).
 * Construct it from a built dataset folder or from the two files' contents.
 */
export class ArcVoter {
  private readonly augmentations: readonly (ArcAugmentationRecord | null)[];
  /** The canvas side: rows are canvas^2 tokens. */
  readonly canvas: number;
  private readonly tasks = new Map<string, TaskEntry>();
  /** Identifiers whose colour map has been validated (once each). */
  private readonly inverseChecked = new Set<number>();
  private nextOrder = 0;
  private votedRows = 0;
  private unmatchedRows = 0;

  /** @param source a dataset folder built by buildArcDataset, or its augmentations and test puzzles. */
  constructor(source: string | ArcVoterData) {
    const data = typeof source === 'object' && source !== null ? source : ArcVoter.readDataset(checkPath(source, 'ArcVoter: source'));
    if (!data || !Array.isArray(data.augmentations)) throw invalidArgument('ArcVoter: augmentations must be an array (index = puzzle identifier)');
    if (typeof data.testPuzzles !== 'object' || data.testPuzzles === null) throw invalidArgument('ArcVoter: testPuzzles must be an object (task name -> {test: pairs})');
    this.augmentations = data.augmentations;
    this.canvas = checkArcCanvas(data.canvas ?? ARC_GRID_SIZE, 'ArcVoter: canvas');
    for (const name of Object.keys(data.testPuzzles).sort()) {
      const pairs = data.testPuzzles[name]?.test;
      if (!Array.isArray(pairs) || pairs.length === 0) throw invalidArgument(`ArcVoter: task ${name} has no test pairs`);
      const inputIndex = new Map<string, number[]>();
      pairs.forEach((p, i) => {
        if (!Array.isArray(p?.input) || !Array.isArray(p?.output)) throw invalidArgument(`ArcVoter: task ${name} test[${i}] needs "input" and "output" grids`);
        const k = gridKey(p.input);
        inputIndex.set(k, [...(inputIndex.get(k) ?? []), i]);
      });
      this.tasks.set(name, {
        name,
        pairs,
        inputIndex,
        solutionKeys: pairs.map((p) => gridKey(p.output)),
        votes: pairs.map(() => new Map<string, Bucket>()),
      });
    }
  }

  /** Reads `<dir>/augmentations.json`, `<dir>/test_puzzles.json` and the canvas (from the splits' dataset.json). */
  static readDataset(datasetDir: string): ArcVoterData {
    checkPath(datasetDir, 'ArcVoter.readDataset(): datasetDir');
    const augmentations = readArcAugmentations(datasetDir);
    const file = path.join(datasetDir, ARC_TEST_PUZZLES_FILE);
    if (!fs.existsSync(file)) throw invalidArgument(`${file} does not exist (was ${datasetDir} built by buildArcDataset with an evaluation folder?)`);
    const testPuzzles = JSON.parse(fs.readFileSync(file, 'utf8')) as ArcTestPuzzles;
    return { augmentations, testPuzzles, canvas: readArcCanvas(datasetDir) };
  }

  /** Names of the scored tasks, sorted. */
  get taskNames(): string[] {
    return [...this.tasks.keys()];
  }

  /** Adds the rows' votes. Identifier 0 rows are skipped; see {@link ArcAddResult}. */
  add(rows: readonly ArcVoteRow[]): ArcAddResult {
    if (!Array.isArray(rows)) throw invalidArgument('ArcVoter.add: rows must be an array');
    const result: ArcAddResult = { voted: 0, padding: 0, unmatched: 0 };
    for (const row of rows) this.addOne(row.puzzleIdentifier, row.inputTokens, row.predictedTokens, row.qHaltLogit, result);
    return result;
  }

  /** Adds a batch given as flat arrays (row b's tokens at [b*S, (b+1)*S), S = canvas^2). */
  addBatch(batch: ArcVoteBatch): ArcAddResult {
    const { puzzleIdentifiers: ids, inputs, predictions, qHaltLogits } = batch;
    const n = ids.length;
    const seq = this.canvas * this.canvas;
    if (inputs.length !== n * seq || predictions.length !== n * seq || qHaltLogits.length !== n) {
      throw invalidArgument(
        `ArcVoter.addBatch: ${n} identifiers need ${n * seq} input and prediction tokens (${seq} per row on the ${this.canvas}x${this.canvas} canvas) and ${n} logits; got ${inputs.length}, ${predictions.length}, ${qHaltLogits.length}`,
      );
    }
    const slice = (a: ArrayLike<number | bigint>, b: number): ArrayLike<number | bigint> =>
      ArrayBuffer.isView(a) && 'subarray' in a ? (a as unknown as Uint8Array).subarray(b * seq, (b + 1) * seq) : Array.prototype.slice.call(a, b * seq, (b + 1) * seq);
    const result: ArcAddResult = { voted: 0, padding: 0, unmatched: 0 };
    for (let b = 0; b < n; b++) this.addOne(Number(ids[b]), slice(inputs, b), slice(predictions, b), qHaltLogits[b], result);
    return result;
  }

  private addOne(id: number, inputTokens: ArrayLike<number | bigint>, predictedTokens: ArrayLike<number | bigint>, qHaltLogit: number, result: ArcAddResult): void {
    if (typeof id === 'bigint') id = Number(id);
    if (!Number.isInteger(id) || id < 0) throw invalidArgument(`ArcVoter: puzzle identifier must be a non-negative integer, got ${id}`);
    if (id === 0) {
      result.padding++;
      return;
    }
    if (typeof qHaltLogit !== 'number' || Number.isNaN(qHaltLogit)) throw invalidArgument(`ArcVoter: qHaltLogit of a row of identifier ${id} is ${qHaltLogit}`);
    if (id >= this.augmentations.length) throw invalidArgument(`ArcVoter: puzzle identifier ${id} is not in augmentations.json (${this.augmentations.length} entries); wrong dataset?`);
    const aug = this.augmentations[id];
    if (!aug) throw invalidArgument(`ArcVoter: augmentations.json has no entry for puzzle identifier ${id}`);
    if (!this.inverseChecked.has(id)) {
      arcInverseColourMap(aug.colourMap); // throws on a malformed map, once per identifier
      this.inverseChecked.add(id);
    }
    const task = this.tasks.get(aug.task);
    const input = decodeArcGrid(inputTokens, this.canvas);
    const indices = task && input.length ? task.inputIndex.get(gridKey(inverseTransform(input, aug))) : undefined;
    if (!task || !indices) {
      result.unmatched++;
      this.unmatchedRows++;
      return;
    }
    const cropped = decodeArcGrid(predictedTokens, this.canvas);
    // A prediction that does not start with a colour crops to the empty grid: a vote that is never right.
    const pred = cropped.length ? inverseTransform(cropped, aug) : [];
    const key = gridKey(pred);
    const confidence = sigmoid(qHaltLogit);
    for (const i of indices) {
      const map = task.votes[i];
      let bucket = map.get(key);
      if (!bucket) {
        bucket = { grid: pred, votes: 0, confidenceSum: 0, order: this.nextOrder++ };
        map.set(key, bucket);
      }
      bucket.votes++;
      bucket.confidenceSum += confidence;
    }
    result.voted++;
    this.votedRows++;
  }

  /** Forgets all votes. */
  reset(): void {
    for (const t of this.tasks.values()) for (const m of t.votes) m.clear();
    this.nextOrder = 0;
    this.votedRows = 0;
    this.unmatchedRows = 0;
  }

  /** Scores the votes so far (hrm-spec 7.2 steps 5-6, 7.3). */
  score(options: ArcScoreOptions = {}): ArcScore {
    const passKs = [...new Set(options.passKs ?? ARC_DEFAULT_PASS_KS)];
    for (const k of passKs) if (!Number.isInteger(k) || k < 1) throw invalidArgument(`ArcVoter.score: pass@K values must be positive integers, got ${k}`);
    const maxCandidates = options.maxCandidates ?? Infinity;
    if (!(maxCandidates >= 0)) throw invalidArgument(`ArcVoter.score: maxCandidates must be >= 0, got ${maxCandidates}`);

    const all = Object.fromEntries(passKs.map((k) => [k, 0])) as Record<number, number>;
    const partial = Object.fromEntries(passKs.map((k) => [k, 0])) as Record<number, number>;
    const perTask: ArcTaskResult[] = [];
    let tasksWithVotes = 0;
    for (const task of this.tasks.values()) {
      const testInputs: ArcTestInputResult[] = task.votes.map((map, index) => {
        const ranked = rankBuckets(map);
        const pos = ranked.findIndex(([key]) => key === task.solutionKeys[index]);
        return {
          index,
          solvedAt: pos < 0 ? null : pos + 1,
          votes: ranked.reduce((s, [, b]) => s + b.votes, 0),
          candidates: ranked.slice(0, maxCandidates).map(([, b]) => ({ grid: b.grid.map((r) => r.slice()), votes: b.votes, meanConfidence: b.confidenceSum / b.votes })),
        };
      });
      if (testInputs.some((t) => t.votes > 0)) tasksWithVotes++;
      for (const k of passKs) {
        const solved = testInputs.filter((t) => t.solvedAt !== null && t.solvedAt <= k).length;
        if (solved === testInputs.length) all[k]++;
        partial[k] += solved / testInputs.length;
      }
      perTask.push({ task: task.name, testInputs });
    }
    const n = this.tasks.size;
    for (const k of passKs) {
      all[k] = n ? all[k] / n : 0;
      partial[k] = n ? partial[k] / n : 0;
    }
    return { tasks: n, tasksWithVotes, rows: this.votedRows, unmatchedRows: this.unmatchedRows, passAtK: all, passAtKPartial: partial, perTask };
  }

  /**
   * A Kaggle-style submission: for every task, one entry per test input with `attempt_1` ..
   * `attempt_k`, the top k candidates, padded with the first guess when fewer exist (as TRM). A
   * test input without any vote gets [[0]] for every attempt.
   */
  submission(k = 2): ArcSubmission {
    if (!Number.isInteger(k) || k < 1) throw invalidArgument(`ArcVoter.submission: k must be a positive integer, got ${k}`);
    const out: ArcSubmission = {};
    for (const task of this.tasks.values()) {
      out[task.name] = task.votes.map((map) => {
        const grids = rankBuckets(map)
          .slice(0, k)
          .map(([, b]) => b.grid);
        if (!grids.length) grids.push([[0]]);
        while (grids.length < k) grids.push(grids[0]);
        const entry: Record<string, ArcGrid> = {};
        grids.forEach((g, i) => (entry[`attempt_${i + 1}`] = g.map((r) => r.slice())));
        return entry;
      });
    }
    return out;
  }
}
