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

test('bad input: an unknown option, stats of a missing folder; clear messages, no stack traces', () => {
  const x = run('data', 'maze', '--output-dir', path.join(scratch(), 'm'), '--bogus', '3');
  expect(x.status).toBe(2);
  expect(x.stderr).toMatch(/unknown option\(s\) --bogus/);
  const st = run('data', 'stats', path.join(scratch(), 'nothing-here'));
  expect(st.stderr).toMatch(/does not exist/);
  expect(st.stderr).not.toMatch(/\n\s+at /);
});
