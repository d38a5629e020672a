'use strict';
// Builds the addon with cmake-js against the libtorch found (or provisioned) by libtorch.js, and
// records what it used in build/Release/hrm_torch.build.json (read by `hrm doctor` and the tests).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { findLibtorch, pythonForTests, ROOT } = require('./libtorch');

function main() {
  const { found, trace } = findLibtorch({ provision: true });
  if (!found) {
    process.stderr.write(
      '\nhrm-torch: no usable libtorch 2.x was found. Searched:\n' +
        trace.map((t) => `  - ${t}`).join('\n') +
        '\nFix one of: set LIBTORCH=/path/to/libtorch (unpacked), set Torch_DIR=<...>/share/cmake/Torch,\n' +
        "install torch for python3 ('python3 -m pip install torch'), or allow provisioning (unset HRM_TORCH_NO_PROVISION).\n",
    );
    process.exit(1);
  }
  process.stderr.write(`hrm-torch: building against libtorch ${found.version} from ${found.source}\n`);
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, 'compile', '--directory', ROOT, `--CDTorch_DIR=${found.torchDir}`, '--CDCMAKE_BUILD_TYPE=Release'];
  if (process.env.HRM_TORCH_BUILD_JOBS) args.push('--parallel', process.env.HRM_TORCH_BUILD_JOBS);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) process.exit(r.status || 1);
  const out = path.join(ROOT, 'build', 'Release', 'hrm_torch.build.json');
  fs.writeFileSync(out, JSON.stringify({ ...found, python: pythonForTests(found), trace, builtAt: new Date().toISOString() }, null, 2));
}

main();
