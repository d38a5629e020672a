#!/usr/bin/env python3
"""PyTorch reference side of the per-op latency benchmark (driven by bench/ops.ts).

The same workloads as the TypeScript driver, on the same libtorch, timed with
time.perf_counter_ns around a tight loop of `iters` iterations.

Two modes:

  ops_ref.py '<config json>'             serve: print one "ready" JSON line, then answer one JSON
                                         line per request line read from stdin:
                                           {"cmd": "run", "workload": "add", "iters": 1000}
                                             -> {"ok": true, "ns": <elapsed ns for the whole loop>}
                                           {"cmd": "exit"}
                                         The driver uses this mode so that PyTorch repetitions
                                         interleave with the SDK's (fairer on a loaded machine).
  ops_ref.py --oneshot '<config json>'   run every workload in config["workloads"]
                                         ([{"id", "warmup", "iters", "reps"}]) and print one JSON
                                         object with per-repetition ns/iteration samples.

config: {"threads": 1, "seed": 0}
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from ref_common import configure, emit, run_script  # bench/ is on sys.path: this script's folder

LR = 0.01


# --------------------------------------------------------------------------- workloads
# Each builder returns loop(n) that runs n iterations. The loops are written out per workload
# (no per-iteration Python function call) so the harness adds as little as possible.


def build_add():
    a = torch.tensor([1.5], dtype=torch.float32)
    b = torch.tensor([2.5], dtype=torch.float32)

    def loop(n):
        add = a.add
        for _ in range(n):
            add(b)

    return loop


def build_add_grad():
    a = torch.tensor([1.5], dtype=torch.float32, requires_grad=True)
    b = torch.tensor([2.5], dtype=torch.float32, requires_grad=True)

    def loop(n):
        add = a.add
        for _ in range(n):
            add(b)

    return loop


def build_matmul(size):
    def build():
        a = torch.randn(size, size)
        b = torch.randn(size, size)

        def loop(n):
            mm = a.matmul
            for _ in range(n):
                mm(b)

        return loop

    return build


def build_mlp():
    w1 = (torch.randn(256, 784) * 0.036).requires_grad_(True)
    b1 = torch.zeros(256).requires_grad_(True)
    w2 = (torch.randn(10, 256) * 0.0625).requires_grad_(True)
    b2 = torch.zeros(10).requires_grad_(True)
    params = [w1, b1, w2, b2]
    x = torch.randn(64, 784)
    y = torch.randint(0, 10, (64,))
    linear = F.linear
    cross_entropy = F.cross_entropy
    lr = LR

    def loop(n):
        for _ in range(n):
            h = linear(x, w1, b1).relu()
            logits = linear(h, w2, b2)
            loss = cross_entropy(logits, y)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p.sub_(p.grad * lr)
                    p.grad = None  # zero_grad(set_to_none=True), as the SDK's `p.grad = undefined`

    return loop


BUILDERS = {
    "add": build_add,
    "matmul64": build_matmul(64),
    "matmul512": build_matmul(512),
    "mlp": build_mlp,
    "add_grad": build_add_grad,
}


def timed(loop, n):
    t0 = time.perf_counter_ns()
    loop(n)
    return time.perf_counter_ns() - t0


# --------------------------------------------------------------------------- modes


LOOPS = {}  # the workloads built so far, by id: built on their first request, kept for the next


def handle(req):
    """One serve request: {"cmd": "run", "workload", "iters"} -> the loop's elapsed ns."""
    cmd = req.get("cmd")
    if cmd != "run":
        raise ValueError(f"unknown cmd {cmd!r}")
    wid = req["workload"]
    if wid not in LOOPS:
        if wid not in BUILDERS:
            raise ValueError(f"unknown workload {wid!r}")
        LOOPS[wid] = BUILDERS[wid]()
    return {"ns": timed(LOOPS[wid], int(req["iters"]))}


def oneshot(cfg):
    info = configure(cfg)
    results = {}
    for w in cfg["workloads"]:
        loop = BUILDERS[w["id"]]()
        iters = int(w["iters"])
        timed(loop, int(w.get("warmup", iters)))
        samples = [timed(loop, iters) / iters for _ in range(int(w.get("reps", 5)))]
        results[w["id"]] = {"samples_ns": samples, "median_ns": statistics.median(samples)}
    emit({**info, "results": results})


if __name__ == "__main__":
    run_script(sys.argv[1:], handle, oneshot)
