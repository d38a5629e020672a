/**
 * A small seeded pseudo-random generator for the dataset builders.
 *
 * The reference builders draw from numpy's global RNG; we cannot reproduce numpy's stream bit for bit
 * (hrm-spec 6: only the deterministic parts of a build are compared with the reference), so what matters
 * here is that a build is reproducible from its seed and independent of Math.random.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna), 32-bit state words, seeded through splitmix32 so that
 * nearby seeds (0, 1, 2, ...) give unrelated streams and the all-zero state cannot occur.
 * @module
 */
import { describeValue, invalidArgument } from '../util/errors';

/** splitmix32 step: a well-mixed 32-bit value from a counter; used only to expand the seed. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw invalidArgument(`Rng.${what}: expected a non-negative integer, got ${n}`);
}

/** Anything indexable with a length that can be written to: a JS array or a typed array. */
export interface ArrayLikeMutable {
  /** element count */
  length: number;
  [i: number]: unknown;
}

/**
 * Seeded PRNG. The API is stable: `next`, `uint32`, `int`, `shuffle`, `permutation`, `sample`, `fork`.
 * The same seed always gives the same sequence on every platform (pure 32-bit integer arithmetic).
 */
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /**
   * @param seed any finite number (integers recommended); non-integers and values beyond 32 bits are
   *   folded into 32-bit words, so every finite seed is valid. Default 0.
   */
  constructor(seed = 0) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw invalidArgument(`Rng: seed must be a finite number, got ${String(seed)}`);
    // Fold the seed's high and low parts so seeds above 2^32 do not collide with their low word.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const st = { s: (lo ^ Math.imul(hi, 0x27d4eb2d)) | 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // unreachable in practice; xoshiro needs a non-zero state
  }

  /** Next raw 32-bit unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform float in [0, 1), with 53 random bits. */
  next(): number {
    const hi = this.uint32() >>> 5; // 27 bits
    const lo = this.uint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias (rejection sampling). n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw invalidArgument(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    if (n === 1) return 0;
    // Largest multiple of n that fits in 2^32; values at or above it are rejected.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `array` (a JS array or typed array) in place (Fisher-Yates) and returns it. */
  shuffle<A extends ArrayLikeMutable>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): number[] {
    checkCount('permutation', n);
    const p = Array.from({ length: n }, (_, i) => i);
    return this.shuffle(p);
  }

  /**
   * k distinct integers drawn uniformly from [0, n), without replacement, in random order
   * (like numpy's `choice(n, k, replace=False)`, not the same stream). Requires 0 <= k <= n.
   */
  sample(n: number, k: number): number[] {
    checkCount('sample', n);
    checkCount('sample', k);
    if (k > n) throw invalidArgument(`Rng.sample: cannot draw ${k} distinct values from ${n}`);
    if (k * 4 >= n) {
      // Dense case: partial Fisher-Yates over the full range.
      const p = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + this.int(n - i);
        const t = p[i];
        p[i] = p[j];
        p[j] = t;
      }
      return p.slice(0, k);
    }
    // Sparse case: the same partial Fisher-Yates with the swapped entries kept in a map (O(k) memory).
    const swapped = new Map<number, number>();
    const out: number[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(vj);
    }
    return out;
  }

  /** A new generator seeded from this one (independent stream), for handing to sub-tasks. */
  fork(): Rng {
    return new Rng(this.uint32() * 4294967296 + this.uint32());
  }
}

/** Returns `rng` when it is an {@link Rng}; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkRng(rng: unknown, what: string): Rng {
  if (!(rng instanceof Rng)) throw invalidArgument(`${what} must be an Rng (new data.Rng(seed)), got ${describeValue(rng)}`);
  return rng;
}
