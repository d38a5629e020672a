/**
 * Maze-Hard (hrm-spec 6.3; datasets.md 3): the reference CSV format, the token encoding, the rule
 * that turns a question grid into its labelled answer, a seeded generator of new mazes with the
 * same statistics, the dihedral augmentation, and a builder that writes the reference's on-disk
 * dataset (hrm-spec 6.1).
 * @module
 */
export { MAZE_CHARSET, MAZE_TOKENS, MAZE_VOCAB_SIZE, decodeMaze, encodeMaze } from './codec';
export { mazeSize, validateMaze } from './grid';
export type { MazeRecord } from './grid';
export { mazeDistance, mazePathProblem, solveMaze } from './solver';
export { formatMazeCsv, loadMazeCsv, parseMazeCsv, writeMazeCsv } from './csv';
export { DIHEDRAL_INVERSE, dihedralIndexMap, dihedralShape, dihedralTransform, inverseDihedralTransform } from '../dihedral';
export { MazeGenerator, defaultMinPathLength, generateMazes } from './generator';
export type { MazeGeneratorOptions } from './generator';
export { buildMazeDataset } from './builder';
export type { MazeBuildOptions, MazeBuildProgress, MazeBuildResult, MazeSplitSummary } from './builder';
