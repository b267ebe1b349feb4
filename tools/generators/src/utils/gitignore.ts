// Kept in step: the lines a Genesis workspace must ignore (build output, Nx cache, runtime state
// and the secrets file the Makefile and compose read) are added to a user's .gitignore when
// missing; the user's lines stay as they are.
import type { Tree } from '@nx/devkit';

export const gitignorePath = '.gitignore';

/** What Genesis needs ignored; `infra/compose/.env` holds secrets, `.genesis/` the simulator's state. */
export const requiredIgnores: readonly string[] = [
  'node_modules/',
  'dist/',
  '.nx/',
  '.genesis/',
  '*.trace.jsonl',
  'infra/compose/.env',
];

const blockHeading = '# Genesis (added by `nx g @genesis/repo:init`): build output, runtime state, secrets';

/** `/dist/`, `dist/` and `dist` name the same thing for this check. */
function normalise(line: string): string {
  return line.trim().replace(/^\//, '').replace(/\/$/, '');
}

/** The required lines `content` does not have (in order). */
export function missingIgnores(content: string): string[] {
  const present = new Set(content.split('\n').map(normalise));
  return requiredIgnores.filter((line) => !present.has(normalise(line)));
}

/** Appends the missing lines under one heading; returns them (empty: nothing written). */
export function mergeGitignore(tree: Tree): string[] {
  if (!tree.exists(gitignorePath)) {
    tree.write(gitignorePath, `${blockHeading}\n${requiredIgnores.join('\n')}\n`);
    return [...requiredIgnores];
  }
  const current = tree.read(gitignorePath, 'utf-8') ?? '';
  const missing = missingIgnores(current);
  if (missing.length === 0) return [];
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  tree.write(gitignorePath, `${current}${separator}\n${blockHeading}\n${missing.join('\n')}\n`);
  return missing;
}
