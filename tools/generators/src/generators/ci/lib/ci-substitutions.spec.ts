import { addProjectConfiguration } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { ciSubstitutions } from './ci-substitutions';

describe('ciSubstitutions', () => {
  it('lists the services sorted by name with their Dockerfiles, and the pinned versions', () => {
    const tree = emptyWorkspace();
    for (const name of ['zeta', 'alpha']) {
      addProjectConfiguration(tree, name, { root: `apps/${name}`, projectType: 'application' });
      tree.write(`apps/${name}/Dockerfile`, 'FROM scratch\n');
    }
    const substitutions = ciSubstitutions(tree);
    expect(substitutions.services.map((s) => s.dockerfile)).toEqual([
      'apps/alpha/Dockerfile',
      'apps/zeta/Dockerfile',
    ]);
    expect(substitutions.actions.nxSetShas).toBe('nrwl/nx-set-shas@v4');
    expect(substitutions.nodeVersion).toBe('20');
  });
});
