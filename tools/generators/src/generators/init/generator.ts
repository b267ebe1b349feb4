// `nx g @genesis/repo:init`: the whole Genesis layout, composed of the smaller generators. Safe
// to run again: owned files are re-rendered, everything else is only added where missing.
import { formatFiles, installPackagesTask } from '@nx/devkit';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addInfraFiles } from '../infra/lib/add-infra-files';
import { writeOwnedFiles } from '../ci/lib/write-owned-files';
import { addService } from '../service/generator';
import { addWorkspaceRoot } from '../workspace/generator';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import { makeScriptsExecutable } from '../../utils/templates';
import { assertNoCollisions } from './lib/collisions';
import { addEngineDependencies } from './lib/engine-packages';
import { initialServices } from './lib/layout';
import type { InitGeneratorSchema } from './schema';

export async function initGenerator(
  tree: Tree,
  options: InitGeneratorSchema = {},
): Promise<GeneratorCallback> {
  // Refusals first: nothing is written unless init can finish.
  assertNxWorkspace(tree);
  assertNoCollisions(tree);
  addWorkspaceRoot(tree, { force: options.force });
  addEngineDependencies(tree);
  addInfraFiles(tree);
  for (const service of initialServices) await addService(tree, service, { allowExisting: true });
  // Last: the build-images matrix is derived from every service now in the tree.
  writeOwnedFiles(tree, { force: options.force });
  makeScriptsExecutable(tree);
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    if (!options.skipInstall) installPackagesTask(tree, true);
  };
}

export default initGenerator;
