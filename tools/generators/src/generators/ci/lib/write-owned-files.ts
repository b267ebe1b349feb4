// Renders every owned file from ci/files. These files are rewritten on every run, so a hand edit
// in the repository shows up in the self-check test rather than surviving silently.
import { joinPathFragments, type Tree } from '@nx/devkit';
import { renderTemplates } from '../../../utils/templates';
import { ciSubstitutions } from './ci-substitutions';

export const ciTemplatesDir = joinPathFragments(__dirname, '..', 'files');

export function writeOwnedFiles(tree: Tree): void {
  renderTemplates(tree, ciTemplatesDir, '.', { ...ciSubstitutions() }, 'owned');
}
