import { emptyWorkspace } from '../../../testing/tree';
import { addRootFiles } from './add-root-files';

describe('addRootFiles', () => {
  it('keeps an existing tsconfig.base.json and adds the missing root files', () => {
    const tree = emptyWorkspace();
    tree.write('tsconfig.base.json', '{ "mine": true }\n');
    addRootFiles(tree);
    expect(tree.read('tsconfig.base.json', 'utf-8')).toBe('{ "mine": true }\n');
    for (const file of ['jest.preset.js', 'eslint.config.mjs', '.prettierrc', '.dockerignore', 'CLAUDE.md']) {
      expect(tree.exists(file)).toBe(true);
    }
  });
});
