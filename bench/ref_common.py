"""What the PyTorch reference sides of the benchmarks share.

The scripts next to this file run as `python bench/<name>.py`, so this folder is on sys.path and
they import this module by name:

- load_reference(): test/reference/hrm_ref.py (the PyTorch HRM the parity tests compare against),
  loaded by path because bench/hrm_ref.py shares its module name;
- configure(cfg), emit(obj), serve(cfg, handle) and run_script(argv, handle, oneshot): the
  long-lived child the TypeScript drivers talk to, one JSON line per request.
"""
import importlib.util
import json
import os
import platform
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(ROOT, "test", "reference", "hrm_ref.py")


def load_reference():
    """test/reference/hrm_ref.py as a module, loaded by path (bench/hrm_ref.py shares its name)."""
    spec = importlib.util.spec_from_file_location("hrm_reference", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def configure(cfg):
    """Sets the intra-op threads and the global seed from cfg; returns what describes this side."""
    threads = int(cfg.get("threads", 1))
    torch.set_num_threads(threads)
    torch.manual_seed(int(cfg.get("seed", 0)))
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "torch_lib": os.path.join(os.path.dirname(torch.__file__), "lib"),
        "pid": os.getpid(),
    }


def emit(obj):
    """One JSON line on stdout, flushed at once (the driver waits for it)."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def serve(cfg, handle):
    """Prints the "ready" line, then answers each request line read from stdin with one line:
    {"ok": true, **handle(request)}, or {"ok": false, "error"} when handle raises. {"cmd": "exit"}
    is answered and ends the loop."""
    info = configure(cfg)
    emit({"ready": True, **info})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if req.get("cmd") == "exit":
                emit({"ok": True})
                return
            emit({"ok": True, **handle(req)})
        except Exception as e:  # report, keep serving
            emit({"ok": False, "error": f"{type(e).__name__}: {e}"})


def run_script(argv, handle, oneshot):
    """The command line every reference side takes: `--oneshot '<config json>'` runs
    oneshot(config); otherwise `'<config json>'` (or nothing: {}) serves requests with handle."""
    if len(argv) >= 2 and argv[0] == "--oneshot":
        oneshot(json.loads(argv[1]))
    else:
        serve(json.loads(argv[0]) if argv else {}, handle)
