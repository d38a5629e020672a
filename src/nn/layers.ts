/**
 * The layers HRM (and TRM) are built from, with the reference's parameter names (hrm-spec 1):
 * casted linear and embedding layers (fp32 master weights cast to the activation dtype at every
 * call, spec 1.7), rotary embeddings, fused-qkv non-causal attention, SwiGLU and the post-norm
 * Transformer block, with TRM's MLP-mixer variant (its parameter-free RMSNorm is the functional
 * `rmsNorm`). The layers run in scopes so temporaries are freed as soon as a layer returns: the
 * working set stays small and in cache; autograd keeps what backward needs by itself.
 * @module
 */
import { DType, Device } from '../tensor/dtype';
import { cat, embedding, linear, rmsNorm, scaledDotProductAttention } from '../tensor/functional';
import { arange, empty, zeros } from '../tensor/creation';
import { Tensor, checkTensor } from '../tensor/tensor';
import { scope } from '../tensor/scope';
import { noGrad } from '../tensor/autograd';
import { Module } from './module';
import { describeValue, invalidArgument } from '../util/errors';
import { lecunNormal_, truncNormal_ } from './init';

/** Options every layer constructor accepts. */
export interface LayerOptions {
  /** where the parameters are created */
  device?: Device;
}

/** Bias-free (optionally biased) linear layer; the fp32 weight is cast to the input's dtype at each call. */
export class CastedLinear extends Module {
  private readonly hasBias: boolean;
  constructor(inFeatures: number, outFeatures: number, opts: LayerOptions & { bias?: boolean } = {}) {
    super();
    // spec 1.6: LeCun truncated normal, std 1/sqrt(in); bias zero.
    this.registerParameter('weight', lecunNormal_(empty([outFeatures, inFeatures], { device: opts.device }), inFeatures));
    this.hasBias = !!opts.bias;
    if (opts.bias) this.registerParameter('bias', zeros([outFeatures], { device: opts.device }));
  }
  // Getters, not fields: Module.to() may replace the tensors.
  /** The fp32 master weight [out, in]. */
  get weight(): Tensor {
    return this.tensor('weight');
  }
  /** The bias [out], when the layer has one. */
  get bias(): Tensor | undefined {
    return this.hasBias ? this.tensor('bias') : undefined;
  }
  /** x W^T (+ b), with the weights cast to x's dtype: [..., in] -> [..., out]. */
  forward(x: Tensor): Tensor {
    const w = this.weight.dtype === x.dtype ? this.weight : this.weight.to(x.dtype);
    const b = this.bias === undefined ? undefined : this.bias.dtype === x.dtype ? this.bias : this.bias.to(x.dtype);
    return linear(x, w, b);
  }
}

/** Embedding table (`embedding_weight`), cast to `castTo` at lookup. */
export class CastedEmbedding extends Module {
  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    /** the dtype the table is cast to at lookup */
    readonly castTo: DType,
    opts: LayerOptions & { initStd: number },
  ) {
    super();
    if (opts === null || typeof opts !== 'object' || typeof opts.initStd !== 'number') {
      throw invalidArgument(`CastedEmbedding: opts must be an object with a number initStd, got ${describeValue(opts)}`);
    }
    this.registerParameter('embedding_weight', truncNormal_(empty([numEmbeddings, embeddingDim], { device: opts.device }), opts.initStd));
  }
  /** The fp32 table [numEmbeddings, embeddingDim]. */
  get weight(): Tensor {
    return this.tensor('embedding_weight');
  }
  /** The rows for integer ids: [...] -> [..., embeddingDim], in `castTo`. */
  forward(ids: Tensor): Tensor {
    const w = this.weight.dtype === this.castTo ? this.weight : this.weight.to(this.castTo);
    return embedding(ids, w);
  }
}

/** Rotary position embedding tables (non-persistent cos/sin buffers [L, d], fp32). */
export class RotaryEmbedding extends Module {
  constructor(dim: number, maxPositions: number, base: number, opts: LayerOptions = {}) {
    super();
    const [cos, sin] = scope(() => noGrad(() => {
      // inverse frequencies base^(-2i/dim), i < dim/2: [dim/2]
      const invFreq = arange(0, dim, 2, { dtype: 'float32', device: opts.device }).div(dim).mul(Math.log(base)).exp().reciprocal();
      const positions = arange(0, maxPositions, 1, { dtype: 'float32', device: opts.device }); // [L]
      const freqs = positions.unsqueeze(1).mul(invFreq.unsqueeze(0)); // [L, 1] * [1, dim/2] -> [L, dim/2]
      const emb = cat([freqs, freqs], -1); // [L, dim]: both halves rotate at the same frequencies
      return [emb.cos(), emb.sin()];
    }));
    this.registerBuffer('cos_cached', cos, { persistent: false });
    this.registerBuffer('sin_cached', sin, { persistent: false });
  }
  /** cos of each position's angles [maxPositions, dim]. */
  get cos(): Tensor {
    return this.tensor('cos_cached');
  }
  /** sin of each position's angles [maxPositions, dim]. */
  get sin(): Tensor {
    return this.tensor('sin_cached');
  }
}

// [..., d] -> [..., d]: (x1, x2) -> (-x2, x1) over the two halves of the last dim.
function rotateHalf(x: Tensor): Tensor {
  const half = x.size(-1) / 2;
  return cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
}

/** Applies rotary embeddings to q or k of shape [B, L, H, d] (fp32 math, result in q's dtype). */
export function applyRotary(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  checkTensor(x, 'applyRotary(): x');
  checkTensor(cos, 'applyRotary(): cos');
  checkTensor(sin, 'applyRotary(): sin');
  return scope(() => {
    const dtype = x.dtype;
    const xf = dtype === 'float32' ? x : x.to('float32');
    const L = x.size(1);
    const d = x.size(-1);
    // [maxPositions, d] -> the first L positions [L, d] -> [L, 1, d], broadcast over B and H
    const c = cos.narrow(0, 0, L).view(L, 1, d);
    const s = sin.narrow(0, 0, L).view(L, 1, d);
    const out = xf.mul(c).add(rotateHalf(xf).mul(s)); // [B, L, H, d]
    return dtype === 'float32' ? out : out.to(dtype);
  });
}

/** Multi-head self-attention with one fused qkv projection, non-causal and unmasked (spec 1.4). */
export class Attention extends Module {
  /** the fused projection to queries, keys and values: hidden -> (H + 2 KV) * headDim */
  readonly qkvProj: CastedLinear;
  /** the output projection: H * headDim -> hidden */
  readonly oProj: CastedLinear;
  constructor(
    /** the model width */
    readonly hiddenSize: number,
    /** the width of one head */
    readonly headDim: number,
    /** query heads */
    readonly numHeads: number,
    /** key/value heads (fewer than numHeads for grouped-query attention) */
    readonly numKeyValueHeads: number,
    opts: LayerOptions & { causal?: boolean } = {},
  ) {
    super();
    this.causal = opts.causal ?? false;
    this.qkvProj = this.registerModule('qkv_proj', new CastedLinear(hiddenSize, (numHeads + 2 * numKeyValueHeads) * headDim, opts));
    this.oProj = this.registerModule('o_proj', new CastedLinear(numHeads * headDim, hiddenSize, opts));
  }
  private readonly causal: boolean;

  /** Self-attention over the sequence, rotary-embedded when `rotary` is given: [B, L, hidden] -> [B, L, hidden]. */
  forward(x: Tensor, rotary?: RotaryEmbedding): Tensor {
    return scope(() => this.attend(x, rotary));
  }

  private attend(x: Tensor, rotary?: RotaryEmbedding): Tensor {
    const [B, L] = x.shape;
    const H = this.numHeads;
    const KV = this.numKeyValueHeads;
    const d = this.headDim;
    // [B, L, (H + 2KV) * d] -> [B, L, H + 2KV, d]; head slots: queries, then keys, then values.
    const qkv = this.qkvProj.forward(x).view(B, L, H + 2 * KV, d);
    let q = qkv.narrow(2, 0, H); // [B, L, H, d]
    let k = qkv.narrow(2, H, KV); // [B, L, KV, d]
    const v = qkv.narrow(2, H + KV, KV); // [B, L, KV, d]
    if (rotary) {
      q = applyRotary(q, rotary.cos, rotary.sin);
      k = applyRotary(k, rotary.cos, rotary.sin);
    }
    // heads first for attention: [B, L, heads, d] -> [B, heads, L, d]; out is [B, H, L, d]
    const out = scaledDotProductAttention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), {
      isCausal: this.causal,
      enableGqa: KV !== H,
    });
    // [B, H, L, d] -> [B, L, H, d] -> [B, L, H * d] -> o_proj -> [B, L, hidden]
    return this.oProj.forward(out.transpose(1, 2).reshape(B, L, H * d));
  }
}

/** Intermediate width of SwiGLU: round(expansion * hidden * 2/3) rounded up to a multiple of 256 (spec 1.5). */
export function swigluWidth(hiddenSize: number, expansion: number): number {
  const inter = Math.round((expansion * hiddenSize * 2) / 3);
  return Math.ceil(inter / 256) * 256;
}

/** SwiGLU MLP: gate_up_proj -> [gate | up] -> down_proj(silu(gate) * up). */
export class SwiGLU extends Module {
  /** hidden -> [gate | up], 2 * inter wide */
  readonly gateUpProj: CastedLinear;
  /** inter -> hidden */
  readonly downProj: CastedLinear;
  constructor(hiddenSize: number, expansion: number, opts: LayerOptions = {}) {
    super();
    const inter = swigluWidth(hiddenSize, expansion);
    this.gateUpProj = this.registerModule('gate_up_proj', new CastedLinear(hiddenSize, 2 * inter, opts));
    this.downProj = this.registerModule('down_proj', new CastedLinear(inter, hiddenSize, opts));
  }
  /** down_proj(silu(gate) * up): [..., hidden] -> [..., hidden]. */
  forward(x: Tensor): Tensor {
    return scope(() => {
      const [gate, up] = this.gateUpProj.forward(x).chunk(2, -1); // [..., 2 * inter] -> 2 x [..., inter]
      return this.downProj.forward(gate.silu().mul(up));
    });
  }
}

/** What a {@link TransformerBlock} is built from (HRM's and TRM's configs both fit). */
export interface TransformerBlockConfig {
  /** the model width D */
  hiddenSize: number;
  /** attention heads */
  numHeads: number;
  /** SwiGLU width factor */
  expansion: number;
  /** RMSNorm epsilon */
  rmsNormEps: number;
  /**
   * TRM's MLP-mixer variant (hrm-spec 8): the sequence length L, when the attention sublayer is
   * replaced by a SwiGLU over the sequence axis (`mlp_t`); absent for attention.
   */
  mixerSeqLen?: number;
}

/**
 * Post-norm Transformer block: h = norm(h + attn(h)); h = norm(h + mlp(h)) (spec 1.3). In the
 * MLP-mixer variant (spec 8) the first sublayer mixes positions instead: a SwiGLU over the
 * sequence axis of h^T [B, D, L], with its RMSNorm over that axis too.
 */
export class TransformerBlock extends Module {
  /** the attention sublayer (absent in the MLP-mixer variant) */
  readonly selfAttn?: Attention;
  /** the MLP-mixer variant's token-mixing sublayer, L -> L (state-dict name `mlp_t`) */
  readonly mlpT?: SwiGLU;
  /** the feed-forward sublayer */
  readonly mlp: SwiGLU;
  constructor(cfg: TransformerBlockConfig, opts: LayerOptions = {}) {
    super();
    this.eps = cfg.rmsNormEps;
    if (cfg.mixerSeqLen !== undefined) {
      this.mlpT = this.registerModule('mlp_t', new SwiGLU(cfg.mixerSeqLen, cfg.expansion, opts));
    } else {
      const headDim = cfg.hiddenSize / cfg.numHeads;
      this.selfAttn = this.registerModule('self_attn', new Attention(cfg.hiddenSize, headDim, cfg.numHeads, cfg.numHeads, opts));
    }
    this.mlp = this.registerModule('mlp', new SwiGLU(cfg.hiddenSize, cfg.expansion, opts));
  }
  private readonly eps: number;
  /** One block over hidden states [B, L, hidden] (`rotary` is unused by the MLP-mixer variant). */
  forward(h: Tensor, rotary?: RotaryEmbedding): Tensor {
    return scope(() => {
      const a = this.mlpT ? this.mixTokens(h) : rmsNorm(h.add(this.selfAttn!.forward(h, rotary)), { eps: this.eps });
      return rmsNorm(a.add(this.mlp.forward(a)), { eps: this.eps });
    });
  }
  // [B, L, D] -> [B, D, L]: SwiGLU and RMSNorm over the positions, then back to [B, L, D].
  private mixTokens(h: Tensor): Tensor {
    const t = h.transpose(1, 2);
    return rmsNorm(t.add(this.mlpT!.forward(t)), { eps: this.eps }).transpose(1, 2);
  }
}
