module.exports = {
  displayName: 'banker',
  preset: '../../jest.preset.js',
  // fastify's inject() (light-my-request) requires cookie 2, which ships ESM only; let
  // @swc/jest compile that one package to CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!cookie/)'],
};
