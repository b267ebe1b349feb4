import { readJson } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { updateRootPackageJson } from './update-root-package-json';

describe('updateRootPackageJson', () => {
  it('adds the workspaces and never lists a package in both dependency groups', () => {
    const tree = emptyWorkspace();
    tree.write(
      'package.json',
      JSON.stringify({ workspaces: ['packages/*'], devDependencies: { yaml: '2.0.0' } }),
    );
    updateRootPackageJson(tree);
    const pkg = readJson(tree, 'package.json');
    expect(pkg.workspaces).toEqual(['packages/*', 'apps/*', 'libs/*', 'tools/*']);
    expect(pkg.dependencies.yaml).toBeUndefined();
    expect(pkg.devDependencies.yaml).toBe('2.0.0');
  });
});
