/**
 * HRM configuration, in camelCase, with the reference's snake_case keys accepted when loading a
 * reference config (hrm-spec 5). Defaults are the reference's architecture defaults.
 * @module
 */
import type { DType } from '../../tensor/dtype';
import { checkArray, checkObject, describeValue, invalidArgument } from '../../util/errors';

/** A config value as a message shows it: numbers bare, strings quoted, anything else by its type. */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : describeValue(v);
}
import { didYouMean } from '../../util/suggest';

/** Position encoding: rotary (the reference's default), learned embeddings, or none. */
export type PosEncoding = 'rope' | 'learned' | 'none';
/** The token loss of the loss head. */
export type LossType = 'stablemax_cross_entropy' | 'softmax_cross_entropy';
/** Evaluation halting: every row for haltMaxSteps segments ('max'), or on the Q head ('adaptive'). */
export type HaltingMode = 'max' | 'adaptive';
/**
 * Which updates of a segment carry gradient: 'one-step' is the reference's 1-step gradient (only
 * the last L and the last H update); 'last-cycle' backpropagates through every update of the last
 * high-level cycle (its lCycles L updates and the H update), the ablation TRM's paper argues for.
 */
export type BackpropMode = 'one-step' | 'last-cycle';

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
  /** which updates of a segment carry gradient (default 'one-step', the reference's) */
  backprop: BackpropMode;
}

/** The config keys that come from the dataset (its dataset.json) and the batch, not from a preset. */
export const HRM_DATA_KEYS = ['batchSize', 'seqLen', 'vocabSize', 'numPuzzleIdentifiers'] as const satisfies readonly (keyof HRMConfig)[];

/** The reference's architecture defaults (everything but the data-dependent sizes). */
export const HRM_DEFAULTS: Omit<HRMConfig, (typeof HRM_DATA_KEYS)[number]> = {
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
  backprop: 'one-step',
};

/**
 * Every key of {@link HRMConfig}, at run time: the data keys and the keys of {@link HRM_DEFAULTS}
 * (whose type makes the compiler check that it lists every other key, and no more).
 */
export const HRM_CONFIG_KEYS: readonly (keyof HRMConfig)[] = [...HRM_DATA_KEYS, ...(Object.keys(HRM_DEFAULTS) as (keyof typeof HRM_DEFAULTS)[])];

/** The most ACT steps a model may be configured with, or asked to run at inference (evaluation, solving). */
export const MAX_HALT_STEPS = 1024;

/** Throws unless `steps` is an integer from 1 to {@link MAX_HALT_STEPS}; `what` names it in the message. */
export function checkHaltSteps(what: string, steps: unknown): number {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_HALT_STEPS) {
    throw invalidArgument(`${what} must be an integer from 1 to ${MAX_HALT_STEPS}, got ${shown(steps)}`);
  }
  return steps;
}

/** The reference's loss head in its arch config: `loss: {name, loss_type}`. */
export interface ReferenceLossConfig {
  /** the loss head's class (ignored: the ACT loss head is the one there is) */
  name?: string;
  /** the token loss: {@link HRMConfig.lossType} */
  loss_type?: LossType;
}

/**
 * A config with the reference's snake_case keys (its arch config, as in all_config.yaml), each the
 * {@link HRMConfig} key named alongside; `eval_halting` is ours.
 */
export interface ReferenceHRMConfig {
  /** {@link HRMConfig.batchSize} */
  batch_size: number;
  /** {@link HRMConfig.seqLen} */
  seq_len: number;
  /** {@link HRMConfig.vocabSize} */
  vocab_size: number;
  /** {@link HRMConfig.puzzleEmbNdim} */
  puzzle_emb_ndim: number;
  /** {@link HRMConfig.numPuzzleIdentifiers} */
  num_puzzle_identifiers: number;
  /** {@link HRMConfig.hCycles} */
  H_cycles: number;
  /** {@link HRMConfig.lCycles} */
  L_cycles: number;
  /** {@link HRMConfig.hLayers} */
  H_layers: number;
  /** {@link HRMConfig.lLayers} */
  L_layers: number;
  /** {@link HRMConfig.hiddenSize} */
  hidden_size: number;
  /** {@link HRMConfig.expansion} */
  expansion: number;
  /** {@link HRMConfig.numHeads} */
  num_heads: number;
  /** {@link HRMConfig.posEncodings} */
  pos_encodings: PosEncoding;
  /** {@link HRMConfig.rmsNormEps} */
  rms_norm_eps: number;
  /** {@link HRMConfig.ropeTheta} */
  rope_theta: number;
  /** {@link HRMConfig.haltMaxSteps} */
  halt_max_steps: number;
  /** {@link HRMConfig.haltExplorationProb} */
  halt_exploration_prob: number;
  /** {@link HRMConfig.forwardDtype} */
  forward_dtype: DType;
  /** {@link HRMConfig.lossType} */
  loss_type: LossType;
  /** {@link HRMConfig.evalHalting} (ours, not the reference's) */
  eval_halting: HaltingMode;
  /** {@link HRMConfig.backprop} (ours, not the reference's) */
  backprop: BackpropMode;
  /** the reference's causal attention flag: only false is supported */
  causal: boolean;
  /** the reference's model class name (ignored) */
  name: string;
  /** the reference's loss head: its loss_type is read */
  loss: ReferenceLossConfig;
}

// reference key -> our key (the compiler checks that every snake_case key of ReferenceHRMConfig has one)
const SNAKE = {
  batch_size: 'batchSize', seq_len: 'seqLen', vocab_size: 'vocabSize', puzzle_emb_ndim: 'puzzleEmbNdim',
  num_puzzle_identifiers: 'numPuzzleIdentifiers', H_cycles: 'hCycles', L_cycles: 'lCycles', H_layers: 'hLayers',
  L_layers: 'lLayers', hidden_size: 'hiddenSize', expansion: 'expansion', num_heads: 'numHeads',
  pos_encodings: 'posEncodings', rms_norm_eps: 'rmsNormEps', rope_theta: 'ropeTheta', halt_max_steps: 'haltMaxSteps',
  halt_exploration_prob: 'haltExplorationProb', forward_dtype: 'forwardDtype', loss_type: 'lossType',
  eval_halting: 'evalHalting', backprop: 'backprop',
} as const satisfies Record<Exclude<keyof ReferenceHRMConfig, 'causal' | 'name' | 'loss'>, keyof HRMConfig>;

/** The reference's (snake_case) name of each config key -> ours, as in its arch config. */
export const HRM_REFERENCE_KEYS: Readonly<Record<string, keyof HRMConfig>> = SNAKE;

/** What {@link hrmConfig} takes: some settings, camelCase or the reference's snake_case keys. */
export type HRMConfigInput = Partial<HRMConfig> & Partial<ReferenceHRMConfig>;

/**
 * `T` when it has no keys beyond those of `Shape`; otherwise `T` with each extra key typed
 * `never`, so that a misspelt key in an object literal is a compile-time error.
 */
export type Exact<T, Shape> = T & Record<Exclude<keyof T, keyof Shape>, never>;

/** True when `v` is a number in the range; `integer` also asks for an integer. */
export function inRange(v: unknown, min: number, integer: boolean, max = Infinity): v is number {
  return typeof v === 'number' && Number.isFinite(v) && (!integer || Number.isInteger(v)) && v >= min && v <= max;
}

/**
 * How a model's config is read (HRM's here, TRM's in models/trm): its name in messages, its
 * defaults and keys, the reference's snake_case names, and the reference keys that are ignored
 * or must have one value.
 */
export interface ConfigSchema {
  /** the model's name in messages ('HRM', 'TRM') */
  model: string;
  /** every setting's default except the data-dependent sizes */
  defaults: Readonly<Record<string, unknown>>;
  /** every camelCase key */
  keys: readonly string[];
  /** reference (snake_case) key -> ours */
  snake: Readonly<Record<string, string>>;
  /** reference keys with no meaning here */
  ignored: ReadonlySet<string>;
  /** reference keys with the one value supported, and why (shown when another is given) */
  fixed: Readonly<Record<string, FixedKey>>;
  /** keys that must be positive integers */
  positiveInts: readonly string[];
}

/** A reference key that has one supported value. */
export interface FixedKey {
  /** the one value accepted */
  value: unknown;
  /** why (shown when another value is given) */
  why: string;
}

/** What {@link readConfig} returns: the merged settings, and how to name a key in a message. */
export interface ReadConfig {
  /** defaults overlaid with the given settings, the shared checks passed */
  values: Record<string, unknown>;
  /** "<model> config '<key as given>'" */
  name: (key: string) => string;
  /** "got <the value, as JSON>" */
  got: (key: string) => string;
}

/**
 * Reads settings (camelCase or the reference's snake_case keys) against a schema and runs the
 * checks HRM and TRM share; unknown keys and bad values are `INVALID_ARGUMENT` errors naming the
 * key (with the nearest valid key for an unknown one).
 */
export function readConfig(schema: ConfigSchema, partial: unknown): ReadConfig {
  const label = `${schema.model} config`;
  if (!partial || typeof partial !== 'object' || Array.isArray(partial)) throw invalidArgument(`${label}: expected an object of settings, got ${describeValue(partial)}`);
  const out: Record<string, unknown> = { ...schema.defaults };
  const known = new Set<string>(schema.keys);
  const given = new Map<string, string>(); // our key -> the key as given
  const snake = schema.snake;
  for (const [k, v] of Object.entries(partial as Record<string, unknown>)) {
    if (v === undefined || schema.ignored.has(k)) continue;
    const fixed = schema.fixed[k];
    if (fixed) {
      if (v !== fixed.value) throw invalidArgument(`${label} '${k}' must be ${JSON.stringify(fixed.value)} (${fixed.why}), got ${shown(v)}`);
      continue;
    }
    if (k === 'loss') {
      if (typeof v !== 'object' || v === null) throw invalidArgument(`${label} 'loss' must be the reference's loss head {name, loss_type}, got ${shown(v)}`);
      const lossType = (v as { loss_type?: unknown }).loss_type;
      if (lossType !== undefined && !given.has('lossType')) {
        out.lossType = lossType;
        given.set('lossType', 'loss.loss_type');
      }
      continue;
    }
    const key = snake[k] ?? k;
    // A snake_case key is the reference's spelling: suggest the reference's keys first.
    if (!known.has(key)) throw invalidArgument(`unknown ${schema.model} config key '${k}'${didYouMean(k, k.includes('_') ? [...Object.keys(snake), ...known] : [...known, ...Object.keys(snake)])}`);
    out[key] = v;
    given.set(key, k);
  }
  const c = out as unknown as HRMConfig;
  const name = (k: string) => `${label} '${given.get(k) ?? k}'`;
  const got = (k: string) => `got ${shown(out[k])}`;
  for (const k of schema.positiveInts) if (!inRange(out[k], 1, true)) throw invalidArgument(`${name(k)} must be a positive integer, ${got(k)}`);
  checkHaltSteps(name('haltMaxSteps'), c.haltMaxSteps);
  if (!inRange(c.puzzleEmbNdim, 0, true)) throw invalidArgument(`${name('puzzleEmbNdim')} must be an integer >= 0, ${got('puzzleEmbNdim')}`);
  if (c.puzzleEmbNdim > 0 && !inRange(c.numPuzzleIdentifiers, 1, true)) {
    throw invalidArgument(`${name('numPuzzleIdentifiers')} must be a positive integer when puzzle embeddings are on, ${got('numPuzzleIdentifiers')}`);
  }
  for (const k of ['expansion', 'rmsNormEps', 'ropeTheta'] as const) if (!inRange(c[k], Number.MIN_VALUE, false)) throw invalidArgument(`${name(k)} must be a positive number, ${got(k)}`);
  if (c.hiddenSize % c.numHeads !== 0) throw invalidArgument(`${label}: hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads}`);
  if (!['rope', 'learned', 'none'].includes(c.posEncodings)) throw invalidArgument(`${name('posEncodings')} must be rope, learned or none, ${got('posEncodings')}`);
  if ((c.hiddenSize / c.numHeads) % 2 !== 0 && c.posEncodings === 'rope') throw invalidArgument(`${label}: rotary embeddings need an even head dimension`);
  if (!['stablemax_cross_entropy', 'softmax_cross_entropy'].includes(c.lossType)) throw invalidArgument(`${name('lossType')} must be stablemax_cross_entropy or softmax_cross_entropy, ${got('lossType')}`);
  if (!['max', 'adaptive'].includes(c.evalHalting)) throw invalidArgument(`${name('evalHalting')} must be max or adaptive, ${got('evalHalting')}`);
  if (!inRange(c.haltExplorationProb, 0, false, 1)) throw invalidArgument(`${name('haltExplorationProb')} must be in [0, 1], ${got('haltExplorationProb')}`);
  if (!['float32', 'bfloat16', 'float16', 'float64'].includes(c.forwardDtype)) throw invalidArgument(`${name('forwardDtype')} must be a floating dtype (float32, bfloat16, float16, float64), ${got('forwardDtype')}`);
  return { values: out, name, got };
}

const HRM_SCHEMA: ConfigSchema = {
  model: 'HRM',
  defaults: HRM_DEFAULTS,
  keys: HRM_CONFIG_KEYS,
  snake: SNAKE,
  // `name` names the class; `causal` is checked, `loss` read.
  ignored: new Set(['name']),
  fixed: { causal: { value: false, why: 'the HRM attends both ways' } },
  positiveInts: ['batchSize', 'seqLen', 'vocabSize', 'hCycles', 'lCycles', 'hLayers', 'lLayers', 'hiddenSize', 'numHeads'],
};

/**
 * A full config from a partial one, camelCase or the reference's snake_case keys. The type
 * refuses unknown keys in object literals (`hrmConfig({ hiddenSise: 32 })` does not compile); at
 * run time unknown keys and bad values are `INVALID_ARGUMENT` errors naming the key (with the
 * nearest valid key for an unknown one).
 */
export function hrmConfig<T extends HRMConfigInput>(partial: Exact<T, HRMConfigInput>): HRMConfig {
  const { values, name, got } = readConfig(HRM_SCHEMA, partial);
  const c = values as unknown as HRMConfig;
  if (!['one-step', 'last-cycle'].includes(c.backprop)) throw invalidArgument(`${name('backprop')} must be one-step or last-cycle, ${got('backprop')}`);
  return c;
}

/** Number of prefix positions the puzzle embedding occupies: ceil(puzzleEmbNdim / hiddenSize). */
export function puzzleEmbLen(c: HRMConfig): number {
  checkObject(c, 'puzzleEmbLen(): config', 'an HRM config (from hrmConfig())');
  return Math.ceil(c.puzzleEmbNdim / c.hiddenSize);
}

/** The config's values under the reference's snake_case keys (`snake`: reference key -> ours), leaving out `omit`. */
export function referenceKeysOf(c: object, snake: Readonly<Record<string, string>>, omit: readonly string[] = []): Record<string, unknown> {
  checkObject(c, 'referenceKeysOf(): config', 'a model config');
  checkObject(snake, 'referenceKeysOf(): snake', 'a map of reference keys to ours');
  checkArray(omit, 'referenceKeysOf(): omit', 'a list of keys');
  const out: Record<string, unknown> = {};
  for (const [ref, ours] of Object.entries(snake)) if (!omit.includes(ours)) out[ref] = (c as Record<string, unknown>)[ours];
  return out;
}

/** The config with the reference's snake_case keys (for writing a reference-style config). */
export function toReferenceConfig(c: HRMConfig): Omit<ReferenceHRMConfig, 'eval_halting' | 'backprop' | 'causal' | 'name' | 'loss'> {
  checkObject(c, 'toReferenceConfig(): config', 'an HRM config (from hrmConfig())');
  return referenceKeysOf(c, SNAKE, ['evalHalting', 'backprop']) as Omit<ReferenceHRMConfig, 'eval_halting' | 'backprop' | 'causal' | 'name' | 'loss'>;
}
