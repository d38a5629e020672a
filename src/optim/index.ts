export * from './optimizer';
export * from './adam';
export * from './sparse';
export * from './schedule';
