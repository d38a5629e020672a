/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 180000,
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
