export * from './config';
export * from './carry';
export * from './model';
export * from './losses';
export * from './metrics';
// The sparse embedding and ModuleList live in nn/; their names stay importable from here too.
export { CastedSparseEmbedding } from '../../nn/sparse-embedding';
export { ModuleList } from '../../nn/module-list';
