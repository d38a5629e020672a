/** `hrm solve` (src/cli/solve.ts): one puzzle through a tiny trained run, run as a user would. */
import { run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-solve-');

test('solve with a run folder uses its newest checkpoint and prints the answer and halting confidence', () => {
  const { out } = trainTinySudoku(scratch());
  const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...'); // a run folder: its newest checkpoint
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/answer after [12] step\(s\), halting confidence/);
});
