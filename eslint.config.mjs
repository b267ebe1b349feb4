import nx from '@nx/eslint-plugin';
import * as jsoncParser from 'jsonc-eslint-parser';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/out-tsc', '.nx', 'tmp', '**/files/**', '**/*.cjs'],
  },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          // libs/network renders from the desired state (@genesis/proxmox's state/ and ipv4 helpers);
          // the engine's host-network resource installs what it renders. Both sides only call each
          // other's functions at run time, so the cycle is safe to load; splitting state/ into its own
          // library would remove it.
          // The same holds for the installer: it reads the desired state's types (and its CLI the
          // loader); the engine renders the template media with it (user-data, the answer ISO).
          ignoredCircularDependencies: [['proxmox', 'network'], ['proxmox', 'installer']],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:tool'] },
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Benchmarks build their baselines from the apps' own internals (same parser, same metric
    // families), so they may import app sources directly; nothing imports a benchmark.
    files: ['bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];

/**
 * For the libraries packed into dist/packages (`nx run-many -t pack`): Nx's own check that
 * package.json `dependencies` list exactly what the package's code imports, at the versions the
 * workspace installs. `ignored`: imports bundled into the package rather than installed with it.
 */
export function packageDependencyChecks(ignored = []) {
  return {
    files: ['**/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['package'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          ignoredDependencies: ignored,
        },
      ],
    },
  };
}
