#!/usr/bin/env python3
"""PyTorch reference side of the HRM training-step benchmark (driven by bench/hrm.ts).

The model is test/reference/hrm_ref.py (the PyTorch HRM the SDK's parity tests compare against),
on the same libtorch as the SDK. One segment-step is exactly run_job's training step: one ACT step
through the loss head, backward of loss / batch_size, the sparse puzzle-embedding SignSGD step,
the AdamATan2 step, the gradients set to None; the carry persists from step to step.

Each step is timed with time.perf_counter_ns in four parts:
  fwd   the loss head: ACT step (both inner passes, the second one for the Q target), losses, metrics
  bwd   (loss / B).backward()
  opt   sparse SignSGD step, AdamATan2 step, gradients set to None
  free  dropping the step's loss, outputs and metrics and the previous carry (Python refcounting)
and the total is the sum.

Two modes:

  hrm_ref.py '<config json>'             serve: print one "ready" JSON line, then answer one JSON
                                         line per request line read from stdin:
    {"cmd": "setup", "id": "small", "config": {snake_case HRM config}, "weights": path|null,
     "batch": path|null, "seed": 0, "lr": 1e-4, "weight_decay": 0.1, "betas": [0.9, 0.95],
     "puzzle_emb_lr": 1e-2, "puzzle_emb_weight_decay": 0.1}
        -> {"ok": true, "num_params": n}   (weights / batch: safetensors files written by the
           driver, so both sides train the very same model on the very same batch; null = a
           fresh init / a random batch)
    {"cmd": "step", "id": "small", "steps": 1}
        -> {"ok": true, "steps": [{"fwd_ns", "bwd_ns", "opt_ns", "free_ns", "total_ns", "loss"}]}
    {"cmd": "profile", "id": "small", "top": 25}
        -> {"ok": true, "ops": {...}}   two more steps: one with the torch functions called from
           Python (TorchFunctionMode: the level the SDK's native `call` works at) counted and
           timed, one with the ATen ops dispatched (TorchDispatchMode, forward and backward)
           counted, per phase
    {"cmd": "teardown", "id": "small"}
    {"cmd": "exit"}
                                         The driver uses this mode so that PyTorch steps
                                         interleave with the SDK's (fairer on a loaded machine).
  hrm_ref.py --oneshot '<config json>'   config additionally has "setup" (a setup request as
                                         above), "warmup" and "steps"; runs them and prints one
                                         JSON object with the per-step samples.

config: {"threads": 2, "seed": 0}
"""
import statistics
import sys
import time
from collections import Counter

import torch

from ref_common import configure, emit, load_reference, run_script  # bench/ is on sys.path: this script's folder

hrm_ref = load_reference()


# --------------------------------------------------------------------------- the model


class Job:
    """A model, its optimizers, one batch and the carry that persists across steps."""

    def __init__(self, req):
        cfg = dict(req["config"])
        cfg.setdefault("loss_type", "stablemax_cross_entropy")
        self.head = hrm_ref.build_model(cfg)
        self.inner = self.head.model.inner
        if req.get("weights"):
            from safetensors.torch import load_file

            self.inner.load_state_dict(load_file(req["weights"]), strict=True)
        self.head.train(True)
        self.B = self.inner.cfg["batch_size"]
        if req.get("batch"):
            from safetensors.torch import load_file

            b = load_file(req["batch"])
        else:
            S, V = self.inner.cfg["seq_len"], self.inner.cfg["vocab_size"]
            g = torch.Generator().manual_seed(int(req.get("seed", 0)))
            b = {
                "inputs": torch.randint(0, V, (self.B, S), generator=g, dtype=torch.int32),
                "labels": torch.randint(0, V, (self.B, S), generator=g, dtype=torch.int32),
                "puzzle_identifiers": torch.randint(0, self.inner.cfg["num_puzzle_identifiers"], (self.B,), generator=g, dtype=torch.int32),
            }
        self.batch = {k: b[k] for k in ("inputs", "labels", "puzzle_identifiers")}
        self.pe = getattr(self.inner, "puzzle_emb", None)
        # The optimizers exactly as run_job builds them.
        self.adam = hrm_ref.AdamATan2(self.inner.parameters(), lr=req.get("lr", 1e-4), betas=req.get("betas", (0.9, 0.95)),
                                      weight_decay=req.get("weight_decay", 0.1))
        self.sparse = (hrm_ref.SparseSignSGD(self.pe, req.get("puzzle_emb_lr", 1e-2), req.get("puzzle_emb_weight_decay", 0.1))
                       if self.pe is not None else None)
        self.params = list(self.inner.parameters())
        self.carry = self.head.model.initial_carry(self.batch)
        # The exploration draws come from the global generator: seeded last, as the driver does.
        torch.manual_seed(int(req.get("seed", 0)))

    def num_params(self):
        return sum(p.numel() for p in self.params)

    def step(self, hook=None):
        """One segment-step, timed in parts (see the module docstring). `hook(phase)` is called
        at the start of each phase (profiling only)."""
        head, batch, B = self.head, self.batch, self.B
        if hook:
            hook("fwd")
        t0 = time.perf_counter_ns()
        carry, loss, metrics, outputs = head(self.carry, batch)
        t1 = time.perf_counter_ns()
        if hook:
            hook("bwd")
        (loss / B).backward()
        t2 = time.perf_counter_ns()
        if hook:
            hook("opt")
        if self.sparse is not None:
            self.sparse.step()
        self.adam.step()
        for p in self.params:  # run_job's zero grad: set to None
            p.grad = None
        if self.pe is not None:
            self.pe.local_weights.grad = None
        t3 = time.perf_counter_ns()
        if hook:
            hook("free")
        loss_value = loss.item()
        t4 = time.perf_counter_ns()
        self.carry = carry  # the previous carry goes here
        del carry, loss, metrics, outputs
        t5 = time.perf_counter_ns()
        if hook:
            hook(None)
        free = t5 - t4
        return {"fwd_ns": t1 - t0, "bwd_ns": t2 - t1, "opt_ns": t3 - t2, "free_ns": free,
                "total_ns": (t3 - t0) + free, "loss": loss_value}


def profile_step(job, top):
    """Two more steps: one with the torch functions called from Python counted and timed per
    phase (TorchFunctionMode sees only the outermost call, so nothing is counted twice), one with
    the ATen ops dispatched counted (TorchDispatchMode: below autograd, backward included)."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    phase = {"name": None}
    phases = ("fwd", "bwd", "opt", "free")
    fn_counts = {p: Counter() for p in phases}
    fn_ns = {p: Counter() for p in phases}
    aten_counts = {p: Counter() for p in phases}
    clock = time.perf_counter_ns

    def fname(func):
        n = getattr(func, "__name__", None) or str(func)
        q = getattr(func, "__qualname__", "") or ""
        return q if q.startswith(("Tensor.", "_TensorBase.", "TensorBase.")) else n

    class FnTimer(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            p = phase["name"]
            if not p:
                return func(*args, **(kwargs or {}))
            t0 = clock()
            try:
                return func(*args, **(kwargs or {}))
            finally:
                n = fname(func)
                fn_counts[p][n] += 1
                fn_ns[p][n] += clock() - t0

    class AtenCount(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if phase["name"]:
                aten_counts[phase["name"]][str(func.overloadpacket)] += 1
            return func(*args, **(kwargs or {}))

    def hook(p):
        phase["name"] = p

    with FnTimer():
        timed = job.step(hook)
    with AtenCount():
        job.step(hook)

    def summary(counts, ns=None):
        out = {}
        for p, c in counts.items():
            out[p] = {"total": sum(c.values()), "top": c.most_common(top)}
            if ns is not None:
                out[p]["ns"] = sum(ns[p].values())
                out[p]["top_ns"] = ns[p].most_common(top)
        return out

    return {"torch_functions": summary(fn_counts, fn_ns), "aten": summary(aten_counts), "step": timed}


# --------------------------------------------------------------------------- modes


JOBS = {}  # the jobs set up so far, by id


def handle(req):
    """One serve request (setup, step, profile or teardown; see the module docstring)."""
    cmd = req.get("cmd")
    if cmd == "setup":
        JOBS[req["id"]] = job = Job(req)
        return {"num_params": job.num_params()}
    if cmd == "step":
        job = JOBS[req["id"]]
        return {"steps": [job.step() for _ in range(int(req.get("steps", 1)))]}
    if cmd == "profile":
        return {"ops": profile_step(JOBS[req["id"]], int(req.get("top", 25)))}
    if cmd == "teardown":
        JOBS.pop(req["id"], None)
        return {}
    raise ValueError(f"unknown cmd {cmd!r}")


def oneshot(cfg):
    info = configure(cfg)
    job = Job(cfg["setup"])
    for _ in range(int(cfg.get("warmup", 1))):
        job.step()
    samples = [job.step() for _ in range(int(cfg.get("steps", 3)))]
    emit({**info, "num_params": job.num_params(), "samples": samples,
          "median_total_ms": statistics.median(s["total_ns"] for s in samples) / 1e6})


if __name__ == "__main__":
    run_script(sys.argv[1:], handle, oneshot)
