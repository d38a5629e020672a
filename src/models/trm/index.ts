export * from './config';
export * from './model';
export * from './losses';
// The carry, the batch and the metric helpers are HRM's; they stay importable from here too.
export { carryTensors, carryFromTensors, disposeCarry } from '../hrm/carry';
export type { HRMBatch, HRMCarry, InnerCarry } from '../hrm/carry';
export { metricValues, addMetricValues, metricCount, normalizeMetrics } from '../hrm/metrics';
export type { LossHeadResult, HRMMetrics } from '../hrm/losses';
export type { HRMOutputs, HRMStepOptions, HRMStepResult } from '../hrm/model';
