export * from './config';
export * from './model';
export * from './losses';
