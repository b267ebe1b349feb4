// `nx g @genesis/repo:workspace`: the root of a Genesis workspace.
import { formatFiles } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import type { OwnedWriteOptions } from '../../utils/ownership';
import { addRootFiles } from './lib/add-root-files';
import { updateNxJsonForGenesis } from './lib/update-nx-json';
import { updateRootPackageJson } from './lib/update-root-package-json';
import type { WorkspaceGeneratorSchema } from './schema';

export function addWorkspaceRoot(tree: Tree, options: OwnedWriteOptions = {}): void {
  assertNxWorkspace(tree);
  updateRootPackageJson(tree);
  updateNxJsonForGenesis(tree);
  addRootFiles(tree, options);
}

export async function workspaceGenerator(tree: Tree, options: WorkspaceGeneratorSchema = {}): Promise<void> {
  addWorkspaceRoot(tree, { force: options.force });
  if (!options.skipFormat) await formatFiles(tree);
}

export default workspaceGenerator;
