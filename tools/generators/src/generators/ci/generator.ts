// `nx g @genesis/repo:ci`: the files this plugin owns (see ../../utils/ownership.ts).
import { formatFiles } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { assertNxWorkspace } from '../../utils/nx-workspace';
import { makeScriptsExecutable } from '../../utils/templates';
import { writeOwnedFiles } from './lib/write-owned-files';
import type { CiGeneratorSchema } from './schema';

export async function ciGenerator(tree: Tree, options: CiGeneratorSchema = {}): Promise<void> {
  assertNxWorkspace(tree);
  writeOwnedFiles(tree, { force: options.force });
  makeScriptsExecutable(tree);
  if (!options.skipFormat) await formatFiles(tree);
}

export default ciGenerator;
