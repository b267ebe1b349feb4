// Renders every owned file from ci/files. These files are rewritten on every run, so a hand edit
// in the repository shows up in the self-check test rather than surviving silently. A file at an
// owned path that the user wrote (no Genesis marker) is kept and Genesis's version goes beside it.
import { joinPathFragments } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { writeOwned } from '../../../utils/ownership';
import type { OwnedWriteOptions } from '../../../utils/ownership';
import { renderToMemory } from '../../../utils/templates';
import { ciSubstitutions } from './ci-substitutions';

export const ciTemplatesDir = joinPathFragments(__dirname, '..', 'files');

export function writeOwnedFiles(tree: Tree, options: OwnedWriteOptions = {}): void {
  for (const [path, content] of renderToMemory(tree, ciTemplatesDir, { ...ciSubstitutions() })) {
    writeOwned(tree, path, content, options);
  }
}
