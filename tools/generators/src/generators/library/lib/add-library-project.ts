// The library project (created once): package.json, project.json, tsconfig, jest, eslint, a
// first module with its spec.
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { genesisJestPreset } from '../../../utils/jest-preset';
import { renderTemplates } from '../../../utils/templates';
import type { NormalizedLibrary } from './normalize-options';

export function addLibraryProject(tree: Tree, library: NormalizedLibrary): void {
  renderTemplates(
    tree,
    join(__dirname, '..', 'files'),
    library.root,
    { ...library, jestPreset: genesisJestPreset(tree) },
    'createOnce',
  );
}
