// generators:self-check — init over this whole repository must change no file. Its own target so
// that its inputs can be the whole workspace (any file init reads or writes), while the unit tests
// keep the project's own inputs.
module.exports = {
  ...require('./jest.config.cjs'),
  displayName: 'generators:self-check',
  testMatch: ['<rootDir>/src/self-check.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/files/'],
};
