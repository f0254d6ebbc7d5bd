/** Tests run on transpiled TypeScript; `npm test` type-checks the whole project first with `tsc --noEmit`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The cluster suites (`*.kube.test.ts`) need an API server: `npm run test:cluster` (jest.kube.config.js).
  testPathIgnorePatterns: ['/node_modules/', '\\.kube\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
