/**
 * The models the Trainer, `hrm eval` and `hrm solve` can build, by kind: the one place that maps
 * a kind ('hrm') to its config, its model and its loss head. Everything above models/ builds a
 * model here and works with it through {@link ACTModel} and {@link ACTLoss}, the ACT-step
 * interface every kind shares (spec 3), so a new kind is one entry in {@link MODEL_FACTORIES}.
 * @module
 */
import type { Module } from '../nn/module';
import type { CastedSparseEmbedding } from '../nn/sparse-embedding';
import type { LayerOptions } from '../nn/layers';
import { describeValue, invalidArgument } from '../util/errors';
import { HRMConfig, HRMConfigInput, hrmConfig } from './hrm/config';
import { HRMBatch, HRMCarry } from './hrm/carry';
import { HRM, HRMStepOptions, HRMStepResult } from './hrm/model';
import { ACTLossHead, LossHeadResult } from './hrm/losses';
import { TRMConfig, TRMConfigInput, trmConfig } from './trm/config';
import { TRM } from './trm/model';
import { TRMLossHead } from './trm/losses';

/** Per kind: its config and its model class (a new kind adds its entry here and in the factory). */
export interface ModelTypes {
  /** the Hierarchical Reasoning Model (spec 1-3) */
  hrm: {
    /** its settings */
    config: HRMConfig;
    /** its class */
    model: HRM;
  };
  /** the Tiny Recursive Model (spec 8): one network, full backprop through the last recursion */
  trm: {
    /** its settings */
    config: TRMConfig;
    /** its class */
    model: TRM;
  };
}

/** The settings a model kind's config is read from: camelCase or the reference's snake_case keys, the data sizes included. */
export type ModelSettings = HRMConfigInput | TRMConfigInput;

/** A model kind: what `TrainOptions.model` and a checkpoint's `extra.model` name. */
export type ModelKind = keyof ModelTypes;

/** The config of a model of any kind. */
export type ModelConfig = ModelTypes[ModelKind]['config'];

/** A model of any kind, as its class. */
export type AnyModel = ModelTypes[ModelKind]['model'];

/** A model with the ACT-step interface (spec 3): what training and evaluation call. */
export interface ACTModel extends Module {
  /** the model's settings (sizes from the data included) */
  readonly config: ModelConfig;
  /** the recurrent core; its puzzle-embedding table (a buffer) is trained by SignSGD */
  readonly inner: {
    /** the puzzle-embedding table, when the model has one */
    readonly puzzleEmb?: CastedSparseEmbedding;
  };
  /** checks a batch's shapes and dtypes against the config */
  checkBatch(batch: HRMBatch): void;
  /** the starting carry: every row halted, so the first step loads fresh examples */
  initialCarry(batch: HRMBatch): HRMCarry;
  /** one ACT step (one segment) for every row */
  forward(carry: HRMCarry, batch: HRMBatch, opts?: HRMStepOptions): HRMStepResult;
}

/** A model with its loss: one ACT step, then losses and metrics (ACTLossHead's result). */
export interface ACTLoss {
  /** the model it wraps */
  readonly model: ACTModel;
  /** one ACT step of the model, then its losses and metrics */
  forward(carry: HRMCarry, batch: HRMBatch, opts?: HRMStepOptions): LossHeadResult;
}

/** How one kind is built: its settings into a config, a config into a model, a model into its loss head. */
interface ModelFactory<K extends ModelKind> {
  config(settings: ModelSettings): ModelTypes[K]['config'];
  model(config: ModelTypes[K]['config'], opts: LayerOptions): ModelTypes[K]['model'];
  head(model: ModelTypes[K]['model']): ACTLoss;
}

/** Every kind's factory (the mapped type makes the compiler ask for each kind's entry). */
const MODEL_FACTORIES: { [K in ModelKind]: ModelFactory<K> } = {
  hrm: { config: (s) => hrmConfig(s as HRMConfigInput), model: (c, o) => new HRM(c, o), head: (m) => new ACTLossHead(m) },
  trm: { config: (s) => trmConfig(s as TRMConfigInput), model: (c, o) => new TRM(c, o), head: (m) => new TRMLossHead(m) },
};

/** The model kinds, in the order help texts list them. */
export const MODEL_KINDS = Object.keys(MODEL_FACTORIES) as ModelKind[];

/** The kind the Trainer builds when none is given, and a checkpoint that names none holds. */
export const DEFAULT_MODEL_KIND: ModelKind = 'hrm';

/** `value` as a model kind, or an `INVALID_ARGUMENT` error naming `what`, the kinds and what was given. */
export function checkModelKind(value: unknown, what = 'model'): ModelKind {
  if (typeof value === 'string' && (MODEL_KINDS as string[]).includes(value)) return value as ModelKind;
  throw invalidArgument(`${what} must be ${MODEL_KINDS.map((k) => `'${k}'`).join(' or ')}, got ${describeValue(value)}`);
}

/** Returns `model` when it has the ACT-step interface (a model built here); otherwise `INVALID_ARGUMENT` naming `what`. */
export function checkACTModel(model: unknown, what: string): ACTModel {
  const m = model as Partial<ACTModel> | null;
  const ok = typeof m === 'object' && m !== null && typeof m.forward === 'function' && typeof m.initialCarry === 'function' && typeof m.config === 'object' && m.config !== null;
  if (!ok) throw invalidArgument(`${what} must be a model with the ACT-step interface (HRM or TRM, e.g. from buildModel()), got ${describeValue(model)}`);
  return model as ACTModel;
}

/** The config of a model of `kind` from its settings (the data sizes included), defaults filled in and checked. */
export function modelConfig<K extends ModelKind>(kind: K, settings: ModelSettings): ModelTypes[K]['config'] {
  return MODEL_FACTORIES[checkModelKind(kind) as K].config(settings);
}

/** A freshly initialised model of `kind` (on `opts.device`). */
export function buildModel<K extends ModelKind>(kind: K, config: ModelTypes[K]['config'], opts: LayerOptions = {}): ModelTypes[K]['model'] {
  return MODEL_FACTORIES[checkModelKind(kind) as K].model(config, opts);
}

/** The loss head of a model of `kind`. */
export function buildLossHead<K extends ModelKind>(kind: K, model: ModelTypes[K]['model']): ACTLoss {
  return MODEL_FACTORIES[checkModelKind(kind) as K].head(model);
}

/** The kind of a model built here (by its class). */
export function kindOf(model: ACTModel): ModelKind {
  return model instanceof TRM ? 'trm' : 'hrm';
}

/** The loss head of a model of any kind (its kind read from its class). */
export function lossHeadOf(model: ACTModel): ACTLoss {
  return buildLossHead(kindOf(model), model as AnyModel);
}
