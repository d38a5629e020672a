/**
 * An evaluation's files in a run folder: `eval/eval.json` (what `evaluate` returned, with how it
 * ran) and `eval/halting.svg` (puzzles by the step they halted at, per set).
 * @module
 */
import * as path from 'path';
import type { EvalResult } from '../eval/evaluate';
import { writeFileAtomic } from '../util/atomic';
import { histogram } from './charts';
import { checkPath } from '../util/path';

/** How the evaluation ran, stored beside its result. */
export interface EvaluationRecord {
  /** the checkpoint evaluated */
  checkpoint: string;
  /** the step limit */
  haltMaxSteps: number;
  /** adaptive (Q-head) halting or every step */
  adaptive: boolean;
}

/** Writes `<dir>/eval.json` and `<dir>/halting.svg` (atomically); returns the JSON's path. */
export function writeEvaluation(dir: string, record: EvaluationRecord, result: EvalResult): string {
  checkPath(dir, 'writeEvaluation(): dir');
  const file = path.join(dir, 'eval.json');
  writeFileAtomic(file, JSON.stringify({ ...record, ...result }, null, 2) + '\n');
  const sets = Object.keys(result.haltedAtStep);
  const charts = sets.map((set) =>
    histogram({
      title: `${set}: puzzles by halting step (limit ${record.haltMaxSteps}${record.adaptive ? ', adaptive' : ''})`,
      xLabel: 'halting step',
      yLabel: 'puzzles',
      bins: result.haltedAtStep[set].map((count, i) => ({ label: String(i + 1), count })),
    }),
  );
  // One SVG file: the sets' histograms stacked (a set's chart is 280 px high).
  const height = 280 * Math.max(1, charts.length);
  const body = charts.map((svg, i) => `<g transform="translate(0 ${280 * i})">${svg}</g>`).join('');
  writeFileAtomic(path.join(dir, 'halting.svg'), `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${height}">${body}</svg>`);
  return file;
}
