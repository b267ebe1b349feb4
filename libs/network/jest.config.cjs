module.exports = {
  displayName: 'network',
  preset: '../../jest.preset.js',
  // Set here as well as in the preset: a workspace that keeps its own jest.preset.js still gets a
  // bound that a cold first test on a busy 2-core machine stays under.
  testTimeout: 30_000,
  // The rehearsal (root, namespaces) is network:e2e, not a unit test.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
};
