/**
 * Datasets in the reference's on-disk format (hrm-spec 6): the format and its loader, a seeded
 * generator, the dihedral transforms, one folder per task (Sudoku, Maze, ARC, your own) and the puzzle codec.
 * @module
 */
export * from './format';
export * from './random';
export * from './sudoku';
export * from './maze';
export * from './arc';
export * from './custom';
export * from './puzzle-codec';
