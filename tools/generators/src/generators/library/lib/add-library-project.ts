// The library project (created once): package.json, project.json, tsconfig, eslint, a first
// module with its spec, and the Jest configuration (@nx/jest's generator, utils/jest-config.ts).
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { addJestConfiguration } from '../../../utils/jest-config';
import { renderTemplates } from '../../../utils/templates';
import type { NormalizedLibrary } from './normalize-options';

export async function addLibraryProject(tree: Tree, library: NormalizedLibrary): Promise<void> {
  renderTemplates(tree, join(__dirname, '..', 'files'), library.root, { ...library }, 'createOnce');
  await addJestConfiguration(tree, library.name);
}
