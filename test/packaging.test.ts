/**
 * The package as a user gets it: what `npm pack` ships (everything the shipped files need, no
 * source maps of unshipped sources, no developer paths in the README), the examples run through
 * `hrm example`, and an addon that still loads when the project folder moves (its RUNPATH is
 * relative to the addon when libtorch lies inside the package).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { addonPath, buildRecord, packageRoot } from '../src/native';
import { tmpDir } from './helpers/reference';

const hrm = path.join(packageRoot, 'dist', 'src', 'cli', 'hrm.js');
const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8'));

/** The paths `npm pack` would put in the tarball (dist/ as built now). */
function packedFiles(): Set<string> {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm pack --dry-run failed (${r.status}): ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return new Set(info.files.map((f) => f.path));
}

describe('the packed files', () => {
  let files: Set<string>;
  beforeAll(() => {
    files = packedFiles();
  });

  test('hold the entry points, the install scripts and what they load, and the native sources', () => {
    const wanted = [pkg.main, pkg.types, ...Object.values(pkg.bin as Record<string, string>), pkg.exports['.'].default, pkg.exports['.'].types, 'CMakeLists.txt'];
    const install = /^node (\S+)$/.exec(pkg.scripts.install);
    expect(install).not.toBeNull();
    wanted.push(install![1]);
    for (const f of [...files].filter((f) => f.startsWith('scripts/'))) {
      for (const m of fs.readFileSync(path.join(packageRoot, f), 'utf8').matchAll(/require\('\.\/([\w-]+)'\)|path\.join\(__dirname, '([\w-]+\.js)'\)/g)) {
        wanted.push(`scripts/${(m[1] ?? m[2]).replace(/\.js$/, '')}.js`);
      }
    }
    const cmake = fs.readFileSync(path.join(packageRoot, 'CMakeLists.txt'), 'utf8');
    for (const m of cmake.matchAll(/^\s+(native\/\S+\.cpp)$/gm)) wanted.push(m[1]);
    expect(wanted.length).toBeGreaterThan(10);
    expect(wanted.map((f) => f.replace(/^\.\//, '')).filter((f) => !files.has(f))).toEqual([]);
  });

  test('ship no source maps (the TypeScript sources are not shipped) and no development-only scripts', () => {
    expect([...files].filter((f) => f.endsWith('.map'))).toEqual([]);
    expect([...files].filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('dist/bench/'))).toEqual([]);
    // A shipped script may refer to dist/ only where that is shipped too.
    for (const f of [...files].filter((f) => f.startsWith('scripts/'))) {
      for (const m of fs.readFileSync(path.join(packageRoot, f), 'utf8').matchAll(/dist\/[\w./-]+\.js/g)) expect(files.has(m[0])).toBe(true);
    }
  });

  test('hold every example `hrm example` runs, and the README a package user reads has no developer paths', () => {
    const list = spawnSync(process.execPath, [hrm, 'example', '--help'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    const names = [...list.stdout.matchAll(/^ {2}(?:example )?(\w+) {2,}/gm)].map((m) => m[1]);
    expect(names).toEqual(expect.arrayContaining(['demo', 'sudoku', 'maze', 'arc', 'custom', 'addition']));
    for (const name of names) {
      const help = spawnSync(process.execPath, [hrm, 'example', name, '--help'], { encoding: 'utf8' });
      expect(help.status).toBe(0);
      const source = /^ {2}Source: (.+)$/m.exec(help.stdout);
      expect(source).not.toBeNull();
      expect(files.has(path.relative(packageRoot, source![1]).split(path.sep).join('/'))).toBe(true);
    }
    expect(files.has('README.md')).toBe(true);
    const readme = fs.readFileSync(path.join(packageRoot, 'README.md'), 'utf8');
    expect(readme.match(/(^|[\s`'"(=])\/(work|tmp|home|root|Users)\/\S*/gm) ?? []).toEqual([]);
  });
});

describe('hrm example', () => {
  test('bad input: an unknown example, stray words and options; exit code 2 and what was expected', () => {
    const unknown = spawnSync(process.execPath, [hrm, 'example', 'chess'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown example 'chess' \(expected one of demo, sudoku, maze, arc, custom, addition\)/);
    const words = spawnSync(process.execPath, [hrm, 'demo', 'extra'], { encoding: 'utf8' });
    expect(words.status).toBe(2);
    expect(words.stderr).toMatch(/hrm demo: takes no arguments, got extra/);
    const option = spawnSync(process.execPath, [hrm, 'example', 'addition', '--output', 'x'], { encoding: 'utf8' });
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/unknown option\(s\) --output/);
  });

  test("the examples' import of 'hrm-torch' resolves to this package (self-reference through its exports)", () => {
    const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require.resolve('hrm-torch'))"], { cwd: path.join(packageRoot, 'dist', 'examples', 'sudoku'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(path.join(packageRoot, 'dist', 'src', 'index.js'));
  });
});

describe('the addon in a moved project', () => {
  const addon = addonPath();
  const record = buildRecord();
  const built = Boolean(addon && fs.existsSync(addon) && !process.env.HRM_TORCH_ADDON && process.platform === 'linux');
  const runpathOf = (file: string): string | undefined => {
    const r = spawnSync('readelf', ['-d', file], { encoding: 'utf8' });
    if (r.error) throw new Error(`readelf is needed to check the RUNPATH (${r.error.message})`);
    return /\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]/.exec(r.stdout)?.[1];
  };
  const libInsidePackage = Boolean(record.libtorchDir && !path.relative(packageRoot, record.libtorchDir).startsWith('..'));

  (built ? test : test.skip)('its RUNPATH is $ORIGIN-relative when libtorch is inside the package, absolute otherwise, and as recorded', () => {
    const runpath = runpathOf(addon!);
    expect(runpath).toBe(record.runpath);
    if (libInsidePackage) {
      expect(runpath).toMatch(/^\$ORIGIN\//);
      expect(path.resolve(path.dirname(addon!), runpath!.slice('$ORIGIN/'.length))).toBe(record.libtorchDir);
    } else {
      expect(runpath).toBe(record.libtorchDir);
    }
  });

  // A copy of the project's small parts; its .venv links to the real one (no gigabyte copies), so
  // the loader's search path shows whether the copy's own folder was searched.
  (built && libInsidePackage ? test : test.skip)('loads from a copy of the project folder, finding libtorch through the copy', () => {
    const dir = tmpDir('hrm-moved-');
    try {
      const proj = path.join(dir, 'moved-project');
      const rel = path.relative(packageRoot, path.dirname(addon!));
      fs.mkdirSync(path.join(proj, rel), { recursive: true });
      for (const f of ['package.json', 'CMakeLists.txt']) fs.copyFileSync(path.join(packageRoot, f), path.join(proj, f));
      fs.cpSync(path.join(packageRoot, 'dist', 'src'), path.join(proj, 'dist', 'src'), { recursive: true });
      for (const f of fs.readdirSync(path.dirname(addon!))) fs.copyFileSync(path.join(path.dirname(addon!), f), path.join(proj, rel, f));
      fs.symlinkSync(fs.realpathSync(path.join(packageRoot, 'node_modules')), path.join(proj, 'node_modules'));
      const venvRel = path.relative(packageRoot, record.libtorchDir!).split(path.sep)[0];
      fs.symlinkSync(fs.realpathSync(path.join(packageRoot, venvRel)), path.join(proj, venvRel));
      const code = "const ht = require('./dist/src'); process.stdout.write(JSON.stringify({ sum: ht.ones([2, 3]).sum().item(), dir: require('./dist/src/native').buildRecord().libtorchDir }))";
      const r = spawnSync(process.execPath, ['-e', code], { cwd: proj, encoding: 'utf8', env: { ...process.env, LD_DEBUG: 'libs' }, maxBuffer: 64 << 20 });
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout) as { sum: number; dir: string };
      expect(out.sum).toBe(6);
      expect(out.dir).toBe(path.join(proj, path.relative(packageRoot, record.libtorchDir!)));
      // The dynamic loader looked for libtorch in the copy's folder, through the addon's RUNPATH.
      const searched = [...r.stderr.matchAll(/search path=(\S+)\s+\(RUNPATH from file (\S+)\)/g)].filter((m) => m[2].endsWith('.node'));
      expect(searched.length).toBeGreaterThan(0);
      for (const m of searched) expect(m[1].split(':').map((d) => path.resolve(d))).toContain(out.dir); // after glibc-hwcaps/ subfolders of it
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
