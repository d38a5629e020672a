/** `hrm data` (src/cli/data.ts, data-builders.ts): building datasets (complete or absent, replaced only with --overwrite, Ctrl-C safe) and reading their stats, run as a user would. */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readIdentifiers } from '../../src/data/format';
import { folderSnapshot } from '../helpers/files';
import { generateSudoku, writeSudokuCsv } from '../../src/data/sudoku';
import { buildTinyArcData, hrm, run, scratchFolder, sudokuDataArgs } from './helpers';

const scratch = scratchFolder('cli-data-');

test('data sudoku generates 4x4 puzzles and prints each split', () => {
  const b = run(...sudokuDataArgs(path.join(scratch(), 'data')));
  expect(b.status).toBe(0);
  expect(b.stdout).toMatch(/train: seq_len 16, vocab 6/);
});

test('data sudoku --input without --size reads the board size from the first puzzle; a size it cannot infer is refused', () => {
  const csv = path.join(scratch(), 'four.csv');
  writeSudokuCsv(csv, Array.from({ length: 6 }, (_, i) => {
    const g = generateSudoku({ box: { rows: 2, cols: 2 }, seed: i });
    return { source: 'four', question: g.puzzle, answer: g.solution, rating: g.rating };
  }));
  const b = run('data', 'sudoku', '--input', csv, '--output-dir', path.join(scratch(), 'four'));
  expect([b.status, b.stderr]).toEqual([0, expect.any(String)]);
  expect(b.stdout).toMatch(/train: seq_len 16, vocab 6/);
  const odd = path.join(scratch(), 'five.csv');
  fs.writeFileSync(odd, `source,question,answer,rating\nodd,${'.'.repeat(25)},${'1'.repeat(25)},0\n`);
  const r = run('data', 'sudoku', '--input', odd, '--output-dir', path.join(scratch(), 'five'));
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`${odd}:2: question has 25 characters, expected 81 (or 16 / 36 for 4x4 / 6x6 boards`);
  expect(fs.existsSync(path.join(scratch(), 'five'))).toBe(false);
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

describe('hrm data: a dataset is complete or absent, and an existing one is replaced only with --overwrite', () => {
  /** An ARC source of 40 linked training tasks: with --num-aug 300 its build takes seconds. */
  function slowArcSource(): string {
    const src = path.join(scratch(), 'arc-slow-src', 'training');
    if (!fs.existsSync(src)) {
      fs.mkdirSync(src, { recursive: true });
      const arc = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'arc', 'arc-agi-1', 'training');
      for (const f of fs.readdirSync(arc).sort().slice(0, 40)) fs.symlinkSync(path.join(arc, f), path.join(src, f));
    }
    return path.dirname(src);
  }

  /** Starts `hrm data arc` on the slow source; resolves once its partial folder exists. */
  async function startSlowArcBuild(out: string, ...extra: string[]): Promise<{ child: ChildProcess; partial: string; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> }> {
    const child = spawn(process.execPath, [hrm, 'data', 'arc', '--dataset-dirs', slowArcSource(), '--num-aug', '300', '--output-dir', out, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.resume();
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) => child.on('close', (code, signal) => r({ code, signal, stderr })));
    const partial = `${path.resolve(out)}.partial-${child.pid}`;
    for (let i = 0; i < 400 && !fs.existsSync(path.join(partial, 'train')); i++) await new Promise((r) => setTimeout(r, 25));
    if (!fs.existsSync(partial)) throw new Error(`the build never started its partial folder: ${stderr}`);
    return { child, partial, done };
  }

  test('Ctrl-C (SIGINT) during a build removes its partial folder (temporary .npy files included) and leaves no output folder; exit 130', async () => {
    const out = path.join(scratch(), 'arc-interrupted');
    const { child, partial, done } = await startSlowArcBuild(out);
    child.kill('SIGINT');
    const { code, stderr } = await done;
    expect(code).toBe(130);
    expect(stderr).toContain(`hrm data arc: interrupted (SIGINT); removed the partial build ${partial}; ${out} is as it was before the build`);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  }, 60000);

  test('SIGTERM during an --overwrite build leaves the earlier dataset exactly as it was; exit 143', async () => {
    const { data } = buildTinyArcData(path.join(scratch(), 'arc-kept')); // built by the CLI, a small dataset
    const before = folderSnapshot(data);
    const { child, partial, done } = await startSlowArcBuild(data, '--overwrite');
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    expect(code).toBe(143);
    expect(stderr).toMatch(/interrupted \(SIGTERM\)/);
    expect(fs.existsSync(partial)).toBe(false);
    expect(folderSnapshot(data)).toEqual(before);
  }, 60000);

  test('a build killed outright (SIGKILL) leaves a partial folder that the next build of that folder removes', async () => {
    const out = path.join(scratch(), 'arc-killed');
    const { child, partial, done } = await startSlowArcBuild(out);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    expect(fs.existsSync(partial)).toBe(true);
    expect(fs.existsSync(out)).toBe(false);
    const again = run(...sudokuDataArgs(out, 8, 2));
    expect(again.status).toBe(0);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.readdirSync(path.dirname(out)).filter((n) => n.startsWith('arc-killed'))).toEqual(['arc-killed']);
  }, 60000);

  test('hrm data sudoku --generate 10 into a folder that holds a dataset is refused unless --overwrite; --overwrite keeps no stale test/', () => {
    const out = path.join(scratch(), 'sudoku-2000');
    expect(run(...sudokuDataArgs(out, 200, 20)).status).toBe(0);
    const before = folderSnapshot(out);
    const refused = run('data', 'sudoku', '--generate', '10', '--size', '4', '--output-dir', out);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`hrm: ${out} already holds a dataset (identifiers.json, source, test, train); pass --overwrite to replace it\n`);
    expect(folderSnapshot(out)).toEqual(before);
    // The same for maze and ARC, in the CLI's words.
    for (const args of [['maze', '--generate', '2'], ['arc', '--dataset-dirs', slowArcSource()]]) {
      const other = run('data', ...args, '--output-dir', out);
      expect([other.status, other.stderr]).toEqual([2, `hrm: ${out} already holds a dataset (identifiers.json, source, test, train); pass --overwrite to replace it\n`]);
    }
    expect(folderSnapshot(out)).toEqual(before);
    // Rebuilt from its own source CSV (read before the folder is replaced), without a test split: no test/ survives.
    const source = path.join(scratch(), 'train-200.csv');
    fs.copyFileSync(path.join(out, 'source', 'train.csv'), source);
    const replaced = run('data', 'sudoku', '--input', source, '--size', '4', '--output-dir', out, '--overwrite');
    expect(replaced.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['identifiers.json', 'train']);
    expect(replaced.stdout).toMatch(/train: .*groups 200,/);
  });

  test('hrm data sudoku --generate -5 (or 0) and a header-only CSV are refused; nothing is built', () => {
    const out = path.join(scratch(), 'empty-ds');
    for (const n of ['-5', '0']) {
      const r = run('data', 'sudoku', '--generate', n, '--size', '4', '--output-dir', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`hrm: --generate must be an integer >= 1, got ${n}\n`);
    }
    const m = run('data', 'maze', '--generate', '-5', '--output-dir', out);
    expect(m.stderr).toBe('hrm: --generate must be an integer >= 1, got -5\n');
    const header = path.join(scratch(), 'header-only.csv');
    fs.writeFileSync(header, 'source,question,answer,rating\n');
    const h = run('data', 'sudoku', '--input', header, '--output-dir', out);
    expect(h.status).toBe(1);
    expect(h.stderr).toBe(`hrm: buildSudokuDataset: the training CSV(s) ${header} hold no puzzles; a split needs at least one\n`);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(scratch()).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});
