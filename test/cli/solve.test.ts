/** `hrm solve` (src/cli/solve.ts): one puzzle through a tiny trained run, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-solve-');

test('solve with a run folder uses its newest checkpoint and prints the answer and halting confidence', () => {
  const { out } = trainTinySudoku(scratch());
  const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...'); // a run folder: its newest checkpoint
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/answer after [12] step\(s\), halting confidence/);
});

test('solve --html writes the reasoning page: one frame per inner update and per step', () => {
  const dir = scratch();
  const { out } = trainTinySudoku(dir);
  const page = path.join(dir, 'reasoning.html');
  const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...', '--html', page);
  expect(s.status).toBe(0);
  expect(s.stdout).toContain(`reasoning page: ${page}`);
  const html = fs.readFileSync(page, 'utf8');
  const steps = Number(/answer after (\d+) step/.exec(s.stdout)![1]);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).model as { hCycles: number; lCycles: number };
  // Each step shows its inner updates (hCycles x (lCycles + 1), the last being the step itself).
  expect((html.match(/<div class="frame" /g) ?? []).length).toBe(steps * config.hCycles * (config.lCycles + 1));
  expect((html.match(/<div class="thumb/g) ?? []).length).toBe(steps);
});
