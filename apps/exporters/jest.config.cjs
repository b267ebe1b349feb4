module.exports = {
  displayName: 'exporters',
  preset: '../../jest.preset.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
};
