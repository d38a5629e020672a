/**
 * The benchmark data staged read-only beside the repository (../shared/data: Sudoku, Maze-Hard
 * and ARC sources). Tests on it are skipped where it is missing, except under CI, where a missing
 * folder fails the test file (test/helpers/ci.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { requiredUnderCi } from './ci';

/** The shared data folder: ../shared/data from the repository root. */
export const SHARED_DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

/** `../shared/data/<parts...>`. */
export const sharedDataPath = (...parts: string[]): string => path.join(SHARED_DATA, ...parts);

/** Whether `../shared/data/<parts...>` exists; under CI a missing one throws. */
export function haveSharedData(...parts: string[]): boolean {
  const p = sharedDataPath(...parts);
  return requiredUnderCi(fs.existsSync(p), `${p} is missing (the benchmark data is expected in ../shared/data beside the repository)`);
}

/** `describe` where `../shared/data/<parts...>` exists, else `describe.skip` (under CI: throws). */
export const describeWithSharedData = (...parts: string[]): jest.Describe => (haveSharedData(...parts) ? describe : describe.skip) as jest.Describe;
