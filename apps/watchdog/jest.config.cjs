const { transformEsmOnly } = require('../../jest.esm-only');

module.exports = {
  displayName: 'watchdog',
  preset: '../../jest.preset.js',
  transformIgnorePatterns: transformEsmOnly(),
};
