'use strict';
// Finds the libtorch to build against, or provisions one.
//
// Order: LIBTORCH (an unpacked libtorch folder) -> Torch_DIR / CMAKE_PREFIX_PATH -> the Python
// of HRM_TORCH_PYTHON -> the virtual environment HRM_TORCH_VENV when set (one provisioned
// libtorch shared by several projects) -> the Python torch on PATH (torch.utils.cmake_prefix_path)
// -> the package's own .venv made earlier -> provision: `python3 -m pip install torch` into the
// virtual environment (HRM_TORCH_VENV, else <package>/.venv; a CPU-only build is preferred where
// no NVIDIA GPU is present and the index offers one). HRM_TORCH_NO_PROVISION=1 turns the last step
// off. Every step is recorded in `trace`, which `hrm doctor` prints.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..');

/**
 * The virtual environment searched and provisioned: HRM_TORCH_VENV (a leading ~ is the home
 * folder; a relative path is taken from the folder npm was run in), else <package>/.venv.
 * @param {NodeJS.ProcessEnv} [env]
 */
function venvDir(env = process.env) {
  const v = env.HRM_TORCH_VENV;
  if (!v) return path.join(ROOT, '.venv');
  const expanded = v === '~' || v.startsWith('~/') ? path.join(os.homedir(), v.slice(1)) : v;
  return path.resolve(env.INIT_CWD || process.cwd(), expanded);
}
const VENV = venvDir();
const SHARED_VENV = Boolean(process.env.HRM_TORCH_VENV);

/** `p` as shown to the user: relative (./...) when inside the package, else absolute. */
function shown(p) {
  const rel = path.relative(ROOT, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? `./${rel}` : p;
}
const SUPPORTED = { min: [2, 0], below: [3, 0] };

function versionOk(v) {
  const m = /^(\d+)\.(\d+)/.exec(v || '');
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const atLeast = major > SUPPORTED.min[0] || (major === SUPPORTED.min[0] && minor >= SUPPORTED.min[1]);
  return atLeast && major < SUPPORTED.below[0];
}

function readVersionFile(torchRoot) {
  // An unpacked libtorch has build-version; a Python wheel has version.py beside lib/.
  for (const f of ['build-version', 'version.txt']) {
    const p = path.join(torchRoot, f);
    if (fs.existsSync(p)) return fs.readFileSync(p, 'utf8').trim();
  }
  const py = path.join(torchRoot, 'version.py');
  if (fs.existsSync(py)) {
    const m = /__version__\s*=\s*['"]([^'"]+)['"]/.exec(fs.readFileSync(py, 'utf8'));
    if (m) return m[1];
  }
  return undefined;
}

function fromTorchDir(torchDir, source, trace) {
  const cfg = path.join(torchDir, 'TorchConfig.cmake');
  if (!fs.existsSync(cfg)) {
    trace.push(`${source}: no TorchConfig.cmake in ${torchDir}`);
    return undefined;
  }
  // <root>/share/cmake/Torch -> <root>
  const root = path.resolve(torchDir, '..', '..', '..');
  const version = readVersionFile(root);
  const libDir = path.join(root, 'lib');
  trace.push(`${source}: found TorchConfig.cmake in ${torchDir} (version ${version || 'unknown'})`);
  return { source, torchDir, cmakePrefix: path.resolve(torchDir, '..'), root, libDir, version };
}

function askPython(python, trace) {
  const code = [
    'import json, os, sys',
    'import torch, torch.utils',
    'print(json.dumps({"version": torch.__version__, "prefix": torch.utils.cmake_prefix_path,',
    ' "cxx11abi": bool(torch._C._GLIBCXX_USE_CXX11_ABI), "cuda": torch.version.cuda,',
    ' "python": sys.executable}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.error) {
    trace.push(`python ${python}: not runnable (${r.error.code || r.error.message})`);
    return undefined;
  }
  if (r.status !== 0) {
    const last = (r.stderr || '').trim().split('\n').pop();
    trace.push(`python ${python}: no torch (${last})`);
    return undefined;
  }
  try {
    const info = JSON.parse(r.stdout.trim().split('\n').pop());
    const found = fromTorchDir(path.join(info.prefix, 'Torch'), `python torch (${python})`, trace);
    if (!found) return undefined;
    return { ...found, version: info.version, python: info.python, cxx11Abi: info.cxx11abi, cuda: info.cuda };
  } catch (e) {
    trace.push(`python ${python}: unreadable answer (${e.message})`);
    return undefined;
  }
}

function hasNvidiaGpu() {
  if (fs.existsSync('/proc/driver/nvidia/gpus')) {
    try {
      return fs.readdirSync('/proc/driver/nvidia/gpus').length > 0;
    } catch {
      return false;
    }
  }
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8' });
  return !r.error && r.status === 0 && /GPU \d/.test(r.stdout);
}

function provision(trace, log) {
  const basePython = process.env.HRM_TORCH_BASE_PYTHON || 'python3';
  const venvPython = path.join(VENV, 'bin', 'python');
  log(`hrm-torch: no libtorch found; provisioning one with pip into ${shown(VENV)} (HRM_TORCH_NO_PROVISION=1 stops this; HRM_TORCH_VENV=<folder> shares one between projects)`);
  if (!fs.existsSync(venvPython)) {
    log(`hrm-torch: creating the virtual environment ${shown(VENV)} ...`);
    const r = spawnSync(basePython, ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (r.status !== 0) {
      trace.push(`provision: '${basePython} -m venv ${VENV}' failed`);
      return undefined;
    }
  }
  // Prefer a CPU-only wheel (about 200 MB instead of several GB) where no NVIDIA GPU is present.
  let spec = 'torch';
  if (!hasNvidiaGpu()) {
    const idx = spawnSync(venvPython, ['-m', 'pip', 'index', 'versions', 'torch'], { encoding: 'utf8' });
    const m = /Available versions:\s*(.*)/.exec(idx.stdout || '');
    const cpu = m && m[1].split(',').map((s) => s.trim()).find((v) => v.endsWith('+cpu') && versionOk(v));
    if (cpu) spec = `torch==${cpu}`;
    trace.push(`provision: no NVIDIA GPU; ${cpu ? `the index offers ${cpu}` : 'no +cpu build offered, taking the default'}`);
  }
  const pkgs = [spec, 'numpy', 'safetensors'];
  log(`hrm-torch: pip install ${pkgs.join(' ')} (a download of about 200 MB for a CPU build, several GB with CUDA; minutes) ...`);
  // Progress bars only where someone watches a terminal; in a log file they are noise.
  const bar = process.stdout.isTTY ? 'on' : 'off';
  const r = spawnSync(venvPython, ['-m', 'pip', 'install', '--progress-bar', bar, ...pkgs], { stdio: 'inherit' });
  if (r.status !== 0) {
    trace.push(`provision: pip install ${pkgs.join(' ')} failed (exit ${r.status})`);
    return undefined;
  }
  const found = askPython(venvPython, trace);
  if (found) found.source = `provisioned (${shown(VENV)})`;
  return found;
}

/**
 * @param {{ provision?: boolean, log?: (s: string) => void }} [opts]
 * @returns {{ found?: object, trace: string[] }}
 */
function findLibtorch(opts = {}) {
  const trace = [];
  const log = opts.log || ((s) => process.stderr.write(s + '\n'));
  const candidates = [];
  const check = (found) => {
    if (!found) return undefined;
    if (!versionOk(found.version) && !process.env.HRM_TORCH_SKIP_VERSION_CHECK) {
      trace.push(`${found.source}: version ${found.version} is outside the supported range 2.x (HRM_TORCH_SKIP_VERSION_CHECK=1 overrides)`);
      return undefined;
    }
    return found;
  };

  if (process.env.LIBTORCH) {
    const r = check(fromTorchDir(path.join(process.env.LIBTORCH, 'share', 'cmake', 'Torch'), 'LIBTORCH', trace));
    if (r) return { found: r, trace };
  } else trace.push('LIBTORCH: not set');

  if (process.env.Torch_DIR) {
    const r = check(fromTorchDir(process.env.Torch_DIR, 'Torch_DIR', trace));
    if (r) return { found: r, trace };
  } else trace.push('Torch_DIR: not set');

  if (process.env.CMAKE_PREFIX_PATH) {
    for (const p of process.env.CMAKE_PREFIX_PATH.split(path.delimiter).filter(Boolean)) {
      for (const sub of ['Torch', path.join('share', 'cmake', 'Torch')]) candidates.push([path.join(p, sub), `CMAKE_PREFIX_PATH (${p})`]);
    }
    for (const [dir, src] of candidates) {
      if (!fs.existsSync(dir)) continue;
      const r = check(fromTorchDir(dir, src, trace));
      if (r) return { found: r, trace };
    }
    trace.push('CMAKE_PREFIX_PATH: no Torch package below it');
  } else trace.push('CMAKE_PREFIX_PATH: not set');

  const fromVenv = () => {
    const label = SHARED_VENV ? 'HRM_TORCH_VENV' : 'project virtual environment';
    const venvPython = path.join(VENV, 'bin', 'python');
    if (!fs.existsSync(venvPython)) {
      trace.push(`${label}: ${VENV} does not exist${SHARED_VENV ? ' yet' : ''}`);
      return undefined;
    }
    const r = check(askPython(venvPython, trace));
    if (r) r.source = `${label} (${shown(VENV)})`;
    return r;
  };

  if (process.env.HRM_TORCH_PYTHON) {
    const r = check(askPython(process.env.HRM_TORCH_PYTHON, trace));
    if (r) return { found: r, trace };
  }
  // A virtual environment named explicitly comes before whatever Python is on PATH.
  if (SHARED_VENV) {
    const r = fromVenv();
    if (r) return { found: r, trace };
  }
  for (const py of ['python3', 'python']) {
    const r = check(askPython(py, trace));
    if (r) return { found: r, trace };
  }
  if (!SHARED_VENV) {
    const r = fromVenv();
    if (r) return { found: r, trace };
  }

  if (opts.provision === false || process.env.HRM_TORCH_NO_PROVISION) {
    trace.push('provision: disabled (HRM_TORCH_NO_PROVISION or provision=false)');
    return { trace };
  }
  const r = check(provision(trace, log));
  return r ? { found: r, trace } : { trace };
}

function pythonForTests(found) {
  // The Python that has torch (used by the tests to compute reference values).
  if (found && found.python) return found.python;
  const venvPython = path.join(VENV, 'bin', 'python');
  if (fs.existsSync(venvPython)) return venvPython;
  return undefined;
}

module.exports = { findLibtorch, pythonForTests, versionOk, venvDir, ROOT, VENV };

if (require.main === module) {
  const { found, trace } = findLibtorch({ provision: process.argv.includes('--provision') });
  console.log(JSON.stringify({ found, trace }, null, 2));
  process.exit(found ? 0 : 1);
}
