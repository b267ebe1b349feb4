import { readJson } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { addRootFiles } from './add-root-files';

describe('addRootFiles', () => {
  it('merges an existing tsconfig.base.json (user keys kept) and adds the missing root files', () => {
    const tree = emptyWorkspace();
    tree.write('tsconfig.base.json', '{ "mine": true, "compilerOptions": { "target": "es2015" } }\n');
    addRootFiles(tree);
    const tsconfig = readJson(tree, 'tsconfig.base.json');
    expect(tsconfig.mine).toBe(true);
    expect(tsconfig.compilerOptions).toMatchObject({ target: 'es2015', strict: true });
    for (const file of [
      'jest.preset.js',
      'eslint.config.mjs',
      '.prettierrc',
      '.dockerignore',
      'CLAUDE.md',
      '.gitignore',
    ]) {
      expect(tree.exists(file)).toBe(true);
    }
  });
});
