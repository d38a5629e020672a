#!/usr/bin/env bash
# Time and peak memory of the dataset builders at the reference's sizes (issue: datasets).
#   bash bench/datasets.sh [OUT_ROOT]     (default /tmp/hrm-datasets; ARC-1 writes about 7 GB)
# Needs the staged data at ../shared/data and a build (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/hrm-datasets}"
data="$(cd ../shared/data && pwd)"
mkdir -p "$out"
run() {
  local name="$1"; shift
  rm -rf "$out/$name"
  /usr/bin/time -f "$name: %e s wall, %M KB peak RSS" node dist/src/cli/hrm.js data "$@" --output-dir "$out/$name" > "$out/$name.log" 2> "$out/$name.time" || { cat "$out/$name.log" "$out/$name.time"; exit 1; }
  tail -1 "$out/$name.time"
  du -sh "$out/$name" | awk -v n="$name" '{print n ": " $1 " on disk"}'
}
sud="$data/sudoku"
# Sudoku 1k x 1000 aug (the reference recipe) from the staged hard puzzles (the real train.csv is not staged).
run sudoku-1k-aug-1000 sudoku --input "$sud/forum_hardest_1905_11plus.part1of3.csv,$sud/forum_hardest_1905_11plus.part2of3.csv,$sud/forum_hardest_1905_11plus.part3of3.csv" \
  --test-input "$sud/forum_hardest_1106.csv" --subsample-size 1000 --num-aug 1000 --seed 0
run maze-30x30-hard-1k maze --train-csv "$data/maze/maze-30x30-hard-1k/train.csv" --test-csv "$data/maze/maze-30x30-hard-1k/test.csv"
run arc1-aug-1000 arc --dataset-dirs "$data/arc/arc-agi-1,$data/arc/concept-arc" --num-aug 1000 --seed 42
