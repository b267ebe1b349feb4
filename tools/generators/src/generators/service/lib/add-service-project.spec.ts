import { readJson } from '@nx/devkit';
import { initializedWorkspace, readCommonJsConfig } from '../../../testing/tree';
import { addServiceProject } from './add-service-project';
import { normalizeServiceOptions } from './normalize-options';

describe('addServiceProject', () => {
  it('creates a workspace package with pinned dependencies and an esbuild build', async () => {
    const tree = await initializedWorkspace();
    await addServiceProject(tree, normalizeServiceOptions(tree, 'trader'));
    expect(readJson(tree, 'apps/trader/package.json')).toMatchObject({
      name: '@genesis/trader',
      dependencies: { fastify: '5.12.8', 'prom-client': '15.1.3' },
    });
    expect(readJson(tree, 'apps/trader/project.json').targets.build.options).toMatchObject({
      main: 'apps/trader/src/main.ts',
      outputPath: 'dist/apps/trader',
      bundle: true,
      thirdParty: true,
    });
  });

  it("gets its Jest configuration from @nx/jest's generator, on the Genesis preset with the timeout", async () => {
    const tree = await initializedWorkspace();
    await addServiceProject(tree, normalizeServiceOptions(tree, 'trader'));
    const config = readCommonJsConfig(tree, 'apps/trader/jest.config.cjs');
    expect(config).toMatchObject({
      displayName: 'trader',
      preset: '../../jest.preset.js',
      testEnvironment: 'node',
      testTimeout: 30_000,
    });
    // The preset's SWC transform applies, not a second one.
    expect(config).not.toHaveProperty('transform');
    expect(tree.exists('apps/trader/jest.config.js')).toBe(false);
    // Tests run per project through Nx: no root aggregator config.
    expect(tree.exists('jest.config.js')).toBe(false);
    expect(readJson(tree, 'apps/trader/tsconfig.spec.json').compilerOptions.types).toEqual(['jest', 'node']);
  });

  it('leaves an existing project alone', async () => {
    const tree = await initializedWorkspace();
    tree.delete('apps/core/Dockerfile');
    await addServiceProject(tree, normalizeServiceOptions(tree, 'core', { allowExisting: true }));
    expect(tree.exists('apps/core/Dockerfile')).toBe(false);
  });
});
