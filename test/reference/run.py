"""Reference values for the test suite, computed by PyTorch itself.

Usage: python run.py job.json
The job names an input safetensors file (tensors written by the TypeScript side), a list of
cases, and an output file. Each case is Python code evaluated with the inputs as variables plus
`torch`, `F` (torch.nn.functional) and `np`: either an expression ("expr") or statements
("exec") that set `result`. A result may be a tensor, a number, or a tuple/list of tensors
(stored as name.0, name.1, ...). Outputs are written as safetensors; scalars as 0-d float64.
Errors are reported per case, not fatal, so one bad case names itself.
"""
import json
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

try:
    import numpy as np
except ImportError:  # numpy is optional for most cases
    np = None


def to_tensor(v):
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().contiguous().clone()
    if isinstance(v, bool):
        return torch.tensor(v)
    if isinstance(v, (int, float)):
        return torch.tensor(float(v), dtype=torch.float64)
    raise TypeError(f"unsupported result type {type(v).__name__}")


def main():
    job = json.load(open(sys.argv[1]))
    torch.set_num_threads(int(job.get("threads", 1)))
    inputs = load_file(job["inputs"]) if job.get("inputs") else {}
    out = {}
    errors = {}
    for case in job["cases"]:
        name = case["name"]
        env = {"torch": torch, "F": F, "np": np, **{k: v.clone() for k, v in inputs.items()}}
        try:
            if "exec" in case:
                exec(case["exec"], env)
                result = env["result"]
            else:
                result = eval(case["expr"], env)
            if isinstance(result, (tuple, list)):
                for i, r in enumerate(result):
                    out[f"{name}.{i}"] = to_tensor(r)
            else:
                out[name] = to_tensor(result)
        except Exception as e:  # reported back to the test, which fails naming the case
            errors[name] = f"{type(e).__name__}: {e}"
    save_file(out, job["output"])
    json.dump({"errors": errors, "torch": torch.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
