import { addProjectConfiguration } from '@nx/devkit';
import { emptyWorkspace } from '../testing/tree';
import { listServices } from './services';

describe('listServices', () => {
  it('lists application projects that have a Dockerfile at their root', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'web', { root: 'apps/web', projectType: 'application' });
    tree.write('apps/web/Dockerfile', 'FROM scratch\n');
    addProjectConfiguration(tree, 'bench', { root: 'bench', projectType: 'application' });
    expect(listServices(tree)).toEqual([
      { name: 'web', root: 'apps/web', dockerfile: 'apps/web/Dockerfile' },
    ]);
  });
});
