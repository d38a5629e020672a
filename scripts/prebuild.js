'use strict';
// Copies the built addon into prebuilds/<platform>-<arch>/ where node-gyp-build finds it
// (prebuildify cannot drive cmake-js). A prebuild is valid for exactly one libtorch version and
// variant (CPU or CUDA x.y): the JSON written beside it says which, and the loader checks it.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'build', 'Release');
const dst = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const addon = path.join(src, 'hrm_torch.node');
if (!fs.existsSync(addon)) {
  console.error('prebuild: build/Release/hrm_torch.node is missing; run `npm run build:native` first');
  process.exit(1);
}
fs.mkdirSync(dst, { recursive: true });
fs.copyFileSync(addon, path.join(dst, 'node.napi.node'));
for (const f of ['hrm_torch.json', 'hrm_torch.build.json']) {
  if (fs.existsSync(path.join(src, f))) fs.copyFileSync(path.join(src, f), path.join(dst, f));
}
console.log(`prebuild: wrote ${path.relative(root, dst)}/node.napi.node`);
