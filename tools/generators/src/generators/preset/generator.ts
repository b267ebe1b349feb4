// `npx create-nx-workspace hive --preset=@genesis/repo`: create-nx-workspace makes an empty Nx
// workspace, installs the plugin and runs this generator there. It is `init`: the same workspace
// as `nx g @genesis/repo:init` in an empty one. From a tarball the preset is
// `--preset=@genesis/repo@file:/abs/path/genesis-repo-<version>.tgz` (see the README).
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { initGenerator } from '../init/generator';
import type { PresetGeneratorSchema } from './schema';

export async function presetGenerator(
  tree: Tree,
  options: PresetGeneratorSchema = {},
): Promise<GeneratorCallback> {
  return initGenerator(tree, { skipFormat: options.skipFormat, skipInstall: options.skipInstall });
}

export default presetGenerator;
