module.exports = {
  displayName: 'banker',
  preset: '../../jest.preset.js',
};
