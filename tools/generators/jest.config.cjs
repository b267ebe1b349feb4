module.exports = {
  displayName: 'generators',
  preset: '../../jest.preset.js',
  // dist/ holds a built copy of this package (same name); keep it out of the module map.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
