/** Shared by the Sudoku tests: the staged CSVs, scratch folders and files, and one inline puzzle. */
import * as fs from 'fs';
import * as path from 'path';
import { haveSharedData, sharedDataPath } from '../../helpers/shared-data';
import { scratchFolders } from '../scratch';

export const DATA = sharedDataPath('sudoku');
export const haveData = haveSharedData('sudoku', 'magictour_top1465.csv');
export const describeWithData = (haveData ? describe : describe.skip) as jest.Describe;
export const csvPath = (name: string) => path.join(DATA, name);

/** A new scratch folder (removed after the test file). */
export const scratch = scratchFolders('hrm-sudoku-');

/** The first `rows` data rows of a staged CSV, written to a scratch file. */
export function headCsv(name: string, rows: number, dir = scratch()): string {
  const lines = fs.readFileSync(csvPath(name), 'utf8').split('\n');
  const out = path.join(dir, `head-${rows}-${name}`);
  fs.writeFileSync(out, lines.slice(0, rows + 1).join('\n') + '\n');
  return out;
}

export function writeCsv(lines: string[]): string {
  const f = path.join(scratch(), 'x.csv');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

export const row = (t: { questions: Uint8Array; cells: number }, i: number, which: 'questions' | 'answers' = 'questions') =>
  (t as unknown as Record<string, Uint8Array>)[which].subarray(i * t.cells, (i + 1) * t.cells);

// A 9x9 puzzle with its solution (first row of sudoku_extreme_sample.csv), inline so that the
// data-independent tests do not need the staged files.
export const Q = '5...27..9..41......1..5.3...92.6.8...5......66..7..29.8...7...2.......8...9..36..';
export const A = '583427169974136528216859374792364851351298746648715293865971432137642985429583617';
