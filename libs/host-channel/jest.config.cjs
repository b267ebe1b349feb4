// execa 9 and its helpers are ESM-only; Jest on Node 20 cannot require() them, so @swc/jest
// compiles exactly these packages to CommonJS (Node itself loads them natively at run time).
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
];

module.exports = {
  displayName: 'host-channel',
  preset: '../../jest.preset.js',
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
