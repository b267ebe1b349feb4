module.exports = {
  displayName: 'gpu',
  preset: '../../jest.preset.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
  transformIgnorePatterns: require('../host-channel/jest.config.cjs').transformIgnorePatterns,
};
