/**
 * How training progress is printed, for the CLI, the examples and user scripts alike: a progress
 * bar over the optimizer steps with the step's metrics, and a line per evaluation, new best checkpoint, resume and stop.
 *
 * ```ts
 * const trainer = new ht.Trainer({ ...options, onProgress: ht.trainingProgress() });
 * ```
 * @module
 */
import { ProgressBar, ProgressStream, formatPercent } from '../util/progress';
import { TrainProgress } from './trainer';
import { checkObject, checkString, describeValue, invalidArgument } from '../util/errors';

/** `m` as a metrics record whose `keys` are numbers; `INVALID_ARGUMENT` naming `what` and the key otherwise. */
function checkMetrics(m: unknown, keys: readonly string[], what: string): Record<string, number> {
  const r = checkObject<Record<string, unknown>>(m, what, 'a metrics record');
  for (const k of keys) if (typeof r[k] !== 'number') throw invalidArgument(`${what}.${k} must be a number, got ${describeValue(r[k])}`);
  return r as Record<string, number>;
}

/** Options of {@link trainingProgress}. */
export interface TrainingProgressOptions {
  /** the progress bar's label (default 'train') */
  label?: string;
  /** where the bar and the lines go (default `process.stderr`) */
  stream?: ProgressStream;
}

/** A training step's metrics in one line: loss, token accuracy, exact accuracy, mean ACT steps. */
export function formatTrainMetrics(m: Record<string, number>): string {
  checkMetrics(m, ['lm_loss', 'accuracy', 'exact_accuracy', 'steps'], 'formatTrainMetrics(): m');
  return `loss ${m.lm_loss.toFixed(3)}  token acc ${formatPercent(m.accuracy)}  exact ${formatPercent(m.exact_accuracy)}  steps ${m.steps.toFixed(2)}`;
}

/** An evaluation of one test set in one line: exact and token accuracy, mean ACT steps. */
export function formatEvalMetrics(step: number, set: string, m: Record<string, number>): string {
  if (typeof step !== 'number') throw invalidArgument(`formatEvalMetrics(): step must be a number, got ${describeValue(step)}`);
  checkString(set, 'formatEvalMetrics(): set');
  checkMetrics(m, ['exact_accuracy', 'accuracy', 'steps'], 'formatEvalMetrics(): m');
  return `eval @ step ${step} [${set}]: exact ${formatPercent(m.exact_accuracy, 2)}, token ${formatPercent(m.accuracy, 2)}, steps ${m.steps.toFixed(2)}`;
}

/** An `onProgress` callback for the Trainer that prints the run's progress (see the module). */
export function trainingProgress(options: TrainingProgressOptions = {}): (e: TrainProgress) => void {
  const stream = options.stream ?? process.stderr;
  let bar: ProgressBar | undefined;
  // Lines go through the bar once it exists, so that on a terminal they do not break it.
  const print = (line: string) => (bar ? bar.log(line) : stream.write(`${line}\n`));
  return (e) => {
    if (e.kind === 'step' && e.metrics) {
      bar ??= new ProgressBar(options.label ?? 'train', e.totalSteps, stream);
      bar.update(e.step, formatTrainMetrics(e.metrics));
    } else if (e.kind === 'eval' && e.metrics) {
      print(formatEvalMetrics(e.step, e.message ?? 'all', e.metrics));
    } else if (e.kind === 'resume' || e.kind === 'stop' || e.kind === 'best') {
      print(`${e.kind}: ${e.message}`);
    }
  };
}
