export * from './npy';
export * from './format';
