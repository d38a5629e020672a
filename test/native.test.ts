/**
 * Loading the addon (src/native.ts): it happens on first native use only, so `hrm doctor` explains
 * a missing or broken addon and pure-JS work (building datasets) runs without one.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from './helpers/reference';

const root = path.resolve(__dirname, '..');
const builtCli = path.join(root, 'dist', 'src', 'cli', 'hrm.js');

/** A copy of the built package with no addon in it (dist/src, package.json, node_modules linked). */
function packageWithoutAddon(dir: string): string {
  const pkg = path.join(dir, 'pkg');
  fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  fs.cpSync(path.join(root, 'dist', 'src'), path.join(pkg, 'dist', 'src'), { recursive: true });
  for (const f of ['package.json', 'CMakeLists.txt']) fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  return pkg;
}

function hrm(cli: string, args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.HRM_TORCH_ADDON;
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...clean, ...env }, timeout: 120_000 });
}

const noStack = (s: string) => expect(s).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('the addon is loaded on first native use', () => {
  let dir: string;
  let cli: string;
  beforeAll(() => {
    dir = tmpDir('no-addon-');
    cli = path.join(packageWithoutAddon(dir), 'dist', 'src', 'cli', 'hrm.js');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('hrm doctor explains a package with no addon built (exit 1, no stack trace)', () => {
    const r = hrm(cli, ['doctor']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/addon\s+not built/);
    expect(r.stdout).toMatch(/load\s+FAILED: hrm-torch: the native addon is not built .*npm run build:native/);
    noStack(r.stdout + r.stderr);
  });

  test('hrm doctor names a HRM_TORCH_ADDON that does not exist', () => {
    const r = hrm(builtCli, ['doctor'], { HRM_TORCH_ADDON: path.join(dir, 'missing.node') });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/HRM_TORCH_ADDON is set to .*missing\.node, which does not exist/);
    noStack(r.stdout + r.stderr);
  });

  test('hrm doctor reports an addon file that fails to load', () => {
    const bad = path.join(dir, 'broken.node');
    fs.writeFileSync(bad, 'not a shared library');
    const r = hrm(builtCli, ['doctor'], { HRM_TORCH_ADDON: bad });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/loading the native addon .*broken\.node failed/);
    noStack(r.stdout + r.stderr);
  });

  test('hrm data builds Sudoku and maze datasets with no addon', () => {
    const sudoku = path.join(dir, 'sudoku4');
    const s = hrm(cli, ['data', 'sudoku', '--generate', '24', '--generate-test', '8', '--size', '4', '--output-dir', sudoku]);
    expect(s.stderr).not.toMatch(/addon/);
    expect(s.status).toBe(0);
    for (const split of ['train', 'test']) expect(fs.existsSync(path.join(sudoku, split, 'dataset.json'))).toBe(true);
    const stats = hrm(cli, ['data', 'stats', sudoku]);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/seq_len 16/);
    const maze = path.join(dir, 'maze8');
    const m = hrm(cli, ['data', 'maze', '--generate', '6', '--generate-test', '2', '--size', '8', '--output-dir', maze]);
    expect(m.status).toBe(0);
    expect(hrm(cli, ['data', 'stats', maze]).stdout).toMatch(/seq_len 64/);
  });
});
