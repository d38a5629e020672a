/** `hrm doctor` (src/cli/doctor.ts): the installation report, run as a user would. */
import { run } from './helpers';

test('doctor reports the loaded libtorch and exits 0; doctor --help shows its usage', () => {
  const d = run('doctor');
  expect(d.status).toBe(0);
  expect(d.stdout).toMatch(/libtorch \(loaded\)\s+2\./);
  expect(run('doctor', '--help').stdout).toMatch(/^hrm doctor \[--trace\]/);
});
