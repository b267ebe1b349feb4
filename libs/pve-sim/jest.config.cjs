module.exports = {
  displayName: 'pve-sim',
  preset: '../../jest.preset.js',
};
