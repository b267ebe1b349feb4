import { readJson } from '@nx/devkit';
import { changedPaths, emptyWorkspace, snapshotTree } from '../../testing/tree';
import { workspaceGenerator } from './generator';

describe('workspace', () => {
  it('merges the root package.json without touching what is there', async () => {
    const tree = emptyWorkspace();
    tree.write(
      'package.json',
      JSON.stringify({ name: 'acme', scripts: { test: 'mine' }, devDependencies: { typescript: '5.0.0' } }),
    );
    await workspaceGenerator(tree, { skipFormat: true });
    const pkg = readJson(tree, 'package.json');
    expect(pkg.scripts.test).toBe('mine');
    expect(pkg.scripts['format:check']).toBe('nx format:check');
    expect(pkg.devDependencies.typescript).toBe('5.0.0');
    expect(pkg.devDependencies['@nx/esbuild']).toBe('22.7.9');
    expect(pkg.dependencies.fastify).toBe('5.12.8');
    expect(pkg.engines.node).toBe('>=20.19');
    expect(tree.read('README.md', 'utf-8')).toContain('# acme');
  });

  it('writes a .gitignore for Node, Docker and Python', async () => {
    const tree = emptyWorkspace();
    await workspaceGenerator(tree, { skipFormat: true });
    const gitignore = tree.read('.gitignore', 'utf-8')!;
    for (const entry of ['node_modules/', 'docker-compose.override.yml', '__pycache__/', '.env']) {
      expect(gitignore).toContain(entry);
    }
  });

  it('refuses a folder without nx.json and writes nothing', async () => {
    const tree = emptyWorkspace();
    tree.delete('nx.json');
    const before = snapshotTree(tree);
    await expect(workspaceGenerator(tree)).rejects.toThrow(/no nx.json/);
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });
});
