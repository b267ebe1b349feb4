// execa 9 and its helpers are ESM-only; Jest on Node 20 cannot require() them, so @swc/jest
// compiles exactly these packages to CommonJS (Node itself loads them natively at run time).
// One list for every project that runs commands through execa.
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

/** `transformIgnorePatterns` that let @swc/jest compile the ESM-only packages above. */
module.exports.transformEsmOnly = () => [`/node_modules/(?!(${esmOnly.join('|')})/)`];
