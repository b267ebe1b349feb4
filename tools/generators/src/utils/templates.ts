// Rendering the ejs templates under a generator's files/ folder, with the tokens every template
// may use, and the executable bit for the shell scripts a run writes.
import { generateFiles, OverwriteStrategy, type Tree } from '@nx/devkit';

export type Substitutions = Record<string, unknown>;

/** `__tmpl__` (strip) and `__dot__` (a leading dot npm pack would otherwise drop) path tokens. */
const pathTokens = { tmpl: '', dot: '.' };

export function renderTemplates(
  tree: Tree,
  srcFolder: string,
  target: string,
  substitutions: Substitutions,
  strategy: 'owned' | 'createOnce',
): void {
  generateFiles(
    tree,
    srcFolder,
    target,
    { ...pathTokens, ...substitutions },
    {
      overwriteStrategy: strategy === 'owned' ? OverwriteStrategy.Overwrite : OverwriteStrategy.KeepExisting,
    },
  );
}

/** Every shell script this run created or changed gets mode 755 (templates lose it). */
export function makeScriptsExecutable(tree: Tree): void {
  for (const change of tree.listChanges()) {
    if (change.type !== 'DELETE' && change.path.endsWith('.sh')) tree.changePermissions(change.path, '755');
  }
}
