"""One rank of torch.distributed's Gloo all-reduce, the Python side of bench/distributed.ts.

Started as `python bench/distributed_ref.py '<config json>'` with config {rank, world_size,
master_addr, master_port, threads}; joins the group, prints its ready line, then answers each
request {"bytes": N, "iters": K} with the milliseconds of K float32 all-reduces of N bytes, each
timed on its own (dist.all_reduce returns when it is done).
"""
import datetime
import json
import sys
import time

import torch
import torch.distributed as dist

from ref_common import configure, emit


def main(cfg):
    info = configure(cfg)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://{cfg['master_addr']}:{cfg['master_port']}",
        rank=int(cfg["rank"]),
        world_size=int(cfg["world_size"]),
        timeout=datetime.timedelta(seconds=120),
    )
    emit({"ready": True, **info})
    buffers = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        if req.get("cmd") == "exit":
            emit({"ok": True})
            break
        n = int(req["bytes"]) // 4
        x = buffers.setdefault(n, torch.ones(n))
        ms = []
        for _ in range(int(req["iters"])):
            t0 = time.perf_counter()
            dist.all_reduce(x)
            ms.append((time.perf_counter() - t0) * 1e3)
        emit({"ok": True, "ms": ms})
    dist.destroy_process_group()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
