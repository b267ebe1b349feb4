// Kept in step: nx.json gains the inferred-target plugins (@nx/eslint, @nx/jest, @genesis/repo), the named
// inputs and target defaults (typecheck, build, test, lint, e2e) when they are missing.
import { readNxJson, updateNxJson } from '@nx/devkit';
import type { NxJsonConfiguration, Tree } from '@nx/devkit';

type PluginEntry = NonNullable<NxJsonConfiguration['plugins']>[number];

export const genesisPlugins: PluginEntry[] = [
  { plugin: '@nx/eslint/plugin', options: { targetName: 'lint' } },
  { plugin: '@nx/jest/plugin', options: { targetName: 'test' } },
  // plan, provision, verify and one target per step, inferred from infra/genesis.yaml.
  { plugin: '@genesis/repo', options: {} },
];

export const genesisNamedInputs: NonNullable<NxJsonConfiguration['namedInputs']> = {
  default: ['{projectRoot}/**/*', 'sharedGlobals'],
  production: [
    'default',
    '!{projectRoot}/**/?(*.)+(spec|test).[jt]s',
    '!{projectRoot}/jest.config.[jt]s',
    '!{projectRoot}/jest.config.cjs',
    '!{projectRoot}/eslint.config.mjs',
    '!{projectRoot}/tsconfig.spec.json',
  ],
  sharedGlobals: ['{workspaceRoot}/tsconfig.base.json', '{workspaceRoot}/package-lock.json'],
};

export const genesisTargetDefaults: NonNullable<NxJsonConfiguration['targetDefaults']> = {
  typecheck: {
    executor: 'nx:run-commands',
    options: { command: 'tsc -p {projectRoot}/tsconfig.json --noEmit' },
    inputs: ['default', '^default'],
    cache: true,
  },
  build: { dependsOn: ['^build', 'typecheck'], inputs: ['production', '^production'], cache: true },
  test: { inputs: ['default', '^production'], cache: true },
  lint: { cache: true },
  e2e: { cache: false },
};

export function updateNxJsonForGenesis(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const before = JSON.stringify(nxJson);
  nxJson.defaultBase ??= 'main';
  nxJson.namedInputs = addMissingKeys(nxJson.namedInputs, genesisNamedInputs);
  nxJson.targetDefaults = addMissingKeys(nxJson.targetDefaults, genesisTargetDefaults);
  const plugins = nxJson.plugins ?? [];
  const pluginName = (entry: PluginEntry) => (typeof entry === 'string' ? entry : entry.plugin);
  const present = new Set(plugins.map(pluginName));
  nxJson.plugins = [...plugins, ...genesisPlugins.filter((entry) => !present.has(pluginName(entry)))];
  if (JSON.stringify(nxJson) !== before) updateNxJson(tree, nxJson);
}

/** Appends the keys of `wanted` that `current` lacks; existing keys keep their value and order. */
function addMissingKeys<T extends object>(current: T | undefined, wanted: T): T {
  const result = { ...(current ?? {}) } as T;
  for (const [key, value] of Object.entries(wanted)) {
    if (!(key in result)) (result as Record<string, unknown>)[key] = value;
  }
  return result;
}
