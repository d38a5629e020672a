/** `hrm doctor` (src/cli/doctor.ts): the installation report, run as a user would. */
import * as fs from 'fs';
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
