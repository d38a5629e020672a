/**
 * ARC (Abstraction and Reasoning Corpus) datasets in the reference's format (hrm-spec 6.1, 6.4).
 *
 * Reads one-JSON-per-task folders (ARC-AGI-1, ARC-AGI-2, ConceptARC), applies the reference's
 * split rule, augments every task with dihedral transforms and colour permutations (deduplicated
 * by the reference's SHA-256 puzzle hash), encodes every pair on a square canvas (30x30 = 900 tokens as the
 * reference, or a smaller one holding only the tasks that fit) and streams the result to disk. The building blocks (encoding, transforms, decoding, hashing) are
 * exported for scoring code.
 * @module
 */
export type { ArcAugmentation, ArcAugmentationRecord, ArcGrid, ArcPair, ArcSubset, ArcTask, ArcVersion } from './types';
export { ARC_GRID_SIZE } from './grid';
export { ARC_COLOUR_OFFSET, ARC_EOS, ARC_PAD, ARC_SEQ_LEN, ARC_VOCAB_SIZE, arcCanvasOfSeqLen, arcSeqLen, checkArcCanvas, decodeArcGrid, encodeArcGrid } from './codec';
export type { ArcEncodeOptions } from './codec';
export { ARC_DIHEDRAL_INVERSE, arcApplyColourMap, arcAugmentGrid, arcDihedralTransform, arcInverseColourMap, inverseTransform } from './transforms';
export { arcPuzzleHash } from './hash';
export { arcAugmentedName, parseArcName } from './names';
export { readArcFolders, readArcTask } from './tasks';
export { ARC_AUGMENT_RETRIES_FACTOR, augmentArcTask } from './augmentation';
export { ARC_AUGMENTATIONS_FILE, ARC_TEST_PUZZLES_FILE, readArcAugmentations, readArcCanvas } from './augmentations-file';
export { buildArcDataset } from './builder';
export type { ArcBuildOptions, ArcBuildProgress, ArcBuildResult, ArcSplitCounts } from './builder';
