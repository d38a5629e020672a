/** The scaling plot and files. */
import * as fs from 'fs';
import * as path from 'path';
import type { ScalingResult } from '../../src/eval/scaling';
import { scalingCharts, writeScaling } from '../../src/report/scaling';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/report/scaling';
import { expectInvalidArgument } from '../helpers/errors';

const result: ScalingResult = {
  trainedMaxSteps: 4,
  limits: [1, 2, 4, 8],
  examples: 100,
  seconds: 1,
  points: [
    ...[1, 2, 4, 8].map((maxSteps, i) => ({ maxSteps, halting: 'fixed' as const, set: 'all', exactAccuracy: 0.1 * (i + 1), meanSteps: maxSteps })),
    ...[1, 2, 4, 8].map((maxSteps, i) => ({ maxSteps, halting: 'adaptive' as const, set: 'all', exactAccuracy: 0.1 * (i + 1), meanSteps: Math.min(maxSteps, 3) })),
  ],
};

test('two series per chart on a log2 axis, the trained limit marked', () => {
  const { accuracy, steps } = scalingCharts(result);
  for (const svg of [accuracy, steps]) {
    expect(svg).toContain('>trained with 4</text>');
    expect(svg).toContain('>fixed: every step</text>');
    expect(svg).toContain('>adaptive: Q-head halting</text>');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
  }
  expect(accuracy).toContain('>maximum reasoning steps at test time</text>');
});

test('writeScaling writes scaling.json and both plots', () => {
  const dir = tmpDir('scaling-');
  try {
    const file = writeScaling(path.join(dir, 'eval'), result);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(result);
    for (const f of ['scaling.svg', 'scaling-steps.svg']) expect(fs.existsSync(path.join(dir, 'eval', f))).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('scalingCharts and writeScaling name a result that is not one', () => {
    expectInvalidArgument(() => subject.scalingCharts(undefined as never), 'scalingCharts(): result must be a scaling result (from inferenceScaling()), got undefined');
    expectInvalidArgument(() => subject.scalingCharts({ points: [3] } as never), 'scalingCharts(): result.points[0] must be an object, got number 3');
  });
});
