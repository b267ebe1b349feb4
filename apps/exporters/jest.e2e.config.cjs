// The `exporters:e2e` target: the built bundle against the real Prometheus (Debian's).
module.exports = {
  displayName: 'exporters-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  testTimeout: 120_000,
};
