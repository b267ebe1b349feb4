// The workspace paths the generators read and write, named once.
export const composeDir = 'infra/compose';
export const composeBasePath = `${composeDir}/docker-compose.yml`;
export const composeVariants = ['dev', 'mock', 'prod'] as const;
export type ComposeVariant = (typeof composeVariants)[number];
export const composeVariantPath = (variant: ComposeVariant) => `${composeDir}/docker-compose.${variant}.yml`;
export const envExamplePath = `${composeDir}/.env.example`;
export const prometheusConfigPath = `${composeDir}/prometheus/prometheus.yml`;
export const ciWorkflowPath = '.github/workflows/ci.yaml';
export const buildImagesWorkflowPath = '.github/workflows/build-images.yaml';
export const preCommitConfigPath = '.pre-commit-config.yaml';
export const makefilePath = 'Makefile';
export const installDependenciesPath = 'scripts/setup/install-dependencies.sh';
export const dockerignorePath = '.dockerignore';
/** Where a service's esbuild bundle lands; its Dockerfile copies this folder and nothing else. */
export const bundleDir = (projectRoot: string) => `dist/${projectRoot}`;
export const appsDir = 'apps';
export const libsDir = 'libs';
