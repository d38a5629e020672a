/**
 * HRM configuration, in camelCase, with the reference's snake_case keys accepted when loading a
 * reference config (hrm-spec 5). Defaults are the reference's architecture defaults.
 * @module
 */
import type { DType } from '../../tensor/dtype';
import { invalidArgument } from '../../util/errors';

/** Position encoding: rotary (the reference's default), learned embeddings, or none. */
export type PosEncoding = 'rope' | 'learned' | 'none';
/** The token loss of the loss head. */
export type LossType = 'stablemax_cross_entropy' | 'softmax_cross_entropy';
/** Evaluation halting: every row for haltMaxSteps segments ('max'), or on the Q head ('adaptive'). */
export type HaltingMode = 'max' | 'adaptive';

/** The HRM's settings (the reference's arch config, camelCase). */
export interface HRMConfig {
  /** rows per batch (sizes the puzzle embedding's per-batch buffer) */
  batchSize: number;
  /** task tokens per example */
  seqLen: number;
  /** token vocabulary size (including pad and end-of-sequence tokens) */
  vocabSize: number;
  /** width of the per-puzzle embedding; 0 turns puzzle embeddings off */
  puzzleEmbNdim: number;
  /** rows of the puzzle-embedding table (identifier 0 is the blank) */
  numPuzzleIdentifiers: number;
  /** high-level cycles per segment (N) */
  hCycles: number;
  /** low-level updates per high-level cycle (T) */
  lCycles: number;
  /** Transformer blocks in the H module */
  hLayers: number;
  /** Transformer blocks in the L module */
  lLayers: number;
  /** model width D */
  hiddenSize: number;
  /** SwiGLU width factor */
  expansion: number;
  /** attention heads (hiddenSize / numHeads is the head width) */
  numHeads: number;
  /** position encoding */
  posEncodings: PosEncoding;
  /** RMSNorm epsilon */
  rmsNormEps: number;
  /** RoPE base */
  ropeTheta: number;
  /** the most ACT segments a row runs on one example */
  haltMaxSteps: number;
  /** probability that a training row is forced to explore (run a random minimum of steps) */
  haltExplorationProb: number;
  /** activation dtype: float32 (CPU default) or bfloat16 (the reference's, for CUDA) */
  forwardDtype: DType;
  /** token loss of the loss head */
  lossType: LossType;
  /**
   * Evaluation halting: 'max' runs every row for haltMaxSteps segments (the reference); 'adaptive'
   * halts a row as soon as its Q head says halt (reported in the carry's steps).
   */
  evalHalting: HaltingMode;
}

/** The reference's architecture defaults (everything but the data-dependent sizes). */
export const HRM_DEFAULTS: Omit<HRMConfig, 'batchSize' | 'seqLen' | 'vocabSize' | 'numPuzzleIdentifiers'> = {
  puzzleEmbNdim: 512,
  hCycles: 2,
  lCycles: 2,
  hLayers: 4,
  lLayers: 4,
  hiddenSize: 512,
  expansion: 4,
  numHeads: 8,
  posEncodings: 'rope',
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  haltMaxSteps: 16,
  haltExplorationProb: 0.1,
  forwardDtype: 'float32',
  lossType: 'stablemax_cross_entropy',
  evalHalting: 'max',
};

// reference key -> our key
const SNAKE: Record<string, keyof HRMConfig> = {
  batch_size: 'batchSize', seq_len: 'seqLen', vocab_size: 'vocabSize', puzzle_emb_ndim: 'puzzleEmbNdim',
  num_puzzle_identifiers: 'numPuzzleIdentifiers', H_cycles: 'hCycles', L_cycles: 'lCycles', H_layers: 'hLayers',
  L_layers: 'lLayers', hidden_size: 'hiddenSize', expansion: 'expansion', num_heads: 'numHeads',
  pos_encodings: 'posEncodings', rms_norm_eps: 'rmsNormEps', rope_theta: 'ropeTheta', halt_max_steps: 'haltMaxSteps',
  halt_exploration_prob: 'haltExplorationProb', forward_dtype: 'forwardDtype', loss_type: 'lossType',
  eval_halting: 'evalHalting',
};
// Reference keys with no meaning here (the reference's `causal` is always false; `name` names the class).
const IGNORED = new Set(['causal', 'name', 'loss']);

/**
 * A full config from a partial one, camelCase or the reference's snake_case keys; unknown keys
 * and bad values are errors naming the key.
 */
export function hrmConfig(partial: Partial<HRMConfig> | Record<string, unknown>): HRMConfig {
  const out: Record<string, unknown> = { ...HRM_DEFAULTS };
  const known = new Set(Object.keys(HRM_DEFAULTS).concat(['batchSize', 'seqLen', 'vocabSize', 'numPuzzleIdentifiers']));
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined || IGNORED.has(k)) continue;
    const key = SNAKE[k] ?? k;
    if (!known.has(key)) throw invalidArgument(`unknown HRM config key '${k}'`);
    out[key] = v;
  }
  const c = out as unknown as HRMConfig;
  const positiveInts: (keyof HRMConfig)[] = ['batchSize', 'seqLen', 'vocabSize', 'hCycles', 'lCycles', 'hLayers', 'lLayers', 'hiddenSize', 'numHeads', 'haltMaxSteps'];
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalidArgument(`HRM config '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(c.puzzleEmbNdim) || c.puzzleEmbNdim < 0) throw invalidArgument(`HRM config 'puzzleEmbNdim' must be an integer >= 0`);
  if (c.puzzleEmbNdim > 0 && (!Number.isInteger(c.numPuzzleIdentifiers) || c.numPuzzleIdentifiers < 1)) {
    throw invalidArgument(`HRM config 'numPuzzleIdentifiers' must be a positive integer when puzzle embeddings are on`);
  }
  if (c.hiddenSize % c.numHeads !== 0) throw invalidArgument(`HRM config: hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}`);
  if ((c.hiddenSize / c.numHeads) % 2 !== 0 && c.posEncodings === 'rope') throw invalidArgument('HRM config: rotary embeddings need an even head dimension');
  if (!['rope', 'learned', 'none'].includes(c.posEncodings)) throw invalidArgument(`HRM config 'posEncodings' must be rope, learned or none`);
  if (!['stablemax_cross_entropy', 'softmax_cross_entropy'].includes(c.lossType)) throw invalidArgument(`HRM config 'lossType' must be stablemax_cross_entropy or softmax_cross_entropy`);
  if (!['max', 'adaptive'].includes(c.evalHalting)) throw invalidArgument(`HRM config 'evalHalting' must be max or adaptive`);
  if (!(c.haltExplorationProb >= 0 && c.haltExplorationProb <= 1)) throw invalidArgument(`HRM config 'haltExplorationProb' must be in [0, 1]`);
  if (!['float32', 'bfloat16', 'float16', 'float64'].includes(c.forwardDtype)) throw invalidArgument(`HRM config 'forwardDtype' must be a floating dtype`);
  return c;
}

/** Number of prefix positions the puzzle embedding occupies: ceil(puzzleEmbNdim / hiddenSize). */
export function puzzleEmbLen(c: HRMConfig): number {
  return Math.ceil(c.puzzleEmbNdim / c.hiddenSize);
}

/** The config with the reference's snake_case keys (for writing a reference-style config). */
export function toReferenceConfig(c: HRMConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [snake, camel] of Object.entries(SNAKE)) if (camel !== 'evalHalting') out[snake] = c[camel];
  return out;
}
