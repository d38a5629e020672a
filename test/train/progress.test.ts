/** Training progress printing: the Trainer's events -> a bar with metrics, eval/resume/stop lines. */
import { formatEvalMetrics, formatTrainMetrics, trainingProgress } from '../../src/train/progress';
import { TrainProgress } from '../../src/train/trainer';
import * as subject from '../../src/train/progress';
import { expectInvalidArgument } from '../helpers/errors';

const metrics = { lm_loss: 1.23456, accuracy: 0.5, exact_accuracy: 0.125, steps: 2.5, q_halt_accuracy: 0.9, count: 16 };

test('formatTrainMetrics and formatEvalMetrics', () => {
  expect(formatTrainMetrics(metrics)).toBe('loss 1.235  token acc 50.0%  exact 12.5%  steps 2.50');
  expect(formatEvalMetrics(12, 'all', metrics)).toBe('eval @ step 12 [all]: exact 12.50%, token 50.00%, steps 2.50');
});

describe('trainingProgress', () => {
  let now = 0;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  /** Feeds a short run's events to a reporter writing to a recorded stream. */
  function run(tty: boolean): string {
    const out = { text: '', isTTY: tty, write: (t: string) => (out.text += t) };
    const report = trainingProgress({ label: 'fit', stream: out });
    const events: TrainProgress[] = [
      { kind: 'resume', step: 0, totalSteps: 4, message: 'run/checkpoints/step_00000000.safetensors' },
      ...[1, 2, 3, 4].map((step): TrainProgress => ({ kind: 'step', step, totalSteps: 4, metrics })),
      { kind: 'checkpoint', step: 4, totalSteps: 4, message: 'run/checkpoints/step_00000004.safetensors' },
      { kind: 'eval', step: 4, totalSteps: 4, metrics, message: 'all' },
      { kind: 'stop', step: 4, totalSteps: 4, message: 'run/checkpoints/step_00000004.safetensors' },
    ];
    for (const e of events) {
      now += 1000;
      report(e);
    }
    return out.text;
  }

  test('off a terminal: the lines in order, the bar with the step metrics, checkpoints silent', () => {
    const lines = run(false).trimEnd().split('\n');
    expect(lines).toEqual([
      'resume: run/checkpoints/step_00000000.safetensors',
      expect.stringMatching(/^fit \[#{7}\.{21}\] 1\/4 25% .*  loss 1\.235  token acc 50\.0%  exact 12\.5%  steps 2\.50$/),
      expect.stringMatching(/^fit \[.*\] 2\/4 50% /),
      expect.stringMatching(/^fit \[.*\] 3\/4 75% /),
      expect.stringMatching(/^fit \[#{28}\] 4\/4 100% .*  loss 1\.235/),
      'eval @ step 4 [all]: exact 12.50%, token 50.00%, steps 2.50',
      'stop: run/checkpoints/step_00000004.safetensors',
    ]);
  });

  test('on a terminal: the bar redraws in place, and lines after it clear it first', () => {
    const text = run(true);
    expect(text.startsWith('resume: run/checkpoints/step_00000000.safetensors\n\rfit [')).toBe(true);
    expect(text).toContain('\reval @ step 4 [all]: exact 12.50%, token 50.00%, steps 2.50\x1b[K\n');
    expect(text.endsWith('\rstop: run/checkpoints/step_00000004.safetensors\x1b[K\n')).toBe(true);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('formatTrainMetrics and formatEvalMetrics name a missing record, a missing metric and a bad step or set', () => {
    const m = { lm_loss: 1, accuracy: 0.5, exact_accuracy: 0.25, steps: 2 };
    expect(subject.formatTrainMetrics(m)).toContain('loss 1.000');
    expectInvalidArgument(() => subject.formatTrainMetrics(undefined as never), 'formatTrainMetrics(): m must be a metrics record, got undefined');
    expectInvalidArgument(() => subject.formatTrainMetrics({ ...m, lm_loss: undefined } as never), 'formatTrainMetrics(): m.lm_loss must be a number, got undefined');
    expectInvalidArgument(() => subject.formatEvalMetrics(1, 'all', undefined as never), 'formatEvalMetrics(): m must be a metrics record, got undefined');
    expectInvalidArgument(() => subject.formatEvalMetrics('1' as never, 'all', m), 'formatEvalMetrics(): step must be a number, got string "1"');
    expectInvalidArgument(() => subject.formatEvalMetrics(1, null as never, m), 'formatEvalMetrics(): set must be a string, got null');
  });
});
