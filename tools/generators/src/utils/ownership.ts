// The three ways a generator may touch a file (see tools/generators/README.md):
//   OWNED        rewritten from templates + workspace data on every run; the repo copy must equal it.
//   CREATED ONCE written only when absent; afterwards the file is the user's.
//   KEPT IN STEP an idempotent structural edit (add an entry if missing, never touch the others).
import type { Tree } from '@nx/devkit';
import {
  buildImagesWorkflowPath,
  ciWorkflowPath,
  installDependenciesPath,
  makefilePath,
  preCommitConfigPath,
} from './paths';

/** Every file a generator owns. The self-check test compares these with the repository. */
export const ownedFiles: readonly string[] = [
  ciWorkflowPath,
  buildImagesWorkflowPath,
  preCommitConfigPath,
  makefilePath,
  installDependenciesPath,
];

export function writeOwned(tree: Tree, path: string, content: string): void {
  if (!ownedFiles.includes(path)) {
    throw new Error(
      `${path} is not in ownedFiles (tools/generators/src/utils/ownership.ts); ` +
        'add it there before a generator may overwrite it',
    );
  }
  if (tree.exists(path) && tree.read(path, 'utf-8') === content) return;
  tree.write(path, content);
}

/** Writes `content` only if nothing is at `path`; returns whether it wrote. */
export function writeOnce(tree: Tree, path: string, content: string): boolean {
  if (tree.exists(path)) return false;
  tree.write(path, content);
  return true;
}
