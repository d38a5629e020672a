/**
 * TRM configuration (hrm-spec 8), in camelCase, with the reference's snake_case keys accepted
 * when loading a TRM arch config. Read and checked like HRM's config (the same reader), plus
 * TRM's own keys: the puzzle prefix length and the MLP-mixer flag. Defaults are TRM's.
 * @module
 */
import { invalidArgument } from '../../util/errors';
import {
  ConfigSchema,
  Exact,
  HRMConfig,
  HRM_DATA_KEYS,
  HRM_REFERENCE_KEYS,
  ReferenceHRMConfig,
  inRange,
  readConfig,
  referenceKeysOf,
} from '../hrm/config';

/**
 * The TRM's settings: HRM's, without the H module's depth (one network), with TRM's readings of
 * the cycle counts and its own keys.
 */
export interface TRMConfig extends Omit<HRMConfig, 'hLayers' | 'backprop'> {
  /** recursions per ACT step (T; the first T - 1 without gradient) */
  hCycles: number;
  /** latent updates z <- f(z + y + x) per recursion (n), each recursion ending with y <- f(y + z) */
  lCycles: number;
  /** blocks of the one network (`L_level`) */
  lLayers: number;
  /**
   * prefix positions before the tokens (TRM's 16): the puzzle embedding fills the first
   * ceil(puzzleEmbNdim / hiddenSize), the rest are zero vectors; 0 means just those. Without a
   * puzzle embedding (puzzleEmbNdim 0) there is no prefix.
   */
  puzzleEmbLen: number;
  /** the MLP-mixer variant: a SwiGLU over the sequence axis instead of attention (`mlp_t`) */
  mlpT: boolean;
}

/** TRM's architecture defaults (config/arch/trm.yaml; float32 forward on the CPU, as HRM's). */
export const TRM_DEFAULTS: Omit<TRMConfig, (typeof HRM_DATA_KEYS)[number]> = {
  puzzleEmbNdim: 512,
  hCycles: 3,
  lCycles: 6,
  lLayers: 2,
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
  puzzleEmbLen: 16,
  mlpT: false,
};

/** Every key of {@link TRMConfig}, at run time. */
export const TRM_CONFIG_KEYS: readonly (keyof TRMConfig)[] = [...HRM_DATA_KEYS, ...(Object.keys(TRM_DEFAULTS) as (keyof typeof TRM_DEFAULTS)[])];

/**
 * A TRM arch config with the reference's snake_case keys (as in its all_config.yaml): HRM's
 * (without `causal`) plus `puzzle_emb_len`, `mlp_t`, and `no_ACT_continue` (only true: the
 * simplified ACT, spec 8); `H_layers` is accepted and ignored, as TRM does.
 */
export interface ReferenceTRMConfig extends Omit<ReferenceHRMConfig, 'causal' | 'H_layers' | 'backprop'> {
  /** {@link TRMConfig.puzzleEmbLen} */
  puzzle_emb_len: number;
  /** {@link TRMConfig.mlpT} */
  mlp_t: boolean;
  /** TRM's halting without the continue target: only true is supported */
  no_ACT_continue: boolean;
  /** TRM's ignored H depth (there is one network) */
  H_layers: number;
}

// reference key -> our key: HRM's, without H_layers and HRM's backprop choice (TRM backpropagates
// through its whole last recursion), plus TRM's two.
const SNAKE: Readonly<Record<string, keyof TRMConfig>> = {
  ...(Object.fromEntries(Object.entries(HRM_REFERENCE_KEYS).filter(([k]) => k !== 'H_layers' && k !== 'backprop')) as Record<string, keyof TRMConfig>),
  puzzle_emb_len: 'puzzleEmbLen',
  mlp_t: 'mlpT',
};

/** The reference's (snake_case) name of each TRM config key -> ours. */
export const TRM_REFERENCE_KEYS: Readonly<Record<string, keyof TRMConfig>> = SNAKE;

/** What {@link trmConfig} takes: some settings, camelCase or the reference's snake_case keys. */
export type TRMConfigInput = Partial<TRMConfig> & Partial<ReferenceTRMConfig>;

const TRM_SCHEMA: ConfigSchema = {
  model: 'TRM',
  defaults: TRM_DEFAULTS,
  keys: TRM_CONFIG_KEYS,
  snake: SNAKE,
  // One network: the H depth is ignored, as TRM does (its configs, and HRM presets reused for TRM, name it).
  ignored: new Set(['name', 'H_layers', 'hLayers']),
  fixed: { no_ACT_continue: { value: true, why: 'TRM halts on q_halt alone; its continue-target path is not supported' } },
  positiveInts: ['batchSize', 'seqLen', 'vocabSize', 'hCycles', 'lCycles', 'lLayers', 'hiddenSize', 'numHeads'],
};

/**
 * A full TRM config from a partial one, camelCase or the reference's snake_case keys; unknown
 * keys (a compile-time error in object literals) and bad values are `INVALID_ARGUMENT` errors
 * naming the key, as {@link hrmConfig}'s.
 */
export function trmConfig<T extends TRMConfigInput>(partial: Exact<T, TRMConfigInput>): TRMConfig {
  const { values, name, got } = readConfig(TRM_SCHEMA, partial);
  const c = values as unknown as TRMConfig;
  if (!inRange(c.puzzleEmbLen, 0, true)) throw invalidArgument(`${name('puzzleEmbLen')} must be an integer >= 0, ${got('puzzleEmbLen')}`);
  if (c.puzzleEmbLen > 0 && c.puzzleEmbLen * c.hiddenSize < c.puzzleEmbNdim) {
    throw invalidArgument(`${name('puzzleEmbLen')}: ${c.puzzleEmbLen} positions of width ${c.hiddenSize} cannot hold a puzzle embedding of width ${c.puzzleEmbNdim} (need at least ${Math.ceil(c.puzzleEmbNdim / c.hiddenSize)}), ${got('puzzleEmbLen')}`);
  }
  if (typeof c.mlpT !== 'boolean') throw invalidArgument(`${name('mlpT')} must be true or false, ${got('mlpT')}`);
  return c;
}

/**
 * Prefix positions before the tokens (spec 8): puzzleEmbLen, or ceil(puzzleEmbNdim / hiddenSize)
 * when it is 0; none without a puzzle embedding (where TRM's own code breaks).
 */
export function trmPuzzleEmbLen(c: TRMConfig): number {
  if (c.puzzleEmbNdim === 0) return 0;
  return c.puzzleEmbLen > 0 ? c.puzzleEmbLen : Math.ceil(c.puzzleEmbNdim / c.hiddenSize);
}

/** The config with the reference's snake_case keys (for writing a TRM-style arch config). */
export function toReferenceConfig(c: TRMConfig): Omit<ReferenceTRMConfig, 'eval_halting' | 'no_ACT_continue' | 'H_layers' | 'name' | 'loss'> {
  return referenceKeysOf(c, SNAKE, ['evalHalting']) as Omit<ReferenceTRMConfig, 'eval_halting' | 'no_ACT_continue' | 'H_layers' | 'name' | 'loss'>;
}
