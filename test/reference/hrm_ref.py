"""PyTorch reference implementation of HRM for the SDK's numerical parity tests.

Written from /work/shared/docs/hrm-spec.md (sections cited as "spec X.Y"); CPU, deterministic.

Usage:
  python hrm_ref.py job.json    run a job (contract below), write a safetensors file, print one
                                JSON line {"torch": version, "num_params": n} to stdout
  python hrm_ref.py --selftest  sanity checks on tiny models (writes only under a temp directory)

job.json: {config (snake_case, see DEFAULTS), weights (safetensors, spec 1.1 keys, no prefix),
batches [list of safetensors with inputs [B,S] / labels [B,S] / puzzle_identifiers [B], int32],
segments, train, seed, optimize, lr, weight_decay, betas, puzzle_emb_lr, puzzle_emb_weight_decay,
threads, output}. Segment k uses batches[k % len(batches)]; the carry persists across segments.
Saved per segment k: s{k}.logits, s{k}.q_halt_logits, s{k}.q_continue_logits,
s{k}.target_q_continue (training only), s{k}.loss (total, before / batch_size),
s{k}.metric.<name> (q_continue_loss only in training), s{k}.carry.{z_H,z_L,steps,halted,inputs,labels,puzzle_identifiers} and, when
optimizing, s{k}.grad.<param> (+ s{k}.grad.puzzle_emb.local_weights) captured after backward and
s{k}.param.<param> (+ s{k}.param.puzzle_emb.weights) after the optimizer steps.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Dict

import torch
import torch.nn.functional as F
from torch import nn
from safetensors.torch import load_file, save_file

IGNORE_LABEL_ID = -100  # spec 3.3
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
DEFAULTS = dict(pos_encodings="rope", rms_norm_eps=1e-5, rope_theta=10000.0, halt_max_steps=16,
                halt_exploration_prob=0.1, forward_dtype="bfloat16",
                loss_type="stablemax_cross_entropy", puzzle_emb_ndim=0, num_puzzle_identifiers=1)


# ---------------------------------------------------------------- spec 1.6: initialisation
def _unit_truncnorm_std(lo: float = -2.0, hi: float = 2.0) -> float:
    """Std of a unit normal truncated to [lo, hi] (= 0.8796256610342398 for [-2, 2])."""
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
    mass = 0.5 * (math.erf(hi / math.sqrt(2)) - math.erf(lo / math.sqrt(2)))
    mean = (pdf(lo) - pdf(hi)) / mass
    return math.sqrt(1 + (lo * pdf(lo) - hi * pdf(hi)) / mass - mean * mean)


def trunc_normal_init_(tensor: torch.Tensor, std: float = 1.0) -> torch.Tensor:
    """Flax-style truncated normal: true std `std` after truncation at +-2 sigma (spec 1.6).

    The op order (uniform_, erfinv_, mul_, clamp_) is part of the contract with the SDK."""
    with torch.no_grad():
        if std == 0:
            return tensor.zero_()
        c = std / _unit_truncnorm_std()
        sqrt2 = math.sqrt(2)
        tensor.uniform_(math.erf(-2 / sqrt2), math.erf(2 / sqrt2))
        tensor.erfinv_()
        tensor.mul_(sqrt2 * c)
        tensor.clamp_(-2 * c, 2 * c)
    return tensor


# ---------------------------------------------------------------- spec 1.2-1.5: layers
class CastedLinear(nn.Module):
    """fp32 master weight [out, in], cast to the input dtype on every call (spec 1.7)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = False):
        super().__init__()
        self.weight = nn.Parameter(trunc_normal_init_(torch.empty(out_features, in_features), 1 / math.sqrt(in_features)))
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, x):
        bias = self.bias.to(x.dtype) if self.bias is not None else None
        return F.linear(x, self.weight.to(x.dtype), bias)


class CastedEmbedding(nn.Module):
    """fp32 table `embedding_weight`, cast to the forward dtype at lookup (spec 1.2)."""

    def __init__(self, num: int, dim: int, init_std: float, cast_to: torch.dtype):
        super().__init__()
        self.cast_to = cast_to
        self.embedding_weight = nn.Parameter(trunc_normal_init_(torch.empty(num, dim), init_std))

    def forward(self, ids):
        return F.embedding(ids, self.embedding_weight.to(self.cast_to))


class CastedSparseEmbedding(nn.Module):
    """Puzzle table: a persistent buffer, trained through a per-batch copy (spec 4.2(b))."""

    def __init__(self, num: int, dim: int, batch_size: int, cast_to: torch.dtype):
        super().__init__()
        self.cast_to = cast_to
        self.register_buffer("weights", torch.zeros(num, dim))  # init std 0 (spec 1.6)
        self.register_buffer("local_weights", torch.zeros(batch_size, dim, requires_grad=True), persistent=False)
        self.register_buffer("local_ids", torch.zeros(batch_size, dtype=torch.int32), persistent=False)

    def forward(self, ids):
        if not self.training:
            return self.weights[ids].to(self.cast_to)
        with torch.no_grad():  # the gradient lands in local_weights.grad
            self.local_weights.copy_(self.weights[ids])
            self.local_ids.copy_(ids)
        return self.local_weights.to(self.cast_to)


def rms_norm(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Parameter-free RMSNorm with fp32 statistics (spec 1.3)."""
    h = x.to(torch.float32)
    h = h * torch.rsqrt(h.square().mean(-1, keepdim=True) + eps)
    return h.to(x.dtype)


class RotaryEmbedding(nn.Module):
    """fp32 cos/sin tables [L, d] of the rotate-half layout (spec 1.4)."""

    def __init__(self, dim: int, max_len: int, theta: float):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
        freqs = torch.outer(torch.arange(max_len, dtype=torch.float32), inv_freq)
        table = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos_cached", table.cos(), persistent=False)
        self.register_buffer("sin_cached", table.sin(), persistent=False)

    def forward(self):
        return self.cos_cached, self.sin_cached


def _rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def apply_rotary(q, k, cos, sin):
    """q, k: [B, L, H, d]; computed in fp32, cast back (spec 1.4)."""
    dtype = q.dtype
    cos, sin = cos.unsqueeze(-2), sin.unsqueeze(-2)
    q, k = q.to(cos.dtype), k.to(cos.dtype)
    q = q * cos + _rotate_half(q) * sin
    k = k * cos + _rotate_half(k) * sin
    return q.to(dtype), k.to(dtype)


class Attention(nn.Module):
    """Fused qkv [Q heads | K heads | V heads], non-causal unmasked SDPA, o_proj (spec 1.4)."""

    def __init__(self, hidden: int, num_heads: int):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, hidden // num_heads
        self.qkv_proj = CastedLinear(hidden, 3 * num_heads * self.head_dim)
        self.o_proj = CastedLinear(num_heads * self.head_dim, hidden)

    def forward(self, x, cos_sin):
        B, L, _ = x.shape
        qkv = self.qkv_proj(x).view(B, L, 3 * self.num_heads, self.head_dim)
        q, k, v = qkv.split(self.num_heads, dim=2)
        if cos_sin is not None:
            q, k = apply_rotary(q, k, *cos_sin)
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=False)
        return self.o_proj(out.transpose(1, 2).reshape(B, L, -1))


def swiglu_width(hidden: int, expansion: float) -> int:
    """round(expansion * D * 2/3) rounded up to a multiple of 256 (spec 1.5)."""
    return -(round(expansion * hidden * 2 / 3) // -256) * 256


class SwiGLU(nn.Module):
    def __init__(self, hidden: int, expansion: float):
        super().__init__()
        inter = swiglu_width(hidden, expansion)
        self.gate_up_proj = CastedLinear(hidden, 2 * inter)
        self.down_proj = CastedLinear(inter, hidden)

    def forward(self, x):
        gate, up = self.gate_up_proj(x).chunk(2, dim=-1)
        return self.down_proj(F.silu(gate) * up)


class Block(nn.Module):
    """Post-norm block: h = norm(h + attn(h)); h = norm(h + mlp(h)) (spec 1.3)."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.eps = cfg["rms_norm_eps"]
        self.self_attn = Attention(cfg["hidden_size"], cfg["num_heads"])
        self.mlp = SwiGLU(cfg["hidden_size"], cfg["expansion"])

    def forward(self, h, cos_sin):
        h = rms_norm(h + self.self_attn(h, cos_sin), self.eps)
        return rms_norm(h + self.mlp(h), self.eps)


class ReasoningModule(nn.Module):
    """f(h, inj): input injection by addition, then the blocks (spec 1.3)."""

    def __init__(self, cfg: dict, num_layers: int):
        super().__init__()
        self.layers = nn.ModuleList(Block(cfg) for _ in range(num_layers))

    def forward(self, h, injection, cos_sin):
        h = h + injection
        for layer in self.layers:
            h = layer(h, cos_sin)
        return h


# ---------------------------------------------------------------- spec 1.1, 1.8, 2: inner model
@dataclass
class InnerCarry:
    z_H: torch.Tensor
    z_L: torch.Tensor


class HRMInner(nn.Module):
    """State-dict keys exactly as spec 1.1. Submodules are created in the reference's order
    (embed_tokens, lm_head, q_head, puzzle_emb, rotary/embed_pos, H_level, L_level, H_init,
    L_init), which fixes how the init consumes the RNG."""

    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        D = cfg["hidden_size"]
        self.dtype = DTYPES[cfg["forward_dtype"]]
        self.embed_scale = math.sqrt(D)
        self.embed_tokens = CastedEmbedding(cfg["vocab_size"], D, 1 / self.embed_scale, self.dtype)
        self.lm_head = CastedLinear(D, cfg["vocab_size"])
        self.q_head = CastedLinear(D, 2, bias=True)
        self.puzzle_emb_len = -(cfg["puzzle_emb_ndim"] // -D)  # P = ceil(ndim / D) (spec 1.2)
        self.seq_len = cfg["seq_len"] + self.puzzle_emb_len      # L = P + S
        if cfg["puzzle_emb_ndim"] > 0:
            self.puzzle_emb = CastedSparseEmbedding(cfg["num_puzzle_identifiers"], cfg["puzzle_emb_ndim"], cfg["batch_size"], self.dtype)
        if cfg["pos_encodings"] == "rope":
            self.rotary_emb = RotaryEmbedding(D // cfg["num_heads"], self.seq_len, cfg["rope_theta"])
        elif cfg["pos_encodings"] == "learned":
            self.embed_pos = CastedEmbedding(self.seq_len, D, 1 / self.embed_scale, self.dtype)
        else:
            raise ValueError(f"pos_encodings {cfg['pos_encodings']!r}")
        self.H_level = ReasoningModule(cfg, cfg["H_layers"])
        self.L_level = ReasoningModule(cfg, cfg["L_layers"])
        self.register_buffer("H_init", trunc_normal_init_(torch.empty(D, dtype=self.dtype), 1.0))
        self.register_buffer("L_init", trunc_normal_init_(torch.empty(D, dtype=self.dtype), 1.0))
        with torch.no_grad():  # spec 1.6: Q head starts at zero weight, bias -5
            self.q_head.weight.zero_()
            self.q_head.bias.fill_(-5.0)

    def input_embeddings(self, inputs, puzzle_identifiers):
        """Tokens, puzzle prefix, positions, then the sqrt(D) scale (spec 1.2, pitfall 3)."""
        D = self.cfg["hidden_size"]
        emb = self.embed_tokens(inputs)
        if self.cfg["puzzle_emb_ndim"] > 0:
            pe = self.puzzle_emb(puzzle_identifiers)
            pad = self.puzzle_emb_len * D - pe.shape[-1]
            if pad > 0:
                pe = F.pad(pe, (0, pad))
            emb = torch.cat((pe.view(-1, self.puzzle_emb_len, D), emb), dim=-2)
        if self.cfg["pos_encodings"] == "learned":
            emb = 0.707106781 * (emb + self.embed_pos.embedding_weight.to(self.dtype))
        return self.embed_scale * emb

    def empty_carry(self, batch_size: int) -> InnerCarry:
        # The reference uses torch.empty; zeros give the same results (rows are reset by
        # selection before use) and keep runs bit-reproducible.
        shape = (batch_size, self.seq_len, self.cfg["hidden_size"])
        return InnerCarry(torch.zeros(shape, dtype=self.dtype), torch.zeros(shape, dtype=self.dtype))

    def reset_carry(self, reset: torch.Tensor, carry: InnerCarry) -> InnerCarry:
        """Rows where `reset` is set restart from H_init / L_init (spec 2)."""
        flag = reset.view(-1, 1, 1)
        return InnerCarry(torch.where(flag, self.H_init, carry.z_H), torch.where(flag, self.L_init, carry.z_L))

    def forward(self, carry: InnerCarry, data: Dict[str, torch.Tensor]):
        """One segment: N*T L-calls and N H-calls, only the last of each with grad (spec 2)."""
        N, T = self.cfg["H_cycles"], self.cfg["L_cycles"]
        cos_sin = self.rotary_emb() if hasattr(self, "rotary_emb") else None
        x = self.input_embeddings(data["inputs"], data["puzzle_identifiers"])
        z_H, z_L = carry.z_H, carry.z_L
        # ours: backprop "last-cycle" gives every update of the last H cycle gradient
        first_grad = 0 if self.cfg.get("backprop", "one-step") == "last-cycle" else T - 1
        with torch.no_grad():
            for i in range(N):
                for j in range(T):
                    if not (i == N - 1 and j >= first_grad):
                        z_L = self.L_level(z_L, z_H + x, cos_sin)
                if i != N - 1:
                    z_H = self.H_level(z_H, z_L, cos_sin)
        for _ in range(first_grad, T):  # the "1-step gradient" pair when first_grad = T - 1
            z_L = self.L_level(z_L, z_H + x, cos_sin)
        z_H = self.H_level(z_H, z_L, cos_sin)
        logits = self.lm_head(z_H)[:, self.puzzle_emb_len:]
        q = self.q_head(z_H[:, 0]).to(torch.float32)  # spec 1.8: position 0, fp32
        return InnerCarry(z_H.detach(), z_L.detach()), logits, q[..., 0], q[..., 1]


# ---------------------------------------------------------------- spec 3.1-3.2: ACT wrapper
@dataclass
class ACTCarry:
    inner_carry: InnerCarry
    steps: torch.Tensor                      # int32 [B]
    halted: torch.Tensor                     # bool [B]
    current_data: Dict[str, torch.Tensor]


class HRMACT(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        self.cfg = cfg
        self.inner = HRMInner(cfg)

    def initial_carry(self, batch: Dict[str, torch.Tensor]) -> ACTCarry:
        B = batch["inputs"].shape[0]
        return ACTCarry(self.inner.empty_carry(B), torch.zeros(B, dtype=torch.int32),
                        torch.ones(B, dtype=torch.bool), {k: torch.zeros_like(v) for k, v in batch.items()})

    def forward(self, carry: ACTCarry, batch: Dict[str, torch.Tensor]):
        max_steps = self.cfg["halt_max_steps"]
        inner_carry = self.inner.reset_carry(carry.halted, carry.inner_carry)
        steps = torch.where(carry.halted, 0, carry.steps)
        # Halted rows take the new example; the others keep theirs (spec 3.2 step 2).
        data = {k: torch.where(carry.halted.view((-1,) + (1,) * (batch[k].ndim - 1)), batch[k], v)
                for k, v in carry.current_data.items()}
        inner_carry, logits, q_halt, q_continue = self.inner(inner_carry, data)
        outputs = {"logits": logits, "q_halt_logits": q_halt, "q_continue_logits": q_continue}
        with torch.no_grad():
            steps = steps + 1
            is_last = steps >= max_steps
            halted = is_last
            if self.training and max_steps > 1:  # spec 3.2 step 5 (never in evaluation)
                halted = halted | (q_halt > q_continue)
                explore = torch.rand_like(q_halt) < self.cfg["halt_exploration_prob"]
                min_halt_steps = explore * torch.randint_like(steps, low=2, high=max_steps + 1)
                halted = halted & (steps >= min_halt_steps)
                # Bootstrapped Q-continue target: second full forward from the NEW carry.
                _, _, next_halt, next_continue = self.inner(inner_carry, data)
                outputs["target_q_continue"] = torch.sigmoid(
                    torch.where(is_last, next_halt, torch.maximum(next_halt, next_continue)))
        return ACTCarry(inner_carry, steps, halted, data), outputs


# ---------------------------------------------------------------- spec 3.3-3.4: losses, metrics
def stablemax_cross_entropy(logits, labels):
    """-log stablemax(logits)[label] in float64; 0 at ignored positions (spec 3.3)."""
    x = logits.to(torch.float64)
    s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1)
    logp = torch.log(s / s.sum(-1, keepdim=True))
    valid = labels != IGNORE_LABEL_ID
    idx = torch.where(valid, labels, 0).to(torch.long).unsqueeze(-1)
    return -torch.where(valid, logp.gather(-1, idx).squeeze(-1), 0)


def softmax_cross_entropy(logits, labels):
    V = logits.shape[-1]
    return F.cross_entropy(logits.to(torch.float32).reshape(-1, V), labels.to(torch.long).reshape(-1),
                           ignore_index=IGNORE_LABEL_ID, reduction="none").view(labels.shape)


LOSSES = {"stablemax_cross_entropy": stablemax_cross_entropy, "softmax_cross_entropy": softmax_cross_entropy}


class ACTLossHead(nn.Module):
    """Runs one ACT step and returns (carry, total loss, metric sums, outputs)."""

    def __init__(self, model: HRMACT):
        super().__init__()
        self.model = model
        self.loss_fn = LOSSES[model.cfg["loss_type"]]

    def forward(self, carry: ACTCarry, batch):
        carry, out = self.model(carry, batch)
        labels = carry.current_data["labels"]
        with torch.no_grad():
            mask = labels != IGNORE_LABEL_ID
            counts = mask.sum(-1)
            divisor = counts.clamp_min(1).unsqueeze(-1)
            is_correct = mask & (out["logits"].argmax(-1) == labels)
            seq_correct = is_correct.sum(-1) == counts           # count 0 -> correct
            valid = carry.halted & (counts > 0)                   # spec 3.4
            metrics = {
                "count": valid.sum(),
                "accuracy": torch.where(valid, (is_correct.to(torch.float32) / divisor).sum(-1), 0).sum(),
                "exact_accuracy": (valid & seq_correct).sum(),
                "q_halt_accuracy": (valid & ((out["q_halt_logits"] >= 0) == seq_correct)).sum(),
                "steps": torch.where(valid, carry.steps, 0).sum(),
            }
        lm_loss = (self.loss_fn(out["logits"], labels) / divisor).sum()
        q_halt_loss = F.binary_cross_entropy_with_logits(
            out["q_halt_logits"], seq_correct.to(out["q_halt_logits"].dtype), reduction="sum")
        metrics["lm_loss"], metrics["q_halt_loss"] = lm_loss.detach(), q_halt_loss.detach()
        q_continue_loss = 0
        if "target_q_continue" in out:
            q_continue_loss = F.binary_cross_entropy_with_logits(
                out["q_continue_logits"], out["target_q_continue"], reduction="sum")
            metrics["q_continue_loss"] = q_continue_loss.detach()
        total = lm_loss + 0.5 * (q_halt_loss + q_continue_loss)
        return carry, total, metrics, {k: v.detach() for k, v in out.items()}


# ---------------------------------------------------------------- spec 4.2-4.3: optimizers
class AdamATan2(torch.optim.Optimizer):
    """Adam with atan2 instead of m / (sqrt(v) + eps); "lr/bc1 outside" form (spec 4.2(a))."""

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, wd, (b1, b2) = group["lr"], group["weight_decay"], group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                st = self.state[p]
                if not st:
                    st["step"], st["exp_avg"], st["exp_avg_sq"] = 0, torch.zeros_like(p), torch.zeros_like(p)
                st["step"] += 1
                g, m, v, t = p.grad, st["exp_avg"], st["exp_avg_sq"], st["step"]
                p.mul_(1 - lr * wd)                      # decoupled decay first
                m.add_((g - m) * (1 - b1))
                v.add_((g * g - v) * (1 - b2))
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                p.sub_((lr / bc1) * torch.atan2(m, v.sqrt() / math.sqrt(bc2)))


class SparseSignSGD:
    """Single-process SignSGD on the puzzle table's touched rows (spec 4.2(b))."""

    def __init__(self, emb: CastedSparseEmbedding, lr: float, weight_decay: float):
        self.emb, self.lr, self.weight_decay = emb, lr, weight_decay

    @torch.no_grad()
    def step(self):
        grad = self.emb.local_weights.grad
        if grad is None:  # nothing reached the table (e.g. eval-mode forward); TRM also skips
            return
        ids, inverse = self.emb.local_ids.unique(return_inverse=True)
        summed = torch.zeros(ids.shape[0], grad.shape[1], dtype=grad.dtype)
        summed.index_add_(0, inverse, grad)                  # duplicate ids: sum before sign
        rows = self.emb.weights[ids]
        rows = rows * (1 - self.lr * self.weight_decay) - self.lr * torch.sign(summed)
        self.emb.weights[ids] = rows


def lr_schedule(step: int, base_lr: float, warmup_steps: int, total_steps: int, min_ratio: float = 1.0) -> float:
    """Linear warmup, then cosine to min_ratio * base (constant when min_ratio = 1) (spec 4.3)."""
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return base_lr * (min_ratio + max(0.0, (1 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))))


# ---------------------------------------------------------------- the job runner
def build_model(config: dict) -> ACTLossHead:
    return ACTLossHead(HRMACT({**DEFAULTS, **config}))


def _t(v):
    """Saved form: detached contiguous CPU copy; scalars (python or 0-d) as 0-d float64."""
    if not isinstance(v, torch.Tensor) or v.dim() == 0:
        return torch.as_tensor(v).detach().to(torch.float64).cpu().clone()
    return v.detach().cpu().contiguous().clone()


def run_job(job: dict, build=None) -> dict:
    """Runs a job (contract above); `build` makes the loss head from the config (default: HRM's)."""
    torch.set_num_threads(int(job.get("threads", 1)))
    head = (build or build_model)(job["config"])
    inner = head.model.inner
    weights = load_file(job["weights"])
    for key, ref in inner.state_dict().items():  # no silent casts (H_init/L_init: forward dtype)
        if key in weights and weights[key].dtype != ref.dtype:
            raise ValueError(f"{key}: dtype {weights[key].dtype} in the file, the model holds {ref.dtype}")
    inner.load_state_dict(weights, strict=True)  # every persistent key, nothing else
    torch.manual_seed(int(job.get("seed", 0)))
    head.train(bool(job.get("train", True)))
    optimize = bool(job.get("optimize", False))
    batches = [load_file(p) for p in job["batches"]]
    B = inner.cfg["batch_size"]
    pe = getattr(inner, "puzzle_emb", None)
    if optimize:
        adam = AdamATan2(inner.parameters(), lr=job["lr"], betas=job.get("betas", (0.9, 0.95)),
                         weight_decay=job.get("weight_decay", 0.0))
        sparse = SparseSignSGD(pe, job["puzzle_emb_lr"], job.get("puzzle_emb_weight_decay", 0.0)) if pe is not None else None
    out, carry = {}, None
    for k in range(int(job["segments"])):
        batch = {key: batches[k % len(batches)][key] for key in ("inputs", "labels", "puzzle_identifiers")}
        assert batch["inputs"].shape[0] == B, "every batch must have exactly batch_size rows"
        if carry is None:
            carry = head.model.initial_carry(batch)
        with torch.set_grad_enabled(optimize):
            carry, loss, metrics, outputs = head(carry, batch)
        p = f"s{k}."
        for name, v in outputs.items():
            out[p + name] = _t(v)
        out[p + "loss"] = _t(loss)
        for name, v in metrics.items():
            out[p + "metric." + name] = _t(v)
        out[p + "carry.z_H"], out[p + "carry.z_L"] = _t(carry.inner_carry.z_H), _t(carry.inner_carry.z_L)
        out[p + "carry.steps"], out[p + "carry.halted"] = _t(carry.steps), _t(carry.halted)
        for name, v in carry.current_data.items():
            out[p + "carry." + name] = _t(v)
        if optimize:
            (loss / B).backward()
            for name, param in inner.named_parameters():
                if param.grad is not None:
                    out[p + "grad." + name] = _t(param.grad)
            if pe is not None and pe.local_weights.grad is not None:
                out[p + "grad.puzzle_emb.local_weights"] = _t(pe.local_weights.grad)
            if sparse is not None:
                sparse.step()
            adam.step()
            for param in inner.parameters():
                param.grad = None
            if pe is not None:
                pe.local_weights.grad = None
            for name, param in inner.named_parameters():
                out[p + "param." + name] = _t(param)
            if pe is not None:
                out[p + "param.puzzle_emb.weights"] = _t(pe.weights)
    save_file(out, job["output"])
    return {"torch": torch.__version__, "num_params": sum(x.numel() for x in inner.parameters())}


# ---------------------------------------------------------------- self-test
def _selftest():
    """Tiny models through the job path; checks sanity, halting/reset semantics, determinism."""
    torch.set_num_threads(1)
    assert abs(_unit_truncnorm_std() - 0.8796256610342398) < 1e-15
    x = trunc_normal_init_(torch.empty(200000), 0.5)
    assert abs(x.std().item() - 0.5) < 5e-3 and x.abs().max().item() <= 2 * 0.5 / 0.8796256610342398 + 1e-6
    assert [lr_schedule(s, 1.0, 10, 100, 0.1) for s in (1, 10, 100)] == [0.1, 1.0, 0.1]
    tiny = dict(batch_size=4, seq_len=16, puzzle_emb_ndim=64, num_puzzle_identifiers=5, vocab_size=10,
                H_cycles=2, L_cycles=2, H_layers=2, L_layers=2, hidden_size=64, expansion=4, num_heads=2,
                pos_encodings="rope", halt_max_steps=3, halt_exploration_prob=0.5, forward_dtype="float32")
    arc = dict(tiny, hidden_size=512, num_heads=8, H_layers=4, L_layers=4, vocab_size=12, seq_len=900,
               puzzle_emb_ndim=512, num_puzzle_identifiers=1, batch_size=1, forward_dtype="bfloat16")
    n_arc = sum(q.numel() for q in build_model(arc).parameters())
    assert n_arc == 27_276_290, n_arc
    # Call counts of spec 2: N*T L-calls and N H-calls per inner forward.
    m = build_model(dict(tiny, H_cycles=3, L_cycles=2)).model.inner
    calls = []
    m.L_level.register_forward_hook(lambda *a: calls.append("L"))
    m.H_level.register_forward_hook(lambda *a: calls.append("H"))
    m(m.reset_carry(torch.ones(4, dtype=torch.bool), m.empty_carry(4)),
      {"inputs": torch.zeros(4, 16, dtype=torch.int32), "puzzle_identifiers": torch.zeros(4, dtype=torch.int32)})
    assert "".join(calls) == "LLHLLHLLH", calls

    tmp = tempfile.mkdtemp(prefix="hrm-ref-selftest-")
    g = torch.Generator().manual_seed(123)
    batches = []
    for i in range(2):
        labels = torch.randint(0, 10, (4, 16), generator=g, dtype=torch.int32)
        labels[:, -3:] = IGNORE_LABEL_ID
        if i == 1:
            labels[0, :] = IGNORE_LABEL_ID  # an all-ignored row (never counted in metrics)
        batches.append(os.path.join(tmp, f"b{i}.safetensors"))
        save_file({"inputs": torch.randint(0, 10, (4, 16), generator=g, dtype=torch.int32), "labels": labels,
                   "puzzle_identifiers": torch.tensor([1, 3, 1, 2], dtype=torch.int32) + i}, batches[-1])

    def run(name, cfg, train=True, optimize=True, cli=False, segments=3, q_std=0.0):
        torch.manual_seed(7)
        sd = {k: v.contiguous() for k, v in build_model(cfg).model.inner.state_dict().items()}
        if q_std:  # a non-zero Q head, so that some rows halt early on their own
            sd["q_head.weight"] = torch.randn(sd["q_head.weight"].shape, generator=g) * q_std
        w = os.path.join(tmp, f"{name}.w.safetensors")
        save_file(sd, w)
        job = dict(config=cfg, weights=w, batches=batches, segments=segments, train=train, seed=0, optimize=optimize,
                   lr=1e-3, weight_decay=0.1, betas=[0.9, 0.95], puzzle_emb_lr=1e-2, puzzle_emb_weight_decay=0.1,
                   threads=1, output=os.path.join(tmp, f"{name}.out.safetensors"))
        if cli:
            json.dump(job, open(os.path.join(tmp, f"{name}.job.json"), "w"))
            r = subprocess.run([sys.executable, os.path.abspath(__file__), os.path.join(tmp, f"{name}.job.json")],
                               capture_output=True, text=True, check=True)
            info = json.loads(r.stdout)
        else:
            info = run_job(job)
        o, w0 = load_file(job["output"]), load_file(w)
        early = 0
        for k in range(segments):
            p, q = f"s{k}.", f"s{k - 1}."
            assert torch.isfinite(o[p + "loss"]) and o[p + "logits"].shape == (4, 16, 10), name
            steps, halted = o[p + "carry.steps"], o[p + "carry.halted"]
            assert steps.dtype == torch.int32 and halted.dtype == torch.bool
            assert bool(((steps >= 1) & (steps <= 3)).all() and halted[steps == 3].all()), (name, k)
            early += int((halted & (steps < 3)).sum())
            if train:  # a row halts early only when q_halt > q_continue
                assert bool((halted <= ((steps == 3) | (o[p + "q_halt_logits"] > o[p + "q_continue_logits"]))).all())
            else:
                assert "target_q_continue" not in o and bool((halted == (steps == 3)).all()), name
            if k > 0:  # spec 3.2: halted rows restart on the new batch, the others keep their example
                was = o[q + "carry.halted"]
                new = load_file(batches[k % 2])
                assert bool((steps == torch.where(was, 1, o[q + "carry.steps"] + 1)).all()), (name, k)
                for key in ("inputs", "labels", "puzzle_identifiers"):
                    exp = torch.where(was.view((-1,) + (1,) * (new[key].ndim - 1)), new[key], o[q + "carry." + key])
                    assert torch.equal(o[p + "carry." + key], exp), (name, k, key)
            if optimize:
                for lvl in ("L_level", "H_level", "lm_head", "embed_tokens"):
                    key = next(n for n in o if n.startswith(p + "grad." + lvl))
                    assert o[key].abs().sum() > 0, (name, key)
                if cfg["puzzle_emb_ndim"] > 0 and train:  # exactly the rows of this segment's ids move
                    before = w0["puzzle_emb.weights"] if k == 0 else o[q + "param.puzzle_emb.weights"]
                    touched = torch.zeros(5, dtype=torch.bool)
                    touched[o[p + "carry.puzzle_identifiers"].long()] = True
                    assert torch.equal((o[p + "param.puzzle_emb.weights"] != before).any(-1), touched), (name, k)
        print(f"selftest {name}: ok, num_params={info['num_params']}, early halts={early}, losses="
              + ", ".join(f"{o[f's{k}.loss'].item():.4f}" for k in range(segments)))
        return o

    run("rope", tiny, cli=True, segments=5)
    run("learned", dict(tiny, pos_encodings="learned"))
    run("nopuzzle", dict(tiny, puzzle_emb_ndim=0))
    run("eval", tiny, train=False, optimize=False, segments=4)
    run("softmax_pad", dict(tiny, puzzle_emb_ndim=40, loss_type="softmax_cross_entropy"))
    run("bf16", dict(tiny, forward_dtype="bfloat16"))
    o1 = run("qhalt", tiny, segments=6, q_std=1.0)
    o2 = run("qhalt", tiny, segments=6, q_std=1.0)  # different Q weights (generator moved on)
    assert not torch.equal(o1["s0.q_halt_logits"], o2["s0.q_halt_logits"])
    a, b = run("det", tiny, segments=4), run("det", tiny, segments=4)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), "not deterministic"
    shutil.rmtree(tmp)
    print(f"selftest: all ok (ARC default config: {n_arc} parameters)")


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--selftest":
        _selftest()
        return
    if len(sys.argv) != 2:
        sys.exit("usage: python hrm_ref.py job.json | --selftest")
    info = run_job(json.load(open(sys.argv[1])))
    print(json.dumps(info))


if __name__ == "__main__":
    main()
