/**
 * A training run's folder, the one owner of its file names and layout:
 *
 * ```
 * <run>/checkpoints/step_00000120.safetensors   checkpoints, newest kept (rotation by step number)
 * <run>/checkpoints/best.safetensors            a copy of the one whose evaluation was best (never rotated)
 * <run>/metrics.jsonl                           one JSON record per line: {kind: 'train'|'eval', step, ...}
 * ```
 *
 * A resumed run first cuts metrics.jsonl back to what its checkpoint had seen (so each step's
 * records appear once) and removes the temporaries of writes a kill interrupted.
 *
 * and of how the ACT carry is stored in a checkpoint (tensors `carry.<name>`), so a resumed run
 * continues with the rows exactly where they were, and the trained weights of a run with EMA
 * (tensors `trained.<parameter>`: its checkpoints' model is the average).
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointContents, saveCheckpoint } from '../checkpoint/state-file';
import { Device } from '../tensor/dtype';
import { Tensor } from '../tensor/tensor';
import { HRMCarry, carryFromTensors, carryTensors } from '../models/hrm/carry';
import { copyFileAtomic, removeStaleTemporaries, writeFileAtomic } from '../util/atomic';
import { checkPath } from '../util/path';
import { checkObject } from '../util/errors';

/** The folder of a run that holds its checkpoints. */
export const CHECKPOINT_DIR = 'checkpoints';
/** The run's metrics log (JSON lines). */
export const METRICS_FILE = 'metrics.jsonl';

/**
 * The copy of the checkpoint whose evaluation was the run's best, in the checkpoints folder: its
 * name is not a step's, so rotation and resume never see it.
 */
export const BEST_CHECKPOINT_FILE = 'best.safetensors';

const CHECKPOINT_NAME = /^step_(\d+)\.safetensors$/;
const CARRY_PREFIX = 'carry.';
const TRAINED_PREFIX = 'trained.';

/** One line of metrics.jsonl. */
export interface MetricsRecord {
  /** a training step or an evaluation */
  kind: 'train' | 'eval';
  /** the optimizer step it belongs to */
  step: number;
  /** the metrics (and, for evaluations, the set name) */
  [key: string]: unknown;
}

/** The file name of the checkpoint of `step`: step_<8-digit step>.safetensors. */
export function checkpointFileName(step: number): string {
  return `step_${String(step).padStart(8, '0')}.safetensors`;
}

/** The step a checkpoint file name stands for, or undefined when it is not a checkpoint's name. */
export function checkpointStep(file: string): number | undefined {
  checkPath(file, 'checkpointStep(): file');
  const m = CHECKPOINT_NAME.exec(path.basename(file));
  return m ? Number(m[1]) : undefined;
}

/** The checkpoints in a checkpoints folder, newest (highest step) first; [] when there is no folder. */
export function listCheckpoints(checkpointDir: string): string[] {
  checkPath(checkpointDir, 'listCheckpoints(): checkpointDir');
  if (!fs.existsSync(checkpointDir)) return [];
  return fs
    .readdirSync(checkpointDir)
    .map((name) => ({ name, step: checkpointStep(name) }))
    .filter((c): c is { name: string; step: number } => c.step !== undefined)
    .sort((a, b) => b.step - a.step)
    .map((c) => path.join(checkpointDir, c.name));
}

/**
 * The newest checkpoint of a run folder (its checkpoints/ folder) or of a checkpoints folder
 * itself; undefined when there is none.
 */
export function newestCheckpoint(dir: string): string | undefined {
  checkPath(dir, 'newestCheckpoint(): dir');
  const sub = path.join(dir, CHECKPOINT_DIR);
  return listCheckpoints(fs.existsSync(sub) ? sub : dir)[0];
}

/**
 * The best checkpoint of a run folder (or of a checkpoints folder itself), kept by the Trainer's
 * `keepBest`; undefined when there is none.
 */
export function bestCheckpoint(dir: string): string | undefined {
  checkPath(dir, 'bestCheckpoint(): dir');
  const sub = path.join(dir, CHECKPOINT_DIR);
  const file = path.join(fs.existsSync(sub) ? sub : dir, BEST_CHECKPOINT_FILE);
  return fs.existsSync(file) ? file : undefined;
}

/** The records of a metrics.jsonl file, in order; a line cut short by a crash is skipped. */
export function readMetrics(file: string): MetricsRecord[] {
  checkPath(file, 'readMetrics(): file');
  return readMetricLines(file).map((l) => l.record);
}

function readMetricLines(file: string): { line: string; record: MetricsRecord }[] {
  if (!fs.existsSync(file)) return [];
  const out: { line: string; record: MetricsRecord }[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push({ line, record: JSON.parse(line) as MetricsRecord });
    } catch {
      // a line cut by a crash
    }
  }
  return out;
}

/** The carry as checkpoint tensors (`carry.z_H`, ...); none without a carry. */
export function carryCheckpointTensors(carry: HRMCarry | undefined): Record<string, Tensor> {
  if (!carry) return {};
  return Object.fromEntries(Object.entries(carryTensors(carry)).map(([k, t]) => [CARRY_PREFIX + k, t]));
}

/**
 * The carry from a checkpoint's extra tensors, moved to `device`; undefined when the checkpoint
 * holds none. Takes ownership of every tensor in `tensors` (the carry's, and frees the rest).
 */
export function carryFromCheckpointTensors(tensors: Record<string, Tensor>, device: Device = 'cpu'): HRMCarry | undefined {
  const named: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(tensors)) {
    if (!k.startsWith(CARRY_PREFIX)) {
      t.dispose(); // not part of the carry, and owned here
      continue;
    }
    const moved = device === 'cpu' ? t : t.to(device);
    if (moved !== t) t.dispose();
    named[k.slice(CARRY_PREFIX.length)] = moved;
  }
  return carryFromTensors(named);
}

/** The trained weights of a run with EMA (by parameter name) as checkpoint tensors (`trained.<name>`); none for none. */
export function trainedWeightsCheckpointTensors(weights: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(weights).map(([k, t]) => [TRAINED_PREFIX + k, t]));
}

/**
 * Takes the trained weights of a run with EMA out of a checkpoint's extra tensors (they leave
 * `tensors`; the caller owns them), by parameter name; undefined when the checkpoint holds none.
 */
export function takeTrainedWeights(tensors: Record<string, Tensor>): Record<string, Tensor> | undefined {
  const out: Record<string, Tensor> = {};
  for (const k of Object.keys(tensors)) {
    if (!k.startsWith(TRAINED_PREFIX)) continue;
    out[k.slice(TRAINED_PREFIX.length)] = tensors[k];
    delete tensors[k];
  }
  return Object.keys(out).length ? out : undefined;
}

/** The checkpoint {@link RunFolder.loadNewest} loaded, and what `load` returned for it. */
export interface LoadedFromRun<T> {
  /** the checkpoint file */
  file: string;
  /** what `load` returned */
  value: T;
}

/** A run's folder: where its checkpoints and metrics go, their names, rotation and truncation. */
export class RunFolder {
  /**
   * A run folder (created on the first write).
   * @param dir the run folder
   */
  constructor(readonly dir: string) {
    checkPath(dir, 'RunFolder: dir');
  }

  /** <run>/checkpoints */
  get checkpointDir(): string {
    return path.join(this.dir, CHECKPOINT_DIR);
  }

  /** <run>/metrics.jsonl */
  get metricsFile(): string {
    return path.join(this.dir, METRICS_FILE);
  }

  /** The path of the checkpoint of `step`. */
  checkpointPath(step: number): string {
    return path.join(this.checkpointDir, checkpointFileName(step));
  }

  /** <run>/checkpoints/best.safetensors */
  get bestCheckpointPath(): string {
    return path.join(this.checkpointDir, BEST_CHECKPOINT_FILE);
  }

  /** Copies a checkpoint of this run to {@link bestCheckpointPath} (atomically: the old best stays until the copy is whole); returns that path. */
  keepAsBest(checkpoint: string): string {
    checkPath(checkpoint, 'RunFolder.keepAsBest(): checkpoint');
    copyFileAtomic(checkpoint, this.bestCheckpointPath);
    return this.bestCheckpointPath;
  }

  /** Checkpoint files, newest first (by step number). */
  listCheckpoints(): string[] {
    return listCheckpoints(this.checkpointDir);
  }

  /**
   * Writes the checkpoint of `contents.step` (atomically), then removes all but the newest
   * `keep`: older ones go only after the new one is complete, and the new one never goes (a
   * checkpoint of a later step, which a run only has when it did not resume from its newest, is
   * left alone). Returns its path.
   */
  saveCheckpoint(contents: CheckpointContents, keep: number): string {
    checkObject(contents, 'RunFolder.saveCheckpoint(): contents', 'checkpoint contents {model, step, ...}');
    const file = this.checkpointPath(contents.step);
    saveCheckpoint(file, contents);
    this.rotateCheckpoints(keep, contents.step);
    return file;
  }

  /**
   * Removes every checkpoint but the newest `keep` (by step number); with `upToStep`, only
   * checkpoints of that step or earlier count (and go). Returns the removed paths.
   */
  rotateCheckpoints(keep: number, upToStep = Infinity): string[] {
    const old = this.listCheckpoints()
      .filter((f) => checkpointStep(f)! <= upToStep)
      .slice(Math.max(0, keep));
    for (const file of old) fs.rmSync(file, { force: true });
    return old;
  }

  /** Removes the temporaries that writes interrupted by a kill left in the run and checkpoints folders; returns their paths. */
  removeStaleTemporaries(): string[] {
    return [...removeStaleTemporaries(this.dir), ...removeStaleTemporaries(this.checkpointDir)];
  }

  /**
   * Calls `load` on each checkpoint, newest first, until one loads; a damaged one is reported to
   * `onSkip` and the next older one tried. Undefined when none loads.
   */
  loadNewest<T>(load: (file: string) => T, onSkip: (file: string, error: Error) => void): LoadedFromRun<T> | undefined {
    for (const file of this.listCheckpoints()) {
      try {
        return { file, value: load(file) };
      } catch (e) {
        onSkip(file, e as Error);
      }
    }
    return undefined;
  }

  /** Appends one record to metrics.jsonl. */
  appendMetrics(record: MetricsRecord): void {
    fs.mkdirSync(this.dir, { recursive: true });
    fs.appendFileSync(this.metricsFile, JSON.stringify(record) + '\n');
  }

  /** The records of metrics.jsonl. */
  readMetrics(): MetricsRecord[] {
    return readMetrics(this.metricsFile);
  }

  /**
   * Keeps only the complete records up to `step` (a resumed run rewrites what came after). The
   * evaluation records of `step` itself are kept only when `evaluatedAtStep` says the checkpoint
   * resumed from was saved after that evaluation (else the resumed run evaluates again, and the
   * records of a kill between an evaluation and its checkpoint would appear twice).
   */
  truncateMetrics(step: number, evaluatedAtStep = true): void {
    if (!fs.existsSync(this.metricsFile)) return;
    const keep = readMetricLines(this.metricsFile).filter((l) => l.record.step < step || (l.record.step === step && (l.record.kind !== 'eval' || evaluatedAtStep)));
    writeFileAtomic(this.metricsFile, keep.map((l) => l.line + '\n').join(''));
  }
}
