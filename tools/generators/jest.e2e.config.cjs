// The end-to-end suite: a brand-new Nx workspace in a temp dir, the plugin installed from the
// checkout. Slow (npm install + builds), so it is the `e2e` target, not part of `test`.
module.exports = {
  displayName: 'generators-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.e2e.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testTimeout: 600_000,
};
