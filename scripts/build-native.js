'use strict';
// Builds the addon with cmake-js against the libtorch found (or provisioned) by libtorch.js, and
// records what it used in build/Release/hrm_torch.build.json (read by `hrm doctor` and the tests).
// Paths inside the package are recorded relative to that folder, so the record stays true when
// the project folder is moved (src/native.ts resolves them).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, pythonForTests, ROOT } = require('./libtorch');

const RECORD_DIR = path.join(ROOT, 'build', 'Release');
/** The path fields of a build record. */
const PATH_FIELDS = ['torchDir', 'cmakePrefix', 'root', 'libDir', 'python'];

/** `p` relative to the record's folder when it lies inside the package, else unchanged. */
function recorded(p) {
  if (typeof p !== 'string' || !path.isAbsolute(p)) return p;
  const fromRoot = path.relative(ROOT, p);
  if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) return p;
  return path.relative(RECORD_DIR, p);
}

function main() {
  const started = Date.now();
  const { found, trace } = findLibtorch({ provision: true });
  if (!found) {
    process.stderr.write(
      '\nhrm-torch: no usable libtorch 2.x was found. Searched:\n' +
        trace.map((t) => `  - ${t}`).join('\n') +
        '\nFix one of: set LIBTORCH=/path/to/libtorch (unpacked), set Torch_DIR=<...>/share/cmake/Torch,\n' +
        "install torch for python3 ('python3 -m pip install torch'), set HRM_TORCH_VENV to a virtual environment with torch,\n" +
        'or allow provisioning (unset HRM_TORCH_NO_PROVISION).\n',
    );
    process.exit(1);
  }
  process.stderr.write(`hrm-torch: compiling the addon against libtorch ${found.version} from ${found.source} (a minute or two) ...\n`);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, 'compile', '--directory', ROOT, `--CDTorch_DIR=${found.torchDir}`, '--CDCMAKE_BUILD_TYPE=Release'];
  if (process.env.HRM_TORCH_BUILD_JOBS) args.push('--parallel', process.env.HRM_TORCH_BUILD_JOBS);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) process.exit(r.status || 1);
  const record = { ...found, python: pythonForTests(found), trace, builtAt: new Date().toISOString() };
  for (const k of PATH_FIELDS) if (record[k] !== undefined) record[k] = recorded(record[k]);
  fs.writeFileSync(path.join(RECORD_DIR, 'hrm_torch.build.json'), JSON.stringify(record, null, 2));
  process.stderr.write(`hrm-torch: built build/Release/hrm_torch.node in ${Math.round((Date.now() - started) / 1000)} s\n`);
}

main();
