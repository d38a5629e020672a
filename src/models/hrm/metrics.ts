/**
 * The loss head's metrics as plain numbers, and their normalisation (hrm-spec 3.4): the head
 * returns sums over the rows it counted; a logger divides each loss by the global batch size
 * (training) or by the count (evaluation), and every other metric by the count.
 * @module
 */
import { Tensor } from '../../tensor/tensor';
import { checkObject, describeValue, invalidArgument } from '../../util/errors';

/** `m` as metric values: an object of numbers; `INVALID_ARGUMENT` naming `what` and the key otherwise. */
function checkMetricValues(m: unknown, what: string): MetricValues {
  const r = checkObject<Record<string, unknown>>(m, what, 'an object of metric values (numbers)');
  for (const [k, v] of Object.entries(r)) if (typeof v !== 'number') throw invalidArgument(`${what}.${k} must be a number, got ${describeValue(v)}`);
  return r as MetricValues;
}
import type { HRMMetrics } from './losses';

/** Metric name -> value, as logged. */
export type MetricValues = Record<string, number>;

/** Reads each metric tensor (a scalar) back as a number. */
export function metricValues(m: HRMMetrics): MetricValues {
  const r = checkObject<Record<string, unknown>>(m, 'metricValues(): metrics', 'the loss head\'s metrics (scalar tensors)');
  for (const [k, v] of Object.entries(r)) if (!(v instanceof Tensor)) throw invalidArgument(`metricValues(): metrics.${k} must be a Tensor, got ${describeValue(v)}`);
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number((v as Tensor).item())]));
}

/** Adds `m` into the running sums `into` (key by key) and returns `into`. */
export function addMetricValues(into: MetricValues, m: MetricValues): MetricValues {
  checkMetricValues(into, 'addMetricValues(): into');
  checkMetricValues(m, 'addMetricValues(): m');
  for (const [k, v] of Object.entries(m)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** The divisor of the non-loss metrics: the number of counted rows, at least 1. */
export function metricCount(sums: MetricValues): number {
  checkMetricValues(sums, 'metricCount(): sums');
  return Math.max(1, sums.count ?? 0);
}

/**
 * Sums -> logged values: `count` as it is, each `*loss` divided by `lossDivisor` (the global
 * batch size in training; the count when omitted, as in evaluation), the rest by the count.
 */
export function normalizeMetrics(sums: MetricValues, opts: { lossDivisor?: number } = {}): MetricValues {
  checkMetricValues(sums, 'normalizeMetrics(): sums');
  checkObject(opts, 'normalizeMetrics(): opts');
  if (opts.lossDivisor !== undefined && typeof opts.lossDivisor !== 'number') throw invalidArgument(`normalizeMetrics(): opts.lossDivisor must be a number, got ${describeValue(opts.lossDivisor)}`);
  const count = metricCount(sums);
  const lossDivisor = opts.lossDivisor ?? count;
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, k === 'count' ? v : k.endsWith('loss') ? v / lossDivisor : v / count]));
}
