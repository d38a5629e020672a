/** `hrm analyze pr` (src/cli/analyze.ts) on a tiny trained run, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-analyze-');

test('analyze pr writes pr.json (trained and untrained, with the pooling) and pr.svg into the run folder', () => {
  const { out, data } = trainTinySudoku(scratch());
  const a = run('analyze', 'pr', '--checkpoint', out, '--data', data, '--puzzles', '12');
  expect(a.status).toBe(0);
  expect(a.stdout).toMatch(/trained\s+10 puzzles: PR\(z_H\) [\d.]+, PR\(z_L\) [\d.]+/);
  const result = JSON.parse(fs.readFileSync(path.join(out, 'analysis', 'pr.json'), 'utf8'));
  expect(result.trained.points.map((p: { puzzles: number }) => p.puzzles)).toEqual([10, 12]);
  expect(result.untrained.points).toHaveLength(2);
  expect(result.trained.pooling).toMatch(/per-token vectors/);
  expect(fs.readFileSync(path.join(out, 'analysis', 'pr.svg'), 'utf8')).toContain('>z_H, untrained</text>');
  const bad = run('analyze', 'prr', '--checkpoint', out, '--data', data);
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/hrm analyze: expected 'pr', got 'prr'/);
});
