// The workspace data the owned templates are rendered from: pinned versions and the service list.
import type { Tree } from '@nx/devkit';
import { listServices, type ServiceProject } from '../../../utils/services';
import { actions, baseImage, blackRev, nodeVersion, ruffPreCommitRev } from '../../../utils/versions';

export interface CiSubstitutions {
  services: ServiceProject[];
  actions: typeof actions;
  baseImage: string;
  nodeVersion: string;
  ruffPreCommitRev: string;
  blackRev: string;
}

export function ciSubstitutions(tree: Tree): CiSubstitutions {
  return { services: listServices(tree), actions, baseImage, nodeVersion, ruffPreCommitRev, blackRev };
}
