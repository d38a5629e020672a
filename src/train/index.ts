export * from './trainer';
export * from './run-folder';
