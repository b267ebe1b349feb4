import { readNxJson, updateNxJson } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { updateNxJsonForGenesis } from './update-nx-json';

describe('updateNxJsonForGenesis', () => {
  it('adds the plugins and target defaults once, keeping existing settings', () => {
    const tree = emptyWorkspace();
    updateNxJson(tree, { targetDefaults: { build: { cache: false } }, plugins: ['@nx/jest/plugin'] });
    updateNxJsonForGenesis(tree);
    updateNxJsonForGenesis(tree);
    const nxJson = readNxJson(tree)!;
    expect(nxJson.targetDefaults!.build).toEqual({ cache: false });
    expect(nxJson.targetDefaults!.typecheck).toMatchObject({ executor: 'nx:run-commands' });
    expect(nxJson.plugins).toEqual([
      '@nx/jest/plugin',
      { plugin: '@nx/eslint/plugin', options: { targetName: 'lint' } },
      { plugin: '@genesis/repo', options: {} },
    ]);
  });
});
