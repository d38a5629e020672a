/**
 * What the `hrm` commands share: the shape of a command, the package version, finding a
 * dataset split and a checkpoint from what the user typed, reading a settings file, and building
 * the model of a checkpoint, ours or the reference's.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { importReferenceCheckpoint } from '../checkpoint/reference';
import { METADATA_FILE, isDatasetSplit, readMetadata } from '../data/format';
import { loadModel } from '../eval/solve';
import { HRMConfig } from '../models/hrm/config';
import { AnyModel, buildModel, modelConfig } from '../models/kinds';
import { HRM } from '../models/hrm/model';
import { packageRoot } from '../native';
import { Device } from '../tensor/dtype';
import { PresetOptions } from '../train/presets';
import { BEST_CHECKPOINT_FILE, bestCheckpoint, newestCheckpoint } from '../train/run-folder';
import { readCheckpointInfo } from '../checkpoint/state-file';
import { formatPercent } from '../util/progress';
import { corruptFile, invalidArgument } from '../util/errors';
import { ParsedArgs } from './args';
import { mergeTrainConfig } from './presets';

/** One `hrm <name>` command: its `--help` text and what it runs. */
export interface Command {
  /** printed by `hrm <name> --help` */
  help: string;
  /** runs the command on its parsed arguments; resolves to the process exit code */
  run(args: ParsedArgs): number | Promise<number>;
}

/** The version in hrm-torch's package.json. */
export function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;
}

/** Throws a usage error unless `<dataRoot>/<split>` is a built dataset split (has dataset.json). */
export function requireSplit(command: string, dataRoot: string, split: 'train' | 'test', hint: string): void {
  const dir = path.join(dataRoot, split);
  if (!isDatasetSplit(dir)) throw invalidArgument(`${command}: ${path.join(dir, METADATA_FILE)} not found (${hint})`);
}

/** How a checkpoint file is stored: an hrm-torch checkpoint (safetensors), or the reference's torch.save state dict. */
export type CheckpointFormat = 'safetensors' | 'torch.save';

/**
 * The format of a checkpoint file from its first bytes: a zip archive (`PK\x03\x04`) is a
 * torch.save file; safetensors is an 8-byte little-endian header length, then a JSON header
 * (`{`) that fits in the file. Anything else is a `CORRUPT_FILE` error saying what was found.
 */
export function checkpointFormat(file: string): CheckpointFormat {
  const size = fs.statSync(file).size;
  const head = Buffer.alloc(9);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 9, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (size >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'torch.save';
  if (size >= 9 && head.readBigUInt64LE(0) <= BigInt(size - 8) && head[8] === 0x7b) return 'safetensors';
  const first = [...head.subarray(0, Math.min(size, 8))].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw corruptFile(
    file,
    `not a checkpoint: neither an hrm-torch checkpoint (safetensors: an 8-byte header length, then '{') nor a reference torch.save file (a zip archive: 'PK\\x03\\x04'); its ${size} bytes begin ${first || '(empty)'}`,
  );
}

// The reference's checkpoint files: step_<global step>, no extension (hrm-spec 4.4).
const REFERENCE_CHECKPOINT = /^step_(\d+)$/;

/** How `--checkpoint RUN_DIR [--best]` chooses, for the commands' help texts. */
export const CHECKPOINT_CHOICE_HELP = `  --checkpoint RUN_DIR takes the run's newest checkpoint; with --best, the one kept for the run's
  best evaluation (checkpoints/best.safetensors, see hrm train's keepBest). The choice is printed.`;

/** A best checkpoint's record of its evaluation in words ('exact_accuracy 55.00% at step 36'), or undefined when it records none. */
function bestInWords(file: string): string | undefined {
  let best: unknown;
  try {
    best = readCheckpointInfo(file).extra.best;
  } catch {
    return undefined; // the load that follows names what is wrong with it
  }
  const b = best as { metric?: unknown; value?: unknown; step?: unknown } | null;
  if (!b || typeof b.metric !== 'string' || typeof b.value !== 'number') return undefined;
  const value = b.metric.endsWith('accuracy') ? formatPercent(b.value, 2) : b.value.toFixed(4);
  return `${b.metric} ${value} at step ${b.step}`;
}

/**
 * A checkpoint file, or one of a run folder (or of its checkpoints/ folder): the newest, ours
 * (step_*.safetensors) else the reference's (step_N files, torch.save); with `best`, the one
 * training kept for its best evaluation (checkpoints/best.safetensors). When a folder was given,
 * which one was chosen is printed. The file's format is checked ({@link checkpointFormat}).
 */
export function resolveCheckpoint(p: string, opts: { best?: boolean } = {}): string {
  if (!fs.existsSync(p)) throw invalidArgument(`--checkpoint: ${p} does not exist`);
  let file = p;
  const isDir = fs.statSync(p).isDirectory();
  if (opts.best && !isDir) throw invalidArgument(`--best picks the best checkpoint of a run folder, but --checkpoint ${p} is a file; give the run folder, or leave out --best`);
  if (opts.best) {
    const best = bestCheckpoint(p);
    if (!best) {
      throw invalidArgument(
        `--best: ${p} has no best checkpoint (${BEST_CHECKPOINT_FILE} is written by training runs that evaluate, with keepBest); leave out --best to use its newest checkpoint`,
      );
    }
    file = best;
    const record = bestInWords(best);
    console.log(`checkpoint: ${best} (the run's best${record ? `: ${record}` : ''})`);
  } else if (isDir) {
    const reference = fs
      .readdirSync(p)
      .filter((f) => REFERENCE_CHECKPOINT.test(f) && fs.statSync(path.join(p, f)).isFile())
      .sort((a, b) => Number(REFERENCE_CHECKPOINT.exec(b)![1]) - Number(REFERENCE_CHECKPOINT.exec(a)![1]));
    const newest = newestCheckpoint(p) ?? (reference.length ? path.join(p, reference[0]) : undefined);
    if (!newest) throw invalidArgument(`--checkpoint: no checkpoint in ${p} (hrm-torch's step_*.safetensors, or the reference's step_N)`);
    file = newest;
    const best = bestCheckpoint(p);
    const record = best && bestInWords(best);
    console.log(`checkpoint: ${newest} (the newest${best ? `; --best picks the run's best${record ? `, ${record}` : ''}` : ''})`);
  }
  checkpointFormat(file);
  return file;
}

/** The reference's run config next to its checkpoints (hrm-spec 4.4). */
export const REFERENCE_CONFIG_FILE = 'all_config.yaml';

/**
 * A settings file's object: JSON, or YAML by its extension (.yaml, .yml). A missing file, one that
 * does not parse, and one that holds no object are `INVALID_ARGUMENT` errors naming `flag` and the file.
 */
export function readSettingsFile(file: string, flag = '--config'): Record<string, unknown> {
  if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) throw invalidArgument(`${flag}: ${file} is not a file`);
  const yaml = /\.ya?ml$/i.test(file);
  let parsed: unknown;
  try {
    parsed = yaml ? parseYaml(fs.readFileSync(file, 'utf8')) : JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalidArgument(`${flag}: ${file} is not valid ${yaml ? 'YAML' : 'JSON'} (${(e as Error).message.split('\n')[0]})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidArgument(`${flag}: ${file} must hold an object of settings (key: value), got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/** The sizes of a model that come from its data: what a reference checkpoint's config lacks. */
export type DataSizes = Pick<HRMConfig, 'seqLen' | 'vocabSize' | 'numPuzzleIdentifiers'>;

/** The data sizes of a dataset: from `<root>/train`'s metadata, else `<root>/test`'s (or of `root` when it is a split). */
export function dataSizesOf(root: string): DataSizes {
  const split = isDatasetSplit(root) ? root : isDatasetSplit(path.join(root, 'train')) ? path.join(root, 'train') : path.join(root, 'test');
  const m = readMetadata(split);
  return { seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers };
}

/** How {@link openCheckpoint} builds a model. */
export interface OpenCheckpointOptions {
  /** where the model runs (default cpu) */
  device?: Device;
  /** a reference checkpoint's data sizes (from the dataset or the puzzle), which its config does not hold */
  sizes?: () => DataSizes;
  /** a reference checkpoint's all_config.yaml (or any config `hrm train --config` takes); default: the one next to it */
  config?: string;
}

/**
 * The model of a checkpoint: an hrm-torch checkpoint records its config; a reference torch.save
 * checkpoint is imported ({@link importReferenceCheckpoint}) into the model its all_config.yaml
 * (next to it, or `config`) describes, with the data sizes from `sizes` and the batch size from
 * global_batch_size.
 */
export function openCheckpoint(file: string, opts: OpenCheckpointOptions = {}): AnyModel {
  if (checkpointFormat(file) === 'safetensors') {
    if (opts.config !== undefined) throw invalidArgument(`--config is the architecture of a reference (torch.save) checkpoint; ${file} is an hrm-torch checkpoint, which records its own`);
    return loadModel(file, { device: opts.device });
  }
  const configFile = opts.config ?? path.join(path.dirname(file), REFERENCE_CONFIG_FILE);
  if (!opts.config && !fs.existsSync(configFile)) {
    throw invalidArgument(`--checkpoint: ${file} is a reference (torch.save) checkpoint; its architecture comes from ${REFERENCE_CONFIG_FILE} next to it, which is missing: give it with --config FILE`);
  }
  if (!opts.sizes) throw invalidArgument(`--checkpoint: ${file} is a reference (torch.save) checkpoint; give --data DIR for the sizes of its data`);
  const settings = mergeTrainConfig({} as PresetOptions, readSettingsFile(configFile), configFile);
  // The reference's checkpoints are HRMs (a TRM state dict imports through the API:
  // importReferenceCheckpoint(file, new TRM(trmConfig(...)))).
  const config = modelConfig('hrm', { ...(settings.arch ?? {}), ...opts.sizes(), batchSize: settings.globalBatchSize ?? 1 });
  const model = buildModel('hrm', config, { device: opts.device });
  try {
    importReferenceCheckpoint(file, model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  model.eval();
  return model;
}

/** The run folder a checkpoint belongs to: the parent of its checkpoints/ folder, else its own folder. */
export function runFolderOf(checkpoint: string): string {
  const dir = path.dirname(path.resolve(checkpoint));
  return path.basename(dir) === 'checkpoints' ? path.dirname(dir) : dir;
}
