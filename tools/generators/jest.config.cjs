module.exports = {
  displayName: 'generators',
  preset: '../../jest.preset.js',
  // dist/ holds a built copy of this package (same name); keep it out of the module map.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // The self-check reads the whole repository: it is the `self-check` target, whose inputs say so.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/files/', '<rootDir>/src/self-check.spec.ts'],
};
