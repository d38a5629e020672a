/** `hrm doctor` (src/cli/doctor.ts): the installation report, run as a user would. */
import * as fs from 'fs';
import { cudaSummary } from '../../src/cli/doctor';
import { bf16SupportFromCpuinfo, cpuinfoFlags } from '../../src/util/cpu';
import { run } from './helpers';

test('doctor reports the loaded libtorch and exits 0; doctor --help shows its usage', () => {
  const d = run('doctor');
  expect(d.status).toBe(0);
  expect(d.stdout).toMatch(/libtorch \(loaded\)\s+2\./);
  expect(run('doctor', '--help').stdout).toMatch(/^hrm doctor \[--trace\]/);
});

test('doctor says whether the CPU runs bf16 natively, as /proc/cpuinfo says', () => {
  const d = run('doctor');
  const flags = fs.existsSync('/proc/cpuinfo') ? cpuinfoFlags(fs.readFileSync('/proc/cpuinfo', 'utf8')) : new Set<string>();
  const expected = process.arch === 'x64' && (flags.has('avx512_bf16') || flags.has('amx_bf16')) ? /CPU bf16\s+native \(/ : /CPU bf16\s+not native \(/;
  expect(d.stdout).toMatch(expected);
});

test('bf16 support is read from the flags line only', () => {
  expect(bf16SupportFromCpuinfo('processor : 0\nflags : fpu avx2 avx512f avx512_bf16 amx_tile\n')).toEqual({ native: true, detail: 'avx512_bf16' });
  expect(bf16SupportFromCpuinfo('flags\t\t: fpu avx2 avx512f\nbugs : avx512_bf16\n').native).toBe(false);
  expect(bf16SupportFromCpuinfo('').detail).toMatch(/no CPU flags/);
});

test("doctor's CUDA line tells a CPU-only build, a CUDA build without a device and one with devices apart", () => {
  expect(cudaSummary(false, false, 0)).toBe('not built (CPU-only libtorch)');
  expect(cudaSummary(true, false, 0)).toMatch(/^built, no device \(/);
  expect(cudaSummary(true, true, 1)).toBe('built, 1 device');
  expect(cudaSummary(true, true, 8)).toBe('built, 8 devices');
});

test('doctor prints the CUDA line of the addon it loaded', () => {
  const d = run('doctor');
  const built = /CUDA built\s+(true|false)/.exec(d.stdout)?.[1];
  expect(built).toBeDefined();
  expect(d.stdout).toMatch(built === 'true' ? /^CUDA\s+built, /m : /^CUDA\s+not built /m);
});
