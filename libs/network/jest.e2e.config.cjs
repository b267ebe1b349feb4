// The `network:e2e` target: the rehearsal in real network namespaces (root, ifupdown2, nftables).
module.exports = {
  displayName: 'network-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 240_000,
};
