import { names, offsetFromRoot } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { validateProjectName } from '../../../utils/names';
import { libsDir } from '../../../utils/paths';

export interface NormalizedLibrary {
  name: string;
  root: string;
  offset: string;
  propertyName: string;
  description: string;
}

/** What the libraries `init` creates are for; a library added later describes itself. */
const knownDescriptions: Record<string, string> = {
  proxmox: 'Proxmox VE API client, desired state, plan/apply/verify.',
  gpu: 'GPU passthrough on the host (IOMMU, vfio) and lspci / nvidia-smi parsing.',
};

export function normalizeLibraryOptions(tree: Tree, rawName: unknown): NormalizedLibrary {
  const name = validateProjectName(tree, rawName, 'library');
  const root = `${libsDir}/${name}`;
  if (tree.exists(root)) {
    throw new Error(`${root} already exists but is not an Nx project: move it away or pick another name`);
  }
  return {
    name,
    root,
    offset: offsetFromRoot(root),
    propertyName: names(name).propertyName,
    description: knownDescriptions[name] ?? 'describe what this library owns.',
  };
}
