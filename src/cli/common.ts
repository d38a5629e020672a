/**
 * What the `hrm` commands share: the shape of a command, the package version, finding a
 * dataset split and a checkpoint from what the user typed.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { METADATA_FILE, isDatasetSplit } from '../data/format';
import { packageRoot } from '../native';
import { newestCheckpoint } from '../train/run-folder';
import { invalidArgument } from '../util/errors';
import { ParsedArgs } from './args';

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

/** A checkpoint file, or the newest checkpoint of a run folder (or of its checkpoints/ folder). */
export function resolveCheckpoint(p: string): string {
  if (!fs.existsSync(p)) throw invalidArgument(`--checkpoint: ${p} does not exist`);
  if (!fs.statSync(p).isDirectory()) return p;
  const newest = newestCheckpoint(p);
  if (!newest) throw invalidArgument(`--checkpoint: no checkpoint (step_*.safetensors) in ${p}`);
  return newest;
}

/** The run folder a checkpoint belongs to: the parent of its checkpoints/ folder, else its own folder. */
export function runFolderOf(checkpoint: string): string {
  const dir = path.dirname(path.resolve(checkpoint));
  return path.basename(dir) === 'checkpoints' ? path.dirname(dir) : dir;
}
