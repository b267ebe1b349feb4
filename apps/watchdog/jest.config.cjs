// execa 9 and its helpers are ESM-only; Jest on Node 20 cannot require() them, so @swc/jest
// compiles exactly these packages to CommonJS (Node itself loads them natively at run time).
// cookie: fastify's inject() (light-my-request) requires cookie 2, which ships ESM only.
const esmOnly = [
  'execa',
  '@sindresorhus/merge-streams',
  'get-stream',
  '@sec-ant/readable-stream',
  'is-stream',
  'human-signals',
  'is-plain-obj',
  'npm-run-path',
  'path-key',
  'unicorn-magic',
  'pretty-ms',
  'parse-ms',
  'strip-final-newline',
  'yoctocolors',
  'figures',
  'is-unicode-supported',
  'cookie',
];

module.exports = {
  displayName: 'watchdog',
  preset: '../../jest.preset.js',
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
