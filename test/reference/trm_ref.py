"""PyTorch reference implementation of TRM for the SDK's numerical parity tests.

Written from /work/shared/docs/hrm-spec.md section 8 ("TRM: differences from HRM"); everything
the spec calls identical to HRM (layers, init, losses, optimizers, the job runner) is imported
from hrm_ref.py. CPU, deterministic.

Usage:
  python trm_ref.py job.json    run a job: the contract of hrm_ref.py (config with TRM's
                                snake_case keys: puzzle_emb_len, mlp_t; no H_layers), same outputs
                                (no target_q_continue, no q_continue_loss); prints one JSON line
                                {"torch": version, "num_params": n}
  python trm_ref.py --selftest  sanity checks on tiny models (writes only under a temp directory)
"""
import json
import math
import os
import shutil
import sys
import tempfile
from typing import Dict

import torch
import torch.nn.functional as F
from torch import nn
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hrm_ref  # noqa: E402
from hrm_ref import (  # noqa: E402
    ACTCarry, ACTLossHead, Attention, CastedEmbedding, CastedLinear, CastedSparseEmbedding, InnerCarry,
    RotaryEmbedding, SwiGLU, trunc_normal_init_,
)

def rms_norm(x, eps):
    """Parameter-free RMSNorm over the last axis (spec 1.3), as PyTorch's fused op computes it.

    The same formula as hrm_ref.rms_norm, but rounded as the SDK's op rounds: TRM's recursion
    (and the mixer's most) amplifies last-bit differences ~100x per segment."""
    return F.rms_norm(x, (x.shape[-1],), eps=eps)


DEFAULTS = dict(hrm_ref.DEFAULTS, puzzle_emb_len=16, mlp_t=False)


class Block(nn.Module):
    """Post-norm block; with mlp_t the attention is a SwiGLU across positions, normed over them (spec 8)."""

    def __init__(self, cfg: dict, seq_len: int):
        super().__init__()
        self.eps, self.mixer = cfg["rms_norm_eps"], cfg["mlp_t"]
        if self.mixer:
            self.mlp_t = SwiGLU(seq_len, cfg["expansion"])  # "hidden size" L
        else:
            self.self_attn = Attention(cfg["hidden_size"], cfg["num_heads"])
        self.mlp = SwiGLU(cfg["hidden_size"], cfg["expansion"])

    def forward(self, h, cos_sin):
        if self.mixer:
            t = h.transpose(1, 2)  # [B, D, L]: positions on the last axis
            h = rms_norm(t + self.mlp_t(t), self.eps).transpose(1, 2)
        else:
            h = rms_norm(h + self.self_attn(h, cos_sin), self.eps)
        return rms_norm(h + self.mlp(h), self.eps)


class Net(nn.Module):
    """The one network f(h, inj): h + inj, then the blocks."""

    def __init__(self, cfg: dict, seq_len: int):
        super().__init__()
        self.layers = nn.ModuleList(Block(cfg, seq_len) for _ in range(cfg["L_layers"]))

    def forward(self, h, injection, cos_sin):
        h = h + injection
        for layer in self.layers:
            h = layer(h, cos_sin)
        return h


class TRMInner(nn.Module):
    """HRM's inner model with one network L_level and TRM's prefix length (spec 8)."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        D = cfg["hidden_size"]
        self.dtype = hrm_ref.DTYPES[cfg["forward_dtype"]]
        self.embed_scale = math.sqrt(D)
        self.embed_tokens = CastedEmbedding(cfg["vocab_size"], D, 1 / self.embed_scale, self.dtype)
        self.lm_head = CastedLinear(D, cfg["vocab_size"])
        self.q_head = CastedLinear(D, 2, bias=True)
        ndim, P = cfg["puzzle_emb_ndim"], cfg["puzzle_emb_len"]
        # P = puzzle_emb_len, or ceil(ndim / D) when it is 0; no prefix without a puzzle embedding
        self.puzzle_emb_len = 0 if ndim == 0 else (P if P > 0 else -(ndim // -D))
        self.seq_len = cfg["seq_len"] + self.puzzle_emb_len
        if ndim > 0:
            self.puzzle_emb = CastedSparseEmbedding(cfg["num_puzzle_identifiers"], ndim, cfg["batch_size"], self.dtype)
        if cfg["pos_encodings"] == "rope":
            self.rotary_emb = RotaryEmbedding(D // cfg["num_heads"], self.seq_len, cfg["rope_theta"])
        elif cfg["pos_encodings"] == "learned":
            self.embed_pos = CastedEmbedding(self.seq_len, D, 1 / self.embed_scale, self.dtype)
        elif cfg["pos_encodings"] != "none":
            raise ValueError(f"pos_encodings {cfg['pos_encodings']!r}")
        self.L_level = Net(cfg, self.seq_len)
        self.register_buffer("H_init", trunc_normal_init_(torch.empty(D, dtype=self.dtype), 1.0))
        self.register_buffer("L_init", trunc_normal_init_(torch.empty(D, dtype=self.dtype), 1.0))
        with torch.no_grad():
            self.q_head.weight.zero_()
            self.q_head.bias.fill_(-5.0)

    def input_embeddings(self, inputs, puzzle_identifiers):
        """Tokens after the prefix [puzzle embedding, zero padding to P*D], positions, sqrt(D)."""
        D = self.cfg["hidden_size"]
        emb = self.embed_tokens(inputs)
        if self.puzzle_emb_len > 0:
            pe = self.puzzle_emb(puzzle_identifiers)
            pe = F.pad(pe, (0, self.puzzle_emb_len * D - pe.shape[-1]))
            emb = torch.cat((pe.view(-1, self.puzzle_emb_len, D), emb), dim=-2)
        if self.cfg["pos_encodings"] == "learned":
            emb = 0.707106781 * (emb + self.embed_pos.embedding_weight.to(self.dtype))
        return self.embed_scale * emb

    empty_carry = hrm_ref.HRMInner.empty_carry
    reset_carry = hrm_ref.HRMInner.reset_carry

    def forward(self, carry: InnerCarry, data: Dict[str, torch.Tensor]):
        """T recursions (z <- f(z + y + x) n times, y <- f(y + z)); only the last with grad."""
        T, n = self.cfg["H_cycles"], self.cfg["L_cycles"]
        cos_sin = self.rotary_emb() if hasattr(self, "rotary_emb") else None
        x = self.input_embeddings(data["inputs"], data["puzzle_identifiers"])
        y, z = carry.z_H, carry.z_L
        with torch.no_grad():
            for _ in range(T - 1):
                for _ in range(n):
                    z = self.L_level(z, y + x, cos_sin)
                y = self.L_level(y, z, cos_sin)
        for _ in range(n):
            z = self.L_level(z, y + x, cos_sin)
        y = self.L_level(y, z, cos_sin)
        logits = self.lm_head(y)[:, self.puzzle_emb_len:]
        q = self.q_head(y[:, 0]).to(torch.float32)
        return InnerCarry(y.detach(), z.detach()), logits, q[..., 0], q[..., 1]


class TRMACT(nn.Module):
    """ACT wrapper, simplified (no_ACT_continue): halt on q_halt > 0, no target, no second forward."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        self.inner = TRMInner(cfg)

    initial_carry = hrm_ref.HRMACT.initial_carry

    def forward(self, carry: ACTCarry, batch: Dict[str, torch.Tensor]):
        max_steps = self.cfg["halt_max_steps"]
        inner_carry = self.inner.reset_carry(carry.halted, carry.inner_carry)
        steps = torch.where(carry.halted, 0, carry.steps)
        data = {k: torch.where(carry.halted.view((-1,) + (1,) * (batch[k].ndim - 1)), batch[k], v)
                for k, v in carry.current_data.items()}
        inner_carry, logits, q_halt, q_continue = self.inner(inner_carry, data)
        outputs = {"logits": logits, "q_halt_logits": q_halt, "q_continue_logits": q_continue}
        with torch.no_grad():
            steps = steps + 1
            halted = steps >= max_steps
            if self.training and max_steps > 1:
                halted = halted | (q_halt > 0)
                explore = torch.rand_like(q_halt) < self.cfg["halt_exploration_prob"]
                min_halt_steps = explore * torch.randint_like(steps, low=2, high=max_steps + 1)
                halted = halted & (steps >= min_halt_steps)
        return ACTCarry(inner_carry, steps, halted, data), outputs


def build_model(config: dict) -> ACTLossHead:
    """HRM's loss head: without a target_q_continue output it is lm + 0.5 q_halt (spec 8)."""
    return ACTLossHead(TRMACT({**DEFAULTS, **config}))


def _selftest():
    torch.set_num_threads(1)
    # Parameter counts of spec 8.
    att = dict(batch_size=1, seq_len=900, vocab_size=12, puzzle_emb_ndim=512, num_puzzle_identifiers=1, H_cycles=3,
               L_cycles=4, L_layers=2, hidden_size=512, expansion=4, num_heads=8, halt_max_steps=16)
    counts = [sum(p.numel() for p in build_model(c).parameters())
              for c in (att, dict(att, seq_len=81, vocab_size=11, mlp_t=True, pos_encodings="none"), dict(att, mlp_t=True))]
    assert counts == [6_829_058, 5_028_866, 18_801_666], counts
    tiny = dict(batch_size=4, seq_len=16, puzzle_emb_ndim=48, num_puzzle_identifiers=5, vocab_size=10, H_cycles=3,
                L_cycles=2, L_layers=2, hidden_size=32, expansion=2, num_heads=2, puzzle_emb_len=3,
                halt_max_steps=3, halt_exploration_prob=0.5, forward_dtype="float32")
    # Call counts: T*(n+1) network calls per segment, n+1 of them with grad.
    m = build_model(tiny).model.inner
    calls = []
    m.L_level.register_forward_hook(lambda mod, args, out: calls.append(torch.is_grad_enabled()))
    data = {"inputs": torch.zeros(4, 16, dtype=torch.int32), "puzzle_identifiers": torch.zeros(4, dtype=torch.int32)}
    m(m.reset_carry(torch.ones(4, dtype=torch.bool), m.empty_carry(4)), data)
    assert calls == [False] * 6 + [True] * 3, calls
    # The prefix: puzzle embedding in position 0..1 (48 = 1.5 * 32), zeros after, then the tokens.
    with torch.no_grad():
        m.puzzle_emb.weights.normal_()
    e = m.eval().input_embeddings(data["inputs"], torch.tensor([1, 2, 3, 4], dtype=torch.int32))
    assert e.shape == (4, 19, 32) and bool((e[:, 1, 16:] == 0).all() and (e[:, 2] == 0).all() and (e[:, 1, :16] != 0).all())
    tmp = tempfile.mkdtemp(prefix="trm-ref-selftest-")
    try:
        g = torch.Generator().manual_seed(1)
        batch = os.path.join(tmp, "b.safetensors")
        save_file({"inputs": torch.randint(0, 10, (4, 16), generator=g, dtype=torch.int32),
                   "labels": torch.randint(0, 10, (4, 16), generator=g, dtype=torch.int32),
                   "puzzle_identifiers": torch.tensor([1, 3, 1, 2], dtype=torch.int32)}, batch)
        for name, cfg in (("rope", tiny), ("mlp_t", dict(tiny, mlp_t=True, pos_encodings="none"))):
            torch.manual_seed(7)
            w = os.path.join(tmp, f"{name}.w.safetensors")
            sd = build_model(cfg).model.inner.state_dict()
            sd["q_head.weight"] = torch.randn(sd["q_head.weight"].shape, generator=g)
            sd["q_head.bias"] = torch.zeros(2)
            save_file({k: v.contiguous() for k, v in sd.items()}, w)
            out = os.path.join(tmp, f"{name}.out.safetensors")
            info = hrm_ref.run_job(dict(config=cfg, weights=w, batches=[batch], segments=4, train=True, seed=0, optimize=True,
                                        lr=1e-3, weight_decay=0.1, betas=[0.9, 0.95], puzzle_emb_lr=1e-2,
                                        puzzle_emb_weight_decay=0.1, threads=1, output=out), build_model)
            o = load_file(out)
            assert "s0.target_q_continue" not in o and "s0.metric.q_continue_loss" not in o
            for k in range(4):
                p = f"s{k}."
                assert torch.isfinite(o[p + "loss"])
                total = o[p + "metric.lm_loss"] + 0.5 * o[p + "metric.q_halt_loss"]
                assert torch.allclose(o[p + "loss"], total), (name, k)
                halted, steps, qh = o[p + "carry.halted"], o[p + "carry.steps"], o[p + "q_halt_logits"]
                assert bool((halted <= ((steps == 3) | (qh > 0))).all()), (name, k)
            grads = [k for k in o if k.startswith("s0.grad.L_level.layers.0.")]
            assert any(".mlp_t." in k for k in grads) == (name == "mlp_t") and grads, grads
            print(f"selftest {name}: ok, num_params={info['num_params']}, losses="
                  + ", ".join(f"{o[f's{k}.loss'].item():.4f}" for k in range(4)))
    finally:
        shutil.rmtree(tmp)
    print("selftest: all ok (parameter counts " + ", ".join(f"{c:,}" for c in counts) + ")")


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--selftest":
        _selftest()
        return
    if len(sys.argv) != 2:
        sys.exit("usage: python trm_ref.py job.json | --selftest")
    print(json.dumps(hrm_ref.run_job(json.load(open(sys.argv[1])), build_model)))


if __name__ == "__main__":
    main()
