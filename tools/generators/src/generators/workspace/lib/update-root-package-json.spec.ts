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

  it("keeps the user's versions, older or newer, and adds what is missing", () => {
    const tree = emptyWorkspace();
    tree.write('package.json', JSON.stringify({ devDependencies: { nx: '22.7.12', jest: '29.0.0' } }));
    updateRootPackageJson(tree);
    const pkg = readJson(tree, 'package.json');
    expect(pkg.devDependencies).toMatchObject({ nx: '22.7.12', jest: '29.0.0', typescript: '5.9.3' });
    expect(pkg.dependencies.zod).toBe('4.6.7');
  });
});
