// Everything the service steps need, decided (and validated) before anything is written.
import { getProjects, offsetFromRoot } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { validateProjectName } from '../../../utils/names';
import { appsDir, composeBasePath, envExamplePath, prometheusConfigPath } from '../../../utils/paths';
import { portForService, portVariable } from '../../../utils/ports';

export interface NormalizedService {
  name: string;
  root: string;
  offset: string;
  port: number;
  portVariable: string;
  /** The project exists already (init over a workspace): register it, leave its files alone. */
  existing: boolean;
}

export function normalizeServiceOptions(
  tree: Tree,
  rawName: unknown,
  { allowExisting = false }: { allowExisting?: boolean } = {},
): NormalizedService {
  const existingProject = typeof rawName === 'string' ? getProjects(tree).get(rawName) : undefined;
  const name = allowExisting && existingProject ? rawName : validateProjectName(tree, rawName, 'service');
  const root = existingProject?.root ?? `${appsDir}/${name}`;
  for (const required of [composeBasePath, envExamplePath, prometheusConfigPath]) {
    if (!tree.exists(required)) {
      throw new Error(
        `${required} is missing: a service is registered there; run \`nx g @genesis/repo:init\` first`,
      );
    }
  }
  if (!existingProject && tree.exists(root)) {
    throw new Error(`${root} already exists but is not an Nx project: move it away or pick another name`);
  }
  return {
    name: name as string,
    root,
    offset: offsetFromRoot(root),
    port: portForService(tree, name as string),
    portVariable: portVariable(name as string),
    existing: existingProject !== undefined,
  };
}
