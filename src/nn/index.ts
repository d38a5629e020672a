export * from './module';
export * from './layers';
export * from './init';
export * from './module-list';
export * from './sparse-embedding';
