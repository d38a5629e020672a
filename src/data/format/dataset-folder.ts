/**
 * How a builder writes a dataset folder, the one owner of "a dataset is complete or absent":
 *
 * - the build goes into `<outputDir>.partial-<pid>` beside the target ({@link AtomicFolder}), which
 *   is renamed into place at the end, so an interrupted build leaves no `<outputDir>` at all (or the
 *   old one, untouched); partial folders that a killed build left are removed when the next build
 *   of the same folder starts, and `hrm data` removes its own on Ctrl-C;
 * - an existing dataset is replaced only when asked (`overwrite: true`, `hrm data ... --overwrite`),
 *   and then as a whole: nothing of the earlier build (a stale test/, say) survives;
 * - a folder holding anything a build does not write is never built over, so no user file is lost.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { AtomicFolder, FolderLeftovers, PARTIAL_FOLDER_MARKER, atomicTempOwner, cleanFolderLeftovers } from '../../util/atomic';
import { checkObject, checkFunction, describeValue, invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';

export type { FolderLeftovers } from '../../util/atomic';
import { ARC_AUGMENTATIONS_FILE, ARC_TEST_PUZZLES_FILE, CUSTOM_TASK_FILE, DATASET_SOURCE_DIR, IDENTIFIERS_FILE } from './dataset';

/** What the builders write at the top of a dataset folder: the splits, identifiers.json, ARC's files, a custom task's file, source/. */
export const DATASET_ENTRIES: readonly string[] = ['train', 'test', IDENTIFIERS_FILE, ARC_AUGMENTATIONS_FILE, ARC_TEST_PUZZLES_FILE, CUSTOM_TASK_FILE, DATASET_SOURCE_DIR];

/** Where and how a builder writes its dataset folder. */
export interface DatasetFolderOptions {
  /** the dataset folder */
  outputDir: string;
  /** replace a dataset already in outputDir (default false: refuse) */
  overwrite?: boolean;
  /** how the caller asks to overwrite, for the refusal (default 'pass overwrite: true') */
  overwriteHint?: string;
}

/**
 * Throws unless a build may write `outputDir`: it is absent or an empty folder, or holds a dataset
 * (only {@link DATASET_ENTRIES}) and `overwrite` is set. Call it before slow work (generation) to
 * fail early; {@link writeDatasetFolder} checks again.
 */
export function checkDatasetOutput(opts: DatasetFolderOptions): void {
  checkObject(opts, 'checkDatasetOutput(): opts', 'an object {outputDir, ...}');
  const { outputDir } = opts;
  if (typeof outputDir !== 'string' || outputDir === '') throw invalidArgument(`outputDir must be a folder path, got ${describeValue(outputDir)}`);
  const stat = fs.statSync(outputDir, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw invalidArgument(`${outputDir} is a file, not a folder; the dataset needs a folder of its own`);
  const names = fs.readdirSync(outputDir).sort();
  if (names.length === 0) return;
  const own = new Set([...DATASET_ENTRIES, PARTIAL_FOLDER_MARKER]);
  const foreign = names.filter((n) => !own.has(n) && atomicTempOwner(n) === undefined);
  if (foreign.length) {
    throw invalidArgument(
      `${outputDir} holds files no dataset build writes (${list(foreign)}); a build there would ${opts.overwrite ? 'delete' : 'mix with'} them: ` +
        'move them out, or give a new or empty folder',
    );
  }
  if (!opts.overwrite) throw invalidArgument(`${outputDir} already holds a dataset (${list(names)}); ${opts.overwriteHint ?? 'pass overwrite: true'} to replace it`);
}

const list = (names: string[]) => (names.length > 6 ? `${names.slice(0, 6).join(', ')}, ...` : names.join(', '));

/**
 * Builds a dataset folder: checks `outputDir` ({@link checkDatasetOutput}), calls `write` with an
 * empty partial folder to write everything into, then renames it into place (replacing an earlier
 * dataset when `overwrite` is set). When `write` throws, the partial folder is removed and
 * `outputDir` is left as it was. Returns what `write` returned.
 */
export function writeDatasetFolder<T>(opts: DatasetFolderOptions, write: (dir: string) => T): T {
  checkDatasetOutput(opts);
  checkFunction(write, 'writeDatasetFolder(): write');
  const folder = new AtomicFolder(opts.outputDir);
  try {
    const result = write(folder.dir);
    checkDatasetOutput(opts); // another process may have written there meanwhile
    folder.commit(opts.overwrite ?? false);
    return result;
  } catch (e) {
    folder.abort();
    throw e;
  }
}

/**
 * Removes the partial folder of this process's build of `outputDir` (and puts back an old dataset
 * that an interrupted replacement had moved aside): what `hrm data` does on Ctrl-C.
 */
export function abandonDatasetBuild(outputDir: string): FolderLeftovers {
  checkPath(outputDir, 'abandonDatasetBuild(): outputDir');
  return cleanFolderLeftovers(path.resolve(outputDir), (pid) => pid === process.pid);
}
