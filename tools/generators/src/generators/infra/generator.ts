// `nx g @genesis/repo:infra`: the infra project, compose variants, cloud-init and scripts.
import { formatFiles } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import { makeScriptsExecutable } from '../../utils/templates';
import { addInfraFiles } from './lib/add-infra-files';
import type { InfraGeneratorSchema } from './schema';

export async function infraGenerator(tree: Tree, options: InfraGeneratorSchema = {}): Promise<void> {
  assertNxWorkspace(tree);
  addInfraFiles(tree);
  makeScriptsExecutable(tree);
  if (!options.skipFormat) await formatFiles(tree);
}

export default infraGenerator;
