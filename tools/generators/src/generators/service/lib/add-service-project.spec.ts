import { readJson } from '@nx/devkit';
import { initializedWorkspace } from '../../../testing/tree';
import { addServiceProject } from './add-service-project';
import { normalizeServiceOptions } from './normalize-options';

describe('addServiceProject', () => {
  it('creates a workspace package with pinned dependencies and an esbuild build', async () => {
    const tree = await initializedWorkspace();
    addServiceProject(tree, normalizeServiceOptions(tree, 'trader'));
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

  it('leaves an existing project alone', async () => {
    const tree = await initializedWorkspace();
    tree.delete('apps/core/Dockerfile');
    addServiceProject(tree, normalizeServiceOptions(tree, 'core', { allowExisting: true }));
    expect(tree.exists('apps/core/Dockerfile')).toBe(false);
  });
});
