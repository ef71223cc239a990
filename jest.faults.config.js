/** @type {import('jest').Config} */
// The fault suite (npm run test:faults): real processes under faults, one file at a time.
module.exports = {
  displayName: 'faults',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
  reporters: ['default', '<rootDir>/test/support/summary.reporter.js'],
  testTimeout: 240_000,
  maxWorkers: 1,
};
