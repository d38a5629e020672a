/**
 * Learning-rate schedule of the reference (hrm-spec 4.3): linear warmup, then cosine decay to
 * minRatio * base (constant when minRatio is 1). `step` is the 1-based optimizer step.
 * @module
 */
/** The learning rate for 1-based `step`: linear warmup, then cosine decay to minRatio * baseLr. */
export function cosineScheduleWithWarmupLr(step: number, baseLr: number, warmupSteps: number, totalSteps: number, minRatio = 1): number {
  if (step < warmupSteps) return (baseLr * step) / warmupSteps;
  const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
  return baseLr * (minRatio + Math.max(0, (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress))));
}
