import { readJson, readProjectConfiguration } from '@nx/devkit';
import { changedPaths, emptyWorkspace, snapshotTree } from '../../testing/tree';
import { libraryGenerator } from './generator';

describe('library', () => {
  it('creates a library with the workspace conventions', async () => {
    const tree = emptyWorkspace();
    await libraryGenerator(tree, { name: 'market-data', skipFormat: true, skipInstall: true });
    expect(readProjectConfiguration(tree, 'market-data')).toMatchObject({
      root: 'libs/market-data',
      projectType: 'library',
      tags: ['type:lib'],
    });
    expect(readJson(tree, 'libs/market-data/package.json')).toMatchObject({
      name: '@genesis/market-data',
      main: './src/index.ts',
    });
    expect(tree.read('libs/market-data/src/lib/market-data.ts', 'utf-8')).toContain(
      'export const marketDataPackage',
    );
    expect(tree.exists('libs/market-data/src/lib/market-data.spec.ts')).toBe(true);
  });

  it('refuses a taken name and writes nothing', async () => {
    const tree = emptyWorkspace();
    await libraryGenerator(tree, { name: 'gpu', skipFormat: true, skipInstall: true });
    const before = snapshotTree(tree);
    await expect(
      libraryGenerator(tree, { name: 'gpu', skipFormat: true, skipInstall: true }),
    ).rejects.toThrow(/A project named "gpu" already exists at libs\/gpu/);
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });
});
