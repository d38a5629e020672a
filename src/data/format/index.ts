/**
 * The reference's on-disk dataset format (hrm-spec 6.1): .npy files, dataset.json and
 * identifiers.json, how a builder writes a dataset folder (complete or absent), the set writer,
 * the split reader and the batch loader.
 * @module
 */
export * from './npy';
export * from './dataset';
export * from './dataset-folder';
export * from './set-writer';
export * from './split';
export * from './puzzle-dataset';
