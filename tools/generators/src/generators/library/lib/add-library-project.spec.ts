import { emptyWorkspace, readCommonJsConfig } from '../../../testing/tree';
import { addLibraryProject } from './add-library-project';
import { normalizeLibraryOptions } from './normalize-options';

describe('addLibraryProject', () => {
  it('extends the root configs from the library folder', async () => {
    const tree = emptyWorkspace();
    await addLibraryProject(tree, normalizeLibraryOptions(tree, 'gpu'));
    expect(JSON.parse(tree.read('libs/gpu/tsconfig.json', 'utf-8')!).extends).toBe(
      '../../tsconfig.base.json',
    );
    expect(readCommonJsConfig(tree, 'libs/gpu/jest.config.cjs')).toMatchObject({
      displayName: 'gpu',
      preset: '../../jest.preset.js',
      testEnvironment: 'node',
      testTimeout: 30_000,
    });
    expect(tree.read('libs/gpu/eslint.config.mjs', 'utf-8')).toContain("from '../../eslint.config.mjs'");
  });
});
