// The workspace data the owned templates are rendered from: pinned versions. Which services get an
// image is decided by Nx at CI time (projects affected by a change that have a `docker:build`
// target), not written into the workflow.
import { actions, baseImage, blackRev, nodeVersion, nodeVersions, ruffPreCommitRev } from '../../../utils/versions';

export interface CiSubstitutions {
  actions: typeof actions;
  baseImage: string;
  nodeVersion: string;
  nodeVersions: readonly string[];
  ruffPreCommitRev: string;
  blackRev: string;
}

export function ciSubstitutions(): CiSubstitutions {
  return { actions, baseImage, nodeVersion, nodeVersions, ruffPreCommitRev, blackRev };
}
