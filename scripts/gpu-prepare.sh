#!/usr/bin/env bash
# Prepares what scripts/gpu-check.sh needs on the GPU machine (no Node.js, npm or network there):
# .gpu/ from ../shared/tools/gpu-pack.sh (node, the N-API headers, env.sh), the gloo headers in
# .gpu/gloo-include (Debian's libgloo-dev, so the GPU build has Gloo beside NCCL), and dist/.
# Then run there, carrying .gpu and dist:  source .gpu/env.sh && bash scripts/gpu-check.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
bash ../shared/tools/gpu-pack.sh
if [ -f /usr/include/gloo/algorithm.h ]; then
  rm -rf .gpu/gloo-include && mkdir -p .gpu/gloo-include && cp -r /usr/include/gloo .gpu/gloo-include/
else
  echo "gpu-prepare: no /usr/include/gloo (apt-get install libgloo-dev): the GPU build will have NCCL only"
fi
npx tsc -p tsconfig.build.json
du -sh .gpu dist
