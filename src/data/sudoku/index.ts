/**
 * Sudoku for HRM: the reference CSV schema, the reference encoding and augmentation, a dataset
 * builder that writes what HRM's `build_sudoku_dataset.py` writes, an exact solver that also rates
 * puzzles (a tdoku-style guess count), and a generator of unique-solution puzzles.
 *
 * References: hrm-spec 6.1 (on-disk format), 6.2 (Sudoku builder: encoding, augmentation, layout);
 * datasets.md 2.2 (rating), 2.3 (how HRM builds its sets), 2.5 (recipe for our own data).
 * @module
 */
export { SudokuGeometry, defaultSudokuBox } from './geometry';
export type { SudokuBox } from './geometry';
export { formatSudoku, parseSudoku } from './grid';
export type { SudokuGridInput } from './grid';
export { SUDOKU_IGNORE_LABEL_ID, SUDOKU_PAD_ID, decodeSudoku, encodeSudoku, sudokuMetadata, sudokuVocabSize } from './codec';
export { firstInvalidUnit, isValidSudokuSolution, solvesSudoku, sudokuSolutionProblem } from './validity';
export { countSolutions, rateSudoku, solveSudoku } from './solver';
export type { SudokuSolveOptions, SudokuSolveResult } from './solver';
export { SudokuTransform } from './augmentation';
export type { SudokuTransformSpec } from './augmentation';
export { addSudokuClues, generateSudoku, minimalSudokuPuzzle, randomSudokuGrid } from './generator';
export type { GeneratedSudoku, SudokuGenerateOptions } from './generator';
export { SUDOKU_CSV_HEADER, readSudokuCsv, writeSudokuCsv } from './csv';
export type { ReadSudokuCsvOptions, SudokuCsvRow, SudokuTable } from './csv';
export { buildSudokuDataset } from './builder';
export type { SudokuBuildOptions, SudokuBuildProgress, SudokuBuildResult, SudokuSplitSummary } from './builder';
