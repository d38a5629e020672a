/** `hrm data` (src/cli/data.ts, data-builders.ts): building datasets and reading their stats, run as a user would. */
import * as path from 'path';
import { buildTinyArcData, run, scratchFolder, sudokuDataArgs } from './helpers';

const scratch = scratchFolder('cli-data-');

test('data sudoku generates 4x4 puzzles and prints each split', () => {
  const b = run(...sudokuDataArgs(path.join(scratch(), 'data')));
  expect(b.status).toBe(0);
  expect(b.stdout).toMatch(/train: seq_len 16, vocab 6/);
});

test('data arc builds from task folders with augmentations', () => {
  expect(buildTinyArcData(scratch()).build.status).toBe(0);
});

test('bad input: an unknown option, stats of a missing folder; clear messages, no stack traces', () => {
  const x = run('data', 'maze', '--output-dir', path.join(scratch(), 'm'), '--bogus', '3');
  expect(x.status).toBe(2);
  expect(x.stderr).toMatch(/unknown option\(s\) --bogus/);
  const st = run('data', 'stats', path.join(scratch(), 'nothing-here'));
  expect(st.stderr).toMatch(/does not exist/);
  expect(st.stderr).not.toMatch(/\n\s+at /);
});
