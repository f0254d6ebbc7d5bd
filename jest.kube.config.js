/**
 * `npm run test:cluster`: the `*.kube.test.ts` suites against a Kubernetes API server (test/kube/README.md).
 * One worker: the suites share the cluster's nodes, and each suite brings its own fake nodes and namespaces.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['**/*.kube.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/kube/global-setup.js',
  globalTeardown: '<rootDir>/test/kube/global-teardown.js',
  maxWorkers: 1,
  testTimeout: 300000,
};
