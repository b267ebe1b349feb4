// The user's path from the packed tarballs (e2e/*.workspace-e2e.ts): create-nx-workspace, npm
// installs, provision and verify on the embedded simulator, lint/test/build. Very slow, so it is
// its own target (`generators:e2e-workspace`), in neither `test` nor `e2e`.
module.exports = {
  displayName: 'generators-e2e-workspace',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.workspace-e2e.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // One case runs create-nx-workspace and several npm installs on a possibly busy 2-core machine.
  testTimeout: 1_800_000,
};
