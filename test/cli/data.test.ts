/** `hrm data` (src/cli/data.ts, data-builders.ts): building datasets and reading their stats, run as a user would. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readIdentifiers } from '../../src/data/format';
import { buildTinyArcData, hrm, run, scratchFolder, sudokuDataArgs } from './helpers';

const scratch = scratchFolder('cli-data-');

test('data sudoku generates 4x4 puzzles and prints each split', () => {
  const b = run(...sudokuDataArgs(path.join(scratch(), 'data')));
  expect(b.status).toBe(0);
  expect(b.stdout).toMatch(/train: seq_len 16, vocab 6/);
});

test('data arc builds from task folders with augmentations', () => {
  expect(buildTinyArcData(scratch()).build.status).toBe(0);
});

test('data view draws the first groups of a split: ARC versions side by side with their names; metadata at the top', () => {
  const data = path.join(scratch(), 'arc-data'); // built by the test above
  const page = path.join(scratch(), 'arc-view.html');
  const v = run('data', 'view', data, '--split', 'test', '--count', '2', '--versions', '3', '--output', page);
  expect(v.status).toBe(0);
  expect(v.stdout).toContain(`dataset page: ${page}`);
  const html = fs.readFileSync(page, 'utf8');
  expect(html).toContain('arc-data · test split');
  expect(html).toContain('data-key="seq_len">900</td>');
  expect(html.match(/<section class="group"/g)).toHaveLength(2);
  expect(html.match(/<div class="version"/g)).toHaveLength(6); // 1 + 2 augmentations per task, all shown
  const names = readIdentifiers(data)!;
  const shown = [...html.matchAll(/<div class="version" data-puzzle="\d+" data-identifier="(\d+)"><h3><b>([^<]+)<\/b>/g)];
  expect(shown).toHaveLength(6);
  for (const [, id, name] of shown) expect(name).toBe(names[Number(id)]);
});

test('data view of generated Sudoku writes ./<dataset>-<split>.html by default; --help; bad options', () => {
  const data = path.join(scratch(), 'data'); // built by the first test
  const cwd = scratch();
  const v = spawnSync(process.execPath, [hrm, 'data', 'view', data, '--count', '3'], { encoding: 'utf8', cwd });
  expect(v.status).toBe(0);
  const page = path.join(cwd, 'data-train.html');
  expect(fs.readFileSync(page, 'utf8').match(/<section class="group"/g)).toHaveLength(3);
  expect(run('data', 'view', '--help').stdout).toMatch(/hrm data view DIR \[--split train\|test\] \[--count 5\]/);
  expect(run('data', '--help').stdout).toMatch(/view\s+draw a split's first puzzles/);
  const bad = run('data', 'view', data, '--count', '0');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--count must be at least 1, got 0/);
  const missing = run('data', 'view', path.join(cwd, 'nothing'));
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/dataset\.json not found \(is .*nothing a built dataset\?\)/);
  const unknown = run('data', 'view', data, '--bogus', '1');
  expect(unknown.stderr).toMatch(/unknown option\(s\) --bogus/);
  for (const r of [bad, missing, unknown]) expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('data arc --canvas 10 keeps the tasks whose grids fit and says how many per folder', () => {
  // The first 3 tasks of each folder: training 007bbfb7 (largest side 9), 00d62c1b (20), 017c7c7b (9);
  // evaluation 00576224 (6), 009d5c81 (14), 00dbd492 (20).
  const { data, build } = buildTinyArcData(scratch(), '--canvas', '10', '--overwrite');
  expect(build.status).toBe(0);
  expect(build.stdout).toMatch(/canvas 10x10 \(seq_len 100\): 3 tasks kept, 3 dropped/);
  expect(build.stdout).toMatch(/evaluation: 1 of 3 kept, 2 dropped/);
  expect(build.stdout).toMatch(/training: 2 of 3 kept, 1 dropped/);
  expect(build.stdout).toMatch(/test: seq_len 100, vocab 12/);
  expect(JSON.parse(fs.readFileSync(path.join(data, 'test_puzzles.json'), 'utf8'))).toHaveProperty('00576224');
  const bad = run('data', 'arc', '--dataset-dirs', path.join(scratch(), 'arc-src'), '--output-dir', path.join(scratch(), 'bad'), '--canvas', '31');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/canvas must be an integer side length from 1 to 30.*got 31/);
  expect(bad.stderr).not.toMatch(/\n\s+at /);
});

test('bad input: an unknown option, stats of a missing folder; clear messages, no stack traces', () => {
  const x = run('data', 'maze', '--output-dir', path.join(scratch(), 'm'), '--bogus', '3');
  expect(x.status).toBe(2);
  expect(x.stderr).toMatch(/unknown option\(s\) --bogus/);
  const st = run('data', 'stats', path.join(scratch(), 'nothing-here'));
  expect(st.stderr).toMatch(/does not exist/);
  expect(st.stderr).not.toMatch(/\n\s+at /);
});
