export * from './trainer';
export * from './run-folder';
export * from './ema';
