const { transformEsmOnly } = require('../../jest.esm-only');

module.exports = {
  displayName: 'exporters',
  preset: '../../jest.preset.js',
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/e2e/'],
  transformIgnorePatterns: transformEsmOnly(),
};
