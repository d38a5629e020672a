/**
 * The inference-time scaling plot: exact accuracy against the step limit (log2 axis), fixed and
 * adaptive halting, the limit the model was trained with marked; and the steps adaptive halting
 * actually used.
 * @module
 */
import * as path from 'path';
import type { ScalingResult } from '../eval/scaling';
import { writeFileAtomic } from '../util/atomic';
import { ChartSeries, lineChart } from './charts';
import { checkPath } from '../util/path';
import { checkArray, checkObject, checkString } from '../util/errors';

/** `r` as a scaling result: an object whose points are objects with a set name. */
function checkScalingResult(r: unknown, what: string): ScalingResult {
  const result = checkObject<Record<string, unknown>>(r, what, 'a scaling result (from inferenceScaling())');
  checkArray(result.points, `${what}.points`, 'an array of points').forEach((p, i) => checkString(checkObject<Record<string, unknown>>(p, `${what}.points[${i}]`).set, `${what}.points[${i}].set`));
  return r as ScalingResult;
}

/** The two scaling charts as SVG: accuracy, and mean steps used. */
export function scalingCharts(result: ScalingResult): {
  /** exact accuracy against the step limit */
  accuracy: string;
  /** mean steps used against the step limit */
  steps: string;
} {
  checkScalingResult(result, 'scalingCharts(): result');
  const sets = [...new Set(result.points.map((p) => p.set))];
  const label = (set: string) => (sets.length > 1 ? ` (${set})` : '');
  const series = (halting: 'fixed' | 'adaptive', value: 'exactAccuracy' | 'meanSteps'): ChartSeries[] =>
    sets.map((set) => ({
      name: `${halting === 'fixed' ? 'fixed: every step' : 'adaptive: Q-head halting'}${label(set)}`,
      points: result.points.filter((p) => p.halting === halting && p.set === set).map((p) => [p.maxSteps, p[value]] as [number, number]),
      style: 'both' as const,
      dashed: halting === 'adaptive',
    }));
  const marker = [{ x: result.trainedMaxSteps, label: `trained with ${result.trainedMaxSteps}` }];
  return {
    accuracy: lineChart({
      title: `inference-time scaling: held-out exact accuracy (${result.examples} puzzles)`,
      xLabel: 'maximum reasoning steps at test time',
      yLabel: 'exact accuracy',
      logX: true,
      yRange: [0, 1],
      percent: true,
      markers: marker,
      series: [...series('fixed', 'exactAccuracy'), ...series('adaptive', 'exactAccuracy')],
    }),
    steps: lineChart({
      title: 'reasoning steps used',
      xLabel: 'maximum reasoning steps at test time',
      yLabel: 'mean steps used',
      logX: true,
      markers: marker,
      series: [...series('fixed', 'meanSteps'), ...series('adaptive', 'meanSteps')],
    }),
  };
}

/** Writes `<dir>/scaling.json`, `scaling.svg` and `scaling-steps.svg` (atomically); returns the JSON's path. */
export function writeScaling(dir: string, result: ScalingResult): string {
  checkPath(dir, 'writeScaling(): dir');
  const charts = scalingCharts(result);
  const file = path.join(dir, 'scaling.json');
  writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
  writeFileAtomic(path.join(dir, 'scaling.svg'), charts.accuracy);
  writeFileAtomic(path.join(dir, 'scaling-steps.svg'), charts.steps);
  return file;
}
