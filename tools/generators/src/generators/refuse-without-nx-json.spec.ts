// Every generator edits an Nx workspace: in a folder without nx.json each one refuses with the
// same message and leaves the tree exactly as it was.
import type { Tree } from '@nx/devkit';
import { changedPaths, emptyWorkspace, snapshotTree } from '../testing/tree';
import { ciGenerator } from './ci/generator';
import { infraGenerator } from './infra/generator';
import { initGenerator } from './init/generator';
import { libraryGenerator } from './library/generator';
import { serviceGenerator } from './service/generator';
import { workspaceGenerator } from './workspace/generator';

const generators: [string, (tree: Tree) => Promise<unknown>][] = [
  ['init', (tree) => initGenerator(tree, { skipFormat: true, skipInstall: true })],
  ['workspace', (tree) => workspaceGenerator(tree, { skipFormat: true })],
  ['library', (tree) => libraryGenerator(tree, { name: 'market-data', skipFormat: true, skipInstall: true })],
  ['service', (tree) => serviceGenerator(tree, { name: 'trader', skipFormat: true, skipInstall: true })],
  ['infra', (tree) => infraGenerator(tree, { skipFormat: true })],
  ['ci', (tree) => ciGenerator(tree, { skipFormat: true })],
];

describe.each(generators)('%s without nx.json', (_name, run) => {
  it('refuses with how to make a workspace, and writes nothing', async () => {
    const tree = emptyWorkspace();
    tree.delete('nx.json');
    const before = snapshotTree(tree);
    await expect(run(tree)).rejects.toThrow(/not an Nx workspace \(no nx.json\): create one first/);
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });
});
