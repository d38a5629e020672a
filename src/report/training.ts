/**
 * The training report of a run folder: report.html (and one SVG per chart) from metrics.jsonl.
 *
 * Each curve is computed from the rows it applies to. The loss head's accuracies, Q-halt accuracy
 * and mean steps are averages over the rows that halted at that step (`count` of them); a step at
 * which no row halted has no such value, so it is skipped rather than drawn as zero, and the
 * smoothing window weights each step by its count. Losses are per example of the whole batch.
 * @module
 */
import * as path from 'path';
import type { TrainProgress } from '../train/trainer';
import { METRICS_FILE, MetricsRecord, readMetrics } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic';
import { ChartSeries, escapeXml, histogram, lineChart } from './charts';
import { writeRunIndex } from './run-index';
import { checkPath } from '../util/path';
import { checkArray, checkObject, checkString, describeValue, invalidArgument } from '../util/errors';

/** `records` as an array of metrics records; `INVALID_ARGUMENT` naming `what` and the entry otherwise. */
function checkRecords(records: unknown, what: string): MetricsRecord[] {
  checkArray(records, what, 'an array of metrics records').forEach((r, i) => checkObject(r, `${what}[${i}]`, 'a metrics record'));
  return records as MetricsRecord[];
}

/** The training metrics that average over the rows that halted at a step (hrm-spec 3.4). */
export const HALTED_ROW_METRICS = ['accuracy', 'exact_accuracy', 'q_halt_accuracy', 'steps'] as const;

/** Steps averaged by the training curves' moving window. */
export const SMOOTHING_WINDOW = 20;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The curve of `key` over training records: a moving average over `window` records, each record
 * weighted by its halted-row count for {@link HALTED_ROW_METRICS} (records with count 0 drop
 * out) and equally for the losses and the learning rate.
 */
export function trainingCurve(records: MetricsRecord[], key: string, window = SMOOTHING_WINDOW): [number, number][] {
  checkRecords(records, 'trainingCurve(): records');
  checkString(key, 'trainingCurve(): key');
  if (typeof window !== 'number' || !(window >= 1)) throw invalidArgument(`trainingCurve(): window must be a number >= 1, got ${describeValue(window)}`);
  const weighted = (HALTED_ROW_METRICS as readonly string[]).includes(key);
  const rows = records
    .map((r) => ({ step: r.step, value: r[key], weight: weighted ? r.count : 1 }))
    .filter((r): r is { step: number; value: number; weight: number } => isNumber(r.value) && isNumber(r.weight) && r.weight > 0);
  const out: [number, number][] = [];
  let sum = 0;
  let weights = 0;
  rows.forEach((r, i) => {
    sum += r.value * r.weight;
    weights += r.weight;
    if (i >= window) {
      sum -= rows[i - window].value * rows[i - window].weight;
      weights -= rows[i - window].weight;
    }
    out.push([r.step, sum / weights]);
  });
  return out;
}

/** (step, value) of `key` in evaluation records of one set. */
function evalSeries(records: MetricsRecord[], key: string): [number, number][] {
  return records.filter((r) => isNumber(r[key])).map((r) => [r.step, r[key] as number]);
}

/** The charts of a report, by file-name stem (report-<stem>.svg). */
export function trainingCharts(records: MetricsRecord[]): Record<string, string> {
  checkRecords(records, 'trainingCharts(): records');
  const train = records.filter((r) => r.kind === 'train');
  const evals = records.filter((r) => r.kind === 'eval');
  const sets = [...new Set(evals.map((r) => String(r.set ?? 'all')))];
  const evalOf = (set: string) => evals.filter((r) => String(r.set ?? 'all') === set);
  const setLabel = (set: string) => (sets.length > 1 ? ` (${set})` : '');
  const evalAccuracy: ChartSeries[] = sets.flatMap((set) => [
    { name: `held-out exact${setLabel(set)}`, points: evalSeries(evalOf(set), 'exact_accuracy'), style: 'both' as const },
    { name: `held-out token${setLabel(set)}`, points: evalSeries(evalOf(set), 'accuracy'), style: 'both' as const, dashed: true },
  ]);
  const lastEval = evals[evals.length - 1];
  const halted = Array.isArray(lastEval?.halted_at_step) ? (lastEval.halted_at_step as number[]) : [];
  return {
    loss: lineChart({
      title: `training loss (per example, moving average of ${SMOOTHING_WINDOW} steps)`,
      xLabel: 'training step',
      yLabel: 'loss',
      series: [
        { name: 'LM loss', points: trainingCurve(train, 'lm_loss') },
        { name: 'Q-halt loss', points: trainingCurve(train, 'q_halt_loss') },
        { name: 'Q-continue loss', points: trainingCurve(train, 'q_continue_loss') },
      ],
    }),
    accuracy: lineChart({
      title: 'accuracy (training: rows that halted; held-out: every puzzle)',
      xLabel: 'training step',
      yLabel: 'accuracy',
      yRange: [0, 1],
      percent: true,
      series: [
        { name: 'train token', points: trainingCurve(train, 'accuracy') },
        { name: 'train exact', points: trainingCurve(train, 'exact_accuracy') },
        ...evalAccuracy,
      ],
    }),
    halting: lineChart({
      title: 'reasoning steps used',
      xLabel: 'training step',
      yLabel: 'mean steps at halting',
      series: [
        { name: 'train (rows that halted)', points: trainingCurve(train, 'steps') },
        ...sets.map((set) => ({ name: `held-out${setLabel(set)}`, points: evalSeries(evalOf(set), 'steps'), style: 'both' as const })),
      ],
    }),
    'halting-histogram': histogram({
      title: lastEval ? `held-out puzzles by halting step (evaluation at step ${lastEval.step})` : 'held-out puzzles by halting step',
      xLabel: 'halting step',
      yLabel: 'puzzles',
      bins: halted.map((count, i) => ({ label: String(i + 1), count })),
    }),
    lr: lineChart({ title: 'learning rate', xLabel: 'training step', yLabel: 'learning rate', series: [{ name: 'lr', points: trainingCurve(train, 'lr', 1) }] }),
  };
}

/** Reads `<dir>/metrics.jsonl` and writes `<dir>/report.html` and `report-*.svg` (atomically). Returns the page's path. */
export function writeReport(dir: string): string {
  checkPath(dir, 'writeReport(): dir');
  const records = readMetrics(path.join(dir, METRICS_FILE));
  const charts = trainingCharts(records);
  const train = records.filter((r) => r.kind === 'train');
  const evals = records.filter((r) => r.kind === 'eval');
  const last = evals[evals.length - 1];
  const pct = (v: unknown) => (isNumber(v) ? `${(v * 100).toFixed(2)}%` : '?');
  const summary = last
    ? `<p>Last evaluation at step ${last.step}: exact accuracy <b>${pct(last.exact_accuracy)}</b>, token accuracy ${pct(last.accuracy)}, mean steps ${isNumber(last.steps) ? last.steps.toFixed(2) : '?'}.</p>`
    : '<p>No evaluation yet.</p>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>hrm-torch training report</title>
<style>body{font-family:sans-serif;margin:24px;max-width:860px} svg{display:block;margin:16px 0}</style></head><body>
<h1>Training report</h1><p>${train.length} training steps logged (last: step ${train.length ? train[train.length - 1].step : 0}); ${evals.length} evaluation records. Source: ${escapeXml(METRICS_FILE)}.</p>
${summary}${Object.values(charts).join('\n')}</body></html>`;
  const out = path.join(dir, 'report.html');
  writeFileAtomic(out, html);
  for (const [stem, svg] of Object.entries(charts)) writeFileAtomic(path.join(dir, `report-${stem}.svg`), svg);
  return out;
}

/**
 * Wraps a Trainer `onProgress` callback so that the run's report is rewritten after every
 * evaluation and checkpoint (so also when a run is interrupted), with the run's index page: `onProgress: withTrainingReport(outputDir, trainingProgress())`.
 */
export function withTrainingReport(dir: string, inner?: (e: TrainProgress) => void): (e: TrainProgress) => void {
  checkPath(dir, 'withTrainingReport(): dir');
  return (e) => {
    inner?.(e);
    if (e.kind === 'eval' || e.kind === 'checkpoint') {
      writeReport(dir);
      writeRunIndex(dir);
    }
  };
}
