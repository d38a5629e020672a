"""An independent numpy ARC builder for the equality tests of src/data/arc.ts (hrm-spec 6.4).

Written from the spec, not from the SDK: grids are numpy uint8 arrays, dihedral transforms use
np.rot90 / np.fliplr / np.flipud / .T exactly as the spec defines the ids, and the dedup hash is
the spec's SHA-256 construction.

Only the parts of a build that involve no randomness are reproduced:
  * no task shuffling (sub-folders and files in sorted order, like the SDK with shuffle: false);
  * no translation (every example at (0, 0), like the SDK with translate: false). The reference
    HRM builder has no switch for this: even with num_aug = 0 it draws random offsets for every
    train-split example but one per puzzle, so its output cannot be compared array by array;
  * versions: with no --plan only the originals (num_aug 0); with --plan <augmentations.json>
    the augmented versions the SDK drew are replayed (dihedral id and colour map per identifier,
    grouped by task in identifier order). The script then checks the dedup itself: all versions
    of a task must have distinct puzzle hashes, and at most --num-aug + 1 versions per task.

Usage:
  python build_arc_ref.py --out DIR [--plan augmentations.json] [--num-aug N] [--hashes FILE] DATASET_DIR...

Writes DIR/identifiers.json, DIR/test_puzzles.json, DIR/{train,test}/dataset.json and
DIR/{train,test}/all__*.npy; with --hashes, a JSON {task name: puzzle hash of the original}.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np

SIZE = 30


def load_grid(raw, where):
    a = np.array(raw)
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise ValueError(f"{where}: not a non-empty rectangular grid")
    if a.shape[0] > SIZE or a.shape[1] > SIZE:
        raise ValueError(f"{where}: larger than 30x30")
    if not np.all((a >= 0) & (a <= 9)):
        raise ValueError(f"{where}: colours outside 0..9")
    return a.astype(np.uint8)


def subsets_of(dataset_dir):
    """A folder holding *.json is one subset; otherwise each immediate sub-folder is one."""
    def jsons(d):
        return sorted(f for f in os.listdir(d) if f.endswith(".json") and not f.startswith(".") and os.path.isfile(os.path.join(d, f)))

    if jsons(dataset_dir):
        dirs = [dataset_dir]
    else:
        dirs = sorted(os.path.join(dataset_dir, d) for d in os.listdir(dataset_dir) if not d.startswith(".") and os.path.isdir(os.path.join(dataset_dir, d)))
    out = []
    for d in dirs:
        files = jsons(d)
        if files:
            out.append((os.path.basename(os.path.abspath(d)), [os.path.join(d, f) for f in files]))
    return out


def dihedral(a, t):
    return [
        lambda x: x,
        lambda x: np.rot90(x, 1),
        lambda x: np.rot90(x, 2),
        lambda x: np.rot90(x, 3),
        np.fliplr,
        np.flipud,
        lambda x: x.T,
        lambda x: np.fliplr(np.rot90(x, 1)),
    ][t](a)


def augment(a, t, cmap):
    return np.ascontiguousarray(dihedral(cmap[a], t))


def grid_hash(a):
    return hashlib.sha256(bytes([a.shape[0], a.shape[1]]) + np.ascontiguousarray(a, dtype=np.uint8).tobytes()).hexdigest()


def puzzle_hash(pairs):
    parts = sorted(f"{grid_hash(i)}|{grid_hash(o)}" for i, o in pairs)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def encode(a):
    """30x30 canvas at (0, 0): colour + 2, EOS below and right of the grid where they fit."""
    h, w = a.shape
    g = np.zeros((SIZE, SIZE), dtype=np.uint8)
    g[:h, :w] = a + 2
    if h < SIZE:
        g[h, :w] = 1
    if w < SIZE:
        g[:h, w] = 1
    return g.reshape(-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--plan")
    ap.add_argument("--num-aug", type=int, default=0)
    ap.add_argument("--hashes")
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()

    plan = {}
    if args.plan:
        with open(args.plan) as f:
            for rec in json.load(f)[1:]:
                plan.setdefault(rec["task"], []).append((rec["dihedral"], np.array(rec["colourMap"], dtype=np.uint8)))

    identity = np.arange(10, dtype=np.uint8)
    tasks = []  # (name, evaluation, train pairs, test pairs, raw)
    for d in args.dirs:
        for subset, files in subsets_of(d):
            for fn in files:
                with open(fn) as f:
                    raw = json.load(f)
                name = raw.pop("name", os.path.splitext(os.path.basename(fn))[0])
                conv = lambda key: [(load_grid(p["input"], f"{fn} {key}"), load_grid(p["output"], f"{fn} {key}")) for p in raw[key]]
                tasks.append((name, subset == "evaluation", conv("train"), conv("test"), raw))

    hashes = {}
    groups = []  # (name, evaluation, train pairs, test pairs, versions [(t, cmap)])
    for name, ev, train, test, raw in tasks:
        hashes[name] = puzzle_hash(train + test)
        versions = plan.get(name, [(0, identity)]) if args.plan else [(0, identity)]
        t0, m0 = versions[0]
        assert t0 == 0 and np.array_equal(m0, identity), f"{name}: the first version must be the original"
        assert len(versions) <= args.num_aug + 1, f"{name}: {len(versions)} versions for num_aug {args.num_aug}"
        seen = set()
        for t, cmap in versions:
            assert cmap[0] == 0 and sorted(cmap.tolist()) == list(range(10)), f"{name}: bad colour map {cmap}"
            h = puzzle_hash([(augment(i, t, cmap), augment(o, t, cmap)) for i, o in train + test])
            assert h not in seen, f"{name}: duplicate version t{t} {cmap}"
            seen.add(h)
        groups.append((name, ev, train, test, versions))

    def vname(name, k, t, cmap):
        return name if k == 0 else f"{name}_t{t}_{''.join(str(int(x)) for x in cmap)}"

    # Identifiers: first-seen order over the train split, then the test split (0 = blank).
    ids = {}
    def ident(n):
        if n not in ids:
            ids[n] = len(ids) + 1
        return ids[n]

    splits = {"train": [], "test": []}
    for name, ev, train, test, versions in groups:
        pairs = train if ev else train + test
        if pairs:
            splits["train"].append([(ident(vname(name, k, t, m)), [(augment(i, t, m), augment(o, t, m)) for i, o in pairs]) for k, (t, m) in enumerate(versions)])
    for name, ev, train, test, versions in groups:
        if ev and test:
            splits["test"].append([(ident(vname(name, k, t, m)), [(augment(i, t, m), augment(o, t, m)) for i, o in test]) for k, (t, m) in enumerate(versions)])

    os.makedirs(args.out, exist_ok=True)
    has_test = any(ev for _, ev, *_ in groups)
    for split, grp in splits.items():
        if split == "test" and not has_test:
            continue
        d = os.path.join(args.out, split)
        os.makedirs(d, exist_ok=True)
        inputs, labels, pids, pidx, gidx = [], [], [], [0], [0]
        for group in grp:
            for pid, pairs in group:
                for i, o in pairs:
                    inputs.append(encode(i))
                    labels.append(encode(o))
                pids.append(pid)
                pidx.append(len(inputs))
            gidx.append(len(pids))
        np.save(os.path.join(d, "all__inputs.npy"), np.stack(inputs).astype(np.uint8) if inputs else np.zeros((0, SIZE * SIZE), np.uint8))
        np.save(os.path.join(d, "all__labels.npy"), np.stack(labels).astype(np.uint8) if labels else np.zeros((0, SIZE * SIZE), np.uint8))
        for key, v in (("puzzle_identifiers", pids), ("puzzle_indices", pidx), ("group_indices", gidx)):
            np.save(os.path.join(d, f"all__{key}.npy"), np.array(v, dtype=np.int32))
        meta = {
            "pad_id": 0, "ignore_label_id": 0, "blank_identifier_id": 0, "vocab_size": 12, "seq_len": SIZE * SIZE,
            "num_puzzle_identifiers": len(ids) + 1, "total_groups": len(grp),
            "mean_puzzle_examples": (len(inputs) / len(pids)) if pids else 0.0, "sets": ["all"],
        }
        with open(os.path.join(d, "dataset.json"), "w") as f:
            json.dump(meta, f)

    names = {v: k for k, v in ids.items()}
    with open(os.path.join(args.out, "identifiers.json"), "w") as f:
        json.dump(["<blank>"] + [names[i] for i in range(1, len(ids) + 1)], f)
    with open(os.path.join(args.out, "test_puzzles.json"), "w") as f:
        json.dump({name: {"train": raw["train"], "test": raw["test"]} for name, ev, _, test, raw in tasks if ev and test}, f)
    if args.hashes:
        with open(args.hashes, "w") as f:
            json.dump(hashes, f)


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, ValueError) as e:
        print(f"build_arc_ref: {e}", file=sys.stderr)
        sys.exit(1)
