"""Reference maze dataset builder for the tests, written from hrm-spec 6.3 / 6.1 with numpy only.

Usage: python build_maze_ref.py TRAIN_CSV TEST_CSV OUTPUT_DIR [--aug]

It follows the description of HRM's build_maze_dataset.py: the first CSV row is a header, columns
are taken by position (source, question, answer, rating); the charset "# SGo" maps to token ids
1..5 (0 = PAD); every maze is one puzzle with identifier 0 and one example, and one group; with
--aug each *training* maze contributes its 8 dihedral transforms (numpy's rot90 / flips /
transposes, ids as in hrm-spec 6.4) as 8 puzzles of one group. Arrays are saved with np.save,
metadata with json.dump. The TypeScript builder must write the same arrays and metadata.
"""
import csv
import json
import os
import sys

import numpy as np

CHARSET = "# SGo"


def dihedral(grid, tid):
    # hrm-spec 6.4: 0 id, 1 rot90 (counter-clockwise), 2 rot180, 3 rot270, 4 fliplr, 5 flipud,
    # 6 transpose, 7 anti-transpose = fliplr(rot90)
    return [
        lambda a: a,
        lambda a: np.rot90(a, k=1),
        lambda a: np.rot90(a, k=2),
        lambda a: np.rot90(a, k=3),
        np.fliplr,
        np.flipud,
        lambda a: a.T,
        lambda a: np.fliplr(np.rot90(a, k=1)),
    ][tid](grid)


def read_split(path):
    questions, answers = [], []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)  # header
        for row in rows:
            if not row:
                continue
            _source, q, a, _rating = row
            questions.append(q)
            answers.append(a)
    return questions, answers


def build_split(path, out_dir, augment):
    questions, answers = read_split(path)
    side = int(round(len(questions[0]) ** 0.5))
    assert side * side == len(questions[0])
    lut = np.zeros(256, dtype=np.uint8)
    for i, ch in enumerate(CHARSET):
        lut[ord(ch)] = i + 1

    def tokens(s):
        assert set(s) <= set(CHARSET), "unexpected character"
        return lut[np.frombuffer(s.encode("ascii"), dtype=np.uint8)].reshape(side, side)

    inputs, labels = [], []
    puzzle_identifiers, puzzle_indices, group_indices = [], [0], [0]
    for q, a in zip(questions, answers):
        qg, ag = tokens(q), tokens(a)
        for tid in range(8 if augment else 1):
            inputs.append(dihedral(qg, tid).reshape(-1))
            labels.append(dihedral(ag, tid).reshape(-1))
            puzzle_identifiers.append(0)
            puzzle_indices.append(len(inputs))
        group_indices.append(len(puzzle_identifiers))

    os.makedirs(out_dir, exist_ok=True)
    arrays = {
        "inputs": np.stack(inputs).astype(np.uint8),
        "labels": np.stack(labels).astype(np.uint8),
        "puzzle_identifiers": np.array(puzzle_identifiers, dtype=np.int32),
        "puzzle_indices": np.array(puzzle_indices, dtype=np.int32),
        "group_indices": np.array(group_indices, dtype=np.int32),
    }
    for name, arr in arrays.items():
        np.save(os.path.join(out_dir, f"all__{name}.npy"), arr)
    meta = {
        "pad_id": 0,
        "ignore_label_id": 0,
        "blank_identifier_id": 0,
        "vocab_size": len(CHARSET) + 1,
        "seq_len": side * side,
        "num_puzzle_identifiers": 1,
        "total_groups": len(group_indices) - 1,
        "mean_puzzle_examples": 1.0,
        "sets": ["all"],
    }
    with open(os.path.join(out_dir, "dataset.json"), "w") as f:
        json.dump(meta, f)


def main():
    args = [a for a in sys.argv[1:] if a != "--aug"]
    augment = "--aug" in sys.argv[1:]
    train_csv, test_csv, out = args
    build_split(train_csv, os.path.join(out, "train"), augment)
    build_split(test_csv, os.path.join(out, "test"), False)  # the test split is never augmented
    with open(os.path.join(out, "identifiers.json"), "w") as f:
        json.dump(["<blank>"], f)


if __name__ == "__main__":
    main()
