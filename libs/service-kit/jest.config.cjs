module.exports = {
  displayName: 'service-kit',
  preset: '../../jest.preset.js',
};
