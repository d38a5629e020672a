"""Reference Sudoku builder for the tests: the deterministic part of HRM's build_sudoku_dataset.py.

Written from hrm-spec 6.1 / 6.2 with numpy only: no subsampling and no augmentation (those draw from
numpy's unseeded global RNG, so they cannot be compared bit for bit). It reads CSVs in the reference
schema with Python's csv module, applies the optional rating filter, encodes cells v -> v + 1 and
writes one group of one puzzle of one example per row, like the reference with num_aug 0.

usage: build_sudoku_ref.py OUTPUT_DIR --train A.csv [B.csv ...] [--test C.csv ...] [--min-difficulty N]
"""
import argparse
import csv
import json
import os

import numpy as np


def read_rows(paths, min_difficulty):
    questions, answers = [], []
    for p in paths:
        with open(p, newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert header == ["source", "question", "answer", "rating"], header
            for row in reader:
                if not row:
                    continue
                _source, q, a, rating = row
                if min_difficulty is not None and int(rating) < min_difficulty:
                    continue
                assert len(q) == 81 and len(a) == 81
                # '.' and '0' both mean blank; digits are their own values.
                q_cells = np.frombuffer(q.replace(".", "0").encode(), dtype=np.uint8) - ord("0")
                a_cells = np.frombuffer(a.encode(), dtype=np.uint8) - ord("0")
                questions.append(q_cells)
                answers.append(a_cells)
    return questions, answers


def write_split(out_dir, split, questions, answers):
    n = len(questions)
    # Cell values 0..9 become tokens 1..10; 0 stays free for padding.
    inputs = (np.stack(questions) if n else np.zeros((0, 81), np.uint8)).astype(np.uint8) + 1
    labels = (np.stack(answers) if n else np.zeros((0, 81), np.uint8)).astype(np.uint8) + 1
    arrays = {
        "inputs": inputs,
        "labels": labels,
        # one puzzle per group, one example per puzzle, all with the shared identifier 0
        "group_indices": np.arange(n + 1, dtype=np.int32),
        "puzzle_indices": np.arange(n + 1, dtype=np.int32),
        "puzzle_identifiers": np.zeros(n, dtype=np.int32),
    }
    split_dir = os.path.join(out_dir, split)
    os.makedirs(split_dir, exist_ok=True)
    for name, arr in arrays.items():
        np.save(os.path.join(split_dir, f"all__{name}.npy"), arr)
    metadata = {
        "pad_id": 0,
        "ignore_label_id": 0,
        "blank_identifier_id": 0,
        "vocab_size": 11,
        "seq_len": 81,
        "num_puzzle_identifiers": 1,
        "total_groups": n,
        "mean_puzzle_examples": 1.0,
        "sets": ["all"],
    }
    with open(os.path.join(split_dir, "dataset.json"), "w") as f:
        json.dump(metadata, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output_dir")
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--test", nargs="*", default=None)
    ap.add_argument("--min-difficulty", type=int, default=None)
    args = ap.parse_args()
    os.makedirs(args.output_dir, exist_ok=True)
    write_split(args.output_dir, "train", *read_rows(args.train, args.min_difficulty))
    if args.test:
        write_split(args.output_dir, "test", *read_rows(args.test, args.min_difficulty))
    with open(os.path.join(args.output_dir, "identifiers.json"), "w") as f:
        json.dump(["<blank>"], f)


if __name__ == "__main__":
    main()
