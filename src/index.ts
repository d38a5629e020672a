/**
 * hrm-torch: Hierarchical Reasoning Models in TypeScript on libtorch.
 *
 * ```ts
 * import * as ht from 'hrm-torch';
 * const y = ht.scope(() => ht.tensor([[1, 2], [3, 4]]).matmul(ht.eye(2)).sum());
 * console.log(y.item()); // 10
 * ```
 * @module
 */
export { Tensor, handleOf } from './tensor/tensor';
export type { NestedArray, ToOptions, RoundingMode, ValuesAndIndices, UniqueResult } from './tensor/tensor';
export * from './tensor/dtype';
export * from './tensor/creation';
export * from './tensor/functional';
export * from './tensor/autograd';
export * from './tensor/io';
export { scope, tidy, keep, adopt, moveToOuter, memory, resetPeakMemory, configureMemory, DEFAULT_GC_BACKLOG_WARN_BYTES } from './tensor/scope';
export type { MemoryInfo, MemoryOptions, Owned, GcCell } from './tensor/scope';
export { MAX_DIMS, checkShape, checkIntList, normalizeDim, indexPath } from './tensor/shape';
export type { BuildInfo, CudaMemoryStats } from './native';
export type { OpRef } from './tensor/ops';
export { schemaOf } from './tensor/ops';
export * from './runtime';
export { ERROR_CODES, hasErrorCode } from './util/errors';
export type { ErrorCode, HrmError } from './util/errors';
export * as nn from './nn';
export * as optim from './optim';
export * as hrm from './models/hrm';
export { Module } from './nn/module';
export { HRM, HRMInner, ACTLossHead, hrmConfig } from './models/hrm';
export type { HRMConfig, HRMBatch, HRMCarry } from './models/hrm';
export * as trm from './models/trm';
export { TRM, TRMInner, TRMLossHead, trmConfig } from './models/trm';
export type { TRMConfig } from './models/trm';
export { MODEL_KINDS, DEFAULT_MODEL_KIND, buildModel, buildLossHead, modelConfig, checkModelKind, kindOf, lossHeadOf } from './models/kinds';
export type { ModelKind, ModelTypes, ModelConfig, ModelSettings, AnyModel, ACTModel, ACTLoss } from './models/kinds';
export { AdamATan2, AdamW, SparseEmbeddingSignSGD, cosineScheduleWithWarmupLr } from './optim';
export { saveCheckpoint, loadCheckpoint, importReferenceCheckpoint } from './checkpoint';
export type { CheckpointInfo, CheckpointContents, LoadedCheckpoint } from './checkpoint';
export * as data from './data';
export { PuzzleDataset, batchToTensors } from './data/format';
export { Trainer, BEST_METRICS } from './train/trainer';
export type { TrainOptions, TrainProgress, TrainResult, BestMetric, BestEvaluation } from './train/trainer';
export { WeightEMA } from './train/ema';
export * as distributed from './distributed';
export { initProcessGroup, ProcessGroup, availableBackends } from './distributed';
export { broadcastParameters, allReduceGradients, GradientBuckets, sparseEmbeddingStep, allReduceEvaluation, evaluateDataParallel } from './train/data-parallel';
export { trainingProgress, formatTrainMetrics, formatEvalMetrics, type TrainingProgressOptions } from './train/progress';
export { RunFolder, newestCheckpoint, bestCheckpoint, BEST_CHECKPOINT_FILE } from './train/run-folder';
export { PRESETS, type PresetOptions, type Task } from './train/presets';
export type { MetricsRecord, LoadedFromRun } from './train/run-folder';
export { writeReport, withTrainingReport, trainingCharts, trainingCurve, HALTED_ROW_METRICS, SMOOTHING_WINDOW } from './report/training';
export { lineChart, histogram } from './report/charts';
export type { ChartSeries, ChartMarker, LineChartOptions, HistogramOptions } from './report/charts';
export { reasoningView, reasoningPage, writeReasoningPage, answerGrid, changedCells, gridSvg, cellSize, ARC_COLOURS } from './report/reasoning';
export type { ReasoningView, ReasoningFrame, ReasoningPageOptions, CellGrid } from './report/reasoning';
export { datasetView, datasetViewPage, writeDatasetViewPage } from './report/dataset-view';
export type { DatasetView, DatasetViewOptions, DatasetViewGroup, DatasetViewPuzzle, DatasetViewExample, DatasetViewSet } from './report/dataset-view';
export { inferenceScaling } from './eval/scaling';
export type { ScalingPoint, ScalingResult, ScalingOptions } from './eval/scaling';
export { scalingCharts, writeScaling } from './report/scaling';
export { writeRunIndex, runIndexEntries } from './report/run-index';
export type { RunIndexEntry } from './report/run-index';
export { writeEvaluation } from './report/evaluation';
export type { EvaluationRecord } from './report/evaluation';
export { participationRatio, collectTrajectoryStates, participationRatioAnalysis, PR_POOLING } from './analysis/participation-ratio';
export type { ParticipationRatio, TrajectoryStates, PRPoint, PRAnalysis } from './analysis/participation-ratio';
export { ABLATION_VARIANTS, ablationVariants, runAblation, summarizeAblation, formatAblationTable } from './analysis/ablation';
export type { AblationBase, AblationVariant, AblationOptions, AblationRun, AblationSummary, AblationResult } from './analysis/ablation';
export { evaluate, countEvaluation, evalResultOf } from './eval/evaluate';
export type { EvalOptions, EvalResult, EvalCounts } from './eval/evaluate';
export { runContinuous } from './eval/continuous';
export type { ACTCarry, ACTStepConfig, ACTStepOutputs, ACTStepResult, ACTStepModel, PoolRow, RunningRow, HaltedRow, ContinuousOptions } from './eval/continuous';
export { ArcVoter, ARC_DEFAULT_PASS_KS } from './eval/arc-vote';
export type { ArcVoteRow, ArcVoteBatch, ArcScore, ArcScoreOptions, ArcSubmission, ArcVoterData, ArcAddResult, ArcTaskResult, ArcTestPuzzles, ArcTestInputResult, ArcCandidate } from './eval/arc-vote';
export { solve, solveAll, solveTokens, loadModel } from './eval/solve';
export { cpuBf16Support, type CpuBf16Support } from './util/cpu';
export { writeFileAtomic } from './util/atomic';
export { ProgressBar, formatTime, formatPercent, type ProgressStream } from './util/progress';
export type { Puzzle, PuzzleAnswer, PuzzleSolution, SolveOptions, SolveResult, SolveStep, SolveUpdate, SolveAllOptions, SolvedPuzzle } from './eval/solve';
