/**
 * `hrm train`'s configuration: a preset (src/train/presets.ts), then a config file (camelCase or
 * the reference's snake_case keys), then `key=value` overrides. Every key is checked against the
 * training options ({@link TRAIN_OPTION_KEYS}) and the model's ({@link HRM_CONFIG_KEYS}), and
 * every value against its kind: an unknown key or a wrong value is an error naming it, with the
 * nearest valid key.
 * @module
 */
import { HRMConfig, HRM_CONFIG_KEYS, HRM_DATA_KEYS, HRM_REFERENCE_KEYS } from '../models/hrm/config';
import { TRM_CONFIG_KEYS, TRM_REFERENCE_KEYS } from '../models/trm/config';
import { checkDevice } from '../tensor/dtype';
import { PresetOptions } from '../train/presets';
import { BEST_METRICS, TRAIN_OPTION_KEYS, TrainOptions } from '../train/trainer';
import { MODEL_KINDS } from '../models/kinds';
import { invalidArgument } from '../util/errors';
import { didYouMean } from '../util/suggest';

/** A training option a config file or an override can set (all but the progress callback and the process group). */
export type SettingKey = Exclude<keyof TrainOptions, 'onProgress' | 'processGroup'>;

/** The training options a config file or an override can set, in {@link TrainOptions}' order. */
export const SETTING_KEYS = TRAIN_OPTION_KEYS.filter((k): k is SettingKey => k !== 'onProgress' && k !== 'processGroup');

// Every model kind's keys: the kind's own config (hrmConfig, trmConfig) refuses those it lacks.
const MODEL_KEYS: readonly string[] = [...new Set<string>([...HRM_CONFIG_KEYS, ...TRM_CONFIG_KEYS])];
const MODEL_REFERENCE_KEYS: Readonly<Record<string, string>> = { ...HRM_REFERENCE_KEYS, ...TRM_REFERENCE_KEYS };

/** The model settings a config file or an `arch.` override can set (of HRM and TRM): all but the sizes that come from the data. */
export const ARCH_KEYS = MODEL_KEYS.filter((k) => !(HRM_DATA_KEYS as readonly string[]).includes(k));

// The reference's cfg_pretrain.yaml / all_config.yaml keys -> ours (the keys spelt alike need no entry).
const SNAKE: Record<string, SettingKey> = {
  data_path: 'dataPath', global_batch_size: 'globalBatchSize', eval_interval: 'evalInterval', lr_min_ratio: 'lrMinRatio',
  lr_warmup_steps: 'lrWarmupSteps', weight_decay: 'weightDecay', puzzle_emb_lr: 'puzzleEmbLr', puzzle_emb_weight_decay: 'puzzleEmbWeightDecay',
  checkpoint_path: 'outputDir', eval_max_examples: 'evalMaxExamples', ema_rate: 'ema', keep_best: 'keepBest',
};
// TRM's configs switch the average on with `ema: true` and give its rate as ema_rate (spec 8).
const TRM_EMA_RATE = 0.999;
// Reference keys with no meaning here (names, W&B, what to save at evaluation, Hydra's own).
const IGNORED = new Set(['project_name', 'run_name', 'checkpoint_every_eval', 'eval_save_outputs', 'defaults', 'hydra']);
// Names other trainers use, suggested when given (edit distance cannot find them).
const OTHER_NAMES: Record<string, SettingKey> = { learningRate: 'lr', learning_rate: 'lr', lr_warmup: 'lrWarmupSteps', warmup_steps: 'lrWarmupSteps' };

/** What a setting's value must be: undefined when `v` is one, else the expectation in words. */
type Check = (v: unknown) => string | undefined;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const int = (min: number): Check => (v) => (isNum(v) && Number.isInteger(v) && v >= min ? undefined : `an integer >= ${min}`);
const num = (min: number, max = Infinity, below = false): Check => (v) =>
  isNum(v) && v >= min && (below ? v < max : v <= max) ? undefined : max === Infinity ? `a number >= ${min}` : `a number in [${min}, ${max}${below ? ')' : ']'}`;
const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : 'true or false');
const device: Check = (v) => {
  try {
    checkDevice(v);
    return undefined;
  } catch {
    return "'cpu', 'cuda' or 'cuda:N'";
  }
};
const modelKind: Check = (v) => ((MODEL_KINDS as unknown[]).includes(v) ? undefined : `${MODEL_KINDS.map((k) => `'${k}'`).join(' or ')} (a model kind; its settings go under arch)`);
const bestMetric: Check = (v) => (v === false || (typeof v === 'string' && Object.hasOwn(BEST_METRICS, v)) ? undefined : `false or one of ${Object.keys(BEST_METRICS).join(', ')}`);
const object: Check = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'an object of model settings');

/** The kind of every setting (the Record type makes the compiler check that each one has its kind). */
const CHECKS: Record<SettingKey, Check> = {
  dataPath: str, outputDir: str, arch: object, globalBatchSize: int(1), epochs: int(1), evalInterval: int(1), lr: num(0), lrMinRatio: num(0, 1),
  lrWarmupSteps: int(0), weightDecay: num(0), beta1: num(0, 1, true), beta2: num(0, 1, true), puzzleEmbLr: num(0), puzzleEmbWeightDecay: num(0),
  seed: int(0), evalMaxExamples: int(1), resume: bool, keepCheckpoints: int(1), device, threads: int(1), stopAfterSteps: int(1), checkpointEvery: int(1),
  model: modelKind, ema: num(0, 1, true), keepBest: bestMetric,
};

/** Where settings come from, for messages: a config file, or `key=value` words. */
type Source = { file: string } | { override: string };
const where = (s: Source) => ('file' in s ? `${s.file}: ` : `${s.override}: `);

/**
 * The training option a key names (camelCase, or the reference's snake_case), or an error naming
 * the key and the nearest valid one; undefined for a reference key that has no meaning here.
 */
function settingKey(key: string, source: Source): SettingKey | undefined {
  if (IGNORED.has(key)) return undefined;
  if (key === 'onProgress') throw invalidArgument(`${where(source)}'onProgress' is a callback of the Trainer API, not a setting`);
  const k = SNAKE[key] ?? key;
  if ((SETTING_KEYS as string[]).includes(k)) return k as SettingKey;
  const model = archKeyOf(key);
  if (model && !(HRM_DATA_KEYS as readonly string[]).includes(model)) {
    throw invalidArgument(`${where(source)}'${key}' is a model setting: write it under arch (${'file' in source ? `arch: {${key}: ...}` : `arch.${key}=...`})`);
  }
  // A snake_case key is a reference config's: suggest the reference's spelling first.
  const ours = [...SETTING_KEYS, ...ARCH_KEYS.map((a) => `arch.${a}`)];
  const candidates = key.includes('_') ? [...Object.keys(SNAKE), ...ours] : ours;
  const suggestion = OTHER_NAMES[key] ? ` (did you mean '${OTHER_NAMES[key]}'?)` : didYouMean(key, candidates);
  throw invalidArgument(`${where(source)}unknown setting '${key}'${suggestion}; the settings are listed by 'hrm train --help'`);
}

/** `name` when it spells a setting (camelCase, snake_case, or arch.<model setting>), else undefined. */
export function settingName(name: string): string | undefined {
  if (name.startsWith('arch.')) {
    const k = archKeyOf(name.slice(5));
    return k && !(HRM_DATA_KEYS as readonly string[]).includes(k) ? name : undefined;
  }
  return (SETTING_KEYS as string[]).includes(SNAKE[name] ?? name) ? name : undefined;
}

/** Our name of a model setting given camelCase or snake_case, or undefined when it is none. */
function archKeyOf(key: string): keyof HRMConfig | undefined {
  const k = MODEL_REFERENCE_KEYS[key] ?? key;
  return MODEL_KEYS.includes(k) ? (k as keyof HRMConfig) : undefined;
}

/** Checks a setting's value against its kind; an error naming the key, the value and what was expected. */
function checkValue(key: SettingKey, given: string, value: unknown, source: Source): void {
  const expected = CHECKS[key](value);
  if (expected) throw invalidArgument(`${where(source)}${given} must be ${expected}, got ${JSON.stringify(value)}`);
}

/**
 * Model settings into `arch` under our names: snake_case keys renamed, the reference's `name`
 * dropped, `causal` checked, `loss: {loss_type}` read as lossType; the sizes that come from the
 * data, and unknown keys, are errors naming the key.
 */
function mergeArch(arch: Partial<HRMConfig>, extra: Record<string, unknown>, source: Source, prefix: string): void {
  for (const [key, v] of Object.entries(extra)) {
    if (v === undefined || v === null || key === 'name') continue;
    if (key === 'causal') {
      if (v !== false) throw invalidArgument(`${where(source)}${prefix}causal must be false (the HRM attends both ways), got ${JSON.stringify(v)}`);
      continue;
    }
    if (key === 'loss') {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidArgument(`${where(source)}${prefix}loss must be the reference's loss head {name, loss_type}, got ${JSON.stringify(v)}`);
      const lossType = (v as { loss_type?: unknown }).loss_type;
      if (lossType !== undefined) (arch as Record<string, unknown>).lossType = lossType;
      continue;
    }
    const k = archKeyOf(key);
    const candidates = key.includes('_') ? [...Object.keys(MODEL_REFERENCE_KEYS), ...ARCH_KEYS] : ARCH_KEYS;
    if (!k) throw invalidArgument(`${where(source)}unknown model setting '${prefix}${key}'${didYouMean(key, candidates, (n) => `'${prefix}${n}'`)}`);
    if ((HRM_DATA_KEYS as readonly string[]).includes(k)) {
      throw invalidArgument(`${where(source)}${prefix}${key} cannot be set: ${k === 'batchSize' ? 'it is globalBatchSize' : "it comes from the dataset's dataset.json"}`);
    }
    (arch as Record<string, unknown>)[k] = v;
  }
}

/**
 * Merges a config object (camelCase or the reference's snake_case keys, `arch: {...}` included)
 * into training options. `file` names the config in errors: unknown keys, values of the wrong
 * kind, and a config that is not an object are `INVALID_ARGUMENT` errors naming the key.
 */
export function mergeTrainConfig(base: PresetOptions, extra: Record<string, unknown>, file = 'config'): PresetOptions {
  if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) {
    throw invalidArgument(`${file}: expected an object of settings (key: value), got ${Array.isArray(extra) ? 'an array' : JSON.stringify(extra)}`);
  }
  const source: Source = { file };
  const out: Record<string, unknown> = { ...base, arch: { ...(base.arch ?? {}) } };
  for (const [k, v] of Object.entries(extra)) {
    const key = settingKey(k, source);
    if (key === undefined || v === null) continue; // a reference key with no meaning here, or one left unset
    if (key === 'ema' && k === 'ema' && typeof v === 'boolean') {
      if (v) out.ema ??= TRM_EMA_RATE; // TRM's switch (ema_rate, before or after it, gives the rate)
      continue;
    }
    checkValue(key, k, v, source);
    if (key === 'arch') mergeArch(out.arch as Partial<HRMConfig>, v as Record<string, unknown>, source, 'arch.');
    else out[key] = v;
  }
  if (extra.ema === false) delete out.ema; // TRM's switch off wins over its ema_rate
  return out as PresetOptions;
}

// Settings whose override value is the word as typed (a path, a device), never parsed as JSON.
const STRING_SETTINGS = new Set<SettingKey>(['dataPath', 'outputDir', 'device']);

/** An override's value: JSON when it parses (numbers, true/false, objects), else the string. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Applies `key=value` overrides (dotted keys for the model: arch.hiddenSize=128, arch.H_cycles=3);
 * values parse as JSON when they can (numbers, true/false), else are strings. Unknown keys and
 * values of the wrong kind are `INVALID_ARGUMENT` errors naming the override.
 */
export function applyOverrides(base: PresetOptions, overrides: [string, string][]): PresetOptions {
  let out = mergeTrainConfig(base, {});
  for (const [key, raw] of overrides) {
    const source: Source = { override: `${key}=${raw}` };
    if (key.startsWith('arch.')) mergeArch(out.arch as Partial<HRMConfig>, { [key.slice(5)]: parseValue(raw) }, source, 'arch.');
    else {
      const k = settingKey(key, source);
      if (k === undefined) continue;
      const value = STRING_SETTINGS.has(k) ? raw : parseValue(raw);
      checkValue(k, key, value, source);
      out = k === 'arch' ? mergeTrainConfig(out, { arch: value }, `${key}=${raw}`) : { ...out, [k]: value };
    }
  }
  return out;
}

/** The settings' names for `hrm train --help`: the training options, then the model's (arch.*). */
export function settingsHelp(): string {
  const wrap = (words: string[], indent: string) => {
    const lines: string[] = [];
    let line = '';
    for (const w of words) {
      if (line && line.length + w.length + 1 > 96) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${w}` : w;
    }
    if (line) lines.push(line);
    return lines.map((l) => indent + l).join('\n');
  };
  return `  settings (key=value, or in the config file):\n${wrap([...SETTING_KEYS.filter((k) => k !== 'arch')], '    ')}\n  model settings (arch.key=value, or under arch: in the config file; snake_case also accepted):\n${wrap(ARCH_KEYS.map((k) => `arch.${k}`), '    ')}`;
}
