// The `gpu:e2e` target: the GPU host steps over a real sshd into real Debian roots (debootstrap).
const base = require('../host-channel/jest.config.cjs');

module.exports = {
  displayName: 'gpu-e2e',
  preset: '../../jest.preset.js',
  rootDir: '.',
  testMatch: ['<rootDir>/e2e/**/*.e2e.spec.ts'],
  transformIgnorePatterns: base.transformIgnorePatterns,
  testTimeout: 20 * 60_000,
};
