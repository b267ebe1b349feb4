import baseConfig, { packageDependencyChecks } from '../../eslint.config.mjs';

// @genesis/network is bundled into the package (it is no package of its own: it imports the engine back).
export default [...baseConfig, packageDependencyChecks(['@genesis/network'])];
