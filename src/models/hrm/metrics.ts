/**
 * The loss head's metrics as plain numbers, and their normalisation (hrm-spec 3.4): the head
 * returns sums over the rows it counted; a logger divides each loss by the global batch size
 * (training) or by the count (evaluation), and every other metric by the count.
 * @module
 */
import type { Tensor } from '../../tensor/tensor';
import type { HRMMetrics } from './losses';

/** Metric name -> value, as logged. */
export type MetricValues = Record<string, number>;

/** Reads each metric tensor (a scalar) back as a number. */
export function metricValues(m: HRMMetrics): MetricValues {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number((v as Tensor).item())]));
}

/** Adds `m` into the running sums `into` (key by key) and returns `into`. */
export function addMetricValues(into: MetricValues, m: MetricValues): MetricValues {
  for (const [k, v] of Object.entries(m)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** The divisor of the non-loss metrics: the number of counted rows, at least 1. */
export function metricCount(sums: MetricValues): number {
  return Math.max(1, sums.count ?? 0);
}

/**
 * Sums -> logged values: `count` as it is, each `*loss` divided by `lossDivisor` (the global
 * batch size in training; the count when omitted, as in evaluation), the rest by the count.
 */
export function normalizeMetrics(sums: MetricValues, opts: { lossDivisor?: number } = {}): MetricValues {
  const count = metricCount(sums);
  const lossDivisor = opts.lossDivisor ?? count;
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, k === 'count' ? v : k.endsWith('loss') ? v / lossDivisor : v / count]));
}
