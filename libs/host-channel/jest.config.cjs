const { transformEsmOnly } = require('../../jest.esm-only');

module.exports = {
  displayName: 'host-channel',
  preset: '../../jest.preset.js',
  transformIgnorePatterns: transformEsmOnly(),
};
