/** Scalar math (src/util/math.ts): erf against Python's math.erf over both of its branches. */
import { erf } from '../../src/util/math';
import { describeWithTorch, runPython } from '../helpers/reference';

// Both sides of the series / continued-fraction switch at |x| = 3, tiny and saturated values, and signs.
const POINTS = [0, 1e-12, 1e-6, 0.01, 0.1, 0.5, 1, 1.5, 2, 2.5, 2.7, 2.8, 2.9, 2.95, 2.99, 2.999, 3, 3.01, 3.5, 4, 5, 6, 10, 30].flatMap((x) => (x === 0 ? [0] : [x, -x]));

test('erf is odd, bounded by 1, and exact where it must be', () => {
  expect(erf(0)).toBe(0);
  for (const x of POINTS) {
    expect(erf(-x) + erf(x)).toBe(0);
    expect(Math.abs(erf(x))).toBeLessThanOrEqual(1);
  }
  expect(erf(30)).toBe(1);
  expect(erf(Infinity)).toBe(1);
  expect(erf(-Infinity)).toBe(-1);
});

describeWithTorch("erf against Python's math.erf", () => {
  // The series cancels terms up to ~1e3 just below 3, so it keeps ~13 digits there (measured: 6.4e-14).
  test('agrees within relative 1e-13 across the range', () => {
    const out = runPython('import json, math, sys; print(json.dumps([math.erf(x) for x in json.loads(sys.argv[1])]))', [JSON.stringify(POINTS)]);
    const expected = JSON.parse(out.trim()) as number[];
    POINTS.forEach((x, i) => {
      const err = Math.abs(erf(x) - expected[i]);
      if (err > 1e-13 * Math.abs(expected[i]) + 1e-300) throw new Error(`erf(${x}) = ${erf(x)}, Python ${expected[i]} (error ${err})`);
    });
  });
});
