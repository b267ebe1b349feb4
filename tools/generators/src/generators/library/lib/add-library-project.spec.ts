import { emptyWorkspace } from '../../../testing/tree';
import { addLibraryProject } from './add-library-project';
import { normalizeLibraryOptions } from './normalize-options';

describe('addLibraryProject', () => {
  it('extends the root configs from the library folder', () => {
    const tree = emptyWorkspace();
    addLibraryProject(tree, normalizeLibraryOptions(tree, 'gpu'));
    expect(JSON.parse(tree.read('libs/gpu/tsconfig.json', 'utf-8')!).extends).toBe(
      '../../tsconfig.base.json',
    );
    expect(tree.read('libs/gpu/jest.config.cjs', 'utf-8')).toContain("preset: '../../jest.preset.js'");
    expect(tree.read('libs/gpu/eslint.config.mjs', 'utf-8')).toContain("from '../../eslint.config.mjs'");
  });
});
