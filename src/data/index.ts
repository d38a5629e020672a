export * from './npy';
export * from './format';
export * from './random';
export * from './puzzle-dataset';
export * from './sudoku';
export * from './maze';
export * from './arc';
