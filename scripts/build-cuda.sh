#!/usr/bin/env bash
# A CUDA build of the addon that compiles, links and loads on a machine without a GPU. Not part of
# `npm install` or CI; the CPU build (build/Release, .venv) is left as it is.
#
#   bash scripts/build-cuda.sh [--no-suite] [jest arguments...]
#
# 1. $HRM_CUDA_VENV (default .venv-cuda): the torch CUDA wheel ($HRM_CUDA_TORCH, default
#    torch==2.14.1) installed with --no-deps, since its metadata names packages an offline index
#    may lack (cuda-bindings; triton, which only torch.compile uses, is left out too), then the
#    NVIDIA wheels named in its METADATA (and in the cuda-toolkit extras it asks for), also
#    --no-deps, at exactly those versions; then its pure-Python dependencies, numpy, safetensors.
# 2. $HRM_CUDA_BUILD (default build-cuda): the addon built with cmake + ninja against it: nvcc and
#    the CUDA runtime from the system toolkit ($CUDA_HOME, default /usr/local/cuda), the cuBLAS,
#    cuSPARSE, cuSOLVER headers and the nccl.h of the NCCL the wheel was built for from the wheels.
#    Then the `hrm_nccl_check` target: c10d's ProcessGroupNCCL.hpp compiled, linked and run.
# 3. `hrm doctor` with HRM_TORCH_ADDON set to that addon.
# 4. The jest suite against it, with OMP_NUM_THREADS=1 (about 10 minutes on 2 idle cores; skipped
#    with --no-suite; jest arguments, such as test files, narrow it). The PyTorch reference the
#    numerical tests compare with is the CUDA venv's own torch (on the CPU), the libtorch the
#    addon runs on.
# pip's index: PIP_INDEX_ARGS when set, else the machine's offline index under /opt when there is
# one, else pip's own configuration. A compact summary is printed at the end; exit 1 if a step
# failed.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

suite=1
if [ "${1:-}" = "--no-suite" ]; then suite=0; shift; fi
venv="${HRM_CUDA_VENV:-.venv-cuda}"
build="${HRM_CUDA_BUILD:-build-cuda}"
torch_spec="${HRM_CUDA_TORCH:-torch==2.14.1}"
cuda_home="${CUDA_HOME:-/usr/local/cuda}"
jobs="${HRM_TORCH_BUILD_JOBS:-$(nproc)}"
export PIP_RETRIES="${PIP_RETRIES:-1}"
if [ -n "${PIP_INDEX_ARGS:-}" ]; then
  read -r -a pip_index <<< "$PIP_INDEX_ARGS"
elif [ -d /opt/pypi/simple ]; then
  pip_index=(--index-url file:///opt/pypi/simple --extra-index-url file:///opt/pypi-more/simple --find-links /opt/wheels)
else
  pip_index=()
fi
mkdir -p "$build"
log="$build/build-cuda.log"
: > "$log"
declare -A result
for k in venv compiled linked nccl loaded doctor suite; do result[$k]="not reached"; done
say() { echo "build-cuda: $*"; echo "== $*" >> "$log"; }
# pip's file:// index warns once per package that a folder-less location is ignored: noise.
pip_install() { "$venv/bin/python" -m pip install --progress-bar off --disable-pip-version-check "${pip_index[@]}" "$@" 2>&1 | grep -v 'is ignored: it is neither a file nor a directory' >> "$log"; return "${PIPESTATUS[0]}"; }

summary() {
  echo
  echo "== build-cuda summary ($(date -u +%Y-%m-%dT%H:%MZ))"
  for k in venv compiled linked nccl loaded doctor suite; do printf '%-9s %s\n' "$k" "${result[$k]}"; done
  echo "log: $log"
}
fail() { say "FAILED: $*"; summary; exit 1; }

# ---- 1. the CUDA venv
if [ ! -x "$venv/bin/python" ]; then
  avail_gb=$(df -BG --output=avail "$root" | tail -1 | tr -dc 0-9)
  [ "${avail_gb:-0}" -ge 8 ] || fail "the CUDA venv takes about 4.5 GB (and pip needs room to unpack); $root has ${avail_gb} GB free"
  say "creating $venv (df: ${avail_gb} GB free)"
  python3 -m venv "$venv" >> "$log" 2>&1 || fail "python3 -m venv $venv"
fi
say "pip install --no-deps $torch_spec (about 550 MB)"
pip_install --no-deps "$torch_spec" || fail "pip install $torch_spec (see $log)"
# The exact NVIDIA wheels torch names, directly or through the cuda-toolkit extras it asks for;
# the rest of its requirements (pure Python) apart; the ones it can run without, skipped.
reqs_py='
import importlib.metadata as md, sys
from pip._vendor.packaging.markers import default_environment
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
env = default_environment()
def applies(r, extra=""):
    return r.marker is None or r.marker.evaluate({**env, "extra": extra})
def spec(r):
    return f"{r.name}{r.specifier}"
nvidia, plain, skipped = {}, [], []
for r in map(Requirement, md.requires("torch") or []):
    if not applies(r):
        continue
    name = canonicalize_name(r.name)
    if name == "cuda-toolkit":
        nvidia[name] = spec(r)  # a metadata-only package; its extras name the real wheels
        try:
            tk = md.requires("cuda-toolkit") or []
        except md.PackageNotFoundError:
            sys.exit(f"cuda-toolkit is not installed: install {spec(r)} --no-deps first")
        for t in map(Requirement, tk):
            if any(applies(t, e) for e in r.extras):
                nvidia[canonicalize_name(t.name)] = spec(t)
    elif name.startswith("nvidia-"):
        nvidia[name] = spec(r)
    elif name in ("cuda-bindings", "triton"):
        skipped.append(spec(r))
    else:
        plain.append(spec(r))
print("nvidia", *sorted(nvidia.values()))
print("plain", *plain)
print("skipped", *skipped)
'
toolkit=$("$venv/bin/python" - <<'EOF'
import importlib.metadata as md
from pip._vendor.packaging.requirements import Requirement
print(*[f"{r.name}{r.specifier}" for r in map(Requirement, md.requires("torch") or []) if r.name == "cuda-toolkit"])
EOF
)
if [ -n "$toolkit" ]; then pip_install --no-deps "$toolkit" || fail "pip install --no-deps $toolkit"; fi
reqs=$("$venv/bin/python" -c "$reqs_py" 2>> "$log") || fail "reading torch's METADATA (see $log)"
read -r -a nvidia_specs <<< "$(sed -n 's/^nvidia //p' <<< "$reqs")"
read -r -a plain_specs <<< "$(sed -n 's/^plain //p' <<< "$reqs")"
skipped_specs=$(sed -n 's/^skipped //p' <<< "$reqs")
say "pip install --no-deps ${nvidia_specs[*]} (several GB)"
pip_install --no-deps "${nvidia_specs[@]}" || fail "pip install of the NVIDIA wheels (see $log)"
say "pip install ${plain_specs[*]} numpy safetensors"
pip_install "${plain_specs[@]}" numpy safetensors || fail "pip install of torch's Python dependencies (see $log)"
info=$("$venv/bin/python" -c '
import json, torch, torch.utils
print(json.dumps({"version": torch.__version__, "cuda": torch.version.cuda,
  "nccl": ".".join(map(str, torch.cuda.nccl.version())), "prefix": torch.utils.cmake_prefix_path,
  "site": __import__("os").path.dirname(torch.__path__[0])}))' 2>> "$log") || fail "import torch in $venv (see $log)"
field() { node -p "JSON.parse(process.argv[1])['$1']" "$info"; }
torch_version=$(field version); torch_cuda=$(field cuda); torch_nccl=$(field nccl); site=$(field site)
[ "$torch_cuda" != "null" ] || fail "$venv has torch $torch_version, a CPU-only build"
result[venv]="torch $torch_version (CUDA $torch_cuda, NCCL $torch_nccl) in $venv; not installed: ${skipped_specs:-none}"

# ---- 2. the build
nvcc="$cuda_home/bin/nvcc"
[ -x "$nvcc" ] || fail "no nvcc at $nvcc (set CUDA_HOME to a CUDA $torch_cuda toolkit)"
nvcc_version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')
[ "$nvcc_version" = "$torch_cuda" ] || fail "nvcc $nvcc_version at $nvcc, but torch was built with CUDA $torch_cuda"
cu="$site/nvidia/cu${torch_cuda%%.*}"
nccl_dir="$site/nvidia/nccl"
for f in "$cu/include/cublas_v2.h" "$cu/include/cusparse.h" "$cu/include/cusolverDn.h" "$cu/lib/libnvrtc.so.${torch_cuda%%.*}" "$nccl_dir/include/nccl.h"; do
  [ -e "$f" ] || fail "$f is missing: the NVIDIA wheels were not installed as expected"
done
nccl_header=$(awk '/#define NCCL_(MAJOR|MINOR|PATCH) /{v = v (v ? "." : "") $3} END {print v}' "$nccl_dir/include/nccl.h")
# The Torch package as the project's own search finds it in that venv (scripts/libtorch.js).
torch_dir=$(HRM_TORCH_VENV="$venv" HRM_TORCH_NO_PROVISION=1 node -e "
  const { findLibtorch } = require('./scripts/libtorch');
  const r = findLibtorch({ provision: false });
  if (!r.found) { console.error(r.trace.join('\n')); process.exit(1); }
  process.stdout.write(r.found.torchDir);" 2>> "$log") || fail "scripts/libtorch.js found no torch in $venv (see $log)"
node_inc="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")/include/node"
[ -f "$node_inc/node_api.h" ] || fail "no node_api.h in $node_inc"
nvrtc="$cu/lib/libnvrtc.so.${torch_cuda%%.*}"
say "cmake configure $build (Torch_DIR $torch_dir)"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DTorch_DIR="$torch_dir" -DNODE_API_HEADERS_DIR="$node_inc" \
  -DCUDA_TOOLKIT_ROOT_DIR="$(readlink -f "$cuda_home")" -DCMAKE_CUDA_COMPILER="$(readlink -f "$nvcc")" \
  -DCUDA_nvrtc_LIBRARY="$nvrtc" -DCUDA_NVRTC_LIB="$nvrtc" \
  "-DHRM_CUDA_INCLUDE_DIRS=$cu/include;$nccl_dir/include" \
  "-DHRM_CUDA_LIB_DIRS=$cu/lib;$nccl_dir/lib" >> "$log" 2>&1 || fail "cmake configure (see $log)"
grep -q 'hrm-torch: CUDA build' "$log" || fail "cmake did not take the CUDA branch (no libtorch_cuda.so?)"
start=$(date +%s)
say "ninja: the addon (a few minutes)"
if ninja -C "$build" -j"$jobs" hrm_torch >> "$log" 2>&1; then
  took="in $(( $(date +%s) - start )) s"
  tail -1 "$log" | grep -q 'no work to do' && took="(already built, up to date)"
  result[compiled]="yes, against libtorch $torch_version $took"
else
  result[compiled]="FAILED: $(grep -m1 -E 'error' "$log")"
  fail "compiling the addon (see $log)"
fi
addon="$root/$build/hrm_torch.node"
missing=$(ldd "$addon" 2>&1 | grep 'not found')
[ -z "$missing" ] || { result[linked]="FAILED: unresolved $(echo $missing)"; fail "libraries not found at load"; }
result[linked]="yes, $build/hrm_torch.node; every NEEDED library resolves through its RUNPATH"
say "ninja: hrm_nccl_check"
if ninja -C "$build" -j"$jobs" hrm_nccl_check >> "$log" 2>&1; then
  if nccl_out=$("$build/hrm_nccl_check" 2>> "$log"); then
    result[nccl]="ProcessGroupNCCL.hpp compiles, links and runs: nccl.h $nccl_header = NCCL libtorch was built with ($nccl_out)"
  else
    result[nccl]="FAILED: the nccl.h found differs from libtorch's NCCL ($nccl_out)"
  fi
else
  result[nccl]="FAILED to compile or link ProcessGroupNCCL.hpp (see $log)"
fi

# The build record beside the addon, as scripts/build-native.js writes one for build/Release:
# how libtorch was found, and the Python the tests take their PyTorch reference from.
HRM_TORCH_VENV="$venv" HRM_TORCH_NO_PROVISION=1 node -e "
  const fs = require('fs'), path = require('path');
  const { findLibtorch } = require('./scripts/libtorch');
  const { found, trace } = findLibtorch({ provision: false });
  const dir = path.resolve(process.argv[1]);
  const rec = { ...found, source: found.source + ' via scripts/build-cuda.sh', trace, builtAt: new Date().toISOString() };
  for (const k of ['torchDir', 'cmakePrefix', 'root', 'libDir', 'python']) if (rec[k]) rec[k] = path.relative(dir, rec[k]);
  const file = path.join(dir, 'hrm_torch.build.json');
  fs.writeFileSync(file + '.tmp', JSON.stringify(rec, null, 2));
  fs.renameSync(file + '.tmp', file);" "$build" 2>> "$log" || fail "writing $build/hrm_torch.build.json"

# ---- 3. loading it, and doctor
npx tsc -p tsconfig.build.json >> "$log" 2>&1 || fail "building dist/ (see $log)"
export HRM_TORCH_ADDON="$addon" HRM_TORCH_VENV="$venv" HRM_TORCH_PYTHON="$root/$venv/bin/python"
loaded=$(node -e "const b = require(process.argv[1]).buildInfo(); process.stdout.write(b.torchVersion + ' built with CUDA ' + b.builtWithCuda)" "$addon" 2>> "$log") \
  || { result[loaded]="FAILED: $(tail -3 "$log" | tr '\n' ' ')"; fail "loading the addon in node"; }
result[loaded]="yes ($loaded)"
say "hrm doctor"
doctor_out=$(node dist/src/cli/hrm.js doctor 2>&1); doctor_rc=$?
echo "$doctor_out" >> "$log"
echo "$doctor_out"
result[doctor]="exit $doctor_rc; $(grep -m1 -E '^CUDA ' <<< "$doctor_out" | tr -s ' '); $(grep -m1 'libtorch loaded from' <<< "$doctor_out" | tr -s ' ')"
[ "$doctor_rc" -eq 0 ] || fail "hrm doctor exited $doctor_rc"

# ---- 4. the suite
if [ "$suite" -eq 1 ]; then
  say "jest ${*:-(the whole suite, about 10 minutes)} with OMP_NUM_THREADS=1"
  start=$(date +%s)
  OMP_NUM_THREADS=1 npx jest "$@" > "$build/jest.log" 2>&1; jest_rc=$?
  counts=$(grep -E '^(Test Suites|Tests):' "$build/jest.log" | tr -s ' ' | paste -sd ';' -)
  result[suite]="exit $jest_rc in $(( $(date +%s) - start )) s: ${counts:-no summary (see $build/jest.log)}"
  [ "$jest_rc" -eq 0 ] || { grep -E '^(FAIL|  ●) ' "$build/jest.log" | head -20; summary; exit 1; }
else
  result[suite]="skipped (--no-suite)"
fi
summary
case "${result[nccl]}" in FAILED*) exit 1 ;; esac
exit 0
