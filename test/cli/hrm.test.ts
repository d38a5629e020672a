/** The `hrm` entry point (src/cli/hrm.ts): help, version and unknown commands, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { run } from './helpers';

test('help lists the commands; each command has its own help; --version is the package version', () => {
  expect(run('--help').stdout).toMatch(/train .*eval .*solve/s);
  expect(run('train', '--help').stdout).toMatch(/--task sudoku\|maze\|arc/);
  expect(run('--help').stdout).toMatch(/viz .*the first puzzles of a dataset/);
  expect(run('viz', '--help').stdout).toMatch(/hrm viz --checkpoint FILE\|RUN_DIR \[--best\] --data DIR \[--puzzles 8\]/);
  const v = run('--version');
  expect(v.status).toBe(0);
  expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version);
});

test('an unknown command exits with 2 and names it', () => {
  const unknown = run('bogus');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/unknown command 'bogus'/);
});

test('hrm --version and -v print the package version; hrm doctor --help and -h print its help', () => {
  const version = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  for (const flag of ['--version', '-v']) {
    const v = run(flag);
    expect([flag, v.status, v.stdout.trim()]).toEqual([flag, 0, version]);
  }
  for (const flag of ['--help', '-h']) {
    const h = run('doctor', flag);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^hrm doctor \[--trace\]/);
  }
});

test('an unknown command suggests the nearest one', () => {
  expect(run('trian').stderr).toMatch(/unknown command 'trian' \(did you mean 'train'\?\)/);
  expect(run('data', 'sudok').stderr).toMatch(/hrm data: unknown command 'sudok' \(did you mean 'sudoku'\?\)/);
});
