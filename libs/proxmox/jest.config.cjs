module.exports = {
  displayName: 'proxmox',
  preset: '../../jest.preset.js',
};
