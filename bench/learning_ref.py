#!/usr/bin/env python3
"""PyTorch side of the learning benchmark (driven by bench/learning.ts).

Trains test/reference/hrm_ref.py's HRM (build_model: the loss head the parity tests compare
against) on a dataset folder in the reference format, the way the SDK's Trainer does:

- loader: per pass of `eval_interval` epochs, one permutation of the groups per epoch (numpy,
  seeded seed + pass number), concatenated; for each group one puzzle at random and its examples
  (all groups have one puzzle of one example here); cut into batches of `batch_size`, the partial
  batch at the end of the pass dropped; total_steps = epochs * groups * mean examples / batch_size;
- labels equal to the dataset's ignore_label_id become -100;
- one step is run_job's training step: the loss head (one ACT segment for every row; the carry
  persists across steps and halted rows take the batch's new example), backward of loss / B,
  AdamATan2 step, grads set to None; lr from hrm_ref.lr_schedule(step, lr, warmup, total,
  min_ratio) with step counted from 1, as the Trainer does;
- evaluation at the given steps (0 = before training): eval mode, no grad, for each test chunk of
  batch_size rows (the last padded with pad_id inputs, ignored labels, the blank identifier) a
  fresh carry and halt_max_steps segments; exact accuracy = (real rows with every supervised
  token right) / (real rows), from the last segment's metrics as the SDK's evaluate does.

Usage: learning_ref.py '<request json>'
  {"data": dir, "config": {snake_case HRM config, batch_size included}, "batch_size": 64,
   "epochs": 32, "eval_interval": 8, "eval_steps": [0, 375, ...], "lr": 2e-3,
   "warmup_steps": 50, "lr_min_ratio": 1.0, "weight_decay": 0.1, "betas": [0.9, 0.95],
   "seed": 0, "threads": 2, "log_every": 50}
Progress goes to stderr; one JSON object to stdout at the end (the fields of bench/learning.ts's
SideResult, plus versions).
"""
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch

from ref_common import load_reference  # bench/ is on sys.path: this script's folder

hrm_ref = load_reference()


def log(s):
    sys.stderr.write(s + "\n")
    sys.stderr.flush()


class Split:
    """One split folder: its metadata and its sets' arrays (loaded whole: they are small here)."""

    def __init__(self, d):
        with open(os.path.join(d, "dataset.json")) as f:
            self.meta = json.load(f)
        self.sets = {}
        for name in self.meta["sets"]:
            a = {k: np.load(os.path.join(d, f"{name}__{k}.npy"))
                 for k in ("inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices")}
            labels = a["labels"].astype(np.int32)
            ign = self.meta.get("ignore_label_id")
            if ign is not None:
                labels[labels == ign] = hrm_ref.IGNORE_LABEL_ID
            a["inputs"], a["labels"] = a["inputs"].astype(np.int32), labels
            self.sets[name] = a

    def batch(self, a, rows, ids, B):
        """Rows padded to B (pad inputs, ignored labels, blank identifier), as int32 tensors."""
        S = self.meta["seq_len"]
        inputs = np.full((B, S), self.meta["pad_id"], dtype=np.int32)
        labels = np.full((B, S), hrm_ref.IGNORE_LABEL_ID, dtype=np.int32)
        pids = np.full((B,), self.meta["blank_identifier_id"], dtype=np.int32)
        n = len(rows)
        inputs[:n], labels[:n], pids[:n] = a["inputs"][rows], a["labels"][rows], ids
        return {"inputs": torch.from_numpy(inputs), "labels": torch.from_numpy(labels),
                "puzzle_identifiers": torch.from_numpy(pids)}

    def train_batches(self, B, epochs_per_pass, seed, pass_number):
        """One training pass (the SDK loader's semantics, numpy's random streams)."""
        rng = np.random.default_rng(seed + pass_number)
        for a in self.sets.values():
            gi, pi, pid = a["group_indices"], a["puzzle_indices"], a["puzzle_identifiers"]
            groups = len(gi) - 1
            order = np.concatenate([rng.permutation(groups) for _ in range(epochs_per_pass)])
            rows, ids = [], []
            for g in order:
                puzzle = gi[g] + rng.integers(gi[g + 1] - gi[g])
                e0, size = pi[puzzle], pi[puzzle + 1] - pi[puzzle]
                take = min(size, B - len(rows))
                for k in rng.choice(size, take, replace=False):
                    rows.append(e0 + k)
                    ids.append(pid[puzzle])
                if len(rows) == B:
                    yield self.batch(a, rows, ids, B)
                    rows, ids = [], []
            # the final partial batch is dropped

    def test_batches(self, B):
        for a in self.sets.values():
            total = a["inputs"].shape[0]
            pi, pid = a["puzzle_indices"], a["puzzle_identifiers"]
            for start in range(0, total, B):
                rows = np.arange(start, min(start + B, total))
                puzzles = np.searchsorted(pi, rows, side="right") - 1
                yield self.batch(a, rows, pid[puzzles], B), len(rows)


@torch.no_grad()
def evaluate(head, split, B):
    """Fresh carry per batch, halt_max_steps segments in eval mode; last segment's metrics summed."""
    head.eval()
    max_steps = head.model.cfg["halt_max_steps"]
    sums = {}
    try:
        for batch, _real in split.test_batches(B):
            carry = head.model.initial_carry(batch)
            metrics = None
            for _ in range(max_steps):
                carry, _loss, metrics, _out = head(carry, batch)
                if bool(carry.halted.all()):
                    break
            for k, v in metrics.items():
                sums[k] = sums.get(k, 0.0) + float(v)
    finally:
        head.train(True)
    count = max(1.0, sums.get("count", 0.0))
    return {k: (v if k == "count" else v / count) for k, v in sums.items()}


def main(req):
    threads = int(req.get("threads", 2))
    torch.set_num_threads(threads)
    seed = int(req.get("seed", 0))
    B = int(req["batch_size"])
    epochs, interval = int(req["epochs"]), int(req["eval_interval"])
    assert epochs % interval == 0, "epochs must be a multiple of eval_interval"
    base_lr, warmup = float(req["lr"]), int(req["warmup_steps"])
    min_ratio = float(req.get("lr_min_ratio", 1.0))
    log_every = int(req.get("log_every", 50))
    eval_steps = set(int(s) for s in req.get("eval_steps", []))

    train = Split(os.path.join(req["data"], "train"))
    test_dir = os.path.join(req["data"], "test")
    test = Split(test_dir) if os.path.exists(os.path.join(test_dir, "dataset.json")) else None
    m = train.meta
    cfg = dict(req["config"])
    cfg.pop("eval_halting", None)
    cfg.update(batch_size=B, seq_len=m["seq_len"], vocab_size=m["vocab_size"],
               num_puzzle_identifiers=m["num_puzzle_identifiers"])
    assert int(cfg.get("puzzle_emb_ndim", 0)) == 0, "this benchmark trains without puzzle embeddings"
    total_steps = int(epochs * m["total_groups"] * m["mean_puzzle_examples"] // B)

    torch.manual_seed(seed)
    head = hrm_ref.build_model(cfg)
    inner = head.model.inner
    head.train(True)
    params = list(inner.parameters())
    adam = hrm_ref.AdamATan2(params, lr=base_lr, betas=tuple(req.get("betas", (0.9, 0.95))),
                             weight_decay=float(req.get("weight_decay", 0.1)))
    num_params = sum(p.numel() for p in params)
    log(f"PyTorch: {num_params:,} parameters, {total_steps} steps, {torch.get_num_threads()} threads")

    lm, loss_total, train_exact, evals = [], [], [], []
    started = time.perf_counter()
    eval_s = 0.0

    def run_eval(step):
        nonlocal eval_s
        if test is None:
            return
        t0 = time.perf_counter()
        r = evaluate(head, test, B)
        sec = time.perf_counter() - t0
        if step > 0:
            eval_s += sec
        evals.append({"step": step, "exact_accuracy": r["exact_accuracy"], "accuracy": r["accuracy"],
                      "count": r["count"], "seconds": sec,
                      "elapsed_s": (time.perf_counter() - started) if step > 0 else 0.0})
        log(f"  PyTorch held-out @ step {step}: exact {100 * r['exact_accuracy']:.1f}%, "
            f"token {100 * r['accuracy']:.1f}% ({sec:.1f} s)")

    if 0 in eval_steps:
        run_eval(0)
    started = time.perf_counter()
    step, carry, last_log = 0, None, time.perf_counter()
    for pass_number in range(1, epochs // interval + 1):
        for batch in train.train_batches(B, interval, seed, pass_number):
            step += 1
            if step > total_steps:
                continue  # the loader is drained, as in the Trainer
            lr = hrm_ref.lr_schedule(step, base_lr, warmup, total_steps, min_ratio)
            for g in adam.param_groups:
                g["lr"] = lr
            if carry is None:
                carry = head.model.initial_carry(batch)
            carry, loss, metrics, _outputs = head(carry, batch)
            (loss / B).backward()
            adam.step()
            for p in params:  # run_job's zero grad
                p.grad = None
            mt = {k: float(v) for k, v in metrics.items()}
            lm.append(mt["lm_loss"] / B)
            loss_total.append(float(loss.detach()) / B)
            train_exact.append(mt["exact_accuracy"] / mt["count"] if mt["count"] > 0 else math.nan)
            del loss, metrics, _outputs
            now = time.perf_counter()
            if now - last_log > 15 or step == total_steps:
                last_log = now
                log(f"  PyTorch step {step}/{total_steps}: lm_loss {lm[-1]:.4f} ({now - started:.0f} s)")
        done = min(step, total_steps)
        if done in eval_steps or not eval_steps:
            run_eval(done)
    wall = time.perf_counter() - started

    curve = []
    for s in range(log_every, len(lm) + 1, log_every):
        w = lm[s - log_every:s]
        e = [x for x in train_exact[s - log_every:s] if not math.isnan(x)]
        curve.append({"step": s, "lm_loss": lm[s - 1], "lm_loss_mean": sum(w) / len(w),
                      "train_exact": sum(e) / len(e) if e else None})
    nan_to_none = lambda xs: [None if math.isnan(x) else x for x in xs]  # JSON has no NaN
    out = {
        "steps": min(step, total_steps), "lm_loss": nan_to_none(lm), "loss": nan_to_none(loss_total), "curve": curve, "evals": evals,
        "wall_s": wall, "eval_s": eval_s, "train_s": wall - eval_s, "num_params": num_params,
        "threads": torch.get_num_threads(), "torch": torch.__version__, "numpy": np.__version__,
        "python": platform.python_version(), "config": cfg,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        sys.exit(2)
    main(json.loads(sys.argv[1]))
