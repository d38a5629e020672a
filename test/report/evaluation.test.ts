/** An evaluation's files: eval.json holds the result and how it ran; halting.svg one histogram per set. */
import * as fs from 'fs';
import * as path from 'path';
import type { EvalResult } from '../../src/eval/evaluate';
import { writeEvaluation } from '../../src/report/evaluation';
import { tmpDir } from '../helpers/reference';

test('writeEvaluation writes the JSON and a halting histogram per set', () => {
  const dir = tmpDir('evaluation-');
  try {
    const result: EvalResult = {
      sets: { a: { count: 3, exact_accuracy: 1 / 3 }, b: { count: 2, exact_accuracy: 0.5 } },
      exactAccuracyAtStep: { a: [0, 1 / 3], b: [0.5, 0.5] },
      haltedAtStep: { a: [1, 2], b: [0, 2] },
      exactAccuracyAtHalt: { a: 1 / 3, b: 0.5 },
      meanHaltStep: { a: 5 / 3, b: 2 },
      examples: 5,
      seconds: 0.1,
    };
    const file = writeEvaluation(path.join(dir, 'eval'), { checkpoint: 'c.safetensors', haltMaxSteps: 2, adaptive: true }, result);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ checkpoint: 'c.safetensors', haltMaxSteps: 2, adaptive: true, ...result });
    const svg = fs.readFileSync(path.join(dir, 'eval', 'halting.svg'), 'utf8');
    expect(svg).toContain('a: puzzles by halting step (limit 2, adaptive)');
    expect(svg).toContain('b: puzzles by halting step (limit 2, adaptive)');
    expect(svg).toContain('height="560"');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
