/**
 * What the CPU offers for reduced precision: whether bfloat16 matrix products run in hardware
 * (AVX-512 BF16 or AMX on x86, read from /proc/cpuinfo), so that a bf16 forward pass is faster
 * than float32 rather than emulated.
 * @module
 */
import * as fs from 'fs';

/** Whether bf16 arithmetic is native on this CPU, and how that was decided. */
export interface CpuBf16Support {
  /** true when the CPU has bf16 instructions libtorch's CPU kernels use (avx512_bf16 or amx_bf16) */
  native: boolean;
  /** the CPU features found, or why none could be read */
  detail: string;
}

let cached: CpuBf16Support | undefined;

/** The flags line of a /proc/cpuinfo text, as a set (empty when there is none). */
export function cpuinfoFlags(cpuinfo: string): Set<string> {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  return new Set(line ? line.replace(/^flags\s*:/, '').trim().split(/\s+/) : []);
}

/** Decides bf16 support from a /proc/cpuinfo text (exported for tests). */
export function bf16SupportFromCpuinfo(cpuinfo: string): CpuBf16Support {
  const flags = cpuinfoFlags(cpuinfo);
  const found = ['avx512_bf16', 'amx_bf16'].filter((f) => flags.has(f));
  if (found.length > 0) return { native: true, detail: found.join(', ') };
  return { native: false, detail: flags.size === 0 ? 'no CPU flags in /proc/cpuinfo' : 'no avx512_bf16 or amx_bf16 (bf16 would be emulated, slower than float32)' };
}

/**
 * Whether this machine's CPU runs bf16 natively (cached). Only Linux x86 is probed; elsewhere the
 * answer is `native: false`, which keeps float32 (always correct, possibly slower).
 */
export function cpuBf16Support(): CpuBf16Support {
  if (cached) return cached;
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) {
    cached = { native: false, detail: `not probed on ${process.platform}/${process.arch}` };
  } else {
    try {
      cached = bf16SupportFromCpuinfo(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    } catch (e) {
      cached = { native: false, detail: `/proc/cpuinfo unreadable: ${(e as Error).message}` };
    }
  }
  return cached;
}
