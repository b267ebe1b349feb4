// Rendering the ejs templates under a generator's files/ folder, with the tokens every template
// may use, and the executable bit for the shell scripts a run writes.
import { generateFiles, OverwriteStrategy } from '@nx/devkit';
import type { Tree } from '@nx/devkit';

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

const scratchDir = '.genesis-render';

/**
 * Renders a files/ folder without touching the workspace paths: path (relative to `target`'s
 * future location) → content. The caller decides per file whether to write, keep or write beside.
 */
export function renderToMemory(
  tree: Tree,
  srcFolder: string,
  substitutions: Substitutions,
): Map<string, Buffer> {
  if (tree.exists(scratchDir))
    throw new Error(`${scratchDir}/ exists in the workspace: remove it and run again`);
  generateFiles(tree, srcFolder, scratchDir, { ...pathTokens, ...substitutions });
  const files = new Map<string, Buffer>();
  collect(tree, scratchDir, files);
  for (const path of files.keys()) tree.delete(`${scratchDir}/${path}`);
  tree.delete(scratchDir);
  return files;
}

function collect(tree: Tree, dir: string, files: Map<string, Buffer>): void {
  for (const child of tree.children(dir)) {
    const path = `${dir}/${child}`;
    if (tree.isFile(path)) files.set(path.slice(scratchDir.length + 1), tree.read(path)!);
    else collect(tree, path, files);
  }
}
