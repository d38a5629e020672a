#!/usr/bin/env bash
# The CUDA check, run on the GPU machine (see ../shared/docs/gpu-checks.md):
#   source .gpu/env.sh && bash scripts/gpu-check.sh OUTDIR
# Builds the addon with plain cmake + ninja against the machine's torch (NCCL's nccl.h and the
# CUDA library headers from the NVIDIA wheels beside it; Gloo's headers from .gpu/gloo-include,
# which scripts/gpu-prepare.sh copies there), then runs the checks in dist/bench/gpu-check.js,
# the 1-GPU NCCL group check (dist/bench/nccl-check.js) and the op benchmark against PyTorch on
# the same machine. Results (JSON + logs) go to OUTDIR.
set -uo pipefail
out="${1:?usage: gpu-check.sh OUTDIR}"
mkdir -p "$out"
: "${TORCH_CMAKE_PREFIX:?source .gpu/env.sh first}"
nvidia-smi -L > "$out/gpu.txt" 2>&1
start=$(date +%s)
extra=()
[ -f .gpu/gloo-include/gloo/algorithm.h ] && extra+=(-DHRM_GLOO_INCLUDE_DIR="$PWD/.gpu/gloo-include")
# libnvrtc from the NVIDIA wheels beside torch, for a system toolkit that lacks it (torch's CMake config links it)
nvrtc=$(python3 -c "import glob, os, torch; print(next(iter(sorted(glob.glob(os.path.join(os.path.dirname(torch.__path__[0]), 'nvidia', '*', 'lib', 'libnvrtc.so*')))), ''))" 2>/dev/null)
[ -n "$nvrtc" ] && extra+=(-DCUDA_nvrtc_LIBRARY="$nvrtc" -DCUDA_NVRTC_LIB="$nvrtc")
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_CMAKE_PREFIX" "${extra[@]}" \
  -DNODE_API_HEADERS_DIR="$NODE_API_INC" -DNODE_ADDON_API_DIR="$NODE_ADDON_API_INC" > "$out/cmake.log" 2>&1 \
  && ninja -C build-gpu -j16 >> "$out/cmake.log" 2>&1 || { echo "BUILD FAILED"; tail -40 "$out/cmake.log"; exit 1; }
echo "addon built in $(( $(date +%s) - start )) s"
grep -E 'hrm-torch: (process groups|no gloo|no nccl)' "$out/cmake.log"
export HRM_TORCH_ADDON="$PWD/build-gpu/hrm_torch.node"
node dist/bench/gpu-check.js "$out" 2>&1 | tee "$out/gpu-check.log"
rc=${PIPESTATUS[0]}
# ---- NCCL: a process group of 1 rank on cuda:0, its collectives and a data-parallel Trainer run
# (skips, exit 0, where the build found no nccl.h)
node dist/bench/nccl-check.js "$out" 2>&1 | tee "$out/nccl-check.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
HRM_TORCH_PYTHON=python3 node dist/bench/ops.js --quick --python python3 --json "$out/ops-cpu.json" > "$out/ops-cpu.log" 2>&1 || true
tail -12 "$out/ops-cpu.log"
exit $rc
