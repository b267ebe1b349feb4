// `nx g @genesis/repo:library <name>`: a TypeScript library under libs/.
import { formatFiles, getProjects, installPackagesTask } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import { addLibraryProject } from './lib/add-library-project';
import { normalizeLibraryOptions } from './lib/normalize-options';
import type { LibraryGeneratorSchema } from './schema';

/** The steps without formatting; `init` calls this for proxmox and gpu (skipped when present). */
export async function addLibrary(tree: Tree, name: string, { allowExisting = false } = {}): Promise<void> {
  if (allowExisting && getProjects(tree).has(name)) return;
  await addLibraryProject(tree, normalizeLibraryOptions(tree, name));
}

export async function libraryGenerator(
  tree: Tree,
  options: LibraryGeneratorSchema,
): Promise<GeneratorCallback> {
  assertNxWorkspace(tree);
  await addLibrary(tree, options.name);
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    if (!options.skipInstall) installPackagesTask(tree, true);
  };
}

export default libraryGenerator;
