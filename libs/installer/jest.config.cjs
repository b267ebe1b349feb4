module.exports = {
  displayName: 'installer',
  preset: '../../jest.preset.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transformIgnorePatterns: require('../host-channel/jest.config.cjs').transformIgnorePatterns,
};
