// Every version the generators write into a workspace, in one place. Taken from the Genesis root
// package.json when the plugin was written; bump them here, then run `nx g @genesis/repo:init`.

export const nodeVersion = '20';
/** The Node.js majors CI tests on: every major the `engines` range below promises. */
export const nodeVersions = ['20', '22', '24'] as const;
export const nodeEngine = '>=20.19';
export const baseImage = 'node:20-bookworm-slim';

export const nxVersion = '22.7.9';
export const typescriptVersion = '5.9.3';
export const jestVersion = '30.5.2';
export const typesJestVersion = '30.0.0';
export const typesNodeVersion = '20.19.43';
export const swcCoreVersion = '1.16.22';
export const swcJestVersion = '0.2.39';
export const swcNodeRegisterVersion = '1.12.1';
export const esbuildVersion = '0.28.2';
export const eslintVersion = '9.39.5';
export const eslintJsVersion = '9.39.5';
export const typescriptEslintVersion = '8.73.0';
export const jsoncEslintParserVersion = '3.3.0';
export const prettierVersion = '3.10.1';
export const actionValidatorVersion = '0.6.0';
export const typesEjsVersion = '3.1.5';

export const ejsVersion = '3.1.10';
export const execaVersion = '9.6.0';
export const fastifyVersion = '5.12.8';
export const promClientVersion = '15.1.3';
export const pinoVersion = '10.4.0';
export const yamlVersion = '2.9.1';
export const zodVersion = '4.6.7';

/** Root devDependencies a Genesis workspace needs (merged, never downgraded or removed). */
export const rootDevDependencies: Record<string, string> = {
  '@action-validator/cli': actionValidatorVersion,
  '@action-validator/core': actionValidatorVersion,
  '@eslint/js': eslintJsVersion,
  '@nx/devkit': nxVersion,
  '@nx/esbuild': nxVersion,
  '@nx/eslint': nxVersion,
  '@nx/eslint-plugin': nxVersion,
  '@nx/jest': nxVersion,
  '@nx/js': nxVersion,
  '@nx/workspace': nxVersion,
  '@swc-node/register': swcNodeRegisterVersion,
  '@swc/core': swcCoreVersion,
  '@swc/jest': swcJestVersion,
  '@types/ejs': typesEjsVersion,
  '@types/jest': typesJestVersion,
  '@types/node': typesNodeVersion,
  esbuild: esbuildVersion,
  eslint: eslintVersion,
  jest: jestVersion,
  'jsonc-eslint-parser': jsoncEslintParserVersion,
  nx: nxVersion,
  prettier: prettierVersion,
  typescript: typescriptVersion,
  'typescript-eslint': typescriptEslintVersion,
};

/** Root runtime dependencies shared by the services and libraries. */
export const rootDependencies: Record<string, string> = {
  ejs: ejsVersion,
  execa: execaVersion,
  fastify: fastifyVersion,
  pino: pinoVersion,
  'prom-client': promClientVersion,
  yaml: yamlVersion,
  zod: zodVersion,
};

// Pinned third-party revisions in .pre-commit-config.yaml and the GitHub workflows.
export const ruffPreCommitRev = 'v0.12.0';
export const blackRev = '25.1.0';
export const actions = {
  checkout: 'actions/checkout@v4',
  setupNode: 'actions/setup-node@v4',
  nxSetShas: 'nrwl/nx-set-shas@v4',
} as const;

// Images in the created compose files.
export const prometheusImage = 'prom/prometheus:v2.55.1';
export const grafanaImage = 'grafana/grafana:11.3.0';
