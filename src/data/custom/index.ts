/**
 * Your own task: examples of input and output sequences (or grids) over a declared vocabulary, from
 * JSONL or CSV, built into the reference's dataset format with optional augmentations.
 * @module
 */
export { CUSTOM_PAD, CustomVocabulary, MAX_CUSTOM_SYMBOLS, isCustomDataset, readCustomTaskInfo, readCustomVocabulary, writeCustomTaskInfo } from './vocabulary';
export type { CustomSymbol, CustomTaskInfo } from './vocabulary';
export { customFileFormat, encodeCustomSide, parseSequenceText, readCustomExamples } from './examples';
export type { CustomExample, CustomFileFormat, CustomRecord, CustomSequence, EncodedSide } from './examples';
export { buildCustomDataset } from './builder';
export type { CustomAugmentation, CustomBuildOptions, CustomBuildResult, CustomSplitSummary } from './builder';
