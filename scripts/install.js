'use strict';
// npm install hook: build the addon unless a build for this libtorch already exists, or the user
// opted out (HRM_TORCH_SKIP_BUILD=1, for packaging steps that build later).
const path = require('path');
const { spawnSync } = require('child_process');

if (process.env.HRM_TORCH_SKIP_BUILD) {
  process.stderr.write('hrm-torch: HRM_TORCH_SKIP_BUILD is set, not building the native addon\n');
  process.exit(0);
}
const r = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
