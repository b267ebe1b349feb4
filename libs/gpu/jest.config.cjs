module.exports = {
  displayName: 'gpu',
  preset: '../../jest.preset.js',
};
