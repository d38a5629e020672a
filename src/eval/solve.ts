/**
 * Inference: load a model from a checkpoint and solve one puzzle, returning the answer, the steps
 * used, the halting confidence, and the prediction after every step (for visualisations); or
 * solve many at once with continuous batching (`solveAll`).
 * @module
 */
import { IGNORE_LABEL_ID } from '../data/format';
import { noGrad } from '../tensor/autograd';
import { fromTypedArray } from '../tensor/creation';
import { Device } from '../tensor/dtype';
import { scope } from '../tensor/scope';
import { checkArrayLike, checkObject, corruptFile, describeValue, invalidArgument } from '../util/errors';
import { loadCheckpoint, readCheckpointInfo } from '../checkpoint/state-file';
import { HRMCarry } from '../models/hrm/carry';
import { HeadsOutput, InnerUpdateObserver } from '../models/hrm/model';
import { HRMConfig, MAX_HALT_STEPS, checkHaltSteps } from '../models/hrm/config';
import { AnyModel, DEFAULT_MODEL_KIND, ModelConfig, ModelKind, buildModel, checkModelKind, modelConfig } from '../models/kinds';
import { HRM } from '../models/hrm/model';
import { TRM } from '../models/trm/model';
import { arcCanvasOfSeqLen } from '../data/arc/codec';
import { EncodedPuzzle, Puzzle, PuzzleAnswer, encodePuzzle } from '../data/puzzle-codec';
import { runContinuous } from './continuous';
import { checkPath } from '../util/path';

export type { Puzzle, PuzzleAnswer } from '../data/puzzle-codec';

/**
 * Builds the model a checkpoint was trained with (its kind and config, through the model
 * factory) and loads its weights: with EMA, the averaged ones the Trainer saves as the model.
 */
export function loadModel(checkpoint: string, opts: { device?: Device; config?: Partial<HRMConfig> } = {}): AnyModel {
  checkPath(checkpoint, 'loadModel(): checkpoint');
  const extra = readCheckpointInfo(checkpoint).extra as { config?: HRMConfig; model?: unknown };
  if (!extra.config || typeof extra.config !== 'object') throw invalidArgument(`${checkpoint} does not record its model config (was it written by the hrm-torch Trainer?)`);
  let kind: ModelKind;
  let config: ModelConfig;
  try {
    kind = checkModelKind(extra.model ?? DEFAULT_MODEL_KIND, 'the model kind it records');
    config = modelConfig(kind, extra.config);
  } catch (e) {
    throw corruptFile(checkpoint, `the model it records is not valid: ${(e as Error).message}`);
  }
  const model = buildModel(kind, modelConfig(kind, { ...config, ...(opts.config ?? {}) }), { device: opts.device });
  try {
    // The extra tensors (the carry, the raw weights of an EMA run) are the Trainer's, not the model's.
    for (const t of Object.values(loadCheckpoint(checkpoint, { model, restoreRng: false }).tensors)) t.dispose();
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  return model;
}

/** The model's state of mind after one step of {@link solveTokens}. */
export interface SolveStep {
  /** predicted tokens after this step (argmax), seqLen long */
  prediction: Int32Array;
  /** sigmoid(q_halt) and sigmoid(q_continue) after this step */
  haltProbability: number;
  /** sigmoid(q_continue) after this step */
  continueProbability: number;
  /** with `trace`: what the model would answer after each inner update of this step */
  updates?: SolveUpdate[];
}

/**
 * The decoded answer after one inner update (an L or H update) within a step: for an L update,
 * the heads read one extra H update of the current states (the HRM paper's visualisation); for
 * an H update, they read z_H itself, so a step's last update shows the step's own answer.
 */
export interface SolveUpdate {
  /** the module just updated */
  level: 'L' | 'H';
  /** the high-level cycle (0-based) */
  cycle: number;
  /** the low-level step within the cycle (0-based) */
  step: number;
  /** the decoded tokens (argmax), seqLen long */
  prediction: Int32Array;
  /** sigmoid(q_halt) read from the same state */
  haltProbability: number;
}

/** What {@link solveTokens} found. */
export interface SolveResult {
  /** the final predicted tokens */
  prediction: Int32Array;
  /** steps run (the first step at which the Q head said halt, with adaptive halting) */
  steps: number;
  /** sigmoid(q_halt) at the final step */
  haltConfidence: number;
  /** every step's prediction and Q probabilities */
  perStep: SolveStep[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** How {@link solveTokens} and {@link solve} run. */
export interface SolveOptions {
  /** the puzzle's identifier (its puzzle embedding); 0, the blank, by default */
  puzzleIdentifier?: number;
  /** run at most this many steps, 1 to {@link MAX_HALT_STEPS} (default: the model's haltMaxSteps; more = inference-time scaling) */
  maxSteps?: number;
  /** stop when the Q head says halt (default true) */
  adaptive?: boolean;
  /** also decode after every inner update of every step ({@link SolveStep.updates}) */
  trace?: boolean;
}

/** Returns `model` when it is an HRM or a TRM; otherwise `INVALID_ARGUMENT` naming `what`. */
function checkModel(model: unknown, what: string): AnyModel {
  if (!(model instanceof HRM) && !(model instanceof TRM)) throw invalidArgument(`${what} must be an HRM or a TRM model, got ${describeValue(model)}`);
  return model;
}

/** `id` when it names one of the model's puzzle embeddings, else an error saying which ones it has. */
function checkPuzzleIdentifier(c: ModelConfig, id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= Math.max(1, c.numPuzzleIdentifiers)) {
    throw invalidArgument(`puzzleIdentifier must be an integer from 0 to ${Math.max(1, c.numPuzzleIdentifiers) - 1} (the model's puzzle identifiers), got ${describeValue(id)}`);
  }
  return id;
}

/** Decodes the argmax tokens and halt probability of one row of the heads' output. */
function readHeads(h: HeadsOutput): { prediction: Int32Array; haltProbability: number; continueProbability: number } {
  return {
    prediction: h.logits.argmax(-1).to('int32').toTypedArray() as Int32Array,
    haltProbability: sigmoid(Number(h.qHalt.item())),
    continueProbability: sigmoid(Number(h.qContinue.item())),
  };
}

/**
 * Runs the model on one puzzle (tokens of length seqLen), step by step: up to `maxSteps`
 * (default haltMaxSteps), stopping early when the Q head says halt unless `adaptive` is false.
 */
export function solveTokens(model: AnyModel, inputs: ArrayLike<number>, opts: SolveOptions = {}): SolveResult {
  checkModel(model, 'solveTokens(): model');
  checkArrayLike(inputs, 'solveTokens(): inputs', 'an array of token ids');
  checkObject(opts, 'solveTokens(): opts');
  const c = model.config;
  if (inputs.length !== c.seqLen) throw invalidArgument(`the puzzle has ${inputs.length} tokens, the model expects ${c.seqLen}`);
  const maxSteps = checkHaltSteps('maxSteps', opts.maxSteps ?? c.haltMaxSteps);
  const id = checkPuzzleIdentifier(c, opts.puzzleIdentifier ?? 0);
  const adaptive = opts.adaptive ?? true;
  const wasTraining = model.training;
  model.eval();
  try {
    return scope(() =>
      noGrad(() => {
        const dev = model.inner.lmHead.weight.device;
        const batch = {
          inputs: fromTypedArray(Int32Array.from(inputs), [1, c.seqLen], { device: dev }),
          labels: fromTypedArray(new Int32Array(c.seqLen).fill(IGNORE_LABEL_ID), [1, c.seqLen], { device: dev }),
          puzzleIdentifiers: fromTypedArray(Int32Array.from([id]), [1], { device: dev }),
        };
        let carry: HRMCarry = model.initialCarry(batch);
        const perStep: SolveStep[] = [];
        // The model halts the row after maxSteps, or earlier on its Q head when adaptive.
        const halting = { haltMaxSteps: maxSteps, evalHalting: adaptive ? 'adaptive' : 'max' } as const;
        for (let halted = false; !halted; ) {
          const updates: SolveUpdate[] = [];
          const onUpdate: InnerUpdateObserver | undefined = opts.trace
            ? (u) => scope(() => {
                const { prediction, haltProbability } = readHeads(u.level === 'H' ? model.inner.heads(u.zH) : model.inner.peek(u.zH, u.zL));
                updates.push({ level: u.level, cycle: u.cycle, step: u.step, prediction, haltProbability });
              })
            : undefined;
          const { carry: next, outputs } = model.forward(carry, batch, { ...halting, onUpdate });
          carry = next;
          const step = readHeads({ logits: outputs.logits, qHalt: outputs.qHaltLogits, qContinue: outputs.qContinueLogits });
          perStep.push(opts.trace ? { ...step, updates } : step);
          halted = Boolean(carry.halted.item());
        }
        const last = perStep[perStep.length - 1];
        return { prediction: last.prediction, steps: perStep.length, haltConfidence: last.haltProbability, perStep };
      }),
    );
  } finally {
    model.train(wasTraining);
  }
}

/** What {@link solve} found: the token-level result with the answer in the task's own form. */
export interface PuzzleSolution extends SolveResult {
  /** the answer in the task's own form: a sudoku string, a maze string, or an ARC grid */
  answer: PuzzleAnswer;
  /** the answer after every step, in the same form */
  answers: PuzzleAnswer[];
}

/**
 * Solves a Sudoku (81/36/16-character string, '.' or '0' blanks), a maze (its grid string) or an
 * ARC task's test input (with the dataset's identifiers, so the task's puzzle embedding is used;
 * on the model's canvas, seqLen = canvas^2, unless the puzzle names one) with a model or a
 * checkpoint file.
 */
export function solve(modelOrCheckpoint: AnyModel | string, puzzle: Puzzle, opts: Omit<SolveOptions, 'puzzleIdentifier'> = {}): PuzzleSolution {
  if (typeof modelOrCheckpoint !== 'string' && !(modelOrCheckpoint instanceof HRM) && !(modelOrCheckpoint instanceof TRM)) {
    throw invalidArgument(`solve(): model must be an HRM, a TRM or a checkpoint path, got ${describeValue(modelOrCheckpoint)}`);
  }
  checkObject(puzzle, 'solve(): puzzle', 'a puzzle ({sudoku}, {maze} or {arcTask, ...})');
  checkObject(opts, 'solve(): opts');
  const model = typeof modelOrCheckpoint === 'string' ? loadModel(modelOrCheckpoint) : modelOrCheckpoint;
  try {
    const encoded = encodeFor(model, puzzle);
    const r = solveTokens(model, encoded.tokens, { puzzleIdentifier: encoded.puzzleIdentifier, ...opts });
    return { ...r, answer: encoded.decode(r.prediction), answers: r.perStep.map((s) => encoded.decode(s.prediction)) };
  } finally {
    if (typeof modelOrCheckpoint === 'string') model.dispose();
  }
}

/** A puzzle in the model's tokens; an ARC task without a canvas goes on the model's own (seq_len = canvas^2). */
function encodeFor(model: AnyModel, puzzle: Puzzle): EncodedPuzzle {
  const given = 'arcTask' in puzzle && puzzle.canvas === undefined ? { ...puzzle, canvas: arcCanvasOfSeqLen(model.config.seqLen, "the model's seqLen") } : puzzle;
  return encodePuzzle(given);
}

/** One puzzle's result from {@link solveAll}: its answer at the step it halted. */
export interface SolvedPuzzle {
  /** the answer in the task's own form */
  answer: PuzzleAnswer;
  /** the predicted tokens */
  prediction: Int32Array;
  /** steps run (the first step at which the Q head said halt, with adaptive halting) */
  steps: number;
  /** sigmoid(q_halt) at that step */
  haltConfidence: number;
}

/** How {@link solveAll} runs. */
export interface SolveAllOptions {
  /** run at most this many steps, 1 to {@link MAX_HALT_STEPS} (default: the model's haltMaxSteps) */
  maxSteps?: number;
  /** stop each puzzle when its Q head says halt (default true) */
  adaptive?: boolean;
  /** puzzles run at once (default: the model's batchSize, at most the number of puzzles) */
  batchSize?: number;
}

/**
 * Solves many puzzles (the forms {@link solve} takes) with continuous batching: `batchSize`
 * puzzles run at once, and each one that halts hands its slot to the next. Returns the answers in
 * the order of `puzzles`, each with the steps it took; each is what {@link solve} answers for
 * that puzzle alone.
 */
export function solveAll(modelOrCheckpoint: AnyModel | string, puzzles: readonly Puzzle[], opts: SolveAllOptions = {}): SolvedPuzzle[] {
  if (typeof modelOrCheckpoint !== 'string' && !(modelOrCheckpoint instanceof HRM) && !(modelOrCheckpoint instanceof TRM)) {
    throw invalidArgument(`solveAll(): model must be an HRM, a TRM or a checkpoint path, got ${describeValue(modelOrCheckpoint)}`);
  }
  if (!Array.isArray(puzzles)) throw invalidArgument(`solveAll(): puzzles must be an array of puzzles, got ${describeValue(puzzles)}`);
  checkObject(opts, 'solveAll(): opts');
  if (opts.batchSize !== undefined && !(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw invalidArgument(`solveAll(): batchSize must be a positive integer, got ${describeValue(opts.batchSize)}`);
  const model = typeof modelOrCheckpoint === 'string' ? loadModel(modelOrCheckpoint) : modelOrCheckpoint;
  try {
    const c = model.config;
    const maxSteps = checkHaltSteps('maxSteps', opts.maxSteps ?? c.haltMaxSteps);
    const encoded = puzzles.map((p, i) => {
      const e = encodeFor(model, p);
      if (e.tokens.length !== c.seqLen) throw invalidArgument(`solveAll(): puzzle ${i} has ${e.tokens.length} tokens, the model expects ${c.seqLen}`);
      checkPuzzleIdentifier(c, e.puzzleIdentifier);
      return e;
    });
    const rows = encoded.map((e, index) => ({ index, inputs: Int32Array.from(e.tokens), labels: new Int32Array(c.seqLen).fill(IGNORE_LABEL_ID), puzzleIdentifier: e.puzzleIdentifier }));
    const out: SolvedPuzzle[] = new Array(rows.length);
    if (!rows.length) return out;
    runContinuous(model, rows, {
      slots: Math.min(opts.batchSize ?? c.batchSize, rows.length),
      haltMaxSteps: maxSteps,
      adaptive: opts.adaptive ?? true,
      device: model.inner.lmHead.weight.device,
      onStep: ({ halted }) => {
        for (const h of halted) {
          out[h.row.index] = { answer: encoded[h.row.index].decode(h.prediction), prediction: h.prediction, steps: h.steps, haltConfidence: sigmoid(h.qHaltLogit) };
        }
      },
    });
    return out;
  } finally {
    if (typeof modelOrCheckpoint === 'string') model.dispose();
  }
}
