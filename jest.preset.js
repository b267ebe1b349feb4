// One Jest setup for every project: @swc/jest compiles TypeScript (type checking is the
// `typecheck` target's job), tests run in Node.
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // The first test of a project loads fastify, prom-client and SWC's output cold: on a busy 2-core
  // machine that alone can pass Jest's 5 s default. Tests wait on conditions, never on this bound.
  testTimeout: 30_000,
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/files/'],
};
