/**
 * Reading ARC task files and folders (hrm-spec 6.4): one JSON file per task, validated; the
 * subsets of dataset folders; and a task's grids in the builder's form.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { HrmError, hrmError, invalidArgument } from '../../util/errors';
import { Grid, parseGrid } from './grid';
import { ArcGrid, ArcPair, ArcSubset, ArcTask } from './types';
import { checkPath } from '../../util/path';

/** A task file that is not valid ARC JSON: code `CORRUPT_FILE`, naming the file. */
function taskError(file: string, what: string): HrmError {
  return hrmError('CORRUPT_FILE', `invalid ARC task file ${file}: ${what}`);
}

/** Reads and validates one task file. */
export function readArcTask(file: string): ArcTask {
  checkPath(file, 'readArcTask(): file');
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw taskError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw taskError(file, 'expected an object with "train" and "test" lists');
  const obj = data as Record<string, unknown>;
  // Quirk (datasets.md 1.1): 11 ARC-AGI-1 files carry a "name" key; the reference uses it as the
  // task name instead of the file stem (it always equals the stem in the staged data).
  let name = path.basename(file, path.extname(file));
  if ('name' in obj) {
    if (typeof obj.name !== 'string' || obj.name === '') throw taskError(file, `"name" must be a non-empty string, got ${JSON.stringify(obj.name)}`);
    name = obj.name;
  }
  const pairs = (key: 'train' | 'test'): ArcPair[] => {
    const list = obj[key];
    if (list === undefined) throw taskError(file, `missing the "${key}" list`);
    if (!Array.isArray(list)) throw taskError(file, `"${key}" must be a list of {"input", "output"} pairs`);
    return list.map((p: unknown, i) => {
      if (typeof p !== 'object' || p === null) throw taskError(file, `${key}[${i}] must be an object with "input" and "output"`);
      const pair = p as Record<string, unknown>;
      for (const io of ['input', 'output'] as const) {
        if (pair[io] === undefined) throw taskError(file, `${key}[${i}] has no "${io}" grid${key === 'test' && io === 'output' ? ' (test solutions are needed to build a dataset)' : ''}`);
        try {
          parseGrid(pair[io], () => `${key}[${i}].${io}`);
        } catch (e) {
          throw taskError(file, (e as Error).message);
        }
      }
      return { input: pair.input as ArcGrid, output: pair.output as ArcGrid };
    });
  };
  return { name, file, train: pairs('train'), test: pairs('test') };
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function jsonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name.endsWith('.json') && (e.isFile() || (e.isSymbolicLink() && isFile(path.join(dir, e.name)))))
    .map((e) => e.name)
    .sort();
}

/**
 * Lists the subsets of dataset folders. As in the reference, each immediate sub-folder of a
 * dataset folder is one subset (ARC-AGI `data/` -> training, evaluation; ConceptARC `corpus/` ->
 * one per concept). A folder that itself holds *.json files is taken as a single subset, so a
 * subset folder can be passed directly. Sub-folders and files are read in sorted order (the
 * reference's glob order is machine-dependent).
 */
export function readArcFolders(datasetDirs: string[]): ArcSubset[] {
  if (!Array.isArray(datasetDirs) || datasetDirs.length === 0) throw invalidArgument('datasetDirs must be a non-empty list of folders');
  const subsets: ArcSubset[] = [];
  for (const [i, dir] of datasetDirs.entries()) {
    checkPath(dir, `readArcFolders(): datasetDirs[${i}]`);
    if (!isDir(dir)) throw invalidArgument(`ARC dataset folder ${dir} does not exist or is not a folder`);
    const own = jsonFiles(dir);
    const dirs = own.length
      ? [dir]
      : fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(dir, e.name)))))
          .map((e) => path.join(dir, e.name))
          .sort();
    let found = 0;
    for (const sub of dirs) {
      const files = jsonFiles(sub);
      if (!files.length) continue;
      const name = path.basename(path.resolve(sub));
      // Split rule (hrm-spec 6.4): only a folder named exactly `evaluation` sends its test pairs to the test split.
      subsets.push({ dir: sub, name, evaluation: name === 'evaluation', tasks: files.map((f) => readArcTask(path.join(sub, f))) });
      found += files.length;
    }
    if (!found) throw invalidArgument(`no ARC task files (*.json) in ${dir} or its immediate sub-folders`);
  }
  return subsets;
}

/** A task of a build with its grids, as [input, output] pairs of each split. */
export interface ParsedTask {
  task: ArcTask;
  subset: ArcSubset;
  train: [Grid, Grid][];
  test: [Grid, Grid][];
}

/** A task's pairs as grids (errors name the task). */
export function parseTask(task: ArcTask): { train: [Grid, Grid][]; test: [Grid, Grid][] } {
  const conv = (pairs: ArcPair[], key: string) =>
    pairs.map((p, i): [Grid, Grid] => {
      try {
        return [parseGrid(p.input, () => `${key}[${i}].input`), parseGrid(p.output, () => `${key}[${i}].output`)];
      } catch (e) {
        throw invalidArgument(`task ${task.name}: ${(e as Error).message}`);
      }
    });
  return { train: conv(task.train, 'train'), test: conv(task.test, 'test') };
}
