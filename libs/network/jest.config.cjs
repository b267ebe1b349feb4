module.exports = {
  displayName: 'network',
  preset: '../../jest.preset.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
};
