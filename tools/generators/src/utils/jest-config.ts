// A generated project's Jest configuration, written by @nx/jest's own configuration generator
// (jest.config and tsconfig.spec.json), then pointed at the Genesis preset — jest.preset.genesis.js
// where the workspace keeps its own jest.preset.js — and given the timeout that a cold first test
// on a busy 2-core machine stays under (tests wait on conditions, never on this bound). The
// preset's SWC transform serves every project alike, so the generator's own transform goes. The
// file is named .cjs like every other CommonJS config here; formatFiles gives it the house style.
import {
  ensurePackage,
  joinPathFragments,
  logger,
  offsetFromRoot,
  readProjectConfiguration,
} from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { genesisJestPreset } from './jest-preset';
import { nxVersion } from './versions';

/** Jest's 5 s default, raised: the first test of a service loads fastify and SWC's output cold. */
export const jestTestTimeout = 30_000;

export const jestConfigFile = 'jest.config.cjs';

type NxJest = typeof import('@nx/jest');

const rootJestConfigs = ['jest.config.js', 'jest.config.ts', 'jest.config.cjs', 'jest.config.cts'];

export async function addJestConfiguration(tree: Tree, project: string): Promise<void> {
  const { root } = readProjectConfiguration(tree, project);
  const config = joinPathFragments(root, jestConfigFile);
  if (tree.exists(config)) return;
  const hadRootConfig = rootJestConfigs.some((file) => tree.exists(file));
  // Read before Nx's generator runs: it writes a plain jest.preset.js where none exists.
  const preset = `${offsetFromRoot(root)}${genesisJestPreset(tree)}`;
  // A dependency of this plugin, so normally installed beside it; ensurePackage covers the rest.
  const nxJest = ensurePackage<NxJest>('@nx/jest', nxVersion);
  await withoutRuntimeTsconfigWarning(() =>
    nxJest.configurationGenerator(tree, {
      project,
      testEnvironment: 'node',
      compiler: 'swc',
      js: true,
      setupFile: 'none',
      supportTsx: false,
      // The workspace generator pins Jest, @swc/jest and their types (utils/versions.ts).
      skipPackageJson: true,
      skipFormat: true,
    }),
  );
  const written = joinPathFragments(root, 'jest.config.js');
  // Nx's config is plain CommonJS data: read it as such and write it back with Genesis's settings.
  // Not @nx/jest's addPropertyToJestConfig: when it cannot edit a file it only logs a warning, and
  // the e2e-workspace found a config left on the user's own preset that way.
  const {
    transform: _transform,
    moduleFileExtensions: _extensions,
    ...generated
  } = evaluateCommonJs(tree.read(written, 'utf-8') ?? '', written);
  tree.delete(written);
  const settings = { ...generated, preset, testTimeout: jestTestTimeout };
  tree.write(config, `module.exports = ${JSON.stringify(settings, null, 2)};\n`);
  // Nx adds a root jest.config.js gathering every project for a bare `jest` at the root; here
  // tests run per project through Nx, and with that file present every later call would build
  // the project graph (seconds each) to migrate a root project that does not exist.
  if (!hadRootConfig) for (const file of rootJestConfigs) if (tree.exists(file)) tree.delete(file);
}

/**
 * The generator looks for a tsconfig.app.json / tsconfig.lib.json to exclude the specs from and
 * warns, naming a flag init does not have, when there is none: a Genesis project has one
 * tsconfig.json (the `typecheck` target checks the specs with the code). That one warning is
 * dropped; any other passes through.
 */
async function withoutRuntimeTsconfigWarning(run: () => Promise<unknown>): Promise<void> {
  const warn = logger.warn;
  logger.warn = (message: unknown, ...rest: unknown[]) => {
    if (typeof message === 'string' && message.startsWith("Couldn't find a runtime tsconfig file")) return;
    warn.call(logger, message, ...rest);
  };
  try {
    await run();
  } finally {
    logger.warn = warn;
  }
}

/** The object a CommonJS config file exports (Nx's generated jest.config.js: data only). */
function evaluateCommonJs(source: string, path: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  try {
    new Function('module', 'exports', 'require', source)(module, module.exports, require);
  } catch (e) {
    throw new Error(
      `${path}, written by @nx/jest's configuration generator, does not evaluate: ${(e as Error).message}`,
    );
  }
  return module.exports;
}
